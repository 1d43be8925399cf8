"""The fingerprint store (engine/store.py): the same search as with full states, in a few
dozen bytes per state. SYS-1's and SYS-3's caricatures in the toy models are the properties
whose verdicts must not change."""

from __future__ import annotations

import pytest

import engine.search as search
from engine import explore
from engine.store import FingerprintTable, collision_probability, fingerprint_function
from tests.engine.toy_models import counter, mini_log, reachable_count


def test_table_stores_and_finds_fingerprints_across_growth() -> None:
    table = FingerprintTable(16)
    # fingerprints sharing their low bits collide on the same slot: probing must tell them apart
    fps = [(k << 40) | 5 for k in range(1, 200)] + [k * 0x9E3779B97F4A7C15 % (1 << 64) | 1
                                                     for k in range(1, 2000)]
    for n, fp in enumerate(fps):
        assert table.add(fp, n) == -1
    assert len(table) == len(fps)
    for n, fp in enumerate(fps):
        assert table.get(fp) == n
        assert table.add(fp, 10**6) == n        # already there: the stored id, nothing added
    assert table.get(12345 << 3) == -1
    assert len(table) == len(fps)


def test_fingerprint_is_never_zero_and_64_bits() -> None:
    class Zero:
        def fingerprint(self, s: object) -> int:
            return 0 if s == "z" else -1

    fp = fingerprint_function(Zero())
    assert fp("z") == 1                       # 0 is the table's empty mark
    assert fp("x") == (1 << 64) - 1


def test_collision_probability_is_the_birthday_estimate() -> None:
    assert collision_probability(1) == 0.0
    assert collision_probability(2, bits=1) == 0.5
    # 1.2 million states, 61 bits: about 3.4e-7 (TLC printed 3.2e-7 for the same model)
    p = collision_probability(1_245_450)
    assert 3.0e-7 < p < 4.0e-7
    assert collision_probability(10**12) == 1.0


MODELS = {
    "counter": lambda: counter(bound=40),
    "mini_log": lambda: mini_log(users=3, max_lsn=6),
    "bad_value": lambda: counter(bad=17, bound=40),
    "no_writer": lambda: mini_log(users=2, max_lsn=3, bug="no_writer"),
    "spin": lambda: mini_log(users=2, max_lsn=3, bug="spin"),
    "backwards": lambda: mini_log(users=2, max_lsn=4, bug="backwards"),
    "overrun": lambda: mini_log(users=2, max_lsn=4, bug="overrun"),
    "dead_action": lambda: mini_log(users=2, max_lsn=3, bug="dead_action"),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_fingerprints_give_the_same_counts_verdicts_and_trace_lengths(name: str) -> None:
    full = explore(MODELS[name](), fingerprints=False)
    fps = explore(MODELS[name](), fingerprints=True)
    assert full.store == "states" and fps.store == "fingerprints"
    assert fps.collision_probability is not None and full.collision_probability is None
    assert (fps.verdict, fps.distinct_states, fps.transitions, fps.depth) == (
        full.verdict, full.distinct_states, full.transitions, full.depth)
    assert (full.violation is None) == (fps.violation is None)
    if full.violation is not None and fps.violation is not None:
        assert fps.violation.kind == full.violation.kind
        assert len(fps.violation.trace) == len(full.violation.trace)
        # the rebuilt trace is real: it replays to a state that fails the same way
        assert [s.label for s in fps.violation.steps] == list(fps.violation.trace)
        assert fps.violation.trace == full.violation.trace


def test_seeded_violation_counterexample_rebuilt_by_re_execution() -> None:
    r = explore(counter(bad=17, bound=40), fingerprints=True)
    assert r.verdict == "violation" and r.violation is not None
    assert len(r.violation.trace) == 7          # 3*5 + 1 + 1: the fewest 1s and 3s
    model = counter(bad=17, bound=40)
    assert model.replay(list(r.violation.labels))[-1].x == 17


def test_automatic_store_switches_to_fingerprints_with_the_same_result(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "AUTO_FINGERPRINTS_ABOVE", 100)
    model = mini_log(users=3, max_lsn=6)
    r = explore(model)
    assert r.store == "fingerprints"
    assert r.distinct_states == reachable_count(model)
    assert r.verdict == explore(model, fingerprints=False).verdict == "ok"
    monkeypatch.setattr(search, "AUTO_FINGERPRINTS_ABOVE", 10)
    bad = explore(counter(bad=29, bound=40))
    assert bad.store == "fingerprints" and bad.violation is not None
    assert len(bad.violation.trace) == 29 // 3 + 29 % 3


def test_fingerprint_store_stays_under_100_bytes_per_state() -> None:
    r = explore(mini_log(users=4, max_lsn=8), fingerprints=True)
    assert r.distinct_states > 10_000
    assert 0 < r.bytes_per_state <= 100, r.bytes_per_state
