"""The ring model of proofs/ring.py is spec.linkbuf (LNK-1..5), and its proofs have teeth.

Random sequences of reservations, link additions, forgets and traversals run on a concrete
spec.linkbuf.LinkBuf of capacity 4; at every traversal the z3 unrolling (every variable fixed
to the concrete values) gives the spec's new tail and slots, and the ring invariant holds on
every concrete state (so the proved invariant is not vacuous)."""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import ring as R
from proofs.obligation import Obligation, check
from spec import linkbuf

C = 4

ops = st.lists(st.tuples(st.sampled_from(["reserve", "link", "forget", "traverse"]),
                         st.integers(0, 1), st.integers(1, 6), st.booleans()),
               min_size=1, max_size=40)


def _values(r: R.Ring, tail: int, cur: int, slots: tuple[int, ...],
            users: list[tuple[int, int, int]]) -> list[z3.BoolRef]:
    eqs = [r.tail == tail, r.cur == cur, r.qt == tail // C, r.rt == tail % C]
    eqs += [x == v for x, v in zip(r.a, slots, strict=True)]
    for u, (stv, s, e) in zip(r.users, users, strict=True):
        eqs += [u.st == stv, u.start == s, u.end == e]
    return eqs


def _holds(f: z3.BoolRef, eqs: list[z3.BoolRef]) -> bool:
    solver = z3.Solver()
    solver.add(f, *eqs)
    return bool(solver.check() == z3.sat)


@settings(max_examples=40)
@given(ops=ops, start=st.integers(0, 9))
def test_unrolled_traversal_is_spec_traverse(ops: list[tuple[str, int, int, bool]],
                                             start: int) -> None:
    """LNK-2, LNK-3: the unrolled traversal equals spec.linkbuf.traverse; the ring invariant
    holds on every state the spec's operations produce."""
    lb = linkbuf.LinkBuf.empty(C, start)
    cur = start
    users = [(R.IDLE, 0, 0), (R.IDLE, 0, 0)]
    r = R.Ring(C, "")
    traversals = 0
    for op, k, n, bounded in ops:
        stv, s, e = users[k]
        if op == "reserve" and stv == R.IDLE:
            users[k] = (R.UNLINKED, cur, cur + n)
            cur += n
        elif op == "link" and stv == R.UNLINKED and linkbuf.has_space(lb, s):
            lb = linkbuf.add_link(lb, s, e, "seeds")
            users[k] = (R.LINKED, s, e)
        elif op == "forget" and stv == R.LINKED:
            users[k] = (R.IDLE, 0, 0)
        elif op == "traverse":
            stop = lb.tail + n if bounded else None
            after = linkbuf.traverse(lb, "seeds", stop)
            pos, slots = R.unroll(r, R.STOP if bounded else None)
            eqs = _values(r, lb.tail, cur, lb.slots, users)
            if bounded:
                eqs.append(lb.tail + n == R.STOP)
            model_eqs = [pos == after.tail,
                         *[x == v for x, v in zip(slots, after.slots, strict=True)]]
            assert _holds(z3.And(model_eqs), eqs), (lb, after, stop)
            lb = after
            traversals += 1
        assert _holds(R.invariant(r), _values(r, lb.tail, cur, lb.slots, users)), (lb, users)


def test_teeth_link_without_space_check_breaks_the_ring() -> None:
    """LNK-4: adding a link whose slot is still in use (no has_space guard) breaks the ring
    invariant: the link lands on another position's slot."""
    original = R.ACTIONS["link"]

    def unguarded(r: R.Ring, q: R.Ring) -> z3.BoolRef:
        alts = []
        for k, u in enumerate(r.users):
            idx = u.start % r.c
            alts.append(z3.And(
                u.st == R.UNLINKED,
                *[q.a[i] == z3.If(idx == i, u.end - u.start, r.a[i]) for i in range(r.c)],
                R._set_user(q, k, R.LINKED, u.start, u.end), R._same_users(r, q, k),
                R._same_tail(r, q), q.cur == r.cur))
        return z3.Or(alts)

    R.ACTIONS["link"] = unguarded
    try:
        result = check(Obligation("teeth.ring.link", ("LNK-4",), R._step_ob(C, "link")), 30)
    finally:
        R.ACTIONS["link"] = original
    assert result.status == "counterexample"


def test_teeth_refinement_needs_the_ring_invariant() -> None:
    """LNK-5, LNK-2: with only the group facts (no LNK-5, links or next parts of the ring
    invariant) the refinement obligation has a counterexample: the invariant carries the
    proof, the refinement is not true by construction."""

    def broken() -> z3.BoolRef:
        r = R.Ring(C, "")
        pos, _ = R.unroll(r, None)
        m = R.first_unlinked(r)
        # drop the LNK-5 part of the invariant: the tail may be past an unlinked start
        weak = z3.And(r.split_ok(), r.tail >= 0, r.tail <= r.cur,
                      *[z3.Implies(u.st != R.IDLE, z3.And(u.start < u.end, u.end <= r.cur))
                        for u in r.users])
        return z3.And(weak, z3.Not(pos <= m))

    assert check(Obligation("teeth.ring.refines", ("LNK-5",), broken), 30).status == \
        "counterexample"
