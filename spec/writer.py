"""The log writer (WR-1..9): find what is ready, decide how much to write, write it.

Seed 001 ("Thread: log writer") and facts §4: the writer follows recent_written links from
buf_ready_for_write_lsn (WR-1), then writes from the block holding write_lsn: complete blocks
directly from the log buffer (WR-3), the last incomplete block through the write-ahead buffer
padded with zeros (WR-4), never a write that would make the OS read a page first (WR-6), never
past the block holding checkpoint_lsn one lap later and never across a file end (WR-9). After
each single write it advances write_lsn (WR-7) and notifies (WR-8, decision 3).

Traversal and writing are separate actions; one write is one atomic action (decision 4): the
bytes below buf_ready_for_write_lsn do not change until write_lsn passes them.
"""

from __future__ import annotations

from typing import NamedTuple

from spec import linkbuf
from spec.blocks import FileBlock, make_block, zero_block
from spec.lsn import align_down, block_no, file_position
from spec.model_types import Action, action
from spec.notifier import notify_advance
from spec.params import Params
from spec.state import Files, Monitor, State, WriterState, replace
from spec.user import capacity_limit


def writer_limit(p: Params, s: State) -> int:
    """WR-9, SYS-4: the lsn the writer's data must not pass: the capacity limit minus one
    write-ahead region (MySQL: ``last_checkpoint_lsn`` aligned down + ``lsn_capacity_for_writer``
    = capacity - safety_margin, log_calc_max_ages / log_writer_wait_on_checkpoint). The padding
    of a write is clipped only at the file end (prepare_for_write_ahead), never at the
    checkpoint: the last data block ends at or below this limit (a block boundary) and the
    padding adds less than one region, so the write stays below :func:`capacity_limit`."""
    return capacity_limit(p, s) - p.write_ahead_size


def writer_traverse_links(p: Params, s: State) -> State | None:
    """WR-1 (LNK-2, LNK-3): log_advance_ready_for_write_lsn: follow recent_written links from
    the tail (buf_ready_for_write_lsn), clearing them in the seeds' variant, and stop at a
    missing link or before following a link that starts ``write_max_size`` or more past
    write_lsn (so ready may overshoot by one link). Guard: the tail advances (WR-2: otherwise
    the writer waits)."""
    rw = s.recent_written
    nrw = linkbuf.traverse(rw, p.link_buf, s.writer.write_lsn + p.write_max_size)
    if nrw is rw:
        return None
    return replace(s, recent_written=nrw)


class WritePlan(NamedTuple):
    """One writer round's decision: the write begins at ``start_lsn`` (the block holding
    write_lsn), at ``real_offset`` of file ``file_no``, covers ``write_size`` file bytes
    (``padding`` zero bytes included) and advances write_lsn to ``start_lsn + lsn_advance``.
    ``full`` is MySQL's FULL_BLOCK_WRITES decision (at least one block before the write-ahead
    logic), ``from_log_buffer`` whether the bytes come straight from the log buffer."""

    start_lsn: int
    file_no: int
    real_offset: int
    lsn_advance: int
    from_log_buffer: bool
    full: bool
    write_size: int
    padding: int


def plan_write(p: Params, s: State) -> WritePlan | str:
    """The decision of one writer round (facts §4.2-4.4), or the guard that fails (a string
    naming it)."""
    bs = p.block_size
    w = s.writer
    last = w.write_lsn
    nxt = s.recent_written.tail
    if not last < nxt:
        return "write_lsn < buf_ready_for_write_lsn"
    # §4.2: never across the ring end of the log buffer in one call.
    buf = p.log_buffer_size
    start_off = last % buf
    end_off = nxt % buf
    if start_off >= end_off:
        nxt = last + (buf - start_off)
    # WR-9: data stops one write-ahead region before the block holding checkpoint_lsn one
    # lap later (clip like MySQL, whose lsn_capacity_for_writer keeps a safety margin).
    limit = writer_limit(p, s)
    if nxt > limit:
        nxt = limit
    if not last < nxt:
        return "log capacity (the checkpoint's block one lap later)"
    start_lsn = align_down(last, bs)
    buffer_size = nxt - start_lsn
    file_no, real_offset = file_position(p, start_lsn)
    wae = w.write_ahead_end_offset if file_no == w.file_no else 0
    # §4.4 step 1: the file limit.
    file_end = p.file_size
    write_size = buffer_size
    if real_offset + write_size > file_end:
        write_size = file_end - real_offset
    # step 2: full blocks from the log buffer, or via the write-ahead buffer.
    from_buf = write_size >= bs
    full = from_buf
    # step 3: write-ahead.
    wa = p.write_ahead_size
    if wae >= real_offset + write_size:
        if from_buf:
            write_size = align_down(write_size, bs)
    elif wae >= real_offset + 1:
        write_size = wae - real_offset
    else:
        next_wa = align_down(real_offset, wa) + wa
        if next_wa < real_offset + write_size:
            write_size = next_wa - real_offset
        else:
            from_buf = False
    lsn_advance = write_size
    padding = 0
    if not from_buf:
        # copy_to_write_ahead_buffer: the incomplete block is padded to a whole block.
        write_size = align_down(write_size, bs) + (bs if write_size % bs else 0)
        if not wae >= real_offset + 1:
            # prepare_for_write_ahead: pad with zeros to the end of the region (or file).
            next_wa = align_down(real_offset, wa) + wa
            pad = min(next_wa - (real_offset + write_size), file_end - real_offset - write_size)
            if pad > 0:
                padding = pad
                write_size += pad
    return WritePlan(start_lsn, file_no, real_offset, lsn_advance, from_buf, full, write_size,
                     padding)


def writer_write(p: Params, s: State) -> State | None:
    """WR-3..WR-9: one write of the log writer (log_writer_write_buffer, log_write_buffer,
    compute_how_much_to_write; facts §4.2-4.4).

    Guard: ``write_lsn < buf_ready_for_write_lsn`` and below :func:`writer_limit` (the block
    holding checkpoint_lsn one lap later, less one write-ahead region: WR-9, SYS-4; the data is
    clipped there, the padding then stays below that block). Effect: the blocks from the
    one holding write_lsn get their headers -- hdr_no with the flush bit on the write's first
    block (FMT-3, FMT-4), data_len (FMT-5), the first_rec_group the users set (clamped to 0 in
    the incomplete block when above its data_len; the writer never sets it, WR-5),
    checkpoint_no = the next checkpoint number (FMT-7) -- and checksums (FMT-8); write-ahead
    padding blocks are zeros (WR-6). The file blocks go to ``files`` (the OS cache). write_lsn
    advances by the data written, not the padding (WR-7); moving to the next file resets
    write_ahead_end_offset (decision 10); then the write notifier or the one slot is notified (WR-8,
    decision 3). The flusher polls. Counters: full/partial block writes, padded bytes."""
    plan = plan_write(p, s)
    if isinstance(plan, str):
        return None
    return apply_write(p, s, plan)


def apply_write(p: Params, s: State, plan: WritePlan) -> State:
    """The effect of :func:`writer_write` for a given plan."""
    start_lsn, file_no, real_offset, lsn_advance, _, full, write_size, padding = plan
    bs = p.block_size
    w = s.writer
    wae_before = w.write_ahead_end_offset if file_no == w.file_no else 0
    data_end = start_lsn + lsn_advance
    n_blocks = write_size // bs
    first_idx = (real_offset - p.file_header_size) // bs
    new_blocks: list[FileBlock] = []
    cpno = s.checkpoint.checkpoint_no
    for k in range(n_blocks):
        lsn_b = start_lsn + k * bs
        if lsn_b >= data_end:
            new_blocks.append(zero_block(p))
            continue
        frg, data = s.buffer[(lsn_b % p.log_buffer_size) // bs]
        if lsn_b + bs <= data_end:
            data_len = bs
        else:
            data_len = data_end - lsn_b
            if frg > data_len:
                frg = 0
            keep = max(0, data_len - p.header_size)
            data = data[:keep] + bytes(p.data_size - keep)
        new_blocks.append(make_block(p, block_no(p, lsn_b), k == 0, data_len, frg, cpno, data))
    files = s.files
    f = files[file_no]
    f = f[:first_idx] + tuple(new_blocks) + f[first_idx + n_blocks :]
    new_files: Files = (*files[:file_no], f, *files[file_no + 1:])
    end = real_offset + write_size
    wae = wae_before
    if end > wae:
        wae = align_down(end, p.write_ahead_size)
    old = w.write_lsn
    new = data_end
    users, notifiers, direct = notify_advance(p, s, "write", old, new)
    m = s.monitor
    monitor = Monitor(
        m.full_block_writes + (1 if full else 0),
        m.partial_block_writes + (0 if full else 1),
        m.write_ahead_padding_bytes + padding,
        m.log_writes + 1,
        m.fsyncs,
        m.direct_notifications + (1 if direct else 0),
        m.notifier_wakeups,
    )
    return replace(
        s,
        writer=WriterState(new, file_no, wae),
        files=new_files,
        users=users,
        notifiers=notifiers,
        monitor=monitor,
        last_write=(file_no, real_offset, write_size, wae_before),
    )


def _write_guard(p: Params, s: State) -> str | None:
    """:func:`writer_write`'s guard: the one :func:`plan_write` reports (None: enabled)."""
    plan = plan_write(p, s)
    if not isinstance(plan, str):
        return None
    return (f"{plan} is false (write_lsn={s.writer.write_lsn}, ready={s.recent_written.tail}, "
            f"checkpoint_lsn={s.checkpoint.checkpoint_lsn})")


ACTIONS: tuple[Action, ...] = (
    action(writer_traverse_links, "writer", ("WR-1", "WR-2", "LNK-2", "LNK-3"),
           guard="the recent_written tail advances"),
    action(
        writer_write,
        "writer",
        ("WR-3", "WR-4", "WR-5", "WR-6", "WR-7", "WR-8", "WR-9", "FMT-3", "FMT-4", "FMT-5",
         "FMT-7", "FMT-8"),
        guard=_write_guard,
    ),
)
