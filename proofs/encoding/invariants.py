"""The encoding's invariants (SYS-1, LNK-5, SYS-2, NT-4, SYS-4 and the auxiliary ones that
make them inductive), as formulas over one copy of the encoded state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs.encoding.relations import Enc
from proofs.encoding.vocabulary import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LATCHING,
    LINKED,
    N_PAGES,
    PAGES_ADDED,
    RESERVED,
    SLEEPING,
    St,
    User,
)
from proofs.registry import by_name


@dataclass(frozen=True)
class Inv:
    """A named state invariant of the encoding; ``aux`` marks the strengthening ones."""

    name: str
    ids: tuple[str, ...]
    formula: Callable[[Enc, St], z3.BoolRef]
    doc: str
    aux: bool = False


def _sys1(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.checkpoint_lsn <= s.flushed_to_disk_lsn, s.flushed_to_disk_lsn <= s.write_lsn,
                  s.write_lsn <= s.ready, s.ready <= e.cur(s))


def _lnk5(e: Enc, s: St) -> z3.BoolRef:
    return z3.And([z3.Implies(e.in_pcs(u, RESERVED, COPIED, FRG_SET), e.start(u) >= s.ready)
                   for u in s.users])


def _below_dirty(s: St, x: z3.ArithRef) -> z3.BoolRef:
    return z3.And([z3.Implies(pg.newest != 0, x <= pg.oldest) for pg in s.pages])


def _sys2(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.checkpoint_lsn <= s.added, _below_dirty(s, s.checkpoint_lsn),
                  z3.Implies(s.pending_lsn != 0,
                             z3.And(s.pending_lsn <= s.added, _below_dirty(s, s.pending_lsn))))


def _waiting_lost(e: Enc, s: St, u: User) -> z3.BoolRef:
    return z3.And(u.pc == SLEEPING, z3.Not(u.signalled), e.satisfied(s, u))


def _nt4(e: Enc, s: St) -> z3.BoolRef:
    cs = []
    for u in s.users:
        end = e.end(u)
        ev = z3.If(u.wait == 1, s.write_notifier_event, s.flush_notifier_event)
        pos = z3.If(u.wait == 1, s.write_notifier_lsn, s.flush_notifier_lsn)
        cs.append(z3.Implies(_waiting_lost(e, s, u),
                             z3.And(ev, e.ev_block(pos) <= e.ev_block(end))))
    return z3.And(cs)


def _sys4(e: Enc, s: St) -> z3.BoolRef:
    buf = [z3.Implies(z3.And(e.in_pcs(u, *range(COPIED, SLEEPING + 1)), e.end(u) > s.write_lsn),
                      e.bstart(e.end(u)) < e.bstart(s.write_lsn) + e.p.log_buffer_size)
           for u in s.users]
    return z3.And(*buf, s.write_lsn <= e.capacity_limit(s))


def _aux_users(e: Enc, s: St) -> z3.BoolRef:
    cs = []
    for u in s.users:
        busy = z3.And(
            u.size > 0, u.size <= e.p.max_group_size, u.start_sn >= e.start_sn(),
            u.start_sn + u.size <= s.sn, u.page >= 0, u.page < N_PAGES,
            z3.If(u.pc >= CLOSED, z3.Or(u.wait == 1, u.wait == 2),
                  z3.And(u.wait >= 0, u.wait <= 2)),
            z3.Implies(e.in_pcs(u, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED, CLOSED),
                       z3.Not(u.signalled)),
        )
        idle = z3.And(u.start_sn == 0, u.size == 0, u.page == 0, u.wait == 0, z3.Not(u.signalled))
        cs.append(z3.And(u.pc >= IDLE, u.pc <= SLEEPING, z3.If(u.pc == IDLE, idle, busy)))
    a, b = s.users
    cs.append(z3.Implies(z3.And(a.pc != IDLE, b.pc != IDLE),
                         z3.Or(a.start_sn + a.size <= b.start_sn,
                               b.start_sn + b.size <= a.start_sn)))
    cs.append(s.sn >= e.start_sn())
    return z3.And(cs)


def _aux_rc(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.added <= e.cur(s), s.added >= e.lsn0(), s.checkpoint_lsn >= e.lsn0(), *[
        z3.Implies(e.in_pcs(u, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED),
                   e.start(u) >= s.added) for u in s.users])


def _aux_pages(e: Enc, s: St) -> z3.BoolRef:
    cs = []
    for j, pg in enumerate(s.pages):
        cs.append(z3.If(pg.newest == 0, pg.oldest == 0,
                        z3.And(pg.oldest > 0, pg.oldest < pg.newest, pg.newest <= e.cur(s))))
        for u in s.users:
            cs.append(z3.Implies(z3.And(e.in_pcs(u, RESERVED, COPIED, FRG_SET, LINKED),
                                        u.page == j), pg.newest <= e.start(u)))
    a, b = s.users
    cs.append(z3.Implies(z3.And(e.in_pcs(a, *LATCHING), e.in_pcs(b, *LATCHING)),
                         a.page != b.page))
    lag = e.p.recent_closed_size
    for pg in s.pages:  # CP-3: added to a flush list below the added lsn + L
        cs.append(z3.Implies(pg.newest != 0, pg.oldest < s.added + lag))
    # one list, both pages dirty: the tail (early) page is at most L above the other
    late = z3.If(s.early == 0, s.pages[1].oldest, s.pages[0].oldest)
    cs.append(z3.If(z3.And(e.one_list(), e.both_dirty(s)),
                    z3.And(z3.Or(s.early == 0, s.early == 1),
                           e.page_oldest(s, s.early) < late + lag),
                    s.early == 0))
    return z3.And(cs)


def _aux_pending(e: Enc, s: St) -> z3.BoolRef:
    return z3.Implies(s.pending_lsn != 0, z3.And(s.checkpoint_lsn < s.pending_lsn,
                                                 s.pending_lsn <= s.flushed_to_disk_lsn))


def _aux_notifiers(e: Enc, s: St) -> z3.BoolRef:
    cs = [s.write_notifier_lsn <= s.write_lsn + 1,
          s.flush_notifier_lsn <= s.flushed_to_disk_lsn + 1,
          s.write_notifier_lsn > e.lsn0(), s.flush_notifier_lsn > e.lsn0()]
    for u in s.users:
        pos = z3.If(u.wait == 1, s.write_notifier_lsn, s.flush_notifier_lsn)
        ev = z3.If(u.wait == 1, s.write_notifier_event, s.flush_notifier_event)
        cs.append(z3.Implies(_waiting_lost(e, s, u), z3.And(ev, pos <= e.end(u))))
    return z3.And(cs)


INVARIANTS: tuple[Inv, ...] = (
    Inv("sys1", ("SYS-1",), _sys1,
        "SYS-1: checkpoint_lsn <= flushed_to_disk_lsn <= write_lsn <= "
        "buf_ready_for_write_lsn <= current lsn (spec.invariants.sys1_lsn_chain)."),
    Inv("lnk5", ("LNK-5",), _lnk5,
        "LNK-5 (its lsn part, spec.invariants.lnk5_no_holes): no group without its "
        "recent-written link starts below buf_ready_for_write_lsn."),
    Inv("sys2", ("SYS-2",), _sys2,
        "SYS-2: checkpoint_lsn and a pending checkpoint are <= the dirty-pages-added lsn and "
        "<= every dirty page's oldest_modification (spec.invariants.sys2_checkpoint_bound)."),
    Inv("nt4", ("NT-4", "USR-7"), _nt4,
        "NT-4 (spec.invariants.nt4_no_lost_wakeup): a sleeping, unsignalled user whose "
        "condition holds has its notifier's event set and the notifier's position at or "
        "below its block."),
    Inv("sys4", ("SYS-4", "WR-9"), _sys4,
        "SYS-4, lsn part: every copied group not yet written ends below the block of "
        "write_lsn one buffer later (no copy overwrote unwritten bytes), and write_lsn is "
        "not past the checkpoint's block one lap later (the files keep everything above "
        "checkpoint_lsn)."),
    Inv("aux_users", ("USR-1",), _aux_users,
        "Auxiliary: user records are well formed -- an idle user is all zeros (IDLE_USER), "
        "a busy one owns a positive group below sn, waits only for write or flush once "
        "closed, is unsignalled before it resets, and two groups never overlap.", aux=True),
    Inv("aux_rc", ("CP-1", "LNK-5"), _aux_rc,
        "Auxiliary: LNK-5 for recent_closed -- no group without its recent-closed link "
        "starts below the dirty-pages-added lsn, which is between lsn0 and the current "
        "lsn. Needed for SYS-2: a page added to a flush list is not below a checkpoint.",
        aux=True),
    Inv("aux_pages", ("CP-3", "USR-4"), _aux_pages,
        "Auxiliary (the page latch, CP-3): a clean page has no oldest_modification (0); a dirty "
        "page's oldest is positive and below its newest, which is at most the current lsn; "
        "a page latched by a thread that has not added it yet was last modified at or below "
        "that thread's start; two threads never hold the same page's latch; CP-3: a dirty "
        "page's oldest_modification is below the dirty-pages-added lsn + L, so in a list "
        "the tail page's oldest is less than L above any later page's (which makes "
        "oldest_lsn - L a lower bound of every dirty page, SYS-2).", aux=True),
    Inv("aux_pending", ("CP-4",), _aux_pending,
        "Auxiliary: a pending checkpoint is above checkpoint_lsn and not above "
        "flushed_to_disk_lsn, so publishing it keeps SYS-1.", aux=True),
    Inv("aux_notifiers", ("NT-2", "NT-4"), _aux_notifiers,
        "Auxiliary (strengthens NT-4): each notifier's position is above lsn0 and at most "
        "its lsn + 1, and "
        "a sleeping, unsignalled, satisfied user has its notifier's event set with the "
        "position at or below its end lsn itself (NT-4 only says its block): then the "
        "notifier's range [position, lsn] contains the user's lsn.", aux=True),
)


def invariant(name: str) -> Inv:
    """The invariant called ``name``."""
    return by_name(INVARIANTS, name, "invariant")


def inv_all(e: Enc, s: St) -> z3.BoolRef:
    return z3.And([i.formula(e, s) for i in INVARIANTS])
