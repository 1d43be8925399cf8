"""Concrete spec states in the unbounded encoding (conformance and counterexamples).

:func:`projection` writes a :class:`spec.state.State` as the values of :mod:`proofs.unbounded`'s
vocabulary over a finite domain (``th0..``, ``pg0..``, ``fl0..``: one constant per user thread,
page and flush list of the Params); :func:`model_projection` reads the same shape out of a z3
model of a post-state. Only what the spec determines is compared: an idle thread's page and an
empty list's tail are not, and a list's order is compared as the order of its pages' stamps
(the stamps themselves are the encoding's own). :func:`relation_holds` (direction 1) and
:func:`relation_successors` (direction 2) evaluate an action's relation with the real division
terms on concrete Params; :func:`to_state` turns a finite model back into a spec State (for the
teeth tests, which run the spec on a counterexample).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import z3

from proofs.encoding import PC_NAMES, PCS, WAIT_NAMES, WAITS
from proofs.params import SymParams, concrete_values
from proofs.unbounded import UEnc, UState, finite_dom, step
from spec.linkbuf import LinkBuf
from spec.params import Params
from spec.state import (
    CheckpointState,
    NotifierState,
    PagesState,
    State,
    UserState,
    WriterState,
    initial_state,
    replace,
)

Proj: TypeAlias = dict[str, Any]
Rel: TypeAlias = Callable[[UEnc, UState], tuple[z3.BoolRef, UState]]
SCALARS = ("sn", "ready", "added", "wl", "fl", "cp", "pending", "nw", "nf", "nwe", "nfe")


def projection(p: Params, s: State) -> Proj:
    """The encoded, spec-determined values of ``s`` (see the module docstring)."""
    out: Proj = {
        "sn": s.sn, "ready": s.recent_written.tail, "added": s.recent_closed.tail,
        "wl": s.writer.write_lsn, "fl": s.flushed_to_disk_lsn,
        "cp": s.checkpoint.checkpoint_lsn, "pending": s.checkpoint.pending_lsn,
        "nw": s.notifiers.write_notifier_lsn, "nf": s.notifiers.flush_notifier_lsn,
        "nwe": s.notifiers.write_notifier_event, "nfe": s.notifiers.flush_notifier_event,
    }
    out["threads"] = tuple(
        (PCS[u.pc], u.start_sn, u.size, WAITS[u.wait], u.signalled,
         u.page if u.pc != "idle" else None) for u in s.users)
    oldest = [0] * p.n_pages
    for lst in s.pages.flush_lists:
        for page, o in lst:
            oldest[page] = o
    out["pages"] = tuple((oldest[j], s.pages.newest[j], s.pages.on_disk[j])
                         for j in range(p.n_pages))
    # each list, tail first (the earliest added)
    out["lists"] = tuple(tuple(page for page, _ in reversed(lst))
                         for lst in s.pages.flush_lists)
    return out


def group_ends(st: UState, s: State) -> z3.BoolRef:
    """``st``'s group ends (``gend``) are exactly the ends of ``s``'s groups (its history)."""
    lv = z3.Int("l_groups")
    ends = sorted({end for _, end, _ in s.groups})
    is_end = z3.Or([lv == e for e in ends]) if ends else z3.BoolVal(False)
    return z3.ForAll([lv], st.f["gend"](lv) == is_end)


def real_enc(p: Params) -> tuple[UEnc, list[Any]]:
    """The encoding in real mode over ``p``'s numbers of threads, pages and lists, and the
    substitution fixing its Params to ``p``."""
    return _real(p)


def _extra(st: UState, values: dict[str, int] | None) -> z3.BoolRef:
    return z3.And([st.v[k] == v for k, v in (values or {}).items()])


def invariant_holds(p: Params, inv: Any, s: State) -> bool:
    """Does the encoded invariant ``inv`` (a :class:`proofs.unbounded.UInv`) hold on ``s``?"""
    from proofs.unbounded import holds

    enc, subst = _real(p)
    a = UState.fresh("")
    solver = z3.Solver()
    solver.set("timeout", 30_000)
    solver.add(z3.substitute(z3.And(static(enc, p), constraints(enc, a, projection(p, s), True),
                                    group_ends(a, s), holds(enc, inv, a)), *subst))
    r = solver.check()
    if r == z3.unknown:
        raise RuntimeError(f"z3 unknown on {inv.name}: {solver.reason_unknown()}")
    return bool(r == z3.sat)


def _real(p: Params, n_threads: int | None = None) -> tuple[UEnc, list[Any]]:
    dom = finite_dom(n_threads or p.n_user_threads, p.n_pages, p.n_flush_lists)
    sp = SymParams()
    enc = UEnc(sp, cap=z3.IntVal(p.log_capacity), abstract=False, dom=dom,
               link_buf_8022=z3.BoolVal(p.link_buf == "8.0.22"))
    return enc, sp.substitution(concrete_values(p))


def _consts(enc: UEnc, sort: str) -> list[z3.ExprRef]:
    return enc.dom.finite[sort]


def static(enc: UEnc, p: Params) -> z3.BoolRef:
    """The finite domain's constants are distinct; page ``j`` is in list ``j % n_lists``."""
    pages, lists = _consts(enc, "Page"), _consts(enc, "FList")
    return z3.And(enc.dom.distinct(), *[enc.lst(q) == lists[j % len(lists)]
                                        for j, q in enumerate(pages)])


def constraints(enc: UEnc, st: UState, pr: Proj, exact_stamps: bool) -> z3.BoolRef:
    """``st`` has the projection ``pr``. ``exact_stamps``: stamps are the positions in the
    list (a pre-state); otherwise only their order within each list is constrained."""
    ths, pages, lists = (_consts(enc, n) for n in ("Thread", "Page", "FList"))
    cs: list[z3.BoolRef] = []
    for n in SCALARS:
        v = pr[n]
        cs.append(st.v[n] == (z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v)))
    for x, (pc, ssn, size, wait, sig, page) in zip(ths, pr["threads"], strict=True):
        cs += [st.fn("pc", x) == pc, st.fn("ssn", x) == ssn, st.fn("size", x) == size,
               st.fn("wait", x) == wait, st.fn("sig", x) == sig]
        if page is not None:
            cs.append(st.fn("page", x) == pages[page])
        elif exact_stamps:
            cs.append(st.fn("page", x) == pages[0])
    for q, (old, new, disk) in zip(pages, pr["pages"], strict=True):
        cs += [st.fn("oldest", q) == old, st.fn("newest", q) == new, st.fn("disk", q) == disk]
        if exact_stamps and new == 0:
            cs.append(st.fn("stamp", q) == 0)
    for li, order in zip(lists, pr["lists"], strict=True):
        cs.append(st.fn("ne", li) == bool(order))
        if order:
            cs.append(st.fn("tl", li) == pages[order[0]])
        for rank, j in enumerate(order):
            if exact_stamps:
                cs.append(st.fn("stamp", pages[j]) == rank)
            elif rank:
                cs.append(st.fn("stamp", pages[order[rank - 1]]) < st.fn("stamp", pages[j]))
        if exact_stamps and not order:
            cs.append(st.fn("tl", li) == pages[0])
    return z3.And(cs)


def model_projection(enc: UEnc, m: z3.ModelRef, st: UState, subst: list[Any] | None = None
                     ) -> Proj:
    """The projection of ``st`` in the model ``m`` (same shape as :func:`projection`);
    ``subst`` fixes the Params the model was found under."""
    ths, pages, lists = (_consts(enc, n) for n in ("Thread", "Page", "FList"))
    sub = subst or []

    def ev(t: z3.ExprRef) -> Any:
        v = m.eval(z3.substitute(t, *sub) if sub else t, model_completion=True)
        if z3.is_bool(v):
            return bool(z3.is_true(v))
        if z3.is_int_value(v):
            return v.as_long()
        return v

    def page_index(t: z3.ExprRef) -> int:
        v = m.eval(z3.substitute(t, *sub) if sub else t, model_completion=True)
        for j, q in enumerate(pages):
            if z3.is_true(m.eval(v == q, model_completion=True)):
                return j
        raise ValueError(f"{t} is no page of the domain")

    out: Proj = {n: ev(st.v[n]) for n in SCALARS}
    out["threads"] = tuple(
        (ev(st.fn("pc", x)), ev(st.fn("ssn", x)), ev(st.fn("size", x)), ev(st.fn("wait", x)),
         ev(st.fn("sig", x)), page_index(st.fn("page", x)) if ev(st.fn("pc", x)) else None)
        for x in ths)
    out["pages"] = tuple((ev(st.fn("oldest", q)), ev(st.fn("newest", q)), ev(st.fn("disk", q)))
                         for q in pages)
    lists_out = []
    for li in lists:
        dirty = [j for j, q in enumerate(pages) if ev(st.fn("newest", q)) != 0
                 and z3.is_true(m.eval(enc.lst(q) == li, model_completion=True))]
        lists_out.append(tuple(sorted(dirty, key=lambda j: ev(st.fn("stamp", pages[j])))))
    out["lists"] = tuple(lists_out)
    return out


def _choice_closure(enc: UEnc) -> z3.BoolRef:
    return z3.And([enc.dom.closure(c) for c in enc.choices])


def relation_holds(p: Params, action: str, s: State, t: State, rel: Rel | None = None,
                   pre: dict[str, int] | None = None, post: dict[str, int] | None = None
                   ) -> bool:
    """Direction 1: some choice makes ``action``'s relation (or ``rel``) go from ``s`` to
    ``t``; ``pre``/``post``: values of extra scalars (the exact writer's file and
    write_ahead_end)."""
    enc, subst = _real(p)
    a = UState.fresh("")
    guard, b = (rel or (lambda e, st: step(e, action, st)))(enc, a)
    solver = z3.Solver()
    solver.set("timeout", 30_000)
    body = z3.And(static(enc, p), constraints(enc, a, projection(p, s), True),
                  group_ends(a, s), guard,
                  _choice_closure(enc), constraints(enc, b, projection(p, t), False),
                  _extra(a, pre), _extra(b, post))
    solver.add(z3.substitute(body, *subst))
    r = solver.check()
    if r == z3.unknown:
        raise RuntimeError(f"z3 unknown on {action}: {solver.reason_unknown()}")
    return bool(r == z3.sat)


def relation_successors(p: Params, action: str, s: State, limit: int = 25,
                        rel: Rel | None = None, pre: dict[str, int] | None = None
                        ) -> tuple[list[tuple[Proj, dict[str, int]]], bool]:
    """Direction 2: up to ``limit`` distinct projections of post-states the relation allows
    from ``s`` (with the values of the extra scalars ``pre`` names), and whether that is all
    of them."""
    enc, subst = _real(p)
    a = UState.fresh("")
    guard, b = (rel or (lambda e, st: step(e, action, st)))(enc, a)
    solver = z3.Solver()
    solver.set("timeout", 30_000)
    solver.add(z3.substitute(z3.And(static(enc, p), constraints(enc, a, projection(p, s), True),
                                    group_ends(a, s), guard, _choice_closure(enc),
                                    _extra(a, pre)), *subst))
    out: list[tuple[Proj, dict[str, int]]] = []
    while len(out) < limit:
        r = solver.check()
        if r == z3.unsat:
            return out, True
        if r != z3.sat:
            raise RuntimeError(f"z3 {r} on {action}: {solver.reason_unknown()}")
        m = solver.model()
        pr = model_projection(enc, m, b, subst)
        extra = {k: m.eval(z3.substitute(b.v[k], *subst), model_completion=True).as_long()
                 for k in (pre or {})}
        out.append((pr, extra))
        solver.add(z3.Not(z3.substitute(z3.And(constraints(enc, b, pr, False),
                                               _extra(b, extra)), *subst)))
    return out, False


def to_state(p: Params, enc: UEnc, m: z3.ModelRef, st: UState,
             subst: list[Any] | None = None) -> State:
    """The spec State a finite model of ``st`` describes (encoded fields; link rings empty at
    their tails, buffer and files as in Init)."""
    pr = model_projection(enc, m, st, subst)
    s0 = initial_state(p)
    users = tuple(UserState(PC_NAMES[pc], ssn, size, page or 0, WAIT_NAMES[wait], sig)
                  for pc, ssn, size, wait, sig, page in pr["threads"])
    oldest = [o for o, _, _ in pr["pages"]]
    lists = tuple(tuple((j, oldest[j]) for j in reversed(order)) for order in pr["lists"])
    pages = PagesState(lists, tuple(n for _, n, _ in pr["pages"]),
                       tuple(d for _, _, d in pr["pages"]))
    cp = s0.checkpoint
    return replace(
        s0, sn=pr["sn"], users=users,
        recent_written=LinkBuf.empty(p.recent_written_size, pr["ready"]),
        recent_closed=LinkBuf.empty(p.recent_closed_size, pr["added"]),
        writer=WriterState(pr["wl"], 0, 0), flushed_to_disk_lsn=pr["fl"],
        checkpoint=CheckpointState(pr["cp"], cp.checkpoint_no, pr["pending"],
                                   cp.blocks_written, cp.blocks_disk),
        notifiers=NotifierState(pr["nw"], pr["nwe"], pr["nf"], pr["nfe"]),
        pages=pages)


def concrete_counterexample(p: Params, make: Callable[..., UEnc], action: str, inv: Any
                            ) -> tuple[State, Proj] | None:
    """A finite counterexample to ``inv`` after ``action`` under the encoding class ``make``
    (``p``'s numbers of threads/pages/lists, real terms): the pre-state as a spec State (every
    invariant holds on it) and the post-state's projection; None if there is none."""
    from proofs.unbounded import holds, inv_all

    dom = finite_dom(p.n_user_threads, p.n_pages, p.n_flush_lists)
    sp = SymParams()
    enc = make(sp, cap=z3.IntVal(p.log_capacity), abstract=False, dom=dom,
               link_buf_8022=z3.BoolVal(p.link_buf == "8.0.22"))
    subst = sp.substitution(concrete_values(p))
    a = UState.fresh("")
    guard, b = step(enc, action, a)
    solver = z3.Solver()
    solver.set("timeout", 60_000)
    closed = [enc.dom.closure(a.fn("page", x)) for x in _consts(enc, "Thread")]
    closed += [enc.dom.closure(a.fn("tl", li)) for li in _consts(enc, "FList")]
    solver.add(z3.substitute(z3.And(static(enc, p), inv_all(enc, a), guard, *closed,
                                    _choice_closure(enc), z3.Not(holds(enc, inv, b))), *subst))
    r = solver.check()
    if r == z3.unsat:
        return None
    if r != z3.sat:
        raise RuntimeError(f"z3 {r}: {solver.reason_unknown()}")
    m = solver.model()
    return to_state(p, enc, m, a, subst), model_projection(enc, m, b, subst)
