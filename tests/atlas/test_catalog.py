"""``redospec actions`` / ``redospec properties``: every action of every
variant and every property listed once with its requirement IDs (the traceability's source),
ranges in docstrings expanded, summaries cut at the first sentence, --json, bad input."""

from __future__ import annotations

import json

import pytest

from atlas.catalog import action_rows, parse_ids, property_rows, summary
from redospec.cli import main
from spec.invariants import PROPERTIES
from spec.model import RedoModel
from spec.params import Params


def test_parse_ids_expands_ranges() -> None:
    assert parse_ids("FMT-3..5, WR-6 (and WR-6 again); RC-1..RC-2, NT-4/USR-7") == [
        "FMT-3", "FMT-4", "FMT-5", "WR-6", "RC-1", "RC-2", "NT-4", "USR-7"]
    assert parse_ids("no ids here, X-1 too short") == []


def test_summary_is_the_first_sentence() -> None:
    assert summary("LNK-1: a thing, i.e. this one. Then more.\n\nOther") == (
        "LNK-1: a thing, i.e. this one.")
    assert summary("One line\nwrapped here. Second.") == "One line wrapped here."


def test_every_action_of_every_variant_listed_once() -> None:
    """The rows are exactly the actions the model offers in 8.0, 9.0 and with crashes."""
    names = set()
    for version in ("8.0", "9.0"):
        p = Params.tiny().evolve(version=version, explore_crashes=True)
        names |= set(RedoModel(p).action_names())
    rows = action_rows()
    assert sorted(r["name"] for r in rows) == sorted(names)
    assert all(r["ids"] and r["summary"] for r in rows)
    v80 = {r["name"] for r in action_rows("8.0")}
    assert "user_add_recent_closed_link" in v80 and "user_report_added" not in v80
    assert v80 | {"crash", "recover"} >= set(RedoModel(Params.tiny()).action_names())


def test_properties_listed_with_ids() -> None:
    rows = property_rows()
    assert [r["name"] for r in rows] == [p.name for p in PROPERTIES]
    byname = {r["name"]: r for r in rows}
    assert byname["wr6_write_ahead"]["ids"] == ["WR-6"]
    assert byname["wr6_write_ahead"]["kind"] == "step"
    # fmt_blocks_well_formed's docstring cites WR-4 beside its declared FMT IDs
    assert "WR-4" in byname["fmt_blocks_well_formed"]["mentioned"]


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"name", "actor", "variant", "ids", "mentioned", "summary"} <= set(rows[0])
    assert main(["properties"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["name", "kind", "ids"]
    assert out.rstrip().endswith(f"{len(PROPERTIES)} properties")
    assert main(["actions", "--version", "7.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("redospec actions: ")
