"""Crash recovery: find the checkpoint, scan the log, replay whole groups into the data file.

``recover(dir)`` follows the design's recovery rules (requirements RC-1..4, mysql-redo-facts §8):

1. **Checkpoint (RC-1, FMT-10, FMT-12).** Both checkpoint blocks of ``ib_logfile0`` are read; of
   the ones with a valid CRC-32C the one with the larger checkpoint_no is used. Neither valid is
   not an end of log but a broken log: :class:`NoValidCheckpoint`.
2. **Scan (RC-2).** From the block holding checkpoint_lsn, block by block, following the files
   circularly. The scan stops, as the normal end of the log, at the first block that

   * is empty (all of bytes 0..507 zero, or data_len 0): ``"empty block"``;
   * has an hdr_no that is not ``block_no(lsn)`` of its position, i.e. a block of an older lap
     or garbage: ``"hdr_no mismatch"``;
   * has a bad checksum: ``"bad checksum"``;
   * after a block with data_len < 512, which is the write head: ``"incomplete block"``.

   A block with a valid checksum and the right hdr_no but an impossible data_len or
   first_rec_group is not an end of log but corruption: :class:`CorruptLogBlock` names its file,
   offset and lsn.
3. **Group start (RC-3).** Parsing starts at the first group start found through first_rec_group,
   beginning with the checkpoint's own block; a block with first_rec_group 0 contains no group
   start and is passed over (mysql-redo-facts §8.3). Groups that start before checkpoint_lsn are
   parsed (to find the next start) but not applied: their changes are in the data file already.
4. **Replay (RC-4).** Groups are decoded with :func:`impl.records.decode_group` and applied only
   when whole: a group cut off by the end of the log is reported (``incomplete_group_lsn``) and
   not applied. A group's lsn is its *end* lsn; each record (a whole-page image) is applied when
   the page's page_lsn is older than that, and the page's page_lsn becomes the group's end lsn.
   All records of one group are judged against the page_lsn from before the group. The data file
   is written and synced at the end.

A page whose checksum fails (a page write torn by the crash) is read as never written: the page
was dirty, so its whole-page record lies after the checkpoint (SYS-2) and the replay rebuilds it.
If it does not, :class:`RecoveryError` says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from impl.datafile import DataFile, PageCorrupt
from impl.format import (
    BLOCK_SIZE,
    HDR_SIZE,
    TRAILER_OFFSET,
    block_no,
    get_first_rec_group,
    lsn_to_sn,
    parse_block,
    set_first_rec_group,
    sn_to_lsn,
)
from impl.logfiles import Checkpoint, LogFiles, file_name
from impl.records import CorruptGroup, IncompleteGroup, Record, decode_group
from impl.storage import DirStore, Store

DATA_FILE = "redospec.ibd"
READ_CHUNK = 64 * 1024


class RecoveryError(Exception):
    """The log or data file is broken in a way that is not a normal end of the log."""


class NoValidCheckpoint(RecoveryError):
    """Neither checkpoint block of ib_logfile0 has a valid checksum (RC-1)."""


class CorruptLogBlock(RecoveryError):
    """A block with a valid checksum and hdr_no whose content is impossible (file, offset, lsn)."""

    def __init__(self, file: str, offset: int, lsn: int, what: str) -> None:
        super().__init__(f"corrupt log block in {file} at offset {offset} (lsn {lsn}): {what}")
        self.file = file
        self.offset = offset
        self.lsn = lsn
        self.what = what


@attrs.frozen
class RecoveryReport:
    """What :func:`recover` found and did."""

    checkpoint: Checkpoint  # the checkpoint used (slot, checkpoint_no, lsn, offset)
    start_lsn: int  # where parsing started: the first group start at/after the checkpoint block
    end_lsn: int  # the recovered lsn: end of the last whole group (at least checkpoint lsn)
    groups_applied: int  # whole groups at/after checkpoint_lsn with a record newer than its page
    groups_skipped: int  # whole groups that start before checkpoint_lsn (RC-3)
    groups_already_on_pages: int  # whole groups after the checkpoint, all pages already newer
    records_applied: int
    stop_lsn: int  # lsn of the block where the scan stopped
    stop_file: str
    stop_offset: int  # byte offset of that block in stop_file
    stop_reason: str  # "empty block", "bad checksum", "hdr_no mismatch", "incomplete block", ...
    incomplete_group_lsn: int | None  # start of a group cut off by the end of the log (not applied)
    pages: dict[int, tuple[int, bytes]]  # every page of the data file: (page_lsn, payload)
    torn_pages: list[int]  # pages whose checksum failed before replay (all rebuilt)

    def summary(self) -> str:
        """A few human-readable lines."""
        cp = self.checkpoint
        lines = [
            f"checkpoint: slot {cp.slot}, checkpoint_no {cp.checkpoint_no}, lsn {cp.lsn}",
            f"parsed from lsn {self.start_lsn}, recovered up to lsn {self.end_lsn}",
            f"groups: {self.groups_applied} applied, {self.groups_skipped} before the checkpoint, "
            f"{self.groups_already_on_pages} already on their pages; "
            f"{self.records_applied} records applied",
            f"scan stopped at lsn {self.stop_lsn} ({self.stop_file} offset {self.stop_offset}): "
            f"{self.stop_reason}",
        ]
        if self.incomplete_group_lsn is not None:
            lines.append(f"incomplete group at lsn {self.incomplete_group_lsn} not applied")
        if self.torn_pages:
            lines.append(f"torn pages rebuilt from the log: {self.torn_pages}")
        return "\n".join(lines)


def choose_checkpoint(files: LogFiles) -> Checkpoint:
    """RC-1: the valid checkpoint block with the larger checkpoint_no."""
    valid = [cp for cp in files.read_checkpoints() if cp.valid]
    if not valid:
        raise NoValidCheckpoint(
            f"{file_name(0)}: no valid checkpoint: both checkpoint blocks (offsets 512 and 1536) "
            "fail their CRC-32C"
        )
    return max(valid, key=lambda cp: cp.checkpoint_no)


@attrs.define
class _Scan:
    """The data bytes of the log from the first group start, and where the scan stopped."""

    parse_start_lsn: int | None
    data: bytearray
    stop_lsn: int
    stop_reason: str


def scan(files: LogFiles, checkpoint_lsn: int) -> _Scan:
    """RC-2, RC-3: collect data bytes from the first group start at/after the checkpoint block."""
    lsn = checkpoint_lsn // BLOCK_SIZE * BLOCK_SIZE
    limit = lsn + files.capacity
    data = bytearray()
    parse_start: int | None = None
    chunk = b""
    chunk_lsn = lsn
    while True:
        if lsn >= limit:
            return _Scan(parse_start, data, lsn, "scanned the whole capacity")
        if not chunk_lsn <= lsn < chunk_lsn + len(chunk):
            size = min(READ_CHUNK, files.file_end_lsn(lsn) - lsn, limit - lsn)
            chunk, chunk_lsn = files.read(lsn, size), lsn
        pos = lsn - chunk_lsn
        block = chunk[pos : pos + BLOCK_SIZE]
        header = parse_block(block)
        if not any(block[:TRAILER_OFFSET]):
            return _Scan(parse_start, data, lsn, "empty block")
        if header.hdr_no != block_no(lsn):
            return _Scan(parse_start, data, lsn, "hdr_no mismatch")
        if not header.checksum_ok:
            return _Scan(parse_start, data, lsn, "bad checksum")
        if header.data_len == 0:
            return _Scan(parse_start, data, lsn, "empty block")
        _check_block(files, lsn, header.data_len, header.first_rec_group)
        data_end = min(header.data_len, TRAILER_OFFSET)
        if parse_start is None and header.first_rec_group > 0:
            parse_start = lsn + header.first_rec_group
            data += block[header.first_rec_group : data_end]
        elif parse_start is not None:
            data += block[HDR_SIZE:data_end]
        if header.data_len < BLOCK_SIZE:
            return _Scan(parse_start, data, lsn, "incomplete block")
        lsn += BLOCK_SIZE


def _check_block(files: LogFiles, lsn: int, data_len: int, first_rec_group: int) -> None:
    if not (HDR_SIZE <= data_len < TRAILER_OFFSET or data_len == BLOCK_SIZE):
        name, offset = files.position(lsn)
        raise CorruptLogBlock(name, offset, lsn, f"impossible data_len {data_len}")
    if first_rec_group and not HDR_SIZE <= first_rec_group <= min(data_len, TRAILER_OFFSET):
        name, offset = files.position(lsn)
        raise CorruptLogBlock(
            name, offset, lsn, f"first_rec_group {first_rec_group} outside 12..{data_len}"
        )


def _read_pages(store: Store, data_file: str
                ) -> tuple[DataFile | None, dict[int, tuple[int, bytes]], list[int]]:
    """The data file (None if there is none), every page's (page_lsn, payload), and the pages
    whose checksum failed (torn: read as page_lsn 0, to be rebuilt from the log)."""
    pages: dict[int, tuple[int, bytes]] = {}
    torn: list[int] = []
    datafile = DataFile.open(store, data_file) if store.exists(data_file) else None
    if datafile is not None:
        for page_no in range(datafile.n_pages):
            try:
                pages[page_no] = datafile.read_page(page_no)
            except PageCorrupt:
                pages[page_no] = (0, b"")
                torn.append(page_no)
    return datafile, pages, torn


def _check_fits(files: LogFiles, datafile: DataFile, start_lsn: int, record: Record) -> None:
    """A record of a group must name a page of the data file and fit in it (CorruptLogBlock
    naming the group's block otherwise)."""
    if record.page_no >= datafile.n_pages:
        name, offset = files.position(start_lsn)
        raise CorruptLogBlock(
            name, offset, start_lsn,
            f"record for page {record.page_no}, the data file has {datafile.n_pages}")
    if len(record.payload) > datafile.max_payload:
        name, offset = files.position(start_lsn)
        raise CorruptLogBlock(
            name, offset, start_lsn,
            f"record of {len(record.payload)} bytes for page {record.page_no}, "
            f"pages hold {datafile.max_payload}")


def recover(
    store_or_dir: Store | str | os.PathLike[str], data_file: str = DATA_FILE
) -> RecoveryReport:
    """Recover the log in ``store_or_dir`` into its data file (RC-1..4); see the module text.

    Raises :class:`~impl.logfiles.LogFileError` for missing, truncated or corrupt log files,
    :class:`NoValidCheckpoint`, :class:`CorruptLogBlock`, and :class:`RecoveryError` for a log
    that cannot be parsed or a data file it cannot bring back.
    """
    store: Store = (
        DirStore(store_or_dir)
        if isinstance(store_or_dir, (str, os.PathLike, Path))
        else store_or_dir
    )
    files = LogFiles.open(store)
    cp = choose_checkpoint(files)
    expected_offset = files.offset_of(cp.lsn)
    if cp.offset != expected_offset:
        raise RecoveryError(
            f"{file_name(0)}: checkpoint {cp.checkpoint_no} in slot {cp.slot} says lsn {cp.lsn} "
            f"is at group offset {cp.offset}, but the file headers put it at {expected_offset}"
        )
    found = scan(files, cp.lsn)

    datafile, pages, torn = _read_pages(store, data_file)

    applied = skipped = on_pages = records_applied = 0
    incomplete: int | None = None
    end_lsn = cp.lsn
    changed: set[int] = set()
    if found.parse_start_lsn is not None:
        base_sn = lsn_to_sn(found.parse_start_lsn)
        pos = 0
        while pos < len(found.data):
            start_lsn = sn_to_lsn(base_sn + pos)
            try:
                records, nxt = decode_group(found.data, pos)
            except IncompleteGroup:
                incomplete = start_lsn
                break
            except CorruptGroup as exc:
                name, offset = files.position(start_lsn)
                raise CorruptLogBlock(
                    name, offset, start_lsn, f"not a record group: {exc}"
                ) from exc
            group_end = sn_to_lsn(base_sn + nxt)
            pos = nxt
            end_lsn = max(end_lsn, group_end)
            if start_lsn < cp.lsn:
                skipped += 1
                continue
            before = {r.page_no: pages.get(r.page_no, (0, b""))[0] for r in records}
            did = False
            for record in records:
                if datafile is not None:
                    _check_fits(files, datafile, start_lsn, record)
                if before[record.page_no] < group_end:
                    pages[record.page_no] = (group_end, record.payload)
                    changed.add(record.page_no)
                    records_applied += 1
                    did = True
            if did:
                applied += 1
            else:
                on_pages += 1

    unrepaired = [page_no for page_no in torn if page_no not in changed]
    if unrepaired:
        raise RecoveryError(
            f"{data_file}: pages {unrepaired} are corrupt and the log after the checkpoint "
            f"(lsn {cp.lsn}) holds no record to rebuild them"
        )
    if datafile is not None and changed:
        for page_no in sorted(changed):
            page_lsn, payload = pages[page_no]
            datafile.write_page(page_no, page_lsn, payload)
        datafile.fsync()

    stop_file, stop_offset = files.position(found.stop_lsn)
    return RecoveryReport(
        checkpoint=cp,
        start_lsn=found.parse_start_lsn if found.parse_start_lsn is not None else cp.lsn,
        end_lsn=end_lsn,
        groups_applied=applied,
        groups_skipped=skipped,
        groups_already_on_pages=on_pages,
        records_applied=records_applied,
        stop_lsn=found.stop_lsn,
        stop_file=stop_file,
        stop_offset=stop_offset,
        stop_reason=found.stop_reason,
        incomplete_group_lsn=incomplete,
        pages=pages,
        torn_pages=torn,
    )


# ---------------------------------------------------------------------------------- resuming


@attrs.frozen
class ResumePoint:
    """Where a reopened log continues (:func:`resume_point`)."""

    start_lsn: int  # the first data byte the log will write: write_lsn = flushed_to_disk_lsn
    checkpoint_lsn: int  # the newest valid checkpoint's lsn
    next_checkpoint_no: int  # one more than that checkpoint's number
    last_block: bytes | None  # the block holding start_lsn, the log buffer's first block


def resume_point(files: LogFiles, report: RecoveryReport) -> ResumePoint:
    """Resume after recovery as ``log_start`` does (facts §8.4).

    The log continues at the recovered lsn (``report.end_lsn``, the end of the last whole
    group, moved off a block boundary to a data byte); the last block is re-read from disk,
    its bytes after that lsn dropped and its first_rec_group repaired; nothing is written
    ahead. Blocks after it that still look valid (an incomplete group of the crashed run) are
    overwritten with zeros and synced (:func:`scrub_after`), so a later recovery cannot take
    them for new data.
    """
    checkpoints = [c for c in files.read_checkpoints() if c.valid]
    cp = max(checkpoints, key=lambda c: c.checkpoint_no)
    start = max(int(report.end_lsn), cp.lsn)
    if start % BLOCK_SIZE < HDR_SIZE:
        start = start - start % BLOCK_SIZE + HDR_SIZE
    elif start % BLOCK_SIZE >= TRAILER_OFFSET:
        start = start - start % BLOCK_SIZE + BLOCK_SIZE + HDR_SIZE
    block_lsn = start - start % BLOCK_SIZE
    block = bytearray(files.read(block_lsn, BLOCK_SIZE))
    keep = start % BLOCK_SIZE
    block[keep:] = bytes(BLOCK_SIZE - keep)
    header = parse_block(bytes(block))
    frg = get_first_rec_group(block)
    if header.hdr_no != block_no(block_lsn) or frg == 0 or frg > keep:
        set_first_rec_group(block, keep)
    scrub_after(files, block_lsn + BLOCK_SIZE)
    return ResumePoint(start_lsn=start, checkpoint_lsn=cp.lsn,
                       next_checkpoint_no=cp.checkpoint_no + 1, last_block=bytes(block))


def scrub_after(files: LogFiles, lsn: int) -> None:
    """Overwrite the valid-looking blocks from ``lsn`` on with zeros, then fsync (see
    :func:`resume_point`)."""
    wrote = False
    for _ in range(files.capacity // BLOCK_SIZE - 1):
        block = files.read(lsn, BLOCK_SIZE)
        if parse_block(block).hdr_no != block_no(lsn) or not any(block):
            break
        files.write(lsn, bytes(BLOCK_SIZE))
        wrote = True
        lsn += BLOCK_SIZE
    if wrote:
        files.fsync()
