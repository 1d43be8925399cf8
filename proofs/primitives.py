"""The nonlinear primitives both encodings share, and the lemma facts about them.

The spec's lsn arithmetic divides by the block size and maps sn to lsn; in the proofs these are
uninterpreted functions (``abstract`` mode), and every application the formula makes is
recorded in ``apps``, so that :meth:`Primitives.fact_instances` can add, for exactly those
applications, the instances of the lemmas proved for the real functions in
:mod:`proofs.lemmas` (:data:`FACT_LEMMAS`). A proof under these facts therefore holds for the
spec's functions. The bounded encoding (:class:`proofs.encoding.Enc`) and the unbounded one
(:class:`proofs.unbounded.base.UEncBase`) both inherit this class.
"""

from __future__ import annotations

import z3

from proofs.params import SymParams

FACT_LEMMAS: tuple[str, ...] = (
    "lemma.sn_to_lsn_monotone", "lemma.start_sn_translation", "lemma.block_start_bounds",
    "lemma.block_start_monotone", "lemma.div_monotone", "lemma.notify_member_covers",
    "lemma.checkpoint_adjustment_not_above",
)
"""The lemmas whose instances :meth:`Primitives.fact_instances` adds (all proved in
:mod:`proofs.lemmas`)."""


def unique(args: list[tuple[z3.ArithRef, ...]]) -> list[tuple[z3.ArithRef, ...]]:
    """``args`` without repeats (z3 terms compared structurally, first one kept)."""
    seen: dict[tuple[int, ...], tuple[z3.ArithRef, ...]] = {}
    for a in args:
        seen.setdefault(tuple(x.hash() for x in a), a)
    return list(seen.values())


class Primitives:
    """The uninterpreted functions of the lsn arithmetic and the applications recorded."""

    p: SymParams
    abstract: bool
    apps: dict[str, list[tuple[z3.ArithRef, ...]]]
    f_lsn: z3.FuncDeclRef
    f_bstart: z3.FuncDeclRef
    f_blk: z3.FuncDeclRef
    f_slot: dict[int, z3.FuncDeclRef]
    f_member: dict[int, z3.FuncDeclRef]
    f_cpf: z3.FuncDeclRef
    v_start_sn: z3.ArithRef

    def _declare_primitives(self) -> None:
        self.apps = {"lsn": [], "bstart": [], "blk": [], "member": [], "cpf": []}
        i = z3.IntSort()
        self.f_lsn = z3.Function("sn_to_lsn", i, i)
        self.f_bstart = z3.Function("block_start", i, i)
        self.f_blk = z3.Function("block_of", i, i)
        self.f_slot = {1: z3.Function("write_slot", i, i), 2: z3.Function("flush_slot", i, i)}
        self.f_member = {1: z3.Function("write_notified", i, i, i, z3.BoolSort()),
                         2: z3.Function("flush_notified", i, i, i, z3.BoolSort())}
        self.f_cpf = z3.Function("checkpoint_lsn_for", i, i)
        self.v_start_sn = z3.Int("start_sn")

    def fact_instances(self) -> z3.BoolRef:
        """In abstract mode, the facts the step proofs may use about the uninterpreted
        functions, for every application the formula built so far made: each is an instance of
        one of :data:`FACT_LEMMAS`. (Pairwise facts make this quadratic in the number of
        applications; there are a few dozen.)"""
        if not self.abstract:
            return z3.BoolVal(True)
        bs = self.p.block_size
        cs: list[z3.BoolRef] = [
            # lemma.start_sn_translation
            self.f_lsn(self.v_start_sn) == self.p.start_lsn + self.p.header_size,
            self.v_start_sn >= 0,
        ]
        lsn_args = unique([*self.apps["lsn"], (self.v_start_sn,)])
        for i, (a,) in enumerate(lsn_args):  # lemma.sn_to_lsn_monotone
            for (b,) in lsn_args[i + 1:]:
                cs.append(z3.Implies(a < b, self.f_lsn(a) < self.f_lsn(b)))
                cs.append(z3.Implies(b < a, self.f_lsn(b) < self.f_lsn(a)))
        bst = unique(self.apps["bstart"])
        for (x,) in bst:  # lemma.block_start_bounds
            cs.append(z3.And(self.f_bstart(x) <= x, self.f_bstart(x) > x - bs))
        for i, (a,) in enumerate(bst):  # lemma.block_start_monotone
            for (b,) in bst[i + 1:]:
                cs.append(z3.Implies(a <= b, self.f_bstart(a) <= self.f_bstart(b)))
                cs.append(z3.Implies(b <= a, self.f_bstart(b) <= self.f_bstart(a)))
        blks = unique(self.apps["blk"])
        for i, (a,) in enumerate(blks):  # lemma.div_monotone
            for (b,) in blks[i + 1:]:
                cs.append(z3.Implies(a <= b, self.f_blk(a) <= self.f_blk(b)))
                cs.append(z3.Implies(b <= a, self.f_blk(b) <= self.f_blk(a)))
        for pos, new, x, kind in unique(self.apps["member"]):  # lemma.notify_member_covers
            k = kind.as_long()
            cs.append(z3.Implies(z3.And(pos >= 1, pos <= x, x <= new),
                                 self.f_member[k](pos, new, self.f_blk(x - 1))))
        for (x,) in unique(self.apps["cpf"]):  # lemma.checkpoint_adjustment_not_above
            cs.append(self.f_cpf(x) <= x)
        return z3.And(cs)
