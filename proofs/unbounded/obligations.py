"""The unbounded encoding's obligations: ground instances of the quantified hypotheses, the
lemma facts, ``init.<inv>``, ``step.<action>.<inv>`` and ``step.<action>.durable``."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TypeAlias

import z3

from proofs.encoding import IDLE
from proofs.obligation import Obligation
from proofs.unbounded.actions import ACTION_NAMES, RESTART_NAMES, UEnc, step
from proofs.unbounded.invariants import INVARIANTS, UInv, inv_all
from proofs.unbounded.state import FList, Page, Term, Thread, UState


# --- ground instances and facts -----------------------------------------------------------------
def _ground_terms(e: UEnc, s: UState, seeds: dict[str, list[Term]]) -> dict[str, list[Term]]:
    """The thread, page and list terms to instantiate hypotheses at: the seeds (skolems,
    choices), the pages of those threads, the lists of those pages and their tails."""
    ths = list(seeds.get("Thread", []))
    pgs = list(seeds.get("Page", [])) + [s.decls["page"](x) for x in ths]
    lis = list(seeds.get("FList", [])) + [e.lst(q) for q in pgs]
    pgs += [s.decls["tl"](li) for li in lis]
    return {"Thread": _dedup(ths), "Page": _dedup(pgs), "FList": _dedup(lis)}


def _dedup(xs: list[Term]) -> list[Term]:
    seen: dict[int, Term] = {}
    for x in xs:
        seen.setdefault(x.hash(), x)
    return list(seen.values())


def instances(e: UEnc, s: UState, ground: dict[str, list[Term]],
              invs: Sequence[UInv] = INVARIANTS) -> z3.BoolRef:
    """Every invariant of ``invs`` at every tuple of ground terms of its sorts (implied by
    the quantified invariant: sound to add; recorded for :meth:`UEnc.facts`)."""
    cs = []
    for inv in invs:
        pools = [ground.get(srt.name(), []) for srt in inv.sorts]
        for args in itertools.product(*pools):
            cs.append(inv.body(e, s, *args))
    return z3.And(cs)


def facts(e: UEnc) -> z3.BoolRef:
    """Instances of :data:`proofs.primitives.FACT_LEMMAS` for every ground application
    recorded (:meth:`proofs.primitives.Primitives.fact_instances`)."""
    return e.fact_instances()


# --- obligations ---------------------------------------------------------------------------------
def skolems(inv: UInv, tag: str = "") -> tuple[Term, ...]:
    return tuple(z3.Const(f"sk{i}_{srt.name()}{tag}", srt) for i, srt in enumerate(inv.sorts))


UEncFactory: TypeAlias = Callable[[], UEnc]


def init_formula(inv: UInv, make: UEncFactory = UEnc) -> Callable[[], z3.BoolRef]:
    """Init and not ``inv`` (skolemized): unsat proves ``Init => inv`` for every size of the
    sorts."""
    def build() -> z3.BoolRef:
        e, s = make(), UState.fresh("")
        sk = skolems(inv)
        init = e.init(s)
        ground = _ground_terms(e, s, _by_sort(sk))
        init_inst = _init_instances(e, s, ground)
        goal = z3.Not(inv.body(e, s, *sk))
        return z3.And(e.params_ok(), init, init_inst, goal, facts(e))

    return build


def _init_instances(e: UEnc, s: UState, ground: dict[str, list[Term]]) -> z3.BoolRef:
    cs = []
    for x in ground["Thread"]:
        cs.append(z3.And(s.fn("pc", x) == IDLE, s.fn("ssn", x) == 0, s.fn("size", x) == 0,
                         s.fn("wait", x) == 0, z3.Not(s.fn("sig", x))))
    for q in ground["Page"]:
        cs.append(z3.And(s.fn("oldest", q) == 0, s.fn("newest", q) == 0,
                         s.fn("disk", q) == 0, s.fn("stamp", q) == 0))
    for li in ground["FList"]:
        cs.append(z3.Not(s.fn("ne", li)))
    return z3.And(cs)


def _by_sort(terms: Sequence[Term]) -> dict[str, list[Term]]:
    out: dict[str, list[Term]] = {}
    for t in terms:
        out.setdefault(t.sort().name(), []).append(t)
    return out


SKOLEM_SORTS: tuple[z3.SortRef, ...] = (Thread, Thread, Page, Page, FList)
"""One set of skolem constants shared by every goal of an action (the invariants have at most
two variables of a sort), so that an action's hypotheses, instances and facts are built once
per worker process and shared by its obligations (:func:`action_query`)."""


def _skolem_pool() -> dict[str, list[Term]]:
    out: dict[str, list[Term]] = {}
    for i, srt in enumerate(SKOLEM_SORTS):
        out.setdefault(srt.name(), []).append(z3.Const(f"sk{i}_{srt.name()}", srt))
    return out


def _goal_args(inv: UInv, pool: dict[str, list[Term]]) -> tuple[Term, ...]:
    used: dict[str, int] = {}
    args = []
    for srt in inv.sorts:
        n = used.get(srt.name(), 0)
        args.append(pool[srt.name()][n])
        used[srt.name()] = n + 1
    return tuple(args)


def action_query(action: str, make: UEncFactory = UEnc
                 ) -> tuple[z3.BoolRef, dict[str, z3.BoolRef]]:
    """The hypothesis of every step obligation of ``action`` -- Params rules, every invariant
    before (quantified), the action, the invariants' instances at the ground terms, the lemma
    facts -- and, per invariant, its negated goal after the step at the shared skolems."""
    e, s = make(), UState.fresh("")
    hyp = inv_all(e, s)
    guard, t = step(e, action, s)
    pool = _skolem_pool()
    goals = {inv.name: z3.Not(inv.body(e, t, *_goal_args(inv, pool))) for inv in INVARIANTS}
    goals[DURABLE] = z3.Not(durable_goal(s, t))
    seeds = {k: list(v) for k, v in pool.items()}
    for c in e.choices:
        seeds.setdefault(c.sort().name(), []).append(c)
    ground = _ground_terms(e, s, seeds)
    inst = instances(e, s, ground)
    return z3.And(e.params_ok(), hyp, guard, inst, facts(e)), goals


_QUERIES: dict[str, tuple[z3.BoolRef, dict[str, z3.BoolRef]]] = {}


def step_formula(action: str, inv: UInv, make: UEncFactory | None = None
                 ) -> Callable[[], z3.BoolRef]:
    """Every invariant, the action, and not ``inv`` after it (skolemized): unsat proves that
    ``action`` preserves ``inv`` for any number of threads, pages and lists. With the default
    encoding the action's query is built once per process (:func:`action_query`)."""
    def build() -> z3.BoolRef:
        if make is not None:
            hyp, goals = action_query(action, make)
        else:
            if action not in _QUERIES:
                _QUERIES[action] = action_query(action)
            hyp, goals = _QUERIES[action]
        return z3.And(hyp, goals[inv.name])

    return build


DURABLE = "durable"
"""The name of the step goal "a durable commit stays durable" (:func:`durable_goal`)."""

DURABLE_DOC = ("RC-4: a durable commit stays durable: a group end at or below "
               "flushed_to_disk_lsn is, after the step, still a group end at or below "
               "flushed_to_disk_lsn -- across a crash and a recovery too (recovery never "
               "goes below a durable commit).")


def durable_goal(s: UState, t: UState) -> z3.BoolRef:
    """For an arbitrary lsn ``g``: if ``g`` is a group end at or below flushed_to_disk_lsn
    before the step, it is one after it."""
    g = z3.Int("g_durable")
    return z3.Implies(z3.And(s.f["gend"](g), g <= s.fl), z3.And(t.f["gend"](g), g <= t.fl))


def obligations() -> list[Obligation]:
    """``init.<inv>`` and ``step.<action>.<inv>`` for every invariant and action: scope
    unbounded (any number of threads, pages, flush lists). They take the names of
    :mod:`proofs.encoding`'s bounded obligations, which the registry then drops."""
    out: list[Obligation] = []
    for inv in INVARIANTS:
        out.append(Obligation(f"init.{inv.name}", inv.ids, init_formula(inv), inv.doc))
    for action in (*ACTION_NAMES, *RESTART_NAMES):
        for inv in INVARIANTS:
            out.append(Obligation(f"step.{action}.{inv.name}", inv.ids,
                                  _goal(action, inv.name), inv.doc,
                                  session=f"unbounded.{action}", shared=_hyp(action)))
        out.append(Obligation(f"step.{action}.{DURABLE}", ("RC-4",), _goal(action, DURABLE),
                              DURABLE_DOC, session=f"unbounded.{action}",
                              shared=_hyp(action)))
    return out


def _cached(action: str) -> tuple[z3.BoolRef, dict[str, z3.BoolRef]]:
    if action not in _QUERIES:
        _QUERIES[action] = action_query(action)
    return _QUERIES[action]


def _hyp(action: str) -> Callable[[], z3.BoolRef]:
    return lambda: _cached(action)[0]


def _goal(action: str, inv: str) -> Callable[[], z3.BoolRef]:
    return lambda: _cached(action)[1][inv]
