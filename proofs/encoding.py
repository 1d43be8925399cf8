"""The spec's state and actions as z3 transition relations, and the step obligations.

What is encoded
---------------
The *lsn-level* state: every field that SYS-1, LNK-5, SYS-2, NT-4 and SYS-4 mention, for the
shape of the ``tiny`` and ``small`` presets -- **2 user threads, 2 pages, 1 or 2 flush lists**
(``n_flush_lists`` is a symbolic variable in {1, 2}: with two lists page ``j`` is alone in list
``j``; with one list both pages share it, in the order they were added) -- and **every size
symbolic** (a :class:`SymParams` under the Params rules the proofs need, :data:`PARAM_RULES`),
every lsn an unbounded integer. Only the "seeds" link buffer is encoded; both versions' actions
(8.0 closer, 9.0 flush-list-added tracker: users' wait_to_add and report_added, the
checkpointer's ask) are.

=====================  ====================================================================
encoded (z3)           spec field
=====================  ====================================================================
``sn``                 ``State.sn``
``pc_i ssn_i size_i``  ``State.users[i]`` (pc as :data:`PCS`, wait as :data:`WAITS`)
``page_i wait_i sig_i``
``ready``              ``recent_written.tail`` (buf_ready_for_write_lsn)
``added``              ``recent_closed.tail`` (dirty-pages-added lsn, CP-1)
``wl``                 ``writer.write_lsn``
``fl``                 ``flushed_to_disk_lsn``
``cp pending``         ``checkpoint.checkpoint_lsn``, ``checkpoint.pending_lsn``
``nw nwe nf nfe``      ``notifiers`` (positions and events)
``oldest_j newest_j``  page ``j``'s oldest_modification in its flush list (0 when not in
                       it) and ``pages.newest[j]`` (0 = clean)
``early``              with one list holding both pages: the page added first (its tail)
=====================  ====================================================================

Not encoded: log buffer and file *bytes* (the byte-level checks of LNK-5, SYS-4, FMT and RC-4
stay with the explorer), the writer's file number and write_ahead_end (WR-6 is proved on the
writer's plan arithmetic by :mod:`proofs.writeahead`), checkpoint numbers and blocks, data-file
page lsns.

Link rings: encoded by their **tails** (LNK-2, LNK-3), not by a window of slots. The groups
reserved so far tile ``[lsn0, current lsn)``; a group has its recent-written link once its
user passed USR-3 and its recent-closed link once it passed USR-4, so a traversal that follows
links to the first missing one moves the tail to the start of the first group whose user has
not added the link yet, or to the current lsn. The closer's relation is exactly that; the
writer's traversal may also stop at any lsn at or past ``write_lsn + write_max_size`` (WR-1),
an over-approximation (sound for safety). That the spec's slot-level traversal satisfies these
relations is proved from a window-of-slots model of the ring by :mod:`proofs.ring` (the
``ring<C>.*_refines`` obligations) for the fixed capacities 2 and 4, and checked for the
presets' capacities by tests/proofs/test_encoding.py on random reachable states (conformance
direction 1) and by the explorer's ``lnk3_slots_cleared``.

writer_write is encoded by its effect on write_lsn (any advance up to buf_ready_for_write_lsn
and the capacity limit, WR-7, WR-9) and the notification (WR-8, decision 3): also an
over-approximation (:data:`OVER_APPROXIMATED`). The amount written comes from the write-ahead
plan, whose arithmetic :mod:`proofs.writeahead` proves.

Nonlinear arithmetic
--------------------
sn_to_lsn, block boundaries, event slots and the notifier's range divide by symbolic sizes. In
the step obligations (``abstract=True``) they are uninterpreted functions, and :func:`facts`
adds, for every application, instances of the lemmas of :mod:`proofs.lemmas` that state their
properties for the real functions (:data:`FACT_LEMMAS`); so each proof holds for the spec's
functions, and every query is in decidable, fast QF_UFLIA. With ``abstract=False`` the same
relations use the real terms (conformance tests, BMC with constant sizes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs import terms as T
from proofs.obligation import Obligation
from proofs.params import SymParams

N_USERS = 2
N_PAGES = 2

PCS: dict[str, int] = {
    "idle": 0, "reserved": 1, "copied": 2, "frg_set": 3, "linked": 4, "pages_added": 5,
    "closed": 6, "reset": 7, "sleeping": 8,
}
"""spec.state's user program counters as integers (in the order a group passes them)."""
PC_NAMES = {v: k for k, v in PCS.items()}
WAITS: dict[str, int] = {"none": 0, "write": 1, "flush": 2}
WAIT_NAMES = {v: k for k, v in WAITS.items()}

IDLE, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED, CLOSED, RESET, SLEEPING = range(9)
LATCHING = (RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED)
"""spec.user.LATCHING_PCS: the thread holds its page's latch."""

PARAM_RULES = (
    "positive.*", "header.min", "block.data", "start_lsn.aligned", "log_buffer.min",
    "write_max.min", "group.positive",
)
"""The Params rules the step obligations assume (linear ones; the others are not needed)."""


def member_term(p: SymParams, pos: z3.ArithRef, new: z3.ArithRef, e: z3.ArithRef,
                kind: int) -> z3.BoolRef:
    """The closed form of "``notify_range(pos, new, S)`` contains ``slot(e)``" (see
    :meth:`Enc.notify_member`), with the real division terms."""
    bs = p.block_size
    n = p.write_events if kind == 1 else p.flush_events
    b0 = (pos - 1) / bs
    b = (e - 1) / bs
    kmax = (T.align_up(new, bs) - pos) / bs
    return z3.And(kmax >= 0, z3.Or(kmax + 1 >= n, (b - b0) % n <= kmax))


def reserve_choices(t: St) -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef]:
    """user_reserve's choice variables for the step into ``t`` (named after ``t``'s tag, so
    that an unrolling has one set per step)."""
    return (z3.Int(f"c_size{t.tag}"), z3.Int(f"c_page{t.tag}"), z3.Int(f"c_wait{t.tag}"))


@dataclass
class User:
    pc: z3.ArithRef
    ssn: z3.ArithRef
    size: z3.ArithRef
    page: z3.ArithRef
    wait: z3.ArithRef
    sig: z3.BoolRef


@dataclass
class Page:
    oldest: z3.ArithRef
    newest: z3.ArithRef


class St:
    """One copy of the encoded state (z3 constants with a name suffix, e.g. ``wl'``)."""

    def __init__(self, tag: str) -> None:
        def i(n: str) -> z3.ArithRef:
            return z3.Int(f"{n}{tag}")

        self.tag = tag
        self.sn = i("sn")
        self.ready = i("ready")
        self.added = i("added")
        self.wl = i("wl")
        self.fl = i("fl")
        self.cp = i("cp")
        self.pending = i("pending")
        self.nw = i("nw")
        self.nwe = z3.Bool(f"nwe{tag}")
        self.nf = i("nf")
        self.nfe = z3.Bool(f"nfe{tag}")
        self.users = [
            User(i(f"pc{k}_"), i(f"ssn{k}_"), i(f"size{k}_"), i(f"page{k}_"), i(f"wait{k}_"),
                 z3.Bool(f"sig{k}_{tag}"))
            for k in range(N_USERS)
        ]
        self.pages = [Page(i(f"oldest{j}_"), i(f"newest{j}_")) for j in range(N_PAGES)]
        self.early = i("early")
        """With one flush list holding both pages: the page added first (the list's tail,
        which the page cleaner flushes and oldest_lsn reads); 0 otherwise."""

    def scalars(self) -> dict[str, z3.ExprRef]:
        """Every variable by its field name (for frames and decoding)."""
        out: dict[str, z3.ExprRef] = {
            "sn": self.sn, "ready": self.ready, "added": self.added, "wl": self.wl,
            "fl": self.fl, "cp": self.cp, "pending": self.pending, "nw": self.nw,
            "nwe": self.nwe, "nf": self.nf, "nfe": self.nfe,
        }
        for k, u in enumerate(self.users):
            for f in ("pc", "ssn", "size", "page", "wait", "sig"):
                out[f"{f}{k}"] = getattr(u, f)
        for j, pg in enumerate(self.pages):
            out[f"oldest{j}"] = pg.oldest
            out[f"newest{j}"] = pg.newest
        out["early"] = self.early
        return out


class Enc:
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
        self.apps: dict[str, list[tuple[z3.ArithRef, ...]]] = {
            "lsn": [], "bstart": [], "blk": [], "member": [], "cpf": []}
        i = z3.IntSort()
        self.f_lsn = z3.Function("sn_to_lsn", i, i)
        self.f_bstart = z3.Function("block_start", i, i)
        self.f_blk = z3.Function("block_of", i, i)
        self.f_slot = {1: z3.Function("write_slot", i, i), 2: z3.Function("flush_slot", i, i)}
        self.f_member = {1: z3.Function("write_notified", i, i, i, z3.BoolSort()),
                         2: z3.Function("flush_notified", i, i, i, z3.BoolSort())}
        self.f_cpf = z3.Function("checkpoint_lsn_for", i, i)
        self.v_start_sn = z3.Int("start_sn")

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
        return self.lsn(u.ssn)

    def end(self, u: User) -> z3.ArithRef:
        return self.lsn(u.ssn + u.size)

    def lsn0(self) -> z3.ArithRef:
        return self.p.start_lsn + self.p.header_size

    def capacity_limit(self, s: St) -> z3.ArithRef:
        """spec.user.capacity_limit: the block of checkpoint_lsn one lap later (WR-9)."""
        return self.bstart(s.cp) + self.cap

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
        cs = [s.sn == self.start_sn(), s.ready == lsn0, s.added == lsn0, s.wl == lsn0,
              s.fl == lsn0, s.cp == lsn0, s.pending == 0, s.nw == lsn0 + 1, s.nf == lsn0 + 1,
              z3.Not(s.nwe), z3.Not(s.nfe)]
        for u in s.users:
            cs += [u.pc == IDLE, u.ssn == 0, u.size == 0, u.page == 0, u.wait == 0,
                   z3.Not(u.sig)]
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
        return z3.If(u.wait == 1, s.wl >= e, s.fl >= e)

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
        return {f"{f}{k}" for f in ("pc", "ssn", "size", "page", "wait", "sig")}

    @staticmethod
    def set_user(t: St, k: int, pc: int | z3.ArithRef, ssn: z3.ArithRef, size: z3.ArithRef,
                 page: z3.ArithRef, wait: z3.ArithRef, sig: z3.BoolRef | bool) -> z3.BoolRef:
        u = t.users[k]
        return z3.And(u.pc == pc, u.ssn == ssn, u.size == size, u.page == page,
                      u.wait == wait, u.sig == sig)

    def set_idle(self, t: St, k: int) -> z3.BoolRef:
        """IDLE_USER: every field zero (spec.state.IDLE_USER)."""
        zero = z3.IntVal(0)
        return self.set_user(t, k, IDLE, zero, zero, zero, zero, False)

    def move(self, s: St, t: St, k: int, pc: int, sig: z3.BoolRef | bool | None = None
             ) -> z3.BoolRef:
        """User ``k`` moves to ``pc`` keeping its group (and ``sig`` unless given)."""
        u = s.users[k]
        return self.set_user(t, k, pc, u.ssn, u.size, u.page, u.wait,
                             u.sig if sig is None else sig)

    def signal(self, s: St, t: St, kind: int, hit: Callable[[User], z3.BoolRef],
               ) -> z3.BoolRef:
        """spec.notifier.signal_slots: every user at RESET or SLEEPING waiting for ``kind``
        whose slot is set (``hit``) gets ``signalled``; nothing else about users changes."""
        cs = []
        for k, u in enumerate(s.users):
            v = t.users[k]
            eligible = z3.And(self.in_pcs(u, RESET, SLEEPING), u.wait == kind)
            cs.append(z3.And(v.pc == u.pc, v.ssn == u.ssn, v.size == u.size,
                             v.page == u.page, v.wait == u.wait,
                             v.sig == z3.Or(u.sig, z3.And(eligible, hit(u)))))
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
        ev_s, ev_t = (s.nwe, t.nwe) if kind == 1 else (s.nfe, t.nfe)
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
        return rel, users_changed | {"nwe" if kind == 1 else "nfe"}

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
        return z3.And(a.pc == b.pc, a.ssn == b.ssn, a.size == b.size, a.page == b.page,
                      a.wait == b.wait, a.sig == b.sig)

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
                                < self.bstart(s.wl) + self.p.log_buffer_size),
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
        return self._user_step(s, t, lambda k, u: z3.And(u.pc == SLEEPING, u.sig),
                               lambda k, u: self.move(s, t, k, CLOSED, False))

    def writer_traverse_links(self, s: St, t: St) -> z3.BoolRef:
        """spec.writer.writer_traverse_links (WR-1, LNK-2, LNK-3), over-approximated (module
        docstring): the tail moves forward, not past the first group without its
        recent-written link, and stops there or at/after ``write_lsn + write_max_size``."""
        stop = s.wl + self.p.write_max_size
        m = self.first_unlinked(s, (RESERVED, COPIED, FRG_SET))
        return z3.And(s.ready < stop, s.ready < t.ready, t.ready <= m,
                      z3.Or(t.ready == m, t.ready >= stop), self.frame(s, t, {"ready"}))

    def writer_write(self, s: St, t: St) -> z3.BoolRef:
        """spec.writer.writer_write (WR-7, WR-8, WR-9), by its effect on write_lsn (module
        docstring): ``write_lsn < write_lsn' <= buf_ready_for_write_lsn`` and not past the
        capacity limit; then notify (decision 3)."""
        rel, changed = self.notify_advance(s, t, 1, s.wl, t.wl)
        return z3.And(s.wl < t.wl, t.wl <= s.ready, t.wl <= self.capacity_limit(s), rel,
                      self.frame(s, t, changed | {"wl"}))

    def flusher_fsync(self, s: St, t: St) -> z3.BoolRef:
        """spec.flusher.flusher_fsync (FL-1, FL-2): ``flushed := up_to`` with ``flushed <
        up_to <= write_lsn``; then notify (decision 3)."""
        rel, changed = self.notify_advance(s, t, 2, s.fl, t.fl)
        return z3.And(s.fl < t.fl, t.fl <= s.wl, rel, self.frame(s, t, changed | {"fl"}))

    def _notifier(self, s: St, t: St, kind: int) -> z3.BoolRef:
        if kind == 1:
            ev, ev2, pos, pos2, lsn = s.nwe, t.nwe, s.nw, t.nw, s.wl
            names = {"nwe", "nw"}
        else:
            ev, ev2, pos, pos2, lsn = s.nfe, t.nfe, s.nf, t.nf, s.fl
            names = {"nfe", "nf"}
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
        last, dpa, oldest = s.cp, s.added, self.oldest_lsn(s)
        lag = p.recent_closed_size
        lwm0 = z3.If(oldest > lag, z3.If(last >= oldest - lag, last, oldest - lag), last)
        lwm = z3.If(oldest == 0, dpa, z3.If(lwm0 <= dpa, lwm0, dpa))
        lsn = z3.If(lwm <= s.fl, lwm, s.fl)
        lsn = self.checkpoint_lsn_for(lsn)
        return z3.If(lsn >= last, lsn, last)

    def checkpointer_write_checkpoint(self, s: St, t: St) -> z3.BoolRef:
        """spec.checkpointer.checkpointer_write_checkpoint (CP-2, CP-4, CP-7): with no
        checkpoint pending and available_for_checkpoint_lsn above the last one, it becomes
        pending."""
        a = self.available_for_checkpoint(s)
        return z3.And(s.pending == 0, a > s.cp, t.pending == a,
                      self.frame(s, t, {"pending"}))

    def checkpointer_sync_checkpoint(self, s: St, t: St) -> z3.BoolRef:
        """spec.checkpointer.checkpointer_sync_checkpoint (CP-4): publish the pending one."""
        return z3.And(s.pending != 0, t.cp == s.pending, t.pending == 0,
                      self.frame(s, t, {"cp", "pending"}))

    def page_cleaner_flush_page(self, s: St, t: St) -> z3.BoolRef:
        """spec.page_cleaner.page_cleaner_flush_page (CP-6): the tail page of a flush list
        (two lists: page ``j`` of list ``j``; one list: its earliest-added page), if
        ``flushed >= newest``, is written and leaves the list (clean)."""
        alts = []
        for j, pg in enumerate(s.pages):
            others = [z3.And(t.pages[i].oldest == q.oldest, t.pages[i].newest == q.newest)
                      for i, q in enumerate(s.pages) if i != j]
            is_tail = z3.Or(z3.Not(self.one_list()), self.tail_page(s) == j)
            alts.append(z3.And(pg.newest != 0, is_tail, s.fl >= pg.newest,
                               t.pages[j].newest == 0, t.pages[j].oldest == 0, *others))
        pages = {f"{f}{j}" for j in range(N_PAGES) for f in ("oldest", "newest")} | {"early"}
        return z3.And(z3.Or(alts), t.early == 0, self.frame(s, t, pages))


ACTION_NAMES: tuple[str, ...] = (
    "user_reserve", "user_copy_to_log_buffer", "user_set_first_rec_group",
    "user_add_recent_written_link", "user_add_dirty_pages", "user_add_recent_closed_link",
    "user_wait_reset_event", "user_wait_check", "user_wait_wake",
    "writer_traverse_links", "writer_write", "flusher_fsync",
    "write_notifier_notify_slots", "flush_notifier_notify_slots",
    "closer_traverse_links", "checkpointer_write_checkpoint",
    "checkpointer_sync_checkpoint", "page_cleaner_flush_page",
    "user_wait_to_add", "user_report_added", "checkpointer_ask_smallest_not_added",
)
"""Every action of spec.model.default_actions (8.0 and 9.0; crash and recover excluded), by
name. A configuration has the 8.0 three (user_add_dirty_pages, user_add_recent_closed_link,
closer_traverse_links) or the 9.0 three (user_wait_to_add, user_report_added,
checkpointer_ask_smallest_not_added: spec/tracker.py)."""


OVER_APPROXIMATED: frozenset[str] = frozenset({"writer_write", "writer_traverse_links"})
"""Actions whose relation allows more than the spec does (module docstring): conformance
direction 2 ("every model is a spec successor") is not claimed for them."""


def relation(enc: Enc, name: str) -> Callable[[St, St], z3.BoolRef]:
    """The transition relation of spec action ``name``."""
    fn: Callable[[St, St], z3.BoolRef] = getattr(enc, name)
    return fn


# --- invariants -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inv:
    """A named state invariant of the encoding; ``aux`` marks the strengthening ones."""

    name: str
    ids: tuple[str, ...]
    formula: Callable[[Enc, St], z3.BoolRef]
    doc: str
    aux: bool = False


def _sys1(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.cp <= s.fl, s.fl <= s.wl, s.wl <= s.ready, s.ready <= e.cur(s))


def _lnk5(e: Enc, s: St) -> z3.BoolRef:
    return z3.And([z3.Implies(e.in_pcs(u, RESERVED, COPIED, FRG_SET), e.start(u) >= s.ready)
                   for u in s.users])


def _below_dirty(s: St, x: z3.ArithRef) -> z3.BoolRef:
    return z3.And([z3.Implies(pg.newest != 0, x <= pg.oldest) for pg in s.pages])


def _sys2(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.cp <= s.added, _below_dirty(s, s.cp),
                  z3.Implies(s.pending != 0,
                             z3.And(s.pending <= s.added, _below_dirty(s, s.pending))))


def _waiting_lost(e: Enc, s: St, u: User) -> z3.BoolRef:
    return z3.And(u.pc == SLEEPING, z3.Not(u.sig), e.satisfied(s, u))


def _nt4(e: Enc, s: St) -> z3.BoolRef:
    cs = []
    for u in s.users:
        end = e.end(u)
        ev = z3.If(u.wait == 1, s.nwe, s.nfe)
        pos = z3.If(u.wait == 1, s.nw, s.nf)
        cs.append(z3.Implies(_waiting_lost(e, s, u),
                             z3.And(ev, e.ev_block(pos) <= e.ev_block(end))))
    return z3.And(cs)


def _sys4(e: Enc, s: St) -> z3.BoolRef:
    buf = [z3.Implies(z3.And(e.in_pcs(u, *range(COPIED, SLEEPING + 1)), e.end(u) > s.wl),
                      e.bstart(e.end(u)) < e.bstart(s.wl) + e.p.log_buffer_size)
           for u in s.users]
    return z3.And(*buf, s.wl <= e.capacity_limit(s))


def _aux_users(e: Enc, s: St) -> z3.BoolRef:
    cs = []
    for u in s.users:
        busy = z3.And(
            u.size > 0, u.size <= e.p.max_group_size, u.ssn >= e.start_sn(),
            u.ssn + u.size <= s.sn, u.page >= 0, u.page < N_PAGES,
            z3.If(u.pc >= CLOSED, z3.Or(u.wait == 1, u.wait == 2),
                  z3.And(u.wait >= 0, u.wait <= 2)),
            z3.Implies(e.in_pcs(u, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED, CLOSED),
                       z3.Not(u.sig)),
        )
        idle = z3.And(u.ssn == 0, u.size == 0, u.page == 0, u.wait == 0, z3.Not(u.sig))
        cs.append(z3.And(u.pc >= IDLE, u.pc <= SLEEPING, z3.If(u.pc == IDLE, idle, busy)))
    a, b = s.users
    cs.append(z3.Implies(z3.And(a.pc != IDLE, b.pc != IDLE),
                         z3.Or(a.ssn + a.size <= b.ssn, b.ssn + b.size <= a.ssn)))
    cs.append(s.sn >= e.start_sn())
    return z3.And(cs)


def _aux_rc(e: Enc, s: St) -> z3.BoolRef:
    return z3.And(s.added <= e.cur(s), s.added >= e.lsn0(), s.cp >= e.lsn0(), *[
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
    return z3.Implies(s.pending != 0, z3.And(s.cp < s.pending, s.pending <= s.fl))


def _aux_notifiers(e: Enc, s: St) -> z3.BoolRef:
    cs = [s.nw <= s.wl + 1, s.nf <= s.fl + 1, s.nw > e.lsn0(), s.nf > e.lsn0()]
    for u in s.users:
        pos = z3.If(u.wait == 1, s.nw, s.nf)
        ev = z3.If(u.wait == 1, s.nwe, s.nfe)
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
    for inv in INVARIANTS:
        if inv.name == name:
            return inv
    raise KeyError(f"no invariant {name!r}; known: {', '.join(i.name for i in INVARIANTS)}")


def inv_all(e: Enc, s: St) -> z3.BoolRef:
    return z3.And([i.formula(e, s) for i in INVARIANTS])


# --- decoding counterexamples ---------------------------------------------------------------
def decode_state(model: z3.ModelRef, s: St) -> str:
    """A model's values of ``s`` written as the spec's State fields (users by pc name)."""

    def val(x: z3.ExprRef) -> str:
        v = model.eval(x, model_completion=True)
        return str(v)

    lines = [
        f"sn={val(s.sn)} recent_written.tail={val(s.ready)} recent_closed.tail={val(s.added)}"
        f" writer.write_lsn={val(s.wl)} flushed_to_disk_lsn={val(s.fl)}",
        f"checkpoint.checkpoint_lsn={val(s.cp)} checkpoint.pending_lsn={val(s.pending)} "
        f"notifiers=NotifierState(write_lsn={val(s.nw)}, write_event={val(s.nwe)}, "
        f"flush_lsn={val(s.nf)}, flush_event={val(s.nfe)})",
    ]
    for k, u in enumerate(s.users):
        pc = model.eval(u.pc, model_completion=True)
        wait = model.eval(u.wait, model_completion=True)
        pc_name = PC_NAMES.get(pc.as_long(), str(pc)) if z3.is_int_value(pc) else str(pc)
        wait_name = WAIT_NAMES.get(wait.as_long(), str(wait)) if z3.is_int_value(wait) \
            else str(wait)
        lines.append(f"users[{k}]=UserState(pc={pc_name!r}, start_sn={val(u.ssn)}, "
                     f"size={val(u.size)}, page={val(u.page)}, wait={wait_name!r}, "
                     f"signalled={val(u.sig)})")
    for j, pg in enumerate(s.pages):
        lines.append(f"page {j}: oldest_modification={val(pg.oldest)} "
                     f"newest={val(pg.newest)}")
    lines.append(f"flush list tail when one list holds both pages: page {val(s.early)}")
    return "\n".join(lines)


def decode_params(model: z3.ModelRef, p: SymParams) -> str:
    values = []
    for name, var in p.vars.items():
        v = model.eval(var, model_completion=False)
        if z3.is_int_value(v):
            values.append(f"{name}={v}")
    return "Params(" + ", ".join(values) + ")"


def step_decoder(action: str, inv: str) -> Callable[[z3.ModelRef], str]:
    """Renders a counterexample to induction: Params, the state before, the action, after."""

    def decode(model: z3.ModelRef) -> str:
        e, s, t = Enc(), St(""), St("'")
        return (f"{decode_params(model, e.p)}\nstate before (satisfies every invariant):\n"
                f"{decode_state(model, s)}\naction: {action}\nstate after (breaks {inv}):\n"
                f"{decode_state(model, t)}")

    return decode


def init_decoder(inv: str) -> Callable[[z3.ModelRef], str]:
    def decode(model: z3.ModelRef) -> str:
        e, s = Enc(), St("")
        return (f"{decode_params(model, e.p)}\ninitial state (breaks {inv}):\n"
                f"{decode_state(model, s)}")

    return decode


# --- facts: instances of proved lemmas for the uninterpreted functions -------------------------
def _unique(args: list[tuple[z3.ArithRef, ...]]) -> list[tuple[z3.ArithRef, ...]]:
    seen: dict[tuple[int, ...], tuple[z3.ArithRef, ...]] = {}
    for a in args:
        seen.setdefault(tuple(x.hash() for x in a), a)
    return list(seen.values())


FACT_LEMMAS: tuple[str, ...] = (
    "lemma.sn_to_lsn_monotone", "lemma.start_sn_translation", "lemma.block_start_bounds",
    "lemma.block_start_monotone", "lemma.div_monotone", "lemma.notify_member_covers",
    "lemma.checkpoint_adjustment_not_above",
)
"""The lemmas whose instances :func:`facts` adds (all proved in :mod:`proofs.lemmas`)."""


def facts(e: Enc) -> z3.BoolRef:
    """In abstract mode, the facts the step proofs may use about the uninterpreted functions,
    for every application the formula built so far made: each is an instance of one of
    :data:`FACT_LEMMAS`, proved for the real functions, so a proof under these facts holds
    for the spec's functions. (Pairwise facts make this quadratic in the number of
    applications; there are a few dozen.)"""
    if not e.abstract:
        return z3.BoolVal(True)
    p = e.p
    bs = p.block_size
    cs: list[z3.BoolRef] = [
        # lemma.start_sn_translation
        e.f_lsn(e.v_start_sn) == p.start_lsn + p.header_size, e.v_start_sn >= 0,
    ]
    lsn_args = _unique([*e.apps["lsn"], (e.v_start_sn,)])
    for i, (a,) in enumerate(lsn_args):  # lemma.sn_to_lsn_monotone
        for (b,) in lsn_args[i + 1:]:
            cs.append(z3.Implies(a < b, e.f_lsn(a) < e.f_lsn(b)))
            cs.append(z3.Implies(b < a, e.f_lsn(b) < e.f_lsn(a)))
    bst = _unique(e.apps["bstart"])
    for (x,) in bst:  # lemma.block_start_bounds
        cs.append(z3.And(e.f_bstart(x) <= x, e.f_bstart(x) > x - bs))
    for i, (a,) in enumerate(bst):  # lemma.block_start_monotone
        for (b,) in bst[i + 1:]:
            cs.append(z3.Implies(a <= b, e.f_bstart(a) <= e.f_bstart(b)))
            cs.append(z3.Implies(b <= a, e.f_bstart(b) <= e.f_bstart(a)))
    blks = _unique(e.apps["blk"])
    for i, (a,) in enumerate(blks):  # lemma.div_monotone
        for (b,) in blks[i + 1:]:
            cs.append(z3.Implies(a <= b, e.f_blk(a) <= e.f_blk(b)))
            cs.append(z3.Implies(b <= a, e.f_blk(b) <= e.f_blk(a)))
    for pos, new, x, kind in _unique(e.apps["member"]):  # lemma.notify_member_covers
        k = kind.as_long()
        cs.append(z3.Implies(z3.And(pos >= 1, pos <= x, x <= new),
                             e.f_member[k](pos, new, e.f_blk(x - 1))))
    for (x,) in _unique(e.apps["cpf"]):  # lemma.checkpoint_adjustment_not_above
        cs.append(e.f_cpf(x) <= x)
    return z3.And(cs)


# --- obligations ----------------------------------------------------------------------------
EncFactory = Callable[[], Enc]


def init_formula(inv: Inv, make: EncFactory = Enc) -> Callable[[], z3.BoolRef]:
    """Init and not ``inv``: unsat proves ``Init => inv``."""

    def build() -> z3.BoolRef:
        e, s = make(), St("")
        body = z3.And(e.params_ok(), e.init(s), z3.Not(inv.formula(e, s)))
        return z3.And(body, facts(e))

    return build


def step_formula(action: str, inv: Inv, make: EncFactory = Enc) -> Callable[[], z3.BoolRef]:
    """Every invariant, the action, and not ``inv`` after it: unsat proves that ``action``
    preserves ``inv`` (given all invariants before). ``make`` builds the encoding (the teeth
    tests pass one with a weakened guard)."""

    def build() -> z3.BoolRef:
        e, s, t = make(), St(""), St("'")
        body = z3.And(e.params_ok(), inv_all(e, s), relation(e, action)(s, t),
                      z3.Not(inv.formula(e, t)))
        return z3.And(body, facts(e))

    return build


def obligations() -> list[Obligation]:
    """``init.<inv>`` and ``step.<action>.<inv>`` for every invariant (main and auxiliary)
    and every action."""
    out: list[Obligation] = []
    for inv in INVARIANTS:
        out.append(Obligation(f"init.{inv.name}", inv.ids, init_formula(inv), inv.doc,
                              decode=init_decoder(inv.name)))
    for action in ACTION_NAMES:
        for inv in INVARIANTS:
            out.append(Obligation(f"step.{action}.{inv.name}", inv.ids,
                                  step_formula(action, inv), inv.doc,
                                  decode=step_decoder(action, inv.name)))
    return out
