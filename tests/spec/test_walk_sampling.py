"""Random walks' two-stage choice on the real model (SYS-3's walks for InnoDB's Params).

:meth:`spec.model.RedoModel.enabled_groups` must offer exactly the actions that
:meth:`~spec.model.RedoModel.successors` enables, and each action's sampler must return one
of that action's enabled labels, uniformly, with the same next state as the successor
relation (the walk's distribution is "an enabled action uniformly, then one of its enabled
choices uniformly"), whether the rejection sampling hits or falls back to listing.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State


def _states(model: RedoModel, n: int) -> list[State]:
    """``n`` states along a seeded walk through the successor relation (independent of the
    sampler under test)."""
    rng = random.Random(7)
    s = model.init_states()[0]
    out = [s]
    for _ in range(n):
        succ = list(model.successors(s))
        s = succ[rng.randrange(len(succ))][1]
        out.append(s)
    return out


@pytest.mark.parametrize("tries", [16, 0], ids=["rejection", "fallback"])
def test_samplers_are_uniform_over_each_actions_enabled_labels(
    tries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYS-3 walks, USR-1 (user_reserve's threads x sizes x pages x waits choices): in each
    state, the groups are the enabled actions in order; sampling 30 draws per enabled label
    returns only enabled labels with the successor relation's next state, reaches every one
    of them, and no label gets under half or over twice its fair share."""
    monkeypatch.setattr(RedoModel, "_SAMPLE_TRIES", tries)
    model = RedoModel(Params.tiny())
    rng = random.Random(3)
    checked_multi = 0
    for s in _states(model, 25):
        succ: dict[Label, State] = {}
        order: list[str] = []
        for label, t in model.successors(s):
            succ[label] = t
            if label.action not in order:
                order.append(label.action)
        groups = model.enabled_groups(s)
        assert [name for name, _ in groups] == order
        for name, pick in groups:
            enabled = [lab for lab in succ if lab.action == name]
            draws = 30 * len(enabled)
            counts: Counter[Label] = Counter()
            for _ in range(draws):
                label, t = pick(rng)
                assert label in succ and label.action == name
                assert t == succ[label]
                counts[label] += 1
            assert set(counts) == set(enabled)
            assert all(15 <= c <= 60 for c in counts.values()), counts
            checked_multi += len(enabled) > 1
    assert checked_multi > 0   # some action had several enabled choices to be uniform over


def test_innodb_walk_steps_are_fast() -> None:
    """The point of the sampler and of the sparse link buffers (LNK-1's 1 Mi / 2 Mi slots):
    a 60-step walk at InnoDB's Params takes well under a minute (it took about 4 s per 60
    steps with dense rings and full successor lists: 14 steps/s)."""
    import time

    from engine import random_walks

    t0 = time.process_time()
    r = random_walks(RedoModel(Params.innodb()), walks=1, depth=60, seed=4)
    assert r.violation is None and r.transitions == 60
    assert time.process_time() - t0 < 2.0
