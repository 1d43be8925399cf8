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


def facts(e: Enc) -> z3.BoolRef:
    """In abstract mode, the instances of :data:`proofs.primitives.FACT_LEMMAS` for every
    application the formula built so far made (:meth:`proofs.primitives.Primitives.
    fact_instances`)."""
    return e.fact_instances()


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
