"""One worker process of a campaign: the conformance checks in rounds, against the shared
example database, reporting to the parent through a pipe.

The worker dies with its parent (``PR_SET_PDEATHSIG``: a parent killed with SIGKILL leaves no
orphan fuzzing on), ignores SIGINT (the parent stops every worker itself, so a terminal's
Ctrl-C, sent to the whole process group, is handled once) and stops on SIGTERM: the round in
progress is abandoned as Hypothesis abandons a test on Ctrl-C (nothing saved for it), the final
counts are sent and the process exits at once.

Messages (tuples ``(kind, worker, payload)``): ``stats`` (cumulative examples per check and spec
actions fired, sent every ``stats_every`` seconds and at the end), ``failure`` (one per failing
round, with the shrunk schedule Hypothesis printed), ``db_error`` (the example database stopped
answering: the worker stops), ``done`` (why the worker ended by itself), ``crash`` (an error of
the worker itself, with its traceback).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import re
import signal
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any

import attrs

from campaign import db as dbmod


@attrs.frozen
class WorkerConfig:
    index: int
    db: str
    """The database in ``--db``'s one-string form."""
    targets: tuple[str, ...]
    mutant: str | None = None
    """A seeded bug of ``conformance.mutant_catalog`` applied inside the worker."""
    round_examples: int = 25
    stats_every: float = 0.5
    shrink_seconds: int | None = None
    """At most this long shrinking one failure (Hypothesis's own bound, 300 s, by default)."""
    parent: int = 0
    """The parent's pid: a worker whose parent is already gone exits at once."""


class CampaignStop(KeyboardInterrupt):
    """Raised by the SIGTERM handler. A KeyboardInterrupt, so that Hypothesis treats the round
    as interrupted: it re-raises without saving the unfinished test case as a failure."""


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:   # the parent died before prctl took effect
        os._exit(0)


def failure_kind(exc: BaseException) -> tuple[str, bool]:
    """What caught the failure, for deduplication: the ConformanceFailure's ``check`` (an
    invariant, an abstract-state field, a spec guard) or the exception's type and the head of
    its message (digits blurred, so a differently numbered repeat is the same failure); and
    whether Hypothesis called it flaky (it did not replay)."""
    from hypothesis.errors import Flaky

    from conformance.mutants import _conformance_failures

    found = _conformance_failures(exc)
    flaky = isinstance(exc, Flaky)
    if found:
        return found[0].check, flaky
    inner = exc
    while isinstance(inner, BaseExceptionGroup) and inner.exceptions:
        inner = inner.exceptions[0]
    head = (str(inner).strip().splitlines() or [""])[0][:80]
    return f"{type(inner).__name__}: {re.sub(r'[0-9]+', '#', head)}".rstrip(": "), flaky


def schedule_text(exc: BaseException, reported: list[str]) -> str:
    """The shrunk, replayable schedule of a failure: the notes Hypothesis attaches to the
    exception (``Falsifying example:`` and, for a state machine, its steps as Python) and what
    it reported while the test ran; Hypothesis's advice about ``@seed`` and shrinking time is
    left out (``--replay`` is the way to run it again)."""
    parts: list[str] = []
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop(0)
        parts.extend(str(n) for n in getattr(e, "__notes__", ()) or ())
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
    parts.extend(reported)
    keep = [p for p in parts if "@seed(" not in p and "PLEASE REPORT" not in p
            and "five minutes" not in p and "@reproduce_failure" not in p]
    return "\n".join(dict.fromkeys(keep))[-8000:]


class Reporter:
    """Hypothesis's reports of the current round (the falsifying example: the shrunk
    schedule of a state machine), instead of the terminal."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, value: object) -> None:
        self.lines.append(str(value))


class _State:
    """What the worker has done; read by the sender thread under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: dict[str, int] = {}
        self.current: str | None = None
        self.at_start = 0
        self.rounds = 0

    def snapshot(self) -> dict[str, Any]:
        from conformance.report import LIVE

        for _ in range(5):   # the main thread may be counting: copy again
            try:
                with self.lock:
                    examples = dict(self.done)
                    total = LIVE.total_examples()
                    if self.current is not None:
                        examples[self.current] = (examples.get(self.current, 0)
                                                  + max(0, total - self.at_start))
                    actions = {k: dict(v) for k, v in LIVE.actions.items()}
                    return {"examples": examples, "actions": actions, "rounds": self.rounds,
                            "current": self.current}
            except RuntimeError:   # dictionary changed size during iteration
                time.sleep(0.001)
        return {"examples": dict(self.done), "actions": {}, "rounds": self.rounds,
                "current": self.current}


def main(config: WorkerConfig, conn: Connection) -> None:
    """The worker process's entry point (``multiprocessing`` target)."""
    die_with_parent(config.parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopping = [False]

    def on_term(signum: int, frame: FrameType | None) -> None:
        if not stopping[0]:
            stopping[0] = True
            raise CampaignStop

    def unraisable(info: Any, hook: Any = sys.unraisablehook) -> None:
        # SIGTERM raised inside a garbage-collector callback (Hypothesis installs one) is
        # swallowed there: deliver it again, a moment later, where it can propagate
        if isinstance(info.exc_value, CampaignStop):
            stopping[0] = False
            threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGTERM)).start()
            return
        hook(info)

    sys.unraisablehook = unraisable
    state = _State()
    outbox: queue.Queue[tuple[str, Any] | None] = queue.Queue()
    sender = threading.Thread(target=_send_loop, args=(config, conn, state, outbox),
                              daemon=True)
    sender.start()
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull   # the checks' own prints would garble the parent's lines
        signal.signal(signal.SIGTERM, on_term)
        try:
            _work(config, state, outbox)
        except CampaignStop:
            pass
        except BaseException as exc:   # a bug of the campaign itself: tell the parent
            if not stopping[0]:
                outbox.put(("crash", "".join(traceback.format_exception(exc))[-4000:]))
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            outbox.put(None)          # final stats, then the sender ends
            sender.join(timeout=0.5)
            os._exit(0)               # threads a check left running end here too


def _send_loop(config: WorkerConfig, conn: Connection, state: _State,
               outbox: queue.Queue[tuple[str, Any] | None]) -> None:
    """Send queued messages at once and the counts every ``stats_every`` seconds."""
    try:
        while True:
            try:
                item = outbox.get(timeout=config.stats_every)
            except queue.Empty:
                conn.send(("stats", config.index, state.snapshot()))
                continue
            if item is None:
                conn.send(("stats", config.index, state.snapshot()))
                return
            conn.send((item[0], config.index, item[1]))
            if item[0] == "failure":
                conn.send(("stats", config.index, state.snapshot()))
    except (OSError, EOFError):   # the parent is gone
        return


def _work(config: WorkerConfig, state: _State,
          outbox: queue.Queue[tuple[str, Any] | None]) -> None:
    from conformance import checks
    from conformance.report import LIVE

    database = dbmod.from_text(config.db)
    if config.shrink_seconds is not None:
        # Hypothesis bounds shrinking by this module constant (read when shrinking starts)
        import hypothesis.internal.conjecture.engine as engine

        engine.MAX_SHRINKING_SECONDS = config.shrink_seconds
    mutant_cm: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if config.mutant:
        from conformance.mutants import applied, catalog

        mutant_cm = applied({m.name: m for m in catalog()}[config.mutant])
    failed: set[str] = set()
    names = list(config.targets)
    turn = config.index   # workers start on different checks
    with mutant_cm:
        while True:
            live = [n for n in names if n not in failed]
            if not live:
                outbox.put(("done", "every check it ran failed"))
                return
            name = names[turn % len(names)]
            turn += 1
            if name in failed:
                continue
            reporter = Reporter()
            with state.lock:
                state.current = name
                state.at_start = LIVE.total_examples()
            start = time.monotonic()
            error: BaseException | None = None
            try:
                from hypothesis.reporting import with_reporter

                with with_reporter(reporter):
                    checks.check_named(name).load()(
                        checks.fuzz_settings(database, config.round_examples))
            except CampaignStop:
                raise
            except Exception as exc:   # a finding, or the database gone
                error = exc
            with state.lock:
                total = LIVE.total_examples()
                state.done[name] = state.done.get(name, 0) + max(0, total - state.at_start)
                state.current = None
                state.rounds += 1
            if error is None:
                continue
            if dbmod.is_database_error(error):
                outbox.put(("db_error", dbmod.one_line(error)))
                return
            failed.add(name)
            what, flaky = failure_kind(error)
            message = str(error)
            outbox.put(("failure", {
                "check": name, "what": what, "flaky": flaky,
                "message": message if len(message) < 4000 else message[:4000] + "...",
                "schedule": schedule_text(error, reporter.lines),
                "seconds": time.monotonic() - start,
            }))
