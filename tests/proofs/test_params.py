"""proofs.params mirrors spec.params._validate: the symbolic rules hold exactly for the
concrete values Params accepts, and the first failing rule names the field ParamsError names.

The proofs assume these rules for every Params; if they were stronger than Params' own
validation, a proof would silently exclude configurations the spec runs (FMT-1, FMT-3, LNK-1,
NT-3, WR-6, WR-9, SYS-4)."""

from __future__ import annotations

from typing import Any

import pytest
import z3
from hypothesis import event, given
from hypothesis import strategies as st

from proofs.params import INT_FIELDS, SymParams, concrete_values, holds_for
from spec.params import PRESETS, Params, ParamsError

TINY = Params.tiny()


def _field_values(name: str) -> st.SearchStrategy[int]:
    """Around the tiny preset's value: itself, a neighbour, a power of two, or anything small."""
    base = getattr(TINY, name)
    return st.one_of(
        st.just(base),
        st.just(base),
        st.sampled_from([base - 1, base + 1, base * 2, base // 2, 0]),
        st.sampled_from([2**i for i in range(0, 12)]),
        st.integers(min_value=-2, max_value=600),
    )


@st.composite
def params_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments for Params: a few fields of ``tiny`` changed at random."""
    kwargs: dict[str, Any] = {}
    changed = draw(st.sets(st.sampled_from([*INT_FIELDS, "group_sizes"]), max_size=3))
    for name in changed:
        if name == "group_sizes":
            kwargs[name] = tuple(draw(st.lists(st.integers(1, 200), min_size=1, max_size=3)))
        else:
            kwargs[name] = draw(_field_values(name))
    return kwargs


def _values(kwargs: dict[str, Any]) -> dict[str, int]:
    values = {f: int(kwargs.get(f, getattr(TINY, f))) for f in INT_FIELDS}
    values["max_group_size"] = max(kwargs.get("group_sizes", TINY.group_sizes))
    return values


@given(params_kwargs())
def test_symbolic_rules_agree_with_params_validation(kwargs: dict[str, Any]) -> None:
    """For random concrete values: the z3 rules hold iff Params(...) raises no ParamsError,
    and the first z3 rule that fails names the same field as the ParamsError."""
    values = _values(kwargs)
    try:
        Params.tiny().evolve(**kwargs)
        error: ParamsError | None = None
    except ParamsError as exc:
        error = exc
    sp = SymParams()
    first_failed = None
    for rule in sp.rules():
        if not holds_for(values, [rule.formula]):
            first_failed = rule
            break
    event("valid" if error is None else f"invalid {error.field}")
    if error is None:
        assert first_failed is None, f"z3 rule {first_failed} rejects Params {kwargs}"
    else:
        assert first_failed is not None, f"z3 rules accept {kwargs}; Params says {error}"
        assert first_failed.field == error.field, (first_failed, str(error))


@pytest.mark.parametrize("name", PRESETS)
def test_presets_satisfy_all_rules(name: str) -> None:
    """Non-vacuity: every preset satisfies the conjunction the proofs assume, so the proofs
    cover at least the configurations the explorer and the implementation run."""
    assert holds_for(concrete_values(Params.preset(name)), [SymParams().assume()])


def test_rules_are_satisfiable_by_z3() -> None:
    """z3 itself finds a model of all the rules (the hypothesis of every proof is not false),
    and the model is a Params that constructs without error."""
    sp = SymParams()
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    solver.add(sp.assume())
    assert solver.check() == z3.sat
    values = sp.decode(solver.model())
    group = values.pop("max_group_size")
    built = Params(**values, group_sizes=(group,))  # raises if the model were invalid
    assert built.block_size == values["block_size"]


def test_known_invalid_values_break_named_rules() -> None:
    """Hand-picked violations, independent of the code: block_size 48 is not a power of two
    (FMT-1: OS_FILE_LOG_BLOCK_SIZE = 512 is one), 3 write events break NT-3's ``& (S-1)``."""
    sp = SymParams()
    base = concrete_values(TINY)
    assert not holds_for({**base, "block_size": 48}, [sp.assume("block_size.pow2")])
    assert not holds_for({**base, "write_events": 3}, [sp.assume("write_events.pow2")])
    assert holds_for(base, [sp.assume("write_events.pow2", "block_size.pow2")])
