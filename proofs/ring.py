"""The link ring as a window of slots (LNK-1..5), proved for a fixed family of capacities.

:mod:`proofs.encoding` encodes a link buffer by its tail alone and *assumes* what a traversal
does: it stops at the start of the first group whose link is missing, or at the current lsn;
the writer's traversal may stop earlier, at or past its stop lsn (WR-1). This module proves
that assumption from the slots (the ``*_refines`` obligations), so that LNK-5 in the step
proofs does not rest on an unproved assumption -- for the capacities in :data:`CAPACITIES`.

The ring model (the "seeds" variant of spec.linkbuf), for each capacity ``C``: ``C`` explicit
slots ``a_0 .. a_{C-1}``; slot ``i`` holds the distance of a link starting at the window
position ``p_i``, the one lsn in ``[tail, tail + C)`` with ``p_i % C = i`` (LNK-1). The tail is
split as ``tail = C * qt + rt`` (``0 <= rt < C``), so window positions and slot indexes are
linear terms. Every lsn and group length is an unbounded integer. Two user threads, each
idle, *unlinked* (reserved, link not added) or *linked*:

* ``reserve``: an idle thread takes ``[cur, e)`` for any ``e > cur`` (USR-1);
* ``link``: an unlinked thread whose start is below ``tail + C`` (has_space, LNK-4) stores
  ``end - start`` in slot ``start % C`` (USR-3, LNK-1);
* ``forget``: a linked thread goes idle (every later step of a thread leaves this ring alone,
  and an idle thread's group is forgotten, as in spec.state.IDLE_USER);
* ``writer_traverse`` / ``closer_traverse``: spec.linkbuf.traverse, unrolled ``C`` times:
  while the slot at ``pos`` holds a link (and, for the writer, ``pos < stop``), clear it and
  move to its end (LNK-2, LNK-3, WR-1). The unrolling reads slots through the window index,
  which is the real index ``pos % C`` inside the window; the ``*_terminates`` obligations
  prove that after ``C`` steps the real loop condition (slot ``pos % C``) is false, so the
  unrolling is the whole loop.

The same model with the users' pcs mapped (unlinked = RESERVED..FRG_SET for recent_written,
RESERVED..PAGES_ADDED for recent_closed) is both rings of the spec.

Capacities: ``C = 8`` also proves, in about 110 s, too slow for the 60 s budget of ``redospec
prove``; ``C = 16`` times out. :mod:`proofs.ring_symbolic` proves the same statements for a
symbolic capacity (and any number of threads) by induction over the traversal loop, so this
module's obligations are no longer registered; it stays for tests/proofs/
test_ring.py, which holds this unrolling to spec.linkbuf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs.obligation import Obligation

CAPACITIES: tuple[int, ...] = (2, 4)
"""The ring capacities proved."""
N_USERS = 2
IDLE, UNLINKED, LINKED = 0, 1, 2


@dataclass
class RUser:
    st: z3.ArithRef
    start: z3.ArithRef
    end: z3.ArithRef


class Ring:
    """One copy of the ring state (z3 constants suffixed with ``tag``)."""

    def __init__(self, c: int, tag: str) -> None:
        i = z3.Int
        self.c = c
        self.tail, self.cur = i(f"tail{tag}"), i(f"cur{tag}")
        self.qt, self.rt = i(f"tail_q{tag}"), i(f"tail_r{tag}")
        self.a = [i(f"slot{k}{tag}") for k in range(c)]
        self.users = [RUser(i(f"st{k}{tag}"), i(f"start{k}{tag}"), i(f"end{k}{tag}"))
                      for k in range(N_USERS)]

    def split_ok(self) -> z3.BoolRef:
        """``tail = C * qt + rt`` with ``0 <= rt < C``: rt is ``tail % C``."""
        return z3.And(self.tail == self.c * self.qt + self.rt, self.rt >= 0, self.rt < self.c)

    def index(self, off: z3.ArithRef) -> z3.ArithRef:
        """The slot index of the window position ``tail + off`` (``0 <= off < C``)."""
        v = self.rt + off
        return z3.If(v < self.c, v, v - self.c)

    def pos(self, i: int) -> z3.ArithRef:
        """p_i: the window position of slot ``i``."""
        return self.tail + z3.If(i >= self.rt, i - self.rt, i - self.rt + self.c)

    def sel(self, slots: list[z3.ArithRef], idx: z3.ArithRef) -> z3.ArithRef:
        out = slots[-1]
        for k in range(self.c - 2, -1, -1):
            out = z3.If(idx == k, slots[k], out)
        return out

    def at(self, slots: list[z3.ArithRef], x: z3.ArithRef) -> z3.ArithRef:
        """The slot of window position ``x``."""
        return self.sel(slots, self.index(x - self.tail))


def _same_users(r: Ring, q: Ring, skip: int | None = None) -> z3.BoolRef:
    return z3.And([z3.And(v.st == u.st, v.start == u.start, v.end == u.end)
                   for k, (u, v) in enumerate(zip(r.users, q.users, strict=True)) if k != skip])


def _same_tail(r: Ring, q: Ring) -> z3.BoolRef:
    return z3.And(q.tail == r.tail, q.qt == r.qt, q.rt == r.rt)


def _same_slots(r: Ring, q: Ring) -> z3.BoolRef:
    return z3.And([x == y for x, y in zip(q.a, r.a, strict=True)])


def _set_user(q: Ring, k: int, st: int, start: z3.ArithRef, end: z3.ArithRef) -> z3.BoolRef:
    v = q.users[k]
    return z3.And(v.st == st, v.start == start, v.end == end)


# --- actions ----------------------------------------------------------------------------------
def reserve(r: Ring, q: Ring) -> z3.BoolRef:
    """USR-1: an idle thread reserves ``[cur, e)``, ``e > cur``."""
    return z3.Or([z3.And(u.st == IDLE, q.cur > r.cur, _set_user(q, k, UNLINKED, r.cur, q.cur),
                         _same_users(r, q, k), _same_tail(r, q), _same_slots(r, q))
                  for k, u in enumerate(r.users)])


def link(r: Ring, q: Ring) -> z3.BoolRef:
    """USR-3, LNK-1, LNK-4: an unlinked thread with ``start < tail + C`` stores its link."""
    alts = []
    for k, u in enumerate(r.users):
        idx = r.index(u.start - r.tail)
        alts.append(z3.And(
            u.st == UNLINKED, u.start >= r.tail, u.start < r.tail + r.c,
            *[q.a[i] == z3.If(idx == i, u.end - u.start, r.a[i]) for i in range(r.c)],
            _set_user(q, k, LINKED, u.start, u.end), _same_users(r, q, k), _same_tail(r, q),
            q.cur == r.cur))
    return z3.Or(alts)


def forget(r: Ring, q: Ring) -> z3.BoolRef:
    """A linked thread goes idle (IDLE_USER)."""
    zero = z3.IntVal(0)
    return z3.Or([z3.And(u.st == LINKED, _set_user(q, k, IDLE, zero, zero),
                         _same_users(r, q, k), _same_tail(r, q), _same_slots(r, q),
                         q.cur == r.cur)
                  for k, u in enumerate(r.users)])


def unroll(r: Ring, stop: z3.ArithRef | None) -> tuple[z3.ArithRef, list[z3.ArithRef]]:
    """spec.linkbuf.traverse (seeds) unrolled ``C`` times: the final position and slots."""
    pos, slots = r.tail, list(r.a)
    for _ in range(r.c):
        inside = pos < r.tail + r.c
        idx = r.index(pos - r.tail)
        d = r.sel(slots, idx)
        go = z3.And(inside, d > 0) if stop is None else z3.And(inside, d > 0, pos < stop)
        slots = [z3.If(z3.And(go, idx == i), 0, x) for i, x in enumerate(slots)]
        pos = z3.If(go, pos + d, pos)
    return pos, slots


def traverse(r: Ring, q: Ring, stop: z3.ArithRef | None) -> z3.BoolRef:
    """LNK-2, LNK-3 (WR-1 with ``stop``); guard: the tail moves."""
    pos, slots = unroll(r, stop)
    return z3.And(pos != r.tail, q.tail == pos, q.split_ok(),
                  *[x == y for x, y in zip(q.a, slots, strict=True)],
                  _same_users(r, q), q.cur == r.cur)


STOP = z3.Int("stop")
ACTIONS: dict[str, Callable[[Ring, Ring], z3.BoolRef]] = {
    "reserve": reserve,
    "link": link,
    "forget": forget,
    "writer_traverse": lambda r, q: traverse(r, q, STOP),
    "closer_traverse": lambda r, q: traverse(r, q, None),
}


# --- the invariant ---------------------------------------------------------------------------
def _next_ok(r: Ring, x: z3.ArithRef) -> z3.BoolRef:
    """``x`` is cur, an unlinked group's start, or a window position holding a link."""
    return z3.Or(x == r.cur,
                 *[z3.And(u.st == UNLINKED, u.start == x) for u in r.users],
                 z3.And(x >= r.tail, x < r.tail + r.c, r.at(r.a, x) > 0))


def invariant(r: Ring) -> z3.BoolRef:
    """The ring invariant, in four parts:

    * LNK-5: no unlinked group starts below the tail;
    * groups: every thread's group is non-empty and below cur, two groups never overlap, and
      ``0 <= tail <= cur``;
    * links (LNK-1, LNK-3): every stored link ends at or below cur, no two stored links
      overlap, and no stored link overlaps an unlinked group (groups are disjoint);
    * next (LNK-2): the tail, every link's end and every unlinked group's end is cur, an
      unlinked group's start, or a window position holding a link -- so a traversal stops
      only at cur or at a missing link, and never at a link that would be there later.
    """
    cs = [r.split_ok(), r.tail >= 0, r.tail <= r.cur, _next_ok(r, r.tail)]
    for u in r.users:
        cs += [z3.Or(u.st == IDLE, u.st == UNLINKED, u.st == LINKED),
               z3.Implies(u.st != IDLE, z3.And(u.start < u.end, u.end <= r.cur)),
               z3.Implies(u.st == UNLINKED, z3.And(u.start >= r.tail, _next_ok(r, u.end)))]
    a, b = r.users
    cs.append(z3.Implies(z3.And(a.st != IDLE, b.st != IDLE),
                         z3.Or(a.end <= b.start, b.end <= a.start)))
    for i, ai in enumerate(r.a):
        pi = r.pos(i)
        cs += [ai >= 0, z3.Implies(ai > 0, z3.And(pi + ai <= r.cur, _next_ok(r, pi + ai)))]
        for u in r.users:
            cs.append(z3.Implies(z3.And(ai > 0, u.st == UNLINKED),
                                 z3.Or(pi + ai <= u.start, pi >= u.end)))
        for j in range(i + 1, r.c):
            pj, aj = r.pos(j), r.a[j]
            cs.append(z3.Implies(z3.And(ai > 0, aj > 0), z3.Or(pi + ai <= pj, pj + aj <= pi)))
    return z3.And(cs)


def init(r: Ring) -> z3.BoolRef:
    """A fresh ring: tail = cur (any lsn), no links, idle threads."""
    return z3.And(r.tail == r.cur, r.tail >= 0, r.split_ok(), *[x == 0 for x in r.a],
                  *[z3.And(u.st == IDLE, u.start == 0, u.end == 0) for u in r.users])


def first_unlinked(r: Ring) -> z3.ArithRef:
    """M: the smallest unlinked start, or cur."""
    m = r.cur
    for u in r.users:
        m = z3.If(z3.And(u.st == UNLINKED, u.start < m), u.start, m)
    return m


# --- obligations ----------------------------------------------------------------------------
def _init_ob(c: int) -> Callable[[], z3.BoolRef]:
    def build() -> z3.BoolRef:
        r = Ring(c, "")
        return z3.And(init(r), z3.Not(invariant(r)))

    return build


def _step_ob(c: int, action: str) -> Callable[[], z3.BoolRef]:
    def build() -> z3.BoolRef:
        r, q = Ring(c, ""), Ring(c, "'")
        return z3.And(invariant(r), ACTIONS[action](r, q), z3.Not(invariant(q)))

    return build


def _terminates(c: int, bounded: bool) -> Callable[[], z3.BoolRef]:
    def build() -> z3.BoolRef:
        r = Ring(c, "")
        pos, slots = unroll(r, STOP if bounded else None)
        real = r.sel(slots, pos % c)  # the spec reads slot pos & (C - 1)
        go = z3.And(real > 0, pos < STOP) if bounded else real > 0
        return z3.And(invariant(r), go)

    return build


def _refines(c: int, bounded: bool) -> Callable[[], z3.BoolRef]:
    def build() -> z3.BoolRef:
        r = Ring(c, "")
        pos, _ = unroll(r, STOP if bounded else None)
        m = first_unlinked(r)
        stopped = pos >= STOP if bounded else z3.BoolVal(False)
        return z3.And(invariant(r), z3.Not(z3.And(pos <= m, z3.Or(pos == m, stopped))))

    return build


def obligations() -> list[Obligation]:
    """``ring<C>.init``, ``ring<C>.<action>`` (the invariant is preserved),
    ``ring<C>.<writer|closer>_terminates`` and ``ring<C>.<writer|closer>_refines`` for every
    C in :data:`CAPACITIES`."""
    out: list[Obligation] = []
    doc = invariant.__doc__ or ""
    for c in CAPACITIES:
        out.append(Obligation(f"ring{c}.init", ("LNK-5", "LNK-1"), _init_ob(c), doc))
        for action in ACTIONS:
            out.append(Obligation(f"ring{c}.{action}", ("LNK-1", "LNK-2", "LNK-3", "LNK-5"),
                                  _step_ob(c, action), doc))
        for bounded, who in ((True, "writer"), (False, "closer")):
            out.append(Obligation(f"ring{c}.{who}_terminates", ("LNK-2",),
                                  _terminates(c, bounded),
                                  "After C unrolled steps the spec's loop condition is false."))
            out.append(Obligation(f"ring{c}.{who}_refines", ("LNK-2", "LNK-5", "WR-1"),
                                  _refines(c, bounded),
                                  "The traversal's new tail is the one proofs.encoding "
                                  "assumes."))
    return out
