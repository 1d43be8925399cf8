"""A newcomer's first hour: the odd inputs and outputs a new user met, each kept fixed.

Bad input is one line and exit status 2 (never a traceback); ``--version`` works; a fresh log's
first checkpoint carries the log buffer size as MySQL's does (FMT-10); ``workload --crash``
explains recovered groups that were not acknowledged; benchmarks leave the committed results
alone unless asked; help texts speak the user's language, not the project's internal notes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from redospec.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    for flag in ("--version", "-V"):
        assert run([flag], capsys)[:2] == (0, f"redospec {version}\n")


@pytest.mark.parametrize(("args", "words"), [
    (["explore", "--preset", "tiny", "--max-states", "0"], "--max-states 0: must be at least 1"),
    (["explore", "--preset", "innodb", "--walks", "0"], "--walks 0: must be at least 1"),
    (["explore", "--preset", "tiny", "--set", "n_files=1"], "--set n_files=1: with it, the "
                                                            "preset's file_size=128 breaks"),
])
def test_bad_input_is_one_line(args: list[str], words: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(args, capsys)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert words in err, err


def test_set_error_names_what_the_user_set(capsys: pytest.CaptureFixture[str]) -> None:
    """The message leads with the field the user changed and says what to change; a field the
    user set themselves is still named directly."""
    err = run(["explore", "--preset", "tiny", "--set", "n_files=1"], capsys)[2]
    assert err.index("n_files=1") < err.index("file_size=128")
    assert "change n_files back, or also --set file_size=" in err
    err = run(["explore", "--preset", "tiny", "--set", "file_size=100"], capsys)[2]
    assert "invalid Params: file_size=100" in err


def test_replay_file_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "trace.bin"
    bad.write_bytes(b"user_reserve(\xff\xfe)")
    status, out, err = run(["explore", "--preset", "tiny", "--replay-file", str(bad)], capsys)
    assert out == ""
    assert status == 2 and "not UTF-8 text (byte 0xff at offset 13)" in err
    assert len(err.strip().splitlines()) == 1


def test_first_checkpoint_records_the_buffer_size(tmp_path: Path) -> None:
    """FMT-10: each checkpoint block holds the log buffer size, the first one included (MySQL's
    log_create_first_checkpoint writes it through log_files_write_checkpoint)."""
    from impl.config import LogConfig
    from impl.inspect import inspect_file
    from impl.redolog import RedoLog

    config = LogConfig(log_buffer_size=64 * 1024)
    RedoLog.create(tmp_path, config, threads=False).close()
    cp1 = inspect_file(tmp_path / "ib_logfile0").checkpoints[0]
    assert cp1["valid"] and cp1["checkpoint_no"] == 0 and cp1["buf_size"] == 64 * 1024


def test_workload_crash_explains_unacknowledged_groups(tmp_path: Path) -> None:
    """Groups recovered beyond those acknowledged are explained, and the check still holds."""
    seen = False
    for seed in (3, 4, 5):
        done = subprocess.run(
            [sys.executable, "-m", "redospec", "workload", "--dir", str(tmp_path / str(seed)),
             "--threads", "8", "--groups", "1500", "--crash", "--seed", str(seed)],
            capture_output=True, text=True, timeout=120, cwd=REPO)
        assert done.returncode == 0, done.stderr
        extra = re.search(r"recovery found (\d+) group\(s\) more than were acknowledged",
                          done.stdout)
        if extra:
            seen = True
            assert "commit calls had not returned yet" in done.stdout
        assert "check: all" in done.stdout
        if seen:
            break
    assert seen, "no run recovered an unacknowledged group; the note was never shown"


def test_benchmarks_leave_committed_results_alone(tmp_path: Path) -> None:
    results = REPO / "bench" / "RESULTS-commit.md"
    before = results.read_bytes()
    out = tmp_path / "commit.md"
    done = subprocess.run(
        [sys.executable, "bench/commit.py", "--threads", "1", "--seconds", "0.2", "--rounds",
         "1", "--dir", str(tmp_path), "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "| threads | pipeline commits/s" in done.stdout
    assert out.read_text().startswith("# Durable commits")
    assert results.read_bytes() == before


INTERNAL = re.compile(r"\(issue|issue \d|facts §|§\d|\bitem \d|decision \d|seed 00\d")


def test_help_texts_use_the_users_words() -> None:
    """No internal notes ("(issue: ...)", "facts §7.1", "item 6", "decision 6") in --help."""
    commands = [[sys.executable, "-m", "redospec", name, "--help"]
                for name in ("explore", "prove", "inspect", "workload", "check", "fuzz",
                             "mutants")]
    commands += [[sys.executable, "-m", "bench.explore", "--help"],
                 [sys.executable, "bench/commit.py", "--help"],
                 [sys.executable, "bench/conformance.py", "--help"]]
    for cmd in commands:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=REPO)
        assert done.returncode == 0, (cmd, done.stderr)
        assert not INTERNAL.search(done.stdout), (cmd[2:], INTERNAL.findall(done.stdout))


def test_readme_opens_with_what_and_for_whom() -> None:
    """Two sentences of what this is and who it is for come before the two set-up commands,
    which stay the README's first commands."""
    text = (REPO / "README.md").read_text()
    intro, _, rest = text.partition("```bash\n")
    assert "for engineers" in intro and "redo log" in intro
    first = rest.splitlines()[0]
    assert first.startswith('"$(.ci/python)" -m venv .venv') and "redospec check" in first


def test_ci_python_finds_a_python_311_or_newer(tmp_path: Path) -> None:
    """.ci/python (used by .ci/run and the README's first command) skips a Python that is too
    old and says so in one line when there is none."""
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")   # answers the version check like Python 3.8 would
    old.chmod(0o755)
    found = subprocess.run(["/bin/bash", str(REPO / ".ci" / "python")], capture_output=True,
                           text=True, env={"PATH": str(tmp_path), "PYTHON": str(old)})
    assert found.returncode == 1 and "needs Python >= 3.11" in found.stderr
    assert len(found.stderr.strip().splitlines()) == 1
    found = subprocess.run([str(REPO / ".ci" / "python")], capture_output=True, text=True,
                           env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                                "PYTHON": str(old)})
    assert found.returncode == 0, found.stderr
    version = subprocess.run([found.stdout.strip(), "-c",
                              "import sys; print(sys.version_info >= (3, 11))"],
                             capture_output=True, text=True)
    assert version.stdout.strip() == "True"
