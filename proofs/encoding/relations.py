"""The spec's actions as z3 transition relations over two copies of the encoded state
(:class:`Enc`: one relation per spec action, ``s`` before and ``t`` after), and the derived
terms they share. See :mod:`proofs.encoding` for what is encoded and how."""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs import terms as T
from proofs.encoding.vocabulary import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LATCHING,
    LINKED,
    N_PAGES,
    N_USERS,
    PAGES_ADDED,
    PARAM_RULES,
    RESERVED,
    RESET,
    SLEEPING,
    St,
    User,
    member_term,
    reserve_choices,
)
from proofs.params import SymParams
from proofs.primitives import Primitives


class Enc(Primitives):
    """The encoding over one :class:`SymParams`: derived terms, Init, invariants, actions."""

    def __init__(self, p: SymParams | None = None, cap: z3.ArithRef | None = None,
                 abstract: bool = True) -> None:
        self.p = p or SymParams()
        self.cap = cap if cap is not None else z3.Int("log_capacity")
        """log_capacity = n_files * file_data_size, kept as its own variable with its linear
        consequence (Params rule capacity.margin) so that no product of two parameters
        appears."""
        self.abstract = abstract
        """True: the nonlinear functions are uninterpreted (see :func:`facts`); False: the
        real terms of :mod:`proofs.terms` (used to evaluate the relations on concrete states
        in the conformance tests)."""
        self._declare_primitives()

    # --- the nonlinear primitives (uninterpreted in abstract mode) ----------------------------
    def lsn(self, sn: z3.ArithRef) -> z3.ArithRef:
        """spec.lsn.sn_to_lsn."""
        self.apps["lsn"].append((sn,))
        return self.f_lsn(sn) if self.abstract else T.sn_to_lsn(self.p, sn)

    def bstart(self, x: z3.ArithRef) -> z3.ArithRef:
        """spec.lsn.block_start."""
        self.apps["bstart"].append((x,))
        return self.f_bstart(x) if self.abstract else T.block_start(self.p, x)

    def blk(self, x: z3.ArithRef) -> z3.ArithRef:
        """``x // block_size``."""
        self.apps["blk"].append((x,))
        return self.f_blk(x) if self.abstract else x / self.p.block_size

    def slot_of_block(self, b: z3.ArithRef, kind: int) -> z3.ArithRef:
        """``b & (S - 1)`` = ``b % S`` (lemma.slot_and_is_mod) for the write (1) or flush (2)
        events."""
        if self.abstract:
            return self.f_slot[kind](b)
        return b % (self.p.write_events if kind == 1 else self.p.flush_events)

    def ev_block(self, x: z3.ArithRef) -> z3.ArithRef:
        """The block an event slot is computed from: ``(lsn - 1) / block_size`` (NT-3)."""
        return self.blk(x - 1)

    def checkpoint_lsn_for(self, x: z3.ArithRef) -> z3.ArithRef:
        """spec.lsn.checkpoint_lsn_for (CP-7)."""
        self.apps["cpf"].append((x,))
        return self.f_cpf(x) if self.abstract else T.checkpoint_lsn_for(self.p, x)

    def start_sn(self) -> z3.ArithRef:
        """Params.start_sn = start_lsn // block_size * data_size."""
        if self.abstract:
            return self.v_start_sn
        return self.p.start_lsn / self.p.block_size * self.p.data_size

    def cur(self, s: St) -> z3.ArithRef:
        return self.lsn(s.sn)

    def start(self, u: User) -> z3.ArithRef:
        return self.lsn(u.start_sn)

    def end(self, u: User) -> z3.ArithRef:
        return self.lsn(u.start_sn + u.size)

    def lsn0(self) -> z3.ArithRef:
        return self.p.start_lsn + self.p.header_size

    def capacity_limit(self, s: St) -> z3.ArithRef:
        """spec.user.capacity_limit: the block of checkpoint_lsn one lap later (WR-9)."""
        return self.bstart(s.checkpoint_lsn) + self.cap

    def params_ok(self) -> z3.BoolRef:
        p = self.p
        # log_capacity >= free_check_margin + max_group_lsn + 2 blocks (rule capacity.margin)
        # and max_group_lsn >= max_group_size: its linear consequence.
        return z3.And(p.assume(*PARAM_RULES), self.cap >= p.write_ahead_size + 3 * p.block_size
                      + p.max_group_size,
                      z3.Or(p.n_flush_lists == 1, p.n_flush_lists == N_PAGES))

    def one_list(self) -> z3.BoolRef:
        """Both pages share one flush list (``n_flush_lists = 1``, the tiny preset); else page
        ``j`` is alone in list ``j``."""
        return self.p.n_flush_lists == 1

    def both_dirty(self, s: St) -> z3.BoolRef:
        return z3.And([pg.newest != 0 for pg in s.pages])

    def tail_page(self, s: St) -> z3.ArithRef:
        """The earliest-added dirty page of the single list (one_list only)."""
        return z3.If(self.both_dirty(s), s.early, z3.If(s.pages[0].newest != 0, 0, 1))

    def page_oldest(self, s: St, j: z3.ArithRef) -> z3.ArithRef:
        return z3.If(j == 0, s.pages[0].oldest, s.pages[1].oldest)

    # --- Init -----------------------------------------------------------------------------
    def init(self, s: St) -> z3.BoolRef:
        """spec.state.initial_state, restricted to the encoded fields."""
        lsn0 = self.lsn0()
        cs = [s.sn == self.start_sn(), s.ready == lsn0, s.added == lsn0, s.write_lsn == lsn0,
              s.flushed_to_disk_lsn == lsn0, s.checkpoint_lsn == lsn0, s.pending_lsn == 0,
              s.write_notifier_lsn == lsn0 + 1, s.flush_notifier_lsn == lsn0 + 1,
              z3.Not(s.write_notifier_event), z3.Not(s.flush_notifier_event)]
        for u in s.users:
            cs += [u.pc == IDLE, u.start_sn == 0, u.size == 0, u.page == 0, u.wait == 0,
                   z3.Not(u.signalled)]
        for pg in s.pages:
            cs += [pg.oldest == 0, pg.newest == 0]
        cs.append(s.early == 0)
        return z3.And(cs)

    # --- helpers --------------------------------------------------------------------------
    @staticmethod
    def in_pcs(u: User, *pcs: int) -> z3.BoolRef:
        return z3.Or([u.pc == k for k in pcs])

    def satisfied(self, s: St, u: User) -> z3.BoolRef:
        """USR-5/USR-6: the user's wait condition holds."""
        e = self.end(u)
        return z3.If(u.wait == 1, s.write_lsn >= e, s.flushed_to_disk_lsn >= e)

    def oldest_lsn(self, s: St) -> z3.ArithRef:
        """spec.checkpointer.oldest_lsn: the smallest oldest_modification of the lists'
        tails, 0 with no dirty page. Two lists: the smaller of the dirty pages' oldest; one
        list: the oldest of its tail (earliest added) page."""
        a, b = s.pages[0], s.pages[1]
        da, db = a.newest != 0, b.newest != 0
        two = z3.If(da, z3.If(db, z3.If(a.oldest <= b.oldest, a.oldest, b.oldest), a.oldest),
                    z3.If(db, b.oldest, 0))
        one = z3.If(z3.Or(da, db), self.page_oldest(s, self.tail_page(s)), 0)
        return z3.If(self.one_list(), one, two)

    def first_unlinked(self, s: St, pcs: tuple[int, ...]) -> z3.ArithRef:
        """The start of the first group whose user is at one of ``pcs`` (has not added the
        link yet), or the current lsn: where a traversal stops (LNK-2)."""
        m = self.cur(s)
        for u in s.users:
            m = z3.If(z3.And(self.in_pcs(u, *pcs), self.start(u) < m), self.start(u), m)
        return m

    # --- frames and updates ---------------------------------------------------------------
    @staticmethod
    def frame(s: St, t: St, changed: set[str]) -> z3.BoolRef:
        """Every encoded field not in ``changed`` keeps its value."""
        a, b = s.scalars(), t.scalars()
        return z3.And([b[k] == a[k] for k in a if k not in changed])

    @staticmethod
    def user_fields(k: int) -> set[str]:
        return {f"{f}{k}" for f in ("pc", "start_sn", "size", "page", "wait", "signalled")}

    @staticmethod
    def set_user(t: St, k: int, pc: int | z3.ArithRef, start_sn: z3.ArithRef,
                 size: z3.ArithRef, page: z3.ArithRef, wait: z3.ArithRef,
                 signalled: z3.BoolRef | bool) -> z3.BoolRef:
        u = t.users[k]
        return z3.And(u.pc == pc, u.start_sn == start_sn, u.size == size, u.page == page,
                      u.wait == wait, u.signalled == signalled)

    def set_idle(self, t: St, k: int) -> z3.BoolRef:
        """IDLE_USER: every field zero (spec.state.IDLE_USER)."""
        zero = z3.IntVal(0)
        return self.set_user(t, k, IDLE, zero, zero, zero, zero, False)

    def move(self, s: St, t: St, k: int, pc: int,
             signalled: z3.BoolRef | bool | None = None
             ) -> z3.BoolRef:
        """User ``k`` moves to ``pc`` keeping its group (and ``signalled`` unless given)."""
        u = s.users[k]
        return self.set_user(t, k, pc, u.start_sn, u.size, u.page, u.wait,
                             u.signalled if signalled is None else signalled)

    def signal(self, s: St, t: St, kind: int, hit: Callable[[User], z3.BoolRef],
               ) -> z3.BoolRef:
        """spec.notifier.signal_slots: every user at RESET or SLEEPING waiting for ``kind``
        whose slot is set (``hit``) gets ``signalled``; nothing else about users changes."""
        cs = []
        for k, u in enumerate(s.users):
            v = t.users[k]
            eligible = z3.And(self.in_pcs(u, RESET, SLEEPING), u.wait == kind)
            cs.append(z3.And(v.pc == u.pc, v.start_sn == u.start_sn, v.size == u.size,
                             v.page == u.page, v.wait == u.wait,
                             v.signalled == z3.Or(u.signalled, z3.And(eligible, hit(u)))))
        return z3.And(cs)

    def users_same(self, s: St, t: St) -> z3.BoolRef:
        return self.signal(s, t, 1, lambda u: z3.BoolVal(False))

    def notify_advance(self, s: St, t: St, kind: int, old: z3.ArithRef, new: z3.ArithRef
                       ) -> tuple[z3.BoolRef, set[str]]:
        """spec.notifier.notify_advance (WR-8, FL-2, decision 3): direct iff ``old / bs ==
        (new - 1) / bs``: signal the slot of ``old / bs``; else set the notifier's event.
        Returns the constraint and the fields it may change."""
        direct = self.blk(old) == self.blk(new - 1)
        slot = self.slot_of_block(self.blk(old), kind)
        ev_s, ev_t = ((s.write_notifier_event, t.write_notifier_event) if kind == 1
                      else (s.flush_notifier_event, t.flush_notifier_event))
        users_changed: set[str] = set()
        for k in range(N_USERS):
            users_changed |= self.user_fields(k)
        rel = z3.If(
            direct,
            z3.And(self.signal(s, t, kind,
                               lambda u: self.slot_of_block(self.ev_block(self.end(u)), kind)
                               == slot),
                   ev_t == ev_s),
            z3.And(self.users_same(s, t), ev_t == True),  # noqa: E712 - a z3 term
        )
        return rel, users_changed | {
            "write_notifier_event" if kind == 1 else "flush_notifier_event"}

    def notify_member(self, pos: z3.ArithRef, new: z3.ArithRef, e: z3.ArithRef, kind: int
                      ) -> z3.BoolRef:
        """spec.notifier.notify_range(pos, new, S) contains the slot of a user waiting for
        ``e``: the loop visits the blocks ``b0 + k`` (``b0 = (pos - 1) / bs``) for ``0 <= k <=
        kmax = (align_up(new) - pos) / bs``; the slot of block ``b = (e - 1) / bs`` is among
        them iff they cover all ``S`` slots or the first visit of ``b``'s residue, ``k = (b -
        b0) % S``, is not past ``kmax``."""
        self.apps["member"].append((pos, new, e, z3.IntVal(kind)))
        if self.abstract:
            return self.f_member[kind](pos, new, self.ev_block(e))
        return member_term(self.p, pos, new, e, kind)

    # --- actions (one relation per spec action; ``s`` before, ``t`` after) ----------------
    def user_reserve(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_reserve (USR-1, CP-5): an idle thread reserves ``size`` sn for a
        free page; guards: ``max_sn``, the free-check margin below the capacity limit, the
        page latch. Choices ``size`` (any positive size up to the largest group size: the
        relation covers every ``group_sizes``), ``page``, ``wait``."""
        p = self.p
        size, page, wait = reserve_choices(t)
        alts = []
        for k, u in enumerate(s.users):
            others = [o for j, o in enumerate(s.users) if j != k]
            latched = z3.Or([z3.And(self.in_pcs(o, *LATCHING), o.page == page)
                             for o in others])
            end = self.lsn(s.sn + size)
            guard = z3.And(
                u.pc == IDLE, size > 0, size <= p.max_group_size, page >= 0, page < N_PAGES,
                wait >= 0, wait <= 2, z3.Not(latched),
                s.sn + size <= self.start_sn() + p.max_sn,
                end + p.write_ahead_size + p.block_size <= self.capacity_limit(s),
            )
            effect = z3.And(
                t.sn == s.sn + size,
                self.set_user(t, k, RESERVED, s.sn, size, page, wait, False),
                *[self.same_user(s, t, j) for j in range(N_USERS) if j != k],
                self.frame(s, t, {"sn"} | self._all_users()),
            )
            alts.append(z3.And(guard, effect))
        return z3.Or(alts)

    def same_user(self, s: St, t: St, k: int) -> z3.BoolRef:
        a, b = s.users[k], t.users[k]
        return z3.And(a.pc == b.pc, a.start_sn == b.start_sn, a.size == b.size, a.page == b.page,
                      a.wait == b.wait, a.signalled == b.signalled)

    def _all_users(self) -> set[str]:
        out: set[str] = set()
        for k in range(N_USERS):
            out |= self.user_fields(k)
        return out

    def _user_step(self, s: St, t: St, guard: Callable[[int, User], z3.BoolRef],
                   effect: Callable[[int, User], z3.BoolRef], changed: set[str] | None = None
                   ) -> z3.BoolRef:
        """One thread ``k`` takes a step: ``guard(k, u)`` and ``effect(k, u)`` (which sets
        user k in ``t``), the other users and every field outside ``changed`` unchanged."""
        alts = []
        for k, u in enumerate(s.users):
            alts.append(z3.And(
                guard(k, u), effect(k, u),
                *[self.same_user(s, t, j) for j in range(N_USERS) if j != k],
                self.frame(s, t, self._all_users() | (changed or set())),
            ))
        return z3.Or(alts)

    def ends_in_later_block(self, u: User) -> z3.BoolRef:
        """spec.user.ends_in_later_block (USR-2)."""
        return self.blk(self.start(u)) != self.blk(self.end(u))

    def user_copy_to_log_buffer(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_copy_to_log_buffer (USR-1, SYS-4): guard buffer_has_space:
        ``block_start(end) < block_start(write_lsn) + log_buffer_size``."""
        return self._user_step(
            s, t,
            lambda k, u: z3.And(u.pc == RESERVED, self.bstart(self.end(u))
                                < self.bstart(s.write_lsn) + self.p.log_buffer_size),
            lambda k, u: self.move(s, t, k, COPIED, False))

    def user_set_first_rec_group(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_set_first_rec_group (USR-2): guard: the group ends in a later
        block (the field itself lives in the log buffer bytes, not encoded)."""
        return self._user_step(
            s, t, lambda k, u: z3.And(u.pc == COPIED, self.ends_in_later_block(u)),
            lambda k, u: self.move(s, t, k, FRG_SET, False))

    def user_add_recent_written_link(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_add_recent_written_link (USR-3, LNK-1, LNK-4), seeds variant:
        guard FRG_SET, or COPIED ending in the same block; has_space: ``start <
        ready + recent_written_size``."""
        return self._user_step(
            s, t,
            lambda k, u: z3.And(
                z3.Or(u.pc == FRG_SET, z3.And(u.pc == COPIED,
                                              z3.Not(self.ends_in_later_block(u)))),
                self.start(u) < s.ready + self.p.recent_written_size),
            lambda k, u: self.move(s, t, k, LINKED, False))

    def _pages_effect(self, s: St, t: St, k: int, u: User) -> z3.BoolRef:
        """USR-4's effect (spec.user._add_pages): a clean page gets ``oldest = start`` and goes
        to the head of its list; ``newest = end``. With one list and the other page dirty, the
        other page stays the list's tail."""
        cs = [self.move(s, t, k, PAGES_ADDED, False)]
        for j, (a, b) in enumerate(zip(s.pages, t.pages, strict=True)):
            mine = u.page == j
            cs.append(z3.If(
                mine,
                z3.And(b.oldest == z3.If(a.newest == 0, self.start(u), a.oldest),
                       b.newest == self.end(u)),
                z3.And(b.oldest == a.oldest, b.newest == a.newest)))
        other_dirty = z3.If(u.page == 0, s.pages[1].newest != 0, s.pages[0].newest != 0)
        mine_clean = z3.If(u.page == 0, s.pages[0].newest == 0, s.pages[1].newest == 0)
        cs.append(t.early == z3.If(
            z3.And(self.one_list(), other_dirty),
            z3.If(mine_clean, 1 - u.page, s.early), 0))
        return z3.And(cs)

    PAGE_FIELDS = {f"{f}{j}" for j in range(N_PAGES) for f in ("oldest", "newest")} | {"early"}

    def user_add_dirty_pages(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_add_dirty_pages (USR-4, CP-3, 8.0): guard ``start < added + L``;
        the pages as :meth:`_pages_effect`."""
        return self._user_step(
            s, t,
            lambda k, u: z3.And(u.pc == LINKED,
                                self.start(u) < s.added + self.p.recent_closed_size),
            lambda k, u: self._pages_effect(s, t, k, u), self.PAGE_FIELDS)

    def user_wait_to_add(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_wait_to_add (USR-4, CP-3, 9.0): wait_to_add's has_space: with the
        stored tail if ``start < added + L``, else after the user's own ask, which moves the
        tail to the first group not yet reported (:meth:`first_unlinked`, the user's own among
        them); guard ``start < added' + L``; the pages as :meth:`_pages_effect`."""
        lag = self.p.recent_closed_size
        m = self.first_unlinked(s, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED))

        def guard(k: int, u: User) -> z3.BoolRef:
            asked = z3.If(self.start(u) < s.added + lag, s.added, m)
            return z3.And(u.pc == LINKED, self.start(u) < asked + lag, t.added == asked)

        return self._user_step(s, t, guard, lambda k, u: self._pages_effect(s, t, k, u),
                               self.PAGE_FIELDS | {"added"})

    def user_add_recent_closed_link(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_add_recent_closed_link (USR-4, CP-1, LNK-1): guard has_space on
        recent_closed; the thread waits (CLOSED) or, with wait "none", is idle."""
        return self._user_step(
            s, t,
            lambda k, u: z3.And(u.pc == PAGES_ADDED,
                                self.start(u) < s.added + self.p.recent_closed_size),
            lambda k, u: z3.If(u.wait == 0, self.set_idle(t, k),
                               self.move(s, t, k, CLOSED, False)))

    def user_wait_reset_event(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_wait_reset_event (USR-7, decision 1): CLOSED -> RESET, signalled
        cleared."""
        return self._user_step(s, t, lambda k, u: u.pc == CLOSED,
                               lambda k, u: self.move(s, t, k, RESET, False))

    def user_wait_check(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_wait_check (USR-5..7): RESET -> idle if the condition holds, else
        SLEEPING (keeping signalled)."""
        return self._user_step(
            s, t, lambda k, u: u.pc == RESET,
            lambda k, u: z3.If(self.satisfied(s, u), self.set_idle(t, k),
                               self.move(s, t, k, SLEEPING)))

    def user_wait_wake(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_wait_wake (USR-5, USR-7): SLEEPING and signalled -> CLOSED."""
        return self._user_step(s, t, lambda k, u: z3.And(u.pc == SLEEPING, u.signalled),
                               lambda k, u: self.move(s, t, k, CLOSED, False))

    def writer_traverse_links(self, s: St, t: St) -> z3.BoolRef:
        """spec.writer.writer_traverse_links (WR-1, LNK-2, LNK-3), over-approximated (module
        docstring): the tail moves forward, not past the first group without its
        recent-written link, and stops there or at/after ``write_lsn + write_max_size``."""
        stop = s.write_lsn + self.p.write_max_size
        m = self.first_unlinked(s, (RESERVED, COPIED, FRG_SET))
        return z3.And(s.ready < stop, s.ready < t.ready, t.ready <= m,
                      z3.Or(t.ready == m, t.ready >= stop), self.frame(s, t, {"ready"}))

    def writer_write(self, s: St, t: St) -> z3.BoolRef:
        """spec.writer.writer_write (WR-7, WR-8, WR-9), by its effect on write_lsn (module
        docstring): ``write_lsn < write_lsn' <= buf_ready_for_write_lsn`` and not past the
        capacity limit; then notify (decision 3)."""
        rel, changed = self.notify_advance(s, t, 1, s.write_lsn, t.write_lsn)
        return z3.And(s.write_lsn < t.write_lsn, t.write_lsn <= s.ready,
                      t.write_lsn <= self.capacity_limit(s), rel,
                      self.frame(s, t, changed | {"write_lsn"}))

    def flusher_fsync(self, s: St, t: St) -> z3.BoolRef:
        """spec.flusher.flusher_fsync (FL-1, FL-2): ``flushed := up_to`` with ``flushed <
        up_to <= write_lsn``; then notify (decision 3)."""
        old, new = s.flushed_to_disk_lsn, t.flushed_to_disk_lsn
        rel, changed = self.notify_advance(s, t, 2, old, new)
        return z3.And(old < new, new <= s.write_lsn, rel,
                      self.frame(s, t, changed | {"flushed_to_disk_lsn"}))

    def _notifier(self, s: St, t: St, kind: int) -> z3.BoolRef:
        if kind == 1:
            ev, ev2 = s.write_notifier_event, t.write_notifier_event
            pos, pos2, lsn = s.write_notifier_lsn, t.write_notifier_lsn, s.write_lsn
            names = {"write_notifier_event", "write_notifier_lsn"}
        else:
            ev, ev2 = s.flush_notifier_event, t.flush_notifier_event
            pos, pos2, lsn = s.flush_notifier_lsn, t.flush_notifier_lsn, s.flushed_to_disk_lsn
            names = {"flush_notifier_event", "flush_notifier_lsn"}
        behind = z3.And(z3.Not(ev2), pos2 == pos, self.users_same(s, t))
        notify = z3.And(
            z3.Not(ev2), pos2 == lsn + 1,
            self.signal(s, t, kind,
                        lambda u: self.notify_member(pos, lsn, self.end(u), kind)),
        )
        return z3.And(ev, z3.If(lsn < pos, behind, notify),
                      self.frame(s, t, names | self._all_users()))

    def write_notifier_notify_slots(self, s: St, t: St) -> z3.BoolRef:
        """spec.notifier.write_notifier_notify_slots (NT-1, NT-2, NT-4)."""
        return self._notifier(s, t, 1)

    def flush_notifier_notify_slots(self, s: St, t: St) -> z3.BoolRef:
        """spec.notifier.flush_notifier_notify_slots (NT-5, NT-2, NT-4)."""
        return self._notifier(s, t, 2)

    def closer_traverse_links(self, s: St, t: St) -> z3.BoolRef:
        """spec.closer.closer_traverse_links (CP-1, LNK-2, LNK-3): the tail moves to the
        first group without its recent-closed link (or the current lsn)."""
        m = self.first_unlinked(s, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED))
        return z3.And(s.added < m, t.added == m, self.frame(s, t, {"added"}))

    def user_report_added(self, s: St, t: St) -> z3.BoolRef:
        """spec.user.user_report_added (USR-4, CP-1, 9.0): add_link_advance_tail. With ``m``
        the start of the first group (of the *other* users) not yet reported, or the current
        lsn: the advance over links starting at or below ``start`` stops at ``m`` when
        ``m < start`` (a hole below), else it passes the reporter's own range and stops at
        ``end`` (the fast path ``added == start`` is the case ``m > start``); then the
        thread waits (CLOSED) or, with wait "none", is idle."""
        pcs = (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED)

        def guard(k: int, u: User) -> z3.BoolRef:
            m = self.cur(s)
            for j, v in enumerate(s.users):
                if j != k:
                    m = z3.If(z3.And(self.in_pcs(v, *pcs), self.start(v) < m),
                              self.start(v), m)
            new = z3.If(m > self.start(u), self.end(u), m)
            return z3.And(u.pc == PAGES_ADDED, t.added == new)

        return self._user_step(
            s, t, guard,
            lambda k, u: z3.If(u.wait == 0, self.set_idle(t, k),
                               self.move(s, t, k, CLOSED, False)), {"added"})

    def checkpointer_ask_smallest_not_added(self, s: St, t: St) -> z3.BoolRef:
        """spec.checkpointer.checkpointer_ask_smallest_not_added (CP-1, 9.0): the tracker's
        advance_tail, the same relation as the 8.0 closer's traversal (:meth:`
        closer_traverse_links`): the tail moves to the first group not yet reported."""
        return self.closer_traverse_links(s, t)

    def available_for_checkpoint(self, s: St) -> z3.ArithRef:
        """spec.checkpointer.available_for_checkpoint_lsn (CP-2, CP-4, CP-7)."""
        p = self.p
        last, dpa, oldest = s.checkpoint_lsn, s.added, self.oldest_lsn(s)
        lag = p.recent_closed_size
        lwm0 = z3.If(oldest > lag, z3.If(last >= oldest - lag, last, oldest - lag), last)
        lwm = z3.If(oldest == 0, dpa, z3.If(lwm0 <= dpa, lwm0, dpa))
        lsn = z3.If(lwm <= s.flushed_to_disk_lsn, lwm, s.flushed_to_disk_lsn)
        lsn = self.checkpoint_lsn_for(lsn)
        return z3.If(lsn >= last, lsn, last)

    def checkpointer_write_checkpoint(self, s: St, t: St) -> z3.BoolRef:
        """spec.checkpointer.checkpointer_write_checkpoint (CP-2, CP-4, CP-7): with no
        checkpoint pending and available_for_checkpoint_lsn above the last one, it becomes
        pending."""
        a = self.available_for_checkpoint(s)
        return z3.And(s.pending_lsn == 0, a > s.checkpoint_lsn, t.pending_lsn == a,
                      self.frame(s, t, {"pending_lsn"}))

    def checkpointer_sync_checkpoint(self, s: St, t: St) -> z3.BoolRef:
        """spec.checkpointer.checkpointer_sync_checkpoint (CP-4): publish the pending one."""
        return z3.And(s.pending_lsn != 0, t.checkpoint_lsn == s.pending_lsn, t.pending_lsn == 0,
                      self.frame(s, t, {"checkpoint_lsn", "pending_lsn"}))

    def page_cleaner_flush_page(self, s: St, t: St) -> z3.BoolRef:
        """spec.page_cleaner.page_cleaner_flush_page (CP-6): the tail page of a flush list
        (two lists: page ``j`` of list ``j``; one list: its earliest-added page), if
        ``flushed >= newest``, is written and leaves the list (clean)."""
        alts = []
        for j, pg in enumerate(s.pages):
            others = [z3.And(t.pages[i].oldest == q.oldest, t.pages[i].newest == q.newest)
                      for i, q in enumerate(s.pages) if i != j]
            is_tail = z3.Or(z3.Not(self.one_list()), self.tail_page(s) == j)
            alts.append(z3.And(pg.newest != 0, is_tail, s.flushed_to_disk_lsn >= pg.newest,
                               t.pages[j].newest == 0, t.pages[j].oldest == 0, *others))
        pages = {f"{f}{j}" for j in range(N_PAGES) for f in ("oldest", "newest")} | {"early"}
        return z3.And(z3.Or(alts), t.early == 0, self.frame(s, t, pages))


OVER_APPROXIMATED: frozenset[str] = frozenset({"writer_write", "writer_traverse_links"})
"""Actions whose relation allows more than the spec does (module docstring): conformance
direction 2 ("every model is a spec successor") is not claimed for them."""


def relation(enc: Enc, name: str) -> Callable[[St, St], z3.BoolRef]:
    """The transition relation of spec action ``name``."""
    fn: Callable[[St, St], z3.BoolRef] = getattr(enc, name)
    return fn
