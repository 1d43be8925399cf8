"""Crash and recovery (RC-1..4, decision 7).

:func:`crash_images` lists the disk images a crash in a state could leave: the durable view
(everything not fsynced is lost) and, with ``Params.torn_writes``, the durable view plus a
prefix of the unsynced blocks (a write torn at block granularity) and a torn pending
checkpoint block. :func:`recover_image` is InnoDB's recovery on such an image: pick the valid
checkpoint with the larger checkpoint_no (RC-1), scan blocks from the checkpoint's block until
an empty block, a bad checksum, an hdr_no that does not match the position, or an incomplete
block (RC-2), find the first group start through first_rec_group (RC-3), and parse whole
record groups (decision 6), applying those that start at or after checkpoint_lsn (RC-4).

:func:`recover` is a real transition: recovery of the crashed state's own image followed by
``log_start`` (mysql-redo-facts §8.4), which :func:`restart` builds. The restarted system runs
on (more commits, another crash, another recovery: ``Params.max_crashes`` generations), and
the properties of :mod:`spec.invariants` hold in every generation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from spec.blocks import CheckpointBlock, FileBlock, checksum_ok
from spec.linkbuf import LinkBuf
from spec.lsn import block_no, block_start, file_block_index, lsn_to_sn, sn_to_lsn
from spec.model_types import Action, Arg, action
from spec.params import Params
from spec.state import (
    IDLE_USER,
    CheckpointState,
    Files,
    NotifierState,
    PagesState,
    State,
    WriterState,
    replace,
)

Image = tuple[Files, tuple[CheckpointBlock | None, CheckpointBlock | None]]
"""A crash image: the data blocks of every file and both checkpoint blocks."""


@attrs.frozen
class RecoveryReport:
    """What recovery found: the checkpoint it used (``None`` = no valid checkpoint),
    ``start_lsn`` where parsing started (the first group start, RC-3), ``end_lsn`` where the
    scan stopped, the groups it applied as ``(start, end, page)``, why it stopped."""

    checkpoint: CheckpointBlock | None
    start_lsn: int
    end_lsn: int
    groups: tuple[tuple[int, int, int], ...]
    stop_reason: str


def crash_images(p: Params, s: State) -> Iterator[Image]:
    """The images a crash in ``s`` may leave (decision 7): the durable view; with
    ``torn_writes`` also the durable view plus the first ``k`` unsynced blocks in lsn order
    (from flushed_to_disk_lsn on), and the pending checkpoint block torn (invalid)."""
    cp = s.checkpoint
    yield (s.disk, cp.blocks_disk)
    if not p.torn_writes:
        return
    # Unsynced blocks, in lsn order starting at the block of flushed_to_disk_lsn.
    bs = p.block_size
    diffs: list[tuple[int, int]] = []
    lsn = block_start(p, s.flushed_to_disk_lsn)
    for _ in range(p.log_capacity // bs):
        f, i = file_block_index(p, lsn)
        if s.files[f][i] != s.disk[f][i]:
            diffs.append((f, i))
        lsn += bs
    disk = [list(f) for f in s.disk]
    for f, i in diffs:
        disk[f][i] = s.files[f][i]
        yield (tuple(tuple(x) for x in disk), cp.blocks_disk)
    if cp.pending_lsn:
        slot = cp.checkpoint_no & 1
        torn = CheckpointBlock(cp.checkpoint_no, cp.pending_lsn, False)
        blocks = (torn, cp.blocks_disk[1]) if slot == 0 else (cp.blocks_disk[0], torn)
        yield (s.disk, blocks)


def _parse_groups(
    p: Params, data: bytes, lsns: list[int], parse_from: int
) -> tuple[list[tuple[int, int, int]], str]:
    """Parse whole groups from index ``parse_from`` of the scanned data bytes (decision 6)."""
    groups: list[tuple[int, int, int]] = []
    i = parse_from
    n = len(data)
    while i < n:
        size = data[i]
        if size == 0:
            return groups, "end of data (zero byte)"
        if i + size > n:
            return groups, "incomplete group dropped"
        body = data[i + 1 : i + size]
        tag = body[0] if body else 0
        if body and (tag == 0 or body.count(tag) != len(body)):
            return groups, "corrupt group"
        start = lsns[i]
        end = sn_to_lsn(p, lsn_to_sn(p, start) + size)
        groups.append((start, end, tag - 1 if body else -1))
        i += size
    return groups, ""


def recover_image(p: Params, image: Image) -> RecoveryReport:
    """RC-1..4: recovery of a crash image (see the module docstring)."""
    files, cps = image
    valid = [c for c in cps if c is not None and c.valid]
    if not valid:
        return RecoveryReport(None, 0, 0, (), "no valid checkpoint")
    cp = max(valid, key=lambda c: c.checkpoint_no)  # RC-1
    bs = p.block_size
    lsn_b = block_start(p, cp.lsn)
    data = bytearray()
    lsns: list[int] = []
    parse_start = -1
    reason = "log capacity scanned"
    end = cp.lsn
    for _ in range(p.log_capacity // bs):
        f, i = file_block_index(p, lsn_b)
        b: FileBlock | None = files[f][i]
        if b is None or b.data_len == 0:
            reason = "empty block"
            break
        if b.hdr_no != block_no(p, lsn_b):
            reason = "hdr_no does not match the position"
            break
        if not checksum_ok(p, b):
            reason = "bad checksum"
            break
        if parse_start < 0 and b.first_rec_group > 0:
            parse_start = lsn_b + b.first_rec_group  # RC-3
        top = min(b.data_len, bs - p.trailer_size)
        for off in range(p.header_size, top):
            lsns.append(lsn_b + off)
        data += b.data[: max(0, top - p.header_size)]
        end = max(end, lsn_b + b.data_len)
        if b.data_len < bs:
            reason = "incomplete block (end of log)"
            break
        lsn_b += bs
    if parse_start < 0:
        return RecoveryReport(cp, 0, end, (), reason + "; no group start found")
    try:
        idx = lsns.index(parse_start)
    except ValueError:
        return RecoveryReport(cp, parse_start, end, (), reason + "; group start beyond data")
    groups, why = _parse_groups(p, bytes(data), lsns, idx)
    applied = tuple(g for g in groups if g[0] >= cp.lsn)
    return RecoveryReport(cp, parse_start, end, applied, why or reason)


# --- crash actions (offered when Params.explore_crashes) ---------------------------------------


def crash(p: Params, s: State, image: int) -> State | None:
    """RC-4: the server crashes; the files become crash image number ``image`` of
    :func:`crash_images` (unsynced writes lost, possibly torn). Every thread stops. Guard: at
    most ``Params.max_crashes`` crashes per run (an exploration bound)."""
    if s.crashed or s.generation >= p.max_crashes:
        return None
    images = list(crash_images(p, s))
    if not 0 <= image < len(images):
        return None
    files, cps = images[image]
    cp = s.checkpoint
    return replace(
        s,
        crashed=True,
        generation=s.generation + 1,
        files=files,
        disk=files,
        users=(IDLE_USER,) * len(s.users),
        checkpoint=type(cp)(cp.checkpoint_lsn, cp.checkpoint_no, 0, cps, cps),
    )


def restart_lsn(rep: RecoveryReport) -> int:
    """The recovered lsn ``log_start`` resumes at (facts §8.4): the end of the last whole group
    recovery applied, or the checkpoint lsn when it applied none (a group boundary, CP-7)."""
    assert rep.checkpoint is not None
    return max(rep.checkpoint.lsn, rep.groups[-1][1] if rep.groups else 0)


def scrub_after(p: Params, files: Files, lsn: int) -> Files:
    """The blocks from ``lsn`` (a block start) on that still look valid (hdr_no of their
    position: the rest of an incomplete group of the crashed run) become unwritten,
    so that a later recovery cannot take them for new data (the implementation overwrites them
    with zeros and syncs, docs/impl-files.md; RC-2, RC-4)."""
    out: list[list[FileBlock | None]] | None = None
    for _ in range(p.log_capacity // p.block_size - 1):
        f, i = file_block_index(p, lsn)
        b = (out[f] if out is not None else files[f])[i]
        if b is None or b.hdr_no != block_no(p, lsn):
            break
        if out is None:
            out = [list(x) for x in files]
        out[f][i] = None
        lsn += p.block_size
    return files if out is None else tuple(tuple(x) for x in out)


def restart(p: Params, s: State, rep: RecoveryReport) -> State:
    """RC-1..4 then ``log_start`` (mysql-redo-facts §8.4) on a crashed state whose image
    recovered to ``rep``: the log resumes at R = :func:`restart_lsn`.

    * ``sn`` = lsn_to_sn(R); write_lsn = flushed_to_disk_lsn = both link-buffer tails = R
      (``add_link(0, R); advance_tail()``); the notifiers start at R + 1; users idle.
    * ``groups``: the history up to R (the groups after R were lost with the crash; their
      lsns are reserved again by the next generation).
    * the log buffer: every block empty except R's block, re-read from the files: its data
      bytes below R, zeros after, and first_rec_group repaired (``log_fix_first_rec_group``)
      to the first group start in the block, or R if none starts there before R.
    * the writer: nothing written ahead (``write_ahead_end_offset = 0``, Bug #93442).
    * the files: the crash image with the valid-looking blocks after R's block scrubbed
      (:func:`scrub_after`).
    * the checkpoint: the one recovery used (RC-1), the next number one above it.
    * pages: every recovered group applied to the data file (a page's page_lsn only grows,
      RC-4); no page dirty, flush lists empty.
    """
    cp = rep.checkpoint
    assert cp is not None
    r = restart_lsn(rep)
    bs = p.block_size
    groups = tuple(g for g in s.groups if g[1] <= r)
    # the last block, re-read from disk
    b_lsn = block_start(p, r)
    f, i = file_block_index(p, b_lsn)
    blk = s.disk[f][i]
    keep = r - b_lsn - p.header_size
    data = bytes(p.data_size)
    if blk is not None and blk.hdr_no == block_no(p, b_lsn):
        data = blk.data[:keep] + bytes(p.data_size - keep)
    starts = [g[0] for g in groups if b_lsn + p.header_size <= g[0] < r]
    frg = min(starts, default=r) - b_lsn
    nbuf = p.log_buffer_size // bs
    buffer = [(0, bytes(p.data_size))] * nbuf
    buffer[(b_lsn % p.log_buffer_size) // bs] = (frg, data)
    files = scrub_after(p, s.disk, b_lsn + bs)
    level = list(s.pages.on_disk)
    for _start, end, page in rep.groups:
        if 0 <= page < len(level):
            level[page] = max(level[page], end)
    cps = s.checkpoint.blocks_disk
    return replace(
        s,
        sn=lsn_to_sn(p, r),
        users=(IDLE_USER,) * len(s.users),
        groups=groups,
        buffer=tuple(buffer),
        recent_written=LinkBuf.empty(p.recent_written_size, r),
        recent_closed=LinkBuf.empty(p.recent_closed_size, r),
        writer=WriterState(write_lsn=r, file_no=0, write_ahead_end_offset=0),
        flushed_to_disk_lsn=r,
        files=files,
        disk=files,
        checkpoint=CheckpointState(cp.lsn, cp.checkpoint_no + 1, 0, cps, cps),
        notifiers=NotifierState(write_notifier_lsn=r + 1, write_notifier_event=False,
                                flush_notifier_lsn=r + 1, flush_notifier_event=False),
        pages=PagesState(((),) * p.n_flush_lists, (0,) * p.n_pages, tuple(level)),
        crashed=False,
        recovered=True,
        last_write=None,
    )


def recover(p: Params, s: State) -> State | None:
    """RC-1..4, facts §8.4: recover the crashed state's own image (:func:`recover_image`) and
    restart the log on it (:func:`restart`). Guard: crashed, and the image has a valid
    checkpoint (otherwise recovery refuses to start: the state is stuck, and the explorer
    reports it)."""
    if not s.crashed:
        return None
    rep = recover_image(p, (s.disk, s.checkpoint.blocks_disk))
    if rep.checkpoint is None:
        return None
    return restart(p, s, rep)


def _crash_choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    if s.crashed or s.generation >= p.max_crashes:
        return
    for k, _ in enumerate(crash_images(p, s)):
        yield {"image": k}


ACTIONS: tuple[Action, ...] = (
    action(crash, "crash", ("RC-4",), _crash_choices,
           guard="not crashed, fewer than max_crashes crashes, and image is one of the crash "
                 "images"),
    action(recover, "crash", ("RC-1", "RC-2", "RC-3", "RC-4"),
           guard="crashed, and the disk holds a valid checkpoint"),
)
