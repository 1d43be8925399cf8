"""Every command in the README runs as shown and prints what the README says.

The README's fenced ```bash blocks are read line by line: every command that starts with
``.venv/bin/``, ``redospec``, ``python`` or ``"$(.ci/python)"`` (with an optional ``VAR=value``
prefix) is run from the checkout with ``bash -c`` and must exit with status 0, without a
traceback. A fenced block whose first line starts with ``$ `` is a transcript: its ``$`` lines
are run in one shell, in order, and every other line of the block except ``...`` must appear in
the output, in that order (after the substitutions below). New commands are picked up
automatically.

* **Skipping**: a comment ``# readme-test: skip (reason)`` on a command's line, or alone on the
  line above it, skips that command (the reason is shown by ``pytest -rs``). Commands that
  install packages or create the venv (``pip``, ``-m venv``) and option synopses (``[--json]``)
  are skipped automatically, with that reason.
* **Bounding**: :data:`LIMITS` maps a command prefix to extra arguments (or replacements) that
  keep it short, and to the exit status the bounded run has (an exhaustive search cut short by
  ``--max-states`` is ``incomplete``, status 1). Add a row when you add a long command.
* **Paths**: ``/tmp/NAME`` and ``.hypothesis/fuzz`` become folders of the test's tmp_path;
  ``../shared/fixtures`` becomes the real MySQL files' folder (``REDOSPEC_FIXTURES``), and a
  command that needs them is skipped when they are missing.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
MARKER = re.compile(r"#\s*readme-test:\s*skip\s*\((?P<reason>[^)]*)\)")
RUNNABLE = re.compile(r"^(?:[A-Z_]+=\S+\s+)*"
                      r"(?:\.venv/bin/|redospec\b|python|\"\$\(\.ci/python\)\")")
TIMEOUT_S = 240


class Limit(NamedTuple):
    """How to keep a long README command short: ``add`` is appended, ``replace`` maps a
    substring of the command to another; ``status`` is the bounded run's exit status."""

    add: str = ""
    replace: tuple[tuple[str, str], ...] = ()
    status: int = 0


LIMITS: dict[str, Limit] = {
    # exhaustive searches take 10 s to minutes: cut them (verdict incomplete, status 1)
    ".venv/bin/redospec explore --preset tiny --set": Limit(add="--max-states 3000", status=1),
    ".venv/bin/redospec explore --preset tiny  ": Limit(add="--max-states 3000", status=1),
    ".venv/bin/redospec explore --preset small": Limit(add="--max-states 3000", status=1),
    ".venv/bin/redospec explore --preset tiny --fingerprints":
        Limit(add="--max-states 3000", status=1),
    ".venv/bin/redospec explore --preset tiny --workers": Limit(add="--max-depth 8", status=1),
    # every obligation takes 10-20 s on 2 cores: the lemmas alone
    ".venv/bin/redospec prove  ": Limit(add="--only lemma.*"),
    ".venv/bin/redospec prove --json": Limit(add="--only lemma.*"),
    ".venv/bin/redospec workload --dir /tmp/log --threads 16 --groups 20000":
        Limit(replace=(("--groups 20000", "--groups 400"),)),
    ".venv/bin/redospec fuzz": Limit(replace=(("--minutes 30", "--minutes 0.01"),)),
    ".venv/bin/redospec mutants": Limit(add="writer_ignores_missing_link"),
}
"""Command prefix (matched after the command is padded with two spaces) -> its bounds."""


class Command(NamedTuple):
    line: int
    shell: str           # what bash runs (several lines for a transcript)
    expected: tuple[str, ...]   # lines the output must contain, in order
    skip: str            # a reason, or ""


def _strip_comment(line: str) -> str:
    """The command without its trailing ``# comment`` (quotes respected)."""
    # cut where an unquoted "#" starts a word
    in_quote = ""
    for i, ch in enumerate(line):
        if in_quote:
            in_quote = "" if ch == in_quote else in_quote
        elif ch in "'\"":
            in_quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def _auto_skip(cmd: str) -> str:
    if re.search(r"(^|\s|/)pip\b|-m venv\b", cmd):
        return "installs packages or creates the venv"
    if re.search(r"\s\[[^\]]*\]", cmd):
        return "an option synopsis, not a command"
    if re.search(r"-m pytest\b", cmd):
        return "the whole test suite; this test is part of it"
    return ""


def readme_commands(text: str) -> list[Command]:
    """The commands of every ```bash block and every transcript block of ``text``."""
    commands: list[Command] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if not fence.startswith("```"):
            i += 1
            continue
        lang = fence[3:].strip()
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        block = lines[start:end]
        if lang == "bash":
            pending = ""
            for n, raw in enumerate(block, start=start + 1):
                marker = MARKER.search(raw)
                cmd = _strip_comment(raw)
                if not cmd:
                    pending = marker.group("reason") if marker else pending
                    continue
                if RUNNABLE.match(cmd):
                    skip = (marker.group("reason") if marker else pending) or _auto_skip(cmd)
                    commands.append(Command(n, cmd, (), skip))
                pending = ""
        elif block and block[0].startswith("$ "):
            shell_lines, expected, skip = [], [], ""
            for raw in block:
                if raw.startswith("$ "):
                    marker = MARKER.search(raw)
                    skip = skip or (marker.group("reason") if marker else "")
                    shell_lines.append(_strip_comment(raw[2:]))
                elif raw.strip() and raw.strip() != "...":
                    expected.append(raw.rstrip())
            commands.append(Command(start + 1, "\n".join(shell_lines), tuple(expected), skip))
        i = end + 1
    return commands


def bounded(cmd: str) -> tuple[str, int]:
    """``cmd`` with the bounds of :data:`LIMITS` (longest matching prefix) and its status."""
    padded = cmd + "  "
    matches = [p for p in LIMITS if padded.startswith(p)]
    if not matches:
        return cmd, 0
    limit = LIMITS[max(matches, key=len)]
    for old, new in limit.replace:
        cmd = cmd.replace(old, new)
    if limit.add:
        head, sep, tail = cmd.partition(" |")   # before a pipe
        cmd = f"{head} {limit.add}{sep}{tail}"
    return cmd, limit.status


def substitute(text: str, tmp: Path) -> str:
    text = re.sub(r"(?<![\w.])/tmp/([\w.-]+)", lambda m: str(tmp / m.group(1)), text)
    text = text.replace(".hypothesis/fuzz", str(tmp / "fuzzdb"))
    return text.replace("../shared/fixtures", str(FIXTURES))


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_has_commands() -> None:
    """The extraction finds the README's commands (a test that reads nothing checks nothing)."""
    runnable = [c for c in COMMANDS if not c.skip]
    assert len(runnable) >= 10, COMMANDS
    assert any("explore" in c.shell for c in runnable)
    assert any("inspect" in c.shell and c.expected for c in runnable)


def test_extraction_and_bounds() -> None:
    """Markers, synopses, pipes and limits are understood as documented above."""
    text = "\n".join([
        "```bash", "# readme-test: skip (slow)", ".venv/bin/redospec check",
        ".venv/bin/redospec fuzz --minutes 30 --db .hypothesis/fuzz   # comment",
        ".venv/bin/redospec check [--json]", ".venv/bin/pip install x", "echo hi", "```",
        "```", "$ .venv/bin/redospec inspect ../shared/fixtures/x  # read it", "line one", "...",
        "```"])
    got = readme_commands(text)
    assert [(c.shell, c.skip) for c in got[:4]] == [
        (".venv/bin/redospec check", "slow"),
        (".venv/bin/redospec fuzz --minutes 30 --db .hypothesis/fuzz", ""),
        (".venv/bin/redospec check [--json]", "an option synopsis, not a command"),
        (".venv/bin/pip install x", "installs packages or creates the venv")]
    assert got[4].expected == ("line one",) and got[4].shell.endswith("/x")
    assert bounded(".venv/bin/redospec fuzz --minutes 30")[0].endswith("--minutes 0.01")
    assert bounded(".venv/bin/redospec explore --preset small --json | tail -1") == (
        ".venv/bin/redospec explore --preset small --json --max-states 3000 | tail -1", 1)


@pytest.mark.parametrize("command", COMMANDS,
                         ids=[f"L{c.line}:{c.shell.splitlines()[-1][:60]}" for c in COMMANDS])
def test_readme_command(command: Command, tmp_path: Path) -> None:
    if command.skip:
        pytest.skip(f"README line {command.line}: {command.skip}")
    if "../shared/fixtures" in command.shell and not FIXTURES.is_dir():
        pytest.skip(f"needs the real MySQL files ({FIXTURES} not found; set REDOSPEC_FIXTURES)")
    shell_lines, status = [], 0
    for line in command.shell.splitlines():
        cmd, status = bounded(line)
        shell_lines.append(substitute(cmd, tmp_path))
    script = "set -e\n" + "\n".join(shell_lines)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "ci", "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    where = f"README line {command.line}: {script}"
    assert "Traceback" not in done.stderr + done.stdout, f"{where}\n{done.stderr[-3000:]}"
    assert done.returncode == status, (
        f"{where}: exit {done.returncode}, expected {status}\nstdout: {done.stdout[-2000:]}\n"
        f"stderr: {done.stderr[-2000:]}")
    out = done.stdout.splitlines()
    pos = 0
    for want in command.expected:
        want = substitute(want, tmp_path)
        found = next((k for k in range(pos, len(out)) if out[k].rstrip() == want), None)
        assert found is not None, f"{where}: the README shows\n  {want}\nbut the output " \
                                  f"(from line {pos}) is:\n" + "\n".join(out[pos:pos + 40])
        pos = found + 1
