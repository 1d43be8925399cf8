"""The value types of the Model API (``Label``, ``Action``, ``Property``, ``ActionNotEnabled``).

They live here so that the actor modules can build their ``ACTIONS`` without importing
:mod:`spec.model` (which imports every actor); :mod:`spec.model` re-exports them, and that is
the name everybody else uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from spec.params import Params
    from spec.state import State

Arg = int | str


class LabelError(ValueError):
    """A label's text cannot be parsed (names the text and what is wrong with it)."""


class ActionNotEnabled(Exception):
    """``next_state`` was given a label whose guard does not hold, or an unknown action."""


_LABEL_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.S)
_ARG_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?[0-9]+|[A-Za-z_][A-Za-z0-9_.\-]*)\s*$")


@attrs.frozen(cache_hash=True)
class Label:
    """One step of a trace: an action's name and its choices, e.g.
    ``user_reserve(thread=0, size=8, page=1, wait=flush)``."""

    action: str
    args: tuple[tuple[str, Arg], ...] = ()

    def __str__(self) -> str:
        return f"{self.action}({', '.join(f'{k}={v}' for k, v in self.args)})"

    def get(self, name: str) -> Arg:
        """The value of argument ``name`` (KeyError naming it if absent)."""
        for k, v in self.args:
            if k == name:
                return v
        raise KeyError(f"{self}: no argument {name!r}")

    def kwargs(self) -> dict[str, Arg]:
        """The arguments as a dict (what ``Action.apply`` takes)."""
        return dict(self.args)

    @classmethod
    def of(cls, action: str, args: dict[str, Arg] | None = None) -> Label:
        """A label from an action name and a dict of choices (order kept)."""
        return cls(action, tuple(args.items()) if args else ())

    @classmethod
    def parse(cls, text: str) -> Label:
        """Parse ``name(k=v, ...)`` back into a label; integers stay integers.

        Raises :class:`LabelError` naming the text and the problem."""
        m = _LABEL_RE.match(text)
        if not m:
            raise LabelError(f"bad label {text!r}: expected name(arg=value, ...)")
        name, inner = m.group(1), m.group(2)
        args: list[tuple[str, Arg]] = []
        if inner.strip():
            for part in inner.split(","):
                am = _ARG_RE.match(part)
                if not am:
                    raise LabelError(
                        f"bad label {text!r}: argument {part.strip()!r} is not name=int or "
                        "name=word"
                    )
                key, raw = am.group(1), am.group(2)
                if any(k == key for k, _ in args):
                    raise LabelError(f"bad label {text!r}: argument {key!r} given twice")
                val: Arg = int(raw) if re.fullmatch(r"-?[0-9]+", raw) else raw
                args.append((key, val))
        return cls(name, tuple(args))


ChoicesFn = Callable[["Params", "State"], Iterable[dict[str, Arg]]]
ApplyFn = Callable[..., "State | None"]


@attrs.frozen
class Action:
    """A named action of one actor: ``choices(p, s)`` lists its finite choices, ``apply(p, s,
    **args)`` returns the next state or None when the guard does not hold. ``ids`` are the
    requirement IDs it models; ``doc`` says what it does in the design's words."""

    name: str
    actor: str
    ids: tuple[str, ...]
    choices: ChoicesFn
    apply: ApplyFn
    doc: str
    why_not: Callable[..., str] | None = None
    """``why_not(p, s, **args)``: the guard's own account of why ``apply`` refused (called
    only after a refusal, for the message of :class:`ActionNotEnabled`)."""


NO_CHOICE: tuple[dict[str, Arg], ...] = ({},)


def no_choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    """For actions without arguments: one empty choice."""
    return NO_CHOICE


GuardFn = Callable[..., "str | None"]
"""A guard: ``guard(p, s, **args)`` is None when the action is enabled, else the reason it is
not (``"users[0].pc == reserved is false (pc=idle)"``); the action's ``apply`` calls it first."""


def action(
    fn: ApplyFn, actor: str, ids: tuple[str, ...], choices: ChoicesFn = no_choices,
    guard: GuardFn | str = "",
) -> Action:
    """An :class:`Action` named after ``fn`` with ``fn``'s docstring as its doc.

    ``guard`` says why ``fn`` refuses: the guard function ``fn`` itself calls (so the reason
    cannot drift from the check), or, for an action whose only condition is that its effect
    changes something (a traversal that advances a tail), the text of that condition."""
    if isinstance(guard, str):
        text = f"{guard or 'the guard'} is false"

        def why_not(p: Params, s: State, **args: Arg) -> str:
            return text
    else:
        def why_not(p: Params, s: State, **args: Arg) -> str:
            return guard(p, s, **args) or "the guard is false"
    return Action(fn.__name__, actor, ids, choices, fn, (fn.__doc__ or "").strip(), why_not)


@attrs.frozen
class Property:
    """A named invariant with requirement IDs. ``kind="state"``: ``predicate(p, s)``;
    ``kind="step"``: ``predicate(p, s, label, t)``. ``explain`` (same arguments) gives a
    one-line reason when the predicate is false. ``actions`` (step properties only): the
    action names the property can be false for; the explorer skips it on every other label
    (``None``: every action). It must be exact: the predicate is true on any other label."""

    name: str
    ids: tuple[str, ...]
    kind: Literal["state", "step"]
    predicate: Callable[..., bool]
    doc: str
    explain: Callable[..., str] | None = None
    actions: tuple[str, ...] | None = None


def describe(obj: Any) -> str:
    """Short repr for error messages."""
    return repr(obj)
