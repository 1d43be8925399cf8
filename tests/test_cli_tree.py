"""The command-line tree (redospec/cli.py, redospec/command.py): one convention, one error type.

Every subcommand of ``redospec`` comes from a module exposing ``configure(parser)`` and
``run(args)``; its ``--help`` works and exits 0; a bad option is one line ``redospec SUB: ...``
and status 2 (never argparse's multi-line usage, never a traceback); the modules import cheaply
(no z3, no thread started, until the subcommand runs); and there is exactly one ``UsageError``
class and one argparse subclass in the project.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from redospec import command
from redospec.cli import SUBCOMMANDS, main
from redospec.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("spec", "impl", "proofs", "conformance", "atlas", "faults", "redospec", "bench")


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_follows_the_convention(name: str) -> None:
    module = importlib.import_module(SUBCOMMANDS[name][0])
    assert callable(module.configure) and callable(module.run), name


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_help_exits_0_and_describes_the_subcommand(name: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: redospec {name}"), out
    assert len(out.split("\n\n")[1]) > 30, out   # a description, not only the usage line


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_a_bad_option_is_one_line_and_status_2(name: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--no-such-option"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"redospec {name}: "), captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_no_arguments_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for name, (_, text) in SUBCOMMANDS.items():
        assert f"  {name}" in out and text in out


def test_unknown_subcommand_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "unknown subcommand 'frobnicate'" in capsys.readouterr().err


def test_a_usage_error_raised_by_run_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The machinery itself (teeth of the tests above): run raising UsageError."""

    def run(args: object) -> int:
        raise UsageError("--x 3: must be even")

    assert command.run_command("demo", lambda p: None, run, ["demo"]) == 2
    assert capsys.readouterr().err == "redospec demo: --x 3: must be even\n"


def test_subcommand_modules_import_cheaply() -> None:
    """Building the command line imports no z3 and starts no thread (each module alone)."""
    modules = sorted({m for m, _ in SUBCOMMANDS.values()})
    code = ("import sys, threading, importlib\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module(m)\n"
            "    assert 'z3' not in sys.modules, m\n"
            "    assert threading.active_count() == 1, m\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _classes(base: str) -> list[str]:
    """Every ``class X(... base ...)`` or ``class base(...)`` in the parts, as path:line."""
    found = []
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.ClassDef):
                    continue
                bases = [ast.unparse(b) for b in node.bases]
                if node.name == base or any(b.split(".")[-1] == base for b in bases):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_one_usage_error_type() -> None:
    """Exactly one UsageError class (redospec/errors.py) and no subclass of it."""
    assert [c.split(":")[0] for c in _classes("UsageError")] == ["redospec/errors.py"]


def test_one_argparse_subclass() -> None:
    """Only redospec.command's Parser turns argparse errors into a UsageError."""
    assert [c.split(":")[0] for c in _classes("ArgumentParser")] == ["redospec/command.py"]


def test_no_parser_outside_the_tree() -> None:
    """No part builds its own ``argparse.ArgumentParser`` (benchmarks, run as scripts, may)."""
    found = []
    for part in PARTS:
        if part == "bench":
            continue
        for path in sorted((ROOT / part).rglob("*.py")):
            text = path.read_text("utf-8")
            if "ArgumentParser(" in text and path.name != "command.py":
                found.append(str(path.relative_to(ROOT)))
    assert found == []


LEFTOVERS = re.compile(r"not available yet|\(issue:|\bissue \d|\bissue item|\bitems? \d",
                       re.IGNORECASE)
"""Placeholder text and process words (which issue, which item) in the code, the README and
docs/: their reader was not there when the work was planned."""


def test_no_leftovers_in_code_or_help() -> None:
    found = []
    texts = [p for part in (*PARTS, "tests") for p in sorted((ROOT / part).rglob("*.py"))]
    texts += [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for path in texts:
        if path.name in ("test_cli_tree.py", "test_newcomer.py"):   # they name the words
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if LEFTOVERS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize("line", ["# wake everyone (item 8)", '"""Scopes (issue 14 item 5)."""',
                                  "help='not available yet'", "(issue: Performance)"])
def test_leftover_pattern_has_teeth(line: str) -> None:
    assert LEFTOVERS.search(line)
