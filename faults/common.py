"""What every part of the campaign shares: the tally, the oracle, the clean errors, time bounds.

The oracle is computed here from the groups the workload committed (page, payload, end lsn),
independently of the log's own bookkeeping: after recovering to lsn R, each page must hold
exactly what the newest group ending at or before R wrote to it (RC-4: every group up to R
applied whole, none after R, no page state that no group wrote), and R must cover every group
whose commit was acknowledged as durable (FL-1, RC-4).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import attrs

from impl.datafile import DataFile, DataFileError
from impl.logfiles import LogFileError
from impl.records import Record
from impl.recovery import RecoveryError
from impl.storage import Store

T = TypeVar("T")

#: Exceptions that are a *clean* refusal: a named, explained error, not a crash of the reader.
CLEAN_ERRORS: tuple[type[BaseException], ...] = (
    RecoveryError, LogFileError, DataFileError, OSError,
)


@attrs.define
class Tally:
    """The campaign's figures (the ``--json`` keys) and the first failures, with detail."""

    crash_states: int = 0
    io_errors_injected: int = 0
    process_kills: int = 0
    acknowledged_lost: int = 0
    partial_groups_applied: int = 0
    corrupt_blocks_applied: int = 0
    damaged_files_tried: int = 0
    tracebacks: int = 0
    hangs: int = 0
    other_failures: int = 0
    failures: list[str] = attrs.Factory(list)
    soak: list[dict[str, Any]] = attrs.Factory(list)
    notes: dict[str, Any] = attrs.Factory(dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def fail(self, counter: str, detail: str) -> None:
        """Count one failure of kind ``counter`` and keep its description (the first 50)."""
        with self.lock:
            setattr(self, counter, getattr(self, counter) + 1)
            if len(self.failures) < 50:
                self.failures.append(f"{counter}: {detail}")

    @property
    def ok(self) -> bool:
        return not (self.acknowledged_lost or self.partial_groups_applied
                    or self.corrupt_blocks_applied or self.tracebacks or self.hangs
                    or self.other_failures)


@attrs.frozen
class Group:
    """One committed record group: its end lsn (the page_lsn it gives its pages) and records."""

    end_lsn: int
    records: tuple[Record, ...]


class Oracle:
    """The page states after every prefix of the groups, computed from the groups alone."""

    def __init__(self, groups: Iterable[Group], start_lsn: int) -> None:
        self.groups = sorted(groups, key=lambda g: g.end_lsn)
        self.start_lsn = start_lsn
        self.ends = [g.end_lsn for g in self.groups]
        self.by_page: dict[int, list[tuple[int, bytes]]] = {}
        for g in self.groups:
            for r in g.records:
                self.by_page.setdefault(r.page_no, []).append((g.end_lsn, r.payload))
        self._page_ends = {p: [e for e, _ in v] for p, v in self.by_page.items()}

    def page_at(self, page_no: int, lsn: int) -> tuple[int, bytes]:
        """What page ``page_no`` holds once every group ending at or before ``lsn`` is applied."""
        ends = self._page_ends.get(page_no)
        if not ends:
            return 0, b""
        i = bisect.bisect_right(ends, lsn)
        return (0, b"") if i == 0 else self.by_page[page_no][i - 1]

    def groups_after(self, lsn: int) -> Sequence[Group]:
        return self.groups[bisect.bisect_right(self.ends, lsn):]


def read_pages(store: Store, n_pages: int) -> dict[int, tuple[int, bytes]] | str:
    """Every page of the data file as recovery left it (or why it cannot be read)."""
    try:
        datafile = DataFile.open(store)
    except DataFileError as exc:
        return str(exc)
    pages = {}
    for page_no in range(min(n_pages, datafile.n_pages)):
        try:
            pages[page_no] = datafile.read_page(page_no)
        except DataFileError as exc:
            return str(exc)
    return pages


def judge(tally: Tally, where: str, oracle: Oracle, recovered_lsn: int,
          pages: dict[int, tuple[int, bytes]], acked: Iterable[Group]) -> bool:
    """Check one recovered state against the oracle; count what is wrong; True if all is well.

    * every acknowledged group is applied and whole (``acknowledged_lost``);
    * each page equals the oracle's state at the recovered lsn: a page that holds one group's
      record while another page of the same group is older, or holds a group after the recovered
      lsn, is a group applied partially or after a gap (``partial_groups_applied``).
    """
    ok = True
    lost = [g for g in acked if g.end_lsn > recovered_lsn]
    for g in lost[:1]:
        tally.fail("acknowledged_lost", f"{where}: group ending at lsn {g.end_lsn} was "
                   f"acknowledged but recovery stopped at lsn {recovered_lsn} "
                   f"({len(lost)} acknowledged groups lost)")
        ok = False
    if lost:
        return ok
    for page_no, got in sorted(pages.items()):
        want = oracle.page_at(page_no, recovered_lsn)
        if got != want:
            kind = "partial_groups_applied"
            tally.fail(kind, f"{where}: page {page_no} holds (lsn {got[0]}, "
                       f"{got[1][:24]!r}) but after recovery to lsn {recovered_lsn} it must hold "
                       f"(lsn {want[0]}, {want[1][:24]!r})")
            return False
    return ok


def bounded(fn: Callable[[], T], seconds: float) -> tuple[str, T | BaseException | None]:
    """Run ``fn`` in a daemon thread for at most ``seconds``.

    Returns ``("ok", value)``, ``("error", exception)`` or ``("hang", None)`` (the thread is left
    behind; it is a daemon, so it cannot keep the process alive).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="faults-bounded")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return "hang", None
    if "error" in box:
        return "error", box["error"]
    return "ok", box.get("value")


def describe(exc: BaseException) -> str:
    """One line naming an exception."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300]


def is_clean(exc: BaseException) -> bool:
    """True for a named, explained refusal (not ``struct.error``, ``IndexError``, ...)."""
    return isinstance(exc, CLEAN_ERRORS)


class Deadline:
    """A time budget: ``left()`` seconds remain until ``expired()``."""

    def __init__(self, seconds: float | None) -> None:
        self.end = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def left(self) -> float:
        return float("inf") if self.end is None else max(0.0, self.end - time.monotonic())
