"""The z3 encoding speaks about the spec that runs (DESIGN.md section 3).

Direction 1: every concrete spec step (random walks of RedoModel on two presets) satisfies the
relation of its action, evaluated with every function interpreted. Direction 2: every model of
an action's relation from a concrete reachable state is, on the encoded fields, a successor
the spec itself produces for that action (except the two over-approximated writer actions,
see proofs/encoding/). Also: each encoded invariant agrees with the spec's own predicate on
reachable states, so the proved invariants are the spec's invariants (SYS-1, LNK-5, SYS-2,
NT-4, SYS-4)."""

from __future__ import annotations

from typing import Any

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.concrete import encode_state, holds, real_enc, state_equalities, successors_of_relation
from proofs.encoding import ACTION_NAMES, INVARIANTS, OVER_APPROXIMATED, WAITS, St
from spec import invariants as spec_inv
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State

PRESETS = {
    # tiny with every wait kind, so that write waits and idle closes are exercised
    "tiny-all-waits": Params.tiny().evolve(wait_kinds=("flush", "write", "none")),
    "small": Params.small(),
    # the 9.0 pipeline: flush-list-added tracker instead of the closer (CP-1)
    "tiny-9.0": Params.tiny().evolve(wait_kinds=("flush", "write"), version="9.0"),
    # 9.0 with an order lag that binds: users wait_to_add by asking the tracker (CP-3)
    "tiny-9.0-lag8": Params.tiny().evolve(wait_kinds=("none",), version="9.0",
                                          recent_closed_size=8, max_sn=16),
}


def walk(model: RedoModel, picks: list[int]) -> list[tuple[State, Label, State]]:
    """The steps of a walk from Init choosing successor ``pick % n`` each time."""
    s = model.init_states()[0]
    steps = []
    for pick in picks:
        succ = list(model.successors(s))
        if not succ:
            break
        label, t = succ[pick % len(succ)]
        steps.append((s, label, t))
        s = t
    return steps


def choices_of(label: Label) -> dict[str, int]:
    """A label's choices as the relation's choice variables."""
    args = dict(label.args)
    out: dict[str, int] = {}
    for k in ("size", "page"):
        if k in args:
            out[f"c_{k}'"] = int(args[k])
    if "wait" in args:
        out["c_wait'"] = WAITS[str(args["wait"])]
    return out


picks = st.lists(st.integers(0, 10_000), min_size=1, max_size=30)


@pytest.mark.parametrize("preset", sorted(PRESETS))
@settings(max_examples=12)
@given(picks=picks)
def test_every_spec_step_satisfies_its_relation(preset: str, picks: list[int]) -> None:
    """Direction 1: for every state of a random walk, every enabled spec step (all of them,
    not just the one walked) satisfies its action's relation."""
    p = PRESETS[preset]
    model = RedoModel(p)
    for s, _, _ in walk(model, picks):
        for label, t in model.successors(s):
            assert holds(p, label.action, s, t, choices_of(label)), (
                f"{label} from {encode_state(p, s)} to {encode_state(p, t)} breaks the "
                f"relation")


def _spec_successors(model: RedoModel, s: State, action: str, model_vals: dict[str, Any]
                     ) -> list[dict[str, Any]]:
    p = model.params
    out = [encode_state(p, t) for label, t in model.successors(s) if label.action == action]
    extra: list[Label] = []
    if action == "flusher_fsync":
        extra.append(Label.of(action, {"up_to": model_vals["flushed_to_disk_lsn"]}))
    if action == "user_reserve":
        for k in range(p.n_user_threads):
            wait = {v: n for n, v in WAITS.items()}[model_vals[f"wait{k}"]]
            extra.append(Label.of(action, {"thread": k, "size": model_vals[f"size{k}"],
                                           "page": model_vals[f"page{k}"], "wait": wait}))
    for label in extra:
        try:
            out.append(encode_state(p, model.next_state(s, label)))
        except Exception:
            continue
    return out


@pytest.mark.parametrize("preset", sorted(PRESETS))
@settings(max_examples=6)
@given(picks=picks)
def test_every_model_of_a_relation_is_a_spec_successor(preset: str, picks: list[int]) -> None:
    """Direction 2: from the last state of a random walk, each model of each action's
    relation (up to 8 per action) is the encoding of a spec successor by that action; and an
    action the spec cannot take has no model."""
    p = PRESETS[preset]
    model = RedoModel(p)
    steps = walk(model, picks)
    s = steps[-1][2] if steps else model.init_states()[0]
    enabled = {label.action for label, _ in model.successors(s)}
    for action in model.action_names():
        models, _ = successors_of_relation(p, action, s, limit=8)
        if action not in OVER_APPROXIMATED:
            assert bool(models) == (action in enabled or (action == "flusher_fsync" and
                                    s.flushed_to_disk_lsn < s.writer.write_lsn)), action
        if action in OVER_APPROXIMATED:
            continue
        for vals in models:
            assert vals in _spec_successors(model, s, action, vals), (
                f"{action}: the relation allows {vals}, the spec does not")


SPEC_PREDICATES = {
    "sys1": spec_inv.sys1_lsn_chain,
    "sys2": spec_inv.sys2_checkpoint_bound,
    "nt4": spec_inv.nt4_no_lost_wakeup,
}


def _encoded_holds(p: Params, name: str, s: State) -> bool:
    enc, subst = real_enc(p)
    st_ = St("")
    inv = next(i for i in INVARIANTS if i.name == name)
    solver = z3.Solver()
    solver.add(z3.substitute(inv.formula(enc, st_), *subst),
               state_equalities(st_, encode_state(p, s)))
    return bool(solver.check() == z3.sat)


@settings(max_examples=10)
@given(picks=picks)
def test_encoded_invariants_hold_on_reachable_states(picks: list[int]) -> None:
    """Every encoded invariant (main and auxiliary) holds on reachable states, and the
    encoded SYS-1, SYS-2, NT-4 agree with spec.invariants' predicates there (they are the
    same statements)."""
    p = PRESETS["tiny-all-waits"]
    for _, _, t in walk(RedoModel(p), picks):
        for inv in INVARIANTS:
            assert _encoded_holds(p, inv.name, t), (inv.name, encode_state(p, t))
        for name, pred in SPEC_PREDICATES.items():
            assert pred(p, t) == _encoded_holds(p, name, t)


def test_broken_spec_action_breaks_conformance() -> None:
    """Teeth (spec side): a flusher that publishes one byte more than the fsync covered (FL-1:
    "never more") no longer satisfies the encoded relation, so the proofs would not be about
    it."""
    from spec.flusher import flusher_fsync

    p = PRESETS["tiny-all-waits"]

    def broken(p: Params, s: State, up_to: int) -> State | None:
        t = flusher_fsync(p, s, up_to)
        return None if t is None else _with_flushed(t, up_to + 1)

    model = RedoModel(p).with_action("flusher_fsync", broken)
    steps = walk(model, [0] * 30)
    found = False
    for s, label, t in steps:
        if label.action == "flusher_fsync":
            found = True
            assert not holds(p, "flusher_fsync", s, t)
    for s, _, _ in steps:
        for label, t in model.successors(s):
            if label.action == "flusher_fsync":
                found = True
                assert not holds(p, "flusher_fsync", s, t)
    assert found, "the walk never reached a flush; the test would be vacuous"


def _with_flushed(t: State, value: int) -> State:
    from spec.state import replace

    return replace(t, flushed_to_disk_lsn=value)


def test_direction_one_covers_every_action() -> None:
    """Non-vacuity of direction 1: seeded walks on both presets reach a state where each of the
    encoded actions (8.0 and 9.0) is enabled, and there its spec steps satisfy its relation."""
    import random

    checked: set[str] = set()
    for p in PRESETS.values():
        model = RedoModel(p)
        for seed in range(12):
            rng = random.Random(seed)
            s = model.init_states()[0]
            for _ in range(40):
                succ = list(model.successors(s))
                if not succ:
                    break
                for label, t in succ:
                    if label.action not in checked:
                        assert holds(p, label.action, s, t, choices_of(label)), label
                        checked.add(label.action)
                s = rng.choice(succ)[1]
    assert checked == set(ACTION_NAMES)


def test_step_obligations_are_not_vacuous() -> None:
    """Each step obligation's hypothesis -- every invariant, the action, the lemma facts -- is
    satisfiable: every action is enabled in some state the invariants allow, so "Inv and
    Action => Inv'" is not proved merely because its left side is false."""
    from proofs import encoding as E
    from proofs import ring as R

    for action in ACTION_NAMES:
        e, s, t = E.Enc(), E.St(""), E.St("'")
        body = z3.And(e.params_ok(), E.inv_all(e, s), E.relation(e, action)(s, t))
        solver = z3.Solver()
        solver.set("timeout", 30_000)
        solver.add(body, E.facts(e))
        assert solver.check() == z3.sat, action
    e, s0 = E.Enc(), E.St("")
    solver = z3.Solver()
    solver.add(e.params_ok(), e.init(s0))
    solver.add(E.facts(e))
    assert solver.check() == z3.sat, "Init"
    for action, rel in R.ACTIONS.items():
        r, q = R.Ring(4, ""), R.Ring(4, "'")
        solver = z3.Solver()
        solver.add(R.invariant(r), rel(r, q))
        assert solver.check() == z3.sat, action


def test_9_0_tracker_steps_both_directions_where_the_lag_binds() -> None:
    """CP-1, CP-3 (9.0): on the trace where a waiting user must ask the tracker (its start is
    L above the stored tail, spec/tracker.py), user_wait_to_add's asking step and the
    reports' fast path and hole cases satisfy their relations (direction 1), and each
    relation's models from those states are exactly the spec's successors (direction 2)."""
    from tests.spec.test_v90 import HOLE

    p = PRESETS["tiny-9.0-lag8"]
    model = RedoModel(p)
    states = model.replay([*HOLE, "user_wait_to_add(thread=0)", "user_wait_to_add(thread=1)",
                           "user_report_added(thread=1)", "user_report_added(thread=0)",
                           "user_reserve(thread=0, size=4, page=0, wait=none)",
                           "user_copy_to_log_buffer(thread=0)", "writer_traverse_links()"])
    s = states[-1]
    for step in ("user_set_first_rec_group(thread=0)", "user_add_recent_written_link(thread=0)"):
        if step in {str(x) for x in model.actions(s)}:
            s = model.next_state(s, Label.parse(step))
            states.append(s)
    asked = model.next_state(s, Label.parse("user_wait_to_add(thread=0)"))
    assert asked.recent_closed.tail > s.recent_closed.tail  # the ask moved the tail
    states.append(asked)
    seen = set()
    for a in states:
        for label, b in model.successors(a):
            if label.action in ("user_wait_to_add", "user_report_added",
                                "checkpointer_ask_smallest_not_added"):
                seen.add(label.action)
                assert holds(p, label.action, a, b, choices_of(label)), label
        for action in ("user_wait_to_add", "user_report_added",
                       "checkpointer_ask_smallest_not_added"):
            models, _ = successors_of_relation(p, action, a, limit=8)
            spec = _spec_successors(model, a, action, {})
            assert all(v in spec for v in models), action
            assert len(models) == len({str(sorted(x.items())) for x in spec}), action
    assert seen == {"user_wait_to_add", "user_report_added",
                    "checkpointer_ask_smallest_not_added"}
