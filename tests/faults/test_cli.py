"""``redospec faults``: the table, --json keys, exit statuses 0/1/2/130."""

from __future__ import annotations

import json
import re

import pytest

from faults import cli
from redospec.cli import main as redospec_main


def test_json_keys_and_ok(capsys: pytest.CaptureFixture[str]) -> None:
    """Every documented --json key, through the redospec dispatcher."""
    assert redospec_main(["faults", "--parts", "io", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in cli.KEYS:
        assert key in out
    assert out["verdict"] == "ok" and out["io_errors_injected"] > 0


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    """One table row per part and a verdict line."""
    assert cli.main(["faults", "--parts", "crash"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^crash +ok +\S", text, re.M) and "faults: OK" in text


@pytest.mark.parametrize("argv", [["--minutes", "0"], ["--parts", "nope"], ["--parts", ","],
                                  ["--minutes", "x"]])
def test_bad_input_is_one_line_and_status_2(argv: list[str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input: status 2, no traceback."""
    assert cli.main(["faults", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_failure_exits_1(monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """Any loss makes the exit status 1 and is printed."""

    def lose(part: str, tally: cli.Tally, *args: object) -> None:
        tally.fail("acknowledged_lost", "seeded")

    monkeypatch.setattr(cli, "run_part", lose)
    assert cli.main(["faults", "--parts", "io"]) == 1
    assert "FAILED acknowledged_lost: seeded" in capsys.readouterr().out


def test_ctrl_c_is_130_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C: status 130 and one line saying what was done."""

    def interrupted(part: str, tally: cli.Tally, *args: object) -> None:
        tally.crash_states = 7
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_part", interrupted)
    assert cli.main(["faults"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert "interrupted" in err[-1] and "7 crash states" in err[-1]
