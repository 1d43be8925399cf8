"""``redospec inspect``: read and validate any MySQL redo log file or directory, formats 0 to 6.

Formats (reference/redo-files-facts.md, mysql-redo-facts §3):

* **0** (5.6, 5.7.8): header ``group_id`` u32 @0 = 0, ``start_lsn`` u64 @4, ``file_no`` u32 @12;
  no header checksum. Checkpoints: ``checkpoint_no`` u64 @0, ``lsn`` u64 @8, offset low u32 @16,
  ``log_buf_size`` u32 @20, two ``ut_fold_binary`` checksums @288/@292, offset high u32 @304.
  Blocks carry the legacy fold-sum checksum.
* **1..5** (5.7.9 .. 8.0.29, ``ib_logfile*``): ``format`` u32 @0, ``start_lsn`` u64 @8, creator
  @16..47, flags u32 @48 (8.0.29), CRC-32C @508. Checkpoints in ``ib_logfile0`` only:
  ``checkpoint_no``, ``lsn``, ``offset``, ``log_buf_size`` (u64 each), CRC-32C. Blocks: CRC-32C.
* **6** (8.0.30+, ``#innodb_redo/#ib_redoN``): ``log_uuid`` u32 @4; checkpoints hold only
  ``lsn`` u64 @8; a slot with lsn 0 and a valid checksum means "no checkpoint" (not an error).

Block classification. Every 512-byte block after the 2048-byte header is exactly one of:

* **empty**: bytes 0..507 all zero and the trailer not a valid checksum of them (never written;
  8.0's files end this way);
* **padding**: bytes 0..507 all zero with a valid checksum of the zeros (CRC-32C 0xEC57A9C3, the
  fold-sum 1 in format 0, or the no-checksum magic): write-ahead padding of 5.7;
* **data**: a written block whose hdr_no is consistent with its position: ``hdr_no ==
  block_no(lsn)`` where ``lsn = start_lsn + offset - 2048``, or, in a circular pre-8.0.30 group,
  differs from it by a whole number of laps (the group capacity ``n * (file_size - 2048)``):
  such a block was left by an older lap and is counted in ``other_lap`` too;
* **hdr_no mismatch**: a written block whose hdr_no fits no lap: corruption, listed as a problem.

Data blocks are further ``full`` (data_len 512) or ``partial`` (any other data_len: the write
head). ``flush_bit`` and ``bad_checksum`` count data and mismatched blocks carrying the flush bit
or failing their checksum (the fixtures' figures: tests/impl/test_inspect.py).

Exit status of the CLI: 0 when every file is clean, 1 when corruption was found (bad checksums,
hdr_no mismatches, header or checkpoint blocks that fail their checksum), 2 for unusable input
(missing path, file shorter than its header, unknown format, no redo files in a directory).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from impl.format import (
    BLOCK_NO_WRAP,
    BLOCK_SIZE,
    CHECKPOINT_1,
    CHECKPOINT_2,
    FILE_HDR_SIZE,
    FLUSH_BIT,
    NO_CHECKSUM_MAGIC,
    TRAILER_OFFSET,
    block_no,
    crc32c,
    fold_checksum,
    ut_fold_binary,
)

MAX_LISTED_PROBLEMS = 20
READ_CHUNK = 1 << 20
FORMAT_NAMES = {
    0: "legacy, MySQL 5.6 / 5.7.8",
    1: "MySQL 5.7.9+",
    2: "MySQL 8.0.1+",
    3: "MySQL 8.0.3 .. 8.0.19",
    4: "MySQL 8.0.20 .. 8.0.28",
    5: "MySQL 8.0.29",
    6: "MySQL 8.0.30+",
}
FLAG_NAMES = {0x1: "NO_LOGGING", 0x2: "CRASH_UNSAFE", 0x4: "NOT_INITIALIZED", 0x8: "FILE_FULL"}
ZERO_CRC = crc32c(bytes(TRAILER_OFFSET))  # 0xEC57A9C3
_LOGFILE = re.compile(r"^ib_logfile(\d+)$")
_REDO = re.compile(r"^#ib_redo(\d+)(_tmp)?$")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_BLOCK_HDR = struct.Struct(">IHHI")


class InspectError(Exception):
    """Input ``inspect`` cannot read at all: a missing path, a short file, an unknown format."""


@attrs.define
class FileReport:
    """Everything ``inspect`` found in one file; :meth:`to_json` is the ``--json`` shape."""

    path: str
    size: int
    format: int | None
    creator: str
    start_lsn: int | None
    flags: int | None = None
    log_uuid: int | None = None
    header_checksum_ok: bool | None = None
    header_note: str = ""
    checkpoints: list[dict[str, Any]] = attrs.Factory(list)
    blocks: dict[str, int] = attrs.Factory(dict)
    write_heads: list[dict[str, int]] = attrs.Factory(list)
    problems: list[dict[str, Any]] = attrs.Factory(list)
    problems_total: int = 0
    header: str = "present"
    """``present``, ``never written`` (a zero header on an otherwise empty file) or ``missing``
    (a zeroed header on a file whose checkpoints or blocks hold data: see :func:`_forensic`)."""
    inferred: bool = False
    """True when the geometry (format, start_lsn) was inferred without the header."""
    inferred_from: str = ""
    format_inferred: str = ""

    @property
    def corrupt(self) -> bool:
        """True if anything in the file is corrupt (exit status 1)."""
        return self.problems_total > 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "format": self.format,
            "format_name": None if self.format is None else FORMAT_NAMES.get(self.format, "none"),
            "creator": self.creator,
            "start_lsn": self.start_lsn,
        }
        if self.flags is not None:
            out["flags"] = self.flags
            out["flag_names"] = [name for bit, name in FLAG_NAMES.items() if self.flags & bit]
        if self.log_uuid is not None:
            out["log_uuid"] = self.log_uuid
        out["header_checksum_ok"] = self.header_checksum_ok
        out["header"] = self.header
        out["inferred"] = self.inferred
        if self.inferred:
            out["format_inferred"] = self.format_inferred
            out["inferred_from"] = self.inferred_from
        if self.header_note:
            out["header_note"] = self.header_note
        out["checkpoints"] = self.checkpoints
        out["blocks"] = self.blocks
        out["write_heads"] = self.write_heads
        out["problems"] = self.problems
        out["problems_total"] = self.problems_total
        return out


@attrs.frozen
class _GroupInfo:
    """What a file of a pre-8.0.30 group learns from its siblings."""

    index: int | None  # position in the ib_logfile group, None for 8.0.30+ or unknown
    capacity: int | None  # lsn bytes of the whole circular group
    first_start_lsn: int | None  # ib_logfile0's start_lsn (for files without their own header)
    first_format: int | None


def find_files(path: Path) -> list[Path]:
    """The redo log files named by ``path``: a file, a directory of ``ib_logfile*`` or
    ``#ib_redo*`` files, or a datadir holding ``#innodb_redo``."""
    if not path.exists():
        raise InspectError(f"{path}: no such file or directory")
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InspectError(f"{path}: not a regular file or directory")
    found = _redo_files_in(path)
    redo_dir = path / "#innodb_redo"
    if redo_dir.is_dir():
        found += _redo_files_in(redo_dir)
    if not found:
        hint = ""
        with_logs = sorted(sub.name for sub in path.iterdir() if _holds_redo_files(sub))
        if with_logs:   # a parent of several datadirs (such as the fixtures folder)
            hint = f"; these subdirectories hold some, name one: {', '.join(with_logs)}"
        raise InspectError(f"{path}: no redo log files (ib_logfile*, #ib_redo*, "
                           f"#innodb_redo/){hint}")
    return found


def _holds_redo_files(sub: Path) -> bool:
    """Whether ``sub`` is a directory ``find_files`` would find redo log files in (for the hint
    on a parent of datadirs); an unreadable one does not count."""
    try:
        return sub.is_dir() and sub.name != "#innodb_redo" and bool(
            _redo_files_in(sub) or (sub / "#innodb_redo").is_dir())
    except OSError:
        return False


def _redo_files_in(directory: Path) -> list[Path]:
    logfiles = []
    redo = []
    for entry in directory.iterdir():
        if not entry.is_file():
            continue
        m = _LOGFILE.match(entry.name)
        if m:
            logfiles.append((int(m.group(1)), entry))
            continue
        m = _REDO.match(entry.name)
        if m:
            redo.append((int(m.group(1)), bool(m.group(2)), entry))
    return [p for _, p in sorted(logfiles)] + [p for _, _, p in sorted(redo)]


def _group_info(path: Path) -> _GroupInfo:
    """For ``ib_logfileN``: its index, the group's capacity and ib_logfile0's header."""
    m = _LOGFILE.match(path.name)
    if not m or int(m.group(1)) >= 100:  # ib_logfile101 is a set being created
        return _GroupInfo(None, None, None, None)
    index = int(m.group(1))
    n = 0
    while (path.parent / f"ib_logfile{n}").is_file():
        n += 1
    if index >= n:
        return _GroupInfo(index, None, None, None)
    size = path.stat().st_size
    sizes = {(path.parent / f"ib_logfile{i}").stat().st_size for i in range(n)}
    capacity = n * (size - FILE_HDR_SIZE) if len(sizes) == 1 and size > FILE_HDR_SIZE else None
    first_start = first_format = None
    with open(path.parent / "ib_logfile0", "rb") as handle:
        head = handle.read(BLOCK_SIZE)
    if len(head) == BLOCK_SIZE and any(head):
        first_format = _U32.unpack_from(head, 0)[0]
        first_start = _U64.unpack_from(head, 4 if first_format == 0 else 8)[0]
    return _GroupInfo(index, capacity, first_start, first_format)


def inspect_file(path: Path, progress: Callable[[str], None] | None = None) -> FileReport:
    """Read and validate one redo log file; see the module text for the classification."""
    try:
        size = path.stat().st_size
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InspectError(f"{path}: cannot open: {exc.strerror}") from exc
    with handle:
        if size < FILE_HDR_SIZE:
            raise InspectError(
                f"{path}: {size} bytes, shorter than the {FILE_HDR_SIZE}-byte header"
            )
        header = handle.read(FILE_HDR_SIZE)
        group = _group_info(path)
        if not any(header[:BLOCK_SIZE]) and _has_content(handle, size, header):
            report = _forensic(path, size, header, group, handle)
        else:
            report = _parse_header(path, size, header, group)
            if report.format is not None:
                _parse_checkpoints(report, header, group)
        _scan_blocks(report, handle, group, progress)
    return report


# --- forensic reading of a file whose header block is zeroed -----------------------------------

LSN_PERIOD = BLOCK_NO_WRAP * BLOCK_SIZE
"""hdr_no repeats every 2**30 blocks: block numbers fix a file's start_lsn modulo this."""

MAX_SAMPLE = 64 << 20
"""Bytes of blocks read to infer the geometry (the blocks after them are still classified)."""


def _has_content(handle: Any, size: int, header: bytes) -> bool:
    """Whether a file whose header block is zero holds anything: a checkpoint block or a
    written log block. A file with neither was never written (a spare, 5.6's later files)."""
    if any(header[CHECKPOINT_1:CHECKPOINT_1 + BLOCK_SIZE]) or any(
            header[CHECKPOINT_2:CHECKPOINT_2 + BLOCK_SIZE]):
        return True
    handle.seek(FILE_HDR_SIZE)
    read = 0
    while read < min(size, MAX_SAMPLE):
        chunk = handle.read(READ_CHUNK)
        if not chunk:
            break
        read += len(chunk)
        if any(chunk):
            return True
    return False


def _block_evidence(handle: Any, size: int) -> tuple[dict[int, int], int, int]:
    """From the written blocks with a valid checksum: start_lsn candidates modulo
    :data:`LSN_PERIOD` (each block says ``start_lsn = (hdr_no - 1) * 512 - (offset - 2048)``)
    with how many blocks vote for each; and how many blocks carry CRC-32C / fold checksums."""
    votes: dict[int, int] = {}
    crc_blocks = fold_blocks = 0
    offset = FILE_HDR_SIZE
    handle.seek(offset)
    while offset < min(size, FILE_HDR_SIZE + MAX_SAMPLE):
        chunk = handle.read(READ_CHUNK)
        if not chunk:
            break
        for pos in range(0, len(chunk) // BLOCK_SIZE * BLOCK_SIZE, BLOCK_SIZE):
            block = chunk[pos:pos + BLOCK_SIZE]
            body = block[:TRAILER_OFFSET]
            if not any(body):
                continue
            trailer = _U32.unpack_from(block, TRAILER_OFFSET)[0]
            if trailer == crc32c(body):
                crc_blocks += 1
            elif trailer == fold_checksum(body):
                fold_blocks += 1
            else:
                continue
            hdr_no = _U32.unpack_from(block, 0)[0] & ~FLUSH_BIT
            if not 1 <= hdr_no <= BLOCK_NO_WRAP:
                continue
            start = ((hdr_no - 1) * BLOCK_SIZE - (offset + pos - FILE_HDR_SIZE)) % LSN_PERIOD
            votes[start] = votes.get(start, 0) + 1
        offset += len(chunk)
    return votes, crc_blocks, fold_blocks


def _checkpoint_layout(header: bytes) -> str | None:
    """Which checkpoint layout the header's checkpoint blocks have: ``"6"`` (CRC-32C, only the
    lsn at 8), ``"1..5"`` (CRC-32C, checkpoint_no, lsn, offset, buffer size) or ``"0"`` (two
    fold checksums); None when neither block is valid under any of them."""
    for at in (CHECKPOINT_1, CHECKPOINT_2):
        block = header[at:at + BLOCK_SIZE]
        if not any(block):
            continue
        if _U32.unpack_from(block, TRAILER_OFFSET)[0] == crc32c(block[:TRAILER_OFFSET]):
            if not any(block[0:8]) and not any(block[16:TRAILER_OFFSET]):
                return "6"
            return "1..5"
        if (_U32.unpack_from(block, 288)[0] == ut_fold_binary(block[0:288])
                and _U32.unpack_from(block, 292)[0] == ut_fold_binary(block[8:292])):
            return "0"
    return None


def _forensic(path: Path, size: int, header: bytes, group: _GroupInfo,
              handle: Any) -> FileReport:
    """A file whose header block is zeroed while its checkpoint and data blocks may be intact
    (a damaged file found in the wild). Say the header is missing, decode the checkpoint
    blocks anyway, and infer the geometry:

    * the **format** from the checkpoint layout, else from the blocks' checksum algorithm and
      the file name (``#ib_redoN`` is format 6, fold checksums are format 0, CRC-32C in an
      ``ib_logfile`` is one of 1..5, which the blocks cannot tell apart);
    * the **start_lsn** from the valid checkpoint with the larger number when it records its
      offset (formats 0..5, the first file of a group: the lsn minus the data bytes before the
      offset, headers of the files before it skipped), else from the block numbers (the start
      most written blocks agree on, modulo 2**30 blocks, placed in the lap nearest to a
      checkpoint lsn or to what ib_logfile0 implies). The two are cross-checked: blocks whose
      hdr_no fits are counted as data, the others as mismatches, as for any file.

    Everything inferred is marked (``inferred``, ``inferred_from``), and the missing header is
    a problem (exit status 1)."""
    votes, crc_blocks, fold_blocks = _block_evidence(handle, size)
    layout = _checkpoint_layout(header)
    if layout is None:
        if fold_blocks > crc_blocks:
            layout = "0"
        elif _REDO.match(path.name):
            layout = "6"
        elif crc_blocks:
            layout = "1..5"
    fmt = {"0": 0, "6": 6}.get(layout or "")
    report = FileReport(str(path), size, fmt, "", None, header="missing", inferred=True,
                        format_inferred=layout or "unknown")
    report.header_note = "header block missing (zeroed)"
    _problem(report, "header_missing", 0, None,
             "the header block is all zeros; format and start_lsn are inferred")
    if layout is not None and (group.index in (0, None) or layout == "6"):
        _parse_checkpoints(report, header, group, fmt={"0": 0, "6": 6}.get(layout, 3))
    valid = sorted((cp for cp in report.checkpoints if cp["valid"]),
                   key=lambda cp: (cp.get("checkpoint_no") or 0, cp["lsn"]))
    start: int | None = None
    how = ""
    if layout in ("0", "1..5") and valid and valid[-1].get("offset"):
        cp = valid[-1]
        k = cp["offset"] // size   # the file of the group holding the checkpoint
        data_offset = cp["offset"] - FILE_HDR_SIZE * (k + 1)
        start = cp["lsn"] - data_offset
        how = (f"checkpoint {cp['slot']} (lsn {cp['lsn']} at group offset {cp['offset']}, "
               f"equal file sizes assumed)")
    elif votes:
        base = max(votes, key=lambda c: (votes[c], -c))
        near = (valid[-1]["lsn"] if valid else
                group.first_start_lsn + (group.index or 0) * (size - FILE_HDR_SIZE)
                if group.first_start_lsn is not None else base)
        start = base + (near - base) // LSN_PERIOD * LSN_PERIOD
        how = (f"block numbers ({votes[base]} of {sum(votes.values())} written blocks agree)"
               + (" placed near the checkpoint lsn" if valid else ""))
    if start is not None and start < 0:
        start = None
    report.start_lsn = start
    for cp in report.checkpoints:   # format 6 records no offset: place the lsn in this file
        if cp.get("offset") is None and start is not None and cp["valid"] and (
                start <= cp["lsn"] < start + size - FILE_HDR_SIZE):
            cp["offset"] = FILE_HDR_SIZE + cp["lsn"] - start
    report.inferred_from = how or "nothing: no valid checkpoint and no valid block"
    if start is not None and votes:
        agree = sum(n for c, n in votes.items()
                    if (c - start) % LSN_PERIOD == 0
                    or (group.capacity and (c - start) % group.capacity == 0))
        report.inferred_from += (f"; {agree} of {sum(votes.values())} written blocks' hdr_no "
                                 "agree with it")
    return report


def _problem(report: FileReport, kind: str, offset: int, lsn: int | None, detail: str) -> None:
    report.problems_total += 1
    if len(report.problems) < MAX_LISTED_PROBLEMS:
        report.problems.append({"kind": kind, "offset": offset, "lsn": lsn, "detail": detail})


def _parse_header(path: Path, size: int, header: bytes, group: _GroupInfo) -> FileReport:
    block = header[:BLOCK_SIZE]
    if not any(block):
        # 5.6 writes no header into ib_logfile1.. of a clean datadir; 8.0.30 spares are all zero
        fmt = group.first_format if group.index else None
        start = None
        note = "no header (never written)"
        if fmt is not None and group.capacity and group.first_start_lsn is not None:
            assert group.index is not None
            start = group.first_start_lsn + group.index * (size - FILE_HDR_SIZE)
            note += "; start_lsn derived from ib_logfile0"
        return FileReport(str(path), size, fmt, "", start, header_note=note,
                          header="never written")
    value = _U32.unpack_from(block, 0)[0]
    if value == 0:
        start = _U64.unpack_from(block, 4)[0]
        creator = bytes(block[16:48]).split(b"\0", 1)[0].decode("ascii", "replace").strip()
        report = FileReport(str(path), size, 0, creator, start)
        report.header_checksum_ok = None  # format 0 has no header checksum
        return report
    if not 1 <= value <= 6:
        raise InspectError(f"{path}: unknown redo log format {value} (u32 at offset 0); 0..6 known")
    start = _U64.unpack_from(block, 8)[0]
    creator = bytes(block[16:48]).split(b"\0", 1)[0].decode("ascii", "replace")
    report = FileReport(str(path), size, value, creator, start)
    report.flags = _U32.unpack_from(block, 48)[0]
    if value == 6:
        report.log_uuid = _U32.unpack_from(block, 4)[0]
    stored = _U32.unpack_from(block, TRAILER_OFFSET)[0]
    report.header_checksum_ok = stored == crc32c(block[:TRAILER_OFFSET])
    if not report.header_checksum_ok:
        _problem(
            report, "header_checksum", 0, None, f"header block checksum {stored:#010x} is wrong"
        )
    if start % BLOCK_SIZE:
        _problem(report, "header", 8, None, f"start_lsn {start} is not a multiple of {BLOCK_SIZE}")
    return report


def _parse_checkpoints(report: FileReport, header: bytes, group: _GroupInfo,
                       fmt: int | None = None) -> None:
    """Decode both checkpoint blocks in the layout of ``fmt`` (the report's format by default;
    a forensic reading passes the layout it inferred)."""
    fmt = report.format if fmt is None else fmt
    if fmt != 6 and group.index not in (0, None):
        return  # FMT-12: only the first file of a pre-8.0.30 group holds checkpoints
    for slot, at in ((1, CHECKPOINT_1), (2, CHECKPOINT_2)):
        block = header[at : at + BLOCK_SIZE]
        entry: dict[str, Any] = {"slot": slot}
        if fmt == 0:
            no, lsn, low, buf = struct.unpack_from(">QQII", block, 0)
            high = _U32.unpack_from(block, 304)[0]
            ok = _U32.unpack_from(block, 288)[0] == ut_fold_binary(
                block[0:288]
            ) and _U32.unpack_from(block, 292)[0] == ut_fold_binary(block[8:292])
            entry |= {
                "checkpoint_no": no,
                "lsn": lsn,
                "offset": (high << 32) | low,
                "buf_size": buf,
            }
        elif fmt == 6:
            lsn = _U64.unpack_from(block, 8)[0]
            ok = _U32.unpack_from(block, TRAILER_OFFSET)[0] == crc32c(block[:TRAILER_OFFSET])
            offset = None
            if report.start_lsn is not None and report.start_lsn <= lsn < report.start_lsn + (
                report.size - FILE_HDR_SIZE
            ):
                offset = FILE_HDR_SIZE + lsn - report.start_lsn
            entry |= {"checkpoint_no": None, "lsn": lsn, "offset": offset}
        else:
            no, lsn, offset, buf = struct.unpack_from(">QQQQ", block, 0)
            ok = _U32.unpack_from(block, TRAILER_OFFSET)[0] == crc32c(block[:TRAILER_OFFSET])
            entry |= {"checkpoint_no": no, "lsn": lsn, "offset": offset, "buf_size": buf}
        never_written = not any(block)
        no_checkpoint = fmt == 6 and ok and entry["lsn"] == 0
        entry["checksum_ok"] = ok
        entry["valid"] = ok and not no_checkpoint and not never_written
        if fmt != 6 and entry["valid"] and group.capacity and report.start_lsn is not None:
            # formats 0..5 store the group offset of lsn (file headers counted, facts §3.4)
            size_offset = (entry["lsn"] - report.start_lsn) % group.capacity
            per_file = report.size - FILE_HDR_SIZE
            expected = size_offset + FILE_HDR_SIZE * (1 + size_offset // per_file)
            entry["offset_consistent"] = entry["offset"] == expected
        if never_written:
            entry["note"] = "never written"
        elif no_checkpoint:
            entry["note"] = "no checkpoint (lsn 0)"
        elif not ok:
            _problem(report, "checkpoint_checksum", at, None, f"checkpoint block {slot} checksum")
        report.checkpoints.append(entry)


def _scan_blocks(
    report: FileReport, handle: Any, group: _GroupInfo, progress: Callable[[str], None] | None
) -> None:
    counts = dict.fromkeys(
        ("data", "full", "partial", "padding", "empty", "flush_bit", "bad_checksum",
         "hdr_no_mismatch", "other_lap"),
        0,
    )  # fmt: skip
    report.blocks = counts
    legacy = report.format == 0
    start = report.start_lsn
    lap_blocks = group.capacity // BLOCK_SIZE if group.capacity and report.format != 6 else None
    zero_ok = {fold_checksum(bytes(TRAILER_OFFSET)) if legacy else ZERO_CRC, NO_CHECKSUM_MAGIC}
    offset = FILE_HDR_SIZE
    handle.seek(offset)
    next_progress = 256 << 20
    while True:
        chunk = handle.read(READ_CHUNK)
        if not chunk:
            break
        usable = len(chunk) // BLOCK_SIZE * BLOCK_SIZE
        for pos in range(0, usable, BLOCK_SIZE):
            block = chunk[pos : pos + BLOCK_SIZE]
            at = offset + pos
            _classify(report, counts, block, at, start, lap_blocks, legacy, zero_ok)
        offset += len(chunk)
        if progress is not None and offset >= next_progress:
            progress(f"{report.path}: {offset >> 20} of {report.size >> 20} MiB")
            next_progress += 256 << 20
    if report.size % BLOCK_SIZE:
        _problem(report, "size", report.size, None, f"size is not a multiple of {BLOCK_SIZE}")
    if report.size <= FILE_HDR_SIZE:
        # A redo log file always holds blocks after its header (MySQL's minimum is 64 KiB); a
        # header alone is a truncated file whose checkpoints point at bytes that are gone.
        _problem(report, "size", report.size, None,
                 f"no log blocks after the {FILE_HDR_SIZE}-byte header: truncated file")


def _classify(
    report: FileReport,
    counts: dict[str, int],
    block: bytes,
    at: int,
    start: int | None,
    lap_blocks: int | None,
    legacy: bool,
    zero_ok: set[int],
) -> None:
    trailer = _U32.unpack_from(block, TRAILER_OFFSET)[0]
    body = block[:TRAILER_OFFSET]
    if not any(body):
        counts["padding" if trailer in zero_ok else "empty"] += 1
        return
    raw_no, data_len, first_rec_group, _ = _BLOCK_HDR.unpack_from(block, 0)
    hdr_no = raw_no & ~FLUSH_BIT
    if trailer == NO_CHECKSUM_MAGIC and not legacy:
        ok = True
    else:
        ok = trailer == (fold_checksum(body) if legacy else crc32c(body))
    lsn = None if start is None else start + at - FILE_HDR_SIZE
    consistent = other_lap = False
    if lsn is not None:
        expected = block_no(lsn)
        if hdr_no == expected:
            consistent = True
        elif lap_blocks and 0 < hdr_no <= BLOCK_NO_WRAP:
            consistent = other_lap = (expected - hdr_no) % lap_blocks == 0 or (
                (expected - hdr_no) % BLOCK_NO_WRAP
            ) % lap_blocks == 0
    if raw_no & FLUSH_BIT:
        counts["flush_bit"] += 1
    if not ok:
        counts["bad_checksum"] += 1
        _problem(report, "bad_checksum", at, lsn, f"stored {trailer:#010x}, hdr_no {hdr_no}")
    if not consistent:
        counts["hdr_no_mismatch"] += 1
        want = "unknown start_lsn" if lsn is None else f"expected {block_no(lsn)}"
        _problem(report, "hdr_no_mismatch", at, lsn, f"hdr_no {hdr_no}, {want}")
        return
    counts["data"] += 1
    if other_lap:
        counts["other_lap"] += 1
    if data_len == BLOCK_SIZE:
        counts["full"] += 1
    else:
        counts["partial"] += 1
        if not other_lap:
            report.write_heads.append(
                {
                    "offset": at,
                    "lsn": lsn or 0,
                    "data_len": data_len,
                    "first_rec_group": first_rec_group,
                }
            )


def inspect_path(path: Path, progress: Callable[[str], None] | None = None) -> list[FileReport]:
    """Inspect every redo file that ``path`` names (see :func:`find_files`)."""
    return [inspect_file(p, progress) for p in find_files(path)]

