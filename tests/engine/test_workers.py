"""Several workers (engine/workers.py) report exactly what one process reports: distinct
states, transitions, depth, verdict, and the length and kind of the counterexample (SYS-1,
SYS-3 and the step property's caricatures in the toy models; the redo model's invariants on a
bounded tiny)."""

from __future__ import annotations

import json

import pytest

from engine import explore
from spec.cli import main
from spec.model import RedoModel
from spec.params import Params
from tests.engine.test_store import MODELS
from tests.engine.toy_models import mini_log, reachable_count


def _same(one: object, many: object) -> None:
    from engine import ExploreResult

    assert isinstance(one, ExploreResult) and isinstance(many, ExploreResult)
    assert (many.verdict, many.distinct_states, many.transitions, many.depth) == (
        one.verdict, one.distinct_states, one.transitions, one.depth)
    assert many.actions == one.actions
    assert (one.violation is None) == (many.violation is None)
    if one.violation is not None and many.violation is not None:
        assert many.violation.kind == one.violation.kind
        assert many.violation.property == one.violation.property
        assert len(many.violation.trace) == len(one.violation.trace)
        assert [s.label for s in many.violation.steps] == list(many.violation.trace)


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("name", list(MODELS))
def test_workers_report_what_one_process_reports(name: str, workers: int) -> None:
    one = explore(MODELS[name]())
    many = explore(MODELS[name](), workers=workers)
    assert many.workers == workers and many.store == "fingerprints"
    _same(one, many)


def test_workers_counterexample_replays_to_the_failure() -> None:
    model = MODELS["bad_value"]()
    r = explore(model, workers=2)
    assert r.violation is not None
    assert model.replay(list(r.violation.labels))[-1].x == 17


def test_workers_on_a_bigger_toy_and_a_depth_bound() -> None:
    model = mini_log(users=4, max_lsn=7)
    many = explore(model, workers=2)
    assert many.distinct_states == reachable_count(model)
    _same(explore(model), many)
    _same(explore(model, max_depth=5), explore(model, max_depth=5, workers=2))


def test_workers_refuse_max_states() -> None:
    with pytest.raises(ValueError, match="max_states"):
        explore(mini_log(), max_states=10, workers=2)


def test_redo_model_with_two_workers() -> None:
    """The redo model with two groups at most (a complete search in seconds): the same
    states, transitions, depth and verdict as one process."""
    p = Params.tiny().evolve(max_sn=8)
    _same(explore(RedoModel(p)), explore(RedoModel(p), workers=2))


def test_redo_tiny_bounded_with_two_workers() -> None:
    p = Params.tiny()
    _same(explore(RedoModel(p), max_depth=14), explore(RedoModel(p), max_depth=14, workers=2))


def test_cli_workers(capsys: pytest.CaptureFixture[str]) -> None:
    one = explore(RedoModel(Params.tiny().evolve(max_sn=8)))
    assert one.verdict == "coverage"      # two groups at most: some actions never taken
    assert main(["explore", "--preset", "tiny", "--set", "max_sn=8", "--workers", "2",
                 "--json", "--quiet"]) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["workers"] == 2 and obj["store"] == "fingerprints"
    assert (obj["verdict"], obj["distinct_states"], obj["depth"]) == (
        one.verdict, one.distinct_states, one.depth)
    assert main(["explore", "--workers", "2", "--max-states", "5"]) == 2
    assert "--max-states" in capsys.readouterr().err
    assert main(["explore", "--workers", "0"]) == 2


@pytest.mark.parametrize("workers", [2, 3])
def test_each_worker_expands_its_share(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """The expansion work is split evenly: from one initial state, every worker keeps and
    expands its share of the states (a state stays with the worker that found it first, so
    without balancing each level one worker would keep all of them, and all the
    transitions)."""
    from engine import workers as engine_workers

    seen: list[list[dict[str, object]]] = []
    ask_all = engine_workers._Pool.ask_all

    def recording(self: object, request: str, per_worker: object = None) -> object:
        out = ask_all(self, request, per_worker)  # type: ignore[arg-type]
        if request == "totals":
            seen.append(out)
        return out

    monkeypatch.setattr(engine_workers._Pool, "ask_all", recording)
    model = RedoModel(Params.tiny().evolve(max_sn=8))
    assert len(list(model.init_states())) == 1
    r = explore(model, workers=workers)
    per_worker = seen[-1]
    assert len(per_worker) == workers
    assert sum(int(str(t["n"])) for t in per_worker) == r.distinct_states
    for t in per_worker:   # an even split gives each 1/workers of both
        assert int(str(t["n"])) > r.distinct_states / (2 * workers)
        assert int(str(t["transitions"])) > r.transitions / (2 * workers)


@pytest.mark.parametrize("counts", [[1, 0], [42, 0], [0, 0, 90], [27, 41], [5000, 5100],
                                    [7012, 7204], [10, 400, 3, 0], [100, 100, 100]])
def test_balance_moves_even_out_a_level(counts: list[int]) -> None:
    """Each worker hands over its surplus so that all hold an even share (to within one
    state), unless the level is nearly even already (then nothing moves)."""
    from engine.partition import BALANCE_MIN, BALANCE_SLACK, balance_moves

    moves = balance_moves(counts)
    after = list(counts)
    for src, out in enumerate(moves):
        for dst, k in out:
            assert k > 0 and dst != src
            after[src] -= k
            after[dst] += k
    total, n = sum(counts), len(counts)
    if max(counts) <= total / n * (1 + BALANCE_SLACK) + BALANCE_MIN:
        assert not any(moves)
    else:
        assert max(after) - min(after) <= 1 and sum(after) == total


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("name", list(MODELS))
def test_states_handed_over_at_every_level(monkeypatch: pytest.MonkeyPatch, name: str,
                                          workers: int) -> None:
    """With every imbalance evened out (states handed over at nearly every level, so most
    traces and liveness's graph go through states kept by a worker that did not find them),
    still what one process reports."""
    from engine import partition

    monkeypatch.setattr(partition, "BALANCE_SLACK", 0.0)
    monkeypatch.setattr(partition, "BALANCE_MIN", 0)
    _same(explore(MODELS[name]()), explore(MODELS[name](), workers=workers))
