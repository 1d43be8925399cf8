"""The layer contract of DESIGN.md section 1, checked on the source itself.

``impl`` must never import ``spec``: conformance means something only because the two were
written independently, and a shared constant would hide a wrong value from every check. The
arrows allowed between the project's packages:

* ``spec``: imports nothing of the other parts (the model stands alone), except its
  ``redospec explore`` command (``spec/cli.py``), which runs the model in the engine;
* ``engine``: imports nothing of the other parts (the explorer is generic: it checks any
  model of its ``Model`` shape, toy models included);
* ``impl``: imports nothing of the other parts (the real system stands alone);
* ``proofs`` -> ``spec``;
* ``atlas`` -> ``spec``, ``engine``;
* ``conformance`` -> ``spec``, ``impl``;
* ``faults`` -> ``impl`` (end-to-end fault campaigns on the real system);
* ``campaign`` -> ``conformance``, ``spec``, ``impl`` (fuzz campaigns of the conformance
  checks: workers, shared example databases, reports); only the CLI imports it;
* ``bench`` and ``redospec`` (the command-line tree) sit on top and may import any part;
* except that every part may import the command line's leaf modules (``redospec.errors``,
  ``redospec.output``, ``redospec.command``, ``redospec.interrupts``), which import nothing of
  the parts themselves (checked below), so a subcommand's module in its own part can raise the
  one ``UsageError`` and render with the one renderer without reaching any other part.

An import is any ``import X`` / ``from X import ...`` statement, at any depth (inside functions
too), and any ``importlib.import_module("X...")`` or ``__import__("X")`` with a literal name:
the CLI loads parts lazily by name, and a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PARTS = ("spec", "engine", "impl", "proofs", "conformance", "faults", "bench", "redospec", "atlas",
         "campaign")

ALLOWED: dict[str, frozenset[str]] = {
    "spec": frozenset({"engine"}),
    "engine": frozenset(),
    "impl": frozenset(),
    "proofs": frozenset({"spec"}),
    "conformance": frozenset({"spec", "impl"}),
    "faults": frozenset({"impl"}),
    "atlas": frozenset({"spec", "engine"}),
    "campaign": frozenset({"conformance", "spec", "impl"}),
    "bench": frozenset(PARTS) - {"bench"},
    "redospec": frozenset(PARTS) - {"redospec"},
}
"""Part -> the other parts it may import."""

LEAVES = frozenset({"redospec.errors", "redospec.output", "redospec.command",
                    "redospec.interrupts"})
"""Modules of the command line any part may import: they import no part (only each other)."""


def _is_leaf(name: str) -> bool:
    return name in LEAVES


NARROW: dict[tuple[str, str], frozenset[str]] = {
    ("spec", "engine"): frozenset({"spec/cli.py"}),
}
"""Arrows that only some files of a part may have: ``spec`` is the model of the redo log
alone; only its ``explore`` command runs that model in the engine."""


def imported_parts(source: str, filename: str = "<source>") -> set[tuple[int, str]]:
    """The project parts ``source`` imports, as ``(line, part)`` pairs: import statements,
    ``importlib.import_module("...")`` and ``__import__("...")`` calls with a literal name.
    Relative imports stay inside their own part and are not reported."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source, filename)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "redospec" and all(
                    _is_leaf(f"redospec.{alias.name}") for alias in node.names):
                names = []   # from redospec import output, errors
        elif isinstance(node, ast.Call) and node.args:
            fn = node.func
            called = (fn.attr if isinstance(fn, ast.Attribute)
                      else fn.id if isinstance(fn, ast.Name) else "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(
                    first, ast.Constant) and isinstance(first.value, str):
                names = [first.value]
        for name in names:
            if _is_leaf(name):
                continue
            top = name.split(".")[0]
            if top in PARTS:
                found.add((node.lineno, top))
    return found


def violations(root: Path = ROOT) -> list[str]:
    """Every import that breaks the contract, as ``path:line: part imports other``."""
    bad: list[str] = []
    for part, allowed in ALLOWED.items():
        folder = root / part
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            for line, other in sorted(imported_parts(path.read_text("utf-8"), str(path))):
                rel = path.relative_to(root).as_posix()
                only = NARROW.get((part, other))
                if other != part and (other not in allowed
                                      or (only is not None and rel not in only)):
                    bad.append(f"{rel}:{line}: {part} imports {other}")
    return bad


def test_leaves_import_no_part() -> None:
    """The leaf modules every part may import reach no part (not even the rest of redospec):
    otherwise importing one would smuggle in the arrow the contract forbids."""
    for leaf in sorted(LEAVES):
        path = ROOT / (leaf.replace(".", "/") + ".py")
        assert imported_parts(path.read_text("utf-8"), str(path)) == set(), leaf


def test_layer_contract_holds() -> None:
    """DESIGN.md 1: impl independent of spec, spec of everything, proofs -> spec,
    conformance -> spec + impl, CLI on top. The list names each offending import."""
    assert violations() == []


def test_every_part_is_in_the_contract() -> None:
    """A new top-level package must be given its arrows here, not escape the check."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= set(ALLOWED), f"packages without a layer rule: {packages - set(ALLOWED)}"


@pytest.mark.parametrize(("part", "line"), [
    ("impl", "from spec.params import Params"),
    ("impl", "import spec.lsn as lsn"),
    ("impl", "def f():\n    from conformance import checks\n"),
    ("impl", "import importlib\nm = importlib.import_module('spec.model')"),
    ("spec", "from impl.config import LogConfig"),
    ("proofs", "import impl.format"),
    ("faults", "from spec.crash import recover_image"),
    ("impl", "from redospec.cli import SUBCOMMANDS"),
    ("spec", "from redospec import cli"),
    ("engine", "from spec.model import RedoModel"),
    ("spec", "from engine import explore"),
])
def test_a_forbidden_import_is_caught(tmp_path: Path, part: str, line: str) -> None:
    """Teeth: a deliberately added forbidden import (also a lazy, function-level or
    importlib one) in a copy of the part is reported with its file and line."""
    (tmp_path / part).mkdir()
    (tmp_path / part / "__init__.py").write_text("")
    (tmp_path / part / "bad.py").write_text(line + "\n")
    found = violations(tmp_path)
    assert len(found) == 1 and found[0].startswith(f"{part}/bad.py:"), found


def test_allowed_and_relative_imports_pass(tmp_path: Path) -> None:
    """Allowed arrows and relative imports are not reported."""
    (tmp_path / "conformance").mkdir()
    (tmp_path / "conformance" / "ok.py").write_text(
        "from spec.params import Params\nimport impl.redolog\nfrom . import checks\n")
    assert violations(tmp_path) == []
