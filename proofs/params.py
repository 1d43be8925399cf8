"""Symbolic Params: every numeric field of :class:`spec.params.Params` as a z3 integer,
constrained by the same rules as ``spec.params._validate``.

The rules below are listed in the order ``_validate`` checks them, each with the field that
``ParamsError`` names, so that tests/proofs/test_params.py can check, for random concrete
values, that (a) the conjunction of the rules holds exactly when ``Params(...)`` does not raise
and (b) the first rule that fails names the same field as the ``ParamsError``. **When a rule is
added to or changed in ``spec.params._validate``, change :func:`rules` here the same way**; the
test fails until both agree.

Encoding choices, so that the proofs stay quantifier-free and decidable in practice:

* "``x`` is a power of two" is the finite disjunction ``x = 1 or x = 2 or ... or x = 2^62``.
  This is the only intended difference from ``Params``: a power of two above 2^62 bytes (beyond
  any 64-bit lsn) is accepted by ``Params`` and excluded here.
* ``group_sizes`` (a tuple) is represented by its maximum ``max_group_size``, the only thing
  the rules and the actions' capacity checks depend on.
* The rule that only applies to ``link_buf="8.0.22"`` (link buffers longer than the longest
  link) is left out: the encoding covers the "seeds" link buffer.
* The non-numeric fields (``link_buf``, ``version``, ``wait_kinds``, ``checksums``,
  ``torn_writes``, ``explore_crashes``) are not variables: an obligation that depends on one
  is stated once per value. ``max_crashes`` (an exploration bound for the crash actions, which
  the proofs leave out) is not encoded either.

An obligation may assume only the rules it needs (:meth:`SymParams.assume`): a proof under
fewer assumptions is a proof for every valid Params, and leaving out the nonlinear rules
(products of two parameters) keeps z3 in linear arithmetic where possible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import z3

from proofs.obligation import Obligation

POW2_MAX_EXP = 62
"""Largest exponent in the power-of-two disjunction (see module docstring)."""

INT_FIELDS: tuple[str, ...] = (
    "block_size",
    "header_size",
    "trailer_size",
    "block_no_wrap",
    "start_lsn",
    "log_buffer_size",
    "recent_written_size",
    "recent_closed_size",
    "write_ahead_size",
    "write_max_size",
    "write_events",
    "flush_events",
    "file_size",
    "n_files",
    "n_user_threads",
    "n_flush_lists",
    "n_pages",
    "max_sn",
)
"""The integer fields of Params that become z3 variables (plus ``max_group_size``)."""

POSITIVE_FIELDS: tuple[str, ...] = tuple(
    f for f in INT_FIELDS if f not in ("block_no_wrap", "start_lsn")
)
"""The fields ``_validate`` requires to be positive integers (its first loop)."""

POW2_FIELDS: tuple[str, ...] = (
    "recent_written_size", "recent_closed_size", "write_events", "flush_events"
)
"""The ring sizes ``_validate`` requires to be powers of two (LNK-1, NT-3)."""


def is_pow2(x: z3.ArithRef) -> z3.BoolRef:
    """``x`` is one of 1, 2, 4, ..., 2^62 (a finite, quantifier-free disjunction)."""
    return z3.Or([x == 2**i for i in range(POW2_MAX_EXP + 1)])


@dataclass(frozen=True)
class Rule:
    """One validation rule: ``name`` (unique), the ``field`` ParamsError names, the formula."""

    name: str
    field: str
    formula: z3.BoolRef
    text: str


class SymParams:
    """A symbolic Params: z3 integer constants named ``<prefix><field>``.

    The derived sizes are the same formulas as Params' properties (``data_size`` ...)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.vars: dict[str, z3.ArithRef] = {
            f: z3.Int(prefix + f) for f in (*INT_FIELDS, "max_group_size")
        }

    def __getattr__(self, name: str) -> z3.ArithRef:
        try:
            return self.__dict__["vars"][name]
        except KeyError:
            raise AttributeError(name) from None

    # --- derived sizes (spec.params.Params properties) ---------------------------------
    @property
    def data_size(self) -> z3.ArithRef:
        """LOG_BLOCK_DATA_SIZE = block - header - trailer (FMT-1)."""
        return self.block_size - self.header_size - self.trailer_size

    @property
    def file_header_size(self) -> z3.ArithRef:
        return 4 * self.block_size

    @property
    def file_data_size(self) -> z3.ArithRef:
        return self.file_size - self.file_header_size

    @property
    def log_capacity(self) -> z3.ArithRef:
        """n_files * file_data_size: nonlinear (a product of two parameters)."""
        return self.n_files * self.file_data_size

    @property
    def free_check_margin(self) -> z3.ArithRef:
        """Params.free_check_margin: one write-ahead region plus a block (CP-5)."""
        return self.write_ahead_size + self.block_size

    @property
    def max_group_lsn(self) -> z3.ArithRef:
        """Params.max_group_lsn: ``g + (g // data_size + 1) * (header + trailer)``."""
        g = self.max_group_size
        return g + (g / self.data_size + 1) * (self.header_size + self.trailer_size)

    @property
    def order_lag(self) -> z3.ArithRef:
        return self.recent_closed_size

    # --- the rules ---------------------------------------------------------------------
    def rules(self) -> tuple[Rule, ...]:
        """``spec.params._validate``'s rules, in its order (see the module docstring)."""
        p = self
        out: list[Rule] = []

        def need(name: str, field: str, formula: z3.BoolRef | bool, text: str) -> None:
            out.append(Rule(name, field, z3.BoolVal(formula) if isinstance(formula, bool)
                            else formula, text))

        for f in POSITIVE_FIELDS:
            need(f"positive.{f}", f, p.vars[f] > 0, "must be positive")
        need("block_size.pow2", "block_size", z3.And(is_pow2(p.block_size), p.block_size >= 16),
             "power of two >= 16")
        need("header.min", "header_size", p.header_size >= 1, "header >= 1 (FMT-1)")
        need("block.data", "header_size", p.header_size + p.trailer_size < p.block_size,
             "header + trailer < block (FMT-1)")
        need("block_no_wrap.pow2", "block_no_wrap", is_pow2(p.block_no_wrap),
             "power of two (FMT-3)")
        need("start_lsn.aligned", "start_lsn",
             z3.And(p.start_lsn >= 0, p.start_lsn % p.block_size == 0),
             "non-negative multiple of block_size")
        need("log_buffer.aligned", "log_buffer_size", p.log_buffer_size % p.block_size == 0,
             "multiple of block_size")
        need("log_buffer.min", "log_buffer_size", p.log_buffer_size >= 2 * p.block_size,
             "at least 2 blocks")
        for f in POW2_FIELDS:
            need(f"{f}.pow2", f, is_pow2(p.vars[f]), "power of two (LNK-1, NT-3)")
        need("write_ahead.pow2", "write_ahead_size",
             z3.And(is_pow2(p.write_ahead_size), p.write_ahead_size % p.block_size == 0),
             "power of two and multiple of block_size (WR-6)")
        need("write_max.min", "write_max_size", p.write_max_size >= p.block_size,
             "at least one block (WR-1)")
        need("file.aligned", "file_size", p.file_size % p.block_size == 0,
             "multiple of block_size")
        need("file.header", "file_size", p.file_size > 4 * p.block_size,
             "exceeds the 4-block header (FMT-9)")
        need("file.write_ahead", "file_size", p.file_size % p.write_ahead_size == 0,
             "multiple of write_ahead_size (WR-6)")
        need("n_files.max", "n_files", p.n_files <= 100, "at most 100 files (FMT-9)")
        need("block_no_wrap.capacity", "block_no_wrap",
             p.block_no_wrap * p.block_size > p.log_capacity,
             "block numbers do not repeat within the files (RC-2)")
        need("group.positive", "group_sizes", p.max_group_size > 0, "positive sizes")
        need("group.byte", "group_sizes", p.max_group_size < 256,
             "sizes below 256 (decision 6)")
        need("n_pages.max", "n_pages", p.n_pages <= 255, "at most 255 pages (decision 6)")
        need("group.fits", "group_sizes",
             p.max_group_size <= (p.log_buffer_size / p.block_size - 1) * p.data_size,
             "a group fits in the log buffer beside write_lsn's block (USR-1, SYS-4)")
        # (link_buf == "8.0.22" adds: recent_written_size, recent_closed_size >
        # max_group_lsn; SymParams describes the "seeds" variant the encoding covers.)
        need("capacity.margin", "file_size",
             p.log_capacity >= p.free_check_margin + p.max_group_lsn + 2 * p.block_size,
             "files hold the free-check margin, the largest group and two blocks (WR-9, CP-5)")
        return tuple(out)

    def assume(self, *names: str) -> z3.BoolRef:
        """The conjunction of the named rules (all of them when no name is given).

        A name ending in ``*`` selects every rule with that prefix."""
        chosen: list[z3.BoolRef] = []
        table = self.rules()
        if not names:
            return z3.And([r.formula for r in table])
        for name in names:
            if name.endswith("*"):
                hits = [r for r in table if r.name.startswith(name[:-1])]
            else:
                hits = [r for r in table if r.name == name]
            if not hits:
                raise KeyError(f"no Params rule named {name!r}")
            chosen.extend(r.formula for r in hits)
        return z3.And(chosen)

    def substitution(self, values: Mapping[str, int]) -> list[tuple[z3.ArithRef, z3.ArithRef]]:
        """Pairs for ``z3.substitute`` that replace each variable by ``values[field]``."""
        return [(self.vars[k], z3.IntVal(v)) for k, v in values.items() if k in self.vars]

    def decode(self, model: z3.ModelRef) -> dict[str, int]:
        """The concrete Params fields of a model (only the variables the model fixes)."""
        out: dict[str, int] = {}
        for field, var in self.vars.items():
            value = model.eval(var, model_completion=False)
            if z3.is_int_value(value):
                out[field] = value.as_long()
        return out


def concrete_values(params: object) -> dict[str, int]:
    """The integer fields of a concrete ``Params`` (and ``max_group_size``) by name."""
    values = {f: int(getattr(params, f)) for f in INT_FIELDS}
    values["max_group_size"] = max(getattr(params, "group_sizes"))  # noqa: B009
    return values


def holds_for(values: Mapping[str, int], formulas: Iterable[z3.BoolRef]) -> bool:
    """Evaluate the conjunction of ``formulas`` with every Params variable replaced by
    ``values`` (all must be given); True or False."""
    sp = SymParams()
    subst = sp.substitution(values)
    result = z3.simplify(z3.substitute(z3.And(list(formulas)), *subst))
    if z3.is_true(result):
        return True
    if z3.is_false(result):
        return False
    raise ValueError(f"rules still mention variables after substitution: {result}")


def obligations() -> list[Obligation]:
    """Params contributes no obligation of its own: its rules are the hypotheses of the
    others. (Their satisfiability, i.e. that the proofs are not vacuous, is tested with the
    concrete presets in tests/proofs/test_params.py.)"""
    return []
