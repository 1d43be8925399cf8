"""Ctrl-C for every ``redospec`` subcommand: stop within a second, say what was done, exit 130.

The dispatcher (:mod:`redospec.cli`) calls :func:`install` before it runs a subcommand:

* SIGINT sets :func:`interrupted` and raises ``KeyboardInterrupt`` in the main thread, as
  Python's default handler does;
* a ``KeyboardInterrupt`` that Python would swallow because it was raised where exceptions
  cannot propagate (a garbage-collector callback, as Hypothesis installs one, or a ``__del__``:
  "Exception ignored in: gc_callback ... KeyboardInterrupt") is delivered again to the main
  thread instead of being printed and lost;
* after the subcommand returns, an interrupt that was seen turns the exit status into 130 even
  if the subcommand finished anyway, so an interrupt is never reported as a result.

Each part says what it had done when interrupted through an optional function
``interrupt_summary() -> str`` in its command-line module; the dispatcher prints
``redospec NAME: interrupted; <summary>`` on stderr (one line) and exits 130.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

EXIT_INTERRUPTED = 130
"""128 + SIGINT, what a shell reports for a command stopped by Ctrl-C."""

_state = {"interrupted": False}
_lock = threading.Lock()


def interrupted() -> bool:
    """True once SIGINT arrived (after :func:`install`)."""
    return _state["interrupted"]


def _handler(signum: int, frame: FrameType | None) -> None:
    _state["interrupted"] = True
    raise KeyboardInterrupt


def _unraisable(hook: Any) -> Any:
    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt):
            # deliver it again where it can propagate: from another thread, a moment later, so
            # the handler does not run inside this hook (it would be swallowed once more)
            threading.Timer(0.02, _thread.interrupt_main, (signal.SIGINT,)).start()
            return
        hook(info)

    return unraisable


def clear() -> None:
    """Forget an interrupt seen before: a new subcommand starts without one (a process that runs
    several, as a test session does, must not report the first one's Ctrl-C for the next)."""
    with _lock:
        _state["interrupted"] = False


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """:func:`install` for the duration of a block, then the previous SIGINT handler and
    unraisable hook again (a caller that runs a subcommand in-process keeps its own Ctrl-C)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    hook = sys.unraisablehook
    install()
    try:
        yield
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = hook


def install() -> None:
    """Install the SIGINT handler and the swallowed-interrupt hook (main thread only)."""
    with _lock:
        _state["interrupted"] = False
        if threading.current_thread() is not threading.main_thread():
            return
        signal.signal(signal.SIGINT, _handler)
        if not getattr(sys.unraisablehook, "_redospec", False):
            hook = _unraisable(sys.unraisablehook)
            hook._redospec = True
            sys.unraisablehook = hook


def summary_of(module: object) -> str:
    """The part's one-line account of what it had done (its ``interrupt_summary()``)."""
    fn = getattr(module, "interrupt_summary", None)
    if fn is None:
        return ""
    try:
        return str(fn() or "")
    except Exception:   # never let the account of an interrupt fail the interrupt
        return ""
