"""``redospec check | mutants``: the summary table, exit codes and bad input.

The parts themselves are tested elsewhere; here the CLI's contract: one table, an
``unavailable`` part counts as a failure (never a silent pass), ``--json`` shapes, and a clear
one-line error with exit status 2 for bad options.
"""

from __future__ import annotations

import json

import pytest

from conformance import cli, mutants
from conformance.cli import PartResult


def _fake_parts(monkeypatch: pytest.MonkeyPatch, *results: PartResult) -> None:
    parts = {r.part: (lambda r=r: r) for r in results}
    monkeypatch.setattr(cli, "PARTS", parts)


def test_check_all_ok_exits_zero_and_prints_one_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_parts(monkeypatch, PartResult("proofs", "ok", "40 proved", 1.5),
                PartResult("explore", "ok", "1000 states", 2.0))
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.count("part") == 1 and "40 proved" in out and "1000 states" in out
    assert "check: OK" in out


def test_check_unavailable_part_is_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A part whose module is missing must make the main job fail, with the reason shown."""
    _fake_parts(monkeypatch, PartResult("proofs", "ok", "40 proved", 1.5),
                PartResult("conformance", "unavailable", "-", 0.0,
                           "module impl.redolog is missing"))
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "unavailable" in out and "impl.redolog is missing" in out and "check: FAILED" in out


def test_check_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _fake_parts(monkeypatch, PartResult("proofs", "failed", "1 counterexample", 3.0, "why"))
    assert cli.main(["check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["parts"][0]["part"] == "proofs" and data["parts"][0]["verdict"] == "failed"


def test_missing_module_reported_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_module_missing", lambda *names: names[0])
    result = cli.part_explore()
    assert result.verdict == "unavailable" and "spec.cli" in result.detail


@pytest.mark.parametrize("command", ["check", "mutants"])
def test_help_describes_the_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A first-time user's --help says what the command does, in plain text (no reST)."""
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert command in description and len(description) > 60
    assert "``" not in out and ":mod:" not in out


def test_mutants_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mutants", "no_such_mutant"]) == 2
    assert "no_such_mutant" in capsys.readouterr().err


def test_mutants_json_shape(monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON contract: kill_rate and per mutant name/caught/by/examples/seconds."""
    fake = [mutants.MutantResult("a", True, "stepped: invariant x", 3, 0.5),
            mutants.MutantResult("b", False, None, 60, 4.0)]
    monkeypatch.setattr(mutants, "run_catalog", lambda names, progress=None, **_: fake)
    assert cli.main(["mutants", "--json"]) == 1  # not every mutant caught
    data = json.loads(capsys.readouterr().out)
    assert data["kill_rate"] == 0.5
    assert data["mutants"][0] == {"name": "a", "caught": True, "by": "stepped: invariant x",
                                  "examples": 3, "seconds": 0.5, "runs": 1, "caught_runs": 1,
                                  "max_examples_to_catch": 3}
    assert set(data["mutants"][1]) == {"name", "caught", "by", "examples", "seconds", "runs",
                                       "caught_runs", "max_examples_to_catch"}
    assert data["mutants"][1]["caught_runs"] == 0


def test_mutants_seeds_table(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """``--seeds N`` shows k/N per mutant and fails unless every run caught every mutant."""
    seen: dict[str, object] = {}
    fake = [mutants.MutantResult("lucky", False, "liveness: liveness: stuck", 70, 9.0,
                                 runs=3, caught_runs=2, max_examples_to_catch=41)]

    def run_catalog(names: object, seeds: int = 0, **_: object) -> list[mutants.MutantResult]:
        seen["seeds"] = seeds
        return fake

    monkeypatch.setattr(mutants, "run_catalog", run_catalog)
    assert cli.main(["mutants", "--seeds", "3"]) == 1
    out = capsys.readouterr().out
    assert seen["seeds"] == 3
    assert "2/3" in out and "41" in out and "caught by every one of 3 seeds: 0%" in out


@pytest.mark.parametrize("bad", ["0", "-2", "three"])
def test_mutants_seeds_must_be_a_positive_number(bad: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mutants", "--seeds", bad]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_unknown_subcommand_exits_2() -> None:
    assert cli.main(["frobnicate"]) == 2


def test_patcher_restores_class_and_module_attributes() -> None:
    """The seeded bugs are applied by monkeypatching; a leak would poison later checks."""

    class Thing:
        def step(self) -> int:
            return 1

    original = Thing.step
    patcher = mutants.Patcher()
    patcher.setattr(Thing, "step", lambda self: 2)
    assert Thing().step() == 2
    patcher.undo()
    assert Thing.step is original and Thing().step() == 1
    with pytest.raises(AttributeError, match="no_such"):
        patcher.setattr(Thing, "no_such", 1)


def test_check_only_repeated_runs_the_part_once(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """``check --only proofs --only proofs`` (easy to type when editing a command line) runs
    the proofs once, not twice: the table has one proofs row."""
    calls: list[str] = []

    def proofs() -> PartResult:
        calls.append("proofs")
        return PartResult("proofs", "ok", "40 proved", 1.5)

    monkeypatch.setattr(cli, "PARTS", {"proofs": proofs})
    assert cli.main(["check", "--only", "proofs", "--only", "proofs"]) == 0
    assert calls == ["proofs"]
    assert capsys.readouterr().out.count("40 proved") == 1


def test_mutants_show_prints_the_shrunk_interleaving_and_the_failing_property(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``redospec mutants --show NAME``: the catch of a seeded bug as a trace, one spec step per
    line, ending at the step where the named property fails (here: a restart that reuses the
    checkpoint number in use is caught at the crash and open, rc_restart_exact, FMT-10)."""
    assert cli.main(["mutants", "--show", "restart_reuses_checkpoint_no"]) == 0
    out = capsys.readouterr().out
    assert "caught by restart: invariant rc_restart_exact" in out
    steps = [ln for ln in out.splitlines() if ln.strip()[:1].isdigit()]
    assert steps and any("user_reserve(thread=" in s for s in steps)
    assert steps[-1].endswith("<- fails here") and "crash, recover, RedoLog.open" in steps[-1]
    assert "next checkpoint_no" in out


def test_mutants_show_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mutants", "--show", "no_such_mutant"]) == 2
    assert "unknown mutant" in capsys.readouterr().err
