"""Part 3 of the campaign: SIGKILL a real workload process (RC-4, FL-1), with teeth."""

from __future__ import annotations

import json
import random
from pathlib import Path

from faults import kills
from faults.common import Deadline, Tally


def test_two_kills_lose_nothing(tmp_path: Path) -> None:
    """RC-4, FL-1, USR-6: two SIGKILLed 8-thread workloads keep every streamed ack."""
    tally = Tally()
    kills.run(tally, kills=2, threads=8, seed=5, deadline=Deadline(120), workdir=tmp_path,
              max_delay=0.3)
    assert tally.failures == []
    assert tally.process_kills == 2
    assert tally.notes["kill_acks_checked"] > 0


def _killed_dir(tmp_path: Path) -> tuple[Path, list[tuple[int, list[tuple[int, bytes]]]]]:
    """Run one child, kill it, keep its directory and acks (copying one_kill's first half)."""
    import signal
    import subprocess
    import sys
    import time

    directory, acks_path = tmp_path / "log", tmp_path / "acks"
    child = subprocess.Popen([sys.executable, "-m", "impl", "workload", "--dir", str(directory),
                              "--threads", "4", "--groups", "1000000", "--seed", "3",
                              "--ack-file", str(acks_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not (acks_path.exists() and acks_path.stat().st_size > 2000):
            assert child.poll() is None
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    return directory, kills.read_acks(acks_path)


def test_teeth_an_ack_the_disk_does_not_hold_is_caught(tmp_path: Path) -> None:
    """RC-4: an acknowledgement beyond what recovery finds (as a log acking before its fsync would
    stream) is counted as lost; so is a right lsn with a wrong payload."""
    directory, acks = _killed_dir(tmp_path)
    assert acks
    tally = Tally()
    assert kills.judge_kill(tally, "real", directory, acks)
    end, records = acks[-1]
    fake = [*acks, (end + 10_000_000, records)]
    assert not kills.judge_kill(tally, "fake lsn", directory, fake)
    wrong = [*acks, (end, [(records[0][0], b"t9g9p%d:not-this" % records[0][0])])]
    assert not kills.judge_kill(tally, "fake payload", directory, wrong)
    assert tally.acknowledged_lost == 2


def test_read_acks_ignores_a_cut_last_line(tmp_path: Path) -> None:
    """A kill during the ack write leaves a cut last line, which is not an acknowledgement."""
    path = tmp_path / "a"
    path.write_text(json.dumps({"end": 9000, "records": [[1, "t0g0p1:"]]}) + "\n{\"end\": 9")
    assert kills.read_acks(path) == [(9000, [(1, b"t0g0p1:")])]
    assert kills.read_acks(tmp_path / "missing") == []
    random.Random(0)
