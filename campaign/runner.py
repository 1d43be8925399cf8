"""The parent of a campaign: starts the workers, gathers their counts and failures, prints a
progress line per interval, and stops every worker at the end, on Ctrl-C or when the example
database stops answering.

Workers are ``spawn``-ed processes (a fresh interpreter each: no state or random seed shared
with the parent or each other) that die with the parent; stopping is SIGTERM, a short wait for
the final counts, then SIGKILL, so every worker is gone within a second.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from typing import Any

import attrs

from campaign import db as dbmod
from campaign.worker import WorkerConfig
from campaign.worker import main as worker_main

STOP_GRACE_S = 0.6
"""How long stopped workers get to send their final counts before they are killed."""


@attrs.define
class Failure:
    """One distinct failure: ``check`` and ``what`` caught it (the deduplication key)."""

    check: str
    what: str
    message: str
    schedule: str
    replay: str
    worker: int
    found_after: float
    """Seconds into the campaign."""
    flaky: bool = False
    seen: int = 1
    """How many times workers reported it."""


@attrs.define
class Sample:
    """The campaign at one progress interval."""

    seconds: float
    examples: int
    rate: float
    """Examples/s over the last interval."""
    actions_fired: int
    """Distinct spec actions fired so far (coverage)."""
    failures: int


@attrs.define
class Result:
    db: str
    workers: int
    targets: list[str]
    minutes: float
    mutant: str | None = None
    seconds: float = 0.0
    examples: dict[str, int] = attrs.Factory(dict)
    actions: dict[str, dict[str, int]] = attrs.Factory(dict)
    samples: list[Sample] = attrs.Factory(list)
    failures: list[Failure] = attrs.Factory(list)
    ended: str = ""
    """Why it ended: ``time is up``, ``every check failed``, ``database lost``, ..."""
    db_error: str | None = None
    worker_errors: list[str] = attrs.Factory(list)

    @property
    def total_examples(self) -> int:
        return sum(self.examples.values())


def replay_command(db: str, check: str, mutant: str | None = None) -> str:
    """The command that replays ``check``'s stored failures from ``db``."""
    cmd = [sys.executable, "-m", "redospec", "fuzz", "--replay", "--db", db, "--target", check]
    if mutant:
        cmd += ["--mutant", mutant]
    return shlex.join(cmd)


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@attrs.define
class _Worker:
    proc: Any
    conn: Connection
    stats: dict[str, Any] = attrs.Factory(dict)
    open: bool = True
    finished: str = ""


class Campaign:
    """One run of ``redospec fuzz``; :meth:`run` returns its :class:`Result`. ``result`` is
    kept up to date while it runs (what an interrupted run had done)."""

    def __init__(self, *, layers: list[dbmod.Layer], workers: int, minutes: float,
                 targets: list[str], mutant: str | None = None, interval: float = 5.0,
                 round_examples: int = 25, shrink_seconds: int | None = None,
                 progress: Callable[[str], None] | None = None,
                 on_failure: Callable[[Failure], None] | None = None) -> None:
        self.layers = layers
        self.db = dbmod.text(layers)
        self.n = workers
        self.minutes = minutes
        self.targets = targets
        self.mutant = mutant
        self.interval = interval
        self.round_examples = round_examples
        self.shrink_seconds = shrink_seconds
        self.progress = progress
        self.on_failure = on_failure
        self.result = Result(self.db, workers, targets, minutes, mutant)
        self.workers: list[_Worker] = []
        self._keys: dict[tuple[str, str], Failure] = {}
        self._start = 0.0
        self._stopping = False

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> Result:
        self._start = time.monotonic()
        deadline = self._start + self.minutes * 60
        try:
            self._spawn()
            next_sample = self._start + self.interval
            last_examples, last_t = 0, self._start
            while True:
                now = time.monotonic()
                if now >= deadline:
                    self.result.ended = "time is up"
                    break
                if all(not w.open for w in self.workers):
                    self.result.ended = self._why_all_ended()
                    break
                self._receive(min(0.2, max(0.0, deadline - now)))
                if self.result.db_error:
                    self.result.ended = "database lost"
                    break
                now = time.monotonic()
                if now >= next_sample:
                    self._collect()
                    total = self.result.total_examples
                    self._sample(now, (total - last_examples) / max(1e-9, now - last_t))
                    last_examples, last_t = total, now
                    next_sample = now + self.interval
                    self._ping()
        finally:
            self.stop()
            self._collect()
            self.result.seconds = time.monotonic() - self._start
        now = time.monotonic()
        if not self.result.samples or self.result.samples[-1].seconds < now - self._start - 0.5:
            self._sample(now, None)
        return self.result

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        # SIGINT blocked while a worker starts: the worker inherits the blocked signal, so a
        # Ctrl-C to the process group never interrupts its imports (the parent stops it); the
        # parent gets a Ctrl-C of that moment as soon as the signal is unblocked
        # (multiprocessing's resource tracker, started by the first spawn, unblocks SIGINT
        # after starting itself: start it first, so that it leaves the mask alone)
        resource_tracker.ensure_running()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._start_workers(ctx)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _start_workers(self, ctx: Any) -> None:
        for i in range(self.n):
            reader, writer = ctx.Pipe(duplex=False)
            config = WorkerConfig(index=i, db=self.db, targets=tuple(self.targets),
                                  mutant=self.mutant, round_examples=self.round_examples,
                                  shrink_seconds=self.shrink_seconds,
                                  parent=os.getpid())
            proc = ctx.Process(target=worker_main, args=(config, writer), daemon=True,
                               name=f"redospec-fuzz-worker-{i}")
            proc.start()
            writer.close()
            self.workers.append(_Worker(proc, reader))

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.workers if w.proc.pid is not None]

    def _receive(self, timeout: float) -> None:
        conns = [w.conn for w in self.workers if w.open]
        if not conns:
            time.sleep(timeout)
            return
        for conn in wait(conns, timeout=timeout):
            worker = next(w for w in self.workers if w.conn is conn)
            self._read(worker)

    def _read(self, worker: _Worker) -> None:
        assert isinstance(worker.conn, Connection)
        try:
            while worker.conn.poll():
                kind, index, payload = worker.conn.recv()
                self._handle(worker, kind, index, payload)
        except (EOFError, OSError):
            worker.open = False
            if not worker.finished:
                worker.proc.join(0.2)
                worker.finished = f"exited (status {worker.proc.exitcode})"
                if not self._stopping:   # not stopped by us: it died
                    self.result.worker_errors.append(
                        f"worker {self.workers.index(worker)} died (exit status "
                        f"{worker.proc.exitcode})")

    def _handle(self, worker: _Worker, kind: str, index: int, payload: Any) -> None:
        if kind == "stats":
            worker.stats = payload
        elif kind == "failure":
            self._failure(index, payload)
        elif kind == "db_error":
            self.result.db_error = self.result.db_error or payload
            worker.finished = "database lost"
        elif kind == "done":
            worker.finished = str(payload)
        elif kind == "crash":
            self.result.worker_errors.append(f"worker {index}: {payload}")
            worker.finished = "crashed"

    def _failure(self, index: int, data: dict[str, Any]) -> None:
        key = (data["check"], data["what"])
        if key in self._keys:
            self._keys[key].seen += 1
            return
        failure = Failure(check=data["check"], what=data["what"], message=data["message"],
                          schedule=data["schedule"],
                          replay=replay_command(self.db, data["check"], self.mutant),
                          worker=index, found_after=time.monotonic() - self._start,
                          flaky=bool(data.get("flaky")))
        self._keys[key] = failure
        self.result.failures.append(failure)
        if self.on_failure:
            self.on_failure(failure)

    def _why_all_ended(self) -> str:
        reasons = sorted({w.finished or "exited" for w in self.workers})
        return "every worker ended: " + ", ".join(reasons)

    def _collect(self) -> None:
        """Sum the workers' latest counts into the result."""
        examples: dict[str, int] = {}
        actions: dict[str, dict[str, int]] = {}
        for w in self.workers:
            for check, n in (w.stats.get("examples") or {}).items():
                examples[check] = examples.get(check, 0) + int(n)
            for source, fired in (w.stats.get("actions") or {}).items():
                into = actions.setdefault(source, {})
                for action, n in fired.items():
                    into[action] = into.get(action, 0) + int(n)
        self.result.examples = examples
        self.result.actions = actions

    def _sample(self, now: float, rate: float | None) -> None:
        elapsed = now - self._start
        total = self.result.total_examples
        fired = {a for counts in self.result.actions.values() for a, n in counts.items() if n}
        sample = Sample(round(elapsed, 2), total,
                        round(rate if rate is not None else total / max(1e-9, elapsed), 2),
                        len(fired), len(self.result.failures))
        self.result.samples.append(sample)
        if self.progress and rate is not None:
            self.progress(self.progress_line(sample))

    def progress_line(self, sample: Sample) -> str:
        per_check = ", ".join(f"{k} {v}" for k, v in sorted(self.result.examples.items()))
        left = self.minutes * 60 - sample.seconds
        alive = sum(w.open for w in self.workers)
        plural = "s" if sample.failures != 1 else ""
        return (f"fuzz {_clock(sample.seconds)}, {alive}/{self.n} workers: "
                f"{sample.examples} examples ({sample.rate:.1f}/s), "
                f"{sample.failures} distinct failure{plural}, "
                f"{sample.actions_fired} actions fired; {per_check or 'starting'}; "
                f"{_clock(left)} left")

    def _ping(self) -> None:
        """A Redis layer that stopped answering ends the campaign (the workers would only
        notice at their next database access)."""
        if self.result.db_error or not any(layer.kind == "redis" for layer in self.layers):
            return
        try:
            dbmod.ping([layer for layer in self.layers if layer.kind == "redis"])
        except dbmod.DatabaseError as exc:
            self.result.db_error = str(exc)

    # --- stopping ------------------------------------------------------------------------

    def stop(self) -> None:
        """SIGTERM every live worker, read what they send until they close (at most
        ``STOP_GRACE_S``), SIGKILL the rest: every worker is gone when this returns."""
        self._stopping = True
        for w in self.workers:
            if w.proc.is_alive():
                with contextlib.suppress(OSError):
                    os.kill(w.proc.pid, signal.SIGTERM)
        end = time.monotonic() + STOP_GRACE_S
        while any(w.open for w in self.workers) and time.monotonic() < end:
            conns = [w.conn for w in self.workers if w.open]
            for conn in wait(conns, timeout=max(0.0, end - time.monotonic())):
                self._read(next(w for w in self.workers if w.conn is conn))
        for w in self.workers:
            w.proc.join(max(0.0, end - time.monotonic()))
            if w.proc.is_alive():
                with contextlib.suppress(OSError):
                    w.proc.kill()
                w.proc.join(1.0)
            with contextlib.suppress(OSError):
                w.conn.close()
            w.open = False
