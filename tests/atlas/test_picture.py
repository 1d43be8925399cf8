"""State pictures: well-formed SVG, the lsn markers at the values the
pipeline reached (SYS-1's chain: checkpoint_lsn <= flushed_to_disk_lsn <= write_lsn <=
buf_ready_for_write_lsn <= current_lsn), the buffer bytes classified as the design says
(LNK-5: ready below buf_ready_for_write_lsn; WR-1..5: written below write_lsn), the file blocks'
header fields (FMT-3..6), and determinism (same state -> same bytes)."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import attrs
import pytest

from atlas.picture import draw, draw_trace
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State, replace

NS = "{http://www.w3.org/2000/svg}"

# tiny: start_lsn 48, 4-byte headers, so the first data lsn is 52; a 4-sn group ends at 56.
TRACE = [
    "user_reserve(thread=0, size=4, page=0, wait=flush)",
    "user_copy_to_log_buffer(thread=0)",
    "user_add_recent_written_link(thread=0)",
    "writer_traverse_links()",
    "writer_write()",
    "flusher_fsync(up_to=56)",
]


def _replay(p: Params, labels: list[str]) -> list[State]:
    return RedoModel(p).replay([Label.parse(t) for t in labels])


def _markers(svg: str) -> dict[str, int]:
    root = ET.fromstring(svg)
    return {g.attrib["data-marker"]: int(g.attrib["data-lsn"])
            for g in root.iter(f"{NS}g") if "data-marker" in g.attrib}


def _ring_kinds(svg: str) -> dict[int, str]:
    root = ET.fromstring(svg)
    return {int(r.attrib["data-lsn"]): r.attrib["data-kind"]
            for r in root.iter(f"{NS}rect") if "data-ring" in r.attrib}


@pytest.mark.parametrize("n, expected", [
    # hand-computed from the tiny preset: current_lsn moves on reserve (USR-1), the tail of
    # recent_written on the writer's traversal (LNK-2), write_lsn on the write (WR-2..5),
    # flushed_to_disk_lsn on the fsync (FL-1); the checkpoint stays at the first data lsn.
    (0, {"current_lsn": 52, "buf_ready_for_write_lsn": 52, "write_lsn": 52,
         "flushed_to_disk_lsn": 52, "checkpoint_lsn": 52}),
    (1, {"current_lsn": 56, "buf_ready_for_write_lsn": 52, "write_lsn": 52}),
    (4, {"current_lsn": 56, "buf_ready_for_write_lsn": 56, "write_lsn": 52}),
    (5, {"write_lsn": 56, "flushed_to_disk_lsn": 52}),
    (6, {"write_lsn": 56, "flushed_to_disk_lsn": 56, "checkpoint_lsn": 52}),
])
def test_markers_show_the_lsns_reached(n: int, expected: dict[str, int]) -> None:
    """SYS-1: each marker of the picture of the state after ``n`` steps has the lsn the
    pipeline reached, and the picture parses as XML."""
    p = Params.tiny()
    s = _replay(p, TRACE[:n])[-1]
    got = _markers(draw(p, s))
    for name, lsn in expected.items():
        assert got[name] == lsn, name
    assert got["dirty_pages_added_up_to_lsn"] == s.recent_closed.tail


def test_buffer_bytes_follow_the_pipeline() -> None:
    """LNK-5 / WR-1: the group's data bytes (lsn 52..55) are "being copied" after the
    reservation, "copied" once copied but not yet behind the tail, "ready" after the writer's
    traversal and "written" after the write; headers stay headers, the rest is free."""
    p = Params.tiny()
    states = _replay(p, TRACE)
    want = {1: "reserved", 2: "copied", 3: "copied", 4: "ready", 5: "written"}
    for step, kind in want.items():
        kinds = _ring_kinds(draw(p, states[step]))
        assert len(kinds) == p.log_buffer_size
        assert [kinds[lsn] for lsn in range(52, 56)] == [kind] * 4, step
        assert [kinds[lsn] for lsn in range(48, 52)] == ["header"] * 4
        assert kinds[56] == "free"


def test_file_blocks_show_header_fields() -> None:
    """FMT-3..6: after the write, file 0's first data block has hdr_no lsn/16 % 64 + 1 = 4,
    the flush bit (first block of a write), data_len 8 (12 bytes: 4 header + 4 data) and
    first_rec_group 4; it is "not synced" before the fsync and "written" after it."""
    p = Params.tiny()
    states = _replay(p, TRACE)
    root = ET.fromstring(draw(p, states[5]))
    blocks = {r.attrib["data-file-block"]: r.attrib for r in root.iter(f"{NS}rect")
              if "data-file-block" in r.attrib}
    b = blocks["0:0"]
    assert (b["data-hdr-no"], b["data-len"], b["data-frg"], b["data-flush"]) == (
        "4", "8", "4", "true")
    assert b["data-kind"] == "not synced"
    assert blocks["1:0"]["data-kind"] == "empty"
    root = ET.fromstring(draw(p, states[6]))
    synced = {r.attrib["data-file-block"]: r.attrib["data-kind"] for r in root.iter(f"{NS}rect")
              if "data-file-block" in r.attrib}
    assert synced["0:0"] == "written"


def test_waiters_drawn_on_their_event_slot() -> None:
    """NT-3 / USR-7: a user that went to sleep waiting for flush_lsn >= 56 is drawn on flush
    slot (56 - 1) / 16 & 1 = 1."""
    p = Params.tiny()
    labels = [*TRACE[:5], "user_add_dirty_pages(thread=0)", "user_add_recent_closed_link(thread=0)",
              "user_wait_reset_event(thread=0)", "user_wait_check(thread=0)"]
    s = _replay(p, labels)[-1]
    assert s.users[0].pc == "sleeping"
    root = ET.fromstring(draw(p, s))
    slots = {r.attrib["data-event-slot"]: r.attrib["data-waiters"] for r in root.iter(f"{NS}rect")
             if "data-event-slot" in r.attrib}
    assert slots == {"write:0": "", "write:1": "", "flush:0": "", "flush:1": "0"}


def test_same_state_same_bytes() -> None:
    """Determinism: two replays build distinct but equal states; their pictures are
    byte-identical, and so are pictures with the same ``before``."""
    p = Params.small()
    a, b = _replay(p, TRACE), _replay(p, TRACE)
    assert a[-1] is not b[-1] and a[-1] == b[-1]
    assert draw(p, a[-1]) == draw(p, b[-1])
    assert draw(p, a[-1], a[-2]) == draw(p, b[-1], b[-2])
    assert draw_trace(p, a, TRACE) == draw_trace(p, b, TRACE)


def test_picture_changes_with_the_state() -> None:
    """The picture is a function of the state: moving write_lsn moves its marker (a drawing
    that ignored the state would pass the determinism test)."""
    p = Params.tiny()
    s = _replay(p, TRACE)[-1]
    t = replace(s, writer=attrs.evolve(s.writer, write_lsn=60))
    assert _markers(draw(p, t))["write_lsn"] == 60
    assert draw(p, s) != draw(p, t)


def test_changed_panels_outlined() -> None:
    """With ``before``, exactly the panels whose fields the step changed are marked: the
    writer's traversal changes recent_written (rings, buffer, axis), not files or pages."""
    p = Params.tiny()
    states = _replay(p, TRACE)
    root = ET.fromstring(draw(p, states[4], states[3]))
    flags = {g.attrib["id"]: g.attrib["data-changed"] for g in root.iter(f"{NS}g")
             if g.attrib.get("id", "").startswith("panel-")}
    assert flags == {"panel-axis": "true", "panel-buffer": "true", "panel-users": "false",
                     "panel-rings": "true", "panel-events": "false", "panel-files": "false",
                     "panel-pages": "false"}
    no_before = ET.fromstring(draw(p, states[4]))
    assert all(g.attrib["data-changed"] == "false" for g in no_before.iter(f"{NS}g")
               if g.attrib.get("id", "").startswith("panel-"))


def test_innodb_is_a_compact_summary() -> None:
    """At InnoDB's sizes (32 Ki buffer blocks, 98,300 data blocks per file, 1 Mi link slots)
    the picture aggregates: no per-byte, per-block or per-slot shapes, a small document, the
    markers still exact."""
    p = Params.innodb()
    m = RedoModel(p)
    s = m.init_states()[0]
    rng = random.Random(7)
    for _ in range(40):
        groups = m.enabled_groups(s)
        _, s = groups[rng.randrange(len(groups))][1](rng)
    svg = draw(p, s)
    root = ET.fromstring(svg)
    rects = list(root.iter(f"{NS}rect"))
    assert len(rects) < 200
    assert not any("data-ring" in r.attrib or "data-file-block" in r.attrib
                   or "data-slot" in r.attrib for r in rects)
    assert len(svg) < 60_000
    got = _markers(svg)
    assert got["write_lsn"] == s.writer.write_lsn
    assert got["flushed_to_disk_lsn"] == s.flushed_to_disk_lsn
    assert got["checkpoint_lsn"] == s.checkpoint.checkpoint_lsn


@pytest.mark.parametrize("changes", [
    {"version": "9.0"},
    {"link_buf": "8.0.22"},
    {"explore_crashes": True, "torn_writes": True},
    {"checksums": False, "max_sn": 60},
], ids=["9.0", "8.0.22", "crashes", "wrap"])
def test_every_variant_draws(changes: dict[str, object]) -> None:
    """Seeded random walks in each Params variant (the 9.0 tracker, the 8.0.22 link buffer,
    crashes and recovery with torn writes, a longer run that wraps the buffer and the files):
    every picture parses and its markers are the state's lsns (SYS-1's chain)."""
    p = Params.tiny().evolve(**changes)
    m = RedoModel(p)
    rng = random.Random(11)
    for _walk in range(3):
        s = m.init_states()[0]
        before = None
        for _ in range(60):
            groups = m.enabled_groups(s)
            if not groups:
                break
            before, (_, s) = s, groups[rng.randrange(len(groups))][1](rng)
            got = _markers(draw(p, s, before))
            assert got["write_lsn"] == s.writer.write_lsn
            assert got["current_lsn"] >= got["buf_ready_for_write_lsn"] >= got["write_lsn"]
