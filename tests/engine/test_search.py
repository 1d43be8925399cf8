"""The explorer on toy models whose answers are known by hand (tests/engine/toy_models.py).

Each test names what it checks of the explorer: shortest counterexamples (BFS), deadlock and
SYS-3 liveness detection, action coverage, bounds, reproducible random walks, JSON output.
"""

from __future__ import annotations

import json

import pytest

from engine import (
    ExploreResult,
    Progress,
    ReplayError,
    explore,
    format_trace,
    random_walks,
    replay_trace,
)
from tests.engine.toy_models import (
    Counter,
    ToyActionNotEnabled,
    ToyLabel,
    counter,
    mini_log,
    reachable_count,
)


def min_steps(k: int, steps: tuple[int, ...] = (1, 3)) -> int:
    """Fewest steps summing to k, by dynamic programming (independent of the explorer)."""
    best = [0] + [10**9] * k
    for v in range(1, k + 1):
        best[v] = min(best[v - b] + 1 for b in steps if b <= v)
    return best[k]


# --- state counts ---


@pytest.mark.parametrize("users,max_lsn", [(1, 3), (2, 4), (3, 3)])
def test_correct_mini_log_is_ok_and_counts_every_reachable_state(users: int, max_lsn: int) -> None:
    """A correct pipeline caricature: no violation, SYS-3 holds, every action covered, and the
    number of distinct states equals an independent depth-first count."""
    model = mini_log(users=users, max_lsn=max_lsn)
    r = explore(model)
    assert r.verdict == "ok", r.summary()
    assert r.distinct_states == reachable_count(model)
    assert r.liveness_checked and r.complete
    assert set(r.actions) == {"reserve", "write", "wake"}
    assert all(n > 0 for n in r.actions.values())
    assert r.invariants == ("written_le_lsn", "written_monotonic")


def test_counter_state_and_transition_counts_are_exact() -> None:
    """x in 0..bound by +1/+3: bound+1 states; transitions = #x with x+1<=bound (bound) plus
    #x with x+3<=bound (bound-2); BFS depth is the longest *shortest* distance to any x."""
    bound = 10
    r = explore(counter(bound=bound))
    assert r.verdict == "ok"
    assert r.distinct_states == bound + 1
    assert r.transitions == bound + (bound - 2)
    assert r.depth == max(min_steps(x) for x in range(bound + 1))
    assert r.actions == {"inc": r.transitions}


# --- shortest counterexample ---


@pytest.mark.parametrize("k", [1, 2, 5, 7, 11])
def test_counter_bug_at_depth_k_gives_a_shortest_replayable_trace(k: int) -> None:
    """BFS order: the first violation found has the fewest steps; the trace replays to a state
    that breaks the property; each step lists the field it changed."""
    model = counter(bad=k, bound=30)
    r = explore(model)
    assert r.verdict == "violation"
    v = r.violation
    assert v is not None and v.kind == "invariant" and v.property == "not_bad"
    assert v.ids == ("TOY-1",)
    assert len(v.trace) == min_steps(k)
    states = model.replay([ToyLabel.parse(t) for t in v.trace])
    assert states[-1] == Counter(k)
    assert list(v.labels) == [ToyLabel.parse(t) for t in v.trace]
    xs = [0] + [s.x for s in states[1:]]
    assert [st.changed for st in v.steps] == [{"x": (xs[i], xs[i + 1])} for i in range(len(xs) - 1)]
    assert r.depth == len(v.trace)


def test_bad_initial_state_has_an_empty_trace() -> None:
    r = explore(counter(bad=0))
    assert r.verdict == "violation"
    assert r.violation is not None and r.violation.trace == ()


def test_step_property_violation_ends_with_the_bad_transition() -> None:
    """WR-8 caricature: a writer that may move ``written`` backwards. Shortest: reserve, write
    up to 1, write back to 0 (three steps; two cannot lower a value that starts at 0)."""
    r = explore(mini_log(users=1, max_lsn=2, bug="backwards"))
    assert r.verdict == "violation"
    v = r.violation
    assert v is not None and v.kind == "step" and v.property == "written_monotonic"
    assert len(v.trace) == 3
    assert v.trace[-1] == "write(upto=0)"
    assert v.steps[-1].changed == {"written": (1, 0)}


def test_state_property_violation_in_mini_log() -> None:
    """An overrunning writer breaks written <= lsn right from the initial state: one step."""
    r = explore(mini_log(bug="overrun"))
    assert r.violation is not None
    assert r.violation.property == "written_le_lsn" and r.violation.trace == ("write(upto=1)",)


# --- deadlock, liveness, coverage ---


@pytest.mark.parametrize("users", [1, 2, 3])
def test_deadlock_without_a_writer(users: int) -> None:
    """SYS-3: every user reserved and waits, no thread can write: a deadlock after exactly one
    reserve per user (fewer leaves a user free to reserve)."""
    r = explore(mini_log(users=users, max_lsn=4, bug="no_writer"))
    assert r.verdict == "deadlock"
    v = r.violation
    assert v is not None and v.kind == "deadlock" and v.ids == ("SYS-3",)
    assert sorted(v.trace) == sorted(f"reserve(thread={t})" for t in range(users))


def test_no_deadlock_check_when_disabled() -> None:
    r = explore(mini_log(users=1, bug="no_writer"), check_deadlock=False, check_liveness=False)
    assert r.verdict == "coverage"   # wake is never enabled without a writer


def test_liveness_failure_without_deadlock() -> None:
    """An always-enabled idle step hides the missing writer from deadlock detection; SYS-3's
    backward reachability still finds that the waiter can never be satisfied. The first such
    state in BFS order is right after the first reserve; the cycle repeats a state."""
    r = explore(mini_log(users=2, max_lsn=3, bug="spin"))
    assert r.verdict == "liveness", r.summary()
    v = r.violation
    assert v is not None and v.property == "liveness" and v.ids == ("SYS-3",)
    assert v.trace == ("reserve(thread=0)",)
    assert v.cycle, "a lasso continues the trace"
    assert r.liveness_checked


def test_liveness_can_be_skipped() -> None:
    r = explore(mini_log(users=2, max_lsn=3, bug="spin"), check_liveness=False)
    assert r.verdict == "coverage"   # wake is never taken
    assert r.uncovered == ("wake",)
    assert not r.liveness_checked


def test_action_never_taken_is_a_coverage_failure() -> None:
    r = explore(mini_log(bug="dead_action"))
    assert r.verdict == "coverage"
    assert r.uncovered == ("recover",)
    assert r.actions["recover"] == 0
    assert "recover" in r.message
    # its own verdict, not a property violation
    assert r.to_json()["verdict"] == "coverage" and r.to_json()["kind"] == "coverage"


# --- bounds ---


def test_max_states_gives_incomplete_with_exactly_that_many_states() -> None:
    r = explore(counter(bound=1000), max_states=10)
    assert r.verdict == "incomplete"
    assert r.distinct_states == 10
    assert not r.complete and not r.liveness_checked


def test_max_states_equal_to_the_graph_is_complete() -> None:
    model = mini_log(users=2, max_lsn=3)
    n = reachable_count(model)
    assert explore(model, max_states=n).verdict == "ok"
    assert explore(model, max_states=n - 1).verdict == "incomplete"


def test_max_depth_cuts_and_says_so() -> None:
    r = explore(counter(bound=30), max_depth=2)
    assert r.verdict == "incomplete"
    # reachable within 2 steps of +1/+3: {0,1,2,3,4,6}
    assert r.distinct_states == 6


def test_progress_callback_is_called_on_long_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.search as ex

    monkeypatch.setattr(ex, "PROGRESS_EVERY", 0.0)
    seen: list[Progress] = []
    explore(counter(bound=5000), progress=seen.append)
    assert seen and seen[-1].distinct_states <= 5001
    assert "states/s" in seen[0].line()


# --- random walks ---


def test_random_walks_are_deterministic_per_seed() -> None:
    model = mini_log(users=3, max_lsn=6)
    a = random_walks(model, walks=20, depth=30, seed=5)
    b = random_walks(model, walks=20, depth=30, seed=5)
    assert (a.actions, a.transitions, a.distinct_states) == (b.actions, b.transitions,
                                                             b.distinct_states)
    others = {tuple(random_walks(model, walks=20, depth=30, seed=s).actions.items())
              for s in range(6)}
    assert len(others) > 1, "different seeds explore differently"


def test_random_walks_on_a_correct_model_are_ok_and_cover_everything() -> None:
    r = random_walks(mini_log(users=2, max_lsn=4), walks=50, depth=40, seed=1)
    assert r.verdict == "ok", r.summary()
    assert r.mode == "random" and not r.liveness_checked
    assert r.distinct_states <= reachable_count(mini_log(users=2, max_lsn=4))


def test_random_walk_violation_is_replayable() -> None:
    model = counter(bad=13, bound=30)
    r = random_walks(model, walks=100, depth=30, seed=3)
    assert r.verdict == "violation"
    v = r.violation
    assert v is not None
    states = model.replay([ToyLabel.parse(t) for t in v.trace])
    assert states[-1] == Counter(13)


def test_random_walks_find_deadlock_and_coverage() -> None:
    r = random_walks(mini_log(users=2, bug="no_writer"), walks=5, depth=20, seed=0)
    assert r.verdict == "deadlock"
    r = random_walks(mini_log(bug="dead_action"), walks=30, depth=30, seed=0)
    # walks that do not reach an action report it; no property failed, so the verdict is ok
    assert r.verdict == "ok" and r.uncovered == ("recover",), r.summary()
    assert r.to_json()["verdict"] == "ok" and r.to_json()["uncovered"] == ["recover"]
    assert "not reached in these walks" in r.summary() and "recover" in r.summary()


def test_random_walks_reject_negative_sizes() -> None:
    with pytest.raises(ValueError, match="walks=-1"):
        random_walks(counter(), walks=-1, depth=3, seed=0)


# --- output ---


def test_json_has_the_contract_keys_and_is_serialisable() -> None:
    """Verdict ("ok"/"violation"), distinct_states, depth, seconds, actions,
    invariants."""
    ok = explore(mini_log()).to_json()
    bad = explore(counter(bad=4)).to_json()
    for obj in (ok, bad):
        json.dumps(obj)
        assert {"verdict", "distinct_states", "depth", "seconds", "actions",
                "invariants"} <= set(obj)
    assert ok["verdict"] == "ok" and ok["violation"] is None
    assert bad["verdict"] == "violation" and bad["kind"] == "invariant"
    # BFS expands x=1 (found first, by +1) before x=3, so 1 -> 4 is found before 3 -> 4.
    assert bad["violation"]["trace"] == ["inc(by=1)", "inc(by=3)"]
    assert ok["actions"] == {"reserve": ok["actions"]["reserve"], "write": ok["actions"]["write"],
                             "wake": ok["actions"]["wake"]}


def test_trace_printer_numbers_steps_and_truncates_long_values() -> None:
    from engine import Step

    steps = [Step("writer_write()", {"write_lsn": (64, 90), "files[0]": ((0,) * 100, (1,) * 100)}),
             Step("flusher_fsync()", {})]
    text = format_trace(steps)
    first, second = text.splitlines()
    assert first.startswith("1. writer_write()  write_lsn: 64 -> 90, files[0]: ")
    assert "..." in first and len(first) < 200
    assert second == "2. flusher_fsync()  (no field changed)"


def test_summary_shows_coverage_table_and_verdict() -> None:
    r = explore(mini_log(bug="dead_action"))
    text = r.summary()
    assert "recover" in text and "never taken" in text
    assert text.rstrip().splitlines()[-1].startswith("verdict: COVERAGE")
    assert isinstance(r, ExploreResult) and r.states_per_second > 0


# --- replay ---


def test_replay_trace_reports_states_and_first_failed_property() -> None:
    model = counter(bad=4)
    out = replay_trace(model, [ToyLabel.parse("inc(by=1)"), ToyLabel.parse("inc(by=3)"),
                               ToyLabel.parse("inc(by=1)")], (ToyActionNotEnabled,))
    assert [s.x for s in out.states] == [0, 1, 4, 5]
    assert out.failed == "not_bad" and out.failed_at == 2


def test_replay_trace_names_the_step_that_is_not_enabled() -> None:
    model = counter(bound=3)
    with pytest.raises(ReplayError) as info:
        replay_trace(model, [ToyLabel.parse("inc(by=3)"), ToyLabel.parse("inc(by=1)")],
                     (ToyActionNotEnabled,))
    assert info.value.step == 2 and info.value.label == "inc(by=1)"
    assert "guard" in str(info.value)


# --- shrinking random-walk counterexamples ---


def test_shrink_trace_drops_every_step_the_failure_does_not_need() -> None:
    """A synthetic failure that needs exactly an "a" and then a "b": noise around them must go,
    whatever its length; the order of the two kept steps is the original one."""
    from engine import shrink_trace

    def fails(states: list[object], labels: list[object]) -> int | None:
        seen_a = False
        for n, lab in enumerate(labels, start=1):
            states.append(n)
            if lab == "a":
                seen_a = True
            elif lab == "b" and seen_a:
                return n
        return None

    trace = ["x"] * 17 + ["a"] + ["y", "b"] * 5 + ["a", "z"] * 9 + ["b"]
    states, labels = shrink_trace(0, trace, fails, seconds=5)
    assert labels == ["a", "b"]
    assert len(states) == 3


def test_random_walk_counterexamples_are_shrunk_and_still_replay() -> None:
    """Shrinking never lengthens a trace, and the shrunk trace still reaches the bad state."""
    model = mini_log(users=3, max_lsn=8, bug="backwards")
    raw = random_walks(model, walks=20, depth=60, seed=2, shrink_seconds=0)
    shrunk = random_walks(model, walks=20, depth=60, seed=2, shrink_seconds=5)
    assert raw.violation is not None and shrunk.violation is not None
    assert shrunk.violation.property == raw.violation.property == "written_monotonic"
    assert len(shrunk.violation.trace) <= len(raw.violation.trace)
    states = model.replay([ToyLabel.parse(t) for t in shrunk.violation.trace])
    assert states[-1].written < states[-2].written
    # no trace is shorter than BFS's: reserve, write up, write down (3 steps, test above)
    assert len(shrunk.violation.trace) >= 3


# --- a model that raises ---


def test_an_exception_in_the_model_is_reported_with_its_trace() -> None:
    """A bug in an action (not a violation) names the exception, where, and the trace."""
    from engine import ModelError

    model = counter(bound=30)
    _, inc = model.table["inc"]

    def broken(s: Counter, by: int) -> Counter | None:
        if s.x + by == 5:
            raise ZeroDivisionError("boom")
        return inc(s, by)

    model.table["inc"] = (model.table["inc"][0], broken)
    with pytest.raises(ModelError) as info:
        explore(model)
    assert "ZeroDivisionError: boom" in str(info.value)
    assert "toy_models" not in info.value.where and "test_search.py" in info.value.where
    # 5 = 1 + 1 + 3 or 3 + 1 + 1 ...: the state expanded is x=2 (1+1) or x=4 (1+3)
    assert len(info.value.trace) == 2
    with pytest.raises(ModelError, match=r"boom .*: inc\(by="):
        random_walks(model, walks=10, depth=10, seed=0)


def test_refine_narrows_changes_to_the_elements_that_differ() -> None:
    """Counterexamples name the element that changed (files[0][2], a byte slice), not a
    truncated 100-element tuple."""
    from engine import Step, refine

    old = ((None, None, None, None), (None,) * 4)
    new = ((None, None, "blk", None), (None,) * 4)
    assert refine("files", old, new) == [("files[0][2]", None, "blk")]
    buf_old = ((4, bytes(10)), (0, bytes(10)))
    buf_new = ((4, b"\x00\x00\x04\x01\x01\x01" + bytes(4)), (0, bytes(10)))
    assert refine("buffer", buf_old, buf_new) == [("buffer[0][1][2:6]", bytes(4),
                                                   b"\x04\x01\x01\x01")]
    # many differences: reported whole; different lengths: whole
    assert refine("t", tuple(range(9)), tuple(range(1, 10))) == [("t", tuple(range(9)),
                                                                  tuple(range(1, 10)))]
    assert refine("g", (), ((1, 2, 3),)) == [("g", (), ((1, 2, 3),))]
    line = Step("w()", {"files": (old, new)}).format(1)
    assert line == "1. w()  files[0][2]: None -> 'blk'"


def test_random_walks_choose_the_action_first_then_its_choice() -> None:
    """An action with 100 choices must not crowd out one with a single choice: with the
    action chosen uniformly first, the single-choice action takes about half of the steps
    (uniform over labels it would take about 1 %)."""
    from tests.engine.toy_models import ToyModel

    model = ToyModel(
        params={},
        init=[Counter(0)],
        table={
            "many": (lambda s: [{"k": k} for k in range(100)], lambda s, k: Counter(s.x + 1)),
            "rare": (lambda s: [{}], lambda s: Counter(s.x + 1)),
        },
        props=(),
        terminal_ok=lambda s: True,
        satisfied=lambda s: True,
    )
    r = random_walks(model, walks=4, depth=100, seed=0)
    assert r.transitions == 400
    assert 140 <= r.actions["rare"] <= 260   # 200 expected; binomial sd = 10


# --- the toy model's fast successors ---


@pytest.mark.parametrize(("users", "max_lsn"), [(1, 3), (2, 4), (3, 5)])
def test_mini_log_fast_successors_are_the_table_s(users: int, max_lsn: int) -> None:
    """The toy model's hand-written successors (what the benchmarks run) equal the action
    table's, in the same order, on every reachable state."""
    model = mini_log(users=users, max_lsn=max_lsn)
    assert model.fast is not None
    seen = set(model.init_states())
    stack = list(seen)
    while stack:
        s = stack.pop()
        fast = list(model.fast(s))
        assert fast == list(model.table_successors(s)), s
        for _, t in fast:
            if t not in seen:
                seen.add(t)
                stack.append(t)
    assert len(seen) == reachable_count(model) >= 10


# --- liveness: the forward sweeps and the reverse-graph fallback agree ---


def _can_reach(n: int, succ: list[list[int]], sat: list[int]) -> set[int]:
    """States that can reach a satisfied one, by a search from each (the test's oracle)."""
    out = set()
    for k in range(n):
        seen, stack = {k}, [k]
        while stack:
            x = stack.pop()
            if sat[x]:
                out.add(k)
                break
            for y in succ[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
    return out


@pytest.mark.parametrize("passes", [0, 1, 2, 3, 50])
@pytest.mark.parametrize("seed", range(6))
def test_cannot_satisfy_sweeps_and_fallback_agree_with_an_oracle(
        monkeypatch: pytest.MonkeyPatch, passes: int, seed: int) -> None:
    import random
    from array import array

    import engine.liveness as lv

    monkeypatch.setattr(lv, "FORWARD_PASSES", passes)
    rng = random.Random(seed)
    n = 60
    # mostly edges to lower ids (the sweep's hard case), a chain 59 -> ... -> 0 to a target
    succ = [[rng.randrange(n) for _ in range(rng.randrange(3))] for _ in range(n)]
    for k in range(1, n, 2):
        succ[k].append(k - 1)
    sat = [0] * n
    sat[0] = 1 if seed % 3 else 0
    sat[rng.randrange(n)] = 1
    edges, starts = array("I"), array("Q")
    for row in succ:
        starts.append(len(edges))
        edges.extend(row)
    starts.append(len(edges))
    good = _can_reach(n, succ, sat)
    bad = lv.cannot_satisfy(n, edges, starts, bytearray(sat))
    if len(good) == n:
        assert bad is None
    else:
        assert bad == (n - len(good), min(set(range(n)) - good))
