"""``redospec docs build``: every action and property has its page and
anchor, every requirement ID is in the traceability matrix and one nobody models or tests is
listed as a gap, figures are byte-identical between builds, and the Sphinx build passes with
warnings as errors (a broken reference fails it) in well under 60 s."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from atlas import book
from atlas.catalog import all_actions
from spec.invariants import PROPERTIES


@pytest.fixture(scope="module")
def site() -> book.Site:
    return book.generate(book.ROOT)


UNMODELLED = "SYS" + "-99"
"""A requirement ID that exists in no catalog (spelled in two parts, so that the check that every
ID cited in the code is in docs/requirements.md does not take this example for a citation)."""


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory: pytest.TempPathFactory) -> book.Site:
    """The site generated from a root with only a requirement catalog (no tests, proofs or
    seeded bugs): one more requirement that nothing models."""
    root = tmp_path_factory.mktemp("root")
    (root / "docs").mkdir()
    (root / "docs" / "requirements.md").write_text(
        "# Requirements\n\n- WR-6 No file write needs a read.\n"
        f"- {UNMODELLED} A requirement nobody models,\n  continued on a second line.\n")
    return book.generate(root)


def test_every_action_and_property_has_a_page(site: book.Site) -> None:
    text = "\n".join(site.pages.values())
    for a in all_actions():
        assert f".. _action-{a.name}:" in site.pages[f"actors/{a.actor}.rst"], a.name
        assert f"{a.name}-before.svg" in site.figures, a.name  # a worked example, drawn
        assert f":ref:`{a.name} <action-{a.name}>`" in site.pages["index.rst"]
    for p in PROPERTIES:
        page = site.pages[f"properties/{p.name}.rst"]
        assert f".. _property-{p.name}:" in page
        assert f"properties/{p.name}" in site.pages["index.rst"]
        # its broken variant's shortest counterexample, drawn step by step
        assert "Broken variant" in page and ".. image:: /figures/cx-" in page, p.name
    assert "def writer_write(" in site.pages["actors/writer.rst"]  # guard and effect source
    assert ":ref:`WR-6 <req-wr-6>`" in site.pages["actors/writer.rst"]
    assert "test_wr6" in site.pages["properties/wr6_write_ahead.rst"]  # its teeth test
    assert len(re.findall(r"^\.\. _req-", text, re.M)) >= 57


def test_every_requirement_in_the_matrix(site: book.Site) -> None:
    """Every ID of the requirement catalog (when present) and every ID the spec declares has
    an entry in the matrix."""
    reqs, _ = book.read_requirements(book.ROOT)
    matrix = site.pages["traceability.rst"]
    ids = set(reqs)
    for a in all_actions():
        ids |= set(a.ids)
    for p in PROPERTIES:
        ids |= set(p.ids)
    for rid in ids:
        assert f".. _req-{rid.lower()}:" in matrix, rid


def test_gap_listed_not_hidden(bare_site: book.Site) -> None:
    matrix = bare_site.pages["traceability.rst"]
    entry = matrix.split(".. _req-sys-99:")[1]
    assert "A requirement nobody models, continued on a second line." in entry
    assert "* status: GAP: no test" in entry
    assert f":ref:`{UNMODELLED} <req-sys-99>`" in matrix.split(".. list-table::")[0]  # in the gaps


def test_figures_byte_identical(site: book.Site, bare_site: book.Site) -> None:
    """Two generations (different roots, same spec) give the same figures, byte for byte."""
    assert site.figures == bare_site.figures
    assert len(site.figures) >= len(all_actions()) * 2


def test_parse_catalog_table_with_passages() -> None:
    """docs/requirements.md's table: ``| ID | what it requires | from |``."""
    text = ("| ID | what it requires | from |\n|---|---|---|\n"
            "| FMT-1 | Blocks of `512` bytes. | 8.0: log blocks |\n| WR-6 | No read. | |\n")
    texts, passages = book.parse_catalog(text)
    assert texts == {"FMT-1": "Blocks of `512` bytes.", "WR-6": "No read."}
    assert passages == {"FMT-1": "8.0: log blocks"}


def test_parse_requirements_formats() -> None:
    text = ("- FMT-1 Blocks of 512 bytes.\n  More text.\n\n| WR-6 | No read. |\n"
            "**CP-4** checkpoint_lsn never goes back.\n## Heading\nNT-1: notifier.\n")
    assert book.parse_requirements(text) == {
        "FMT-1": "Blocks of 512 bytes. More text.", "WR-6": "No read.",
        "CP-4": "checkpoint_lsn never goes back.", "NT-1": "notifier."}


def test_md_inline_markup() -> None:
    assert book.md_inline("a `x`y **b** [t](u) *") == "a ``x``\\ y **b** t (u) \\*"
    assert book.md_inline("live *without* them, 2 * 3") == "live *without* them, 2 \\* 3"


def test_sphinx_build(site: book.Site, tmp_path: Path) -> None:
    """The whole site builds with -W (warnings are errors) in under 60 s; every page has its
    HTML."""
    pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install -e '.[docs]')")
    started = time.perf_counter()
    rc, built, _ = book.build(tmp_path / "out")
    assert rc == 0
    assert time.perf_counter() - started < 60
    html = tmp_path / "out" / "html"
    for name in built.pages:
        if name.endswith(".rst"):
            assert (html / name.replace(".rst", ".html")).exists(), name
    assert built.figures == site.figures


def test_broken_reference_fails_the_build(tmp_path: Path) -> None:
    """Teeth for "no broken links": a page referring to a label that does not exist fails
    the -W build."""
    pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install -e '.[docs]')")
    from sphinx.cmd.build import build_main

    bad = book.Site(pages={"conf.py": book.CONF,
                           "index.rst": "Title\n=====\n\nSee :ref:`nowhere`.\n"})
    book.write_site(bad, tmp_path / "src")
    rc = build_main(["-q", "-b", "html", "-W", "-E", str(tmp_path / "src"),
                     str(tmp_path / "html")])
    assert rc != 0


def test_cli_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert book.main(["docs"]) == 2
    assert book.main(["docs", "publish"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("redospec docs: ") for e in err)
