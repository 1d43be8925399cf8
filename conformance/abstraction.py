"""The abstraction function: from the implementation's objects to a spec :class:`~spec.state.State`.

:func:`abstract` is pure: it reads a stepped ``impl.redolog.RedoLog`` (and its store), the
conformance driver's view of each user thread (the program counter of a user's sequential code is
where the caller is in it, :class:`UserView`) and the history of groups the driver reserved, and
builds the spec state the implementation is in. :func:`compare` then names every field where it
differs from the state the spec reached with the same labelled actions.

Field by field (spec field <- implementation):

==========================  ==================================================================
``sn``                      ``log.sn`` (next sn to reserve, USR-1)
``users[i]``                the driver's :class:`UserView`: pc, start_sn, size, page, wait;
                            ``signalled`` = the slot event's signal count moved since the
                            user's own ``reset()`` (decision 1 is exactly os_event's test, USR-7)
``groups``                  the groups the driver reserved, ``(start_lsn, end_lsn, page)``: a
                            history variable (RC-4, LNK-5), as in any refinement mapping
``buffer[i]``               block ``i`` of ``log.buffer``: first_rec_group (header bytes 6..7)
                            and the 496 data bytes, each group's bytes abstracted to the spec's
                            self-delimiting form (decision 6, see :func:`translate_block`)
``recent_written``          ``LinkBuf.from_slots(tail, slots)`` of ``log.recent_written`` (LNK-1..5:
                            both store distances and clear slots on traversal)
``recent_closed``           the same for ``log.recent_closed`` (8.0 closer) or the tracker (9.0)
``writer.write_lsn``        ``log.write_lsn`` (WR-7)
``writer.file_no``          the file of the writer's last write (0 before the first)
``writer.write_ahead_end_offset``  ``log.writer.write_ahead_end_offset`` (WR-6, decision 10)
``flushed_to_disk_lsn``     ``log.flushed_to_disk_lsn`` (FL-1)
``files`` / ``disk``        the log files' data blocks as the store holds them now (OS cache)
                            and as a crash would leave them (durable image), each parsed into a
                            :class:`~spec.blocks.FileBlock` (hdr_no without the flush bit, flush
                            bit, data_len, first_rec_group, checkpoint_no, data, trailer) --
                            the spec's checksum is CRC-32C over the same 508 bytes (FMT-8)
``checkpoint``              ``log.checkpoint_lsn``, ``log.next_checkpoint_no``, the pending
                            (written, unsynced) checkpoint lsn, both checkpoint blocks of
                            ib_logfile0 in both views (FMT-10)
``notifiers``               each notifier's ``lsn`` (next lsn to notify) and its event's state
``pages``                   flush lists newest first as ``(page, oldest_modification)``, each
                            page's newest_modification (0 = clean) and its page_lsn in the data
                            file (CP-2, CP-3, CP-6)
``crashed`` / ``recovered``  the driver's crash and recovery steps; ``generation``: crashes
                            so far
==========================  ==================================================================

Two representation differences are compared modulo an equivalence (documented, not hidden):

* a block of zeros is what both "never written" (spec ``None``) and write-ahead padding (spec
  :func:`~spec.blocks.zero_block`) look like on disk: both map to ``None``;
* the block a fresh log group holds at ``start_lsn`` (empty, data_len = first_rec_group = 12,
  written by ``LogFiles.create`` as MySQL's first checkpoint does) is ``None`` in the spec.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from conformance.report import LIVE
from impl.format import (
    BLOCK_SIZE,
    CHECKPOINT_1,
    CHECKPOINT_2,
    FILE_HDR_SIZE,
    FLUSH_BIT,
    HDR_SIZE,
    TRAILER_OFFSET,
    block_checksum_ok,
)
from impl.logfiles import decode_checkpoint, file_name
from impl.records import Record, encode_group
from spec.blocks import CheckpointBlock, FileBlock, block_checksum, group_bytes, zero_block
from spec.linkbuf import LinkBuf
from spec.lsn import lsn_to_sn
from spec.params import Params
from spec.state import (
    CheckpointState,
    Files,
    NotifierState,
    PagesState,
    State,
    UserState,
    WriterState,
    replace,
)

GROUP_OVERHEAD = 3 + 6
"""Bytes of ``impl.records`` framing in a one-record group: magic + count, page + length."""


def impl_group_bytes(size: int, page: int) -> bytes:
    """The bytes the driver copies for a spec group of ``size`` sn bytes modifying ``page``:
    a real one-record group (impl.records framing, so the implementation's recovery can parse
    it) of exactly ``size`` bytes whose payload is ``1 + page`` repeated."""
    if size < GROUP_OVERHEAD + 1:
        raise ValueError(f"group size {size} is below the {GROUP_OVERHEAD + 1} bytes of framing")
    data = encode_group([Record(page, bytes((1 + page,)) * (size - GROUP_OVERHEAD))])
    assert len(data) == size
    return data


def group_payload(size: int, page: int) -> bytes:
    """The payload of the one record of a spec group of ``size`` sn modifying ``page`` (the
    record :func:`impl_group_bytes` frames): what the page holds once that group is applied,
    in the buffer pool, in the data file, or replayed by recovery (RC-4, CP-6)."""
    return bytes((1 + page,)) * (size - GROUP_OVERHEAD)


def expected_page(p: Params, groups: Sequence[tuple[int, int, int]], page: int,
                  page_lsn: int) -> tuple[int, bytes]:
    """``(page_lsn, payload)`` a data-file page holds when the spec says its page_lsn is
    ``page_lsn``: the payload of the group of ``groups`` ending there on that page (``b""``
    for a page never written, page_lsn 0)."""
    if page_lsn == 0:
        return (0, b"")
    for start, end, pg in groups:
        if end == page_lsn and pg == page:
            return (page_lsn, group_payload(lsn_to_sn(p, end) - lsn_to_sn(p, start), page))
    return (page_lsn, b"<no group of page %d ends at %d>" % (page, page_lsn))


class UserView(Protocol):
    """What the driver knows of one user thread (its position in its own sequential code)."""

    pc: str
    start_sn: int
    size: int
    page: int
    wait: str

    def signalled(self) -> bool: ...


@attrs.frozen
class GroupHistory:
    """The groups reserved so far, ``(start_lsn, end_lsn, page)`` in lsn order, and the starts
    of those whose bytes were copied into the log buffer (only those can be in the buffer or
    the files: the translation never explains a byte by a group not yet copied).

    ``lost``: copied groups of earlier generations that a crash lost (newest generation
    first). Their lsns are reserved again after the restart, so they are not ``groups`` any
    more, but their bytes may still sit in the files (the rest of the restart block on disk,
    facts §8.4) and are translated after the current groups' (RC-4)."""

    groups: tuple[tuple[int, int, int], ...] = ()
    copied: frozenset[int] = frozenset()
    lost: tuple[tuple[int, int, int], ...] = ()
    restart_block: int = 0
    """Start of the block the last restart resumed in (0: never restarted)."""
    floor: int = 0
    """Current groups explain no byte below this lsn (the log buffer's view, see
    :func:`abstract_buffer`)."""
    starts: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(g[0] for g in self.groups))

    def add(self, start: int, end: int, page: int) -> GroupHistory:
        return GroupHistory((*self.groups, (start, end, page)), self.copied, self.lost,
                            self.restart_block)

    def mark_copied(self, start: int) -> GroupHistory:
        return GroupHistory(self.groups, self.copied | {start}, self.lost, self.restart_block)

    def restart(self, lsn: int) -> GroupHistory:
        """The history after a crash whose recovery resumed the log at ``lsn``: the groups
        ending at or below it (all copied: recovery found them), the copied ones after it
        lost."""
        kept = tuple(g for g in self.groups if g[1] <= lsn)
        lost = tuple(g for g in self.groups if g[1] > lsn and g[0] in self.copied)
        return GroupHistory(kept, frozenset(g[0] for g in kept), lost + self.lost,
                            lsn - lsn % BLOCK_SIZE)

    def covering(self, lsn: int) -> tuple[int, int, int] | None:
        """The copied group holding ``lsn``, if any."""
        starts = [g[0] for g in self.groups]
        i = bisect.bisect_right(starts, lsn) - 1
        if i >= 0 and self.groups[i][0] <= lsn < self.groups[i][1] \
                and self.groups[i][0] in self.copied:
            return self.groups[i]
        return None


def _overlapping(history: GroupHistory, lo: int, hi: int,
                 limit: int | None = None) -> list[tuple[int, int, int, int, int]]:
    """The copied groups that overlap the lsn range [lo, hi), each as ``(start, end, page,
    bottom, top)``: it may explain the bytes of ``[bottom, top)``. The log buffer starts empty
    at a restart, so there current groups explain nothing below ``history.floor`` (the
    restart block's start). With ``limit`` (the file
    views: the log files hold the current groups' bytes only below write_lsn), a current
    group explains bytes only below it; groups lost by a crash (the bytes after the restart
    point that the new generation has not yet overwritten) explain the rest."""
    groups = history.groups
    i = max(bisect.bisect_right(history.starts, lo) - 1, 0)
    out = []
    cap = hi if limit is None else min(hi, limit)
    floor = max(lo, history.floor)
    while i < len(groups) and groups[i][0] < cap:
        g = groups[i]
        if g[1] > floor and g[0] in history.copied:
            out.append((g[0], g[1], g[2], max(floor, g[0]), min(cap, g[1])))
        i += 1
    out += [(g[0], g[1], g[2], max(lo, g[0]), min(hi, g[1]))
            for g in history.lost if g[0] < hi and g[1] > lo]
    return out


_BYTES_CACHE: dict[tuple[int, int], tuple[bytes, bytes]] = {}


def _group_encodings(size: int, page: int) -> tuple[bytes, bytes]:
    key = (size, page)
    found = _BYTES_CACHE.get(key)
    if found is None:
        found = _BYTES_CACHE[key] = (impl_group_bytes(size, page), group_bytes(size, page))
    return found


_TRANSLATED: dict[tuple[bytes, tuple[int, ...], tuple[tuple[int, int, int, int, int], ...]],
                  bytes] = {}
_CACHE_LIMIT = 20_000


def translate_block(p: Params, history: GroupHistory, block_lsns: Sequence[int],
                    raw: bytes, limit: int | None = None) -> bytes:
    """:func:`translate_block_uncached`, memoised on the bytes, the laps and the copied groups
    overlapping them (groups never change once reserved, so the result is a function of these;
    most blocks do not change from one step to the next)."""
    n = len(raw)
    overlapping = tuple(g for blsn in block_lsns
                        for g in _overlapping(history, blsn + HDR_SIZE, blsn + HDR_SIZE + n,
                                              limit))
    key = (raw, tuple(block_lsns), overlapping)
    found = _TRANSLATED.get(key)
    if found is None:
        if len(_TRANSLATED) > _CACHE_LIMIT:
            _TRANSLATED.clear()
        found = _TRANSLATED[key] = translate_block_uncached(p, history, block_lsns, raw, limit)
    return found


def translate_block_uncached(p: Params, history: GroupHistory, block_lsns: Sequence[int],
                             raw: bytes, limit: int | None = None) -> bytes:
    """Abstract the data bytes ``raw`` of one block (decision 6).

    ``block_lsns`` are the laps the block may hold, newest first (a ring position holds the
    byte of the latest lap written there). A byte is explained by the first lap whose copied
    group holds exactly this byte in the implementation's encoding, and becomes the spec's
    byte at the same offset of the same group. A byte no lap explains is kept as it is (it then
    differs from the spec, unless it is a zero both sides never wrote)."""
    n = len(raw)
    out = bytearray(raw)
    resolved = bytearray(n)
    candidates = []
    for blsn in block_lsns:
        lo = blsn + HDR_SIZE
        hi = lo + n
        for start, end, page, a, b in _overlapping(history, lo, hi, limit):
            if b <= a:
                continue
            off = lsn_to_sn(p, a) - lsn_to_sn(p, start)
            size = lsn_to_sn(p, end) - lsn_to_sn(p, start)
            impl_b, spec_b = _group_encodings(size, page)
            candidates.append((a - lo, b - a, off, impl_b, spec_b))
    # first every candidate whose bytes are there exactly (in order: newest lap, current
    # groups before lost ones), then byte by byte for what is left (a damaged group then
    # shows as a near-miss rather than as raw bytes)
    for k0, m, off, impl_b, spec_b in candidates:
        if raw[k0:k0 + m] == impl_b[off:off + m] and not any(resolved[k0:k0 + m]):
            out[k0:k0 + m] = spec_b[off:off + m]
            resolved[k0:k0 + m] = b"\x01" * m
    for k0, m, off, impl_b, spec_b in candidates:
        for j in range(m):
            if not resolved[k0 + j] and raw[k0 + j] == impl_b[off + j]:
                out[k0 + j] = spec_b[off + j]
                resolved[k0 + j] = 1
    return bytes(out)


def abstract_buffer(p: Params, log: Any, history: GroupHistory, current_lsn: int) -> tuple[
        tuple[int, bytes], ...]:
    """``buffer``: per ring block (first_rec_group, translated data bytes). Groups lost by a
    crash are never in the log buffer (it starts empty at the restart, facts §8.4)."""
    if history.restart_block:
        history = GroupHistory(history.groups, history.copied, floor=history.restart_block)
    size = log.buffer.size
    data = log.buffer.data
    blocks = []
    for i in range(size // BLOCK_SIZE):
        off = i * BLOCK_SIZE
        frg = int.from_bytes(data[off + 6: off + 8], "big")
        raw = bytes(data[off + HDR_SIZE: off + TRAILER_OFFSET])
        newest = (current_lsn - 1 - off) // size if current_lsn - 1 >= off else 0
        laps = [off + k * size for k in range(newest, max(newest - 3, -1), -1)]
        blocks.append((frg, translate_block(p, history, laps, raw)))
    return tuple(blocks)


def parse_file_block(p: Params, raw: bytes, block_lsn: int, history: GroupHistory,
                     current_lsn: int, write_lsn: int | None = None) -> FileBlock | None:
    """One 512-byte log block as the spec's :class:`FileBlock` (None: zeros or the creation
    block, see the module docstring). ``write_lsn``: the files hold current groups' bytes
    only below it (above it, after a restart, the crashed run's lost bytes)."""
    if not any(raw):
        return None
    hdr = int.from_bytes(raw[0:4], "big")
    data_len = int.from_bytes(raw[4:6], "big")
    frg = int.from_bytes(raw[6:8], "big")
    cp_no = int.from_bytes(raw[8:12], "big")
    data = raw[HDR_SIZE:TRAILER_OFFSET]
    if (block_lsn == p.start_lsn
            and (hdr & ~FLUSH_BIT) == p.start_lsn // BLOCK_SIZE % p.block_no_wrap + 1
            and data_len == HDR_SIZE and not any(data)):
        return None  # the creation block (module docstring)
    used = max(0, min(data_len, TRAILER_OFFSET) - HDR_SIZE)
    data = translate_block(p, history, [block_lsn], data[:used], write_lsn) + data[used:]
    hdr_no, flush_bit = hdr & ~FLUSH_BIT, bool(hdr & FLUSH_BIT)
    # FMT-8: the data were translated, so the checksum is the spec's checksum of the translated
    # fields when the implementation's trailer is right for its own bytes, and a wrong one if not
    checksum = block_checksum(p, hdr_no, flush_bit, data_len, frg, cp_no, data)
    if not block_checksum_ok(raw):
        checksum ^= 0xFFFF_FFFF
    return FileBlock(hdr_no, flush_bit, data_len, frg, cp_no, data, checksum)


def _block_lsn(p: Params, file_no: int, index: int, hdr_no: int) -> int:
    """The lsn of data block ``index`` of file ``file_no``: the lap whose block number is
    ``hdr_no`` (FMT-3), or the first lap's for a block without one.

    The position fixes the lsn modulo the capacity (the first lap's lsn there, ``base``), the
    block number fixes it modulo ``block_no_wrap`` blocks (hdr_no wraps from 2^30 to 1 at lsn
    2^39): the lsn is ``base`` plus the number of blocks from ``base``'s block number to
    ``hdr_no``, counted modulo the wrap. A block number no lap of this position has (a
    corrupted or foreign block) is read as naming its lsn directly, as if nothing wrapped."""
    base = p.start_lsn + file_no * p.file_data_size + index * BLOCK_SIZE
    if not hdr_no:
        return base
    blocks = (hdr_no - 1 - base // BLOCK_SIZE) % p.block_no_wrap
    if blocks * BLOCK_SIZE % p.log_capacity == 0:
        return base + blocks * BLOCK_SIZE
    return (hdr_no - 1) * BLOCK_SIZE


def abstract_files(p: Params, images: Sequence[bytes | None], history: GroupHistory,
                   current_lsn: int, write_lsn: int | None = None) -> Files:
    """``files``/``disk``: every data block of every log file image (None: file missing)."""
    per_file = p.file_data_size // BLOCK_SIZE
    out = []
    for file_no, image in enumerate(images):
        blocks: list[FileBlock | None] = []
        for j in range(per_file):
            off = FILE_HDR_SIZE + j * BLOCK_SIZE
            raw = bytes(image[off: off + BLOCK_SIZE]) if image is not None else b""
            if len(raw) < BLOCK_SIZE:
                blocks.append(None)
                continue
            hdr_no = int.from_bytes(raw[0:4], "big") & ~FLUSH_BIT
            lsn = _block_lsn(p, file_no, j, hdr_no)
            blocks.append(parse_file_block(p, raw, lsn, history, current_lsn, write_lsn))
        out.append(tuple(blocks))
    return tuple(out)


def _checkpoint_block(raw: bytes | None, slot: int,
                      p: Params | None = None) -> CheckpointBlock | None:
    """A checkpoint block as the spec sees it. With ``p``, the block's group offset field
    (LOG_CHECKPOINT_OFFSET: where lsn is, every file's header counted, FMT-10) must agree with
    the spec's own lsn -> position mapping (``spec.lsn.file_position``: file ``k`` starts at
    ``k * file_size``); a block whose offset disagrees is one recovery refuses, so it is not
    valid."""
    if raw is None or len(raw) < BLOCK_SIZE or not any(raw):
        return None
    cp = decode_checkpoint(slot, raw)
    valid = cp.valid
    if valid and p is not None:
        from spec.lsn import file_position

        file_no, offset = file_position(p, cp.lsn)
        valid = cp.offset == file_no * p.file_size + offset
    return CheckpointBlock(cp.checkpoint_no, cp.lsn, valid)


def _file_images(store: Any, n_files: int, durable: bool) -> list[bytes | None]:
    images: list[bytes | None] = []
    for i in range(n_files):
        name = file_name(i)
        if not store.exists(name):
            images.append(None)
        elif durable:
            images.append(store.durable_bytes(name))
        else:
            images.append(store.read(name, 0, store.size(name)))
    return images


def abstract(
    p: Params,
    log: Any,
    users: Sequence[UserView],
    history: GroupHistory,
    *,
    crashed: bool = False,
    recovered: bool = False,
    generation: int = 0,
) -> State:
    """The spec state a stepped ``RedoLog`` is in (field by field in the module docstring)."""
    sn = int(log.sn)
    from spec.lsn import sn_to_lsn

    current = sn_to_lsn(p, sn)
    store = log.store
    volatile = _file_images(store, p.n_files, durable=False)
    durable = _file_images(store, p.n_files, durable=True)

    def cp_blocks(image: bytes | None) -> tuple[CheckpointBlock | None, CheckpointBlock | None]:
        if image is None:
            return (None, None)
        return (_checkpoint_block(image[CHECKPOINT_1: CHECKPOINT_1 + BLOCK_SIZE], 1, p),
                _checkpoint_block(image[CHECKPOINT_2: CHECKPOINT_2 + BLOCK_SIZE], 2, p))

    pending = log.checkpointer.pending
    checkpoint = CheckpointState(
        checkpoint_lsn=int(log.checkpoint_lsn),
        checkpoint_no=int(log.next_checkpoint_no),
        pending_lsn=int(pending[1]) if pending else 0,
        blocks_written=cp_blocks(volatile[0]),
        blocks_disk=cp_blocks(durable[0]),
    )
    writer = log.writer
    wa_file_end = writer.write_ahead_file_end
    file_no = 0 if wa_file_end < 0 else ((wa_file_end - 1 - p.start_lsn) % p.log_capacity
                                         // p.file_data_size)
    pool = log.bufpool
    flush_lists = tuple(
        tuple((page.page_no, page.oldest_modification) for page in reversed(fl.values()))
        for fl in pool.flush_lists)
    newest = tuple(page.newest_modification for page in pool.pages)
    on_disk = tuple(pool.datafile.read_page(no)[0] for no in range(len(pool.pages)))
    closed = log.recent_closed
    return State(
        sn=sn,
        users=tuple(UserState(u.pc, u.start_sn, u.size, u.page, u.wait, u.signalled())
                    for u in users),
        groups=history.groups,
        buffer=abstract_buffer(p, log, history, current),
        recent_written=LinkBuf.from_slots(log.recent_written.tail,
                                          log.recent_written.distances()),
        recent_closed=LinkBuf.from_slots(closed.tail, closed.distances()),
        writer=WriterState(int(log.write_lsn), file_no, int(writer.write_ahead_end_offset)),
        flushed_to_disk_lsn=int(log.flushed_to_disk_lsn),
        files=abstract_files(p, volatile, history, current, int(log.write_lsn)),
        disk=abstract_files(p, durable, history, current, int(log.write_lsn)),
        checkpoint=checkpoint,
        notifiers=NotifierState(
            write_notifier_lsn=int(log.write_notifier.lsn),
            write_notifier_event=bool(log.write_notifier_event.is_set()),
            flush_notifier_lsn=int(log.flush_notifier.lsn),
            flush_notifier_event=bool(log.flush_notifier_event.is_set()),
        ),
        pages=PagesState(flush_lists, newest, on_disk),
        crashed=crashed,
        recovered=recovered,
        generation=generation,
    )


def normalise(p: Params, s: State) -> State:
    """The spec state modulo the equivalences of the module docstring (padding = unwritten)."""
    zero = zero_block(p)

    def files(fs: Files) -> Files:
        return tuple(tuple(None if b is None or b == zero else b for b in f) for f in fs)

    return replace(s, files=files(s.files), disk=files(s.disk))


def tolerate(spec: State, impl: State,
             written: dict[tuple[int, int], set[FileBlock | None]] | None = None) -> State:
    """The implementation's state with the *known, reported* differences from the spec mapped
    to the spec's value (each counted in ``Report.known_differences``):

    * ``checkpoint durable early``: a checkpoint block written but not yet synced by the
      checkpointer is in ib_logfile0, so the flusher's fsync of that file (FL-1) makes it
      durable too; the spec's ``flusher_fsync`` leaves ``blocks_disk`` alone (decision 9).
      Reported to the spec; harmless for RC-1 (that checkpoint is <= flushed_to_disk_lsn).
    * ``log data durable early``: for the same reason the checkpointer's fsync of ib_logfile0
      makes the log blocks the writer wrote there durable before the flusher's fsync; the
      spec's ``checkpointer_sync_checkpoint`` syncs only the checkpoint block. A durable block
      is accepted when the spec's OS-cache view held that very block at some point
      (``written``: every value ``files[f][i]`` had since the spec's own disk block last
      changed). More durable than the spec promises is safe for RC-4.
    """
    cs, ci = spec.checkpoint, impl.checkpoint
    if cs.pending_lsn and ci.blocks_disk != cs.blocks_disk:
        fixed = (
            cs.blocks_disk[0] if ci.blocks_disk[0] == cs.blocks_written[0] else ci.blocks_disk[0],
            cs.blocks_disk[1] if ci.blocks_disk[1] == cs.blocks_written[1] else ci.blocks_disk[1],
        )
        if fixed != ci.blocks_disk:
            LIVE.known_differences["checkpoint durable early"] += 1
            impl = replace(impl, checkpoint=attrs.evolve(ci, blocks_disk=fixed))
    if impl.disk != spec.disk:
        seen = written or {}
        disk = tuple(
            tuple(d_spec if d_impl != d_spec and (d_impl == f_spec
                                                  or d_impl in seen.get((f, i), ()))
                  else d_impl
                  for i, (d_spec, d_impl, f_spec) in enumerate(zip(fs_spec, fs_impl, ff_spec,
                                                                   strict=True)))
            for f, (fs_spec, fs_impl, ff_spec) in enumerate(zip(spec.disk, impl.disk,
                                                                 spec.files, strict=True)))
        if disk != impl.disk:
            LIVE.known_differences["log data durable early"] += 1
            impl = replace(impl, disk=disk)
    return impl


def note_written(p: Params, spec: State,
                 written: dict[tuple[int, int], set[FileBlock | None]]) -> None:
    """Record the spec's OS-cache blocks for :func:`tolerate` (forget a position's history
    once the spec's own disk block there changes); padding recorded as None (normalise)."""
    spec = normalise(p, spec)
    for f, (files, disk) in enumerate(zip(spec.files, spec.disk, strict=True)):
        for i, (b, d) in enumerate(zip(files, disk, strict=True)):
            seen = written.setdefault((f, i), set())
            if d in seen:
                seen.clear()
            if b != d:
                seen.add(b)


def compare(p: Params, spec: State, impl: State,
            written: dict[tuple[int, int], set[FileBlock | None]] | None = None) -> list[str]:
    """Every field where the two states differ, as ``field: spec=... impl=...`` lines
    (nested fields by name: ``users[0].pc``, ``files[1][3]``, ``checkpoint.pending_lsn``),
    modulo the equivalences of the module docstring and :func:`tolerate`."""
    a = normalise(p, spec)
    b = tolerate(a, normalise(p, impl), written)
    if a == b:
        return []
    return _diff("", a, b)


def _short(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 160 else text[:157] + "..."


def _diff(path: str, a: object, b: object) -> list[str]:
    if a == b:
        return []
    if attrs.has(type(a)) and type(a) is type(b):
        out = []
        for f in attrs.fields(type(a)):  # type: ignore[arg-type]
            if f.eq:
                out += _diff(f"{path}.{f.name}" if path else f.name,
                             getattr(a, f.name), getattr(b, f.name))
        return out
    if (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
            and not hasattr(a, "_fields")):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _diff(f"{path}[{i}]", x, y)
        return out
    if isinstance(a, tuple) and hasattr(a, "_fields") and type(a) is type(b):
        out = []
        for name, x, y in zip(a._fields, a, b, strict=True):
            out += _diff(f"{path}.{name}", x, y)
        return out
    return [f"{path}: spec={_short(a)} impl={_short(b)}"]
