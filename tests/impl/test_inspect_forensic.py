"""Forensic reading of damaged files: a zeroed header block, truncation, garbage.

A real log found in the wild may have its header block zeroed while its checkpoint and data
blocks are intact. ``inspect`` must say the header is missing, decode the checkpoint blocks
anyway, infer the geometry and report the data blocks consistent with it, marked as inferred:
for every file of every fixture and every format the reader supports (FMT-3, FMT-9, FMT-10,
FMT-12), the header-zeroed copy must yield the start_lsn, checkpoints and block figures of the
intact file. The damaged copies are made in tmp_path at test time, never committed. And no
damage at all (truncation, garbage, zeroed ranges) may make ``inspect`` raise a traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impl.cli import main
from impl.inspect import FileReport, InspectError, inspect_file, inspect_path
from tests.impl import redofiles as rf

FIXTURE_FILES = [("mysql-8.0.19-clean", "ib_logfile0"), ("mysql-8.0.19-clean", "ib_logfile1"),
                 ("mysql-8.0.30-redo", "#ib_redo33")]
BLOCK_FIGURES = ("data", "full", "partial", "flush_bit", "other_lap", "hdr_no_mismatch",
                 "bad_checksum", "empty", "padding")


def zero_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:512] = bytes(512)
    path.write_bytes(bytes(data))


def same_geometry(intact: FileReport, damaged: FileReport) -> None:
    """What the header-zeroed copy says equals what the intact file says."""
    assert damaged.header == "missing" and damaged.inferred, damaged
    assert damaged.start_lsn == intact.start_lsn, (damaged.inferred_from, intact.start_lsn)
    assert damaged.format in (intact.format, None)
    assert str(intact.format) in damaged.format_inferred or damaged.format_inferred == "1..5"
    keys = ("slot", "valid", "checkpoint_no", "lsn", "offset")
    assert [{k: c.get(k) for k in keys} for c in damaged.checkpoints] == [
        {k: c.get(k) for k in keys} for c in intact.checkpoints]
    assert {k: damaged.blocks[k] for k in BLOCK_FIGURES} == {
        k: intact.blocks[k] for k in BLOCK_FIGURES}
    assert damaged.write_heads == intact.write_heads
    kinds = {p["kind"] for p in damaged.problems}
    assert "header_missing" in kinds and damaged.corrupt


@pytest.mark.parametrize("alone", [False, True], ids=["in-its-folder", "alone"])
@pytest.mark.parametrize(("folder", "name"), FIXTURE_FILES)
def test_fixture_with_zeroed_header(fixtures_dir: Path, tmp_path: Path, folder: str, name: str,
                                    alone: bool) -> None:
    """Each real file, header block zeroed, in a copy of its folder or on its own."""
    source = fixtures_dir / folder
    intact_dir, damaged_dir = tmp_path / "intact", tmp_path / "damaged"
    for target in (intact_dir, damaged_dir):
        target.mkdir()
        for f in ([source / name] if alone else sorted(source.iterdir())):
            shutil.copyfile(f, target / f.name)
    zero_header(damaged_dir / name)
    intact = inspect_file(intact_dir / name)
    damaged = inspect_file(damaged_dir / name)
    assert intact.header == "present" and not intact.inferred
    same_geometry(intact, damaged)


def test_cli_marks_the_inference(fixtures_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Text and --json say the header is missing and what was inferred; exit status 1."""
    for f in (fixtures_dir / "mysql-8.0.19-clean").iterdir():
        shutil.copyfile(f, tmp_path / f.name)
    zero_header(tmp_path / "ib_logfile0")
    assert main(["inspect", str(tmp_path / "ib_logfile0")]) == 1
    text = capsys.readouterr().out
    assert "HEADER MISSING" in text and "INFERRED geometry: start_lsn 16777216" in text
    assert "checkpoint 2: valid, checkpoint_no 37, lsn 19948816" in text
    assert "blocks: 8179 data" in text
    assert main(["inspect", "--json", str(tmp_path / "ib_logfile0")]) == 1
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert entry["header"] == "missing" and entry["inferred"] is True
    assert entry["start_lsn"] == 16777216 and entry["blocks"]["data"] == 8179
    assert "checkpoint 2" in entry["inferred_from"]


def _synthetic(fmt: int, tmp_path: Path, with_checkpoints: bool = True) -> Path:
    """A file of format ``fmt`` with checkpoints and 40 data blocks (the last partial)."""
    start = 8192 * 37
    blocks = [rf.data_block(fmt, start + i * 512, flush=i % 7 == 0) for i in range(39)]
    blocks.append(rf.data_block(fmt, start + 39 * 512, data_len=100, frg=20))
    cp_lsn = start + 20 * 512 + 40
    cps = (rf.checkpoint(fmt, 4, cp_lsn - 512, 2048 + 19 * 512 + 40),
           rf.checkpoint(fmt, 5, cp_lsn, 2048 + 20 * 512 + 40)) if with_checkpoints else None
    data = rf.build(fmt, start, blocks, 64 * 512 + 2048, cps)
    name = "#ib_redo7" if fmt == 6 else "ib_logfile0"
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


@pytest.mark.parametrize("with_checkpoints", [True, False], ids=["checkpoints", "no-checkpoints"])
@pytest.mark.parametrize("fmt", range(7))
def test_every_format_with_zeroed_header(tmp_path: Path, fmt: int,
                                         with_checkpoints: bool) -> None:
    """Formats 0..6, with valid checkpoints (geometry from the checkpoint's lsn and offset, or,
    in format 6, from the block numbers placed near the checkpoint) and without any (geometry
    from the block numbers alone)."""
    intact_dir, damaged_dir = tmp_path / "a", tmp_path / "b"
    intact_dir.mkdir()
    damaged_dir.mkdir()
    intact = inspect_file(_synthetic(fmt, intact_dir, with_checkpoints))
    path = _synthetic(fmt, damaged_dir, with_checkpoints)
    zero_header(path)
    damaged = inspect_file(path)
    assert intact.blocks["data"] == 40 and intact.start_lsn == 8192 * 37
    same_geometry(intact, damaged)
    if with_checkpoints and fmt != 6:
        assert damaged.inferred_from.startswith("checkpoint 2")
    else:
        assert damaged.inferred_from.startswith("block numbers")


def test_zero_header_on_an_unwritten_file_is_not_damage(tmp_path: Path) -> None:
    """A spare file (all zeros) was never written: no header problem, nothing inferred."""
    (tmp_path / "#ib_redo9").write_bytes(bytes(64 * 512))
    report = inspect_file(tmp_path / "#ib_redo9")
    assert report.header == "never written" and not report.inferred and not report.corrupt


def test_teeth_inferred_blocks_that_disagree_are_mismatches(tmp_path: Path) -> None:
    """The inference is checked, not assumed: a block from elsewhere in the log (its hdr_no
    fits no position near the inferred start) is still a mismatch."""
    path = _synthetic(3, tmp_path)
    data = bytearray(path.read_bytes())
    data[2048 + 5 * 512:2048 + 6 * 512] = rf.data_block(3, 8192 * 1000)
    path.write_bytes(bytes(data))
    zero_header(path)
    report = inspect_file(path)
    assert report.start_lsn == 8192 * 37 and report.blocks["hdr_no_mismatch"] == 1
    assert "39 of 40 written blocks' hdr_no agree" in report.inferred_from


# --- no traceback on any damage ---------------------------------------------------------------

damage = st.lists(st.tuples(st.integers(0, 64 * 512 + 2047), st.integers(1, 700),
                            st.sampled_from(["zero", "garbage", "flip"]), st.binary(max_size=64)),
                  max_size=4)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fmt=st.integers(0, 6), edits=damage, cut=st.one_of(st.none(), st.integers(0, 34816)),
       no_header=st.booleans())
def test_damaged_files_never_traceback(tmp_path_factory: pytest.TempPathFactory, fmt: int,
                                       edits: list[tuple[int, int, str, bytes]],
                                       cut: int | None, no_header: bool) -> None:
    """Truncation, zeroed ranges, garbage and bit flips anywhere (header, checkpoints, blocks):
    ``inspect`` reports (exit 0 or 1) or refuses the input in one line (exit 2), never raises."""
    folder = tmp_path_factory.mktemp("damaged")
    path = _synthetic(fmt, folder)
    data = bytearray(path.read_bytes())
    if no_header:   # the forensic path, then more damage on top
        data[:512] = bytes(512)
    for at, length, how, noise in edits:
        end = min(len(data), at + length)
        if how == "zero":
            data[at:end] = bytes(end - at)
        elif how == "garbage":
            fill = noise or b"\xff"
            data[at:end] = bytes(fill[i % len(fill)] for i in range(end - at))
        else:
            data[at] ^= 0x80
    if cut is not None:
        del data[cut:]
    path.write_bytes(bytes(data))
    try:
        for report in inspect_path(path):
            report.to_json()
            json.dumps(report.to_json())
    except InspectError:
        pass
    assert main(["inspect", str(path)]) in (0, 1, 2)
