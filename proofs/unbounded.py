"""The spec's state and actions over *any* number of user threads, pages and flush lists.

:mod:`proofs.encoding` proves the step obligations for 2 users, 2 pages and 1 or 2 flush lists:
one z3 constant per field of each thread and page. This module encodes the same lsn-level
state Ivy/mypyvy style (issue 14 item 1): threads, pages and flush lists are *uninterpreted
sorts* (:data:`Thread`, :data:`Page`, :data:`FList`) of unknown, unbounded size, per-thread and
per-page fields are functions over them, and every invariant is universally quantified over
them. An obligation ``Inv and Action => Inv'`` that z3 answers ``unsat`` therefore holds for
every number of users, pages and flush lists and every assignment of pages to lists (the spec's
``page % n_flush_lists`` is one of them) -- and every size symbolic, as before.

=======================  ===================================================================
encoded (z3)             spec field
=======================  ===================================================================
``sn ready added``       sn, buf_ready_for_write_lsn, the dirty-pages-added lsn
``wl fl cp pending``     write_lsn, flushed_to_disk_lsn, checkpoint_lsn, pending_lsn
``nw nwe nf nfe``        the write/flush notifiers' positions and events
``pc ssn size page wait  ``State.users[x]`` for a thread ``x`` (``ssn`` = start_sn, ``sig`` =
sig`` (Thread -> .)      signalled; ``page`` maps to the Page sort; an idle thread's page is
                         not compared)
``gend`` (Int -> Bool)   the lsns at which a reserved group ends (the spec's ``groups``)
``oldest newest``        page ``p``'s oldest_modification in its flush list (0 when clean)
(Page -> Int)            and ``pages.newest[p]``
``disk`` (Page -> Int)   ``pages.on_disk[p]``: the page_lsn in the data file (CP-6)
``stamp`` (Page -> Int)  the order in which dirty pages entered their flush list (smaller =
                         earlier = nearer the list's tail); only the order is spec data
``lst`` (Page -> FList)  the flush list of a page (static: ``page % n_flush_lists``)
``ne tl`` (FList -> .)   the list is non-empty; its tail page (the earliest added)
=======================  ===================================================================

States and actions
------------------
A state is a :class:`UState`: scalars and Python callables returning the value of a function at
a term. An action returns its guard and the *post-state as terms of the pre-state* (functional
update ``lambda x: If(x == k, v, f(x))``), so relations need no frame axioms; nondeterministic
choices (the acting thread, sizes, the new tail ...) are constants named after the step. The
relations are the same as :mod:`proofs.encoding`'s -- exact except the two writer actions,
which over-approximate (:mod:`proofs.writer_exact` gives their exact relations and proves that
they imply these). 9.0's flush-list-added tracker (spec/tracker.py: user_wait_to_add,
user_report_added, checkpointer_ask_smallest_not_added) is encoded as :mod:`proofs.encoding`
encodes it: the tail moves to the first group not yet reported when someone asks, and a report
moves it past the reporter's range only when no unreported group lies below.

Quantifiers and decidability
----------------------------
Every invariant is ``forall x1..xn: body`` over the sorts (at most two variables), with the
bound variables only as arguments of uninterpreted functions (the "essentially uninterpreted"
fragment, for which z3's model-based quantifier instantiation is complete). The negated goal
is skolemized by hand (fresh constants), and the hypotheses are kept quantified *and* also
instantiated at the ground terms of the query (the skolems, the acting thread, the pages and
lists they touch): the division functions (sn_to_lsn, block_start, block numbers, slots) are
uninterpreted as in :mod:`proofs.encoding`, and :func:`UEnc.facts` adds instances of the proved
lemmas (:data:`proofs.encoding.FACT_LEMMAS`) for every *ground* application, so the explicit
instances carry the arithmetic facts. Each query has its own timeout; ``unknown`` is a failure.

With ``Dom.finite`` the same formulas quantify over a list of constants instead (a concrete
number of threads/pages/lists): the conformance tests and the teeth tests' concrete
counterexamples use it with the real division terms.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import z3

from proofs import terms as T
from proofs.encoding import (
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LATCHING,
    LINKED,
    PAGES_ADDED,
    PARAM_RULES,
    RESERVED,
    RESET,
    SLEEPING,
    member_term,
    spec_action_names,
)
from proofs.obligation import Obligation
from proofs.params import SymParams

Thread = z3.DeclareSort("Thread")
Page = z3.DeclareSort("Page")
FList = z3.DeclareSort("FList")

Int: TypeAlias = z3.ArithRef
Term: TypeAlias = z3.ExprRef
Fn: TypeAlias = Callable[[Term], z3.ExprRef]


# --- domains: symbolic (quantifiers) or finite (lists of constants) ----------------------------
@dataclass
class Dom:
    """How ``forall``/``exists`` over a sort are written: z3 quantifiers (``finite`` empty), or
    conjunctions/disjunctions over given constants of each sort (a concrete number of threads,
    pages and lists)."""

    finite: dict[str, list[Term]] = field(default_factory=dict)
    _n: itertools.count[int] = field(default_factory=itertools.count)

    def forall(self, sort: z3.SortRef, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        if sort.name() in self.finite:
            return z3.And([body(c) for c in self.finite[sort.name()]])
        x = z3.Const(f"bv{next(self._n)}_{sort.name()}", sort)
        return z3.ForAll([x], body(x))

    def exists(self, sort: z3.SortRef, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        if sort.name() in self.finite:
            return z3.Or([body(c) for c in self.finite[sort.name()]])
        x = z3.Const(f"bv{next(self._n)}_{sort.name()}", sort)
        return z3.Exists([x], body(x))

    def closure(self, c: Term) -> z3.BoolRef:
        """``c`` is one of the finite domain's constants (True for a symbolic sort)."""
        consts = self.finite.get(c.sort().name())
        return z3.Or([c == d for d in consts]) if consts else z3.BoolVal(True)

    def distinct(self) -> z3.BoolRef:
        return z3.And([z3.Distinct(*cs) if len(cs) > 1 else z3.BoolVal(True)
                       for cs in self.finite.values()])


def finite_dom(n_threads: int, n_pages: int, n_lists: int) -> Dom:
    """A domain of ``th0..``, ``pg0..``, ``fl0..`` constants."""
    return Dom({
        "Thread": [z3.Const(f"th{i}", Thread) for i in range(n_threads)],
        "Page": [z3.Const(f"pg{i}", Page) for i in range(n_pages)],
        "FList": [z3.Const(f"fl{i}", FList) for i in range(n_lists)],
    })


# --- the state --------------------------------------------------------------------------------
SCALARS: tuple[str, ...] = ("sn", "ready", "added", "wl", "fl", "cp", "pending", "nw", "nf")
BOOLS: tuple[str, ...] = ("nwe", "nfe")
THREAD_INT: tuple[str, ...] = ("pc", "ssn", "size", "wait")
PAGE_INT: tuple[str, ...] = ("oldest", "newest", "disk", "stamp")


@dataclass
class UState:
    """One state: scalars (z3 terms) and per-thread/page/list functions (Python callables)."""

    tag: str
    v: dict[str, Term]
    f: dict[str, Fn]
    decls: dict[str, z3.FuncDeclRef] = field(default_factory=dict)

    @classmethod
    def fresh(cls, tag: str) -> UState:
        """A state of fresh z3 constants and functions suffixed with ``tag``."""
        v: dict[str, Term] = {n: z3.Int(f"{n}{tag}") for n in SCALARS}
        v.update({n: z3.Bool(f"{n}{tag}") for n in BOOLS})
        decls: dict[str, z3.FuncDeclRef] = {}
        for n in THREAD_INT:
            decls[n] = z3.Function(f"{n}{tag}", Thread, z3.IntSort())
        decls["page"] = z3.Function(f"page{tag}", Thread, Page)
        decls["sig"] = z3.Function(f"sig{tag}", Thread, z3.BoolSort())
        decls["gend"] = z3.Function(f"gend{tag}", z3.IntSort(), z3.BoolSort())
        for n in PAGE_INT:
            decls[n] = z3.Function(f"{n}{tag}", Page, z3.IntSort())
        decls["ne"] = z3.Function(f"ne{tag}", FList, z3.BoolSort())
        decls["tl"] = z3.Function(f"tl{tag}", FList, Page)
        f: dict[str, Fn] = {n: d for n, d in decls.items()}
        return cls(tag, v, f, decls)

    def __getattr__(self, name: str) -> Term:
        try:
            return self.__dict__["v"][name]
        except KeyError:
            raise AttributeError(name) from None

    def fn(self, name: str, x: Term) -> z3.ExprRef:
        return self.f[name](x)

    def update(self, v: dict[str, Term] | None = None, f: dict[str, Fn] | None = None
               ) -> UState:
        """A post-state: this state with the given scalars and functions replaced."""
        return UState(self.tag + "'", {**self.v, **(v or {})}, {**self.f, **(f or {})})


def upd(fn: Fn, k: Term, value: Term) -> Fn:
    """``fn`` with ``fn(k) = value`` (functional update)."""
    return lambda x: z3.If(x == k, value, fn(x))


def upd_thread(s: UState, k: Term, **values: Term) -> dict[str, Fn]:
    """The thread functions of ``s`` with thread ``k``'s fields set to ``values``."""
    return {n: upd(s.f[n], k, val) for n, val in values.items()}


# --- the encoding ------------------------------------------------------------------------------
class UEnc:
    """Derived terms, Init, actions and invariants over a :class:`SymParams`.

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
        i = z3.IntSort()
        self.f_lsn = z3.Function("sn_to_lsn", i, i)
        self.f_bstart = z3.Function("block_start", i, i)
        self.f_blk = z3.Function("block_of", i, i)
        self.f_slot = {1: z3.Function("write_slot", i, i), 2: z3.Function("flush_slot", i, i)}
        self.f_member = {1: z3.Function("write_notified", i, i, i, z3.BoolSort()),
                         2: z3.Function("flush_notified", i, i, i, z3.BoolSort())}
        self.f_cpf = z3.Function("checkpoint_lsn_for", i, i)
        self.v_start_sn = z3.Int("start_sn")
        self.recording = True
        self.apps: dict[str, list[tuple[Int, ...]]] = {
            "lsn": [], "bstart": [], "blk": [], "member": [], "cpf": []}
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


def no_group_ends(s: UState) -> z3.BoolRef:
    """Init: no group has been reserved, so no lsn is a group end."""
    lv = z3.Int(f"l_init{s.tag}")
    return z3.ForAll([lv], z3.Not(s.f["gend"](lv)))


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


# --- invariants: bodies over bound terms -------------------------------------------------------
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
    for inv in INVARIANTS:
        if inv.name == name:
            return inv
    raise KeyError(f"no invariant {name!r}; known: {', '.join(i.name for i in INVARIANTS)}")


def holds(e: UEnc, inv: UInv, s: UState) -> z3.BoolRef:
    """``forall vars: body`` (quantified, or a conjunction over a finite domain)."""
    def go(bound: tuple[Term, ...], rest: tuple[z3.SortRef, ...]) -> z3.BoolRef:
        if not rest:
            return inv.body(e, s, *bound)
        return e.forall(rest[0], lambda x: go((*bound, x), rest[1:]))

    return go((), inv.sorts)


def inv_all(e: UEnc, s: UState, exclude: Sequence[str] = ()) -> z3.BoolRef:
    return z3.And([holds(e, i, s) for i in INVARIANTS if i.name not in exclude])


# --- ground instances and facts -----------------------------------------------------------------
def _ground_terms(e: UEnc, s: UState, seeds: dict[str, list[Term]]) -> dict[str, list[Term]]:
    """The thread, page and list terms to instantiate hypotheses at: the seeds (skolems,
    choices), the pages of those threads, the lists of those pages and their tails."""
    ths = list(seeds.get("Thread", []))
    pgs = list(seeds.get("Page", [])) + [s.decls["page"](x) for x in ths]
    lis = list(seeds.get("FList", [])) + [e.lst(q) for q in pgs]
    pgs += [s.decls["tl"](li) for li in lis]
    return {"Thread": _dedup(ths), "Page": _dedup(pgs), "FList": _dedup(lis)}


def _dedup(xs: list[Term]) -> list[Term]:
    seen: dict[int, Term] = {}
    for x in xs:
        seen.setdefault(x.hash(), x)
    return list(seen.values())


def instances(e: UEnc, s: UState, ground: dict[str, list[Term]],
              invs: Sequence[UInv] = INVARIANTS) -> z3.BoolRef:
    """Every invariant of ``invs`` at every tuple of ground terms of its sorts (implied by
    the quantified invariant: sound to add; recorded for :meth:`UEnc.facts`)."""
    cs = []
    for inv in invs:
        pools = [ground.get(srt.name(), []) for srt in inv.sorts]
        for args in itertools.product(*pools):
            cs.append(inv.body(e, s, *args))
    return z3.And(cs)


def _unique(args: list[tuple[Int, ...]]) -> list[tuple[Int, ...]]:
    seen: dict[tuple[int, ...], tuple[Int, ...]] = {}
    for a in args:
        seen.setdefault(tuple(x.hash() for x in a), a)
    return list(seen.values())


def facts(e: UEnc) -> z3.BoolRef:
    """Instances of :data:`proofs.encoding.FACT_LEMMAS` for every ground application recorded
    (as :func:`proofs.encoding.facts`)."""
    if not e.abstract:
        return z3.BoolVal(True)
    p = e.p
    bs = p.block_size
    cs: list[z3.BoolRef] = [e.f_lsn(e.v_start_sn) == p.start_lsn + p.header_size,
                            e.v_start_sn >= 0]
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


# --- obligations ---------------------------------------------------------------------------------
def skolems(inv: UInv, tag: str = "") -> tuple[Term, ...]:
    return tuple(z3.Const(f"sk{i}_{srt.name()}{tag}", srt) for i, srt in enumerate(inv.sorts))


UEncFactory: TypeAlias = Callable[[], UEnc]


def init_formula(inv: UInv, make: UEncFactory = UEnc) -> Callable[[], z3.BoolRef]:
    """Init and not ``inv`` (skolemized): unsat proves ``Init => inv`` for every size of the
    sorts."""
    def build() -> z3.BoolRef:
        e, s = make(), UState.fresh("")
        sk = skolems(inv)
        init = e.init(s)
        ground = _ground_terms(e, s, _by_sort(sk))
        init_inst = _init_instances(e, s, ground)
        goal = z3.Not(inv.body(e, s, *sk))
        return z3.And(e.params_ok(), init, init_inst, goal, facts(e))

    return build


def _init_instances(e: UEnc, s: UState, ground: dict[str, list[Term]]) -> z3.BoolRef:
    cs = []
    for x in ground["Thread"]:
        cs.append(z3.And(s.fn("pc", x) == IDLE, s.fn("ssn", x) == 0, s.fn("size", x) == 0,
                         s.fn("wait", x) == 0, z3.Not(s.fn("sig", x))))
    for q in ground["Page"]:
        cs.append(z3.And(s.fn("oldest", q) == 0, s.fn("newest", q) == 0,
                         s.fn("disk", q) == 0, s.fn("stamp", q) == 0))
    for li in ground["FList"]:
        cs.append(z3.Not(s.fn("ne", li)))
    return z3.And(cs)


def _by_sort(terms: Sequence[Term]) -> dict[str, list[Term]]:
    out: dict[str, list[Term]] = {}
    for t in terms:
        out.setdefault(t.sort().name(), []).append(t)
    return out


SKOLEM_SORTS: tuple[z3.SortRef, ...] = (Thread, Thread, Page, Page, FList)
"""One set of skolem constants shared by every goal of an action (the invariants have at most
two variables of a sort), so that an action's hypotheses, instances and facts are built once
per worker process and shared by its obligations (:func:`action_query`)."""


def _skolem_pool() -> dict[str, list[Term]]:
    out: dict[str, list[Term]] = {}
    for i, srt in enumerate(SKOLEM_SORTS):
        out.setdefault(srt.name(), []).append(z3.Const(f"sk{i}_{srt.name()}", srt))
    return out


def _goal_args(inv: UInv, pool: dict[str, list[Term]]) -> tuple[Term, ...]:
    used: dict[str, int] = {}
    args = []
    for srt in inv.sorts:
        n = used.get(srt.name(), 0)
        args.append(pool[srt.name()][n])
        used[srt.name()] = n + 1
    return tuple(args)


def action_query(action: str, make: UEncFactory = UEnc
                 ) -> tuple[z3.BoolRef, dict[str, z3.BoolRef]]:
    """The hypothesis of every step obligation of ``action`` -- Params rules, every invariant
    before (quantified), the action, the invariants' instances at the ground terms, the lemma
    facts -- and, per invariant, its negated goal after the step at the shared skolems."""
    e, s = make(), UState.fresh("")
    hyp = inv_all(e, s)
    guard, t = step(e, action, s)
    pool = _skolem_pool()
    goals = {inv.name: z3.Not(inv.body(e, t, *_goal_args(inv, pool))) for inv in INVARIANTS}
    goals[DURABLE] = z3.Not(durable_goal(s, t))
    seeds = {k: list(v) for k, v in pool.items()}
    for c in e.choices:
        seeds.setdefault(c.sort().name(), []).append(c)
    ground = _ground_terms(e, s, seeds)
    inst = instances(e, s, ground)
    return z3.And(e.params_ok(), hyp, guard, inst, facts(e)), goals


_QUERIES: dict[str, tuple[z3.BoolRef, dict[str, z3.BoolRef]]] = {}


def step_formula(action: str, inv: UInv, make: UEncFactory | None = None
                 ) -> Callable[[], z3.BoolRef]:
    """Every invariant, the action, and not ``inv`` after it (skolemized): unsat proves that
    ``action`` preserves ``inv`` for any number of threads, pages and lists. With the default
    encoding the action's query is built once per process (:func:`action_query`)."""
    def build() -> z3.BoolRef:
        if make is not None:
            hyp, goals = action_query(action, make)
        else:
            if action not in _QUERIES:
                _QUERIES[action] = action_query(action)
            hyp, goals = _QUERIES[action]
        return z3.And(hyp, goals[inv.name])

    return build


DURABLE = "durable"
"""The name of the step goal "a durable commit stays durable" (:func:`durable_goal`)."""

DURABLE_DOC = ("RC-4: a durable commit stays durable: a group end at or below "
               "flushed_to_disk_lsn is, after the step, still a group end at or below "
               "flushed_to_disk_lsn -- across a crash and a recovery too (recovery never "
               "goes below a durable commit).")


def durable_goal(s: UState, t: UState) -> z3.BoolRef:
    """For an arbitrary lsn ``g``: if ``g`` is a group end at or below flushed_to_disk_lsn
    before the step, it is one after it."""
    g = z3.Int("g_durable")
    return z3.Implies(z3.And(s.f["gend"](g), g <= s.fl), z3.And(t.f["gend"](g), g <= t.fl))


def obligations() -> list[Obligation]:
    """``init.<inv>`` and ``step.<action>.<inv>`` for every invariant and action: scope
    unbounded (any number of threads, pages, flush lists). They take the names of
    :mod:`proofs.encoding`'s bounded obligations, which the registry then drops."""
    out: list[Obligation] = []
    for inv in INVARIANTS:
        out.append(Obligation(f"init.{inv.name}", inv.ids, init_formula(inv), inv.doc))
    for action in (*ACTION_NAMES, *RESTART_NAMES):
        for inv in INVARIANTS:
            out.append(Obligation(f"step.{action}.{inv.name}", inv.ids,
                                  _goal(action, inv.name), inv.doc,
                                  session=f"unbounded.{action}", shared=_hyp(action)))
        out.append(Obligation(f"step.{action}.{DURABLE}", ("RC-4",), _goal(action, DURABLE),
                              DURABLE_DOC, session=f"unbounded.{action}",
                              shared=_hyp(action)))
    return out


def _cached(action: str) -> tuple[z3.BoolRef, dict[str, z3.BoolRef]]:
    if action not in _QUERIES:
        _QUERIES[action] = action_query(action)
    return _QUERIES[action]


def _hyp(action: str) -> Callable[[], z3.BoolRef]:
    return lambda: _cached(action)[0]


def _goal(action: str, inv: str) -> Callable[[], z3.BoolRef]:
    return lambda: _cached(action)[1][inv]
