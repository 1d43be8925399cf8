"""Run proof obligations in a pool of worker processes, each with a timeout.

Obligations travel to the workers by name: a worker imports :mod:`proofs.registry`, builds the
formula in its own z3 context and sends back a :class:`~proofs.obligation.Result` (plain data).
Each obligation gets z3's own timeout; a worker that does not answer within that timeout plus a
grace period is killed with the pool, and its obligation reported as ``timeout``. ``unknown``
and ``timeout`` are failures (../shared/reference/verification-notes.md: z3 returns unknown
quickly on hard queries, so a silent pass would be easy to miss).
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.pool import AsyncResult

from proofs.obligation import Obligation, Result, check

DEFAULT_TIMEOUT_S = 20.0
"""z3's timeout per obligation; generous, the slowest obligation takes a few seconds."""

GRACE_S = 10.0
"""How long past z3's timeout a worker may take before it is presumed stuck."""


def _run_one(name: str, timeout_s: float) -> Result:
    """Worker entry point: look ``name`` up in the registry and check it."""
    from proofs.registry import obligation_by_name

    return check(obligation_by_name(name), timeout_s)


def _ignore_sigint() -> None:
    """Pool workers ignore Ctrl-C: the parent stops them (``pool.terminate``), so a terminal's
    SIGINT to the whole process group prints one line, not a traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
def _run_many(names: list[str], timeout_s: float) -> list[Result]:
    """Worker entry point for one session's obligations (they share a solver, so one worker
    builds the shared hypothesis once)."""
    return [_run_one(name, timeout_s) for name in names]


def run(
    obligations: Sequence[Obligation],
    jobs: int = 2,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Check every obligation; results come back in the order of ``obligations``.

    ``jobs=1`` checks in this process (no pool; for tests and debugging). Otherwise a pool of
    ``jobs`` spawned processes checks the obligations that the registry knows by name; an
    obligation that is not registered (a test's own) is checked in this process first.
    ``progress`` is called with each result as it arrives.
    """
    results: dict[str, Result] = {}

    def done(result: Result) -> None:
        results[result.name] = result
        if progress is not None:
            progress(result)

    if jobs <= 1:
        for ob in obligations:
            done(check(ob, timeout_s))
        return [results[ob.name] for ob in obligations]

    from proofs.registry import registered_names

    known = registered_names()
    local = [ob for ob in obligations if ob.name not in known]
    remote = [ob for ob in obligations if ob.name in known]
    for ob in local:
        done(check(ob, timeout_s))
    if remote:
        ctx = multiprocessing.get_context("spawn")
        # SIGINT is blocked while the workers start (they inherit the mask through exec) and
        # ignored by them from their initializer on; a Ctrl-C meanwhile reaches this process
        # when it unblocks, and a worker's copy is discarded
        # (the resource tracker first: starting it unblocks SIGINT, and it ignores it itself)
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pool = ctx.Pool(processes=jobs, initializer=_ignore_sigint)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        try:
            # One task per session (obligations sharing a solver), one per other obligation.
            groups: dict[str, list[Obligation]] = {}
            for ob in remote:
                groups.setdefault(ob.session or f"\0{ob.name}", []).append(ob)
            pending: dict[str, tuple[AsyncResult[list[Result]], list[Obligation]]] = {}
            for key, obs in groups.items():
                names = [ob.name for ob in obs]
                pending[key] = (pool.apply_async(_run_many, (names, timeout_s)), obs)
            started = time.perf_counter()
            # Every obligation may take timeout_s; two workers share them.
            deadline = started + GRACE_S + timeout_s * (len(remote) / jobs + 1)
            while pending:
                for key, (handle, obs) in list(pending.items()):
                    if handle.ready():
                        del pending[key]
                        try:
                            for result in handle.get():
                                done(result)
                        except Exception as exc:
                            for ob in obs:
                                done(Result(ob.name, ob.ids, "error", 0.0,
                                            reason=f"{type(exc).__name__}: {exc}",
                                            scope=ob.scope))
                if pending and time.perf_counter() > deadline:
                    for _key, (_handle, obs) in pending.items():
                        for ob in obs:
                            done(Result(ob.name, ob.ids, "timeout",
                                        time.perf_counter() - started,
                                        reason="worker did not answer; pool killed",
                                        scope=ob.scope))
                    pending.clear()
                    break
                if pending:
                    time.sleep(0.02)
        finally:
            pool.terminate()
            pool.join()
    return [results[ob.name] for ob in obligations]
