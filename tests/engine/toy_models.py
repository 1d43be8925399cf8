"""Toy models for the explorer's tests: small, with answers known by hand.

They implement the same Model protocol as :class:`spec.model.RedoModel` (docs/spec-model.md),
so the explorer is tested independently of the redo log model:

* :func:`counter` - ``x`` grows by 1 or by 3 up to a bound; a bad value ``k`` makes the
  shortest counterexample the fewest 1s and 3s summing to ``k`` (``k // 3 + k % 3`` steps),
  while a depth-first search would happily report a longer one.
* :func:`mini_log` - a caricature of the redo pipeline (SYS-1, SYS-3): user threads reserve an
  lsn and wait until ``written`` covers it, a writer writes, a notifier wakes waiters. Its
  ``bug`` variants remove the writer (a deadlock: everybody waits, nothing enabled), let a
  background thread spin without ever writing (a liveness failure without a deadlock), add an
  action that is never enabled (coverage) or make the writer go backwards (a step property).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

ArgValue = int | str


class ToyLabelError(ValueError):
    """Text that is not a label (the toy counterpart of ``spec.model.LabelError``)."""


class ToyActionNotEnabled(Exception):
    """A label whose guard fails (the toy counterpart of ``spec.model.ActionNotEnabled``)."""


_LABEL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$")


@dataclass(frozen=True)
class ToyLabel:
    action: str
    args: tuple[tuple[str, ArgValue], ...] = ()

    def __str__(self) -> str:
        return f"{self.action}({', '.join(f'{k}={v}' for k, v in self.args)})"

    @classmethod
    def parse(cls, text: str) -> ToyLabel:
        m = _LABEL.match(text)
        if m is None:
            raise ToyLabelError(f"{text!r} does not look like name(arg=value, ...)")
        args: list[tuple[str, ArgValue]] = []
        body = m.group(2).strip()
        for part in body.split(",") if body else []:
            key, sep, value = part.partition("=")
            if not sep:
                raise ToyLabelError(f"argument {part.strip()!r} of {text!r} has no '='")
            v = value.strip()
            args.append((key.strip(), int(v) if re.fullmatch(r"-?\d+", v) else v))
        return cls(m.group(1), tuple(args))


@dataclass(frozen=True)
class ToyProperty:
    name: str
    ids: tuple[str, ...]
    kind: str
    predicate: Callable[..., bool]
    doc: str
    actions: tuple[str, ...] | None = None
    """A step property: the only actions it can be false for (None: any)."""


Choices = Callable[[Any], Sequence[dict[str, ArgValue]]]
Effect = Callable[..., Any]  # effect(state, **args) -> new state, or None when the guard fails


@dataclass
class ToyModel:
    """A model from a table of actions ``name -> (choices(s), effect(s, **args))``."""

    params: Any
    init: list[Any]
    table: dict[str, tuple[Choices, Effect]]
    props: tuple[ToyProperty, ...]
    terminal_ok: Callable[[Any], bool]
    satisfied: Callable[[Any], bool]
    fast: Callable[[Any], Iterable[tuple[ToyLabel, Any]]] | None = field(default=None)
    """The same successors as the table's, in the same order, written for speed (a test
    holds the two together); used by :meth:`successors` when present."""

    def init_states(self) -> list[Any]:
        return list(self.init)

    def actions(self, s: Any) -> Iterator[ToyLabel]:
        for label, _ in self.successors(s):
            yield label

    def next_state(self, s: Any, label: ToyLabel) -> Any:
        if label.action not in self.table:
            raise ToyActionNotEnabled(f"{label}: no action called {label.action!r}")
        _, effect = self.table[label.action]
        t = effect(s, **dict(label.args))
        if t is None:
            raise ToyActionNotEnabled(f"{label}: guard is false")
        return t

    def successors(self, s: Any) -> Iterable[tuple[ToyLabel, Any]]:
        if self.fast is not None:
            return self.fast(s)
        return self.table_successors(s)

    def table_successors(self, s: Any) -> Iterator[tuple[ToyLabel, Any]]:
        """The successors by the action table (the definition)."""
        for name, (choices, effect) in self.table.items():
            for args in choices(s):
                t = effect(s, **args)
                if t is not None:
                    yield ToyLabel(name, tuple(args.items())), t

    def properties(self) -> tuple[ToyProperty, ...]:
        return self.props

    def action_names(self) -> tuple[str, ...]:
        return tuple(self.table)

    def replay(self, labels: Sequence[ToyLabel]) -> list[Any]:
        s = self.init[0]
        out = [s]
        for n, label in enumerate(labels, start=1):
            try:
                s = self.next_state(s, label)
            except ToyActionNotEnabled as exc:
                raise ToyActionNotEnabled(f"step {n}: {exc}") from None
            out.append(s)
        return out

    def is_terminal_ok(self, s: Any) -> bool:
        return self.terminal_ok(s)

    def waiters_satisfied(self, s: Any) -> bool:
        return self.satisfied(s)

    def fields_changed(self, s: Any, t: Any) -> dict[str, tuple[object, object]]:
        out: dict[str, tuple[object, object]] = {}
        for name in s._fields:
            a, b = getattr(s, name), getattr(t, name)
            if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
                for k, (x, y) in enumerate(zip(a, b, strict=True)):
                    if x != y:
                        out[f"{name}[{k}]"] = (x, y)
            elif a != b:
                out[name] = (a, b)
        return out


# ----------------------------------------------------------------------------------------------
# counter
# ----------------------------------------------------------------------------------------------


class Counter(NamedTuple):
    x: int


def counter(bad: int | None = None, bound: int = 30, steps: tuple[int, ...] = (1, 3)) -> ToyModel:
    """``x`` from 0 upward by any of ``steps`` while ``x + step <= bound``; ``x != bad``.

    Terminal at ``x`` where no step fits (that is fine: nobody waits).
    """

    def inc(s: Counter, by: int) -> Counter | None:
        if s.x + by > bound:
            return None
        return Counter(s.x + by)

    props = [ToyProperty("increases", ("TOY-2",), "step",
                         lambda p, s, label, t: t.x > s.x, "every step increases x")]
    if bad is not None:
        props.insert(0, ToyProperty("not_bad", ("TOY-1",), "state",
                                    lambda p, s: s.x != bad, f"x never equals {bad}"))
    return ToyModel(
        params={"bound": bound},
        init=[Counter(0)],
        table={"inc": (lambda s: [{"by": b} for b in steps], inc)},
        props=tuple(props),
        terminal_ok=lambda s: True,
        satisfied=lambda s: True,
    )


# ----------------------------------------------------------------------------------------------
# mini_log
# ----------------------------------------------------------------------------------------------


class MiniLog(NamedTuple):
    lsn: int                      # last reserved lsn
    written: int                  # the writer wrote everything below or at this lsn
    waiting: tuple[int, ...]      # per user: the lsn it waits for (0: not waiting)
    spin: int = 0                 # a background thread's idle toggle


def mini_log(users: int = 2, max_lsn: int = 4, bug: str | None = None) -> ToyModel:
    """User threads reserve and wait for ``written >= their lsn``; writer; notifier.

    ``bug``: ``None`` (correct), ``"no_writer"`` (deadlock), ``"spin"`` (no writer but an
    always-enabled idle step: liveness fails, no deadlock), ``"dead_action"`` (an action whose
    guard never holds: coverage), ``"backwards"`` (the writer may set ``written`` below its old
    value: the step property ``written_monotonic`` fails), ``"overrun"`` (the writer may write
    past the reserved lsn: the state property ``written_le_lsn`` fails), ``"user1"`` (waking
    user thread 1 -- and only it -- also writes one lsn past the reserved one: a bug that
    symmetry reduction over the users must not hide).

    The users are interchangeable (but for ``"user1"``): :func:`sorted_waiting` is the
    symmetry function that sorts them.
    """

    def reserve(s: MiniLog, thread: int) -> MiniLog | None:
        if s.waiting[thread] != 0 or s.lsn >= max_lsn:
            return None
        lsn = s.lsn + 1
        waiting = (*s.waiting[:thread], lsn, *s.waiting[thread + 1:])
        return s._replace(lsn=lsn, waiting=waiting)

    def write(s: MiniLog, upto: int) -> MiniLog | None:
        if bug == "backwards":
            ok = upto != s.written and 0 <= upto <= s.lsn
        elif bug == "overrun":
            ok = s.written < upto <= s.lsn + 1
        else:
            ok = s.written < upto <= s.lsn
        return s._replace(written=upto) if ok else None

    def wake(s: MiniLog, thread: int) -> MiniLog | None:
        target = s.waiting[thread]
        if target == 0 or s.written < target:
            return None
        waiting = (*s.waiting[:thread], 0, *s.waiting[thread + 1:])
        if bug == "user1" and thread == 1:
            return s._replace(waiting=waiting, written=s.lsn + 1)
        return s._replace(waiting=waiting)

    def idle(s: MiniLog) -> MiniLog | None:
        return s._replace(spin=1 - s.spin)

    def never(s: MiniLog) -> MiniLog | None:
        return None if s.written <= s.lsn else s._replace(written=s.lsn)

    threads: Choices = lambda s: [{"thread": t} for t in range(users)]  # noqa: E731
    table: dict[str, tuple[Choices, Effect]] = {"reserve": (threads, reserve)}
    if bug not in ("no_writer", "spin"):
        table["write"] = (lambda s: [{"upto": u} for u in range(0, s.lsn + 2)], write)
    table["wake"] = (threads, wake)
    if bug == "spin":
        table["idle"] = (lambda s: [{}], idle)
    if bug == "dead_action":
        table["recover"] = (lambda s: [{}], never)

    props = (
        ToyProperty("written_le_lsn", ("SYS-1",), "state", lambda p, s: s.written <= s.lsn,
                    "written <= lsn (a caricature of SYS-1)"),
        ToyProperty("written_monotonic", ("WR-8",), "step",
                    lambda p, s, label, t: t.written >= s.written, "written never decreases",
                    actions=("write",)),
    )

    reserve_labels = [ToyLabel("reserve", (("thread", k),)) for k in range(users)]
    write_labels = [ToyLabel("write", (("upto", u),)) for u in range(max_lsn + 2)]
    wake_labels = [ToyLabel("wake", (("thread", k),)) for k in range(users)]

    def fast(s: MiniLog) -> Iterator[tuple[ToyLabel, MiniLog]]:
        """The correct model's successors (``bug=None``), in the table's order."""
        lsn, written, waiting, spin = s
        if lsn < max_lsn:
            nxt = lsn + 1
            for k, w in enumerate(waiting):
                if w == 0:
                    yield reserve_labels[k], MiniLog(nxt, written, (*waiting[:k], nxt,
                                                                    *waiting[k + 1:]), spin)
        for u in range(written + 1, lsn + 1):
            yield write_labels[u], MiniLog(lsn, u, waiting, spin)
        for k, w in enumerate(waiting):
            if w and written >= w:
                yield wake_labels[k], MiniLog(lsn, written, (*waiting[:k], 0, *waiting[k + 1:]),
                                              spin)

    return ToyModel(
        params={"users": users, "max_lsn": max_lsn},
        init=[MiniLog(0, 0, (0,) * users)],
        table=table,
        props=props,
        terminal_ok=lambda s: all(w == 0 for w in s.waiting),
        satisfied=lambda s: all(w == 0 for w in s.waiting),
        fast=fast if bug is None else None,
    )


def sorted_waiting(s: MiniLog) -> MiniLog:
    """mini_log's symmetry: a state and its permutations of users count once."""
    return s._replace(waiting=tuple(sorted(s.waiting)))


def reachable_count(model: ToyModel) -> int:
    """Distinct reachable states by an independent depth-first search (a test oracle)."""
    seen = set(model.init_states())
    stack = list(seen)
    while stack:
        s = stack.pop()
        for _, t in model.successors(s):
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return len(seen)
