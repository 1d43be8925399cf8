"""The one renderer of the command line's results: aligned text tables, JSON, progress lines.

Imports nothing of the project (like :mod:`redospec.errors`), so every part's command-line
module can render with it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Sequence
from typing import Any


def table(rows: Sequence[Sequence[str]], *, right: Collection[int] = (),
          pad_last: bool = True) -> str:
    """``rows[0]`` is the header: columns separated by two spaces, a rule of dashes under the
    header, trailing blanks stripped. Columns whose index is in ``right`` are right-aligned
    (numbers). With ``pad_last=False`` the last column's rule is only as wide as its header
    (a free-text column such as a summary)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if not pad_last:
        widths[-1] = len(rows[0][-1])

    def line(row: Sequence[str]) -> str:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    lines = [line(row) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """``obj`` as JSON text; ``indent=None`` gives one line (one object per line of output)."""
    return json.dumps(obj, indent=indent, default=str)


def progress(text: str) -> None:
    """A progress line on stderr, overwritten in place on a terminal."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text)
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


def progress_done() -> None:
    """Clear the in-place progress line on a terminal (nothing to do in a log)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
