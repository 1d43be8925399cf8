"""The Model API (docs/spec-model.md): :class:`RedoModel`, :class:`Label`, :class:`Action`,
:class:`Property`, :class:`ActionNotEnabled`.

The model is generic glue: the actions live in one module per actor (:mod:`spec.user`,
:mod:`spec.writer`, :mod:`spec.flusher`, :mod:`spec.notifier`, :mod:`spec.closer`,
:mod:`spec.checkpointer`, :mod:`spec.page_cleaner`, :mod:`spec.crash`), the properties in
:mod:`spec.invariants`. The explorer (:mod:`engine`), the proofs and conformance use only
what this module exports.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from spec.model_types import (
    Action,
    ActionNotEnabled,
    Arg,
    Label,
    LabelError,
    Property,
)
from spec.params import Params
from spec.progress import PROGRESS, ProgressProperty
from spec.state import FIELD_NAMES, IDLE, State, current_lsn, initial_state
from spec.state import replace as replace_state

__all__ = [
    "Action",
    "ActionNotEnabled",
    "Label",
    "LabelError",
    "Property",
    "RedoModel",
    "default_actions",
]


def default_actions(p: Params) -> tuple[Action, ...]:
    """The actions that exist in configuration ``p``: 8.0 has user_add_dirty_pages,
    user_add_recent_closed_link and the closer (closer_traverse_links); 9.0 (seed 002, no
    closer thread) has user_wait_to_add, user_report_added and the checkpointer's
    checkpointer_ask_smallest_not_added (:mod:`spec.tracker`); crash and recover only when
    ``p.explore_crashes``."""
    from spec import checkpointer, closer, crash, flusher, notifier, page_cleaner, user, writer

    users = user.ACTIONS_80 if p.version == "8.0" else user.ACTIONS_90
    close = closer.ACTIONS_80 if p.version == "8.0" else checkpointer.ACTIONS_90
    acts = (
        *users,
        *writer.ACTIONS,
        *flusher.ACTIONS,
        *notifier.ACTIONS,
        *close,
        *checkpointer.ACTIONS,
        *page_cleaner.ACTIONS,
    )
    if p.explore_crashes:
        acts = (*acts, *crash.ACTIONS)
    return acts


def default_properties() -> tuple[Property, ...]:
    """Every property of :mod:`spec.invariants`."""
    from spec.invariants import PROPERTIES

    return PROPERTIES


class RedoModel:
    """The redo log system as a Stateright-style model for configuration ``params``."""

    def __init__(
        self,
        params: Params,
        actions: tuple[Action, ...] | None = None,
        properties: tuple[Property, ...] | None = None,
    ) -> None:
        self.params = params
        self._actions: tuple[Action, ...] = (
            actions if actions is not None else default_actions(params)
        )
        self._by_name = {a.name: a for a in self._actions}
        self._properties = properties if properties is not None else default_properties()
        self._crash_actions = tuple(a for a in self._actions if a.actor == "crash")
        # the fast path: (name, apply, choices or None for "no arguments", the bare label)
        self._plan = self._make_plan(self._actions)
        self._crash_plan = self._make_plan(self._crash_actions)
        # Labels with choices, built once per (action, choice): a model's choices are finite,
        # and a label that is reused keeps its cached hash (the explorer interns labels).
        self._labels: dict[tuple[str, tuple[tuple[str, Arg], ...]], Label] = {}

    def _make_plan(
        self, actions: tuple[Action, ...],
    ) -> tuple[tuple[str, Callable[..., State | None], Any, Label, Any, tuple[Label, ...]], ...]:
        """Per action: name, apply, choices (None: no arguments), the bare label, and for
        per-thread actions (:class:`spec.user.ThreadsAt`) the pcs and one label per thread."""
        from spec.model_types import no_choices
        from spec.user import ThreadsAt

        n = self.params.n_user_threads
        plan = []
        for a in actions:
            pcs = a.choices.pcs if isinstance(a.choices, ThreadsAt) else None
            labels = tuple(Label(a.name, (("thread", i),)) for i in range(n)) if pcs else ()
            plan.append((a.name, a.apply, None if a.choices is no_choices else a.choices,
                         Label(a.name), pcs, labels))
        return tuple(plan)

    def user_symmetry(self) -> Callable[[State], State] | None:
        """The symmetry of interchangeable user threads, or ``None`` when they are not.

        A thread's number matters only through its page when ``page_per_thread`` ties page
        ``i`` to thread ``i``; otherwise no field refers to a thread by number (waiters are
        found by scanning ``users``), so a state and its permutations of ``users`` behave
        alike and satisfy the same properties. The function returns the representative with
        the users sorted (for ``redospec explore --symmetry``)."""
        if self.params.page_per_thread:
            return None

        def key(u: Any) -> tuple[Any, ...]:
            return (u.pc, u.start_sn, u.size, u.page, u.wait, u.signalled)

        def canonical(s: State) -> State:
            users = tuple(sorted(s.users, key=key))
            return s if users == s.users else replace_state(s, users=users)

        return canonical

    # --- the API ---------------------------------------------------------------------------
    def init_states(self) -> list[State]:
        """One state: a freshly created log (:func:`spec.state.initial_state`)."""
        return [initial_state(self.params)]

    def successors(self, s: State) -> Iterator[tuple[Label, State]]:
        """Every enabled label with its next state (the explorer's fast path)."""
        plan_successors = self._plan_successors
        for entry in self._crash_plan if s.crashed else self._plan:
            yield from plan_successors(entry, s)

    def _plan_successors(
        self, entry: tuple[str, Callable[..., State | None], Any, Label, Any, tuple[Label, ...]],
        s: State,
    ) -> Iterator[tuple[Label, State]]:
        """The enabled labels of one plan entry (one action), in :meth:`successors`' order."""
        name, apply, choices, bare, pcs, labels = entry
        p = self.params
        if pcs is not None:
            for i, u in enumerate(s.users):
                if u.pc in pcs:
                    t = apply(p, s, thread=i)
                    if t is not None:
                        yield labels[i], t
            return
        if choices is None:
            t = apply(p, s)
            if t is not None:
                yield bare, t
            return
        for ch in choices(p, s):
            t = apply(p, s, **ch)
            if t is not None:
                yield self._label(name, ch), t

    def _label(self, name: str, choice: dict[str, Arg]) -> Label:
        """The label of ``name`` with ``choice``, built once per model and then reused."""
        key = (name, tuple(choice.items()))
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = Label(name, key[1])
        return label

    _SAMPLE_TRIES = 16
    """Random choices tried by :meth:`_sample` before it lists every enabled choice."""

    def _sample(
        self, entry: tuple[str, Callable[..., State | None], Any, Label, Any, tuple[Label, ...]],
        s: State, rng: random.Random,
    ) -> tuple[Label, State]:
        """One enabled label of this (enabled) action, uniformly among its enabled choices,
        with its next state. Rejection sampling: a uniformly drawn choice is applied and kept
        if enabled (uniform over the enabled ones); after ``_SAMPLE_TRIES`` misses every
        enabled choice is listed and one drawn (also uniform), so at most one successor is
        built in the common case instead of one per choice."""
        name, apply, choices, _bare, pcs, _labels = entry
        if choices is not None and pcs is None:
            p = self.params
            chs = list(choices(p, s))
            for _ in range(self._SAMPLE_TRIES):
                ch = chs[rng.randrange(len(chs))]
                t = apply(p, s, **ch)
                if t is not None:
                    return self._label(name, ch), t
        group = list(self._plan_successors(entry, s))
        return group[rng.randrange(len(group))]

    def enabled_groups(
        self, s: State,
    ) -> list[tuple[str, Callable[[random.Random], tuple[Label, State]]]]:
        """The enabled actions of ``s`` in :meth:`successors`' order, each with a sampler
        ``pick(rng)`` returning one of its enabled labels (uniformly) and the next state (for
        SYS-3's random walks, two-stage: an action uniformly, then a choice). Finding that an
        action is enabled stops at its first enabled choice and the sampler builds about one
        successor, so a walk step no longer builds every successor (InnoDB's user_reserve has
        ~1,000 choices). The enabled action names are those of :meth:`actions`."""
        out: list[tuple[str, Callable[[random.Random], tuple[Label, State]]]] = []
        for entry in self._crash_plan if s.crashed else self._plan:
            for _ in self._plan_successors(entry, s):
                out.append((entry[0], functools.partial(self._sample, entry, s)))
                break
        return out

    def enabled_labels(self, s: State, action: str) -> list[Label]:
        """The enabled labels of one action in ``s``, in :meth:`successors`' order (what a
        driver offers when it runs one action kind at a time, as the stepped conformance
        machine does); ``[]`` for an action this configuration does not have."""
        if action not in self._by_name:
            return []
        for entry in self._crash_plan if s.crashed else self._plan:
            if entry[0] == action:
                return [label for label, _ in self._plan_successors(entry, s)]
        return []

    def actions(self, s: State) -> Iterator[Label]:
        """The enabled labels (with their choices) in ``s``."""
        for label, _ in self.successors(s):
            yield label

    def next_state(self, s: State, label: Label) -> State:
        """The state after ``label``; any label whose guard holds is accepted, even a choice
        :meth:`actions` would not enumerate. Raises :class:`ActionNotEnabled` naming the
        action and the guard that failed, or listing the known actions."""
        a = self._by_name.get(label.action)
        if a is None:
            raise ActionNotEnabled(
                f"{label}: unknown action {label.action!r}; known actions: "
                f"{', '.join(self.action_names())}"
            )
        if s.crashed and a.actor != "crash":
            raise ActionNotEnabled(f"{label}: guard not crashed is false (the system crashed; "
                                   f"only recover is possible)")
        args = label.kwargs()
        try:
            t = a.apply(self.params, s, **args)
        except TypeError as e:
            raise ActionNotEnabled(f"{label}: bad arguments for {a.name}: {e}") from None
        if t is None:
            why = a.why_not(self.params, s, **args) if a.why_not else "the guard is false"
            raise ActionNotEnabled(f"{label}: guard {why}")
        return t

    def progress_properties(self) -> tuple[ProgressProperty, ...]:
        """Progress properties beyond SYS-3 (spec/progress.py), checked by the explorer by
        backward reachability like ``waiters_satisfied``."""
        return PROGRESS

    def properties(self) -> tuple[Property, ...]:
        """The state and step properties checked on every state / transition."""
        return self._properties

    def action_names(self) -> tuple[str, ...]:
        """The actions that exist in this configuration."""
        return tuple(a.name for a in self._actions)

    def action(self, name: str) -> Action:
        """The action called ``name`` (KeyError naming the known ones)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"unknown action {name!r}; known actions: {', '.join(self.action_names())}"
            ) from None

    def with_action(self, name: str, apply: Callable[..., State | None]) -> RedoModel:
        """The same model with action ``name``'s apply replaced (the "teeth" tests)."""
        old = self.action(name)
        new = attrs.evolve(old, apply=apply)
        acts = tuple(new if a.name == name else a for a in self._actions)
        return RedoModel(self.params, acts, self._properties)

    def replay(self, labels: Sequence[Label | str]) -> list[State]:
        """Re-execute a trace from the initial state; returns every state (initial included).
        Raises :class:`ActionNotEnabled` naming the step (1-based) that is not enabled."""
        states = self.init_states()[:1]
        for i, lab in enumerate(labels, 1):
            label = Label.parse(lab) if isinstance(lab, str) else lab
            try:
                states.append(self.next_state(states[-1], label))
            except ActionNotEnabled as e:
                raise ActionNotEnabled(f"step {i}: {e}") from None
        return states

    def is_terminal_ok(self, s: State) -> bool:
        """A state where nothing is enabled is fine when every user is idle (no reservation is
        possible any more) and every closed group's range is below the dirty-pages-added lsn
        (CP-1: the closer, or in 9.0 the checkpointer asking the tracker, eventually takes in
        every range; a 9.0 tracker nobody asks leaves ranges above it, and the checkpoint
        with them). A crashed state always has ``recover`` enabled (recovery restarts the log,
        RC-1..4); one without is stuck (its image has no valid checkpoint)."""
        return self.terminal_problem(s) is None

    def terminal_problem(self, s: State) -> str | None:
        """Why :meth:`is_terminal_ok` rejects ``s`` (None when it accepts it)."""
        if s.crashed:
            return "crashed, and recovery cannot restart the log (no valid checkpoint)"
        busy = [i for i, u in enumerate(s.users) if u.pc != IDLE]
        if busy:
            return f"user {busy[0]} is not idle (pc={s.users[busy[0]].pc}): it can never finish"
        cur = current_lsn(self.params, s)
        if s.recent_closed.tail != cur:
            return (f"CP-1: every user is done, but the dirty-pages-added lsn stays at "
                    f"{s.recent_closed.tail} < current lsn {cur}: a reported range is never "
                    f"taken in (nobody asks the tracker), so the checkpoint cannot pass it")
        return None

    def waiters_satisfied(self, s: State) -> bool:
        """No user thread is waiting (every user idle): the target of SYS-3's liveness."""
        return all(u.pc == IDLE for u in s.users)

    def fields_changed(self, s: State, t: State) -> dict[str, tuple[object, object]]:
        """Top-level fields that differ (users as ``users[i].field``), for counterexamples."""
        out: dict[str, tuple[object, object]] = {}
        for name in FIELD_NAMES:
            a, b = getattr(s, name), getattr(t, name)
            if a == b and name not in ("monitor",):
                continue
            if name == "monitor":
                continue
            if name == "users":
                for i, (ua, ub) in enumerate(zip(a, b, strict=False)):
                    if ua != ub:
                        for f in attrs.fields(type(ua)):
                            va, vb = getattr(ua, f.name), getattr(ub, f.name)
                            if va != vb:
                                out[f"users[{i}].{f.name}"] = (va, vb)
                continue
            if attrs.has(type(a)) and attrs.has(type(b)):
                for f in attrs.fields(type(a)):
                    va, vb = getattr(a, f.name), getattr(b, f.name)
                    if va != vb:
                        out[f"{name}.{f.name}"] = (va, vb)
                continue
            out[name] = (a, b)
        return out

    def labels_of(self, choices: Iterable[tuple[str, dict[str, Arg]]]) -> list[Label]:
        """Labels from ``(action, args)`` pairs (a convenience for tests and tools)."""
        return [Label.of(n, a) for n, a in choices]
