"""Bounded model checking of the encoding from Init, cross-checked with the spec's explorer.

For a concrete preset (``tiny`` by default) the transition relations of
:mod:`proofs.encoding` are unrolled from Init, in real mode (every function interpreted,
every size a constant, so the queries are linear). The explorer's choice enumeration is
imposed (reservation sizes from ``group_sizes``, waits from ``wait_kinds``, the flusher
flushing up to write_lsn), so BMC and the explorer search the same transition system, up to
the writer's over-approximated actions (proofs/encoding/relations.py).

Cross-checks (tests/proofs/test_bmc.py):

* for each observation of :data:`OBSERVATIONS` ("a user sleeps", "a checkpoint is pending"
  ...), the smallest depth at which BMC can reach it equals the smallest BFS depth at which the
  explorer reaches it;
* every invariant of the encoding holds at every depth (BMC finds no violation, with the real
  functions rather than the abstraction the induction proofs use);
* a BMC path decodes into a list of spec labels that ``RedoModel.replay`` accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs.concrete import encode_state, real_enc
from proofs.encoding import (
    ACTION_NAMES,
    CLOSED,
    IDLE,
    SLEEPING,
    WAITS,
    Enc,
    St,
    inv_all,
    relation,
    reserve_choices,
)
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State

Observation = Callable[[Enc, St], z3.BoolRef]
Concrete = Callable[[dict[str, int | bool], int], bool]


def _users(v: dict[str, int | bool], f: Callable[[int], bool]) -> list[bool]:
    return [f(k) for k in range(2)]


OBSERVATIONS: dict[str, tuple[Observation, Concrete]] = {
    "user_busy": (lambda e, s: z3.Or([u.pc != IDLE for u in s.users]),
                  lambda v, l0: any(_users(v, lambda k: v[f"pc{k}"] != IDLE))),
    "both_users_busy": (lambda e, s: z3.And([u.pc != IDLE for u in s.users]),
                        lambda v, l0: all(_users(v, lambda k: v[f"pc{k}"] != IDLE))),
    "user_closed": (lambda e, s: z3.Or([u.pc >= CLOSED for u in s.users]),
                    lambda v, l0: any(_users(v, lambda k: int(v[f"pc{k}"]) >= CLOSED))),
    "user_sleeping": (lambda e, s: z3.Or([u.pc == SLEEPING for u in s.users]),
                      lambda v, l0: any(_users(v, lambda k: v[f"pc{k}"] == SLEEPING))),
    "user_signalled": (lambda e, s: z3.Or([u.signalled for u in s.users]),
                       lambda v, l0: any(_users(v, lambda k: bool(v[f"signalled{k}"])))),
    "ready_advanced": (lambda e, s: s.ready > e.lsn0(), lambda v, l0: int(v["ready"]) > l0),
    "write_advanced": (lambda e, s: s.write_lsn > e.lsn0(),
                       lambda v, l0: int(v["write_lsn"]) > l0),
    "flushed_advanced": (lambda e, s: s.flushed_to_disk_lsn > e.lsn0(),
                         lambda v, l0: int(v["flushed_to_disk_lsn"]) > l0),
    "write_notifier_event": (lambda e, s: s.write_notifier_event,
                             lambda v, l0: bool(v["write_notifier_event"])),
    "flush_notifier_event": (lambda e, s: s.flush_notifier_event,
                             lambda v, l0: bool(v["flush_notifier_event"])),
    "page_dirty": (lambda e, s: z3.Or([pg.newest != 0 for pg in s.pages]),
                   lambda v, l0: v["newest0"] != 0 or v["newest1"] != 0),
    "added_advanced": (lambda e, s: s.added > e.lsn0(), lambda v, l0: int(v["added"]) > l0),
    "checkpoint_pending": (lambda e, s: s.pending_lsn != 0, lambda v, l0: v["pending_lsn"] != 0),
    "checkpoint_published": (lambda e, s: s.checkpoint_lsn > e.lsn0(),
                             lambda v, l0: int(v["checkpoint_lsn"]) > l0),
}
"""Named predicates on an encoded state ("sometimes" properties), as z3 formulas (for BMC)
and as Python predicates on :func:`~proofs.concrete.encode_state` (for the explorer): BMC and
the explorer must agree on the depth at which each first becomes reachable."""


@dataclass
class Unrolling:
    """A BMC unrolling: ``states[0]`` satisfies Init, ``acts[i]`` is the index (in
    :data:`ACTION_NAMES`) of the action from ``states[i]`` to ``states[i + 1]``;
    ``constraints[i]`` is step ``i`` (``constraints[0]`` is Init). Each query is checked by a
    fresh, non-incremental solver, so that z3's preprocessing eliminates the frame equalities
    (an incremental solver skips it and is much slower here)."""

    p: Params
    enc: Enc
    subst: list[tuple[z3.ExprRef, z3.ExprRef]]
    constraints: list[z3.BoolRef]
    states: list[St]
    acts: list[z3.ArithRef]
    timeout_s: float = 60.0

    def restrict(self, f: z3.BoolRef) -> z3.BoolRef:
        """``f`` with the Params fixed to the preset's values (linear arithmetic)."""
        return z3.substitute(f, *self.subst)

    def check(self, depth: int, goal: z3.BoolRef) -> tuple[z3.CheckSatResult, z3.Solver]:
        while len(self.states) <= depth:
            extend(self)
        solver = z3.Solver()
        solver.set("timeout", int(self.timeout_s * 1000))
        solver.add(*self.constraints[: depth + 1], self.restrict(goal))
        return solver.check(), solver


def _choices(p: Params, name: str, s: St, t: St) -> z3.BoolRef:
    """The explorer's choice enumeration for ``name`` (spec ``choices`` functions)."""
    if name == "user_reserve":
        size, page, wait = reserve_choices(t)
        cs = [z3.Or([size == g for g in p.group_sizes]),
              z3.Or([wait == WAITS[w] for w in p.wait_kinds])]
        if getattr(p, "page_per_thread", False):  # thread k only ever modifies page k % n
            cs.append(z3.And([z3.Implies(z3.And(u.pc == IDLE, v.pc != IDLE),
                                         page == k % p.n_pages)
                              for k, (u, v) in enumerate(zip(s.users, t.users, strict=True))]))
        return z3.And(cs)
    if name == "flusher_fsync":
        return t.flushed_to_disk_lsn == s.write_lsn
    return z3.BoolVal(True)


def unroll(p: Params) -> Unrolling:
    """Init only; :meth:`Unrolling.check` extends it as needed."""
    enc, subst = real_enc(p)
    s0 = St("@0")
    un = Unrolling(p, enc, subst, [], [s0], [])
    un.constraints.append(un.restrict(enc.init(s0)))
    return un


def extend(un: Unrolling) -> None:
    """Add one step to the unrolling."""
    i = len(un.acts)
    s, t = un.states[-1], St(f"@{i + 1}")
    act = z3.Int(f"act@{i}")
    names = default_action_names(un.p)
    alts = [z3.And(act == k, relation(un.enc, name)(s, t), _choices(un.p, name, s, t))
            for k, name in enumerate(ACTION_NAMES) if name in names]
    un.constraints.append(un.restrict(z3.Or(alts)))
    un.states.append(t)
    un.acts.append(act)


def default_action_names(p: Params) -> frozenset[str]:
    """The actions configuration ``p`` has (spec.model.default_actions)."""
    return frozenset(RedoModel(p).action_names())


def first_depth(un: Unrolling, goal: Observation, max_depth: int) -> int | None:
    """The smallest depth ``d <= max_depth`` at which ``goal`` holds on some path, or None."""
    for d in range(max_depth + 1):
        while len(un.states) <= d:
            extend(un)
        r, solver = un.check(d, goal(un.enc, un.states[d]))
        if r == z3.sat:
            return d
        if r != z3.unsat:
            raise RuntimeError(f"BMC: z3 {r} at depth {d}: {solver.reason_unknown()}")
    return None


def invariant_violation(un: Unrolling, depth: int) -> int | None:
    """The first depth ``<= depth`` where some invariant of the encoding fails, or None."""
    for d in range(depth + 1):
        while len(un.states) <= d:
            extend(un)
        r, solver = un.check(d, z3.Not(inv_all(un.enc, un.states[d])))
        if r == z3.sat:
            return d
        if r != z3.unsat:
            raise RuntimeError(f"BMC: z3 {r} at depth {d}: {solver.reason_unknown()}")
    return None


def witness_labels(un: Unrolling, goal: tuple[Observation, Concrete] | Observation,
                   depth: int, attempts: int = 50) -> list[Label]:
    """A replayable list of spec labels of length ``depth`` reaching ``goal``: the BMC path's
    actions, each matched against the spec successors of the replayed state. A path through an
    over-approximated step the spec cannot take (the writer writing another amount) is
    excluded and the search repeated, up to ``attempts`` times."""
    from proofs.concrete import state_equalities

    while len(un.states) <= depth:
        extend(un)
    obs = goal[0] if isinstance(goal, tuple) else goal
    blocked: list[z3.BoolRef] = []
    spec = RedoModel(un.p)
    for _ in range(attempts):
        r, solver = un.check(depth, z3.And(obs(un.enc, un.states[depth]), *blocked))
        if r != z3.sat:
            raise ValueError(f"goal not reachable in {depth} steps ({r})")
        model = solver.model()
        s: State = spec.init_states()[0]
        labels: list[Label] = []
        for i in range(depth):
            name = ACTION_NAMES[model.eval(un.acts[i]).as_long()]
            target = {k: _value(model.eval(v, model_completion=True))
                      for k, v in un.states[i + 1].scalars().items()}
            match = next((lab for lab, t in spec.successors(s)
                          if lab.action == name and encode_state(un.p, t) == target), None)
            if match is None:
                # this step is not a spec step from the replayed state: exclude it
                before = encode_state(un.p, s)
                blocked.append(z3.Not(z3.And(state_equalities(un.states[i], before),
                                             state_equalities(un.states[i + 1], target))))
                break
            labels.append(match)
            s = spec.next_state(s, match)
        else:
            return labels
    raise ValueError(f"no replayable path to the goal in {attempts} attempts")


def _value(v: z3.ExprRef) -> int | bool:
    return bool(z3.is_true(v)) if z3.is_bool(v) else int(v.as_long())


def explorer_depths(p: Params, max_depth: int) -> dict[str, int | None]:
    """For each observation, the smallest BFS depth at which the spec's explorer reaches a
    state satisfying it (on the encoded state), or None within ``max_depth``."""
    lsn0 = p.start_lsn + p.header_size
    model = RedoModel(p)
    frontier = model.init_states()
    seen = set(frontier)
    found: dict[str, int | None] = dict.fromkeys(OBSERVATIONS)
    for d in range(max_depth + 1):
        encoded = [encode_state(p, s) for s in frontier]
        for name, (_, concrete) in OBSERVATIONS.items():
            if found[name] is None and any(concrete(v, lsn0) for v in encoded):
                found[name] = d
        nxt = []
        for s in frontier:
            for _, t in model.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return found


def bmc_depths(p: Params, max_depth: int) -> dict[str, int | None]:
    """For each observation, the smallest depth at which BMC reaches it, or None."""
    un = unroll(p)
    return {name: first_depth(un, obs, max_depth) for name, (obs, _) in OBSERVATIONS.items()}


def violation_trace(p: Params, inv_name: str, max_depth: int) -> list[Label] | None:
    """A replayable label list from Init to a state where the encoded invariant ``inv_name``
    fails, found by BMC within ``max_depth`` steps, or None (then a failed induction step is a
    counterexample to induction only: its state may be unreachable)."""
    from proofs.encoding import invariant

    inv = invariant(inv_name)

    def bad(e: Enc, s: St) -> z3.BoolRef:
        return z3.Not(inv.formula(e, s))

    un = unroll(p)
    depth = first_depth(un, bad, max_depth)
    return None if depth is None else witness_labels(un, bad, depth)
