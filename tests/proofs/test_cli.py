"""``redospec prove``: rows, JSON shape, --only, exit status."""

from __future__ import annotations

import json

import pytest
import z3

from proofs import cli
from proofs.obligation import Obligation, check
from proofs.runner import run


def test_json_report_for_selected_obligations(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints the verdict and one row per obligation with name, ids, status, seconds;
    two worker processes check them."""
    code = cli.main(["prove", "--json", "--only", "lemma.sn_to_lsn*", "--quiet"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["verdict"] == "proved"
    names = [o["name"] for o in out["obligations"]]
    assert names == ["lemma.sn_to_lsn_monotone", "lemma.sn_to_lsn_is_data",
                     "lemma.sn_to_lsn_inverts_on_data"]
    for row in out["obligations"]:
        assert {"name", "ids", "status", "seconds"} <= set(row)
        assert row["status"] == "proved" and "FMT-2" in row["ids"]


def test_table_shows_rows_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    """The table has a row per obligation and a total line; the expected MySQL counterexample
    is printed with its concrete old/new/S."""
    code = cli.main(["prove", "--only", "notify.mysql*", "--jobs", "1", "--quiet"])
    text = capsys.readouterr().out
    assert code == 0
    assert "notify.mysql_shortcut_unsound" in text and "refuted as expected" in text
    assert "old=" in text and "new=" in text and "S=write_events=" in text
    from proofs.registry import all_obligations

    n = len(cli.select(all_obligations(), ["notify.mysql*"]))
    assert n >= 2 and f"total: {n}/{n} passed" in text


def test_unknown_pattern_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An --only pattern that selects nothing is a usage error naming the pattern."""
    assert cli.main(["prove", "--only", "no-such-obligation"]) == 2
    assert "no-such-obligation" in capsys.readouterr().err


def test_failures_make_the_verdict_fail() -> None:
    """A sat proof obligation is a counterexample; an unknown (here: a timeout) is a failure
    too, never a pass."""
    x = z3.Int("x")
    sat_ob = Obligation("t.sat", ("X-1",), lambda: x > 0)
    assert check(sat_ob).status == "counterexample"
    assert not check(sat_ob).passed
    # Nonlinear: x^3 + y^3 = z^3 with positive values has no solution, z3 cannot show it fast.
    y, z = z3.Ints("y z")
    hard = Obligation("t.hard", ("X-2",),
                      lambda: z3.And(x > 0, y > 0, z > 0, x * x * x + y * y * y == z * z * z))
    result = run([hard], jobs=1, timeout_s=0.5)[0]
    assert result.status in ("timeout", "unknown")
    assert not result.passed


def test_results_markdown_groups_step_obligations_by_action(tmp_path: object) -> None:
    """--results writes one row per group; step obligations are grouped per action."""
    from pathlib import Path

    out = Path(str(tmp_path)) / "RESULTS.md"
    code = cli.main(["prove", "--only", "step.flusher_fsync.*", "--only", "wr6.*", "--quiet",
                     "--results", str(out)])
    text = out.read_text()
    assert code == 0
    from proofs.unbounded import INVARIANTS

    n = len(INVARIANTS) + 1  # and step.flusher_fsync.durable
    assert f"| `step.flusher_fsync` | {n} | {n} | unbounded |" in text
    assert "| `wr6` | 3 | 3 | unbounded |" in text


def test_failed_step_obligation_gets_a_bmc_search() -> None:
    """For a failed step obligation the CLI searches, with BMC on tiny, a
    replayable trace breaking the same invariant; SYS-1 holds in the spec, so the search
    reports that the counterexample to induction is not reachable within the depth."""
    from proofs.obligation import Result

    failed = Result("step.writer_write.sys1", ("SYS-1",), "counterexample", 0.1)
    lines = cli._bmc_traces([failed], 2)
    assert lines == ["sys1: not broken within 2 steps of tiny's Init (the counterexample's "
                     "state may be unreachable)"]


@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--jobs", "0"], "--jobs 0"),
        (["--timeout", "-5"], "--timeout -5"),
        (["--bmc-depth", "-1"], "--bmc-depth -1"),
        (["--results", "/nonexistent-redospec-dir/x.md"], "--results /nonexistent-redospec-dir"),
    ],
)
def test_bad_option_values_are_exit_2_before_any_proof(
        extra: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input is one line naming the option and status 2, before z3 runs (no progress
    line), never a traceback after minutes of proofs (--results used to crash at the end)."""
    assert cli.main(["prove", "--only", "lemma.mul_cancel", *extra]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "[1/1]" not in err
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_list_with_json_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``prove --list --json`` printed the text list; a script asking for JSON gets JSON: the
    write-ahead lemmas (WR-6) are listed with their requirement id."""
    assert cli.main(["prove", "--list", "--json", "--only", "lemma.write_ahead*"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(item["name"].startswith("lemma.write_ahead") for item in listed)
    assert all("WR-6" in item["ids"] for item in listed)


def test_scope_in_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Every JSON row has a scope, the report counts unbounded and bounded,
    and the table's last line says the same; the 64-bit slot lemma is reported as bounded."""
    code = cli.main(["prove", "--json", "--jobs", "1", "--quiet", "--only", "ring.lemma*",
                     "--only", "lemma.slot_and_is_mod"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    scopes = {row["name"]: row["scope"] for row in out["obligations"]}
    assert scopes["ring.lemma_injective"] == "unbounded"
    assert scopes["lemma.slot_and_is_mod"].startswith("64-bit")
    assert out["scopes"] == {"unbounded": 2, "bounded": 1, "witness": 0}
    code = cli.main(["prove", "--jobs", "1", "--quiet", "--only", "lemma.slot_and_is_mod"])
    text = capsys.readouterr().out
    assert "scope: 0 unbounded, 1 bounded (64-bit words (x, S): 1), 0 witnesses" in text


def test_registry_scopes() -> None:
    """The unbounded step obligations replace the 2-user ones by name; every registered
    obligation is unbounded but the named exceptions of proofs/RESULTS.md."""
    from proofs.registry import NAMED_SCOPES, all_obligations

    obs = all_obligations()
    names = {ob.name for ob in obs}
    assert "step.user_reserve.aux_latch" in names and "init.cp6" in names
    assert not any(ob.name.startswith(("ring2.", "ring4.")) for ob in obs)
    bounded = {ob.name for ob in obs if ob.scope != "unbounded"}
    assert bounded == set(NAMED_SCOPES)
    # every action of 8.0 and 9.0 (9.0's flush-list-added tracker included) has unbounded
    # step obligations
    for action in ("user_wait_to_add", "user_report_added",
                   "checkpointer_ask_smallest_not_added", "closer_traverse_links"):
        assert f"step.{action}.aux_rc" in names
