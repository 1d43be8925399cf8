"""The explorer on the real model, :class:`spec.model.RedoModel`.

The exhaustive ``tiny`` exploration is the CI check of the whole spec: every invariant of
:mod:`spec.invariants` on every reachable state and transition, no deadlock and SYS-3
liveness, every action taken. It is marked ``slow`` (see bench/RESULTS-explore.md for the
figures).
"""

from __future__ import annotations

import json

import pytest

from engine import explore, random_walks
from spec.cli import main
from spec.model import Label, RedoModel
from spec.params import Params

REQUIRED_IDS = {"SYS-1", "LNK-5", "SYS-2", "WR-6", "NT-4", "SYS-4", "RC-4", "FMT-3", "FMT-8"}
"""The invariants the explorer must check at least."""


def test_every_required_invariant_is_checked() -> None:
    """The explorer reports the names of the properties it checked; together they cover the
    IDs the requirements list."""
    model = RedoModel(Params.tiny())
    r = explore(model, max_states=50)
    checked = {p.name for p in model.properties()}
    assert set(r.invariants) == checked
    ids = {i for p in model.properties() for i in p.ids}
    assert ids >= REQUIRED_IDS, REQUIRED_IDS - ids


def test_bounded_tiny_prefix_has_no_violation() -> None:
    """The first levels of tiny (a fast smoke test; the full search is below)."""
    r = explore(RedoModel(Params.tiny()), max_states=3000)
    assert r.violation is None, r.violation.format() if r.violation else ""
    assert r.verdict == "incomplete"
    assert r.distinct_states == 3000


def test_tiny_with_two_groups_is_safe_and_live() -> None:
    """A fast complete search (reservations stop after 8 sn: at most two groups): no invariant
    violated, no deadlock, SYS-3 liveness holds. Coverage is the slow test's business."""
    r = explore(RedoModel(Params.tiny().evolve(max_sn=8)))
    assert r.violation is None, r.violation.format() if r.violation else ""
    assert r.complete and r.liveness_checked
    assert r.verdict in ("ok", "coverage")


@pytest.mark.slow
def test_tiny_exhaustive_is_ok_with_every_action_covered() -> None:
    """The exhaustive exploration of the tiny preset in CI (about
    200,000 states, under a minute; bench/RESULTS-explore.md): verdict ok, every action of the
    configuration taken, SYS-3 liveness checked on the complete graph."""
    r = explore(RedoModel(Params.tiny()))
    assert r.verdict == "ok", r.summary()
    assert r.uncovered == ()
    assert r.liveness_checked and r.complete
    assert r.distinct_states > 1000   # a real search, not a model stuck in its first states


@pytest.mark.slow
def test_random_walks_on_innodb_find_no_violation() -> None:
    """InnoDB's own sizes are far too large to enumerate: seeded random walks check the same
    properties on every step (coverage is not expected from a few short walks)."""
    r = random_walks(RedoModel(Params.innodb()), walks=2, depth=20, seed=11)
    assert r.violation is None, r.violation.format() if r.violation else ""
    assert r.verdict in ("ok", "coverage")
    assert r.transitions > 0


def test_random_walks_replay_with_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    """A walk's labels, printed and parsed back, replay through ``redospec explore --replay``;
    a label made invalid at one step is refused with exit 2 naming that step."""
    model = RedoModel(Params.tiny())
    s = model.init_states()[0]
    labels: list[Label] = []
    for _ in range(12):
        label, s = next(iter(model.successors(s)))
        labels.append(label)
    text = "; ".join(str(x) for x in labels)
    assert main(["explore", "--preset", "tiny", "--replay", text]) == 0
    out = capsys.readouterr().out
    assert f"12. {labels[11]}" in out and "verdict: OK" in out
    # thread 9 does not exist in tiny (2 user threads): step 3 is refused
    bad = [*labels[:2], Label("user_reserve", (("thread", 9), ("size", 8))), *labels[2:]]
    assert main(["explore", "--preset", "tiny", "--replay",
                 "; ".join(str(x) for x in bad)]) == 2
    err = capsys.readouterr().err
    assert "step 3" in err and "user_reserve(thread=9" in err and "Traceback" not in err


def test_cli_json_on_the_real_model(capsys: pytest.CaptureFixture[str]) -> None:
    """``redospec explore --json`` prints one object with the contract's keys."""
    code = main(["explore", "--preset", "tiny", "--max-states", "500", "--json", "--quiet"])
    obj = json.loads(capsys.readouterr().out)
    assert {"verdict", "distinct_states", "depth", "seconds", "actions", "invariants"} <= set(obj)
    assert obj["verdict"] == "incomplete" and code == 1
    assert set(obj["actions"]) == set(RedoModel(Params.tiny()).action_names())


def _no_wake() -> RedoModel:
    """tiny with at most one group, and user_wait_wake never enabled: a sleeping user is
    signalled (USR-7) but never wakes (a broken USR-6/SYS-3)."""
    return RedoModel(Params.tiny().evolve(max_sn=8)).with_action(
        "user_wait_wake", lambda p, s, **kw: None)


def test_a_user_that_never_wakes_is_a_deadlock_with_a_shortest_trace() -> None:
    """SYS-3 (deadlock): once every background thread has finished its work, nothing is
    enabled while a user still sleeps. The trace replays and ends with that user asleep."""
    model = _no_wake()
    r = explore(model)
    assert r.verdict == "deadlock", r.summary()
    v = r.violation
    assert v is not None and v.ids == ("SYS-3",)
    states = model.replay(list(v.labels))
    assert not model.waiters_satisfied(states[-1])
    assert list(model.successors(states[-1])) == []
    assert any(lab.startswith("user_wait_check(") for lab in v.trace)


class _Stutter:
    """A model wrapper with one extra, always enabled action that changes nothing (a
    self-loop), so a stuck waiter is no longer a deadlock: only SYS-3's liveness check can
    see it."""

    def __init__(self, model: RedoModel) -> None:
        self.model = model
        self.params = model.params

    def __getattr__(self, name: str) -> object:
        return getattr(self.model, name)

    def successors(self, s: object) -> object:
        yield from self.model.successors(s)  # type: ignore[arg-type]
        yield Label("stutter"), s

    def action_names(self) -> tuple[str, ...]:
        return (*self.model.action_names(), "stutter")


def test_a_user_that_never_wakes_breaks_liveness_even_without_deadlock() -> None:
    """SYS-3 (liveness): with a self-loop everywhere there is no deadlock, but from the state
    after the user goes to sleep no state without waiters is reachable."""
    r = explore(_Stutter(_no_wake()))  # type: ignore[arg-type]
    assert r.verdict == "liveness", r.summary()
    v = r.violation
    assert v is not None and v.ids == ("SYS-3",)
    # doomed exactly when a user goes to sleep (before, its check may still find the flush
    # done and return without sleeping)
    assert v.trace[-1].startswith("user_wait_check(")
    states = _no_wake().replay(list(v.labels))
    assert any(u.pc == "sleeping" for u in states[-1].users)
    assert v.cycle
