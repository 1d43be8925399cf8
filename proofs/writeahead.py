"""WR-6 (write-ahead) and WR-7 on the writer's plan: the arithmetic of spec.writer.plan_write.

The step invariant ``spec.invariants.wr6_write_ahead`` says: every file write starts on a block
boundary, is a positive whole number of blocks, and ends inside the region already written
ahead (at or below write_ahead_end before the write) or on a write-ahead boundary -- so no write
makes the OS read a page first. It depends only on the plan's arithmetic: the file offset
``ro`` of the block holding write_lsn, the writer's write_ahead_end ``wae`` for that file (0
after moving to a new file, decision 10), the bytes ready ``buffer_size`` and the sizes.

Encoding: unbounded integers, every size symbolic. "``x`` is a multiple of the block size /
of the write-ahead size" and ``align_down`` are uninterpreted in the proofs; the obligations
assume instances of the proved alignment lemmas (``lemma.align_down_facts``,
``lemma.aligned_closure``, ``lemma.aligned_gap``, ``lemma.aligned_coarser``) for the terms the
plan computes, so each proof holds for the real ``%``. With ``real=True`` the same plan uses
the real ``%`` (tests/proofs/test_writeahead.py checks it against ``spec.writer.plan_write``
on reachable states).

Obligations:

* ``wr6.write_ahead``: the write is whole blocks from a block boundary and ends at or below
  ``wae`` or on a region boundary (WR-6), inside the file (WR-9: a write crossing a file end
  is split).
* ``wr6.write_ahead_end``: the new write_ahead_end (``align_down(end, W)`` if the write went
  past it) is again region aligned and inside the file (the auxiliary invariant the first one
  assumes).
* ``wr6.progress``: the write advances write_lsn (WR-7) and not past the ready bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TypeAlias

import z3

from proofs import terms as T
from proofs.obligation import Obligation

Int: TypeAlias = z3.ArithRef


@dataclass
class Align:
    """Alignment to the block size (``b``) and the write-ahead size (``w``)."""

    bs: Int
    wa: Int
    real: bool = False
    terms_b: list[Int] = field(default_factory=list)
    terms_w: list[Int] = field(default_factory=list)
    downs_b: list[Int] = field(default_factory=list)
    downs_w: list[Int] = field(default_factory=list)

    def __post_init__(self) -> None:
        i = z3.IntSort()
        self.f_ab = z3.Function("aligned_block", i, z3.BoolSort())
        self.f_aw = z3.Function("aligned_region", i, z3.BoolSort())
        self.f_db = z3.Function("align_down_block", i, i)
        self.f_dw = z3.Function("align_down_region", i, i)

    def ab(self, x: Int) -> z3.BoolRef:
        self.terms_b.append(x)
        return x % self.bs == 0 if self.real else self.f_ab(x)

    def aw(self, x: Int) -> z3.BoolRef:
        self.terms_w.append(x)
        return x % self.wa == 0 if self.real else self.f_aw(x)

    def db(self, x: Int) -> Int:
        self.downs_b.append(x)
        return T.align_down(x, self.bs) if self.real else self.f_db(x)

    def dw(self, x: Int) -> Int:
        self.downs_w.append(x)
        return T.align_down(x, self.wa) if self.real else self.f_dw(x)

    def facts(self) -> z3.BoolRef:
        """Instances of the alignment lemmas for every term used (abstract mode only)."""
        if self.real:
            return z3.BoolVal(True)
        bs, wa = self.bs, self.wa
        cs: list[z3.BoolRef] = [self.f_ab(z3.IntVal(0)), self.f_ab(bs), self.f_aw(wa),
                                self.f_aw(z3.IntVal(0)), self.f_ab(wa)]
        for x, n, d, al in ((x, bs, self.f_db, self.f_ab) for x in self.downs_b):
            cs += [d(x) <= x, x < d(x) + n, al(d(x)), al(x) == (d(x) == x)]
        for x in self.downs_w:
            d = self.f_dw
            cs += [d(x) <= x, x < d(x) + wa, self.f_aw(d(x)), self.f_aw(x) == (d(x) == x)]
            self.terms_w.append(d(x))
        base_b = _uniq([*self.terms_b, *[self.f_db(x) for x in self.downs_b], z3.IntVal(0), bs])
        base_w = _uniq([*self.terms_w, z3.IntVal(0), wa])
        for x in base_w:  # lemma.aligned_coarser
            cs.append(z3.Implies(self.f_aw(x), self.f_ab(x)))
        for group, al, n in ((base_b, self.f_ab, bs), (base_w, self.f_aw, wa)):
            for a, b in combinations(group, 2):
                both = z3.And(al(a), al(b))
                cs.append(z3.Implies(both, z3.And(al(a + b), al(a - b), al(b - a))))  # closure
                cs.append(z3.Implies(z3.And(both, a < b), a + n <= b))  # lemma.aligned_gap
                cs.append(z3.Implies(z3.And(both, b < a), b + n <= a))
        return z3.And(cs)


def _uniq(xs: list[Int]) -> list[Int]:
    seen: dict[int, Int] = {}
    for x in xs:
        seen.setdefault(x.hash(), x)
    return list(seen.values())


@dataclass
class Inputs:
    bs: Int
    wa: Int
    file_size: Int
    ro: Int
    wae: Int
    buffer_size: Int
    off: Int
    """write_lsn - start_lsn: write_lsn's offset in its block."""

    @classmethod
    def fresh(cls) -> Inputs:
        return cls(*z3.Ints("block_size write_ahead_size file_size real_offset "
                            "write_ahead_end buffer_size offset_in_block"))

    def assumptions(self, al: Align) -> z3.BoolRef:
        """Params rules (block.data: ``block_size >= 2``; write_ahead.pow2: a multiple of
        block_size; file.aligned, file.header, file.write_ahead), the offset's shape
        (file_position of a block start: block aligned, past the 4-block header, inside the
        file -- ``lemma.file_position_of_block_start``), the auxiliary invariant on
        write_ahead_end (region aligned, inside the file: ``wr6.write_ahead_end``), and
        ``buffer_size > off`` (write_lsn < buf_ready_for_write_lsn)."""
        return z3.And(
            self.bs >= 2, self.wa >= self.bs, al.ab(self.wa), al.aw(self.file_size),
            self.file_size > 4 * self.bs,
            al.ab(self.ro), self.ro >= 4 * self.bs, self.ro < self.file_size,
            al.aw(self.wae), self.wae >= 0, self.wae <= self.file_size,
            self.off >= 0, self.off < self.bs, self.buffer_size > self.off,
        )


@dataclass
class Plan:
    write_size: Int
    lsn_advance: Int
    padding: Int
    from_buf: z3.BoolRef


def plan(i: Inputs, al: Align) -> Plan:
    """spec.writer.plan_write from its file position on (facts §4.4 steps 1-3 and the
    write-ahead padding), step by step, with the same branches."""
    bs, file_end, ro, wae = i.bs, i.file_size, i.ro, i.wae
    ws1 = z3.If(ro + i.buffer_size > file_end, file_end - ro, i.buffer_size)  # step 1
    fb = ws1 >= bs  # step 2
    next_wa = al.dw(ro) + i.wa  # step 3
    covered = wae >= ro + ws1
    partly = wae >= ro + 1
    shrink = next_wa < ro + ws1
    ws3 = z3.If(covered, z3.If(fb, al.db(ws1), ws1),
                z3.If(partly, wae - ro, z3.If(shrink, next_wa - ro, ws1)))
    fb3 = z3.If(z3.Or(covered, partly, shrink), fb, z3.BoolVal(False))
    rounded = al.db(ws3) + z3.If(al.ab(ws3), 0, bs)
    pad_a = next_wa - (ro + rounded)
    pad_b = file_end - ro - rounded
    pad_min = z3.If(pad_a <= pad_b, pad_a, pad_b)
    pad = z3.If(z3.And(z3.Not(partly), pad_min > 0), pad_min, 0)
    ws_final = z3.If(fb3, ws3, rounded + pad)
    for t in (ws1, ws3, rounded, ws_final, ro + ws_final, next_wa, next_wa - ro,
              file_end - ro, wae - ro, ro + rounded):
        al.ab(t)
    for t in (ro + ws_final, next_wa, file_end):
        al.aw(t)
    return Plan(ws_final, ws3, z3.If(fb3, 0, pad), fb3)


def _wr6() -> z3.BoolRef:
    i = Inputs.fresh()
    al = Align(i.bs, i.wa)
    assume = i.assumptions(al)
    pl = plan(i, al)
    end = i.ro + pl.write_size
    good = z3.And(pl.write_size > 0, al.ab(i.ro), al.ab(pl.write_size),
                  z3.Or(end <= i.wae, al.aw(end)), end <= i.file_size)
    return z3.And(assume, z3.Not(good), al.facts())


def _wae() -> z3.BoolRef:
    i = Inputs.fresh()
    al = Align(i.bs, i.wa)
    assume = i.assumptions(al)
    pl = plan(i, al)
    end = i.ro + pl.write_size
    new_wae = z3.If(end > i.wae, al.dw(end), i.wae)
    return z3.And(assume, end <= i.file_size,
                  z3.Not(z3.And(al.aw(new_wae), new_wae <= i.file_size, new_wae >= 0)),
                  al.facts())


def _progress() -> z3.BoolRef:
    i = Inputs.fresh()
    al = Align(i.bs, i.wa)
    assume = i.assumptions(al)
    pl = plan(i, al)
    return z3.And(assume, z3.Not(z3.And(pl.lsn_advance > i.off,
                                        pl.lsn_advance <= i.buffer_size)), al.facts())


def obligations() -> list[Obligation]:
    return [
        Obligation("wr6.write_ahead", ("WR-6", "WR-9"), _wr6),
        Obligation("wr6.write_ahead_end", ("WR-6",), _wae),
        Obligation("wr6.progress", ("WR-7",), _progress),
    ]
