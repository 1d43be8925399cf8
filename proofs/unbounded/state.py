"""The unbounded encoding's sorts and state: threads, pages and flush lists as uninterpreted
sorts; a state as scalars and functions over them (see :mod:`proofs.unbounded`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

import z3

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


def no_group_ends(s: UState) -> z3.BoolRef:
    """Init: no group has been reserved, so no lsn is a group end."""
    lv = z3.Int(f"l_init{s.tag}")
    return z3.ForAll([lv], z3.Not(s.f["gend"](lv)))


