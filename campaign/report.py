"""Campaign reports: JSON (``--report``), self-contained HTML with a plot (``--html``) and
JUnit XML (``--junit``, one test case per check, a failure per distinct failure).

The JSON keys: ``seconds``, ``workers``, ``db``, ``targets``, ``mutant``, ``ended``,
``examples`` (total), ``examples_per_second``, ``samples`` (per progress interval: ``seconds``,
``examples``, ``rate``, ``actions_fired``, ``failures``), ``action_coverage`` (spec action ->
times it fired, per source ``stepped`` / ``threaded``, as ``redospec check`` prints),
``checks`` (per check: ``examples``, ``failures``: ``[{"what", "message", "schedule",
"replay", "worker", "found_after", "flaky", "seen"}]``), ``db_error``, ``worker_errors``.
"""

from __future__ import annotations

import html
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs

from campaign.runner import Result


def as_dict(result: Result) -> dict[str, Any]:
    checks: dict[str, dict[str, Any]] = {
        name: {"examples": result.examples.get(name, 0), "failures": []}
        for name in result.targets}
    for name, n in result.examples.items():
        checks.setdefault(name, {"examples": n, "failures": []})
    for f in result.failures:
        entry = checks.setdefault(f.check, {"examples": 0, "failures": []})
        entry["failures"].append({k: v for k, v in attrs.asdict(f).items() if k != "check"})
    return {
        "seconds": round(result.seconds, 2),
        "workers": result.workers,
        "db": result.db,
        "targets": result.targets,
        "mutant": result.mutant,
        "ended": result.ended,
        "examples": result.total_examples,
        "examples_per_second": round(result.total_examples / max(1e-9, result.seconds), 2),
        "samples": [attrs.asdict(s) for s in result.samples],
        "action_coverage": result.actions,
        "checks": checks,
        "db_error": result.db_error,
        "worker_errors": result.worker_errors,
    }


def write_json(result: Result, path: Path) -> None:
    path.write_text(json.dumps(as_dict(result), indent=2) + "\n")


def junit(result: Result) -> ET.Element:
    """``<testsuite>`` with one ``<testcase>`` per check; a ``<failure>`` per distinct failure
    (message: what caught it; text: the message, the schedule and the replay command)."""
    failing = {f.check for f in result.failures}
    suite = ET.Element("testsuite", name="redospec fuzz", tests=str(len(result.targets)),
                       failures=str(len(failing)), errors="0", skipped="0",
                       time=f"{result.seconds:.2f}")
    for name in result.targets:
        case = ET.SubElement(suite, "testcase", classname="redospec.fuzz", name=name,
                             time=f"{result.seconds:.2f}")
        ET.SubElement(case, "system-out").text = (
            f"{result.examples.get(name, 0)} examples with {result.workers} workers")
        for f in result.failures:
            if f.check == name:
                fail = ET.SubElement(case, "failure", message=f"{f.check}: {f.what}",
                                     type="ConformanceFailure")
                fail.text = (f"{f.message}\n\nshrunk schedule:\n{f.schedule}\n\n"
                             f"replay with:\n  {f.replay}\n")
    return suite


def write_junit(result: Result, path: Path) -> None:
    tree = ET.ElementTree(junit(result))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def plot_svg(result: Result) -> str:
    """An SVG of examples run and spec actions covered over time (matplotlib, no files)."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    t = [s.seconds / 60 for s in result.samples]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    try:
        ax1.plot(t, [s.examples for s in result.samples], marker=".", label="examples run")
        ax1.set_ylabel("examples run")
        rate = ax1.twinx()
        rate.plot(t, [s.rate for s in result.samples], color="tab:orange", marker=".",
                  label="examples/s")
        rate.set_ylabel("examples/s")
        ax1.legend(loc="upper left")
        rate.legend(loc="lower right")
        ax2.step(t, [s.actions_fired for s in result.samples], where="post", color="tab:green",
                 label="spec actions fired (coverage)")
        ax2.step(t, [s.failures for s in result.samples], where="post", color="tab:red",
                 label="distinct failures")
        ax2.set_ylabel("count")
        ax2.set_xlabel("minutes")
        ax2.legend(loc="upper left")
        fig.suptitle(f"redospec fuzz: {result.workers} workers, {result.db}")
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
    finally:
        plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def html_page(result: Result) -> str:
    data = as_dict(result)
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{c['examples']}</td><td>{len(c['failures'])}</td></tr>"
        for name, c in data["checks"].items())
    sources = sorted(result.actions)
    names = sorted({a for counts in result.actions.values() for a in counts})
    cover = "".join(
        "<tr><td>" + esc(a) + "</td>"
        + "".join(f"<td>{result.actions[s].get(a, 0)}</td>" for s in sources) + "</tr>"
        for a in names)
    failures = "".join(
        f"<h3>{esc(f.check)}: {esc(f.what)}</h3><p>worker {f.worker}, after "
        f"{f.found_after:.0f} s, reported {f.seen} time(s){' (flaky)' if f.flaky else ''}</p>"
        f"<pre>{esc(f.message)}</pre><p>shrunk schedule:</p><pre>{esc(f.schedule)}</pre>"
        f"<p>replay with:</p><pre>{esc(f.replay)}</pre>" for f in result.failures)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>redospec fuzz report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}pre{{background:#f6f6f6;padding:6px;
overflow-x:auto}}</style></head><body>
<h1>redospec fuzz</h1>
<p>{data['seconds']:.0f} s with {result.workers} workers on <code>{esc(result.db)}</code>
{f"(seeded bug <code>{esc(result.mutant)}</code>)" if result.mutant else ""};
ended: {esc(result.ended)}; {data['examples']} examples ({data['examples_per_second']}/s);
{len(result.failures)} distinct failures.</p>
{f"<p><b>database error:</b> {esc(result.db_error)}</p>" if result.db_error else ""}
<figure>{plot_svg(result)}</figure>
<h2>Checks</h2><table><tr><th>check</th><th>examples</th><th>failures</th></tr>{rows}</table>
<h2>Failures</h2>{failures or "<p>none</p>"}
<h2>Action coverage</h2><p>times each spec action fired</p>
<table><tr><th>action</th>{"".join(f"<th>{esc(s)}</th>" for s in sources)}</tr>{cover}</table>
</body></html>
"""


def write_html(result: Result, path: Path) -> None:
    path.write_text(html_page(result))
