"""The campaign reports from a known result: JSON keys and values, one JUnit test case per check
with a failure where a check failed, and a self-contained HTML page (inline SVG plot, text
escaped). The reports of a real campaign are checked in test_campaign.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from campaign import report
from campaign.runner import Failure, Result, Sample


def _result() -> Result:
    r = Result(db="/db", workers=2, targets=["stepped", "crash"], minutes=1.0,
               mutant="no_flush_bit", seconds=61.5, ended="time is up")
    r.examples = {"stepped": 40, "crash": 20}
    r.actions = {"stepped": {"writer_write": 7, "user_reserve": 12}, "threaded": {}}
    r.samples = [Sample(5.0, 10, 2.0, 4, 0), Sample(10.0, 30, 4.0, 9, 1),
                 Sample(61.5, 60, 0.6, 9, 1)]
    r.failures = [Failure(check="crash", what="abstraction files[0][0].flush_bit",
                          message="flush bit <missing> & wrong", schedule="state = M()\nstep",
                          replay="redospec fuzz --replay --db /db --target crash", worker=1,
                          found_after=9.5, seen=3)]
    return r


def test_json_report(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    report.write_json(_result(), path)
    data = json.loads(path.read_text())
    assert data["workers"] == 2 and data["examples"] == 60 and data["seconds"] == 61.5
    assert data["examples_per_second"] == round(60 / 61.5, 2)
    assert [s["examples"] for s in data["samples"]] == [10, 30, 60]
    assert data["action_coverage"]["stepped"] == {"writer_write": 7, "user_reserve": 12}
    assert data["checks"]["stepped"] == {"examples": 40, "failures": []}
    [failure] = data["checks"]["crash"]["failures"]
    assert failure["what"] == "abstraction files[0][0].flush_bit" and failure["seen"] == 3
    assert failure["replay"].endswith("--target crash") and "check" not in failure


def test_junit_report(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    report.write_junit(_result(), path)
    suite = ET.parse(path).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"stepped", "crash"}
    assert cases["stepped"].find("failure") is None
    failure = cases["crash"].find("failure")
    assert failure is not None
    assert failure.get("message") == "crash: abstraction files[0][0].flush_bit"
    assert "state = M()" in (failure.text or "") and "--target crash" in (failure.text or "")


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    report.write_html(_result(), path)
    page = path.read_text()
    assert page.count("<svg") == 1 and "</svg>" in page
    assert "flush bit &lt;missing&gt; &amp; wrong" in page   # escaped, not markup
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert "writer_write" in page and "no_flush_bit" in page
