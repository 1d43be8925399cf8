"""Wake-ups and progress (conformance/liveness.py): the event-only scheduler and the threaded
watchdog.

With ``LogConfig(event_only=True)`` nothing waits with a timeout, so a lost wake-up (WR-8,
FL-2, NT-4, USR-7) is a hang, not a delay: SYS-3 ("every waiter is eventually woken") becomes
checkable on the implementation. Each test that expects a failure applies a realistic seeded
bug from the catalog.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance import liveness, mutants
from conformance.checks import ConformanceFailure
from conformance.mutant_catalog import MUTANTS
from conformance.report import recording

BY_NAME = {m.name: m for m in MUTANTS}
WORKLOAD = [[(200, True)] * 3, [(300, True), (60, False), (250, True)]]


def test_liveness_check_passes_and_exercises_the_wake_ups() -> None:
    """SYS-3, USR-7, NT-4: every run of the CI profile finishes under event-only scheduling;
    the runs wake waiters, take spurious wake-ups and fill the log (log_free_check waits)."""
    got = liveness.run(settings()).liveness
    assert got["runs"] >= 10 and got["waits woken"] > got["runs"]
    assert got["spurious wake-ups"] > 0
    assert got["free-check waits woken"] > 0, dict(got)


def test_a_lost_wake_up_is_reported_in_words() -> None:
    """A writer that forgets the flusher's event: the scheduler reaches a state where nothing
    can run and names the waiter, its lsn, and every thread's wait."""
    failures = []
    with mutants.applied(BY_NAME["writer_forgets_flusher_event"]):
        for seed in range(20):  # some schedules let a user's kick rescue the flusher
            try:
                liveness.run_schedule(liveness.liveness_config(), WORKLOAD, seed=seed,
                                      spurious_budget=0)
            except ConformanceFailure as exc:
                failures.append(exc)
    assert failures, "no schedule of 20 got stuck"
    caught = pytest.ExceptionInfo.from_exc_info((type(failures[0]), failures[0], None))
    assert caught.value.check == "liveness: stuck"
    text = str(caught.value)
    assert "waits for flush of lsn" in text
    assert "but nothing can make progress" in text
    assert "flusher waits on flusher_event" in text


def test_spurious_wake_ups_are_harmless() -> None:
    """USR-7: waiters re-check after every wake-up, so spurious ones change no outcome."""
    for seed in range(5):
        liveness.run_schedule(liveness.liveness_config(), WORKLOAD, seed=seed,
                              spurious_budget=50)


def test_event_only_threads_finish_under_the_watchdog() -> None:
    """Real threads, event_only (no timeout anywhere), three users filling the log several
    times: every commit returns (watchdog 5 s)."""
    workload = [[(150 + 40 * u, True)] * 25 for u in range(3)]
    counters = liveness.run_threaded(liveness.liveness_config(), workload, watchdog_s=5.0)
    assert counters["commits"] == 75
    # the log fills: log_free_check or the reservation's free-check margin waited
    full_waits = counters["free_check_waits"] + counters["reserve_capacity_waits"]
    assert counters["checkpoints"] > 0 and full_waits > 0, counters


def test_watchdog_names_the_hung_waiter() -> None:
    """Teeth of the threaded mode: a writer that forgets the flusher's event leaves a durable
    commit waiting forever once the flusher has gone to sleep first; the watchdog reports the
    waiter and the event it waits on."""
    workload = [[(100, True)] * 40]
    with (mutants.applied(BY_NAME["writer_forgets_flusher_event"]),
          pytest.raises(ConformanceFailure) as caught):
        liveness.run_threaded(liveness.liveness_config(), workload, watchdog_s=1.0)
    assert caught.value.check == "liveness: hang"
    text = str(caught.value)
    assert "user 0 commit" in text and "flush_events[" in text and "wait_for_flush(" in text


def test_event_only_is_validated_and_off_by_default() -> None:
    """The mode is a bool, off by default (the threaded log keeps its timeouts)."""
    from impl.config import LogConfig
    from impl.errors import ConfigError

    assert LogConfig().event_only is False
    with pytest.raises(ConfigError, match="event_only"):
        LogConfig(event_only=1)  # type: ignore[arg-type]


def test_a_durable_commit_behind_a_bulk_loader_is_not_stuck() -> None:
    """SYS-3: a false stuck state the liveness check reported once it drew bulk loaders (users
    who never wait for flush): user 2's durable commit waits behind groups whose links the bulk
    loaders added after the writer's last pass, and nothing wakes the writer. MySQL's writer
    finds such links by polling; the scheduler keeps that one poll (the writer is woken once
    when nothing can run), and the run must finish with the writer polled."""
    workload = [[(50, False), (87, False), (279, False), (113, False)],
                [(50, False)] * 10 + [(69, False)],
                [(273, False), (400, True), (50, False), (50, True), (50, True), (50, True)]]
    with recording() as report:
        liveness.run_schedule(liveness.liveness_config("buffer"), workload, seed=0,
                              spurious_budget=3)
    assert report.liveness["writer polls"] > 0
