"""The background threads of the log: each actor's loop as a generator of points, and the
threads that run those loops.

Every background actor (writer, flusher, the two notifiers, closer, checkpointer, page cleaner)
runs :func:`actor_loop`: step while there is work, spin, then reset its event, step once more
and wait on the event (os_event's protocol, so a wake-up between the check and the wait is not
lost, USR-7). The loop yields its blocking points (:data:`Point`): a thread
(:class:`ActorThread`) waits on each :class:`Wait` with a timeout; the liveness check
(conformance/liveness.py) runs the same generators one point at a time. User operations
yield the same points (:meth:`impl.redolog.RedoLog.commit_steps`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

from impl.events import Event

if TYPE_CHECKING:
    from impl.redolog import RedoLog


@attrs.frozen
class Wait:
    """A blocking point: wait until ``event`` is set or was set since the reset that returned
    ``count`` (os_event_wait_low, USR-7), or until ``timeout`` seconds (None: no timeout)."""

    event: Event
    count: int
    what: str
    timeout: float | None = None


@attrs.frozen
class Sleep:
    """A polling point (MySQL sleeps here rather than waiting on an event): ``kick`` was set
    to ask for what is missing, ``ready()`` says whether the retry would succeed now."""

    kick: Event
    ready: Callable[[], bool]
    what: str
    seconds: float


PREEMPT = "preempt"
"""A point between two steps of an actor or a user where another thread may run."""

Point = Wait | Sleep | str
"""What the step generators (:func:`actor_loop`, :meth:`RedoLog.commit_steps`) yield: a
thread blocks on a :class:`Wait`, sleeps on a :class:`Sleep` and goes on at :data:`PREEMPT`;
the liveness check (conformance/liveness.py) runs the same generators one point at a time."""


def actor_loop(step: Callable[[], bool], event: Event, spin: int,
               stopping: Callable[[], bool]) -> Iterator[Point]:
    """The loop of one background actor as a generator: step while there is work, spin, then
    reset the event, step once more (a set between the last check and the reset is not lost,
    USR-7) and wait on the event."""
    while not stopping():
        if step():
            yield PREEMPT
            continue
        for _ in range(spin):
            if step():
                break
        else:
            yield PREEMPT
            count = event.reset()
            if stopping() or step():
                yield PREEMPT
                continue
            yield Wait(event, count, event.name)
            continue
        yield PREEMPT


@attrs.frozen
class ActorSpec:
    """One background actor: its name, its step, the event it waits on, how often it spins
    before waiting, and its wait's timeout in seconds."""

    name: str
    step: Callable[[], bool]
    event: Event
    spin: int
    timeout_s: float


def actor_specs(log: RedoLog) -> list[ActorSpec]:
    """Every background actor of ``log``, in pipeline order (the closer with 8.0 only)."""
    cfg = log.config
    us = 1e-6
    specs = [
        ActorSpec("writer", log.writer.step, log.writer_event, cfg.writer_spin,
                  cfg.writer_timeout_us * us),
        ActorSpec("flusher", log.flusher.step, log.flusher_event, cfg.flusher_spin,
                  cfg.flusher_timeout_us * us),
        ActorSpec("write_notifier", log.write_notifier.step, log.write_notifier_event,
                  cfg.notifier_spin, cfg.notifier_timeout_us * us),
        ActorSpec("flush_notifier", log.flush_notifier.step, log.flush_notifier_event,
                  cfg.notifier_spin, cfg.notifier_timeout_us * us),
        ActorSpec("checkpointer", lambda: checkpointer_round(log), log.checkpointer_event, 0,
                  cfg.checkpoint_every_ms * 1e-3),
        ActorSpec("page_cleaner", lambda: page_cleaner_round(log), log.page_cleaner_event, 0,
                  cfg.page_cleaner_every_ms * 1e-3),
    ]
    if log.closer is not None:
        specs.append(ActorSpec("closer", log.closer.step, log.closer_event, 0,
                               cfg.notifier_timeout_us * us))
    return specs


def actor_loops(log: RedoLog, stopping: Callable[[], bool]) -> dict[str, Iterator[Point]]:
    """Each background actor's loop (:func:`actor_loop`) as a generator, by actor name."""
    return {spec.name: actor_loop(spec.step, spec.event, spec.spin, stopping)
            for spec in actor_specs(log)}


def checkpointer_round(log: RedoLog) -> bool:
    """The checkpointer thread: one checkpoint per wake-up (timeout or a writer's request)."""
    log.checkpointer.step()
    return False


def page_cleaner_round(log: RedoLog) -> bool:
    """The page cleaner thread: flush a batch while flushing is needed (CP-5, CP-6)."""
    flushed = 0
    while log.page_cleaner.needs_flush() and flushed < log.bufpool.n_pages:
        if not log.page_cleaner.step():
            break
        flushed += 1
    if log.sync_flush_requested:
        if log.config.event_only and log.bufpool.n_dirty():
            # event_only: the pages left wait for the log to be flushed (MySQL's page
            # cleaner calls log_write_up_to): ask the writer and the flusher, and stay
            # requested; the flusher wakes the page cleaner when it has flushed
            log.writer_event.set()
            log.flusher_event.set()
        else:
            log.sync_flush_requested = False
        log.checkpointer_event.set()
    return False


class ActorThread(threading.Thread):
    """The thread of one background actor: :func:`actor_loop`, waiting on its event with the
    actor's timeout (no timeout with ``event_only``). A thread that dies tells the log, which
    wakes every waiter."""

    def __init__(self, log: RedoLog, spec: ActorSpec) -> None:
        super().__init__(name=f"redolog-{spec.name}", daemon=True)
        self.log = log
        self.spec = spec
        self.timeout_s: float | None = None if log.config.event_only else spec.timeout_s
        self.stopping = False

    def run(self) -> None:
        spec = self.spec
        try:
            for point in actor_loop(spec.step, spec.event, spec.spin, lambda: self.stopping):
                if isinstance(point, Wait):
                    spec.event.wait(point.count, self.timeout_s)
        except BaseException as exc:  # a dying thread must wake every waiter
            self.log.thread_died(spec.name, exc)


def start_threads(log: RedoLog) -> list[ActorThread]:
    """One running :class:`ActorThread` per background actor of ``log``."""
    threads = [ActorThread(log, spec) for spec in actor_specs(log)]
    for thread in threads:
        thread.start()
    return threads


def stop_threads(threads: list[ActorThread], wake: Callable[[], None]) -> None:
    """Ask every thread to stop, ``wake()`` them all, and wait for them (10 s each)."""
    for thread in threads:
        thread.stopping = True
    wake()
    for thread in threads:
        thread.join(timeout=10)
