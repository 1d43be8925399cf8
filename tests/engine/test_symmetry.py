"""Symmetry reduction over interchangeable user threads: a state and its permutations of
users count once, and a violation is still found (SYS-1's caricature ``written <= lsn`` broken
by user thread 1 alone; SYS-3's deadlock with every user waiting)."""

from __future__ import annotations

import pytest

from engine import explore
from spec.cli import main
from spec.model import RedoModel
from spec.params import Params
from tests.engine.toy_models import mini_log, sorted_waiting


def _reachable(model: object) -> set[object]:
    seen = set(model.init_states())  # type: ignore[attr-defined]
    stack = list(seen)
    while stack:
        s = stack.pop()
        for _, t in model.successors(s):  # type: ignore[attr-defined]
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_symmetry_counts_each_class_once(workers: int) -> None:
    model = mini_log(users=3, max_lsn=6)
    classes = {sorted_waiting(s) for s in _reachable(model)}   # the oracle: orbits
    r = explore(model, symmetry=sorted_waiting, workers=workers)
    full = explore(model)
    assert r.verdict == full.verdict == "ok"
    assert r.distinct_states == len(classes) < full.distinct_states
    assert r.depth == full.depth


@pytest.mark.parametrize("workers", [1, 2])
def test_symmetry_does_not_hide_a_bug_of_user_1(workers: int) -> None:
    model = mini_log(users=3, max_lsn=4, bug="user1")
    r = explore(model, symmetry=sorted_waiting, workers=workers)
    assert r.verdict == "violation" and r.violation is not None
    assert r.violation.property == "written_le_lsn"
    assert "wake(thread=1)" in r.violation.trace
    # the trace is a real execution: it replays without symmetry to the bad state
    last = model.replay(list(r.violation.labels))[-1]
    assert last.written > last.lsn


@pytest.mark.parametrize("bug", ["no_writer", "overrun", "backwards"])
def test_symmetric_bugs_keep_their_shortest_trace(bug: str) -> None:
    model = mini_log(users=3, max_lsn=4, bug=bug)
    full = explore(model)
    sym = explore(model, symmetry=sorted_waiting)
    assert sym.verdict == full.verdict and sym.violation is not None and full.violation
    assert sym.violation.kind == full.violation.kind
    assert len(sym.violation.trace) == len(full.violation.trace)
    model.replay(list(sym.violation.labels))    # real labels: replays without symmetry


def test_redo_model_symmetry_keeps_the_verdict_with_fewer_states() -> None:
    p = Params.tiny().evolve(max_sn=8, page_per_thread=False)
    model = RedoModel(p)
    canonical = model.user_symmetry()
    assert canonical is not None
    full = explore(model)
    sym = explore(model, symmetry=canonical)
    assert sym.verdict == full.verdict
    assert sym.depth == full.depth
    assert sym.distinct_states < full.distinct_states
    assert sym.actions.keys() == full.actions.keys()
    assert {a for a, k in sym.actions.items() if k} == {a for a, k in full.actions.items() if k}


def test_no_symmetry_when_pages_are_tied_to_threads(capsys: pytest.CaptureFixture[str]) -> None:
    assert RedoModel(Params.tiny()).user_symmetry() is None
    assert main(["explore", "--preset", "tiny", "--symmetry"]) == 2
    assert "page_per_thread" in capsys.readouterr().err


def test_medium_preset() -> None:
    p = Params.preset("medium")
    assert p.n_user_threads == 3 and p.explore_crashes and not p.page_per_thread
    assert RedoModel(p).user_symmetry() is not None
