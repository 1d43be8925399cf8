"""Fuzz campaigns with real components: worker processes, a real Redis server, seeded bugs
(``conformance/mutant_catalog.py``) applied inside the workers, real signals.

Each campaign runs as ``python -m redospec fuzz`` in its own process, as a user runs it.
The seeded bugs ``write_ahead_padding_missing`` (WR-6: the writer does not pad the rest of a
write-ahead region) and ``v90_report_added_without_advance`` (CP-1) are caught within a few
examples, and shrinking is bounded (``--shrink-seconds``), so a campaign finds them in seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.campaign.conftest import RedisServer

REPO = Path(__file__).resolve().parent.parent.parent
MUTANT = "write_ahead_padding_missing"
CAUGHT_BY = "invariant wr6_write_ahead"


def fuzz(*args: str) -> list[str]:
    return [sys.executable, "-m", "redospec", "fuzz", *args]


def run(cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def workers_of(pid: int) -> list[int]:
    """The worker processes of the campaign ``pid``: its children started by multiprocessing's
    ``spawn`` (not its resource tracker), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (not gone and not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def primary_entries(server: RedisServer) -> dict[bytes, int]:
    """Hypothesis's primary keys in Redis (the failing examples, one key per test) and how
    many examples each holds."""
    client = server.client()
    return {key: client.scard(key) for key in client.keys(b"hypothesis-example:*")
            if not key.endswith((b".secondary", b".pareto"))}


V90_MUTANT = "v90_report_added_without_advance"
V90_CAUGHT_BY = "abstraction recent_closed.tail"


def test_two_workers_find_a_seeded_bug_stored_once_in_redis_replayed_by_a_third_process(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Two workers fuzz the 9.0 and 8.0 stepped checks with a seeded 9.0 bug (the tracker's
    report_added does not advance: CP-1) against Redis. Worker 0 starts on v90 and finds it;
    worker 1 starts on the 8.0 machine, which the bug does not touch, and meets the failure in
    Redis when it gets to v90. The failure is printed once (with its schedule and replay
    command), stored once, and a separate process replays it from Redis; the JSON, JUnit and
    HTML reports say the same."""
    out = tmp_path / "r"
    done = run(fuzz("--workers", "2", "--minutes", "0.35", "--db", redis_server.url,
                    "--target", "v90", "--target", "stepped", "--mutant", V90_MUTANT,
                    "--shrink-seconds", "3", "--interval", "1", "--report", f"{out}.json",
                    "--junit", f"{out}.xml", "--html", f"{out}.html"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count(f"\nFAILED v90: {V90_CAUGHT_BY}") == 1, done.stdout
    assert "shrunk schedule:\n  " in done.stdout and "state = Machine90()" in done.stdout
    replay = f"fuzz --replay --db {redis_server.url} --target v90 --mutant {V90_MUTANT}"
    assert replay in done.stdout
    progress = [line for line in done.stderr.splitlines() if line.startswith("fuzz 0:")]
    assert progress and "2/2 workers" in progress[0] and "examples (" in progress[0]

    stored = primary_entries(redis_server)
    assert sum(stored.values()) == 1, stored   # one example, whichever worker met it

    third = run([sys.executable, "-m", "redospec", *replay.split()])
    assert third.returncode == 1, third.stdout + third.stderr
    assert f"STILL FAILS v90: {V90_CAUGHT_BY}" in third.stdout
    assert "1 of 1 checks still fail" in third.stdout

    report = json.loads(Path(f"{out}.json").read_text())
    assert report["workers"] == 2 and report["examples"] > 0
    assert report["examples"] == sum(c["examples"] for c in report["checks"].values())
    assert report["checks"]["stepped"]["failures"] == []
    [failure] = report["checks"]["v90"]["failures"]
    assert failure["what"] == V90_CAUGHT_BY and replay in failure["replay"]
    assert report["samples"] and all(s["examples"] <= report["examples"]
                                     for s in report["samples"])
    assert report["action_coverage"]["stepped"]["writer_write"] > 0
    suite = ET.parse(f"{out}.xml").getroot()
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"v90", "stepped"} and suite.get("failures") == "1"
    assert cases["stepped"].find("failure") is None
    assert V90_CAUGHT_BY in (cases["v90"].find("failure").get("message")  # type: ignore[union-attr]
                             or "")
    page = Path(f"{out}.html").read_text()
    assert "<svg" in page and V90_CAUGHT_BY in page and "http" not in page.split("<svg", 1)[0]


def test_redis_stopped_mid_campaign_stops_the_workers_and_keeps_local_results(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Layered database (a folder in front of Redis): the seeded bug is found and saved (by
    whichever check catches it first), then Redis is stopped while the other checks run; the
    campaign says so in one line and ends (status 1), no worker is left, and the local folder
    still replays the failure."""
    local = tmp_path / "local"
    proc = subprocess.Popen(
        fuzz("--workers", "2", "--minutes", "2", "--db", f"{local}+{redis_server.url}",
             "--target", "stepped", "--target", "crash", "--target", "wrap", "--mutant", MUTANT,
             "--shrink-seconds", "3", "--interval", "0.5"),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:   # until the failure is reported (it is saved by then)
            lines.append(line)
            if line.startswith("replay with:"):
                break
        [found] = [line.split()[1].rstrip(":") for line in lines if line.startswith("FAILED ")]
        assert CAUGHT_BY in "".join(lines), lines
        workers = workers_of(proc.pid)
        assert len(workers) == 2, workers
        redis_server.stop()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert "database lost" in out, out
    [line] = [x for x in err.splitlines() if "example database stopped answering" in x]
    assert f"also in {local}" in line and "Traceback" not in err
    assert not [pid for pid in workers if alive(pid)]

    replay = run(fuzz("--replay", "--db", str(local), "--target", found, "--mutant", MUTANT))
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert f"STILL FAILS {found}: {CAUGHT_BY}" in replay.stdout


def _start(tmp_path: Path, minutes: str = "2") -> tuple[subprocess.Popen[str], list[int]]:
    """A campaign with two workers, once both workers are running checks."""
    proc = subprocess.Popen(
        fuzz("--workers", "2", "--minutes", minutes, "--db", str(tmp_path / "db"),
             "--target", "stepped", "--interval", "0.5"),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("fuzz 0:") and " 0 examples" not in line:
            break
    workers = workers_of(proc.pid)
    assert len(workers) == 2, workers
    return proc, workers


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end and [p for p in pids if alive(p)]:
        time.sleep(0.02)
    return [p for p in pids if alive(p)]


def test_ctrl_c_stops_every_worker(tmp_path: Path) -> None:
    """SIGINT to the parent: status 130, one 'interrupted' line saying what was run, every
    worker process gone (5 s is only a guard against a hang)."""
    proc, workers = _start(tmp_path)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert not _gone_within(workers, 1.0)
    [line] = [x for x in err.splitlines() if "redospec fuzz: interrupted" in x]
    assert "examples run: stepped" in line and "Traceback" not in err
    assert "no failures" not in out


def test_a_killed_parent_leaves_no_worker(tmp_path: Path) -> None:
    """SIGKILL to the parent (no clean-up runs): the workers die with it."""
    proc, workers = _start(tmp_path)
    proc.kill()
    proc.wait()
    try:
        assert not _gone_within(workers, 5.0)
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_that_dies_fails_the_campaign(tmp_path: Path) -> None:
    """A worker killed from outside: the other one runs on to the end, and the campaign says
    which worker died and exits 1 instead of reporting 'no failures'."""
    proc, workers = _start(tmp_path, minutes="0.2")
    os.kill(workers[0], signal.SIGKILL)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, out + err
    assert re.search(r"^redospec fuzz: worker [01] died \(exit status -9\)$", err, re.M), err
    assert "no failures" not in out and "time is up" in out
