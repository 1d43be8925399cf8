"""The symbolic-capacity ring (proofs/ring_symbolic.py) is spec.linkbuf's traversal at the
presets' and InnoDB's capacities: one loop iteration of the z3 model, with
the real ``% C``, moves and clears exactly as spec.linkbuf.traverse does, for rings of 16, 64
and 2**20 slots; the loop obligations' hypotheses are satisfiable."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import ring_symbolic as R
from spec import linkbuf


def _run_model(c: int, lb: linkbuf.LinkBuf, stop: int | None) -> tuple[int, dict[int, int]]:
    """Iterate the z3 loop with every value concrete until its condition is false."""
    cx = R.Ctx(c=z3.IntVal(c), real=True, stop=z3.IntVal(stop if stop is not None else 0))
    slots = dict(lb.links)
    pos = lb.tail
    for _ in range(10_000):
        b = z3.Function("b", z3.IntSort(), z3.IntSort())
        lp = R.Loop(z3.IntVal(pos), b)
        table = z3.And([b(z3.IntVal(i)) == v for i, v in slots.items()]) if slots else True
        solver = z3.Solver()
        go = R.cond(cx, lp, stop is not None)
        nxt = R.iterate(cx, lp)
        solver.add(table, z3.ForAll([z3.Int("i")], z3.Implies(
            z3.And(*[z3.Int("i") != i for i in slots]) if slots else True,
            b(z3.Int("i")) == 0)))
        assert solver.check() == z3.sat
        m = solver.model()
        if not z3.is_true(m.eval(go, model_completion=True)):
            return pos, slots
        idx = pos % c
        new_pos = m.eval(nxt.pos, model_completion=True).as_long()
        assert m.eval(nxt.b(z3.IntVal(idx)), model_completion=True).as_long() == 0
        slots.pop(idx, None)
        pos = new_pos
    raise AssertionError("no termination")


@pytest.mark.parametrize("c", [16, 64, 2**20])
@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=8),
       linked=st.lists(st.booleans(), min_size=8, max_size=8),
       start=st.integers(0, 5000), stop=st.one_of(st.none(), st.integers(0, 200)))
def test_loop_iteration_is_spec_traverse(c: int, sizes: list[int], linked: list[bool],
                                         start: int, stop: int | None) -> None:
    """LNK-2, LNK-3, WR-1: the modelled loop ends where spec.linkbuf.traverse does, with the
    same slots, for capacities 16, 64 and 2**20 (groups that fit the window)."""
    lb = linkbuf.LinkBuf.empty(c, start)
    pos = start
    for size, on in zip(sizes, linked, strict=False):
        if on and linkbuf.has_space(lb, pos):
            lb = linkbuf.add_link(lb, pos, pos + size, "seeds")
        pos += size
    stop_at = None if stop is None else start + stop
    after = linkbuf.traverse(lb, "seeds", stop_at)
    tail, slots = _run_model(c, lb, stop_at)
    assert tail == after.tail
    assert slots == dict(after.links)


def test_loop_hypotheses_are_satisfiable() -> None:
    """Non-vacuity: the ring invariant with a link action, and the ring and loop invariants at
    the loop's exit, are satisfiable (z3 finds models). The loop step's hypothesis is then
    satisfiable too: ring.loop_start proves the loop invariant at the start from the ring
    invariant, and a ring with a link at its tail satisfies the loop condition. (Checking it
    directly takes z3 ~10 s, too slow for CI.)"""
    for name in ("link", "writer_refines"):
        hyp, _ = R.BUILDERS[name]()
        solver = z3.Solver()
        solver.set("timeout", 60_000)
        solver.add(hyp)
        assert solver.check() == z3.sat, name


def test_every_lemma_the_new_encodings_assume_is_registered() -> None:
    """Soundness bookkeeping: the symbolic ring assumes instances of its two lemmas, the exact
    write assumes wr6.progress, wr6.write_ahead_end and lemma.file_position_of_block_start;
    each is a registered (so proved) obligation."""
    from proofs.registry import registered_names

    needed = ("ring.lemma_injective", "ring.lemma_witness", "wr6.progress",
              "wr6.write_ahead_end", "lemma.file_position_of_block_start",
              "lemma.divmod_unique", "lemma.mul_cancel")
    assert [n for n in needed if n not in registered_names()] == []
