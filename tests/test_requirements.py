"""The project's requirement catalog (docs/requirements.md) and the IDs cited in the code agree.

Every ID cited anywhere in the code (``spec``, ``proofs``, ``impl``, ``conformance``,
``redospec``, ``bench``, ``tests``), including the ones inside ranges such as ``FMT-3..8`` or
``RC-1..RC-4``, must be explained in docs/requirements.md, so that an ID in a docstring always
means something to a reader of this repository; and every ID the catalog lists must be cited
somewhere, so that the catalog does not describe requirements nothing models or checks.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE = ("spec", "proofs", "impl", "conformance", "redospec", "bench", "tests")
PREFIXES = "FMT|USR|LNK|WR|FL|NT|CP|RC|SYS"
CITED = re.compile(rf"\b({PREFIXES})-(\d+)(?:\s*\.\.\s*(?:\1-)?(\d+))?\b")
LISTED = re.compile(rf"^\| ({PREFIXES})-(\d+) \|", re.MULTILINE)


def cited_ids(text: str) -> set[str]:
    """IDs in ``text``, ranges expanded: ``FMT-3..5`` -> FMT-3, FMT-4, FMT-5."""
    ids = set()
    for prefix, first, last in CITED.findall(text):
        end = int(last) if last else int(first)
        ids |= {f"{prefix}-{n}" for n in range(int(first), max(int(first), end) + 1)}
    return ids


def code_ids() -> dict[str, set[str]]:
    """ID -> files citing it (this test file excluded: its examples are not citations)."""
    where: dict[str, set[str]] = {}
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            if path.resolve() == Path(__file__).resolve():
                continue
            for rid in cited_ids(path.read_text(encoding="utf-8")):
                where.setdefault(rid, set()).add(str(path.relative_to(REPO)))
    return where


def catalog_ids() -> set[str]:
    text = (REPO / "docs" / "requirements.md").read_text(encoding="utf-8")
    return {f"{p}-{n}" for p, n in LISTED.findall(text)}


def test_range_expansion() -> None:
    assert cited_ids("FMT-3..5, RC-1..RC-2 and WR-6") == {"FMT-3", "FMT-4", "FMT-5", "RC-1",
                                                         "RC-2", "WR-6"}
    assert cited_ids("CP-10") == {"CP-10"} and cited_ids("XX-1 WR6") == set()


def test_every_cited_id_is_in_the_catalog() -> None:
    missing = {rid: sorted(files)[:3] for rid, files in code_ids().items()
               if rid not in catalog_ids()}
    assert not missing, f"IDs cited in the code but not explained in docs/requirements.md: " \
                        f"{missing}"


def test_every_catalog_id_is_cited() -> None:
    uncited = sorted(catalog_ids() - set(code_ids()))
    assert not uncited, f"docs/requirements.md lists IDs nothing cites: {uncited}"


def test_catalog_covers_every_area() -> None:
    """One table row per ID, each with a description and a source column."""
    text = (REPO / "docs" / "requirements.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if LISTED.match(line + " ")]
    assert len(rows) == len(catalog_ids()) >= 57
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and len(cells[1]) > 30 and cells[2], row
