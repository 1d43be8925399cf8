"""z3 terms for the functions of :mod:`spec.lsn`, over a :class:`~proofs.params.SymParams`.

Each function here is the same formula as its namesake in ``spec/lsn.py``, written with z3's
integer ``/`` and ``%`` (which agree with Python's ``//`` and ``%`` for a positive divisor, the
only kind Params allows). tests/proofs/test_terms.py checks, for random concrete Params and
inputs, that each term evaluates to what the spec function returns, so that a lemma about a
term is a lemma about the spec.

``event_slot`` uses ``% S`` where the spec computes ``& (S - 1)``; the lemma
``lemma.slot_and_is_mod`` proves the two equal for every power of two ``S`` (NT-3).

Division hints
--------------
Division and remainder by a *symbolic* divisor make a query nonlinear, and z3 often answers
``unknown`` on them. :func:`div_hint` states one instance of the quotient-uniqueness lemma
(``lemma.divmod_unique``, proved on its own): if ``x = q*d + r`` with ``0 <= r < d`` then
``x / d = q`` and ``x % d = r``. :func:`div_mono` and :func:`mul_cancel` are instances of
``lemma.div_monotone`` and ``lemma.mul_cancel``; :func:`euclid` is the SMT-LIB definition of
integer division. An obligation that adds hints assumes only consequences of proved lemmas (or
of the definition), so its proof stays sound; the hints tell z3 which quotient to use.
"""

from __future__ import annotations

from typing import TypeAlias

import z3

from proofs.params import SymParams

Int: TypeAlias = z3.ArithRef


def div_hint(x: Int, d: Int, q: Int, r: Int) -> z3.BoolRef:
    """An instance of ``lemma.divmod_unique``: ``x = q*d + r and 0 <= r < d`` implies
    ``x / d = q and x % d = r``."""
    return z3.Implies(z3.And(x == q * d + r, r >= 0, r < d), z3.And(x / d == q, x % d == r))


def div_mono(a: Int, b: Int, d: Int) -> z3.BoolRef:
    """An instance of ``lemma.div_monotone``: for ``d > 0``, ``a <= b`` implies ``a / d <= b /
    d``."""
    return z3.Implies(z3.And(d > 0, a <= b), a / d <= b / d)


def mul_cancel(x: Int, y: Int, d: Int) -> z3.BoolRef:
    """An instance of ``lemma.mul_cancel``: for ``d > 0``, ``x * d < y * d`` implies ``x <
    y``."""
    return z3.Implies(z3.And(d > 0, x * d < y * d), x < y)


def euclid(x: Int, d: Int) -> z3.BoolRef:
    """``x = (x / d) * d + x % d and 0 <= x % d < d`` (true for d > 0; z3 knows it, stating it
    helps the nonlinear solver)."""
    return z3.And(x == (x / d) * d + x % d, x % d >= 0, x % d < d)


def sn_to_lsn(p: SymParams, sn: Int) -> Int:
    """spec.lsn.sn_to_lsn (FMT-2)."""
    return sn / p.data_size * p.block_size + sn % p.data_size + p.header_size


def lsn_to_sn(p: SymParams, lsn: Int) -> Int:
    """spec.lsn.lsn_to_sn (FMT-2)."""
    sn = lsn / p.block_size * p.data_size
    offset = lsn % p.block_size
    return z3.If(
        offset < p.header_size,
        sn,
        z3.If(offset > p.block_size - p.trailer_size, sn + p.data_size,
              sn + offset - p.header_size),
    )


def is_data_lsn(p: SymParams, lsn: Int) -> z3.BoolRef:
    """spec.lsn.is_data_lsn: ``header <= lsn % block < block - trailer``."""
    offset = lsn % p.block_size
    return z3.And(p.header_size <= offset, offset < p.block_size - p.trailer_size)


def align_down(x: Int, n: Int) -> Int:
    """spec.lsn.align_down."""
    return x - x % n


def align_up(x: Int, n: Int) -> Int:
    """spec.lsn.align_up: ``-(-x // n) * n``."""
    return -((-x) / n) * n


def block_start(p: SymParams, lsn: Int) -> Int:
    """spec.lsn.block_start."""
    return lsn - lsn % p.block_size


def block_no(p: SymParams, lsn: Int) -> Int:
    """spec.lsn.block_no: ``lsn / block % wrap + 1`` (FMT-3)."""
    return lsn / p.block_size % p.block_no_wrap + 1


def event_slot(p: SymParams, lsn: Int, n_slots: Int) -> Int:
    """spec.lsn.event_slot with ``% S`` for ``& (S - 1)`` (NT-3; see module docstring)."""
    return (lsn - 1) / p.block_size % n_slots


def checkpoint_lsn_for(p: SymParams, lsn: Int) -> Int:
    """spec.lsn.checkpoint_lsn_for (CP-7)."""
    return z3.If(lsn % p.block_size == 0, lsn - p.block_size + p.header_size, lsn)


def file_offset(p: SymParams, lsn: Int, capacity: Int) -> Int:
    """The byte offset part of spec.lsn.file_position: ``file_header_size + (lsn - start_lsn)
    % log_capacity % file_data_size`` (``capacity`` is log_capacity, passed in so that a
    proof can keep the product n_files * file_data_size as its own variable)."""
    return p.file_header_size + (lsn - p.start_lsn) % capacity % p.file_data_size


def file_number(p: SymParams, lsn: Int, capacity: Int) -> Int:
    """The file number part of spec.lsn.file_position."""
    return (lsn - p.start_lsn) % capacity / p.file_data_size
