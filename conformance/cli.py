"""``redospec check``: the project's main job.

``check`` It runs, each in its own process so that one part's crash
or import error cannot hide another part's verdict:

1. ``proofs``: ``redospec prove`` (the z3 obligations of ``proofs/``; an ``unknown`` is a failure);
2. ``explore tiny``: the exhaustive exploration of ``Params.tiny()`` (``redospec explore --preset
   tiny --json``): every invariant on every reachable state, deadlocks, SYS-3, action coverage;
3. ``conformance (ci)``: ``pytest tests/conformance`` under the Hypothesis profile ``ci``: the
   stepped conformance machine, the threaded trace validation, the seeded-bug catalog (every
   mutant must be caught) and the action-coverage test.

It prints one summary table (part, verdict, figures, seconds) and exits 1 when any part failed or
is unavailable (a part whose module is missing is reported as ``unavailable``, never skipped).

``main(argv)`` is ``python -m conformance check|mutants``: it runs this module's ``check`` or
:mod:`conformance.mutants_cli` as ``redospec`` does (``redospec fuzz`` is :mod:`campaign.cli`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from redospec import command, output
from redospec.output import progress_done as _progress_done

REPO = Path(__file__).resolve().parent.parent
"""The checkout: ``tests/conformance`` is found relative to it."""

EXIT_OK, EXIT_FAILED = 0, 1

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "check": ("conformance.cli", "the main job: proofs, exploration, conformance"),
    "mutants": ("conformance.mutants_cli", "run the seeded-bug catalog"),
}
"""The subcommands of ``python -m conformance`` (the same as ``redospec``'s)."""


# --------------------------------------------------------------------------------------------
# running one part in a child process, with a progress line
# --------------------------------------------------------------------------------------------


@attrs.frozen
class PartResult:
    """One row of ``redospec check``'s summary table."""

    part: str
    verdict: str
    """``ok``, ``failed`` or ``unavailable``."""
    figures: str
    seconds: float
    detail: str = ""
    """Why it failed: the tail of the part's output, or the missing module."""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@attrs.frozen
class Completed:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_child(
    cmd: Sequence[str], label: str, *, env: dict[str, str] | None = None, every: float = 10.0
) -> Completed:
    """Run ``cmd`` from the repository root, printing ``label: running Ns`` every ``every`` s."""
    start = time.monotonic()
    full_env = dict(os.environ)
    full_env.update(env or {})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(list(cmd), cwd=REPO, env=full_env, stdout=out, stderr=err)
        next_report = start + every
        try:
            while True:
                try:
                    proc.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    now = time.monotonic()
                    if now >= next_report:
                        output.progress(f"  {label}: running {now - start:.0f} s")
                        next_report = now + every
        except KeyboardInterrupt:   # Ctrl-C: the part's process stops too, within a second
            _stop_child(proc)
            raise
        _progress_done()
        out.seek(0)
        err.seek(0)
        return Completed(proc.returncode, out.read(), err.read(), time.monotonic() - start)


def _stop_child(proc: subprocess.Popen[Any]) -> None:
    """SIGINT to the child (it may be in another process group), then kill it after 0.5 s."""
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()


_DONE: list[str | Callable[[], str]] = []
"""What the running command had done (a line, or a function making it), for Ctrl-C."""


def interrupt_summary() -> str:
    """One line: what was done before Ctrl-C (read by the ``redospec`` dispatcher)."""
    if not _DONE:
        return "nothing had finished"
    last = _DONE[-1]
    return last if isinstance(last, str) else last()


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _module_missing(*modules: str) -> str | None:
    """The first of ``modules`` that cannot be imported (by name only), or None."""
    for name in modules:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ModuleNotFoundError:
            return name
    return None


def _redospec(*args: str) -> list[str]:
    return [sys.executable, "-m", "redospec", *args]


# --------------------------------------------------------------------------------------------
# the three parts of ``check``
# --------------------------------------------------------------------------------------------


def _json_from(stdout: str) -> Any:
    """The JSON document a part printed on stdout (``--json``: nothing else goes there), or
    None if it printed none (it failed before)."""
    try:
        return json.loads(stdout)
    except ValueError:
        return None


def _count_statuses(data: Any) -> dict[str, int]:
    """Obligations per status in ``redospec prove --json``'s ``{"obligations": [{"status"}]}``."""
    counts: dict[str, int] = {}
    rows = data.get("obligations") if isinstance(data, dict) else None
    for row in rows if isinstance(rows, list) else []:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def part_proofs() -> PartResult:
    """``redospec prove``: every z3 obligation proved (an ``unknown`` is a failure)."""
    name = "proofs"
    missing = _module_missing("proofs.cli")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    done = run_child(_redospec("prove", "--json"), name)
    data = _json_from(done.stdout)
    counts = _count_statuses(data)
    if counts:
        figures = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        scopes = data["scopes"]
        figures += f" ({scopes['unbounded']} unbounded, {scopes['bounded']} bounded)"
    else:
        figures = _tail(done.stdout, 1) or "-"
    verdict = "ok" if done.returncode == 0 else "failed"
    detail = "" if verdict == "ok" else _tail(done.stdout + "\n" + done.stderr)
    return PartResult(name, verdict, figures, done.seconds, detail)


def part_explore(preset: str = "tiny") -> PartResult:
    """``redospec explore --preset tiny --json``: exhaustive, every invariant, coverage."""
    name = f"explore {preset}"
    missing = _module_missing("spec.cli", "engine.search")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    done = run_child(_redospec("explore", "--preset", preset, "--json"), name)
    data = _json_from(done.stdout)
    if not isinstance(data, dict):
        detail = "no JSON on stdout\n" + _tail(done.stdout + "\n" + done.stderr)
        return PartResult(name, "failed", "-", done.seconds, detail)
    actions = data.get("actions") or {}
    taken = sum(1 for n in actions.values() if n) if isinstance(actions, dict) else 0
    figures = (
        f"{data.get('distinct_states', '?')} states, depth {data.get('depth', '?')}, "
        f"{taken}/{len(actions)} actions, {len(data.get('invariants') or [])} invariants"
    )
    ok = done.returncode == 0 and data.get("verdict") == "ok"
    detail = "" if ok else f"verdict {data.get('verdict')!r}\n" + _tail(done.stderr)
    if isinstance(actions, dict):
        COVERAGE["exploration"] = {str(k): int(v) for k, v in actions.items()}
    return PartResult(name, "ok" if ok else "failed", figures, done.seconds, detail)


def _junit_counts(path: Path) -> dict[str, int]:
    """tests / failures / errors / skipped from a pytest junit XML file."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return counts
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    return counts


def part_conformance(profile: str = "ci") -> PartResult:
    """``pytest tests/conformance`` under the Hypothesis profile ``profile``."""
    name = f"conformance ({profile})"
    tests = REPO / "tests" / "conformance"
    missing = _module_missing("conformance.stepped", "impl.redolog", "spec.model")
    if missing:
        return PartResult(name, "unavailable", "-", 0.0, f"module {missing} is missing")
    if not tests.is_dir():
        return PartResult(name, "unavailable", "-", 0.0, f"{tests} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        fired = Path(tmp) / "coverage.json"
        cmd = [sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider",
               f"--junitxml={junit}"]
        done = run_child(cmd, name, env={"HYPOTHESIS_PROFILE": profile,
                                         "REDOSPEC_COVERAGE_OUT": str(fired)})
        counts = _junit_counts(junit)
        with contextlib.suppress(OSError, ValueError):  # pytest did not get that far
            COVERAGE.update(json.loads(fired.read_text()))
    failed = counts["failures"] + counts["errors"]
    passed = counts["tests"] - failed - counts["skipped"]
    figures = f"{passed} passed, {failed} failed, {counts['skipped']} skipped"
    ok = done.returncode == 0 and counts["tests"] > 0
    detail = "" if ok else _tail(done.stdout + "\n" + done.stderr, 25)
    return PartResult(name, "ok" if ok else "failed", figures, done.seconds, detail)


COVERAGE: dict[str, dict[str, int]] = {}
"""Per source (exploration, stepped, threaded): spec action -> times it fired."""


def coverage_rows() -> list[list[str]]:
    """The action-coverage table of ``check``: one row per action seen in any source."""
    sources = ("exploration", "stepped", "threaded")
    names: dict[str, None] = {}
    for source in sources:
        names.update(dict.fromkeys(COVERAGE.get(source, {})))
    rows = [["action", *sources]]
    for name in names:
        rows.append([name, *(str(COVERAGE[s].get(name, 0)) if s in COVERAGE else "-"
                             for s in sources)])
    return rows


PARTS: dict[str, Callable[[], PartResult]] = {
    "proofs": part_proofs,
    "explore": part_explore,
    "conformance": part_conformance,
}
"""The parts of ``redospec check`` in the order they run."""


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec check``'s arguments."""
    parser.description = (
        "The main job (redospec check): the z3 proofs (redospec prove), the exhaustive "
        "exploration of the tiny preset (every invariant, deadlocks, SYS-3, action coverage) "
        "and pytest tests/conformance under the Hypothesis profile ci, each in its own process; "
        "one summary table (part, verdict, figures, seconds) and an action-coverage table. "
        "Exit status 1 when any part failed or is unavailable.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", action="append", choices=list(PARTS),
                        help="run only this part (repeatable)")


def run(args: argparse.Namespace) -> int:
    """Run every part, print one table (or JSON), exit 1 if any part is not ``ok``."""
    selected = list(dict.fromkeys(args.only)) if args.only else list(PARTS)   # each part once
    results: list[PartResult] = []
    for i, part in enumerate(selected, 1):
        done = ", ".join(f"{r.part} {r.verdict}" for r in results) or "no part had finished"
        _DONE.append(f"stopped in part {i}/{len(selected)} ({part}); {done}; no verdict")
        output.progress(f"[{i}/{len(selected)}] {part} ...")
        results.append(PARTS[part]())
        _progress_done()
    ok = all(r.ok for r in results)
    if args.json:
        print(output.to_json({"ok": ok, "parts": [attrs.asdict(r) for r in results],
                              "action_coverage": COVERAGE}))
        return EXIT_OK if ok else EXIT_FAILED
    rows = [["part", "verdict", "figures", "seconds"]]
    rows += [[r.part, r.verdict, r.figures, f"{r.seconds:.1f}"] for r in results]
    print(output.table(rows))
    if len(coverage_rows()) > 1:
        print("\naction coverage (times each spec action fired):")
        print(output.table(coverage_rows()))
    for r in results:
        if not r.ok:
            print(f"\n--- {r.part}: {r.verdict} ---\n{r.detail}")
    print(f"\ncheck: {'OK' if ok else 'FAILED'}")
    return EXIT_OK if ok else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m conformance check|mutants ...``."""
    return command.dispatch(SUBCOMMANDS, sys.argv[1:] if argv is None else argv,
                            prog="python -m conformance", no_args_status=2)
