"""The configuration matrix: the conformance checks over the configurations one run cannot see.

The main checks run one configuration (2 users, one write-event slot, a checkpointer and page
cleaner that keep up). Several parts of the design are invisible there: with one event slot the
slot mapping (NT-3) cannot be wrong; with two users a few guards never bind; 9.0 ran only
stepped; with a fast checkpointer the log never fills, so log_free_check never binds. Each row
of :data:`MATRIX` is one configuration, in one of two modes:

* ``stepped``: :class:`conformance.stepped.SteppedMachine` (with its forbidden steps) on the
  row's spec ``Params``;
* ``threaded``: :func:`conformance.trace_check.check_workload` (real threads, the trace replayed
  through the spec) with the row's ``Params`` and timing knobs (``LogConfig`` overrides: a slow
  checkpointer and page cleaner so that the log fills).

Every row names its **class** (``stepped-8.0``, ``stepped-9.0``, ``threaded-8.0``,
``threaded-9.0``, each with slots / users / full-log / edges / large-lsn variants). The check
``matrix-ci`` runs one representative per class (``ci=True``) with a small budget per row (it
is part of the test suite and of ``redospec mutants``); the check ``matrix`` runs every row
(``redospec fuzz --check matrix``), with budgets scaled by the settings' ``max_examples``.

Capacity: the spec keeps one write-ahead region and a block free at every reservation
(log_free_check's margin), and the writer's data stops one write-ahead region before the
checkpoint's block one lap later (MySQL's ``lsn_capacity_for_writer``), so the writer never has
to wait for a checkpoint: in the ``full`` rows the reservation guard binds (the spec disables
``user_reserve``; the implementation's ``reserve`` waits, counted as
``reserve_capacity_waits``, and its soft 3/4 check as ``free_check_waits``) while the writer's
own limit never binds (``writer_checkpoint_limited`` stays 0). A writer or a reservation that
breaks either margin is seen by the forbidden steps and by the replay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import HealthCheck, given
from hypothesis import settings as Settings
from hypothesis.stateful import run_state_machine_as_test

from conformance import checks, trace_check
from conformance.params_map import WRAP_CHANGES, conformance_params
from conformance.report import LIVE
from conformance.stepped import SteppedMachine, _settings
from spec.params import Params

SLOW: dict[str, Any] = dict(checkpoint_every_ms=15, page_cleaner_every_ms=15,
                            max_dirty_pages_pct=90, flush_age_pct=50)
"""Timing of the threaded full-log rows: the checkpointer and the page cleaner wake every 15 ms
and flush only when most pages are dirty or the oldest change is half the capacity old."""

FULL: dict[str, Any] = dict(file_size=4096, write_ahead_size=1024, group_sizes=(200, 250))
"""Small files (4096 lsn bytes) and big groups: the log fills within a run."""


@attrs.frozen
class Row:
    """One configuration: ``name``, ``klass``, ``mode`` (stepped / threaded), the spec Params
    ``changes`` (from :func:`conformance.params_map.conformance_params`), the threaded
    ``timing`` and whether the row represents its class in CI."""

    name: str
    klass: str
    mode: str
    changes: dict[str, Any]
    timing: dict[str, Any] = attrs.field(factory=dict)
    ci: bool = False
    doc: str = ""
    machine: dict[str, Any] = attrs.field(factory=dict)
    """Class attributes of a stepped row's machine (``min_steps_before_crash``: crash and
    restart within the row's runs, as the ``restart`` check does)."""

    @property
    def params(self) -> Params:
        return conformance_params(**self.changes)


def _slots(n: int) -> dict[str, Any]:
    return dict(write_events=n, flush_events=n)


EDGES: dict[str, Any] = dict(group_sizes=(62, 124, 248), n_pages=5, recent_closed_size=128)
"""Group sizes that divide a block's 496 data bytes (every sn a group starts at is a multiple
of 62): one group end in eight falls exactly on a block's data end, so its end_lsn is the next
block's first data byte (first_rec_group 12, USR-2), writes end on a block boundary (a
header-only incomplete block, WR-4), checkpoints and restarts land at block starts (CP-7,
facts §8.4). With the main sizes (30, 200, 250) every group end is a multiple of 10 sn bytes,
so a block's data end is reached once in 2,480 bytes and these boundary cases almost never
happen. Five pages over two flush lists (with
three, ``page_no - 2`` and ``page_no % 2`` pick the same list for every page) and an order lag
of 128, below most group sizes, so that CP-3's wait binds in most runs instead of only when the
closer lags 512 bytes behind. No crashes inside the row's 150 steps: with an order lag that is
not a multiple of the block size a checkpoint lsn can fall inside a block header, and there the
spec's restart and ``RedoLog.open`` resume at different lsns (docs/conformance.md, "Not done");
a CI row must not fail by chance."""


HDR_NO_WRAP_LSN = 2**30 * 512
"""lsn 2^39, where block numbers wrap (``hdr_no = lsn // 512 % 2^30 + 1``, FMT-3). Logs start at
lsn 8192 unless created anew at a higher lsn (the redo files re-created at the current lsn):
the ``lsn`` rows start just below this and just below 2^32, so every lsn field, every
block-number test and every lsn-to-offset computation runs on values a fresh log takes years
to reach."""


MATRIX: tuple[Row, ...] = (
    # stepped 8.0: slots, users, full log
    Row("s80-u1-s2", "stepped-8.0-slots", "stepped", dict(n_user_threads=1, **_slots(2)),
        doc="one user, 2 write and 2 flush slots"),
    Row("s80-u3-s4", "stepped-8.0-slots", "stepped", dict(n_user_threads=3, **_slots(4)),
        ci=True, doc="3 users, 4 write and 4 flush slots (NT-3 mapping in play)"),
    Row("s80-u4-s2", "stepped-8.0-users", "stepped", dict(n_user_threads=4, **_slots(2)),
        ci=True, doc="4 users, 2 slots: CP-3 and LNK-4 bind with more groups in flight"),
    Row("s80-u2-full", "stepped-8.0-full", "stepped",
        dict(n_user_threads=2, **_slots(2), **WRAP_CHANGES), doc="the log fills"),
    Row("s80-u4-full", "stepped-8.0-full", "stepped",
        dict(n_user_threads=4, **_slots(2), **WRAP_CHANGES), ci=True,
        doc="4 users, the log fills: log_free_check binds (reservations forbidden)"),
    Row("s80-u2-edges", "stepped-8.0-edges", "stepped",
        dict(n_user_threads=2, **_slots(2), **EDGES), ci=True,
        doc="groups end exactly at block data ends (first_rec_group 12, header-only blocks, "
            "checkpoints at block starts); 5 pages, order lag 128"),
    Row("s80-u2-lsn39", "stepped-8.0-lsn", "stepped",
        dict(n_user_threads=2, **_slots(2), start_lsn=HDR_NO_WRAP_LSN - 1024, max_crashes=3),
        ci=True, machine=dict(min_steps_before_crash=12),
        doc="a log created two blocks below lsn 2^39: block numbers wrap from 2^30 to 1 "
            "within the run (FMT-3), with crashes and restarts (RedoLog.open) across the wrap"),
    Row("s80-u3-lsn32", "stepped-8.0-lsn", "stepped",
        dict(n_user_threads=3, **_slots(4), start_lsn=2**32 - 1024),
        doc="a log created two blocks below lsn 2^32: every lsn field passes 32 bits"),
    # stepped 9.0 (the existing Machine90 design)
    Row("s90-u3-s4", "stepped-9.0", "stepped",
        dict(version="9.0", n_user_threads=3, **_slots(4)), ci=True,
        doc="9.0 tracker, 3 users, 4 slots"),
    Row("s90-u4-full", "stepped-9.0-full", "stepped",
        dict(version="9.0", n_user_threads=4, **_slots(2), **WRAP_CHANGES),
        doc="9.0 tracker, the log fills"),
    # threaded 8.0 and 9.0
    Row("t80-u1-s2", "threaded-8.0", "threaded",
        dict(explore_crashes=False, n_user_threads=1, **_slots(2))),
    Row("t80-u4-s4", "threaded-8.0", "threaded",
        dict(explore_crashes=False, n_user_threads=4, **_slots(4)), ci=True,
        doc="4 user threads, 4 slots"),
    Row("t80-u4-full", "threaded-8.0-full", "threaded",
        dict(explore_crashes=False, n_user_threads=4, **_slots(2), **FULL), timing=SLOW,
        ci=True, doc="4 user threads, slow checkpointer and page cleaner: the log fills"),
    Row("t80-u3-lsn39", "threaded-8.0-lsn", "threaded",
        dict(explore_crashes=False, n_user_threads=3, **_slots(2),
             start_lsn=HDR_NO_WRAP_LSN - 1024), ci=True,
        doc="3 user threads on a log created two blocks below the block-number wrap"),
    Row("t90-u2-s2", "threaded-9.0", "threaded",
        dict(explore_crashes=False, version="9.0", n_user_threads=2, **_slots(2)), ci=True,
        doc="9.0 tracker under real threads"),
    Row("t90-u4-full", "threaded-9.0-full", "threaded",
        dict(explore_crashes=False, version="9.0", n_user_threads=4, **_slots(4), **FULL),
        timing=SLOW, doc="9.0, 4 user threads, the log fills"),
)
"""Every configuration; ``ci=True`` marks one representative per class."""



def row_named(name: str) -> Row:
    for row in MATRIX:
        if row.name == name:
            return row
    raise KeyError(f"unknown matrix row {name!r}; choose one of "
                   f"{', '.join(r.name for r in MATRIX)}")


_MACHINES: dict[str, type[SteppedMachine]] = {}


def machine_for(row: Row) -> type[SteppedMachine]:
    """A SteppedMachine subclass for ``row`` (one class per row, so Hypothesis keys its
    example database by the row)."""
    cls = _MACHINES.get(row.name)
    if cls is None:
        name = "Matrix_" + row.name.replace("-", "_")
        cls = type(name, (SteppedMachine,), {"params": row.params, "check_name": "matrix",
                                            "__module__": __name__, **row.machine})
        globals()[name] = cls
        _MACHINES[row.name] = cls
    return cls


STEPPED_EXAMPLES_DIVISOR = 6
"""A stepped row runs ``max_examples // 6`` examples (10 at the CI profile's 60) of ..."""
STEPPED_STEPS = 150
"""... at least this many steps each (the full-log rows fill the files in about 60)."""
THREADED_EXAMPLES_DIVISOR = 15
"""A threaded row runs ``max_examples // 15`` workloads (4 at the CI profile)."""
THREADED_GROUPS = 20


def run_row(row: Row, settings: Settings) -> None:
    """Run one row under ``settings`` (budget scaled as documented above)."""
    LIVE.matrix[row.name] += 1
    suppress = {*settings.suppress_health_check, HealthCheck.too_slow,
                HealthCheck.filter_too_much}
    if row.mode == "stepped":
        budget = Settings(settings,
                          max_examples=max(2, settings.max_examples // STEPPED_EXAMPLES_DIVISOR),
                          suppress_health_check=sorted(suppress, key=lambda h: h.value))
        run_state_machine_as_test(machine_for(row), settings=_settings(budget, STEPPED_STEPS))
        return
    p = row.params
    tbudget = Settings(settings, deadline=None,
                       max_examples=max(1, settings.max_examples // THREADED_EXAMPLES_DIVISOR),
                       suppress_health_check=sorted(suppress, key=lambda h: h.value))

    @tbudget
    @given(workload=trace_check.workloads(p, THREADED_GROUPS))
    def threaded_row(workload: list[list[trace_check.Group]]) -> None:
        trace_check.check_workload(p, workload, row.timing)

    threaded_row.__name__ = "threaded_" + row.name.replace("-", "_")
    threaded_row()


def _run_rows(rows: list[Row], settings: Settings,
              progress: Callable[[str], None] | None = None) -> None:
    for row in rows:
        start = time.monotonic()
        try:
            run_row(row, settings)
        except checks.ConformanceFailure as exc:
            raise checks.ConformanceFailure(exc.check, f"matrix row {row.name}: {exc}") from exc
        if progress is not None:
            progress(f"matrix {row.name}: ok in {time.monotonic() - start:.1f} s")


@checks.reports
def run_ci(settings: Settings) -> None:
    """The check ``matrix-ci``: one representative row per configuration class."""
    _run_rows([r for r in MATRIX if r.ci], settings)


@checks.reports
def run(settings: Settings) -> None:
    """The check ``matrix``: every row of :data:`MATRIX`."""
    _run_rows(list(MATRIX), settings)
