"""Ctrl-C on every long command: real SIGINTs at random moments.

Each long ``redospec`` subcommand is started as a child process in its own session and sent
SIGINT after a random delay, sometimes to the process alone and sometimes to its whole process
group (what a terminal's Ctrl-C does). It must stop within a second or so, exit 130, print one
``redospec NAME: interrupted; ...`` line saying what was done, print no traceback and no
Hypothesis "@seed(...)" advice, and never a result (no verdict, no kill rate, no "no failures").
``workload`` must leave a consistent log that recovery reads (RC-1..RC-4). The delays are drawn
from a fixed seed per test so a failure names the delay that broke it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STOP_WITHIN_S = 3.0
"""A second to stop, plus slack for interpreter exit on a loaded 2-core machine (measured: 0.03
to 0.3 s from SIGINT to exit when the machine is idle; a command that ignored Ctrl-C would run
on for many seconds, as these commands run for minutes)."""

RESULT_WORDS = ("kill rate", "no failures", "verdict:", "check: OK", "check: FAILED",
                '"verdict"', "all as expected\n", "groups committed by")


def interrupt(args: list[str], delay: float, group: bool, cwd: Path = REPO) -> tuple[int, str,
                                                                                     str, float]:
    """Run ``redospec ARGS``, SIGINT it after ``delay`` s; (status, stdout, stderr, seconds to
    stop). ``group`` sends it to the process group, as a terminal does."""
    proc = subprocess.Popen([sys.executable, "-m", "redospec", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    time.sleep(delay)
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"redospec {' '.join(args)}: still running 30 s after SIGINT at {delay:.2f} s")
    return proc.returncode, out, err, time.monotonic() - sent


def assert_interrupted(name: str, args: list[str], delay: float, group: bool,
                       status: int, out: str, err: str, seconds: float) -> str:
    where = f"redospec {' '.join(args)} interrupted at {delay:.2f} s (group={group})"
    if status == 0 and "interrupted" not in err:
        return ""   # finished before the signal: nothing to check (rare with these delays)
    assert status == 130, f"{where}: exit {status}\nstdout: {out[-800:]}\nstderr: {err[-1500:]}"
    assert seconds < STOP_WITHIN_S, f"{where}: took {seconds:.2f} s to stop"
    assert "Traceback" not in err and "Traceback" not in out, f"{where}:\n{err[-2000:]}"
    assert "@seed(" not in err + out, f"{where}: Hypothesis advice for an interrupt:\n{err}"
    lines = [line for line in err.splitlines() if f"redospec {name}: interrupted" in line]
    assert len(lines) == 1, f"{where}: want one 'interrupted' line:\n{err[-1500:]}"
    for word in RESULT_WORDS:
        assert word not in out, f"{where}: printed a result ({word!r}) after an interrupt:\n{out}"
    return lines[0]


def delays(seed: int, n: int, low: float, high: float) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(low, high) for _ in range(n)]


@pytest.mark.parametrize("delay", delays(1, 3, 1.2, 6.0))
def test_mutants_interrupted_counts_nothing(delay: float) -> None:
    """An interrupted mutant is never reported caught; status 130."""
    args = ["mutants"]
    status, out, err, seconds = interrupt(args, delay, group=delay > 3)
    line = assert_interrupted("mutants", args, delay, delay > 3, status, out, err, seconds)
    assert "is not counted" in line or "nothing had finished" in line, line
    assert "FlakyStrategyDefinition" not in out + err


@pytest.mark.parametrize("delay", delays(2, 3, 1.2, 6.0))
def test_fuzz_interrupted_reports_no_result(delay: float, tmp_path: Path) -> None:
    args = ["fuzz", "--minutes", "1", "--db", str(tmp_path / "db")]
    status, out, err, seconds = interrupt(args, delay, group=delay < 3)
    line = assert_interrupted("fuzz", args, delay, delay < 3, status, out, err, seconds)
    assert "fuzzed" in line and "examples run" in line, line
    assert "gc_callback" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize("crash", [False, True])
@pytest.mark.parametrize("delay", delays(3, 2, 1.0, 3.0))
def test_workload_interrupted_leaves_a_consistent_log(delay: float, crash: bool,
                                                      tmp_path: Path) -> None:
    """The files are closed cleanly (or are a crash image) and recover (RC-1..RC-4)."""
    from impl.recovery import recover
    from impl.redolog import RedoLog

    target = tmp_path / "log"
    args = ["workload", "--dir", str(target), "--groups", "500000", "--seed", "1",
            *(["--crash"] if crash else [])]
    status, out, err, seconds = interrupt(args, delay, group=crash)
    line = assert_interrupted("workload", args, delay, crash, status, out, err, seconds)
    assert "consistent" in line and "RedoLog.open" in line, line
    committed = int(line.split("interrupted; ")[1].split(" of ")[0])
    report = recover(target)   # raises on files that are not a consistent log
    if committed:
        assert report.pages and report.end_lsn > report.checkpoint.lsn, report.summary()
    if not crash:   # closed cleanly: the scan ends at the end of the log, not at damage
        assert "checksum" not in report.stop_reason and "hdr_no" not in report.stop_reason
    RedoLog.open(target, threads=False).close()


@pytest.mark.parametrize(("args", "delay"), [
    (["explore", "--preset", "small"], 2.5),
    (["explore", "--preset", "innodb", "--walks", "1000", "--depth", "400"], 1.5),
    (["prove", "--jobs", "2"], 2.0),
    (["check", "--only", "explore", "--only", "conformance"], 2.5),
])
def test_long_commands_interrupted(args: list[str], delay: float) -> None:
    group = args[0] != "check"   # check: its child must be stopped by the parent too
    status, out, err, seconds = interrupt(args, delay, group=group)
    line = assert_interrupted(args[0], args, delay, group, status, out, err, seconds)
    assert "no verdict" in line, line


def test_inspect_interrupted(tmp_path: Path) -> None:
    """Many files: the line says how many were read; no report is printed."""
    from impl.logfiles import LogFiles
    from impl.storage import DirStore

    LogFiles.create(DirStore(tmp_path), n_files=2, file_size=64 << 20, start_lsn=8192)
    status, out, err, seconds = interrupt(["inspect", *[str(tmp_path)] * 40], 1.5, group=True)
    line = assert_interrupted("inspect", ["inspect", "..."], 1.5, True, status, out, err, seconds)
    assert "paths read" in line, line
