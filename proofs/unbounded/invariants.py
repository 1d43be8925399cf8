"""The unbounded encoding's invariants: ``forall vars: body`` over the sorts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import z3

from proofs.encoding import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LATCHING,
    LINKED,
    PAGES_ADDED,
    RESERVED,
    SLEEPING,
)
from proofs.registry import by_name
from proofs.unbounded.actions import UEnc
from proofs.unbounded.state import FList, Page, Term, Thread, UState

Body: TypeAlias = Callable[..., z3.BoolRef]


@dataclass(frozen=True)
class UInv:
    """``forall vars: body(enc, s, *vars)``; ``sorts`` are the variables' sorts."""

    name: str
    ids: tuple[str, ...]
    sorts: tuple[z3.SortRef, ...]
    body: Body
    doc: str
    aux: bool = False


def _busy(s: UState, x: Term) -> z3.BoolRef:
    return s.fn("pc", x) != IDLE


def _sys1(e: UEnc, s: UState) -> z3.BoolRef:
    return z3.And(s.cp <= s.fl, s.fl <= s.wl, s.wl <= s.ready, s.ready <= e.cur(s))


def _lnk5(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    return z3.Implies(e.at(s, x, RESERVED, COPIED, FRG_SET), e.st(s, x) >= s.ready)


def _sys2(e: UEnc, s: UState, q: Term) -> z3.BoolRef:
    below = z3.Implies(e.dirty(s, q), s.cp <= s.fn("oldest", q))
    pend = z3.Implies(s.pending != 0, z3.And(
        s.pending <= s.added, z3.Implies(e.dirty(s, q), s.pending <= s.fn("oldest", q))))
    return z3.And(s.cp <= s.added, below, pend)


def _lost(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    return z3.And(s.fn("pc", x) == SLEEPING, z3.Not(s.fn("sig", x)), e.satisfied(s, x))


def _nt4(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    w = s.fn("wait", x) == 1
    ev, pos = z3.If(w, s.nwe, s.nfe), z3.If(w, s.nw, s.nf)
    return z3.Implies(_lost(e, s, x), z3.And(ev, e.ev_block(pos) <= e.ev_block(e.en(s, x))))


def _sys4(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    end = e.en(s, x)
    return z3.And(
        z3.Implies(z3.And(e.at(s, x, *range(COPIED, SLEEPING + 1)), end > s.wl),
                   e.bstart(end) < e.bstart(s.wl) + e.p.log_buffer_size),
        s.wl <= e.capacity_limit(s))


def _cp6(e: UEnc, s: UState, q: Term) -> z3.BoolRef:
    return s.fn("disk", q) <= s.fl


def _aux_users(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    pc, ssn, size, wait = (s.fn(n, x) for n in ("pc", "ssn", "size", "wait"))
    busy = z3.And(
        size > 0, size <= e.p.max_group_size, ssn >= e.start_sn(), ssn + size <= s.sn,
        z3.If(pc >= CLOSED, z3.Or(wait == 1, wait == 2), z3.And(wait >= 0, wait <= 2)),
        z3.Implies(e.at(s, x, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED, CLOSED),
                   z3.Not(s.fn("sig", x))))
    idle = z3.And(ssn == 0, size == 0, wait == 0, z3.Not(s.fn("sig", x)))
    return z3.And(pc >= IDLE, pc <= SLEEPING, z3.If(pc == IDLE, idle, busy),
                  s.sn >= e.start_sn())


def _aux_disjoint(e: UEnc, s: UState, x: Term, y: Term) -> z3.BoolRef:
    a0, a1 = s.fn("ssn", x), s.fn("ssn", x) + s.fn("size", x)
    b0, b1 = s.fn("ssn", y), s.fn("ssn", y) + s.fn("size", y)
    return z3.Implies(z3.And(x != y, _busy(s, x), _busy(s, y)), z3.Or(a1 <= b0, b1 <= a0))


def _aux_rc(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    return z3.And(s.added <= e.cur(s), s.added >= e.lsn0(), s.cp >= e.lsn0(),
                  z3.Implies(e.at(s, x, *LATCHING), e.st(s, x) >= s.added))


def _aux_pages(e: UEnc, s: UState, q: Term, x: Term) -> z3.BoolRef:
    old, new = s.fn("oldest", q), s.fn("newest", q)
    return z3.And(
        z3.If(new == 0, old == 0, z3.And(old > 0, old < new, new <= e.cur(s),
                                         old < s.added + e.p.recent_closed_size)),
        z3.Implies(z3.And(e.at(s, x, RESERVED, COPIED, FRG_SET, LINKED), s.fn("page", x) == q),
                   new <= e.st(s, x)))


def _aux_latch(e: UEnc, s: UState, x: Term, y: Term) -> z3.BoolRef:
    return z3.Implies(z3.And(x != y, e.at(s, x, *LATCHING), e.at(s, y, *LATCHING)),
                      s.fn("page", x) != s.fn("page", y))


def _aux_lists(e: UEnc, s: UState, li: Term, q: Term) -> z3.BoolRef:
    tl = s.fn("tl", li)
    return z3.And(
        z3.Implies(e.dirty(s, q), s.fn("ne", e.lst(q))),
        z3.Implies(s.fn("ne", li), z3.And(e.dirty(s, tl), e.lst(tl) == li)),
        z3.Implies(z3.And(s.fn("ne", li), e.dirty(s, q), e.lst(q) == li),
                   s.fn("stamp", tl) <= s.fn("stamp", q)))


def _aux_order(e: UEnc, s: UState, q: Term, r: Term) -> z3.BoolRef:
    same = z3.And(e.dirty(s, q), e.dirty(s, r), e.lst(q) == e.lst(r))
    return z3.And(
        z3.Implies(z3.And(same, s.fn("stamp", q) <= s.fn("stamp", r)),
                   s.fn("oldest", q) < s.fn("oldest", r) + e.p.recent_closed_size),
        z3.Implies(z3.And(same, s.fn("stamp", q) == s.fn("stamp", r)), q == r))


def _aux_pending(e: UEnc, s: UState) -> z3.BoolRef:
    return z3.Implies(s.pending != 0, z3.And(s.cp < s.pending, s.pending <= s.fl))


def _aux_notifiers(e: UEnc, s: UState, x: Term) -> z3.BoolRef:
    w = s.fn("wait", x) == 1
    ev, pos = z3.If(w, s.nwe, s.nfe), z3.If(w, s.nw, s.nf)
    return z3.And(s.nw <= s.wl + 1, s.nf <= s.fl + 1, s.nw > e.lsn0(), s.nf > e.lsn0(),
                  z3.Implies(_lost(e, s, x), z3.And(ev, pos <= e.en(s, x))))


def _aux_ends(e: UEnc, s: UState, q: Term, x: Term) -> z3.BoolRef:
    gend = s.f["gend"]
    return z3.And(z3.Implies(e.dirty(s, q), gend(s.fn("newest", q))),
                  z3.Implies(s.fn("disk", q) != 0, gend(s.fn("disk", q))),
                  z3.Implies(_busy(s, x), gend(e.en(s, x))))


T_, P_, L_ = Thread, Page, FList
INVARIANTS: tuple[UInv, ...] = (
    UInv("sys1", ("SYS-1",), (), _sys1, "SYS-1: the lsn chain."),
    UInv("lnk5", ("LNK-5",), (T_,), _lnk5,
         "LNK-5: no thread's group without its recent-written link starts below "
         "buf_ready_for_write_lsn."),
    UInv("sys2", ("SYS-2",), (P_,), _sys2,
         "SYS-2: checkpoint_lsn and a pending checkpoint are <= the dirty-pages-added lsn and "
         "<= every dirty page's oldest_modification."),
    UInv("nt4", ("NT-4", "USR-7"), (T_,), _nt4,
         "NT-4: a sleeping, unsignalled thread whose condition holds has its notifier's event "
         "set and the notifier's position at or below its block."),
    UInv("sys4", ("SYS-4", "WR-9"), (T_,), _sys4,
         "SYS-4, lsn part: no copied, unwritten group ends past write_lsn's block one buffer "
         "later; write_lsn is not past the checkpoint's block one lap later."),
    UInv("cp6", ("CP-6",), (P_,), _cp6,
         "CP-6: no page in the data file is newer than flushed_to_disk_lsn (write-ahead "
         "logging: the page cleaner writes a page only when the log is durable past its "
         "newest modification)."),
    UInv("aux_users", ("USR-1",), (T_,), _aux_users,
         "Auxiliary: thread records are well formed (IDLE_USER when idle; a busy thread owns "
         "a positive group below sn, waits for write or flush once closed, is unsignalled "
         "before its reset).", aux=True),
    UInv("aux_disjoint", ("USR-1",), (T_, T_), _aux_disjoint,
         "Auxiliary: two threads' groups never overlap.", aux=True),
    UInv("aux_rc", ("CP-1", "LNK-5"), (T_,), _aux_rc,
         "Auxiliary: LNK-5 for recent_closed (no unclosed group starts below the "
         "dirty-pages-added lsn, which is between lsn0 and the current lsn).", aux=True),
    UInv("aux_pages", ("CP-3", "USR-4"), (P_, T_), _aux_pages,
         "Auxiliary (the page latch, CP-3): a clean page has oldest 0; a dirty page's oldest "
         "is positive, below its newest (<= the current lsn) and below added + L; a page "
         "latched by a thread that has not added it was last modified at or below that "
         "thread's start.", aux=True),
    UInv("aux_latch", ("USR-1", "CP-3"), (T_, T_), _aux_latch,
         "Auxiliary: two threads never hold the same page's latch.", aux=True),
    UInv("aux_lists", ("CP-2", "CP-3"), (L_, P_), _aux_lists,
         "Auxiliary (flush lists): a dirty page's list is non-empty; a non-empty list's tail "
         "is a dirty page of that list with the smallest stamp.", aux=True),
    UInv("aux_order", ("CP-3",), (P_, P_), _aux_order,
         "Auxiliary (CP-3, the order lag): in a list, a page added earlier has an "
         "oldest_modification less than L above a later one's; stamps in a list are "
         "distinct. So oldest_lsn - L bounds every dirty page from below (SYS-2).", aux=True),
    UInv("aux_pending", ("CP-4",), (), _aux_pending,
         "Auxiliary: a pending checkpoint is above checkpoint_lsn and not above "
         "flushed_to_disk_lsn.", aux=True),
    UInv("aux_notifiers", ("NT-2", "NT-4"), (T_,), _aux_notifiers,
         "Auxiliary (strengthens NT-4): notifier positions are above lsn0 and at most their "
         "lsn + 1; a lost waiter's notifier has its event set and its position at or below "
         "the waiter's end lsn.", aux=True),
    UInv("aux_ends", ("RC-4", "CP-6"), (P_, T_), _aux_ends,
         "Auxiliary (RC-4): a dirty page's newest modification, a written page's lsn in the "
         "data file and a busy thread's end lsn are group ends (what recovery must not go "
         "below once they are durable).", aux=True),
)


def invariant(name: str) -> UInv:
    """The invariant called ``name``."""
    return by_name(INVARIANTS, name, "invariant")


def holds(e: UEnc, inv: UInv, s: UState) -> z3.BoolRef:
    """``forall vars: body`` (quantified, or a conjunction over a finite domain)."""
    def go(bound: tuple[Term, ...], rest: tuple[z3.SortRef, ...]) -> z3.BoolRef:
        if not rest:
            return inv.body(e, s, *bound)
        return e.forall(rest[0], lambda x: go((*bound, x), rest[1:]))

    return go((), inv.sorts)


def inv_all(e: UEnc, s: UState, exclude: Sequence[str] = ()) -> z3.BoolRef:
    return z3.And([holds(e, i, s) for i in INVARIANTS if i.name not in exclude])
