"""The framing of record groups in the log: self-delimiting, so recovery can parse them.

A record group (one mini-transaction's log) is::

    group  := MAGIC:u8 n_records:u16 record{n_records}
    record := page_no:u32 length:u16 payload[length]

All integers are big-endian, like every other field of the log. A record sets the whole payload
of one page. ``MAGIC`` (0xA5) lets recovery tell a group start from zeros or garbage; a group is
applied whole or not at all (RC-4), so a group cut short by the end of the log is reported as
:class:`IncompleteGroup`, never half-applied.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import attrs

MAGIC = 0xA5
_GROUP_HEADER = struct.Struct(">BH")
_RECORD_HEADER = struct.Struct(">IH")
MAX_PAYLOAD = 0xFFFF
MAX_RECORDS = 0xFFFF


@attrs.frozen
class Record:
    """One change: page ``page_no`` now holds ``payload``."""

    page_no: int
    payload: bytes


class IncompleteGroup(Exception):
    """The bytes end before the group does: the group was never completely written."""


class CorruptGroup(Exception):
    """The bytes at a group start are not a group (wrong magic, impossible lengths)."""


def encode_group(records: Sequence[Record]) -> bytes:
    """The bytes of a group holding ``records`` (at least one)."""
    if not records:
        raise ValueError("a record group holds at least one record")
    if len(records) > MAX_RECORDS:
        raise ValueError(f"a record group holds at most {MAX_RECORDS} records")
    out = bytearray(_GROUP_HEADER.pack(MAGIC, len(records)))
    for record in records:
        if not 0 <= record.page_no <= 0xFFFF_FFFF:
            raise ValueError(f"page_no {record.page_no} does not fit in 32 bits")
        if len(record.payload) > MAX_PAYLOAD:
            raise ValueError(f"payload of {len(record.payload)} bytes exceeds {MAX_PAYLOAD}")
        out += _RECORD_HEADER.pack(record.page_no, len(record.payload))
        out += record.payload
    return bytes(out)


def decode_group(data: bytes | bytearray | memoryview, pos: int = 0) -> tuple[list[Record], int]:
    """Parse the group starting at ``data[pos]``; return its records and the position after it.

    Raises :class:`IncompleteGroup` when ``data`` ends inside the group and
    :class:`CorruptGroup` when the bytes at ``pos`` cannot be a group.
    """
    view = memoryview(data)
    if pos + _GROUP_HEADER.size > len(view):
        raise IncompleteGroup(f"group header at {pos} cut short")
    magic, count = _GROUP_HEADER.unpack_from(view, pos)
    if magic != MAGIC:
        raise CorruptGroup(f"byte {magic:#04x} at {pos} is not a group start ({MAGIC:#04x})")
    if count == 0:
        raise CorruptGroup(f"group at {pos} claims zero records")
    pos += _GROUP_HEADER.size
    records = []
    for _ in range(count):
        if pos + _RECORD_HEADER.size > len(view):
            raise IncompleteGroup(f"record header at {pos} cut short")
        page_no, length = _RECORD_HEADER.unpack_from(view, pos)
        pos += _RECORD_HEADER.size
        if pos + length > len(view):
            raise IncompleteGroup(f"record payload at {pos} cut short")
        records.append(Record(page_no, bytes(view[pos : pos + length])))
        pos += length
    return records, pos
