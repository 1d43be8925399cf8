"""bench/mutation.py: the shortcut that records an annotation-only mutant as surviving without
running the checks must not take a real change for one."""

from __future__ import annotations

from pathlib import Path

from bench import mutation

SOURCE = """from __future__ import annotations


def wait(count: int | None = None) -> float | None:
    limit: int | None = 3
    return count if count is None else count * limit
"""


def _tree(tmp: Path, now: str) -> Path:
    (tmp / mutation.PRISTINE / "impl").mkdir(parents=True)
    (tmp / mutation.PRISTINE / "impl" / "m.py").write_text(SOURCE)
    (tmp / "impl").mkdir()
    (tmp / "impl" / "m.py").write_text(now)
    return tmp


def test_annotation_only_change_is_recognised(tmp_path: Path) -> None:
    now = SOURCE.replace("count: int | None", "count: int ** None")
    assert mutation.annotation_only_mutant(_tree(tmp_path, now)) == "impl/m.py"


def test_a_change_of_the_code_is_not(tmp_path: Path) -> None:
    now = SOURCE.replace("count * limit", "count // limit")
    assert mutation.annotation_only_mutant(_tree(tmp_path, now)) is None


def test_without_a_pristine_copy_nothing_is_skipped(tmp_path: Path) -> None:
    assert mutation.annotation_only_mutant(tmp_path) is None
