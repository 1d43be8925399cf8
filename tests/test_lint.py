"""The code standards as tests: ``ruff`` and ``mypy --strict`` clean on every part.

The configuration (rules, strictness, the folders mypy checks) lives in pyproject.toml; these
tests only run the tools, so a change that breaks lint or types fails CI like any other.
Both tools come with ``pip install -e '.[dev]'``; ``.ci/run`` installs ``.[dev,docs]``, since mypy
also needs Sphinx for atlas/book.py. Without the tools a local run skips, CI fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: CI installs it with pip install -e '.[dev]'")
        pytest.skip(f"{name} not installed (pip install -e '.[dev]')")
    return found


def test_ruff_clean(tmp_path: Path) -> None:
    """ruff check . reports nothing."""
    run = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_clean(tmp_path: Path) -> None:
    """mypy (strict, on spec, impl, proofs, conformance, redospec) reports nothing."""
    run = subprocess.run([_tool("mypy"), "--cache-dir", str(tmp_path / "cache")], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
