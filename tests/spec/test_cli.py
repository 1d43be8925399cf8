"""``redospec explore``'s command line (spec/cli.py), bound to toy models where a model is needed.

Bad input: an unknown preset, a --set value Params rejects, an unknown
field, a label that does not parse or is not enabled: one line on stderr, status 2, no
traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spec.cli import Binding, main, parse_sets, split_trace
from spec.params import Params
from tests.engine.toy_models import (
    ToyActionNotEnabled,
    ToyLabel,
    ToyLabelError,
    counter,
    mini_log,
)

REPO = Path(__file__).resolve().parents[2]


def toy_binding(bug: str | None = None) -> Binding:
    """mini_log sized by the Params' user threads, so --set n_user_threads=... takes effect."""
    return Binding(
        make_model=lambda p: mini_log(users=p.n_user_threads, max_lsn=3, bug=bug),
        parse_label=ToyLabel.parse,
        bad_label=(ToyLabelError,),
        not_enabled=(ToyActionNotEnabled,),
    )


def counter_binding(bad: int) -> Binding:
    return Binding(make_model=lambda p: counter(bad=bad, bound=20), parse_label=ToyLabel.parse,
                   bad_label=(ToyLabelError,), not_enabled=(ToyActionNotEnabled,))


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- bad input: exit 2, one line ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["explore", "--preset", "huge"], "preset"),
        (["explore", "--set", "write_events=3"], "write_events=3: must be a power of two"),
        (["explore", "--set", "block_size=abc"], "block_size=abc: must be an integer"),
        (["explore", "--set", "no_such_field=1"], "unknown Params field 'no_such_field'"),
        (["explore", "--set", "checksums=maybe"], "must be a boolean"),
        (["explore", "--set", "novalue"], "expected FIELD=VALUE"),
        (["explore", "--max-states", "-5"], "--max-states must not be negative"),
        (["explore", "--bogus"], "unrecognized arguments: --bogus"),
        (["explore", "--walks", "many"], "invalid int value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, toy_binding()) == 2
    captured = capsys.readouterr()
    line = one_line_error(captured.err)
    assert line.startswith("redospec explore: ")
    assert needle in line
    assert captured.out == ""


def test_parse_sets_converts_by_field_type() -> None:
    sizes = tuple(reversed(Params.tiny().group_sizes))
    text = ", ".join(str(x) for x in sizes)
    got = parse_sets([f"group_sizes={text}", "checksums=false", "link_buf=8.0.22",
                      "max_sn=0x40", "n_files=1_0"])
    assert got == {"group_sizes": sizes, "checksums": False, "link_buf": "8.0.22",
                   "max_sn": 64, "n_files": 10}
    del got["n_files"]
    p = Params.tiny().evolve(**got)
    assert p.group_sizes == sizes and p.link_buf == "8.0.22" and p.max_sn == 64


def test_unknown_preset_without_a_model_is_still_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Params are validated before the model is imported (the real binding is used here)."""
    assert main(["explore", "--preset", "nope"]) == 2
    assert "unknown preset" in one_line_error(capsys.readouterr().err)


# --- exploring through the CLI -------------------------------------------------------------------


def test_json_is_one_object_with_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--json", "--quiet"], toy_binding()) == 0
    out = capsys.readouterr().out
    obj = json.loads(out)   # exactly one JSON document
    assert {"verdict", "distinct_states", "depth", "seconds", "actions", "invariants"} <= set(obj)
    assert obj["verdict"] == "ok" and obj["mode"] == "exhaustive"
    assert set(obj["actions"]) == {"reserve", "write", "wake"}
    assert obj["invariants"] == ["written_le_lsn", "written_monotonic"]


@pytest.mark.parametrize("bug,kind", [("no_writer", "deadlock"), ("spin", "liveness")])
def test_failures_map_to_violation_with_a_kind(
    bug: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explore", "--json", "--quiet"], toy_binding(bug)) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "violation" and obj["kind"] == kind


def test_exhaustive_coverage_failure_is_its_own_verdict(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """An action an exhaustive search never takes fails (exit 1), as coverage, not as a
    property violation."""
    assert main(["explore", "--json", "--quiet"], toy_binding("dead_action")) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "coverage" and obj["kind"] == "coverage"
    assert obj["uncovered"] == ["recover"]


def test_random_walks_report_unreached_actions_without_failing(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """Random walks: an unreached action is a coverage report (exit 0), a failed property is
    a violation (exit 1)."""
    assert main(["explore", "--json", "--quiet", "--walks", "20", "--depth", "20"],
                toy_binding("dead_action")) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "ok" and obj["uncovered"] == ["recover"]
    assert main(["explore", "--quiet", "--walks", "20", "--depth", "20"],
                toy_binding("dead_action")) == 0
    text = capsys.readouterr().out
    assert "not reached in these walks" in text and "verdict: OK" in text
    assert main(["explore", "--json", "--quiet", "--walks", "20", "--depth", "20"],
                toy_binding("no_writer")) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "violation"


def test_set_reaches_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    main(["explore", "--json", "--quiet", "--set", "n_user_threads=1"], toy_binding())
    one = json.loads(capsys.readouterr().out)["distinct_states"]
    main(["explore", "--json", "--quiet", "--set", "n_user_threads=2"], toy_binding())
    two = json.loads(capsys.readouterr().out)["distinct_states"]
    assert one < two


def test_text_report_has_figures_coverage_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--preset", "tiny", "--quiet"], counter_binding(bad=5)) == 1
    out = capsys.readouterr().out
    for word in ("distinct states:", "depth:", "time:", "states/s:", "inc", "verdict: VIOLATION"):
        assert word in out
    # the trace is printed numbered, with the field each step changed
    assert "1. inc(by=1)  x: 0 -> 1" in out or "1. inc(by=3)  x: 0 -> 3" in out


def test_innodb_defaults_to_random_walks(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explore", "--preset", "innodb", "--json", "--quiet", "--walks", "5",
                 "--depth", "20", "--seed", "4"], toy_binding())
    obj = json.loads(capsys.readouterr().out)
    assert obj["mode"] == "random" and obj["seed"] == 4 and obj["walks"] == 5
    assert code == (0 if obj["verdict"] == "ok" else 1)


def test_max_states_is_incomplete_and_nonzero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--json", "--quiet", "--max-states", "3"], toy_binding()) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "incomplete" and obj["distinct_states"] == 3


def test_progress_goes_to_stderr(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import engine.search as ex

    monkeypatch.setattr(ex, "PROGRESS_EVERY", 0.0)
    binding = Binding(make_model=lambda p: counter(bound=3000), parse_label=ToyLabel.parse,
                      bad_label=(ToyLabelError,), not_enabled=(ToyActionNotEnabled,))
    assert main(["explore", "--json"], binding) == 0
    captured = capsys.readouterr()
    assert "states/s" in captured.err
    json.loads(captured.out)


# --- replay ---


def test_replay_prints_states_and_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    trace = "reserve(thread=0); write(upto=1); wake(thread=0)"
    assert main(["explore", "--replay", trace], toy_binding()) == 0
    out = capsys.readouterr().out
    assert "1. reserve(thread=0)  lsn: 0 -> 1, waiting[0]: 0 -> 1" in out
    assert "3. wake(thread=0)  waiting[0]: 1 -> 0" in out
    assert "verdict: OK" in out


def test_replay_of_a_counterexample_reports_the_property(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    """The explorer's printed trace (numbered, with diffs) can be fed back as a file."""
    assert main(["explore", "--quiet"], counter_binding(bad=4)) == 1
    printed = [ln for ln in capsys.readouterr().out.splitlines() if ln[:1].isdigit()]
    f = tmp_path / "trace.txt"
    f.write_text("# counterexample\n" + "\n".join(printed) + "\n")
    assert main(["explore", "--replay-file", str(f)], counter_binding(bad=4)) == 1
    out = capsys.readouterr().out
    assert "not_bad fails at step 2" in out


def test_replay_label_not_enabled_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--replay", "reserve(thread=0); wake(thread=0)"], toy_binding()) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "step 2" in line and "wake(thread=0)" in line and "not enabled" in line


def test_replay_rejected_label_names_the_enabled_labels(capsys: pytest.CaptureFixture[str]) -> None:
    """A rejected label names what *is* enabled there, so the user can correct the trace. In
    mini_log (SYS-1), after thread 0 reserved, thread 1 may reserve and the writer may write
    lsn 1; thread 0 cannot be woken before its lsn is written."""
    assert main(["explore", "--replay", "reserve(thread=0); wake(thread=0)"], toy_binding()) == 2
    line = one_line_error(capsys.readouterr().err)
    hint = line.split("enabled there:", 1)[1]
    assert "reserve(thread=1)" in hint and "write(" in hint
    assert "wake(thread=0)" not in hint


def test_replay_wrong_argument_names_on_the_redo_model(capsys: pytest.CaptureFixture[str]) -> None:
    """USR-1: user_reserve takes thread, size, page and wait; a label with a wrong argument name
    is exit 2 and the message shows well-formed user_reserve labels (tiny: sizes 4 and 8)."""
    assert main(["explore", "--replay", "user_reserve(t=0)"]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "unexpected keyword argument 't'" in line
    assert "user_reserve(thread=0, size=4, page=0, wait=flush)" in line.split("enabled there:")[1]


def test_width_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--replay", "", "--width", "-3"], toy_binding()) == 2
    assert "--width -3" in one_line_error(capsys.readouterr().err)


def test_replay_label_that_does_not_parse_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--replay", "reserve(thread=0); bogus label"], toy_binding()) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "step 2" in line and "'bogus label'" in line


def test_replay_file_missing_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["explore", "--replay-file", str(tmp_path / "nope.txt")], toy_binding()) == 2
    assert "nope.txt" in one_line_error(capsys.readouterr().err)


def test_split_trace_accepts_semicolons_lines_and_printed_steps() -> None:
    text = "a(x=1); b()\n# comment\n3. c(y=2, z=q)  f: 1 -> 2, g[0]: (1, 2) -> (3)\n\n"
    assert split_trace(text) == ["a(x=1)", "b()", "c(y=2, z=q)"]


# --- entry points ---


def test_python_dash_m_spec_bad_preset_is_exit_2() -> None:
    """``python -m spec`` and ``redospec explore`` share main(); no traceback on bad input."""
    for cmd in ([sys.executable, "-m", "spec", "--preset", "huge"],
                [sys.executable, "-m", "redospec", "explore", "--preset", "huge"]):
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "unknown preset" in one_line_error(proc.stderr)


def test_replay_every_state_prints_each_state(capsys: pytest.CaptureFixture[str]) -> None:
    trace = "reserve(thread=0); write(upto=1)"
    assert main(["explore", "--replay", trace, "--every-state"], toy_binding()) == 0
    out = capsys.readouterr().out
    # MiniLog is a dataclass, not attrs: printed by its repr, once per state (3 states)
    assert out.count("MiniLog(") == 3
    assert "MiniLog(lsn=1, written=1, waiting=(1, 0), spin=0)" in out


def test_unbounded_exhaustive_innodb_gets_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    """An exhaustive search of the innodb preset (real sizes) does not finish; a new user who
    asks for one is told to bound it (a note on stderr, the run itself goes ahead)."""
    assert main(["explore", "--preset", "innodb", "--mode", "exhaustive", "--quiet"],
                toy_binding()) == 0
    assert "--max-states" in capsys.readouterr().err
    assert main(["explore", "--preset", "innodb", "--mode", "exhaustive", "--max-states",
                 "100000", "--quiet"], toy_binding()) == 0
    assert "note" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["--seed", "3"], "--seed: only for random walks"),
        (["--depth", "9", "--seed", "3"], "--depth/--seed: only for random walks"),
        (["--mode", "exhaustive", "--walks", "2"], "--walks: only for random walks"),
        (["--preset", "innodb", "--max-states", "10"], "--max-states: only for an exhaustive"),
        (["--walks", "2", "--max-depth", "4"], "--max-depth: only for an exhaustive"),
    ],
)
def test_an_option_of_the_other_mode_is_exit_2(argv: list[str], needle: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """--seed on tiny (exhaustive by default) used to be silently ignored, so the user
    believed the run was random; likewise --max-states on random walks. Now: one line, 2."""
    assert main(["explore", "--quiet", *argv], toy_binding()) == 2
    assert needle in one_line_error(capsys.readouterr().err)
