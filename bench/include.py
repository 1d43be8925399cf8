"""Figures in the README and docs come from the results files, by generation, never by hand.

A document marks where a section of a results file goes::

    <!-- results: bench/RESULTS-explore.md#exhaustive-presets -->
    ...the section's text, written here by this script...
    <!-- /results -->

A section is the text under a markdown heading of the results file up to the next heading of
the same or a higher level (the heading line itself is not included); ``#slug`` is the
heading's GitHub anchor (lower case, punctuation dropped, spaces as dashes). The benchmarks
write the results files (``--update-results``), with the date and the machine in each section;
this script copies the sections into the documents:

    .venv/bin/python -m bench.include            # rewrite every marked region
    .venv/bin/python -m bench.include --check    # exit 1 naming each region out of date

``tests/test_results_included.py`` runs the check, so a results file changed without the
documents following fails the suite.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "docs/*.md")
"""The documents that may include results (globs relative to the repository)."""

REGION = re.compile(r"(<!-- results: (?P<ref>[^ ]+?) -->\n)(?P<body>.*?)(<!-- /results -->)",
                    re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


class IncludeError(Exception):
    """A marker names a file or a section that does not exist."""


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: ``"Exhaustive presets (tiny, small)"`` ->
    ``"exhaustive-presets-tiny-small"``."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def sections(text: str) -> dict[str, str]:
    """Every section of a markdown text by slug: the lines under its heading up to the next
    heading of the same or a higher level, stripped of blank lines at both ends."""
    lines = text.splitlines()
    heads = [(i, len(m.group(1)), slug(m.group(2)))
             for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    out: dict[str, str] = {}
    for k, (i, level, name) in enumerate(heads):
        end = next((j for j, lv, _ in heads[k + 1:] if lv <= level), len(lines))
        out.setdefault(name, "\n".join(lines[i + 1:end]).strip("\n"))
    return out


def section_of(ref: str, root: Path = ROOT) -> str:
    """The text ``ref`` (``path#slug``) names."""
    path, _, name = ref.partition("#")
    file = root / path
    if not file.is_file():
        raise IncludeError(f"{ref}: no file {path}")
    found = sections(file.read_text("utf-8"))
    if name not in found:
        raise IncludeError(f"{ref}: {path} has no section #{name} "
                           f"(sections: {', '.join(found)})")
    return found[name]


def render(document: str, root: Path = ROOT) -> str:
    """``document`` with every marked region holding its section's current text."""
    def fill(m: re.Match[str]) -> str:
        return f"{m.group(1)}{section_of(m.group('ref'), root)}\n{m.group(4)}"

    return REGION.sub(fill, document)


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the body of section ``name`` replaced by ``body`` (for the benchmarks'
    ``--update-results``); the section must exist."""
    lines = text.splitlines()
    heads = [(i, len(m.group(1)), slug(m.group(2)))
             for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    for k, (i, level, found) in enumerate(heads):
        if found == name:
            end = next((j for j, lv, _ in heads[k + 1:] if lv <= level), len(lines))
            tail = ["", *lines[end:]] if end < len(lines) else []
            return "\n".join([*lines[:i + 1], "", body.strip("\n"), *tail]) + "\n"
    raise IncludeError(f"no section #{name}")


def documents(root: Path = ROOT) -> list[Path]:
    return sorted({p for pattern in DOCUMENTS for p in root.glob(pattern)})


def stale(root: Path = ROOT) -> list[str]:
    """The documents whose marked regions differ from their sections (relative paths)."""
    out = []
    for path in documents(root):
        text = path.read_text("utf-8")
        if render(text, root) != text:
            out.append(str(path.relative_to(root)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.include",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 naming the documents that are out of date")
    args = ap.parse_args(argv)
    try:
        if args.check:
            old = stale()
            for name in old:
                print(f"{name}: included results are out of date; run python -m bench.include",
                      file=sys.stderr)
            return 1 if old else 0
        for path in documents():
            text = path.read_text("utf-8")
            new = render(text)
            if new != text:
                path.write_text(new, "utf-8")
                print(f"updated {path.relative_to(ROOT)}", file=sys.stderr)
    except IncludeError as exc:
        print(f"python -m bench.include: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
