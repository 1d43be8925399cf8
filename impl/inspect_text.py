"""``redospec inspect``'s human-readable report of one file (:class:`impl.inspect.FileReport`):
format, header details, checkpoints, block statistics, write heads and problems."""

from __future__ import annotations

from typing import Any

from impl.inspect import FLAG_NAMES, FORMAT_NAMES, FileReport


def format_human(report: FileReport) -> str:
    """The human-readable description of one file."""
    lines = [f"{report.path}: {_format_kind(report)}, {report.size} bytes"]
    if report.inferred:
        lines.append(f"  INFERRED geometry: start_lsn {report.start_lsn} from "
                     f"{report.inferred_from}; the block figures below use it")
    lines.append("  " + ", ".join(_header_details(report)))
    lines += [_checkpoint_line(cp) for cp in report.checkpoints]
    lines += _block_lines(report)
    return "\n".join(lines)


def _format_kind(report: FileReport) -> str:
    """The file's format as the first line says it (inferred when the header is missing)."""
    if report.header == "missing":
        return (f"HEADER MISSING (block 0 zeroed); format {report.format_inferred} inferred"
                + (f" ({FORMAT_NAMES[report.format]})" if report.format is not None else ""))
    if report.format is None:
        return "no format (no header)"
    return f"format {report.format} ({FORMAT_NAMES[report.format]})"


def _header_details(report: FileReport) -> list[str]:
    """Creator, start lsn, flags, uuid, header checksum, note."""
    # escaped: a garbage creator must not send control characters to the terminal
    creator = f'"{_printable(report.creator)}"' if report.creator else "none"
    details = [f"creator {creator}", f"start_lsn {report.start_lsn}"]
    if report.flags is not None:
        names = [name for bit, name in FLAG_NAMES.items() if report.flags & bit]
        details.append(f"flags {report.flags:#x}" + (f" ({', '.join(names)})" if names else ""))
    if report.log_uuid is not None:
        details.append(f"log_uuid {report.log_uuid:#010x}")
    if report.header_checksum_ok is not None:
        details.append("header checksum " + ("ok" if report.header_checksum_ok else "BAD"))
    if report.header_note:
        details.append(report.header_note)
    return details


def _checkpoint_line(cp: dict[str, Any]) -> str:
    """One checkpoint block: valid or why not, its number, lsn, offset, buffer size."""
    state = "valid" if cp["valid"] else cp.get("note", "INVALID (bad checksum)")
    fields = [f"lsn {cp['lsn']}"]
    if cp.get("checkpoint_no") is not None:
        fields.insert(0, f"checkpoint_no {cp['checkpoint_no']}")
    if cp.get("offset") is not None:
        fields.append(f"offset {cp['offset']}")
    if "buf_size" in cp:
        fields.append(f"buf_size {cp['buf_size']}")
    if cp.get("offset_consistent") is False:
        fields.append("WARNING: offset does not match the group geometry")
    return f"  checkpoint {cp['slot']}: {state}, " + ", ".join(fields)


def _block_lines(report: FileReport) -> list[str]:
    """Block statistics, write heads and the problems found (at most the reported ones)."""
    b = report.blocks
    lines = [
        f"  blocks: {b['data']} data ({b['full']} full, {b['partial']} partial"
        + (f"; {b['other_lap']} from another lap" if b["other_lap"] else "")
        + f"), {b['padding']} padding, {b['empty']} empty; {b['flush_bit']} with the flush bit",
        f"  checksum failures: {b['bad_checksum']}, hdr_no mismatches: {b['hdr_no_mismatch']}",
    ]
    for head in report.write_heads:
        lines.append(
            f"  write head: offset {head['offset']}, lsn {head['lsn']}, "
            f"data_len {head['data_len']}, first_rec_group {head['first_rec_group']}"
        )
    for problem in report.problems:
        lsn = "" if problem["lsn"] is None else f" (lsn {problem['lsn']})"
        lines.append(
            f"  PROBLEM {problem['kind']} at offset {problem['offset']}{lsn}: {problem['detail']}"
        )
    if report.problems_total > len(report.problems):
        lines.append(f"  ... and {report.problems_total - len(report.problems)} more problems")
    return lines


def _printable(text: str) -> str:
    """``text`` with every non-printable or non-ASCII character as a Python escape."""
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
