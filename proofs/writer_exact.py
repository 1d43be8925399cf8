"""The two writer actions as *exact* relations.

:mod:`proofs.unbounded` (like :mod:`proofs.encoding`) over-approximates the writer: its
traversal may stop at any lsn at or past ``write_lsn + write_max_size``, and a write may move
write_lsn anywhere up to buf_ready_for_write_lsn and the capacity limit. The step proofs over
those relations hold a fortiori for the spec's writer if every spec step satisfies them; this
module gives relations that the spec's steps satisfy *and* whose every model is a spec step
(tests/proofs/test_writer_exact.py checks both directions on concrete reachable states, as
tests/proofs/test_encoding.py does for the other actions), and proves that each implies the
over-approximation (``wexact.*``), so the unbounded step proofs cover the exact writer.

* ``writer_traverse_links`` needs the group *boundaries* (spec ``State.groups``: every group
  reserved so far; a boundary is a group's end, or lsn0): the traversal follows links from
  boundary to boundary (proved for the ring by ``ring.writer_*``: it passes only links that
  start below its stop and ends at cur, the first unlinked start, or at/past its stop). So the
  new tail is the first boundary after the old one that is at or past the stop, or the first
  unlinked start ``m`` if none comes before. ``bnd`` is an uninterpreted predicate (a finite
  list of lsns on concrete states).
* ``writer_write`` needs the writer's file number and write_ahead_end (two more scalars,
  ``wf`` and ``wae``): the relation is spec.writer.plan_write's arithmetic -- the buffer-ring
  and capacity clips, the file position, :func:`proofs.writeahead.plan` -- and its effect:
  ``write_lsn := align_down(write_lsn) + lsn_advance``, the file, the new write_ahead_end, the
  notification.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

import z3

from proofs import terms as T
from proofs import writeahead as W
from proofs.encoding import COPIED as COPIED_
from proofs.encoding import FRG_SET, RESERVED
from proofs.obligation import Obligation
from proofs.unbounded import UEnc, UState, facts

Int: TypeAlias = z3.ArithRef
Rel: TypeAlias = Callable[[UEnc, UState], tuple[z3.BoolRef, UState]]


def with_writer(s: UState) -> UState:
    """``s`` with the writer's file number ``wf`` and ``wae`` (write_ahead_end) as scalars."""
    if "wf" not in s.v:
        s.v["wf"] = z3.Int(f"wf{s.tag}")
        s.v["wae"] = z3.Int(f"wae{s.tag}")
    return s


def traverse_exact(boundaries: Sequence[int] | None = None) -> Rel:
    """spec.writer.writer_traverse_links exactly (WR-1, LNK-2, LNK-3): the new tail ``r`` is
    after the old one, at most ``m`` (the first unlinked start or cur), and either ``m`` or a
    boundary at or past the stop, with no boundary in between at or past the stop. With
    ``boundaries`` (concrete states) ``bnd`` is membership in that list, else uninterpreted."""
    def rel(e: UEnc, s: UState) -> tuple[z3.BoolRef, UState]:
        stop = s.wl + e.p.write_max_size
        m, defn = e.first_unlinked(s, (RESERVED, COPIED_, FRG_SET), "m_rw")
        r = z3.Int(f"c_ready{s.tag}")
        if boundaries is None:
            bnd = z3.Function("boundary", z3.IntSort(), z3.BoolSort())
            x = z3.Int("bx")
            none_between = z3.ForAll([x], z3.Implies(
                z3.And(bnd(x), s.ready < x, x < r), x < stop))
            is_bnd = bnd(r)
        else:
            none_between = z3.And([z3.Implies(z3.And(s.ready < b, b < r), b < stop)
                                   for b in boundaries])
            is_bnd = z3.Or([r == b for b in boundaries]) if boundaries else z3.BoolVal(False)
        guard = z3.And(defn, s.ready < stop, s.ready < r, r <= m,
                       z3.Or(r == m, z3.And(r >= stop, is_bnd)), none_between)
        return guard, s.update({"ready": r})

    return rel


def _plan(e: UEnc, s: UState, al: W.Align, file_no: Int, ro: Int, clip: bool = True
          ) -> tuple[z3.BoolRef, Int, W.Plan, Int, Int, Int]:
    """plan_write from the state: guard, start_lsn, the plan, limit, nxt, wae for the file.
    ``clip=False`` drops the capacity clip and guard (WR-9; the teeth test's break)."""
    p = e.p
    bs, buf = p.block_size, p.log_buffer_size
    last, ready = s.wl, s.ready
    start_off, end_off = last % buf, ready % buf
    nxt1 = z3.If(start_off >= end_off, last + (buf - start_off), ready)
    limit = e.capacity_limit(s)
    nxt = z3.If(nxt1 > limit, limit, nxt1) if clip else nxt1
    start = al.db(last)
    wae = z3.If(file_no == s.wf, s.wae, 0)
    inputs = W.Inputs(bs, p.write_ahead_size, p.file_size, ro, wae, nxt - start, last - start)
    pl = W.plan(inputs, al)
    guard = z3.And(last < ready, last < nxt,
                   start + pl.write_size <= limit if clip else z3.BoolVal(True))
    return guard, start, pl, limit, nxt, wae


def write_exact(e: UEnc, s: UState) -> tuple[z3.BoolRef, UState]:
    """spec.writer.writer_write exactly, in real mode (concrete Params): plan_write's
    arithmetic and apply_write's effect on the encoded fields."""
    s = with_writer(s)
    p = e.p
    al = W.Align(p.block_size, p.write_ahead_size, real=True)
    start = T.align_down(s.wl, p.block_size)
    file_no = T.file_number(p, start, e.cap)
    ro = T.file_offset(p, start, e.cap)
    guard, start, pl, _limit, _nxt, wae = _plan(e, s, al, file_no, ro)
    new = start + pl.lsn_advance
    end = ro + pl.write_size
    new_wae = z3.If(end > wae, T.align_down(end, p.write_ahead_size), wae)
    t = e.notify_advance(s, 1, s.wl, new, {"wl": new, "wf": file_no, "wae": new_wae})
    return guard, t


# --- obligations: exact => over-approximation ------------------------------------------------
def _traverse_implies() -> z3.BoolRef:
    e, s = UEnc(), UState.fresh("")
    guard, t = traverse_exact()(e, s)
    r = t.ready
    m = z3.Int("m_rw")
    stop = s.wl + e.p.write_max_size
    over = z3.And(s.ready < stop, s.ready < r, r <= m, z3.Or(r == m, r >= stop))
    return z3.And(guard, z3.Not(over))


def _write_implies(clip: bool = True) -> z3.BoolRef:
    """The exact write (abstract alignment, file position as a fresh offset with the facts of
    lemma.file_position_of_block_start, the wr6.progress conclusion as an instance) moves
    write_lsn up, not past buf_ready_for_write_lsn nor the capacity limit."""
    e, s = UEnc(), with_writer(UState.fresh(""))
    p = e.p
    bs, buf = p.block_size, p.log_buffer_size
    al = W.Align(bs, p.write_ahead_size)
    file_no, ro = z3.Ints("file_no real_offset")
    guard, start, pl, limit, nxt, wae = _plan(e, s, al, file_no, ro, clip)
    new = start + pl.lsn_advance
    inputs = W.Inputs(bs, p.write_ahead_size, p.file_size, ro, wae, nxt - start, s.wl - start)
    progress = z3.Implies(inputs.assumptions(al),  # wr6.progress, proved
                          z3.And(pl.lsn_advance > inputs.off,
                                 pl.lsn_advance <= inputs.buffer_size))
    # lemma.file_position_of_block_start; the write_ahead_end invariant (wr6.write_ahead_end)
    hyps = z3.And(al.ab(ro), ro >= 4 * bs, ro < p.file_size,
                  al.aw(s.wae), s.wae >= 0, s.wae <= p.file_size,
                  al.ab(p.write_ahead_size), al.aw(p.file_size), p.file_size > 4 * bs,
                  p.write_ahead_size >= bs, bs >= 2, buf > 0)
    qa, qb = z3.Ints("q_wl q_ready")
    division = z3.And(  # euclid for the two buffer offsets, and mul_cancel for their quotients
        T.div_hint(s.wl, buf, qa, s.wl % buf), T.div_hint(s.ready, buf, qb, s.ready % buf),
        s.wl == qa * buf + s.wl % buf, s.ready == qb * buf + s.ready % buf,
        s.wl % buf >= 0, s.wl % buf < buf, s.ready % buf >= 0, s.ready % buf < buf,
        T.mul_cancel(qa, qb, buf), T.mul_cancel(z3.IntVal(0), qb - qa, buf))
    over = z3.And(s.wl < new, new <= s.ready, new <= limit)
    return z3.And(e.params_ok(), hyps, progress, division, guard, z3.Not(over), al.facts(),
                  facts(e))


def obligations() -> list[Obligation]:
    """``wexact.traverse_implies_step`` and ``wexact.write_implies_step``."""
    return [
        Obligation("wexact.traverse_implies_step", ("WR-1", "LNK-2"), _traverse_implies,
                   "The exact traversal relation implies the one the step proofs use."),
        Obligation("wexact.write_implies_step", ("WR-7", "WR-9"), _write_implies,
                   _write_implies.__doc__ or ""),
    ]
