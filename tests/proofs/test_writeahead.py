"""WR-6/WR-7 plan obligations: the z3 plan is spec.writer.plan_write, and the proof has teeth.

The inputs of the plan (file offset, write_ahead_end, ready bytes) are recomputed here from the
design (facts §4.2-4.4: the log buffer's ring end and the capacity limit clip the ready range,
the write starts at the block holding write_lsn)."""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import writeahead as W
from proofs.obligation import Obligation, check
from spec.lsn import align_down, file_position
from spec.model import RedoModel
from spec.params import Params
from spec.state import State
from spec.user import capacity_limit
from spec.writer import WritePlan, plan_write


def inputs_of(p: Params, s: State) -> dict[str, int]:
    """The plan's inputs in state ``s`` (facts §4.2-4.4)."""
    last, nxt = s.writer.write_lsn, s.recent_written.tail
    buf = p.log_buffer_size
    if last % buf >= nxt % buf:
        nxt = last + (buf - last % buf)
    nxt = min(nxt, capacity_limit(p, s))
    start = align_down(last, p.block_size)
    file_no, ro = file_position(p, start)
    wae = s.writer.write_ahead_end_offset if file_no == s.writer.file_no else 0
    return {"block_size": p.block_size, "write_ahead_size": p.write_ahead_size,
            "file_size": p.file_size, "real_offset": ro, "write_ahead_end": wae,
            "buffer_size": nxt - start, "offset_in_block": last - start}


def z3_plan(values: dict[str, int]) -> tuple[int, int, int, bool]:
    i = W.Inputs.fresh()
    al = W.Align(i.bs, i.wa, real=True)
    pl = W.plan(i, al)
    subst = [(z3.Int(k), z3.IntVal(v)) for k, v in values.items()]

    def ev(x: z3.ExprRef) -> z3.ExprRef:
        return z3.simplify(z3.substitute(x, *subst))

    return (ev(pl.write_size).as_long(), ev(pl.lsn_advance).as_long(),
            ev(pl.padding).as_long(), z3.is_true(ev(pl.from_buf)))


PRESETS = [Params.tiny().evolve(wait_kinds=("flush", "write")), Params.small()]


@settings(max_examples=25)
@given(preset=st.sampled_from([0, 1]),
       picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=60))
def test_z3_plan_is_the_spec_plan(preset: int, picks: list[int]) -> None:
    """WR-3..WR-7: on every state of a random walk where the writer can write, the z3 plan
    gives the spec's write size, write_lsn advance, padding and source."""
    p = PRESETS[preset]
    model = RedoModel(p)
    s = model.init_states()[0]
    for pick in picks:
        plan = plan_write(p, s)
        if isinstance(plan, WritePlan):
            assert z3_plan(inputs_of(p, s)) == (plan.write_size, plan.lsn_advance,
                                                plan.padding, plan.from_log_buffer)
        succ = list(model.successors(s))
        if not succ:
            break
        s = succ[pick % len(succ)][1]


def test_innodb_partial_block_is_padded_to_the_region() -> None:
    """WR-4, WR-6 with InnoDB's sizes, worked out by hand: 100 ready bytes at the start of a
    fresh region (offset 2048 in the file, nothing written ahead) are written as one whole
    8 KiB region, 512 bytes of block plus 7680 bytes of padding (write-ahead size 8192)."""
    values = {"block_size": 512, "write_ahead_size": 8192, "file_size": 48 << 20,
              "real_offset": 2048, "write_ahead_end": 0, "buffer_size": 100,
              "offset_in_block": 12}
    size, advance, padding, from_buf = z3_plan(values)
    assert (advance, from_buf) == (100, False)
    assert 2048 + size == 8192 and padding == 8192 - 2048 - 512


def test_teeth_plan_without_padding_breaks_wr6() -> None:
    """WR-6 teeth: a writer that skips the padding (writes just the rounded-up block when
    nothing was written ahead) makes wr6.write_ahead fail with a counterexample."""
    original = W.plan

    def no_padding(i: W.Inputs, al: W.Align) -> W.Plan:
        pl = original(i, al)
        rounded = al.db(pl.lsn_advance) + z3.If(al.ab(pl.lsn_advance), 0, i.bs)
        return W.Plan(z3.If(pl.from_buf, pl.write_size, rounded), pl.lsn_advance,
                      z3.IntVal(0), pl.from_buf)

    W.plan = no_padding
    try:
        result = check(Obligation("teeth.wr6", ("WR-6",), W._wr6), timeout_s=30)
    finally:
        W.plan = original
    assert result.status == "counterexample"


def test_wr6_obligations_pass() -> None:
    """The three plan obligations are proved."""
    assert [check(ob, 30).status for ob in W.obligations()] == ["proved"] * 3
