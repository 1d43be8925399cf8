"""The spec's actions in the unbounded encoding (:class:`UEnc`), crash and recovery
included, and the lists of action names."""

from __future__ import annotations

from collections.abc import Callable

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
    RESET,
    SLEEPING,
    spec_action_names,
)
from proofs.unbounded.base import UEncBase
from proofs.unbounded.state import (
    FList,
    Fn,
    Int,
    Page,
    Term,
    Thread,
    UState,
    upd,
    upd_thread,
)


class UEnc(UEncBase):
    """:class:`UEncBase` and the spec's actions: each returns ``(guard, post-state)``."""

    # --- actions: (guard, post-state) ---------------------------------------------------------
    def actor(self, s: UState) -> Term:
        return self.choice(f"k{s.tag}", Thread)

    def _move(self, s: UState, k: Term, pc: int | Int, sig: z3.BoolRef | bool) -> UState:
        return s.update(f=upd_thread(s, k, pc=z3.IntVal(pc) if isinstance(pc, int) else pc,
                                     sig=z3.BoolVal(sig) if isinstance(sig, bool) else sig))

    def _idle(self, s: UState, k: Term) -> dict[str, Fn]:
        zero = z3.IntVal(0)
        return upd_thread(s, k, pc=z3.IntVal(IDLE), ssn=zero, size=zero, wait=zero,
                          sig=z3.BoolVal(False))

    def _ite(self, c: z3.BoolRef, a: UState, b: UState) -> UState:
        """The state that is ``a`` if ``c`` else ``b`` (field by field)."""
        v = {n: z3.If(c, a.v[n], b.v[n]) for n in a.v}

        def pick(n: str) -> Fn:
            fa, fb = a.f[n], b.f[n]
            if fa is fb:
                return fa
            return lambda x: z3.If(c, fa(x), fb(x))

        return UState(a.tag, v, {n: pick(n) for n in a.f})

    def user_reserve(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_reserve (USR-1, CP-5): an idle thread ``k`` reserves ``size`` sn for
        a page no other thread holds latched; guards max_sn and the free-check margin."""
        p = self.p
        k = self.actor(s)
        size, wait = z3.Int(f"c_size{s.tag}"), z3.Int(f"c_wait{s.tag}")
        page = self.choice(f"c_page{s.tag}", Page)
        guard = z3.And(
            s.fn("pc", k) == IDLE, size > 0, size <= p.max_group_size, wait >= 0, wait <= 2,
            self.latch_free(s, k, page),
            s.sn + size <= self.start_sn() + p.max_sn,
            self.lsn(s.sn + size) + p.write_ahead_size + p.block_size
            <= self.capacity_limit(s),
        )
        f = upd_thread(s, k, pc=z3.IntVal(RESERVED), ssn=s.sn, size=size, wait=wait,
                       sig=z3.BoolVal(False))
        f["page"] = upd(s.f["page"], k, page)
        f["gend"] = upd(s.f["gend"], self.lsn(s.sn + size), z3.BoolVal(True))
        return guard, s.update({"sn": s.sn + size}, f)

    def latch_free(self, s: UState, k: Term, page: Term) -> z3.BoolRef:
        """No thread but ``k`` holds ``page``'s latch (spec.user.page_latched)."""
        return self.forall(Thread, lambda x: z3.Implies(
            z3.And(self.at(s, x, *LATCHING), s.fn("page", x) == page), x == k))

    def wal_ok(self, s: UState, pg: Term) -> z3.BoolRef:
        """CP-6's guard: the log is durable past the page's newest modification."""
        return s.fl >= s.fn("newest", pg)

    def _user_step(self, s: UState, guard: Callable[[Term], z3.BoolRef],
                   post: Callable[[Term], UState]) -> tuple[z3.BoolRef, UState]:
        k = self.actor(s)
        return guard(k), post(k)

    def ends_in_later_block(self, s: UState, x: Term) -> z3.BoolRef:
        return self.blk(self.st(s, x)) != self.blk(self.en(s, x))

    def user_copy_to_log_buffer(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_copy_to_log_buffer (USR-1, SYS-4): buffer_has_space."""
        return self._user_step(
            s, lambda k: z3.And(s.fn("pc", k) == RESERVED, self.bstart(self.en(s, k))
                                < self.bstart(s.wl) + self.p.log_buffer_size),
            lambda k: self._move(s, k, COPIED, False))

    def user_set_first_rec_group(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_set_first_rec_group (USR-2)."""
        return self._user_step(
            s, lambda k: z3.And(s.fn("pc", k) == COPIED, self.ends_in_later_block(s, k)),
            lambda k: self._move(s, k, FRG_SET, False))

    def advance_own(self, s: UState, k: Term, pcs: tuple[int, ...], name: str
                    ) -> tuple[z3.BoolRef, Term]:
        """LNK-6's ``add_link_advance_tail`` by thread ``k`` on a ring whose unlinked groups
        are those of threads at ``pcs``: with ``m`` the
        first unlinked start of the *other* threads (or cur), the advance over links starting
        at or below ``start`` stops at ``m`` when ``m < start`` (a hole below), else it passes
        ``k``'s own range and stops at ``end`` (the fast path ``tail == start`` is the case
        ``m > start``: later links are not followed). The definition of ``m`` and the new
        tail."""
        m, defn = self.first_unlinked(s, pcs, name, but=k)
        return defn, z3.If(m > self.st(s, k), self.en(s, k), m)

    def user_add_recent_written_link(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_add_recent_written_link (USR-3, LNK-1, LNK-4): seeds stores the
        link; 8.0.22 (LNK-6) also advances buf_ready_for_write_lsn (:meth:`advance_own`)."""
        k = self.actor(s)
        defn, new = self.advance_own(s, k, (RESERVED, COPIED, FRG_SET), "m_lw")
        guard = z3.And(
            z3.Or(s.fn("pc", k) == FRG_SET,
                  z3.And(s.fn("pc", k) == COPIED, z3.Not(self.ends_in_later_block(s, k)))),
            self.st(s, k) < s.ready + self.p.recent_written_size, defn)
        t = self._move(s, k, LINKED, False)
        return guard, t.update({"ready": z3.If(self.v8022, new, s.ready)})

    def _add_pages(self, s: UState, k: Term, guard: z3.BoolRef,
                   changes: dict[str, Term] | None = None) -> tuple[z3.BoolRef, UState]:
        """spec.user._add_pages (USR-4): a clean page gets ``oldest = start`` and enters its
        list at the head (a stamp above every dirty page of that list; the list's tail if it
        was empty); ``newest = end``; the thread moves to PAGES_ADDED. ``guard`` is the
        action's own; ``changes``: scalars the action also sets."""
        pg = s.fn("page", k)
        li = self.lst(pg)
        clean = s.fn("newest", pg) == 0
        stamp = z3.Int(f"c_stamp{s.tag}")
        full = z3.And(
            s.fn("pc", k) == LINKED, guard,
            z3.Implies(clean, self.forall(Page, lambda q: z3.Implies(
                z3.And(self.dirty(s, q), self.lst(q) == li), s.fn("stamp", q) < stamp))))
        f = upd_thread(s, k, pc=z3.IntVal(PAGES_ADDED), sig=z3.BoolVal(False))
        f["oldest"] = upd(s.f["oldest"], pg, z3.If(clean, self.st(s, k), s.fn("oldest", pg)))
        f["newest"] = upd(s.f["newest"], pg, self.en(s, k))
        f["stamp"] = upd(s.f["stamp"], pg, z3.If(clean, stamp, s.fn("stamp", pg)))
        f["ne"] = upd(s.f["ne"], li, z3.BoolVal(True))
        f["tl"] = upd(s.f["tl"], li, z3.If(s.fn("ne", li), s.fn("tl", li), pg))
        return full, s.update(changes, f)

    def user_add_dirty_pages(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_add_dirty_pages (USR-4, CP-3, 8.0): guard ``start < added + L``;
        the pages as :meth:`_add_pages`."""
        k = self.actor(s)
        return self._add_pages(s, k, self.st(s, k) < s.added + self.p.recent_closed_size)

    def user_wait_to_add(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_wait_to_add (USR-4, CP-3, 9.0; spec.tracker.wait_to_add):
        has_space with the stored tail if ``start < added + L``, else after the user's own
        ask, which moves the tail to the first group not yet reported (the user's own among
        them, :meth:`first_unlinked`); guard ``start < added' + L``; the pages as
        :meth:`_add_pages`, and the tail the ask moved."""
        k = self.actor(s)
        lag = self.p.recent_closed_size
        m, defn = self.first_unlinked(
            s, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED), "m_wa")
        asked = z3.If(self.st(s, k) < s.added + lag, s.added, m)
        return self._add_pages(s, k, z3.And(defn, self.st(s, k) < asked + lag),
                               {"added": asked})

    def user_add_recent_closed_link(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_add_recent_closed_link (USR-4, CP-1, LNK-1): seeds stores the link;
        8.0.22 (LNK-6) also advances the dirty-pages-added lsn (:meth:`advance_own`); then
        wait or idle."""
        k = self.actor(s)
        defn, new = self.advance_own(s, k, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED),
                                     "m_cl")
        guard = z3.And(s.fn("pc", k) == PAGES_ADDED,
                       self.st(s, k) < s.added + self.p.recent_closed_size, defn)
        added = {"added": z3.If(self.v8022, new, s.added)}
        idle = s.update(added, self._idle(s, k))
        closed = self._move(s, k, CLOSED, False).update(added)
        return guard, self._ite(s.fn("wait", k) == 0, idle, closed)

    def user_report_added(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_report_added (USR-4, CP-1, LNK-6, 9.0; spec.tracker.report_added =
        add_link_advance_tail with either link buffer, :meth:`advance_own`); then the thread
        waits (CLOSED) or, with wait "none", is idle."""
        k = self.actor(s)
        defn, new = self.advance_own(s, k, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED),
                                     "m_ra")
        idle = s.update({"added": new}, self._idle(s, k))
        closed = self._move(s, k, CLOSED, False).update({"added": new})
        return (z3.And(s.fn("pc", k) == PAGES_ADDED, defn),
                self._ite(s.fn("wait", k) == 0, idle, closed))

    def user_wait_reset_event(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_wait_reset_event (USR-7, decision 1)."""
        return self._user_step(s, lambda k: s.fn("pc", k) == CLOSED,
                               lambda k: self._move(s, k, RESET, False))

    def user_wait_check(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_wait_check (USR-5..7)."""
        k = self.actor(s)
        idle = s.update(f=self._idle(s, k))
        sleep = self._move(s, k, SLEEPING, s.fn("sig", k))
        return s.fn("pc", k) == RESET, self._ite(self.satisfied(s, k), idle, sleep)

    def user_wait_wake(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.user.user_wait_wake (USR-5, USR-7)."""
        return self._user_step(s, lambda k: z3.And(s.fn("pc", k) == SLEEPING, s.fn("sig", k)),
                               lambda k: self._move(s, k, CLOSED, False))

    def _signal(self, s: UState, kind: int, hit: Callable[[Term], z3.BoolRef]) -> Fn:
        """spec.notifier.signal_slots: the new ``sig`` function."""
        sig = s.f["sig"]

        def new(x: Term) -> z3.BoolRef:
            eligible = z3.And(self.at(s, x, RESET, SLEEPING), s.fn("wait", x) == kind)
            return z3.Or(sig(x), z3.And(eligible, hit(x)))

        return new

    def notify_advance(self, s: UState, kind: int, old: Int, new: Int,
                       changes: dict[str, Term]) -> UState:
        """spec.notifier.notify_advance (WR-8, FL-2, decision 3)."""
        direct = self.blk(old) == self.blk(new - 1)
        slot = self.slot_of_block(self.blk(old), kind)
        ev = "nwe" if kind == 1 else "nfe"
        d = s.update(changes, {"sig": self._signal(
            s, kind, lambda x: self.slot_of_block(self.ev_block(self.en(s, x)), kind) == slot)})
        n = s.update({**changes, ev: z3.BoolVal(True)})
        return self._ite(direct, d, n)

    def writer_traverse_links(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.writer.writer_traverse_links (WR-1, LNK-2, LNK-3), over-approximated as in
        :mod:`proofs.encoding` (exact: :mod:`proofs.writer_exact`)."""
        stop = s.wl + self.p.write_max_size
        m, defn = self.first_unlinked(s, (RESERVED, COPIED, FRG_SET), "m_rw")
        new = z3.Int(f"c_ready{s.tag}")
        guard = z3.And(defn, s.ready < stop, s.ready < new, new <= m,
                       z3.Or(new == m, new >= stop))
        return guard, s.update({"ready": new})

    def writer_write(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.writer.writer_write (WR-7, WR-8, WR-9) by its effect on write_lsn,
        over-approximated (exact: :mod:`proofs.writer_exact`)."""
        new = z3.Int(f"c_wl{s.tag}")
        guard = z3.And(s.wl < new, new <= s.ready, new <= self.capacity_limit(s))
        return guard, self.notify_advance(s, 1, s.wl, new, {"wl": new})

    def flusher_fsync(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.flusher.flusher_fsync (FL-1, FL-2)."""
        new = z3.Int(f"c_fl{s.tag}")
        guard = z3.And(s.fl < new, new <= s.wl)
        return guard, self.notify_advance(s, 2, s.fl, new, {"fl": new})

    def _notifier(self, s: UState, kind: int) -> tuple[z3.BoolRef, UState]:
        if kind == 1:
            ev, pos, lsn, evn, posn = s.nwe, s.nw, s.wl, "nwe", "nw"
        else:
            ev, pos, lsn, evn, posn = s.nfe, s.nf, s.fl, "nfe", "nf"
        behind = s.update({evn: z3.BoolVal(False)})
        notify = s.update({evn: z3.BoolVal(False), posn: lsn + 1}, {"sig": self._signal(
            s, kind, lambda x: self.notify_member(pos, lsn, self.en(s, x), kind))})
        return ev, self._ite(lsn < pos, behind, notify)

    def write_notifier_notify_slots(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.notifier.write_notifier_notify_slots (NT-1, NT-2, NT-4)."""
        return self._notifier(s, 1)

    def flush_notifier_notify_slots(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.notifier.flush_notifier_notify_slots (NT-5, NT-2, NT-4)."""
        return self._notifier(s, 2)

    def closer_traverse_links(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.closer.closer_traverse_links (CP-1, LNK-2, LNK-3)."""
        m, defn = self.first_unlinked(
            s, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED), "m_rc")
        return z3.And(defn, s.added < m), s.update({"added": m})

    def checkpointer_ask_smallest_not_added(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.checkpointer.checkpointer_ask_smallest_not_added (CP-1, CP-2, LNK-2, 9.0;
        spec.tracker.smallest_not_added_lsn): the tracker's advance_tail, the same relation as
        the 8.0 closer's traversal -- the tail moves to the first group not yet reported;
        guard: it moves."""
        m, defn = self.first_unlinked(
            s, (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED), "m_ask")
        return z3.And(defn, s.added < m), s.update({"added": m})

    def available_for_checkpoint(self, s: UState, ol: Int) -> Int:
        """spec.checkpointer.available_for_checkpoint_lsn (CP-2, CP-4, CP-7)."""
        last, dpa = s.cp, s.added
        lag = self.p.recent_closed_size
        lwm0 = z3.If(ol > lag, z3.If(last >= ol - lag, last, ol - lag), last)
        lwm = z3.If(ol == 0, dpa, z3.If(lwm0 <= dpa, lwm0, dpa))
        lsn = z3.If(lwm <= s.fl, lwm, s.fl)
        lsn = self.checkpoint_lsn_for(lsn)
        return z3.If(lsn >= last, lsn, last)

    def checkpointer_write_checkpoint(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.checkpointer.checkpointer_write_checkpoint (CP-2, CP-4, CP-7)."""
        ol, defn = self.oldest_lsn(s)
        a = self.available_for_checkpoint(s, ol)
        return z3.And(defn, s.pending == 0, a > s.cp), s.update({"pending": a})

    def checkpointer_sync_checkpoint(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.checkpointer.checkpointer_sync_checkpoint (CP-4)."""
        return s.pending != 0, s.update({"cp": s.pending, "pending": z3.IntVal(0)})

    def page_cleaner_flush_page(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.page_cleaner.page_cleaner_flush_page (CP-6): list ``li``'s tail page, if
        ``flushed >= newest``, is written (its page_lsn on disk becomes newest) and leaves the
        list; the next-earliest page of the list (chosen: the smallest stamp) becomes the tail,
        or the list is empty."""
        li = self.choice(f"c_list{s.tag}", FList)
        nxt = self.choice(f"c_next{s.tag}", Page)
        more = z3.Bool(f"c_more{s.tag}")
        pg = s.fn("tl", li)

        def rest(q: Term) -> z3.BoolRef:
            return z3.And(self.dirty(s, q), self.lst(q) == li, q != pg)

        guard = z3.And(
            s.fn("ne", li), self.wal_ok(s, pg),
            z3.If(more,
                  z3.And(rest(nxt), self.forall(Page, lambda q: z3.Implies(
                      rest(q), s.fn("stamp", nxt) <= s.fn("stamp", q)))),
                  self.forall(Page, lambda q: z3.Not(rest(q)))),
        )
        zero = z3.IntVal(0)
        f: dict[str, Fn] = {
            "newest": upd(s.f["newest"], pg, zero), "oldest": upd(s.f["oldest"], pg, zero),
            "stamp": upd(s.f["stamp"], pg, zero),
            "disk": upd(s.f["disk"], pg, s.fn("newest", pg)),
            "ne": upd(s.f["ne"], li, more),
            "tl": upd(s.f["tl"], li, z3.If(more, nxt, s.fn("tl", li))),
        }
        return guard, s.update(f=f)

    # --- crash and recovery (RC-1..4, CP-6) ---------------------------------------------------
    def _all_idle(self, s: UState) -> dict[str, Fn]:
        zero, idle = z3.IntVal(0), z3.IntVal(IDLE)
        return {"pc": lambda x: idle, "ssn": lambda x: zero, "size": lambda x: zero,
                "wait": lambda x: zero, "sig": lambda x: z3.BoolVal(False)}

    def crash(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.crash.crash (RC-4) on the encoded fields: every thread stops (idle), the
        pending checkpoint is gone; the log, the pages and flushed_to_disk_lsn stay. (The
        image -- which unsynced blocks survive -- is below this encoding: it only changes
        what :meth:`recover` may return, within its contract.) Only recover follows a crash
        in the spec; the proofs let every action follow it (more than the spec allows)."""
        return z3.BoolVal(True), s.update({"pending": z3.IntVal(0)}, self._all_idle(s))

    def recovery_contract(self, s: UState, r: Int) -> z3.BoolRef:
        """What byte-level recovery (spec.crash.recover_image, RC-1..4) returns as restart
        lsn ``r`` (spec.crash.restart_lsn), in this encoding's terms: not below the
        checkpoint it starts from (RC-1: ``max(checkpoint lsn, ..)``); not past write_lsn
        (it parses only groups the writer wrote) nor past one log capacity from the
        checkpoint's block (the scan's bound); and not below any group end at or below
        flushed_to_disk_lsn (RC-4: no durable group is lost, :meth:`durable_kept`). The last
        clause is the byte-level part of RC-4, which this encoding cannot see: the explorer
        checks it (``rc4_recovery_exact``, ``rc_restart_exact``), the cross-check tests
        check that the spec's recover satisfies this contract, and :meth:`recover` without
        it fails ``step.recover.durable`` and ``step.recover.cp6``."""
        return z3.And(s.cp <= r, r <= s.wl, r <= self.capacity_limit(s),
                      self.durable_kept(s, r))

    def durable_kept(self, s: UState, r: Int) -> z3.BoolRef:
        """RC-4: every group end at or below flushed_to_disk_lsn is at or below ``r``."""
        gend = s.f["gend"]
        lv = z3.Int(f"l_dur{s.tag}")
        return z3.ForAll([lv], z3.Implies(z3.And(gend(lv), lv <= s.fl), lv <= r),
                         patterns=[gend(lv)])

    def recover(self, s: UState) -> tuple[z3.BoolRef, UState]:
        """spec.crash.recover = recover_image then restart (RC-1..4, log_start): the log
        resumes at the restart lsn ``R`` (:meth:`recovery_contract`): ``sn = lsn_to_sn(R)``;
        buf_ready_for_write_lsn, the dirty-pages-added lsn, write_lsn and
        flushed_to_disk_lsn are ``R``, the notifiers start at ``R + 1``, threads idle, no
        checkpoint pending, the checkpoint the one recovery used (checkpoint_lsn); every page
        is clean and its lsn on disk is its old one or, if larger, the end of a recovered
        group (a group end at most ``R``; CP-6 after the restart is then a consequence of the
        contract, not an assumption); the group ends above ``R`` are gone (the next
        generation reserves those lsns again)."""
        r = z3.Int(f"c_restart{s.tag}")
        sn = z3.Int(f"c_sn{s.tag}")
        d = z3.Function(f"c_disk{s.tag}", Page, z3.IntSort())
        gend = s.f["gend"]
        guard = z3.And(
            self.recovery_contract(s, r),
            sn >= self.start_sn(), sn <= s.sn, self.lsn(sn) == r,
            self.forall(Page, lambda q: z3.And(
                s.fn("disk", q) <= d(q),
                z3.Or(d(q) == s.fn("disk", q), z3.And(gend(d(q)), d(q) <= r)))))
        zero = z3.IntVal(0)
        f = self._all_idle(s)
        f.update({
            "oldest": lambda q: zero, "newest": lambda q: zero, "stamp": lambda q: zero,
            "disk": lambda q: d(q), "ne": lambda li: z3.BoolVal(False),
            "gend": lambda lv: z3.And(gend(lv), lv <= r),
        })
        v = {"sn": sn, "ready": r, "added": r, "wl": r, "fl": r, "pending": zero,
             "nw": r + 1, "nf": r + 1, "nwe": z3.BoolVal(False), "nfe": z3.BoolVal(False)}
        return guard, s.update(v, f)


ACTION_NAMES: tuple[str, ...] = spec_action_names()
"""Every action of spec.model.default_actions, 8.0 and 9.0 (crash and recover excluded). A
configuration has the 8.0 three (user_add_dirty_pages,
user_add_recent_closed_link, closer_traverse_links) or the 9.0 three of the flush-list-added
tracker (user_wait_to_add, user_report_added, checkpointer_ask_smallest_not_added: CP-1,
CP-3, spec/tracker.py); each is proved to preserve every invariant."""

RESTART_NAMES: tuple[str, ...] = ("crash", "recover")
"""spec.crash's actions (offered when ``Params.explore_crashes``): every invariant holds after
a crash and after recovery and restart (:meth:`UEnc.recover` assumes recovery's contract,
:meth:`UEnc.recovery_contract`)."""

OVER_APPROXIMATED: frozenset[str] = frozenset({"writer_write", "writer_traverse_links"})
"""The relations that allow more than the spec; :mod:`proofs.writer_exact` has the exact ones
and proves that they imply these."""


def step(enc: UEnc, name: str, s: UState) -> tuple[z3.BoolRef, UState]:
    """The guard and post-state of spec action ``name`` from ``s``."""
    fn: Callable[[UState], tuple[z3.BoolRef, UState]] = getattr(enc, name)
    return fn(s)
