"""The encoding's obligations (``init.<inv>``, ``step.<action>.<inv>``) and the lemma
instances (:func:`facts`) that stand in for the division functions' properties."""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs.encoding.decoding import init_decoder, step_decoder
from proofs.encoding.invariants import INVARIANTS, Inv, inv_all
from proofs.encoding.relations import Enc, relation
from proofs.encoding.vocabulary import ACTION_NAMES, St
from proofs.obligation import Obligation


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
