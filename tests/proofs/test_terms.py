"""The z3 terms of proofs/terms.py compute what spec/lsn.py computes (FMT-2, FMT-3, NT-3, CP-7).

The lemmas are proved about the terms; these tests tie each term to its spec function on random
concrete Params and lsns, so the lemmas are about the spec's own functions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import z3
from hypothesis import assume, given
from hypothesis import strategies as st

from proofs import terms as T
from proofs.params import SymParams, concrete_values
from spec import lsn as L
from spec.params import Params, ParamsError

INNODB = Params(group_sizes=(100, 200))
"""InnoDB's sizes (the defaults), with group sizes below 256 (decision 6)."""


@st.composite
def block_params(draw: st.DrawFn) -> Params:
    """A valid Params with a random block layout and ring sizes (or a preset)."""
    if draw(st.booleans()):
        return draw(st.sampled_from([INNODB, Params.small(), Params.tiny()]))
    bs = 2 ** draw(st.integers(4, 10))
    hs = draw(st.integers(1, bs // 2))
    ts = draw(st.integers(1, bs - hs - 1))
    try:
        return INNODB.evolve(
            block_size=bs, header_size=hs, trailer_size=ts,
            write_events=2 ** draw(st.integers(0, 12)),
            block_no_wrap=2 ** draw(st.integers(30, 40)),
            start_lsn=bs * draw(st.integers(0, 20)),
            group_sizes=(1,),
        )
    except ParamsError:
        assume(False)
        raise


def _eval(p: Params, term: Callable[[SymParams], z3.ArithRef | z3.BoolRef]) -> int | bool:
    sp = SymParams()
    value = z3.simplify(z3.substitute(term(sp), *sp.substitution(concrete_values(p))))
    if z3.is_int_value(value):
        return int(value.as_long())
    if z3.is_true(value) or z3.is_false(value):
        return bool(z3.is_true(value))
    raise AssertionError(f"term did not evaluate: {value}")


lsns = st.integers(min_value=0, max_value=2**40)


@given(block_params(), lsns)
def test_sn_to_lsn_term(p: Params, sn: int) -> None:
    """FMT-2: terms.sn_to_lsn == spec.lsn.sn_to_lsn."""
    assert _eval(p, lambda sp: T.sn_to_lsn(sp, z3.IntVal(sn))) == L.sn_to_lsn(p, sn)


@given(block_params(), lsns)
def test_lsn_to_sn_and_is_data_terms(p: Params, lsn: int) -> None:
    """FMT-2: terms.lsn_to_sn / is_data_lsn == the spec's."""
    assert _eval(p, lambda sp: T.lsn_to_sn(sp, z3.IntVal(lsn))) == L.lsn_to_sn(p, lsn)
    assert _eval(p, lambda sp: T.is_data_lsn(sp, z3.IntVal(lsn))) == L.is_data_lsn(p, lsn)


@given(block_params(), lsns)
def test_block_no_and_slot_terms(p: Params, lsn: int) -> None:
    """FMT-3, NT-3: terms.block_no / event_slot (``% S``) == the spec's (``& (S - 1)``)."""
    assert _eval(p, lambda sp: T.block_no(sp, z3.IntVal(lsn))) == L.block_no(p, lsn)
    assert _eval(p, lambda sp: T.event_slot(sp, z3.IntVal(lsn), sp.write_events)) == (
        L.event_slot(p, lsn, p.write_events)
    )


@given(block_params(), lsns)
def test_checkpoint_and_align_terms(p: Params, lsn: int) -> None:
    """CP-7 and the alignment helpers: terms == the spec's."""
    assert _eval(p, lambda sp: T.checkpoint_lsn_for(sp, z3.IntVal(lsn))) == (
        L.checkpoint_lsn_for(p, lsn)
    )
    assert _eval(p, lambda sp: T.block_start(sp, z3.IntVal(lsn))) == L.block_start(p, lsn)
    w = p.write_ahead_size
    assert _eval(p, lambda sp: T.align_up(z3.IntVal(lsn), sp.write_ahead_size)) == (
        L.align_up(lsn, w)
    )
    assert _eval(p, lambda sp: T.align_down(z3.IntVal(lsn), sp.write_ahead_size)) == (
        L.align_down(lsn, w)
    )


@given(block_params(), lsns)
def test_file_position_terms(p: Params, lsn: int) -> None:
    """FMT-9: terms.file_offset / file_number == spec.lsn.file_position (lsn >= start_lsn)."""
    lsn += p.start_lsn
    cap = z3.IntVal(p.log_capacity)
    assert (_eval(p, lambda sp: T.file_number(sp, z3.IntVal(lsn), cap)),
            _eval(p, lambda sp: T.file_offset(sp, z3.IntVal(lsn), cap))) == \
        L.file_position(p, lsn)


@pytest.mark.parametrize(
    ("sn", "lsn"),
    [(0, 12), (495, 507), (496, 524), (992, 1036)],
)
def test_innodb_translation_matches_mysql_formula(sn: int, lsn: int) -> None:
    """FMT-2 with InnoDB's sizes, values worked out by hand from MySQL's formula
    ``sn / 496 * 512 + sn % 496 + 12``: the term agrees with MySQL, not just with the spec."""
    assert _eval(INNODB, lambda sp: T.sn_to_lsn(sp, z3.IntVal(sn))) == lsn
