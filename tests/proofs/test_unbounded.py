"""The unbounded encoding (proofs/unbounded/) speaks about the spec that runs,
for 2 and 3 user threads, 2 and 3 pages, 1 and 2 flush lists, 8.0 and 9.0 (9.0's
flush-list-added tracker, CP-1/CP-3), both link buffers (seeds; 8.0.22's add_link_advance_tail,
LNK-6).

Direction 1: every concrete spec step on a random walk satisfies its action's relation (real
division terms, the sorts closed over one constant per thread/page/list). Direction 2: every
model of a relation from a concrete reachable state is a spec successor by that action, and
an action the spec cannot take has no model -- for every action, the two writer actions
through their exact relations (proofs/writer_exact.py). The encoded invariants (CP-6
included) hold on reachable states. Each step obligation's hypothesis is satisfiable (not
vacuous)."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import uconcrete as C
from proofs import unbounded as U
from proofs import writer_exact as X
from spec.model import RedoModel
from spec.params import Params
from spec.state import State

PRESETS = {
    "tiny-all-waits": Params.tiny().evolve(wait_kinds=("flush", "write", "none")),
    "three-users": Params.tiny().evolve(n_user_threads=3, n_pages=3, n_flush_lists=2,
                                        wait_kinds=("flush", "write", "none")),
    "small": Params.small(),
    "tiny-9.0": Params.tiny().evolve(wait_kinds=("flush", "write"), version="9.0"),
    "tiny-8.0.22": Params.tiny().evolve(wait_kinds=("flush", "write", "none"),
                                        link_buf="8.0.22"),
    "crashes": Params.tiny().evolve(explore_crashes=True, max_sn=16,
                                    wait_kinds=("flush", "none")),
    "three-users-9.0-8.0.22": Params.tiny().evolve(
        n_user_threads=3, n_pages=3, n_flush_lists=2, wait_kinds=("flush", "write", "none"),
        version="9.0", link_buf="8.0.22"),
}

ENCODED = frozenset((*U.ACTION_NAMES, *U.RESTART_NAMES))
"""Every action of the spec, crash and recover included."""

picks = st.lists(st.integers(0, 10_000), min_size=1, max_size=30)


def walk(model: RedoModel, picks: list[int]) -> list[State]:
    s = model.init_states()[0]
    out = [s]
    for pick in picks:
        succ = list(model.successors(s))
        if not succ:
            break
        s = succ[pick % len(succ)][1]
        out.append(s)
    return out


def boundaries(p: Params, s: State) -> list[int]:
    """Group boundaries (lsn0 and every group's end): where the writer's traversal may stop."""
    return [s0.recent_written.tail for s0 in [RedoModel(p).init_states()[0]]] + \
        [end for _, end, _ in s.groups]


def exact(p: Params, action: str, s: State) -> C.Rel | None:
    if action == "writer_traverse_links":
        return X.traverse_exact(boundaries(p, s))
    if action == "writer_write":
        return X.write_exact
    return None


def _writer_pre(p: Params, s: State, action: str = "writer_write") -> dict[str, int]:
    """The exact write's extra scalars (the writer's file and write_ahead_end)."""
    if action != "writer_write":
        return {}
    return {"wf": s.writer.file_no, "wae": s.writer.write_ahead_end_offset}


@pytest.mark.parametrize("preset", sorted(PRESETS))
@settings(max_examples=8)
@given(picks=picks)
def test_every_spec_step_satisfies_its_relation(preset: str, picks: list[int]) -> None:
    """Direction 1, for every enabled step of every state of a walk (both the relation the
    step proofs use and, for the writer, the exact one)."""
    p = PRESETS[preset]
    model = RedoModel(p)
    for s in walk(model, picks):
        for label, t in model.successors(s):
            assert label.action in ENCODED, label
            assert C.relation_holds(p, label.action, s, t), (label, C.projection(p, s))
            rel = exact(p, label.action, s)
            if rel is not None:
                assert C.relation_holds(p, label.action, s, t, rel,
                                        _writer_pre(p, s, label.action),
                                        _writer_pre(p, t, label.action)), label


@pytest.mark.parametrize("preset", sorted(PRESETS))
@settings(max_examples=5)
@given(picks=picks)
def test_every_model_of_a_relation_is_a_spec_successor(preset: str, picks: list[int]) -> None:
    """Direction 2 from the last state of a walk: each model (up to 8 per action) is a spec
    successor; an action the spec cannot take has none. The writer: its exact relations."""
    p = PRESETS[preset]
    model = RedoModel(p)
    s = walk(model, picks)[-1]
    for action in model.action_names():
        assert action in ENCODED, action
        if s.crashed:
            # the spec offers only recover after a crash; the encoding has no "crashed" flag
            # and lets every action follow a crash (more than the spec: sound for the proofs)
            break
        if action == "recover":
            # a contract (recovery_contract): it allows every restart lsn recovery may return;
            # the spec's own recover satisfies it (direction 1, the "crashes" preset)
            continue
        spec = [t for label, t in model.successors(s) if label.action == action]
        if action == "crash" and not spec:
            # crash's guards (not already crashed, Params.max_crashes) bound the exploration;
            # the encoding lets a crash happen anywhere (more than the spec: sound)
            continue
        rel = exact(p, action, s)
        if action in U.OVER_APPROXIMATED:
            models, _ = C.relation_successors(p, action, s, 8, rel, _writer_pre(p, s, action))
            expected = [(C.projection(p, t), _writer_pre(p, t, action)) for t in spec]
            got = [(pr, extra) for pr, extra in models]
        else:
            models, _ = C.relation_successors(p, action, s, 8)
            expected = [(C.projection(p, t), {}) for t in spec]
            got = [(pr, extra) for pr, extra in models]
        if action in ("flusher_fsync", "user_reserve"):
            # the relation allows every size / up_to the spec's action accepts; the explorer's
            # choices are a subset: run the spec's action with the model's arguments
            for pr, extra in got:
                t = _spec_step(p, s, action, pr)
                assert t is not None and (C.projection(p, t), extra) == (pr, extra), pr
            continue
        assert bool(got) == bool(spec), action
        for g in got:
            assert g in expected, f"{action}: the relation allows {g}, the spec does not"


def _spec_step(p: Params, s: State, action: str, pr: C.Proj) -> State | None:
    """The spec's own action with the arguments a model chose (any up_to / size)."""
    from spec.flusher import flusher_fsync
    from spec.user import user_reserve

    if action == "flusher_fsync":
        return flusher_fsync(p, s, pr["fl"])
    waits = {0: "none", 1: "write", 2: "flush"}
    for k, (u, (pc, _ssn, size, wait, _sig, page)) in enumerate(
            zip(s.users, pr["threads"], strict=True)):
        if u.pc == "idle" and pc != 0:
            return user_reserve(p, s, k, size, page, waits[wait])
    return None


@pytest.mark.parametrize("preset", ["three-users", "three-users-9.0-8.0.22", "crashes"])
@settings(max_examples=8)
@given(picks=picks)
def test_encoded_invariants_hold_on_reachable_states(preset: str, picks: list[int]) -> None:
    """Every encoded invariant (CP-6 and the auxiliary ones) holds on reachable states with
    three threads and pages, 8.0 and 9.0, and across crashes and restarts (the group ends
    read from the spec's history), so the proved ones are not vacuous."""
    p = PRESETS[preset]
    for s in walk(RedoModel(p), picks):
        for inv in U.INVARIANTS:
            assert C.invariant_holds(p, inv, s), (inv.name, C.projection(p, s))


def test_cp6_holds_on_the_spec() -> None:
    """CP-6 on the spec itself: no page's on-disk lsn exceeds flushed_to_disk_lsn on walks
    (the statement the cp6 obligations prove), and some walk writes a page (non-vacuous)."""
    import random

    p = PRESETS["three-users"]
    model = RedoModel(p)
    written = False
    for seed in range(6):
        rng = random.Random(seed)
        s = model.init_states()[0]
        for _ in range(60):
            succ = list(model.successors(s))
            if not succ:
                break
            s = rng.choice(succ)[1]
            assert max(s.pages.on_disk) <= s.flushed_to_disk_lsn
            written = written or any(s.pages.on_disk)
    assert written


def test_step_hypotheses_are_satisfiable() -> None:
    """Non-vacuity: for each action, the invariants and the action are satisfiable together in
    a finite model (3 threads, 3 pages, 2 lists, real terms, tiny's sizes)."""
    p = PRESETS["three-users"]
    for action in (*U.ACTION_NAMES, *U.RESTART_NAMES):
        enc, subst = C.real_enc(p)
        s = U.UState.fresh("")
        guard, _ = U.step(enc, action, s)
        solver = z3.Solver()
        solver.set("timeout", 30_000)
        solver.add(z3.substitute(z3.And(C.static(enc, p), U.inv_all(enc, s), guard,
                                        *[enc.dom.closure(c) for c in enc.choices]), *subst))
        assert solver.check() == z3.sat, action
