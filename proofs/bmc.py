"""Bounded model checking of the encoding from Init, cross-checked with the spec's explorer.

For a concrete preset (``tiny`` by default) the transition relations of
:mod:`proofs.encoding` are unrolled from Init, in real mode (every function interpreted,
every size a constant, so the queries are linear). The explorer's choice enumeration is
imposed (reservation sizes from ``group_sizes``, waits from ``wait_kinds``, the flusher
flushing up to write_lsn), so BMC and the explorer search the same transition system, up to
the writer's over-approximated actions (proofs/encoding.py).

Cross-checks (tests/proofs/test_bmc.py):

* for each observation of :data:`OBSERVATIONS` ("a user sleeps", "a checkpoint is pending"
  ...), the smallest depth at which BMC can reach it equals the smallest BFS depth at which the
  explorer reaches it;
* every invariant of the encoding holds at every depth (BMC finds no violation, with the real
  functions rather than the abstraction the induction proofs use);
* a BMC path decodes into a list of spec labels that ``RedoModel.replay`` accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from proofs.concrete import encode_state, real_enc
from proofs.encoding import (
    ACTION_NAMES,
    CLOSED,
    IDLE,
    SLEEPING,
    WAITS,
    Enc,
    St,
    inv_all,
    relation,
    reserve_choices,
)
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State

Observation = Callable[[Enc, St], z3.BoolRef]

OBSERVATIONS: dict[str, Observation] = {
    "user_busy": lambda e, s: z3.Or([u.pc != IDLE for u in s.users]),
    "both_users_busy": lambda e, s: z3.And([u.pc != IDLE for u in s.users]),
    "user_closed": lambda e, s: z3.Or([u.pc >= CLOSED for u in s.users]),
    "user_sleeping": lambda e, s: z3.Or([u.pc == SLEEPING for u in s.users]),
    "user_signalled": lambda e, s: z3.Or([u.sig for u in s.users]),
    "ready_advanced": lambda e, s: s.ready > e.lsn0(),
    "write_advanced": lambda e, s: s.wl > e.lsn0(),
    "flushed_advanced": lambda e, s: s.fl > e.lsn0(),
    "write_notifier_event": lambda e, s: s.nwe,
    "flush_notifier_event": lambda e, s: s.nfe,
    "page_dirty": lambda e, s: z3.Or([pg.newest != 0 for pg in s.pages]),
    "added_advanced": lambda e, s: s.added > e.lsn0(),
    "checkpoint_pending": lambda e, s: s.pending != 0,
    "checkpoint_published": lambda e, s: s.cp > e.lsn0(),
}
"""Named predicates on an encoded state ("sometimes" properties): BMC and the explorer must
agree on the depth at which each first becomes reachable."""


@dataclass
class Unrolling:
    """An incremental BMC unrolling: ``states[0]`` satisfies Init, ``acts[i]`` is the index
    (in :data:`ACTION_NAMES`) of the action from ``states[i]`` to ``states[i + 1]``."""

    p: Params
    enc: Enc
    subst: list[tuple[z3.ExprRef, z3.ExprRef]]
    solver: z3.Solver
    states: list[St]
    acts: list[z3.ArithRef]

    def restrict(self, f: z3.BoolRef) -> z3.BoolRef:
        return z3.substitute(f, *self.subst)


def _choices(p: Params, name: str, s: St, t: St) -> z3.BoolRef:
    """The explorer's choice enumeration for ``name`` (spec ``choices`` functions)."""
    if name == "user_reserve":
        size, _page, wait = reserve_choices(t)
        return z3.And(z3.Or([size == g for g in p.group_sizes]),
                      z3.Or([wait == WAITS[w] for w in p.wait_kinds]))
    if name == "flusher_fsync":
        return t.fl == s.wl
    return z3.BoolVal(True)


def unroll(p: Params) -> Unrolling:
    """Init only; extend with :func:`extend`."""
    enc, subst = real_enc(p)
    s0 = St("@0")
    solver = z3.Solver()
    solver.set("timeout", 60_000)
    un = Unrolling(p, enc, subst, solver, [s0], [])
    solver.add(un.restrict(enc.init(s0)))
    return un


def extend(un: Unrolling) -> None:
    """Add one step to the unrolling."""
    i = len(un.acts)
    s, t = un.states[-1], St(f"@{i + 1}")
    act = z3.Int(f"act@{i}")
    alts = [z3.And(act == k, relation(un.enc, name)(s, t), _choices(un.p, name, s, t))
            for k, name in enumerate(ACTION_NAMES)]
    un.solver.add(un.restrict(z3.Or(alts)))
    un.states.append(t)
    un.acts.append(act)


def first_depth(un: Unrolling, goal: Observation, max_depth: int) -> int | None:
    """The smallest depth ``d <= max_depth`` at which ``goal`` holds in some path, or None;
    extends the unrolling as needed."""
    for d in range(max_depth + 1):
        while len(un.states) <= d:
            extend(un)
        un.solver.push()
        un.solver.add(un.restrict(goal(un.enc, un.states[d])))
        r = un.solver.check()
        un.solver.pop()
        if r == z3.sat:
            return d
        if r != z3.unsat:
            raise RuntimeError(f"BMC: z3 {r} at depth {d}: {un.solver.reason_unknown()}")
    return None


def invariant_violation(un: Unrolling, depth: int) -> int | None:
    """The first depth ``<= depth`` where some invariant of the encoding fails, or None."""
    for d in range(depth + 1):
        while len(un.states) <= d:
            extend(un)
        un.solver.push()
        un.solver.add(un.restrict(z3.Not(inv_all(un.enc, un.states[d]))))
        r = un.solver.check()
        un.solver.pop()
        if r == z3.sat:
            return d
        if r != z3.unsat:
            raise RuntimeError(f"BMC: z3 {r} at depth {d}")
    return None


def witness_labels(un: Unrolling, goal: Observation, depth: int) -> list[Label]:
    """A replayable list of spec labels of length ``depth`` reaching ``goal``: the BMC path's
    actions, each matched against the spec successors of the replayed state."""
    while len(un.states) <= depth:
        extend(un)
    un.solver.push()
    un.solver.add(un.restrict(goal(un.enc, un.states[depth])))
    if un.solver.check() != z3.sat:
        un.solver.pop()
        raise ValueError(f"goal not reachable in {depth} steps")
    model = un.solver.model()
    un.solver.pop()
    spec = RedoModel(un.p)
    s: State = spec.init_states()[0]
    labels: list[Label] = []
    for i in range(depth):
        name = ACTION_NAMES[model.eval(un.acts[i]).as_long()]
        target = {k: _value(model.eval(v, model_completion=True))
                  for k, v in un.states[i + 1].scalars().items()}
        for label, t in spec.successors(s):
            if label.action == name and encode_state(un.p, t) == target:
                labels.append(label)
                s = t
                break
        else:
            raise ValueError(f"step {i + 1}: no spec successor by {name} matches the BMC "
                             f"state {target}")
    return labels


def _value(v: z3.ExprRef) -> int | bool:
    return bool(z3.is_true(v)) if z3.is_bool(v) else int(v.as_long())


def explorer_depths(p: Params, max_depth: int) -> dict[str, int | None]:
    """For each observation, the smallest BFS depth at which the spec's explorer reaches a
    state satisfying it (evaluated on the encoded state), or None within ``max_depth``."""
    from proofs.concrete import state_equalities

    enc, subst = real_enc(p)
    probe = St("")
    compiled = {name: z3.substitute(obs(enc, probe), *subst)
                for name, obs in OBSERVATIONS.items()}

    def holds(name: str, s: State) -> bool:
        solver = z3.Solver()
        solver.add(compiled[name], state_equalities(probe, encode_state(p, s)))
        return bool(solver.check() == z3.sat)

    model = RedoModel(p)
    frontier = model.init_states()
    seen = set(frontier)
    found: dict[str, int | None] = dict.fromkeys(OBSERVATIONS)
    for d in range(max_depth + 1):
        for name in OBSERVATIONS:
            if found[name] is None and any(holds(name, s) for s in frontier):
                found[name] = d
        nxt = []
        for s in frontier:
            for _, t in model.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return found
