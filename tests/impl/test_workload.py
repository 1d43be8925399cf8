"""``redospec workload``: runs, crashes, recovers, checks; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from impl.logfiles import LogFiles
from impl.storage import DirStore
from impl.workload import main


def test_workload_without_crash_recovers_every_group(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """RC-4: a clean run: every committed group is in the recovered pages."""
    d = tmp_path / "log"
    assert main(["workload", "--dir", str(d), "--threads", "3", "--groups", "120",
                 "--seed", "5"]) == 0
    out, err = capsys.readouterr()
    assert "120 groups committed by 3 threads" in out
    assert "check: all 120 committed groups" in out
    assert "workload: 120/120 groups committed" in err  # progress
    files = LogFiles.open(DirStore(d))  # real, valid log files (FMT-9)
    assert files.n_files == 2 and all(c.valid for c in files.read_checkpoints()[:1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_workload_with_crash_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  seed: int) -> None:
    """RC-4 after a crash at a random point, reported as JSON; the files left are valid
    InnoDB-format files for ``redospec inspect`` (FMT-1..12): no bad checksum, no hdr_no
    mismatch, valid checkpoints."""
    d = tmp_path / "log"
    assert main(["workload", "--dir", str(d), "--threads", "4", "--groups", "150", "--seed",
                 str(seed), "--crash", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["problems"] == []
    assert result["crash"]["flushed_to_disk_lsn"] <= result["recovery"]["end_lsn"]
    assert result["recovery"]["stop_reason"]
    from impl.cli import main as impl_main

    assert impl_main(["inspect", str(d), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["format"] for f in files] == [3, 3]
    for f in files:
        assert f["blocks"]["bad_checksum"] == 0 and f["blocks"]["hdr_no_mismatch"] == 0, f
    assert any(c["valid"] for c in files[0]["checkpoints"])


def test_workload_9_0_tracker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CP-1 (9.0): the flush-list-added tracker variant runs the same workload."""
    assert main(["workload", "--dir", str(tmp_path / "l"), "--groups", "80", "--seed", "9",
                 "--version", "9.0"]) == 0
    assert "version 9.0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--threads", "0"], "--threads must be in 1..256"),
     (["--groups", "-3"], "--groups must be"),
     (["--threads", "x"], "invalid int value")],
)
def test_bad_input_exits_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          args: list[str], message: str) -> None:
    """Bad options exit with status 2 and a message naming the option."""
    assert main(["workload", "--dir", str(tmp_path / "d"), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_directory_holding_files_is_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The workload needs a fresh directory; anything else exits 2."""
    (tmp_path / "ib_logfile0").write_bytes(b"x")
    assert main(["workload", "--dir", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    f = tmp_path / "file"
    f.write_bytes(b"")
    assert main(["workload", "--dir", str(f)]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_an_uncreatable_or_empty_dir_is_bad_input(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A --dir that cannot be created (its parent is a file) or is empty exits 2 with
    one line naming --dir, not a bare "[Errno ...]" and not a run in the current directory."""
    parent = tmp_path / "file"
    parent.write_bytes(b"")
    assert main(["workload", "--dir", str(parent / "sub"), "--groups", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"redospec workload: --dir {parent / 'sub'}: cannot create it")
    assert "Errno" not in err and len(err.strip().splitlines()) == 1
    assert main(["workload", "--dir", "", "--groups", "5"]) == 2
    assert "--dir is empty" in capsys.readouterr().err


def test_progress_lines_count_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Progress on stderr names the committed groups in
    increasing order even with many threads (they were printed outside the lock)."""
    assert main(["workload", "--dir", str(tmp_path / "d"), "--threads", "8", "--groups", "40",
                 "--seed", "3"]) == 0
    counts = [int(line.split()[1].split("/")[0]) for line in capsys.readouterr().err.splitlines()
              if "groups committed, lsn" in line]
    assert counts == list(range(4, 41, 4))
