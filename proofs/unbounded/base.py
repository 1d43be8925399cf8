"""The unbounded encoding's primitives (the division functions, uninterpreted or real),
derived terms and Init (:class:`UEncBase`); the actions are :class:`proofs.unbounded.UEnc`."""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs import terms as T
from proofs.encoding import (
    IDLE,
    PARAM_RULES,
    member_term,
)
from proofs.params import SymParams
from proofs.primitives import Primitives
from proofs.unbounded.state import (
    Dom,
    FList,
    Int,
    Page,
    Term,
    Thread,
    UState,
    no_group_ends,
)


class UEncBase(Primitives):
    """Derived terms and Init over a :class:`SymParams` (the actions: :class:`UEnc`).

    ``abstract`` as in :class:`proofs.encoding.Enc`: the division functions are uninterpreted
    (with :meth:`facts`) or the real terms (concrete Params in tests)."""

    def __init__(self, p: SymParams | None = None, cap: Int | None = None,
                 abstract: bool = True, dom: Dom | None = None,
                 link_buf_8022: z3.BoolRef | None = None) -> None:
        self.p = p or SymParams()
        self.cap = cap if cap is not None else z3.Int("log_capacity")
        self.v8022 = link_buf_8022 if link_buf_8022 is not None else z3.Bool("link_buf_8022")
        """``Params.link_buf == "8.0.22"`` (LNK-6: a user whose link starts at the tail moves
        it; else stores the link and advances over links at or below its start); symbolic in
        the proofs, so they cover both link buffers."""
        self.abstract = abstract
        self.dom = dom or Dom()
        self.lst = z3.Function("lst", Page, FList)
        """The flush list of a page (static)."""
        self._declare_primitives()
        self.recording = True
        self.choices: list[Term] = []
        """Choice constants of the uninterpreted sorts (closed over a finite domain)."""

    # --- primitives ----------------------------------------------------------------------
    def _rec(self, kind: str, *args: Int) -> None:
        if self.recording:
            self.apps[kind].append(args)

    def lsn(self, sn: Int) -> Int:
        self._rec("lsn", sn)
        return self.f_lsn(sn) if self.abstract else T.sn_to_lsn(self.p, sn)

    def bstart(self, x: Int) -> Int:
        self._rec("bstart", x)
        return self.f_bstart(x) if self.abstract else T.block_start(self.p, x)

    def blk(self, x: Int) -> Int:
        self._rec("blk", x)
        return self.f_blk(x) if self.abstract else x / self.p.block_size

    def slot_of_block(self, b: Int, kind: int) -> Int:
        if self.abstract:
            return self.f_slot[kind](b)
        return b % (self.p.write_events if kind == 1 else self.p.flush_events)

    def ev_block(self, x: Int) -> Int:
        return self.blk(x - 1)

    def checkpoint_lsn_for(self, x: Int) -> Int:
        self._rec("cpf", x)
        return self.f_cpf(x) if self.abstract else T.checkpoint_lsn_for(self.p, x)

    def notify_member(self, pos: Int, new: Int, e: Int, kind: int) -> z3.BoolRef:
        self._rec("member", pos, new, e, z3.IntVal(kind))
        if self.abstract:
            return self.f_member[kind](pos, new, self.ev_block(e))
        return member_term(self.p, pos, new, e, kind)

    def start_sn(self) -> Int:
        if self.abstract:
            return self.v_start_sn
        return self.p.start_lsn / self.p.block_size * self.p.data_size

    def lsn0(self) -> Int:
        return self.p.start_lsn + self.p.header_size

    def choice(self, name: str, sort: z3.SortRef) -> Term:
        c = z3.Const(name, sort)
        self.choices.append(c)
        return c

    # --- derived terms ---------------------------------------------------------------------
    def cur(self, s: UState) -> Int:
        return self.lsn(s.sn)

    def st(self, s: UState, x: Term) -> Int:
        return self.lsn(s.fn("ssn", x))

    def en(self, s: UState, x: Term) -> Int:
        return self.lsn(s.fn("ssn", x) + s.fn("size", x))

    @staticmethod
    def at(s: UState, x: Term, *pcs: int) -> z3.BoolRef:
        pc = s.fn("pc", x)
        return z3.Or([pc == k for k in pcs])

    def dirty(self, s: UState, q: Term) -> z3.BoolRef:
        return s.fn("newest", q) != 0

    def capacity_limit(self, s: UState) -> Int:
        return self.bstart(s.cp) + self.cap

    def satisfied(self, s: UState, x: Term) -> z3.BoolRef:
        e = self.en(s, x)
        return z3.If(s.fn("wait", x) == 1, s.wl >= e, s.fl >= e)

    def params_ok(self) -> z3.BoolRef:
        p = self.p
        return z3.And(p.assume(*PARAM_RULES),
                      self.cap >= p.write_ahead_size + 3 * p.block_size + p.max_group_size)

    def forall(self, sort: z3.SortRef, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        """A quantifier whose body's applications are not ground (not recorded for facts)."""
        was = self.recording
        self.recording = bool(self.dom.finite.get(sort.name()))
        try:
            return self.dom.forall(sort, body)
        finally:
            self.recording = was

    def exists(self, sort: z3.SortRef, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        was = self.recording
        self.recording = bool(self.dom.finite.get(sort.name()))
        try:
            return self.dom.exists(sort, body)
        finally:
            self.recording = was

    def first_unlinked(self, s: UState, pcs: tuple[int, ...], name: str,
                       but: Term | None = None) -> tuple[Int, z3.BoolRef]:
        """``m``: the smallest start of a group whose thread is at one of ``pcs`` (other than
        thread ``but``, if given), or the current lsn (where a traversal stops, LNK-2), as a
        fresh constant and its definition (a witness thread attains it, or it is cur; no such
        group starts below it)."""
        m = z3.Int(f"{name}{s.tag}")
        w = self.choice(f"{name}_who{s.tag}", Thread)
        cur = self.cur(s)

        def open_(x: Term) -> z3.BoolRef:
            return self.at(s, x, *pcs) if but is None else z3.And(x != but, self.at(s, x, *pcs))

        defn = z3.And(
            m <= cur,
            z3.Or(m == cur, z3.And(open_(w), self.st(s, w) == m)),
            self.forall(Thread, lambda x: z3.Implies(open_(x), m <= self.st(s, x))),
        )
        return m, defn

    def oldest_lsn(self, s: UState) -> tuple[Int, z3.BoolRef]:
        """spec.checkpointer.oldest_lsn: the smallest oldest_modification of the lists' tails,
        0 with no dirty page -- a fresh constant and its definition (a witness list attains
        the minimum)."""
        ol = z3.Int(f"oldest_lsn{s.tag}")
        lw = self.choice(f"oldest_list{s.tag}", FList)
        tl, ne = s.f["tl"], s.f["ne"]
        defn = z3.Or(
            z3.And(self.forall(FList, lambda li: z3.Not(ne(li))), ol == 0),
            z3.And(ne(lw), ol == s.fn("oldest", tl(lw)),
                   self.forall(FList, lambda li: z3.Implies(ne(li),
                                                            ol <= s.fn("oldest", tl(li))))),
        )
        return ol, defn

    # --- Init ----------------------------------------------------------------------------------
    def init(self, s: UState) -> z3.BoolRef:
        """spec.state.initial_state on the encoded fields."""
        lsn0 = self.lsn0()
        cs = [s.sn == self.start_sn(), s.ready == lsn0, s.added == lsn0, s.wl == lsn0,
              s.fl == lsn0, s.cp == lsn0, s.pending == 0, s.nw == lsn0 + 1, s.nf == lsn0 + 1,
              z3.Not(s.nwe), z3.Not(s.nfe)]
        cs.append(self.forall(Thread, lambda x: z3.And(
            s.fn("pc", x) == IDLE, s.fn("ssn", x) == 0, s.fn("size", x) == 0,
            s.fn("wait", x) == 0, z3.Not(s.fn("sig", x)))))
        cs.append(self.forall(Page, lambda q: z3.And(
            s.fn("oldest", q) == 0, s.fn("newest", q) == 0, s.fn("disk", q) == 0,
            s.fn("stamp", q) == 0)))
        cs.append(self.forall(FList, lambda li: z3.Not(s.fn("ne", li))))
        cs.append(no_group_ends(s))
        return z3.And(cs)
