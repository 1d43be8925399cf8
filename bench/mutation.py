"""Mutation score of the conformance checks, measured by a tool made for it (cosmic-ray).

The seeded-bug catalog (``redospec mutants``) holds bugs we wrote; this benchmark asks an
independent question: of the mutants a mutation-testing tool generates over ``impl/``, drawn
uniformly, how many do the conformance checks catch? Each sampled mutant is applied by
cosmic-ray to a scratch copy of the repository (never to this tree), and the test command runs
every registered conformance check (``conformance.checks.CHECKS``) at the CI budget until one
fails.

Scope: the pipeline modules of ``impl/`` that the conformance checks claim to check. The
command-line front ends and the offline reader (``impl/cli.py``, ``impl/__main__.py``,
``impl/inspect.py``, ``impl/workload.py``) are excluded: the conformance checks never run them
(their unit tests in tests/impl do), so their mutants would measure nothing about conformance.

Usage (needs ``pip install -e '.[mutation]'``; long: one to three minutes per surviving
mutant on a shared 2-core machine)::

    python -m bench.mutation --sample 100 --seed 1            # table on stdout
    python -m bench.mutation --sample 100 --seed 1 --out /tmp/mutation.md
    python -m bench.mutation --sample 100 --seed 1 --update-results   # bench/RESULTS-mutation.md
    python -m bench.mutation --join-session /tmp/redospec-mutation-XXXX/repo   # a 2nd worker
    python -m bench.mutation --report-from session.sqlite --update-results    # report of a DB
    python -m bench.mutation --rerun bench/mutation-sample.json   # survivors vs today's checks

The sampled run's test command (:data:`ORDER`) leaves out ``v90`` and ``wrap``; ``--rerun``
runs every CI check (:data:`ALL_CI`) on the recorded survivors' diffs, so the final score is the
CI profile's.

A mutant counts as *killed* only when the checks fail (or time out: a hang is a liveness
failure); the table lists every survivor with its diff for triage (equivalent, or an escape).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS-mutation.md"
SAMPLE = ROOT / "bench" / "mutation-sample.json"
"""Every sampled mutant of the last ``--update-results`` run (module, line, operator, outcome,
diff): ``--rerun`` applies the survivors' diffs again after the checks changed."""
EXCLUDED = ["impl/cli.py", "impl/__main__.py", "impl/inspect.py", "impl/workload.py"]


ORDER = ("matrix-ci", "restart", "liveness", "trace", "crash", "stepped", "crashpoints")
"""The sampled run's test command: the CI-profile checks, cheapest and sharpest first so that a
killed mutant dies in seconds (``matrix-ci`` catches most). ``v90`` and ``wrap`` (about 30 s
together, and their configurations have ``matrix-ci`` rows) are left out of the sampled run to
keep a survivor near a minute; ``--rerun`` runs the survivors with :data:`ALL_CI` (every check
of ``redospec check``), so the final score is the CI profile's. The full ``matrix`` (every row,
for ``redospec fuzz``) is never run."""

ALL_CI = (*ORDER, "v90", "wrap")

LOG_ENV = "REDOSPEC_MUTATION_LOG"
"""When set, the test command appends one line per mutant to this file (progress of a run)."""


PRISTINE = ".pristine"
"""Where the scratch copy keeps the unmutated ``impl/`` (to recognise annotation-only mutants)."""


def _without_annotations(source: str) -> str:
    """The module's AST with every annotation removed (a dump, for comparison)."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def annotation_only_mutant(root: Path = Path(".")) -> str | None:
    """The mutated module if the mutation changed nothing but annotations, else None.

    Every module of ``impl/`` starts with ``from __future__ import annotations``, so function
    and variable annotations are never evaluated: such a mutant is equivalent by construction
    and its checks need not run (they would take a survivor's full minute). Module-level type
    aliases (``Point = Wait | Sleep | None``) are assignments, not annotations, and are run."""
    pristine = root / PRISTINE
    if not pristine.is_dir():
        return None
    for orig in pristine.rglob("*.py"):
        rel = orig.relative_to(pristine)
        now = (root / rel).read_text()
        was = orig.read_text()
        if now != was:
            if ("from __future__ import annotations" in was
                    and _without_annotations(now) == _without_annotations(was)):
                return str(rel)
            return None
    return None


def run_checks(names: tuple[str, ...] = ORDER) -> int:
    """The test command: the checks ``names`` at the CI budget (no shrinking); exit 1 at the
    first failure (its first line printed), 0 when all pass. A mutant that changes only
    annotations survives at once (:func:`annotation_only_mutant`)."""
    started = time.monotonic()
    only = annotation_only_mutant()
    if only is not None:
        print(f"survived: equivalent, only annotations of {only} changed (never evaluated)")
        return 0
    from conformance import checks

    verdict, code = "survived every check", 0
    for name in names:
        try:
            checks.check_named(name).load()(checks.MUTANT_SETTINGS)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # any failure of the check is a catch
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            verdict, code = f"caught by {name}: {type(exc).__name__}: {first[:300]}", 1
            break
    print(verdict)
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a") as f:
            f.write(f"{time.monotonic() - started:6.1f}s {verdict[:160]}\n")
    return code


def _scratch_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for rel in files:
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _config(timeout: float) -> str:
    excluded = ", ".join(json.dumps(e) for e in EXCLUDED)
    cmd = f"{sys.executable} -m bench.mutation --run-checks"
    return (f'[cosmic-ray]\nmodule-path = "impl"\ntimeout = {timeout}\n'
            f"excluded-modules = [{excluded}]\n"
            f"test-command = {json.dumps(cmd)}\n\n"
            '[cosmic-ray.distributor]\nname = "local"\n')


def measure(sample: int, seed: int, timeout: float) -> tuple[str, list[dict[str, Any]]]:
    """Sample ``sample`` mutants uniformly (``seed``), run them, return a markdown report."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="redospec-mutation-") as tmp:
        work = Path(tmp) / "repo"
        _scratch_copy(work)
        shutil.copytree(work / "impl", work / PRISTINE / "impl")
        (work / "cr.toml").write_text(_config(timeout))
        env = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}
        cr = [sys.executable, "-m", "cosmic_ray.cli"]
        subprocess.run([*cr, "init", "cr.toml", "session.sqlite"], cwd=work, env=env, check=True)
        # the unmutated checks must pass, or every mutant would look killed
        base = subprocess.run([sys.executable, "-m", "bench.mutation", "--run-checks"], cwd=work,
                              env=env, capture_output=True, text=True)
        if base.returncode != 0:
            raise RuntimeError(f"the checks fail without any mutant: {base.stdout}{base.stderr}")
        with use_db(str(work / "session.sqlite"), WorkDB.Mode.open) as db:
            items = sorted(db.pending_work_items, key=lambda w: w.job_id)
            total = len(items)
            chosen = {w.job_id for w in random.Random(seed).sample(items, min(sample, total))}
            for w in items:
                if w.job_id not in chosen:
                    db.set_result(w.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        print(f"{total} mutants generated over impl/ (excluding {', '.join(EXCLUDED)}); "
              f"running {len(chosen)} (seed {seed})", file=sys.stderr, flush=True)
        subprocess.run([*cr, "exec", "cr.toml", "session.sqlite"], cwd=work, env=env, check=True)
        dump = subprocess.run([*cr, "dump", "session.sqlite"], cwd=work, env=env,
                              capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in dump.splitlines() if line.strip()]
    return _report(rows, total, seed, time.time() - started), _sample(rows)


def join_session(repo: Path, timeout: float) -> int:
    """An extra local worker for a running session: take the pending (sampled, not yet run)
    mutants of ``repo/session.sqlite`` from the highest job id down, apply each to a scratch
    copy of ``repo`` of its own and record the result in the session; return how many it ran.
    cosmic-ray's local distributor runs mutants one at a time; on two cores a second worker
    halves the wall time. Collisions (both workers taking the last mutant) only repeat work."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_db import WorkDB, use_db

    db_path = str((repo / "session.sqlite").resolve())
    cmd = f"{sys.executable} -m bench.mutation --run-checks"
    ran = 0
    with tempfile.TemporaryDirectory(prefix="redospec-mutation-worker-") as tmp:
        work = Path(tmp) / "repo"
        shutil.copytree(repo, work, ignore=shutil.ignore_patterns("session.sqlite*",
                                                                    "__pycache__"))
        # the session's own copy may hold the mutant it is testing: start from the pristine
        shutil.rmtree(work / "impl")
        shutil.copytree(repo / PRISTINE / "impl", work / "impl")
        os.chdir(work)
        while True:
            with use_db(db_path, WorkDB.Mode.open) as db:
                pending = sorted(db.pending_work_items, key=lambda w: w.job_id)
            if not pending:
                return ran
            item = pending[-1]
            print(f"worker: {item.mutations[0].module_path}:{item.mutations[0].start_pos[0]} "
                  f"({len(pending)} pending)", file=sys.stderr, flush=True)
            result = mutate_and_test(item.mutations, cmd, timeout)
            with use_db(db_path, WorkDB.Mode.open) as db:
                db.set_result(item.job_id, result)
            ran += 1


def report_from(db_file: Path, seed: int) -> tuple[str, list[dict[str, Any]]]:
    """The report and sample records of a finished session database."""
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(str(db_file), WorkDB.Mode.open) as db:
        total = db.num_work_items
        rows = [[json.loads(json.dumps(_item_json(w))), _result_json(r)]
                for w, r in db.completed_work_items]
    return _report(rows, total, seed, 0.0), _sample(rows)


def _item_json(w: Any) -> dict[str, Any]:
    return {"job_id": w.job_id, "mutations": [
        {"module_path": str(m.module_path), "start_pos": list(m.start_pos),
         "operator_name": m.operator_name, "occurrence": m.occurrence} for m in w.mutations]}


def _result_json(r: Any) -> dict[str, Any]:
    return {"worker_outcome": r.worker_outcome.value,
            "test_outcome": r.test_outcome.value if r.test_outcome else None,
            "output": r.output, "diff": r.diff}


def _sample(rows: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The sampled mutants as plain records (what ``--rerun`` reads)."""
    out = []
    for item, result in rows:
        if not result or result.get("worker_outcome") == "skipped":
            continue
        spec = item["mutations"][0]
        out.append({"job_id": item["job_id"], "module": spec["module_path"],
                    "line": spec["start_pos"][0], "operator": spec["operator_name"],
                    "occurrence": spec["occurrence"], "outcome": result.get("test_outcome"),
                    "output": result.get("output"), "diff": result.get("diff")})
    return out


def rerun(path: Path, timeout: float) -> str:
    """Apply each survivor's recorded diff (``patch -p1``) to a scratch copy of this tree and
    run the test command again: the score after the checks were strengthened. Returns a
    markdown table (mutant, verdict, first line of the catch)."""
    records = json.loads(path.read_text())
    survivors = [r for r in records if r["outcome"] == "survived"]
    env = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}
    lines = ["| mutant | now | by |", "|---|---|---|"]
    for i, rec in enumerate(survivors, 1):
        print(f"[{i}/{len(survivors)}] {rec['module']}:{rec['line']} ...", file=sys.stderr,
              flush=True)
        diff = "\n".join(ln for ln in rec["diff"].splitlines()
                         if ln != "--- mutation diff ---") + "\n"
        with tempfile.TemporaryDirectory(prefix="redospec-mutation-") as tmp:
            work = Path(tmp)
            _scratch_copy(work)
            applied = subprocess.run(["patch", "-p1", "--forward", "--batch"], cwd=work,
                                     input=diff, capture_output=True, text=True)
            if applied.returncode != 0:
                lines.append(f"| {rec['module']}:{rec['line']} | does not apply | "
                             f"{applied.stdout.strip()[:100]} |")
                continue
            try:
                run = subprocess.run([sys.executable, "-m", "bench.mutation", "--run-all-checks"],
                                     cwd=work, env=env, capture_output=True, text=True,
                                     timeout=timeout)
                verdict = "killed" if run.returncode else "survived"
                by = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
            except subprocess.TimeoutExpired:
                verdict, by = "killed", "timeout (hang)"
        lines.append(f"| {rec['module']}:{rec['line']} ({rec['operator'].split('/')[-1]}) | "
                     f"{verdict} | {by.removeprefix('caught by ')[:140].replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _report(rows: list[list[dict[str, Any]]], total: int, seed: int, seconds: float) -> str:
    lines: list[str] = []
    killed = survived = incompetent = 0
    survivors: list[str] = []
    table = ["| # | module | line | operator | outcome | caught by |", "|---|---|---|---|---|---|"]
    n = 0
    for item, result in rows:
        if not result or result.get("worker_outcome") == "skipped":
            continue
        n += 1
        spec = item["mutations"][0]
        outcome = str(result.get("test_outcome"))
        output = str(result.get("output") or "")
        by = next((ln.split(":")[0].removeprefix("caught by ")
                   for ln in output.splitlines() if ln.startswith("caught by ")), "")
        if outcome == "killed" and (by or output == "timeout"):
            killed += 1
            by = by or "timeout (hang)"
        elif outcome == "survived":
            survived += 1
            survivors.append(f"### {n}. {spec['module_path']}:{spec['start_pos'][0]} "
                             f"({spec['operator_name']})\n\n```diff\n{result.get('diff')}\n```\n")
        else:  # the test command broke without a check failing: not a catch
            incompetent += 1
            outcome = "incompetent"
        table.append(f"| {n} | {spec['module_path']} | {spec['start_pos'][0]} | "
                     f"{spec['operator_name'].split('/')[-1]} | {outcome} | {by} |")
    competent = killed + survived
    score = 100.0 * killed / competent if competent else 0.0
    lines += [
        "# Mutation score of the conformance checks (cosmic-ray)",
        "",
        f"{n} mutants sampled uniformly (seed {seed}) from {total} generated by cosmic-ray over "
        f"impl/ (excluding {', '.join(EXCLUDED)}); test command: the checks "
        f"{', '.join(ORDER)} at the CI budget. Run took {seconds / 60:.0f} minutes.",
        "",
        f"**Killed {killed}, survived {survived}, incompetent {incompetent}: score "
        f"{score:.0f}% of competent mutants** (equivalent mutants are triaged below by hand).",
        "",
        *table,
        "",
        "## Survivors",
        "",
        *(survivors or ["none"]),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=100, help="mutants to run (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before a mutant's checks count as hung (killed)")
    parser.add_argument("--out", type=Path, help="write the report here (default: stdout)")
    parser.add_argument("--update-results", action="store_true",
                        help=f"write the report to {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--rerun", type=Path, metavar="SAMPLE_JSON",
                        help="re-run the survivors recorded in SAMPLE_JSON (default sample "
                             f"file: {SAMPLE.relative_to(ROOT)}) against this tree's checks")
    parser.add_argument("--join-session", type=Path, metavar="REPO",
                        help="run as an extra worker of the running session in REPO (the "
                             "scratch copy holding session.sqlite)")
    parser.add_argument("--report-from", type=Path, metavar="SQLITE",
                        help="write the report of a finished session database")
    parser.add_argument("--run-checks", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run-all-checks", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_checks:
        return run_checks()
    if args.run_all_checks:
        return run_checks(ALL_CI)
    if args.sample <= 0:
        parser.error("--sample must be positive")
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("cosmic-ray is not installed: pip install cosmic-ray", file=sys.stderr)
        return 2
    try:
        if args.join_session:
            print(f"worker ran {join_session(args.join_session, args.timeout)} mutants",
                  file=sys.stderr)
            return 0
        if args.report_from:
            report, sample = report_from(args.report_from, args.seed)
        elif args.rerun:
            if not args.rerun.is_file():
                print(f"error: no such sample file: {args.rerun}", file=sys.stderr)
                return 2
            report, sample = rerun(args.rerun, args.timeout), None
        else:
            report, sample = measure(args.sample, args.seed, args.timeout)
    except KeyboardInterrupt:
        print("interrupted: no report written", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = RESULTS if args.update_results else args.out
    if sample is not None and args.update_results:
        SAMPLE.write_text(json.dumps(sample, indent=1) + "\n")
    if out is None:
        print(report, end="")
    else:
        out.write_text(report)
        print(f"report written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
