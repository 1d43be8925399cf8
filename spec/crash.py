"""Crash and recovery (RC-1..4, decision 7).

:func:`crash_images` lists the disk images a crash in a state could leave: the durable view
(everything not fsynced is lost) and, with ``Params.torn_writes``, the durable view plus a
prefix of the unsynced blocks (a write torn at block granularity) and a torn pending
checkpoint block. :func:`recover_image` is InnoDB's recovery on such an image: pick the valid
checkpoint with the larger checkpoint_no (RC-1), scan blocks from the checkpoint's block until
an empty block, a bad checksum, an hdr_no that does not match the position, or an incomplete
block (RC-2), find the first group start through first_rec_group (RC-3), and parse whole
record groups (decision 6), applying those that start at or after checkpoint_lsn (RC-4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from spec.blocks import CheckpointBlock, FileBlock, checksum_ok
from spec.lsn import block_no, block_start, file_block_index, lsn_to_sn, sn_to_lsn
from spec.model_types import Action, Arg, action
from spec.params import Params
from spec.state import IDLE_USER, Files, State, replace

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
    :func:`crash_images` (unsynced writes lost, possibly torn). Every thread stops."""
    if s.crashed:
        return None
    images = list(crash_images(p, s))
    if not 0 <= image < len(images):
        return None
    files, cps = images[image]
    cp = s.checkpoint
    return replace(
        s,
        crashed=True,
        files=files,
        disk=files,
        users=(IDLE_USER,) * len(s.users),
        checkpoint=type(cp)(cp.checkpoint_lsn, cp.checkpoint_no, 0, cps, cps),
    )


def recover(p: Params, s: State) -> State | None:
    """RC-1..3: run recovery on the crashed image (:func:`recover_image`). The spec stops
    here: the state is final (``recovered``)."""
    if not s.crashed or s.recovered:
        return None
    return replace(s, recovered=True)


def _crash_choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    if s.crashed:
        return
    for k, _ in enumerate(crash_images(p, s)):
        yield {"image": k}


ACTIONS: tuple[Action, ...] = (
    action(crash, "crash", ("RC-4",), _crash_choices),
    action(recover, "crash", ("RC-1", "RC-2", "RC-3", "RC-4")),
)
