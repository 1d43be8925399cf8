"""Arithmetic lemmas about the spec's lsn functions, for every parameter value.

Every lemma is stated about the z3 terms of :mod:`proofs.terms` (each checked against its
``spec/lsn.py`` namesake by tests/proofs/test_terms.py) and assumes only the Params rules it
needs (:mod:`proofs.params`), so each holds for every valid Params and every lsn. All queries are
quantifier-free; the nonlinear ones (a symbolic block size divides a symbolic lsn) are guided by
instances of ``lemma.divmod_unique`` (see :func:`proofs.terms.div_hint`).

Groups (the first part of each obligation's name):

* ``lemma``: the division kernel, FMT-2 sn<->lsn translation, NT-3 slot mapping, FMT-3 block
  numbers, CP-7 checkpoint adjustment, WR-6 write-ahead regions.
* ``notify``: NT-2/NT-4 - the notifier's slot range covers every waiter the advance satisfies;
  MySQL 8.0.41's direct-notification shortcut is unsound (Bug #114660, expected counterexample)
  and the spec's corrected rule (docs/spec-model.md decision 3) is sound.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs import terms as T
from proofs.obligation import Obligation
from proofs.params import SymParams

BLOCK_RULES = ("positive.*", "header.min", "block.data")
"""The Params rules about the block layout (FMT-1) most lemmas need. Note that no lemma needs a
size to be a power of two except ``lemma.slot_and_is_mod``: the lemmas hold for every block
size, ring size and region size, and z3 is spared the power-of-two disjunctions."""


def _ints(names: str) -> list[z3.ArithRef]:
    return list(z3.Ints(names))


# --- the division kernel ------------------------------------------------------------------
def divmod_unique() -> z3.BoolRef:
    """lemma.divmod_unique: for ``d > 0``, ``x = q*d + r`` with ``0 <= r < d`` fixes
    ``q = x / d`` and ``r = x % d``. Every :func:`~proofs.terms.div_hint` is an instance."""
    x, d, q, r = _ints("x d q r")
    return z3.And(d > 0, T.euclid(x, d), z3.Not(T.div_hint(x, d, q, r)))


def div_monotone() -> z3.BoolRef:
    """lemma.div_monotone: for ``d > 0``, ``a <= b`` implies ``a / d <= b / d``. Every
    :func:`~proofs.terms.div_mono` is an instance."""
    a, b, d = _ints("a b d")
    return z3.Not(T.div_mono(a, b, d))


def mul_cancel() -> z3.BoolRef:
    """lemma.mul_cancel: for ``d > 0``, ``x * d < y * d`` implies ``x < y``. Every
    :func:`~proofs.terms.mul_cancel` is an instance."""
    x, y, d = _ints("x y d")
    return z3.Not(T.mul_cancel(x, y, d))


# --- FMT-2: sn <-> lsn ------------------------------------------------------------------------
def _sn_hints(p: SymParams, sn: z3.ArithRef) -> z3.BoolRef:
    """Hints for one sn: its block/offset split and the split of its lsn by block_size."""
    q, r = sn / p.data_size, sn % p.data_size
    return z3.And(T.euclid(sn, p.data_size),
                  T.div_hint(T.sn_to_lsn(p, sn), p.block_size, q, r + p.header_size))


def sn_to_lsn_monotone() -> z3.BoolRef:
    """FMT-2: ``sn1 < sn2`` implies ``sn_to_lsn(sn1) < sn_to_lsn(sn2)``, for every integer
    (no sign condition: proofs.encoding.facts uses it for any pair of sn terms)."""
    p = SymParams()
    a, b = _ints("sn1 sn2")
    return z3.And(p.assume(*BLOCK_RULES), a < b,
                  z3.Not(T.sn_to_lsn(p, a) < T.sn_to_lsn(p, b)))


def sn_to_lsn_is_data() -> z3.BoolRef:
    """FMT-2: ``sn_to_lsn`` never lands in a header or trailer (always a data lsn)."""
    p = SymParams()
    (sn,) = _ints("sn")
    return z3.And(p.assume(*BLOCK_RULES), sn >= 0, _sn_hints(p, sn),
                  z3.Not(T.is_data_lsn(p, T.sn_to_lsn(p, sn))))


def lsn_to_sn_inverts() -> z3.BoolRef:
    """FMT-2: ``lsn_to_sn(sn_to_lsn(sn)) = sn``."""
    p = SymParams()
    (sn,) = _ints("sn")
    return z3.And(p.assume(*BLOCK_RULES), sn >= 0, _sn_hints(p, sn),
                  z3.Not(T.lsn_to_sn(p, T.sn_to_lsn(p, sn)) == sn))


def sn_to_lsn_inverts_on_data() -> z3.BoolRef:
    """FMT-2: ``sn_to_lsn(lsn_to_sn(lsn)) = lsn`` for every data lsn."""
    p = SymParams()
    (lsn,) = _ints("lsn")
    q, r = lsn / p.block_size, lsn % p.block_size
    sn = T.lsn_to_sn(p, lsn)
    hint = T.div_hint(sn, p.data_size, q, r - p.header_size)
    return z3.And(p.assume(*BLOCK_RULES), lsn >= 0, T.euclid(lsn, p.block_size), hint,
                  T.is_data_lsn(p, lsn), z3.Not(T.sn_to_lsn(p, sn) == lsn))


def lsn_to_sn_monotone() -> z3.BoolRef:
    """FMT-2: ``lsn1 <= lsn2`` implies ``lsn_to_sn(lsn1) <= lsn_to_sn(lsn2)``."""
    p = SymParams()
    a, b = _ints("lsn1 lsn2")
    bs = p.block_size
    hints = z3.And(T.euclid(a, bs), T.euclid(b, bs), T.div_mono(a, b, bs))
    return z3.And(p.assume(*BLOCK_RULES), a >= 0, a <= b, hints,
                  z3.Not(T.lsn_to_sn(p, a) <= T.lsn_to_sn(p, b)))


def start_sn_translation() -> z3.BoolRef:
    """FMT-2: the first data byte of a fresh log: ``sn_to_lsn(start_sn) = start_lsn + header``
    where ``start_sn = start_lsn // block_size * data_size`` (Params.start_sn) and start_lsn
    is a block boundary (rule start_lsn.aligned)."""
    p = SymParams()
    bs = p.block_size
    q = p.start_lsn / bs
    sn = q * p.data_size
    hints = z3.And(T.euclid(p.start_lsn, bs), T.div_hint(sn, p.data_size, q, z3.IntVal(0)),
                   T.div_hint(T.sn_to_lsn(p, sn), bs, q, p.header_size))
    return z3.And(p.assume(*BLOCK_RULES, "start_lsn.aligned"), hints,
                  z3.Not(z3.And(T.sn_to_lsn(p, sn) == p.start_lsn + p.header_size, sn >= 0)))


def block_start_bounds() -> z3.BoolRef:
    """``x - block_size < block_start(x) <= x``."""
    p = SymParams()
    (x,) = _ints("x")
    b = T.block_start(p, x)
    return z3.And(p.assume(*BLOCK_RULES), z3.Not(z3.And(b <= x, b > x - p.block_size)))


def block_start_monotone() -> z3.BoolRef:
    """``x <= y`` implies ``block_start(x) <= block_start(y)``."""
    p = SymParams()
    x, y = _ints("x y")
    bs = p.block_size
    hints = z3.And(T.euclid(x, bs), T.euclid(y, bs), T.div_mono(x, y, bs),
                   T.mul_cancel(y / bs, x / bs, bs))
    return z3.And(p.assume(*BLOCK_RULES), x <= y, hints,
                  z3.Not(T.block_start(p, x) <= T.block_start(p, y)))


def checkpoint_adjustment_not_above() -> z3.BoolRef:
    """CP-7: ``checkpoint_lsn_for(x) <= x`` for every x."""
    p = SymParams()
    (x,) = _ints("x")
    return z3.And(p.assume(*BLOCK_RULES), z3.Not(T.checkpoint_lsn_for(p, x) <= x))


def notify_member_covers() -> z3.BoolRef:
    """NT-2, NT-4: the closed form of ``slot(e) in notify_range(pos, new, S)`` used by the
    encoding (:func:`proofs.encoding.member_term`) holds for every ``e`` with ``1 <= pos <= e
    <= new``: the notifier, starting at ``pos``, sets the slot of every waiter up to its new
    lsn."""
    from proofs.encoding import member_term

    p = SymParams()
    pos, new, e = _ints("pos new e")
    bs = p.block_size
    for_kind = []
    for kind, n in ((1, p.write_events), (2, p.flush_events)):
        b0, b = (pos - 1) / bs, (e - 1) / bs
        b1 = (new - 1) / bs
        kmax = (T.align_up(new, bs) - pos) / bs
        hints = z3.And(
            T.euclid(pos - 1, bs), T.euclid(e - 1, bs), T.euclid(new - 1, bs),
            T.div_mono(pos - 1, e - 1, bs), T.div_mono(e - 1, new - 1, bs),
            T.div_hint(-new, bs, -b1 - 1, bs - 1 - (new - 1) % bs),
            # kmax >= b - b0: (b - b0) * bs <= align_up(new) - pos
            T.euclid(T.align_up(new, bs) - pos, bs),
            T.mul_cancel(b - b0, kmax + 1, bs), T.mul_cancel(b1 + 1, b + 1, bs),
            T.euclid(b - b0, n), T.mul_cancel(z3.IntVal(1), (b - b0) / n, n),
        )
        for_kind.append(z3.And(hints, z3.Not(member_term(p, pos, new, e, kind))))
    return z3.And(p.assume(*BLOCK_RULES), pos >= 1, pos <= e, e <= new, z3.Or(for_kind))


# --- NT-3: slot = x & (S - 1) = x % S -------------------------------------------------------
SLOT_BITS = 64


def slot_and_is_mod() -> z3.BoolRef:
    """NT-3, LNK-1: for every power of two ``S`` (as 64-bit words, as MySQL computes slots),
    ``x & (S - 1) = x % S``. So the spec's ``& (S - 1)`` and the terms' ``% S`` agree."""
    x, s = z3.BitVecs("x S", SLOT_BITS)
    pow2 = z3.And(s != 0, s & (s - 1) == 0)
    return z3.And(pow2, z3.Not(x & (s - 1) == z3.URem(x, s)))


# --- NT-2, NT-4: the notifier's slot range ----------------------------------------------------
def _notify_setup(p: SymParams, slots: z3.ArithRef) -> z3.BoolRef:
    return z3.And(p.assume(*BLOCK_RULES), slots == p.write_events)


def notifier_covers_waiters() -> z3.BoolRef:
    """NT-2, NT-4: when write_lsn advances from ``old`` to ``new``, the notifier sets the slot
    of ``old + 1 + i * block_size`` for ``i = 0, 1, ...`` while that lsn is ``<=
    align_up(new, block_size)``. Every waiter for an lsn ``e`` with ``old < e <= new`` (not
    satisfied before, satisfied now) sleeps on a slot the loop sets: the witness is the step
    ``i = (e - 1) / block_size - old / block_size``, which the loop reaches."""
    p = SymParams()
    old, new, e = _ints("old new e")
    bs, S = p.block_size, p.write_events
    i = (e - 1) / bs - old / bs
    lsn_i = old + 1 + i * bs
    b1 = (new - 1) / bs
    hints = z3.And(
        T.euclid(old, bs), T.euclid(e - 1, bs), T.euclid(new - 1, bs),
        T.div_mono(old, e - 1, bs), T.div_mono(e - 1, new - 1, bs),
        # align_up(new) = ((new - 1) / bs + 1) * bs:
        T.div_hint(-new, bs, -b1 - 1, bs - 1 - (new - 1) % bs),
        T.mul_cancel(b1 + 1, (e - 1) / bs + 1, bs),
        # lsn_i lies in the block of e - 1, at old's offset + 1 within it:
        T.div_hint(lsn_i - 1, bs, (e - 1) / bs, old % bs),
    )
    reached = z3.And(i >= 0, lsn_i <= T.align_up(new, bs))
    same_slot = T.event_slot(p, lsn_i, S) == T.event_slot(p, e, S)
    return z3.And(_notify_setup(p, S), old >= 0, old < e, e <= new, hints,
                  z3.Not(z3.And(reached, same_slot)))


def mysql_shortcut(p: SymParams, old: z3.ArithRef, new: z3.ArithRef) -> z3.BoolRef:
    """MySQL 8.0.41 notify_about_advanced_write_lsn: set one slot directly (and skip the
    notifier) iff ``slot(old + 1) == slot(new)``."""
    S = p.write_events
    return T.event_slot(p, old + 1, S) == T.event_slot(p, new, S)


def spec_shortcut(p: SymParams, old: z3.ArithRef, new: z3.ArithRef) -> z3.BoolRef:
    """The spec's rule (docs/spec-model.md decision 3): direct iff ``old // bs == (new - 1) //
    bs``, i.e. the advance stays inside one block."""
    return old / p.block_size == (new - 1) / p.block_size


def _lost_waiter(shortcut: Callable[[SymParams, z3.ArithRef, z3.ArithRef], z3.BoolRef],
                 extra: Callable[[SymParams, z3.ArithRef, z3.ArithRef], z3.BoolRef] | None = None
                 ) -> z3.BoolRef:
    """Formula: an advance ``old -> new`` takes the shortcut (sets only ``slot(new)``), and a
    waiter for ``e`` in ``(old, new]`` sleeps on another slot: a lost wake-up (NT-4)."""
    p = SymParams()
    old, new, e = _ints("old new e")
    S, bs = p.write_events, p.block_size
    b0, be, b1 = old / bs, (e - 1) / bs, (new - 1) / bs
    m = b1 / S - b0 / S
    hints = z3.And(T.euclid(old, bs), T.euclid(e - 1, bs), T.euclid(new - 1, bs),
                   T.euclid(be, S), T.euclid(b1, S), T.euclid(b0, S),
                   T.div_mono(old, e - 1, bs), T.div_mono(e - 1, new - 1, bs),
                   T.mul_cancel(b1 - b0, S, bs), T.mul_cancel(m, z3.IntVal(1), S),
                   T.mul_cancel(z3.IntVal(-1), m, S))
    return z3.And(
        _notify_setup(p, S), old >= 0, old < e, e <= new, hints,
        shortcut(p, old, new), extra(p, old, new) if extra else z3.BoolVal(True),
        T.event_slot(p, e, S) != T.event_slot(p, new, S),
    )


def mysql_shortcut_unsound() -> z3.BoolRef:
    """NT-4, WR-8 (MySQL Bug #114660), EXPECTED COUNTEREXAMPLE: MySQL's slot comparison takes
    the shortcut for an advance that spans more than ``S`` blocks (the slots coincide modulo
    ``S``), so a waiter in a block between sleeps on a slot nobody sets.

    The search is narrowed to InnoDB's block layout (512/12/4) and ``S = 4`` event slots (the
    tiny preset's), so that the counterexample printed is small and readable; a counterexample
    there is one for all parameter values."""
    p = SymParams()
    narrow = z3.And(p.block_size == 512, p.header_size == 12, p.trailer_size == 4,
                    p.write_events == 4, z3.Int("old") < 4096)
    return z3.And(_lost_waiter(mysql_shortcut), narrow)


def mysql_shortcut_unsound_innodb_tight() -> z3.BoolRef:
    """NT-4, WR-8 (Bug #114660), EXPECTED COUNTEREXAMPLE with InnoDB's defaults (512-byte
    blocks, 12/4 header/trailer, S = 2048 write events): an advance of ``(S - 1) * 512 + 2``
    bytes -- less than S blocks, 2 bytes more than ``notify.mysql_shortcut_sound_short``
    allows -- already loses a waiter (it spans S + 1 blocks when it starts on a block's last
    byte). So the bound of that lemma is tight."""
    p = SymParams()
    narrow = z3.And(p.block_size == 512, p.header_size == 12, p.trailer_size == 4,
                    p.write_events == 2048)
    return z3.And(narrow, _lost_waiter(
        mysql_shortcut,
        lambda p, old, new: new - old == (p.write_events - 1) * p.block_size + 2))


def mysql_shortcut_sound_for_short_advances() -> z3.BoolRef:
    """NT-4, WR-8: MySQL's slot comparison is sound for advances of at most ``(S - 1) *
    block_size + 1`` bytes (they span at most ``S`` blocks, so equal slots mean one block).
    With ``lemma``'s counterexample this locates the bug exactly."""
    return _lost_waiter(
        mysql_shortcut,
        lambda p, old, new: new - old <= (p.write_events - 1) * p.block_size + 1,
    )


def spec_shortcut_sound() -> z3.BoolRef:
    """NT-4, WR-8, FL-2: the spec's corrected rule (same block) never loses a waiter: every
    waiter satisfied by the advance sleeps on ``slot(new)``, the one slot it sets."""
    return _lost_waiter(spec_shortcut)


# --- FMT-3: block numbers ---------------------------------------------------------------------
def block_no_in_range() -> z3.BoolRef:
    """FMT-3: ``1 <= block_no(lsn) <= block_no_wrap`` (never 0, which marks an unwritten
    block)."""
    p = SymParams()
    (lsn,) = _ints("lsn")
    b = T.block_no(p, lsn)
    # block_no_wrap > 0 follows from rule block_no_wrap.pow2 (cheaper than the disjunction)
    return z3.And(p.assume(*BLOCK_RULES), p.block_no_wrap > 0, lsn >= 0,
                  z3.Not(z3.And(b >= 1, b <= p.block_no_wrap)))


def block_no_consecutive() -> z3.BoolRef:
    """FMT-3: consecutive blocks have consecutive numbers, wrapping from ``block_no_wrap`` to
    1: ``block_no(lsn + block_size) = block_no(lsn) % wrap + 1``."""
    p = SymParams()
    (lsn,) = _ints("lsn")
    bs, w = p.block_size, p.block_no_wrap
    q = lsn / bs
    hints = z3.And(T.euclid(lsn, bs), T.div_hint(lsn + bs, bs, q + 1, lsn % bs),
                   T.euclid(q, w), T.div_hint(q + 1, w, q / w + 1, 0),
                   T.div_hint(q + 1, w, q / w, q % w + 1))
    return z3.And(p.assume(*BLOCK_RULES), w > 0, lsn >= 0, hints,
                  z3.Not(T.block_no(p, lsn + bs) == T.block_no(p, lsn) % w + 1))


def block_no_unique_within_capacity() -> z3.BoolRef:
    """FMT-3, RC-2: two different blocks less than ``log_capacity`` lsn apart (both can be in
    the files at once) have different block numbers, so recovery can tell an old block from
    the expected one (Params rule ``block_no_wrap * block_size > log_capacity``)."""
    p = SymParams()
    l1, l2, k = _ints("lsn1 lsn2 k")
    bs, w = p.block_size, p.block_no_wrap
    q1, q2 = l1 / bs, l2 / bs
    m = q2 / w - q1 / w
    hints = z3.And(
        T.euclid(l1, bs), T.euclid(l2, bs), T.euclid(q1, w), T.euclid(q2, w),
        T.div_mono(l1, l2, bs), T.mul_cancel(q2 - q1, k + 1, bs), T.mul_cancel(k, w, bs),
        T.mul_cancel(m, z3.IntVal(1), w), T.mul_cancel(z3.IntVal(-1), m, w),
        # the capacity is a whole number k of blocks (file_size is a multiple of block_size):
        p.file_size == (p.file_size / bs) * bs, k == p.n_files * (p.file_size / bs - 4),
        p.log_capacity == k * bs,
    )
    return z3.And(
        p.assume(*BLOCK_RULES, "file.aligned", "file.header", "block_no_wrap.capacity"),
        w > 0,
        l1 >= 0, l1 <= l2, l2 < l1 + p.log_capacity, q1 != q2, hints,
        z3.Not(T.block_no(p, l1) != T.block_no(p, l2)),
    )


# --- CP-7: checkpoint lsn adjustment ----------------------------------------------------------
def checkpoint_adjustment_is_data() -> z3.BoolRef:
    """CP-7: for an lsn that is a data lsn or a block boundary above the first block,
    ``checkpoint_lsn_for(lsn)`` is a data lsn, not above ``lsn``, and in the same or the
    previous block (so it loses no log: the bytes between are header and trailer bytes)."""
    p = SymParams()
    (lsn,) = _ints("lsn")
    bs = p.block_size
    c = T.checkpoint_lsn_for(p, lsn)
    hints = z3.And(T.euclid(lsn, bs),
                   T.div_hint(lsn - bs + p.header_size, bs, lsn / bs - 1, p.header_size))
    return z3.And(
        p.assume(*BLOCK_RULES), lsn >= bs, hints,
        z3.Or(T.is_data_lsn(p, lsn), lsn % bs == 0),
        z3.Not(z3.And(T.is_data_lsn(p, c), c <= lsn, c > lsn - bs,
                      T.lsn_to_sn(p, c) <= T.lsn_to_sn(p, lsn))),
    )


# --- WR-6: write-ahead regions ----------------------------------------------------------------
WA_RULES = (*BLOCK_RULES, "file.aligned", "file.header", "file.write_ahead")


def _wa_hints(p: SymParams, *xs: z3.ArithRef) -> z3.BoolRef:
    w = p.write_ahead_size
    return z3.And(p.file_size == (p.file_size / w) * w,
                  *[T.euclid(x, w) for x in xs], *[T.euclid(-x, w) for x in xs])


def write_ahead_region_inside_file() -> z3.BoolRef:
    """WR-6: the write-ahead region holding any file offset ``o < file_size`` ends at or before
    the end of the file (``file_size`` is a multiple of ``write_ahead_size``), so a padded
    region write never straddles two files."""
    p = SymParams()
    (o,) = _ints("o")
    w = p.write_ahead_size
    return z3.And(p.assume(*WA_RULES), o >= 0, o < p.file_size, _wa_hints(p, o),
                  z3.Not(T.align_down(o, w) + w <= p.file_size))


def write_ahead_limit_to_regions() -> z3.BoolRef:
    """WR-6: a write ``[o, o + n)`` of at least one region, limited to whole regions, ends at
    ``align_down(o + n, W)``: past ``o`` (progress), not past ``o + n`` (nothing unready), on a
    region boundary (no later write needs to read the region back)."""
    p = SymParams()
    o, n = _ints("o n")
    w = p.write_ahead_size
    end = T.align_down(o + n, w)
    hints = z3.And(_wa_hints(p, o + n), T.div_hint(end, w, (o + n) / w, z3.IntVal(0)))
    return z3.And(p.assume(*WA_RULES), o >= 0, n >= w, hints,
                  z3.Not(z3.And(end > o, end <= o + n, end % w == 0)))


def write_ahead_padded_inside_file() -> z3.BoolRef:
    """WR-6: padding a write ``[o, o + n)`` inside the file up to the next region boundary,
    ``align_up(o + n, W)``, stays inside the file and covers the write."""
    p = SymParams()
    o, n = _ints("o n")
    w = p.write_ahead_size
    end = T.align_up(o + n, w)
    f, q = p.file_size / w, -(o + n) / w
    hints = z3.And(
        _wa_hints(p, o + n), T.div_hint(-f * w, w, -f, z3.IntVal(0)),
        T.div_mono(-f * w, -(o + n), w), T.mul_cancel(f, -q, w),
        T.div_hint(end, w, -q, z3.IntVal(0)),
    )
    return z3.And(p.assume(*WA_RULES), o >= 0, n > 0, o + n <= p.file_size, hints,
                  z3.Not(z3.And(end >= o + n, end <= p.file_size, end % w == 0)))


# --- alignment facts (used as instances by proofs/writeahead.py) -------------------------------
def _aligned(x: z3.ArithRef, n: z3.ArithRef) -> z3.BoolRef:
    return x % n == 0


def align_down_facts() -> z3.BoolRef:
    """lemma.align_down_facts: for ``n > 0``, ``align_down(x, n) <= x < align_down(x, n) +
    n``, ``align_down(x, n)`` is aligned, and ``x`` is aligned iff ``align_down(x, n) = x``."""
    x, n = _ints("x n")
    d = T.align_down(x, n)
    hints = z3.And(T.euclid(x, n), T.div_hint(d, n, x / n, z3.IntVal(0)))
    return z3.And(n > 0, hints, z3.Not(z3.And(
        d <= x, x < d + n, _aligned(d, n), _aligned(x, n) == (d == x))))


def aligned_closure() -> z3.BoolRef:
    """lemma.aligned_closure: sums and differences of multiples of ``n`` are multiples of
    ``n``; so is ``n`` itself and 0."""
    a, b, n = _ints("a b n")
    hints = z3.And(T.euclid(a, n), T.euclid(b, n),
                   T.div_hint(a + b, n, a / n + b / n, z3.IntVal(0)),
                   T.div_hint(a - b, n, a / n - b / n, z3.IntVal(0)),
                   T.div_hint(n, n, z3.IntVal(1), z3.IntVal(0)))
    return z3.And(n > 0, _aligned(a, n), _aligned(b, n), hints, z3.Not(z3.And(
        _aligned(a + b, n), _aligned(a - b, n), _aligned(n, n), _aligned(z3.IntVal(0), n))))


def aligned_gap() -> z3.BoolRef:
    """lemma.aligned_gap: two different multiples of ``n`` are at least ``n`` apart."""
    a, b, n = _ints("a b n")
    hints = z3.And(T.euclid(a, n), T.euclid(b, n), T.mul_cancel(a / n, b / n, n),
                   T.mul_cancel(b / n, a / n + 1, n))
    return z3.And(n > 0, _aligned(a, n), _aligned(b, n), a < b, hints, z3.Not(a + n <= b))


def aligned_coarser() -> z3.BoolRef:
    """lemma.aligned_coarser: a multiple of ``w`` is a multiple of ``n`` when ``w`` is (the
    write-ahead size is a multiple of the block size)."""
    x, w, n = _ints("x w n")
    hints = z3.And(T.euclid(x, w), T.euclid(w, n),
                   T.div_hint(x, n, (x / w) * (w / n), z3.IntVal(0)))
    return z3.And(n > 0, w > 0, _aligned(w, n), _aligned(x, w), hints,
                  z3.Not(_aligned(x, n)))


def file_position_of_block_start() -> z3.BoolRef:
    """WR-6, FMT-9: the file offset of a block start at or above start_lsn (spec.lsn.
    file_position) is block aligned, past the 4-block file header and inside the file -- the
    assumptions proofs.writeahead makes about ``real_offset``. (The quotients are named so
    that the products stay multiples of the block size; the formula proves them too.)"""
    p = SymParams()
    bs = p.block_size
    lsn, cap, nb, nf, ns = _ints("lsn log_capacity n_blocks nf ns")
    fds = p.file_data_size
    dist = (lsn - p.start_lsn) % cap
    in_file = dist % fds
    ro = T.file_offset(p, lsn, cap)
    hyp = z3.And(
        bs > 0, p.file_size > 4 * bs, p.n_files >= 1, p.start_lsn >= 0,
        p.file_size == nf * bs, cap == p.n_files * fds, p.start_lsn == ns * bs,
        lsn == nb * bs, lsn >= p.start_lsn,
        T.euclid(lsn - p.start_lsn, cap), T.euclid(dist, fds),
    )
    q1 = (lsn - p.start_lsn) / cap
    q2 = dist / fds
    m1 = (nb - ns) - q1 * p.n_files * (nf - 4)
    m2 = m1 - q2 * (nf - 4)
    steps = z3.And(dist == m1 * bs, in_file == m2 * bs)
    goal = z3.And(ro % bs == 0, ro >= 4 * bs, ro < p.file_size)
    return z3.And(hyp, T.div_hint(in_file, bs, m2, z3.IntVal(0)), z3.Not(z3.And(steps, goal)))


def _show(*names: str) -> Callable[[z3.ModelRef], str]:
    """A decoder printing the named constants of a model (the concrete counterexample)."""

    def decode(model: z3.ModelRef) -> str:
        values = {d.name(): model[d] for d in model.decls() if d.arity() == 0}
        shown = [f"{n}={values[n]}" for n in names if n in values]
        return ", ".join(shown)

    return decode


def _notify_decoder(model: z3.ModelRef) -> str:
    values: dict[str, int] = {d.name(): int(model[d].as_long()) for d in model.decls()
              if d.arity() == 0 and z3.is_int_value(model[d])}
    old, new, e = values["old"], values["new"], values["e"]
    bs, s = values["block_size"], values["write_events"]

    def slot(lsn: int) -> int:
        return (lsn - 1) // bs & (s - 1)

    return (
        f"block_size={bs} S=write_events={s} old={old} new={new} "
        f"(advance of {new - old} bytes, blocks {old // bs}..{(new - 1) // bs}): "
        f"slot(old+1)={slot(old + 1)} == slot(new)={slot(new)}, so only slot {slot(new)} is "
        f"set; the waiter for e={e} sleeps on slot {slot(e)} and is not woken"
    )


def obligations() -> list[Obligation]:
    """The lemma obligations, in report order."""
    L = Obligation
    return [
        L("lemma.divmod_unique", ("FMT-2",), divmod_unique, divmod_unique.__doc__ or ""),
        L("lemma.div_monotone", ("FMT-2",), div_monotone, div_monotone.__doc__ or ""),
        L("lemma.mul_cancel", ("FMT-2",), mul_cancel, mul_cancel.__doc__ or ""),
        L("lemma.sn_to_lsn_monotone", ("FMT-2",), sn_to_lsn_monotone),
        L("lemma.sn_to_lsn_is_data", ("FMT-2",), sn_to_lsn_is_data),
        L("lemma.lsn_to_sn_inverts", ("FMT-2",), lsn_to_sn_inverts),
        L("lemma.sn_to_lsn_inverts_on_data", ("FMT-2",), sn_to_lsn_inverts_on_data),
        L("lemma.lsn_to_sn_monotone", ("FMT-2",), lsn_to_sn_monotone),
        L("lemma.start_sn_translation", ("FMT-2",), start_sn_translation),
        L("lemma.block_start_bounds", ("FMT-1",), block_start_bounds),
        L("lemma.block_start_monotone", ("FMT-1",), block_start_monotone),
        L("lemma.checkpoint_adjustment_not_above", ("CP-7",), checkpoint_adjustment_not_above),
        L("lemma.notify_member_covers", ("NT-2", "NT-4"), notify_member_covers),
        L("lemma.slot_and_is_mod", ("NT-3", "LNK-1"), slot_and_is_mod),
        L("lemma.block_no_in_range", ("FMT-3",), block_no_in_range),
        L("lemma.block_no_consecutive", ("FMT-3",), block_no_consecutive),
        L("lemma.block_no_unique_within_capacity", ("FMT-3", "RC-2"),
          block_no_unique_within_capacity),
        L("lemma.checkpoint_adjustment_is_data", ("CP-7",), checkpoint_adjustment_is_data),
        L("lemma.write_ahead_region_inside_file", ("WR-6",), write_ahead_region_inside_file),
        L("lemma.write_ahead_limit_to_regions", ("WR-6",), write_ahead_limit_to_regions),
        L("lemma.write_ahead_padded_inside_file", ("WR-6",), write_ahead_padded_inside_file),
        L("lemma.align_down_facts", ("WR-6",), align_down_facts),
        L("lemma.aligned_closure", ("WR-6",), aligned_closure),
        L("lemma.aligned_gap", ("WR-6",), aligned_gap),
        L("lemma.aligned_coarser", ("WR-6",), aligned_coarser),
        L("lemma.file_position_of_block_start", ("WR-6", "FMT-9"),
          file_position_of_block_start),
        L("notify.notifier_covers_waiters", ("NT-2", "NT-4"), notifier_covers_waiters),
        L("notify.mysql_shortcut_unsound", ("NT-4", "WR-8"), mysql_shortcut_unsound,
          mysql_shortcut_unsound.__doc__ or "", expect="sat", decode=_notify_decoder),
        L("notify.mysql_shortcut_unsound_tight", ("NT-4", "WR-8"),
          mysql_shortcut_unsound_innodb_tight, mysql_shortcut_unsound_innodb_tight.__doc__ or "",
          expect="sat", decode=_notify_decoder),
        L("notify.mysql_shortcut_sound_short", ("NT-4", "WR-8"),
          mysql_shortcut_sound_for_short_advances),
        L("notify.spec_shortcut_sound", ("NT-4", "WR-8", "FL-2"), spec_shortcut_sound),
    ]
