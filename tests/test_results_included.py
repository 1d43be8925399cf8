"""Figures are generated, never copied: the README and docs include the results files' sections
(bench/include.py), and this test fails when a document is out of date with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import include


def test_documents_hold_the_current_results() -> None:
    assert include.stale() == [], "run: .venv/bin/python -m bench.include"


def test_every_marker_names_an_existing_section() -> None:
    for path in include.documents():
        for m in include.REGION.finditer(path.read_text("utf-8")):
            include.section_of(m.group("ref"))   # raises IncludeError naming the marker


def _repo(tmp_path: Path, figure: str) -> Path:
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "RESULTS-x.md").write_text(
        f"# X\n\n## Speed (tiny)\n\nmeasured 2026-12-02 on vm\n\n| a |\n|---|\n| {figure} |\n\n"
        "## Other\n\nnot this\n")
    (tmp_path / "README.md").write_text(
        "intro\n<!-- results: bench/RESULTS-x.md#speed-tiny -->\nold figure 41\n"
        "<!-- /results -->\noutro\n")
    return tmp_path


def test_a_stale_region_is_found_and_rewritten(tmp_path: Path) -> None:
    """Teeth: a document whose region holds an old figure is reported, and rendering puts the
    section (and only it) in."""
    root = _repo(tmp_path, "31.2")
    assert include.stale(root) == ["README.md"]
    text = include.render((root / "README.md").read_text(), root)
    assert "| 31.2 |" in text and "old figure 41" not in text and "not this" not in text
    assert text.startswith("intro\n") and text.endswith("<!-- /results -->\noutro\n")
    (root / "README.md").write_text(text)
    assert include.stale(root) == []


def test_unknown_section_is_an_error(tmp_path: Path) -> None:
    root = _repo(tmp_path, "1")
    with pytest.raises(include.IncludeError, match="no section #nope"):
        include.section_of("bench/RESULTS-x.md#nope", root)


def test_replace_section_keeps_the_rest() -> None:
    text = "# T\n\n## A\n\nold\n\n## B\n\nkeep\n"
    assert include.replace_section(text, "a", "new") == "# T\n\n## A\n\nnew\n\n## B\n\nkeep\n"
