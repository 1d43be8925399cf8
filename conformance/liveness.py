"""Wake-ups and progress: every actor runs only when its event was signalled (the check
``liveness``).

In the threaded log a background thread waits on its event *with a timeout*, so a wake-up that
is lost (a producer that forgets to set the event, a consumer that resets it after checking)
only costs a timeout and no check sees it. Here the log runs in ``event_only`` mode
(``LogConfig(event_only=True)``: no timeouts, no periodic checkpoint or page cleaning) and in
stepped mode, and a scheduler runs the *same code* the threads run, one point at a time:

* each background thread is its loop :func:`impl.threads.actor_loop` (step while there is work,
  reset the event, step once more, wait), from :meth:`RedoLog.actor_loops`;
* each user runs :meth:`RedoLog.commit_steps` for its groups (log_free_check, reserve, copy,
  link, add dirty pages, close, wait for flush), the generator behind ``RedoLog.commit``.

Both yield their blocking points: a :class:`~impl.threads.Wait` (wait on an event for a signal
since the reset that returned ``count``), a :class:`~impl.threads.Sleep` (MySQL's polling sleep
for link-buffer space), or a preemption point. The scheduler (seeded by Hypothesis) picks one
runner that *can* run and advances it to its next point:

* a runner at a preemption point can run;
* a runner at a ``Wait`` can run only when its event was signalled since its reset (os_event's
  test, USR-7), or by one of a bounded number of *spurious* wake-ups drawn by Hypothesis
  (a correct protocol re-checks, so they must be harmless);
* a runner at a ``Sleep`` can run when its retry would succeed or when its poll would set the
  event it kicks (a poll that changes nothing is not progress).

One poll is kept: when nothing can run, the **writer** is woken once (counted in
``Report.liveness["writer polls"]``), as MySQL's writer wakes on its timeout and its master
thread writes the log once a second. A commit that does not wait for flush
(``innodb_flush_log_at_trx_commit`` 0) wakes nobody: the poll is how the writer finds its
link, so a durable commit behind it is not a lost wake-up. Every other actor waits only on its
event.

When users are still in their commits and nothing can run after that poll, a wake-up was lost:
the check fails with a ``liveness: stuck`` failure that says who waits for what and why nobody
can move ("user 1 waits for flush of lsn 9000 but nothing can make progress: flusher waits on
flusher_event, not signalled since its reset; ..."). This is the progress property SYS-3
("every waiter is eventually satisfied", checked by the explorer on the spec by backward
reachability) on the implementation, under the schedules where every thread is woken only by
the events the design says wake it (decision 2, NT-4, USR-7).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, NoReturn

import attrs
from hypothesis import given
from hypothesis import settings as Settings
from hypothesis import strategies as st

from conformance.checks import ConformanceFailure, reports
from conformance.params_map import conformance_params, to_log_config
from conformance.report import LIVE
from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.records import Record
from impl.redolog import RedoLog
from impl.threads import PREEMPT, Point, Sleep, Wait

MAX_MOVES = 30_000
"""A run that has not finished after this many points is reported (no progress)."""

EXAMPLES_FACTOR = 6
"""The check runs this many times the settings' ``max_examples`` (its runs are cheap, and the
lost wake-ups it looks for need a full log or buffer and a user descheduled at the wrong
point: about one run in a hundred for the rarest seeded bug)."""

DESCHEDULED = 60
"""Moves the background threads get to themselves while a user is descheduled."""



GEOMETRIES: dict[str, dict[str, Any]] = {
    "full": dict(file_size=4096, write_ahead_size=1024),
    "buffer": dict(file_size=6144, write_ahead_size=512),
}
"""The two log geometries the check draws from (both with a recent-written ring larger than
the 2 KiB log buffer, so that users can run ahead of the writer until the buffer is full):

* ``full``: 4 KiB of log in two files, 1 KiB write-ahead regions: most workloads fill the log,
  so the reservation waits for space, the page cleaner's sync flush and the checkpointer's
  wake-up after it happen in most runs (on an 8 KiB log the one seeded bug that needs them
  was caught by a lucky draw only);
* ``buffer``: 8 KiB of log, 512-byte write-ahead regions: log_free_check's 3/4 limit binds
  before the reservation's margin (here the margin is a quarter of the log or less), and bulk
  loaders fill the log buffer (users wait for buffer space, SYS-4)."""


VERSIONS = ("8.0", "9.0")
"""Both designs: 8.0's closer and 9.0's flush-list-added tracker (asked by the checkpointer and
by users waiting to add their pages) wake different threads."""


def liveness_config(geometry: str = "full", **changes: Any) -> LogConfig:
    """The conformance configuration in one of the :data:`GEOMETRIES`, a 4 KiB recent-written
    ring, two event slots of each kind, ``event_only``."""
    params = conformance_params(**GEOMETRIES[geometry])
    config: LogConfig = to_log_config(params)
    return attrs.evolve(config, **{"write_events": 2, "flush_events": 2, "event_only": True,
                                   "n_pages": 8, "recent_written_size": 4096, **changes})


@attrs.define
class Runner:
    """One thread of the log: a background actor's loop or a user's commits."""

    name: str
    steps: Iterator[Point]
    point: Point = PREEMPT
    done: bool = False
    spurious: bool = False

    def can_run(self) -> bool:
        if self.done:
            return False
        point = self.point
        if isinstance(point, Wait):
            return self.spurious or point.event.signalled_since(point.count)
        if isinstance(point, Sleep):
            return point.ready() or not point.kick.is_set()
        return True

    def describe(self) -> str:
        point = self.point
        if isinstance(point, Wait):
            return (f"{self.name} waits on {point.event.name} ({point.what}), not signalled "
                    f"since its reset")
        if isinstance(point, Sleep):
            return f"{self.name} sleeps for {point.what} ({point.kick.name} already set)"
        return f"{self.name} at {point}"


def _user_program(log: RedoLog, user: int, groups: list[tuple[int, bool]],
                  ends: list[tuple[int, bool]]) -> Iterator[Point]:
    """User ``user`` commits its groups one by one, each modifying its own page."""
    for i, (size, durable) in enumerate(groups):
        records = [Record(user, bytes((65 + user,)) * size)]
        end = yield from log.commit_steps(records, durable=durable, thread=user)
        ends.append((int(end), durable))
        del i
        yield PREEMPT


def _lsn_values(log: RedoLog) -> str:
    return ", ".join(f"{k} {v}" for k, v in log.lsn_values().items())


def run_schedule(config: LogConfig, workload: list[list[tuple[int, bool]]], seed: int,
                 spurious_budget: int) -> None:
    """Run the workload under the event-only scheduler (module docstring); raise
    :class:`ConformanceFailure` when nothing can run while a user is still committing."""
    log = RedoLog.create(FaultStore(), config, threads=False)
    try:
        _run(log, workload, seed, spurious_budget)
    finally:
        log.close(flush=False)


def _run(log: RedoLog, workload: list[list[tuple[int, bool]]], seed: int,
         spurious_budget: int) -> None:
    rng = random.Random(seed)
    actors = [Runner(name, steps) for name, steps in log.actor_loops().items()]
    ends: list[list[tuple[int, bool]]] = [[] for _ in workload]
    users = [Runner(f"user {u}", _user_program(log, u, groups, ends[u]))
             for u, groups in enumerate(workload)]
    runners = actors + users
    LIVE.liveness["runs"] += 1
    schedule = _Schedule(rng, spurious_budget, {id(u) for u in users})
    writer = next((a for a in actors if a.name == "writer"), None)
    runner: Runner | None = None
    polled = False
    for _move in range(MAX_MOVES):
        if all(u.done for u in users):
            break
        ready = [r for r in runners if r.can_run()]
        if not ready:
            if polled or writer is None or not isinstance(writer.point, Wait):
                _stuck(log, users, actors)
            # the writer's poll (module docstring): once per standstill
            polled = writer.spurious = True
            LIVE.liveness["writer polls"] += 1
            ready = [writer]
        else:
            polled = polled and runner is writer
        runner = schedule.choose(ready, runners)
        if isinstance(runner.point, Wait):
            LIVE.liveness["waits woken"] += 1
            if runner.point.what in ("log free check", "reservation space"):  # the log is full
                LIVE.liveness["free-check waits woken"] += 1
        runner.spurious = False
        LIVE.liveness["moves"] += 1
        _advance(runner)
        schedule.moved(runner)
    else:
        busy = "; ".join(r.describe() for r in runners if not r.done)
        raise ConformanceFailure("liveness: no progress",
                                 f"the users did not finish in {MAX_MOVES} points: {busy}; "
                                 f"{_lsn_values(log)}")
    for u, user_ends in enumerate(ends):
        for end, durable in user_ends:
            if durable and log.flushed_to_disk_lsn < end:
                raise ConformanceFailure(
                    "liveness: commit returned early",
                    f"user {u}'s durable commit ending at lsn {end} returned with "
                    f"flushed_to_disk_lsn {log.flushed_to_disk_lsn} (USR-6)")


class _Schedule:
    """Which runner moves next.

    Bursts: in most runs one side (users or background threads) is favoured nine moves in ten
    and the favour flips now and then. A users' burst lets them outrun the writer (the log
    buffer and the log fill); a flip to the threads right after a user's failed try lets the
    threads do all the work inside the window before the user's reset, where a wake-up is lost
    if the user does not check again (USR-7). Uniform choice makes both rare. And a user may be
    descheduled at a preemption point: the threads then get the next moves (up to
    DESCHEDULED) to themselves, enough to finish what they can do meanwhile. Now and then a
    waiter is woken spuriously (at most ``spurious`` times a run)."""

    def __init__(self, rng: random.Random, spurious: int, user_ids: set[int]) -> None:
        self.rng = rng
        self.spurious = spurious
        self.user_ids = user_ids
        self.flip = rng.choice([0.0, 0.05, 0.2])
        self.favour_users = rng.random() < 0.5
        self.deschedule = rng.choice([0.0, 0.1, 0.3])
        self.threads_only = 0

    def choose(self, ready: list[Runner], runners: list[Runner]) -> Runner:
        rng = self.rng
        waiting = [r for r in runners if not r.done and isinstance(r.point, Wait)
                   and not r.can_run()]
        if self.spurious and waiting and rng.random() < 0.02:
            runner = rng.choice(waiting)
            runner.spurious = True
            self.spurious -= 1
            LIVE.liveness["spurious wake-ups"] += 1
            return runner
        threads = [r for r in ready if id(r) not in self.user_ids]
        if self.threads_only and threads:
            self.threads_only -= 1
            return rng.choice(threads)
        self.threads_only = 0
        if not self.flip:
            return rng.choice(ready)
        side = threads if not self.favour_users else [r for r in ready if id(r) in self.user_ids]
        runner = rng.choice(side if side and rng.random() < 0.9 else ready)
        if rng.random() < self.flip:
            self.favour_users = not self.favour_users
        return runner

    def moved(self, runner: Runner) -> None:
        """After ``runner``'s move: a user at a preemption point may be descheduled."""
        if (id(runner) in self.user_ids and runner.point is PREEMPT and not runner.done
                and self.deschedule and self.rng.random() < self.deschedule):
            self.threads_only = DESCHEDULED


def _advance(runner: Runner) -> None:
    """Run ``runner`` to its next point; an exception of the implementation is a failure."""
    try:
        runner.point = next(runner.steps)
    except StopIteration:
        runner.done = True
    except ConformanceFailure:
        raise
    except Exception as exc:
        raise ConformanceFailure(f"liveness: impl raised {type(exc).__name__}",
                                 f"{runner.name} raised {type(exc).__name__}: {exc}") from exc


def _stuck(log: RedoLog, users: list[Runner], actors: list[Runner]) -> NoReturn:
    """Nothing can run while a user is still committing: a lost wake-up (SYS-3)."""
    blocked = [u for u in users if not u.done]
    first = blocked[0]
    point = first.point
    if isinstance(point, Wait) and point.what.startswith("wait_for_"):
        kind, _, lsn = point.what.removeprefix("wait_for_").partition("(")
        head = f"{first.name} waits for {kind} of lsn {lsn.rstrip(')')}"
    else:
        head = first.describe()
    others = [r.describe() for r in [*blocked[1:], *actors] if not r.done]
    raise ConformanceFailure(
        "liveness: stuck",
        f"{head} but nothing can make progress: " + "; ".join(others)
        + f" ({_lsn_values(log)}; sync_flush_requested {log.sync_flush_requested})")


@st.composite
def workloads(draw: st.DrawFn, max_users: int = 3) -> list[list[tuple[int, bool]]]:
    """1..max_users users, each committing 4..16 groups of 50..400 payload bytes (so the
    4 KiB log fills: log_free_check and the writer's capacity limit bind), most durable
    (commit waits for flush), some not."""
    n_users = draw(st.integers(1, max_users), label="users")
    workload = []
    for u in range(n_users):
        # a bulk loader commits without waiting for flush: it runs ahead of the writer until
        # the log buffer is full (a user waits for buffer space, SYS-4)
        bulk = draw(st.sampled_from([False, False, True]), label=f"user {u} is a bulk loader")
        durable = st.just(False) if bulk else st.sampled_from([True, True, False])
        workload.append(draw(st.lists(st.tuples(st.integers(50, 400), durable),
                                      min_size=4, max_size=16), label=f"user {u} groups"))
    return workload


@reports
def run(settings: Settings) -> None:
    """The check ``liveness``: Hypothesis draws workloads, schedules and spurious wake-ups;
    every run must finish (no lost wake-up), see the module docstring."""
    configs = {f"{name} {version}": liveness_config(name, version=version)
               for name in GEOMETRIES for version in VERSIONS}

    @given(configuration=st.sampled_from(sorted(configs)), workload=workloads(),
           seed=st.integers(0, 2**32 - 1), spurious=st.integers(0, 3))
    def liveness(configuration: str, workload: list[list[tuple[int, bool]]], seed: int,
                 spurious: int) -> None:
        LIVE.examples["liveness"] += 1
        run_schedule(configs[configuration], workload, seed, spurious)

    # a run is a few milliseconds of pure scheduling: EXAMPLES_FACTOR times the examples
    Settings(settings, max_examples=settings.max_examples * EXAMPLES_FACTOR)(liveness)()


# --- real threads, event_only, with a watchdog ---------------------------------------------


def run_threaded(config: LogConfig, workload: list[list[tuple[int, bool]]],
                 watchdog_s: float = 5.0) -> dict[str, int]:
    """The same workload under real threads in ``event_only`` mode (no timeout anywhere): each
    user thread runs :meth:`RedoLog.commit_steps` and records the point it blocks at; a user
    that has not finished ``watchdog_s`` seconds after the last one made progress is a hang,
    reported as a ``liveness: hang`` failure naming the waiter and what it waits for. Returns
    the log's counters."""
    import threading
    import time

    log = RedoLog.create(FaultStore(), config, threads=True)
    where: dict[int, str] = {}
    progress = [time.monotonic()]
    errors: list[BaseException] = []

    def user(u: int, groups: list[tuple[int, bool]]) -> None:
        try:
            for i, (size, durable) in enumerate(groups):
                where[u] = f"commit {i}"
                steps = log.commit_steps([Record(u, bytes((65 + u,)) * size)], durable=durable,
                                         thread=u)
                while True:
                    try:
                        point = next(steps)
                    except StopIteration:
                        break
                    if isinstance(point, Wait):
                        where[u] = f"commit {i}: waits on {point.event.name} ({point.what})"
                        point.event.wait(point.count, point.timeout)
                    elif isinstance(point, Sleep):
                        where[u] = f"commit {i}: sleeps for {point.what}"
                        time.sleep(point.seconds)
                    where[u] = f"commit {i}"
                    progress[0] = time.monotonic()
                progress[0] = time.monotonic()
            where[u] = "done"
        except BaseException as exc:  # reported below
            errors.append(exc)
            where[u] = f"failed: {exc}"

    threads = [threading.Thread(target=user, args=(u, groups), daemon=True)
               for u, groups in enumerate(workload)]
    for t in threads:
        t.start()
    try:
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(timeout=0.05)
            if time.monotonic() - progress[0] > watchdog_s:
                hung = [f"user {u} {where.get(u, 'not started')}"
                        for u, t in enumerate(threads) if t.is_alive()]
                values = _lsn_values(log)
                log.fail("watchdog", TimeoutError("hang"))  # wakes every waiter: threads end
                for t in threads:
                    t.join(timeout=5)
                raise ConformanceFailure(
                    "liveness: hang",
                    f"no progress for {watchdog_s:.1f} s with every wait untimed (event_only): "
                    + "; ".join(hung) + f" ({values})")
        if errors:
            raise ConformanceFailure(f"liveness: impl raised {type(errors[0]).__name__}",
                                     f"a user thread raised {errors[0]!r}")
        return log.counters()
    finally:
        log.close(flush=False)
