"""``redospec inspect`` end to end: JSON shape, human output and exit status (0 / 1 / 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from impl.cli import main
from tests.impl import redofiles as rf

BLOCK_KEYS = {"data", "full", "partial", "padding", "empty", "flush_bit", "bad_checksum",
              "hdr_no_mismatch"}  # fmt: skip


def test_json_on_fixtures(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The --json contract: files[] with path, format, creator, start_lsn, checkpoints, blocks."""
    rc = main(["inspect", "--json", str(fixtures_dir / "mysql-8.0.19-clean"),
               str(fixtures_dir / "mysql-8.0.30-redo" / "#ib_redo33")])  # fmt: skip
    assert rc == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [Path(f["path"]).name for f in files] == ["ib_logfile0", "ib_logfile1", "#ib_redo33"]
    for entry in files:
        assert {"path", "format", "creator", "start_lsn", "checkpoints", "blocks"} <= set(entry)
        assert set(entry["blocks"]) >= BLOCK_KEYS
        for cp in entry["checkpoints"]:
            assert {"slot", "valid", "checkpoint_no", "lsn", "offset"} <= set(cp)
    file0, file1, redo = files
    cps = [(c["slot"], c["checkpoint_no"], c["lsn"], c["offset"]) for c in file0["checkpoints"]]
    assert cps == [(1, 36, 19948536, 3173368), (2, 37, 19948816, 3173648)]
    assert (file0["blocks"]["data"], file0["blocks"]["partial"], file0["blocks"]["flush_bit"]) == (
        8179, 1, 1318)  # fmt: skip
    assert (file1["start_lsn"], file1["blocks"]["data"]) == (12584960, 8188)
    assert (redo["format"], redo["start_lsn"], redo["flags"], redo["blocks"]["data"]) == (
        6, 108075008, 0, 6108)  # fmt: skip
    assert sorted(c["lsn"] for c in redo["checkpoints"]) == [111201949, 111202108]


def test_human_output(fixtures_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(fixtures_dir / "mysql-8.0.30-redo")]) == 0
    out = capsys.readouterr().out
    assert "format 6" in out and "start_lsn 108075008" in out
    assert "6108 data" in out and "lsn 111201949" in out


def test_corruption_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = 8192
    blocks = [rf.data_block(6, start + i * 512) for i in range(4)]
    blocks[2] = rf.data_block(6, start + 40 * 512)
    (tmp_path / "#ib_redo0").write_bytes(rf.build(6, start, blocks, 8192))
    assert main(["inspect", "--json", str(tmp_path)]) == 1
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert entry["blocks"]["hdr_no_mismatch"] == 1
    problem = entry["problems"][0]
    assert (problem["kind"], problem["offset"], problem["lsn"]) == (
        "hdr_no_mismatch", 2048 + 1024, start + 1024)  # fmt: skip
    assert problem["detail"] == "hdr_no 57, expected 19"  # 8192/512+40+1 and 8192/512+2+1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope", "no such file or directory"),
        (lambda p: (p / "short").write_bytes(bytes(100)) and p / "short", "shorter than"),
        (
            lambda p: (p / "fmt").write_bytes(b"\x00\x00\x00\x07" + bytes(4092)) and p / "fmt",
            "unknown redo log format 7",
        ),
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object,
                                message: str) -> None:  # fmt: skip
    """A missing path, a short file, an unknown format: one line on stderr, exit 2."""
    path = make(tmp_path)  # type: ignore[operator]
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("redospec inspect: ")


def test_dispatcher_and_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """redospec's dispatcher routes 'inspect' here; unknown impl subcommands exit 2."""
    from redospec.cli import main as redospec_main

    assert redospec_main(["inspect", "/nonexistent/path"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["inspect", "--help"]) == 0
    assert "Exit status" in capsys.readouterr().out


def test_workload_is_dispatched_to_impl_workload(monkeypatch: pytest.MonkeyPatch) -> None:
    """python -m impl hands 'workload' to impl.workload's configure and run (the subcommand
    convention of redospec.command): its arguments parsed, its status returned."""
    import argparse
    import sys
    import types

    seen: list[argparse.Namespace] = []
    fake = types.ModuleType("impl.workload")

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dir")
        parser.add_argument("--crash", action="store_true")

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    fake.configure = configure  # type: ignore[attr-defined]
    fake.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "impl.workload", fake)
    assert main(["workload", "--dir", "x", "--crash"]) == 7
    assert [(a.dir, a.crash) for a in seen] == [("x", True)]


def test_python_dash_m_impl(fixtures_dir: Path) -> None:
    """``python -m impl inspect`` works as a separate process with the documented exit status."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "impl", "inspect", str(fixtures_dir / "mysql-8.0.30-redo")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "6108 data" in done.stdout


def test_impl_help_lists_both_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m impl --help`` says what inspect and workload do, on stdout, status 0;
    no arguments at all is a usage error (status 2) on stderr."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "inspect " in out and "workload " in out and "redo log" in out
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_dispatcher_turns_ctrl_c_into_one_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C during a long run (explore, check) is 'interrupted' and status 130 (128+SIGINT),
    not a traceback from deep inside the model."""
    import sys
    import types

    from redospec import cli as dispatcher

    fake = types.ModuleType("fake_part")

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    fake.configure = lambda parser: None  # type: ignore[attr-defined]
    fake.run = interrupted  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_part", fake)
    monkeypatch.setitem(dispatcher.SUBCOMMANDS, "explore", ("fake_part", "x"))
    assert dispatcher.main(["explore"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "redospec explore: interrupted"


def test_closed_pipe_is_not_a_traceback() -> None:
    """``redospec prove --list | head -1``: once the reader has gone, no BrokenPipeError
    traceback on stderr (status 141 = 128+SIGPIPE, like a shell tool)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "redospec", "prove", "--list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()   # before the child has imported z3 and printed anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err


def test_a_parent_of_datadirs_names_them(fixtures_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """``redospec inspect /work/shared/fixtures`` (a folder of datadirs, the first thing a new
    user tries) is still unusable input (2), but the message names the subdirectories that
    hold redo files: the 8.0.19 group of ib_logfile* and the 8.0.30 #ib_redo file."""
    assert main(["inspect", str(fixtures_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    names = err.split("name one: ", 1)[1].split(", ")
    assert "mysql-8.0.19-clean" in names and "mysql-8.0.30-redo" in names


def test_an_empty_directory_gets_no_hint(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty-sub").mkdir()
    assert main(["inspect", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("#innodb_redo/)") and "name one" not in err


def test_header_only_file_is_reported_truncated(fixtures_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """FMT-9: a log file is a header *and* blocks; the first 2048 bytes of the 8.0.19 fixture
    alone have valid checkpoints pointing past the end, so inspect must not call it clean."""
    head = (fixtures_dir / "mysql-8.0.19-clean" / "ib_logfile0").read_bytes()[:2048]
    (tmp_path / "ib_logfile0").write_bytes(head)
    assert main(["inspect", str(tmp_path / "ib_logfile0"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)["files"][0]
    assert [p["kind"] for p in report["problems"]] == ["size"]


def test_garbage_creator_is_escaped(fixtures_dir: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A creator string of control bytes must not reach the terminal raw (escape sequences)."""
    data = bytearray((fixtures_dir / "mysql-8.0.19-clean" / "ib_logfile0").read_bytes()[:8192])
    data[16:24] = b"\x1b[2J\x07ab"
    (tmp_path / "ib_logfile0").write_bytes(bytes(data))
    main(["inspect", str(tmp_path / "ib_logfile0")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x07ab" in out
