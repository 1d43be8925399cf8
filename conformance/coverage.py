"""Action coverage: how often each spec action fired in exploration, stepped conformance and
threaded runs.

An action that never fires is a hole in the evidence: the spec may say something about it,
but nothing held the implementation to it. ``tests/conformance/test_coverage.py`` fails when an
action of the conformance configuration never fired in the stepped runs of the CI profile.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from conformance.report import LIVE, Report
from redospec import output


def table(exploration: Mapping[str, int] | None = None,
          names: tuple[str, ...] = (),
          report: Report = LIVE) -> list[tuple[str, int | None, int, int]]:
    """Rows ``(action, exploration, stepped, threaded)`` for every action in ``names`` and
    every action that fired anywhere in ``report`` (by default: every run of this process;
    exploration None when it was not run)."""
    stepped: Counter[str] = report.actions["stepped"]
    threaded: Counter[str] = report.actions["threaded"]
    every = dict.fromkeys(names)
    for source in (exploration or {}, stepped, threaded):
        every.update(dict.fromkeys(source))
    return [(name, (exploration or {}).get(name) if exploration is not None else None,
             stepped[name], threaded[name]) for name in every]


def never_fired(names: tuple[str, ...], source: str, report: Report = LIVE) -> list[str]:
    """The actions of ``names`` that did not fire in ``source`` (``stepped``/``threaded``) of
    ``report``."""
    fired = report.actions[source]
    return [name for name in names if not fired[name]]


def format_table(rows: list[tuple[str, int | None, int, int]]) -> str:
    """The coverage rows as a text table (times each action fired per source)."""
    cells = [["action", "explore", "stepped", "threaded"]]
    cells += [[name, "-" if ex is None else str(ex), str(st), str(th)] for name, ex, st, th in rows]
    return output.table(cells, right={1, 2, 3})
