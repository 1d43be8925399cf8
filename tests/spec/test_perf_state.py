"""The explorer's fast paths keep the meaning of a state.

:func:`spec.state.replace` builds states without attrs' ``__init__`` and updates the parent's
cached hash for the changed fields only; ``State.__eq__`` compares by hand. These tests check
them against independent constructions: ``attrs.evolve`` / ``State(**fields)`` (attrs'
own path) and a hash recomputed from scratch, on states reached by real model steps, so a
stale incremental hash or a field lost on the fast path would fail here. Behaviour only, no
timing. Requirement IDs: the explorer checks SYS-1..4 on these states, so equal states must be
found equal (no state explored twice, none missed).
"""

from __future__ import annotations

import pickle
import random

import attrs
import pytest

from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import FIELD_NAMES, Monitor, State, replace


def _rebuilt(s: State) -> State:
    """The same state built through attrs' own constructor (no fast path, no cached hash)."""
    return State(**{name: getattr(s, name) for name in FIELD_NAMES})


def _walk_states(n_steps: int, seed: int) -> list[State]:
    """States along a random walk of the tiny model, every successor of each state included."""
    model = RedoModel(Params.tiny())
    rng = random.Random(seed)
    s = model.init_states()[0]
    out = [s]
    for _ in range(n_steps):
        succ = list(model.successors(s))
        if not succ:
            break
        out += [t for _, t in succ]
        s = rng.choice(succ)[1]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_states_equal_and_hash_like_attrs_built_ones(seed: int) -> None:
    """Every successor equals its attrs-built copy and has the same hash (SYS-1..4 are
    checked once per distinct state: a stale hash would make the explorer count a state
    twice)."""
    for t in _walk_states(60, seed):
        u = _rebuilt(t)
        assert t is not u
        assert t == u and (t != u) is False
        assert hash(t) == hash(u)


def test_replace_matches_evolve_field_by_field() -> None:
    """replace() sets exactly the named fields and keeps the others (as attrs.evolve)."""
    s = _walk_states(30, 3)[-1]
    mon = Monitor(log_writes=7)
    t = replace(s, sn=s.sn + 3, crashed=True, monitor=mon)
    e = attrs.evolve(s, sn=s.sn + 3, crashed=True, monitor=mon)
    for name in FIELD_NAMES:
        assert getattr(t, name) == getattr(e, name), name
    assert t == e and hash(t) == hash(e)
    assert t.monitor is mon


def test_observation_fields_take_no_part_in_equality() -> None:
    """Decision 8: monitor and last_write are observations, outside equality and hashing."""
    s = _walk_states(10, 4)[-1]
    t = replace(s, monitor=Monitor(fsyncs=99), last_write=(0, 512, 512, 0))
    assert t == s and hash(t) == hash(s)


def test_a_changed_field_changes_equality() -> None:
    """States differing in one model field are different (and, for these, hash apart)."""
    s = _walk_states(10, 5)[-1]
    for t in (replace(s, sn=s.sn + 1), replace(s, recovered=not s.recovered),
              replace(s, groups=(*s.groups, (1, 2, 0)))):
        assert t != s and (t == s) is False
        assert hash(t) != hash(s)
        assert _rebuilt(t) != s


def test_replace_back_to_the_original_value_restores_the_hash() -> None:
    """The incremental hash is a function of the values: changing a field and changing it
    back gives the original hash (and an equal state)."""
    s = _walk_states(20, 6)[-1]
    t = replace(replace(s, sn=s.sn + 5, buffer=()), sn=s.sn, buffer=s.buffer)
    assert t == s and hash(t) == hash(s)


def test_unknown_field_is_named() -> None:
    """A typo in an action's replace() names the field instead of failing deep inside."""
    s = _walk_states(1, 7)[0]
    with pytest.raises(KeyError, match="no field 'snn'"):
        replace(s, snn=1)


def test_pickled_state_is_equal_with_the_same_hash() -> None:
    """A state survives pickling (the cached hash is not part of it and is recomputed)."""
    s = _walk_states(15, 8)[-1]
    back = pickle.loads(pickle.dumps(s))
    assert back == s and hash(back) == hash(s)
    assert State.__eq__(s, 3) is NotImplemented


def _always_false(p: Params, s: State, label: object, t: State) -> bool:
    return False


def test_explorer_evaluates_a_step_property_only_on_its_declared_actions() -> None:
    """Property.actions: the explorer skips a step property on labels of other actions, and
    still evaluates it on its own (a property about writer_write, WR-6, fails on a write)."""
    from engine import explore
    from spec.model import Property

    p = Params.tiny()
    elsewhere = Property("never", ("WR-6",), "step", _always_false, "doc",
                         actions=("no_such_action",))
    res = explore(RedoModel(p, properties=(elsewhere,)), max_states=400, check_liveness=False)
    assert res.violation is None and res.verdict == "incomplete"
    on_write = Property("write", ("WR-6",), "step", _always_false, "doc",
                        actions=("writer_write",))
    res = explore(RedoModel(p, properties=(on_write,)), max_states=5000, check_liveness=False)
    assert res.violation is not None and res.violation.property == "write"
    assert res.violation.trace[-1].startswith("writer_write(")


def test_wr6_declares_exactly_the_actions_it_is_about() -> None:
    """WR-6's predicate is true on every label outside its declared actions, so skipping it
    there changes no verdict."""
    from spec.invariants import PROPERTIES

    wr6 = next(pr for pr in PROPERTIES if pr.name == "wr6_write_ahead")
    assert wr6.actions == ("writer_write",)
    bad_write = (0, 100, 7, 0)   # not block aligned: WR-6 false if it were a write
    model = RedoModel(Params.tiny())
    s = model.init_states()[0]
    labels = [label for label, _ in model.successors(s)] + [Label("writer_write")]
    assert len(labels) > 1
    t = replace(s, last_write=bad_write)
    for label in labels:
        assert wr6.predicate(model.params, s, label, t) is (label.action not in wr6.actions)
