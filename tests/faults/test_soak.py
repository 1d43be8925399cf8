"""Part 5 of the campaign: the soak (SYS-3, WR-9, RC-4), with teeth for the hang watchdog."""

from __future__ import annotations

from pathlib import Path

from faults import soak
from faults.common import Tally


def test_short_soak_fills_the_log_without_hangs(tmp_path: Path) -> None:
    """SYS-3, WR-9, RC-4: 16 threads against a slowed checkpointer: full log, no hang."""
    tally = Tally()
    soak.run(tally, seconds=3.0, threads=16, interval=1.0, workdir=tmp_path)
    assert tally.failures == []
    assert len(tally.soak) >= 2
    assert all(row["commits"] > 0 for row in tally.soak)
    assert tally.notes["soak"]["log_full_waits"] > 0  # the slowed checkpointer made it fill


def test_teeth_a_commit_waiting_too_long_is_reported_as_a_hang(tmp_path: Path) -> None:
    """SYS-3: a checkpointer slowed to 0.4 s per checkpoint against a 0.05 s bound: reported."""
    tally = Tally()
    soak.run(tally, seconds=2.0, threads=8, interval=0.5, workdir=tmp_path,
             hang_after_s=0.05, checkpoint_delay_s=0.4)
    assert tally.hangs > 0
    assert "waited" in tally.failures[0]


def test_p99() -> None:
    """The nearest-rank 99th percentile."""
    assert soak.p99([]) == 0.0
    assert soak.p99([float(i) for i in range(1, 101)]) == 100.0
    assert soak.p99([1.0, 2.0]) == 2.0
