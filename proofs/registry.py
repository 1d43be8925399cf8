"""Every obligation of ``redospec prove``, by name, with its scope.

Each proof module exposes ``obligations() -> list[Obligation]``; this module concatenates them
in a fixed order (lemmas first, then the step obligations of the encoded spec) and checks that
names are unique. Worker processes use :func:`obligation_by_name` to find what to check.

Scopes: an obligation is ``"unbounded"`` unless its module or this registry
says which bounds it assumes. The bounded encodings are superseded where an unbounded one
proves the same statement: :mod:`proofs.unbounded` gives ``init.<inv>`` and
``step.<action>.<inv>`` for any number of threads, pages and flush lists, so the 2-user/2-page
obligations of :mod:`proofs.encoding` with the same names are not registered (that module
stays: BMC, the conformance tests and the teeth tests use it; an action or invariant only it
encoded would stay registered, with its bounded scope -- none today).
:mod:`proofs.ring_symbolic` proves the link ring for a symbolic capacity, so
:mod:`proofs.ring`'s per-capacity unrolling (capacities 2 and 4) is no longer registered.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Iterable
from typing import Protocol, TypeVar

from proofs.obligation import Obligation

MODULES: tuple[str, ...] = (
    "proofs.params", "proofs.lemmas", "proofs.writeahead", "proofs.ring_symbolic",
    "proofs.writer_exact", "proofs.unbounded", "proofs.encoding",
)
"""The modules that contribute obligations, in report order."""

SUPERSEDED_BY: dict[str, str] = {"proofs.encoding": "proofs.unbounded"}
"""A bounded module's obligations are dropped where the unbounded module has the same name."""

BOUNDED_SCOPES: dict[str, str] = {
    "proofs.encoding": "users=2, pages=2, flush lists<=2",
    "proofs.ring": "ring C in {2,4}, users=2",
}
"""The scope of every obligation of a module whose encoding fixes the number of things."""

NAMED_SCOPES: dict[str, str] = {
    "lemma.slot_and_is_mod": "64-bit words (x, S)",
    "notify.mysql_shortcut_unsound": "witness (block 512/12/4, S=4)",
    "notify.mysql_shortcut_unsound_tight": "witness (block 512/12/4, S=2048)",
}
"""Scopes of single obligations: the 64-bit word the slot lemma is stated in (MySQL's own
arithmetic), and the two expected counterexamples (existence, shown at narrowed Params)."""

SCOPE_REASONS: dict[str, str] = {
    "lemma.slot_and_is_mod": "`x & (S-1) = x % S` is a bit-vector fact; it is stated for "
    "64-bit words because that is how MySQL computes slots (an unbounded-integer `&` does not "
    "exist in SMT-LIB's integer theory). Not a restriction of the model: every lsn and slot "
    "count of the real system is a 64-bit word.",
    "notify.mysql_shortcut_unsound": "an expected counterexample (MySQL Bug #114660): one "
    "witness proves the rule unsound; the search is narrowed to InnoDB's block layout and S=4 "
    "so that the printed counterexample is small.",
    "notify.mysql_shortcut_unsound_tight": "an expected counterexample at InnoDB's defaults "
    "(S=2048): shows the bound of notify.mysql_shortcut_sound_short (proved unbounded) tight.",
    "proofs.encoding": "the 2-user/2-page encoding: registered only for an action or "
    "invariant proofs.unbounded does not encode (none today: every action of 8.0 and 9.0, "
    "9.0's flush-list-added tracker included, is encoded there).",
}
"""Why each bounded scope remains (written into proofs/RESULTS.md)."""


class UnknownObligation(KeyError):
    """No registered obligation has this name."""


def _with_scope(module_name: str, ob: Obligation) -> Obligation:
    scope = NAMED_SCOPES.get(ob.name) or BOUNDED_SCOPES.get(module_name)
    if scope is None or ob.scope != "unbounded":
        return ob
    return dataclasses.replace(ob, scope=scope)


@functools.cache
def all_obligations() -> tuple[Obligation, ...]:
    """Every registered obligation, in report order; names are unique."""
    by_module: dict[str, list[Obligation]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        by_module[module_name] = [_with_scope(module_name, ob) for ob in module.obligations()]
    for old, new in SUPERSEDED_BY.items():
        if old in by_module and new in by_module:
            newer = {ob.name for ob in by_module[new]}
            by_module[old] = [ob for ob in by_module[old] if ob.name not in newer]
    found = [ob for module_name in MODULES for ob in by_module[module_name]]
    names = [ob.name for ob in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate obligation names: {', '.join(duplicates)}")
    return tuple(found)


def registered_names() -> frozenset[str]:
    """The names of :func:`all_obligations`."""
    return frozenset(ob.name for ob in all_obligations())


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def by_name(items: Iterable[N], name: str, kind: str) -> N:
    """The item of ``items`` called ``name`` (an obligation, an invariant of an encoding); a
    ``KeyError`` naming the known ones otherwise."""
    known = []
    for item in items:
        if item.name == name:
            return item
        known.append(item.name)
    error = UnknownObligation if kind == "obligation" else KeyError
    raise error(f"no {kind} named {name!r}; known: {', '.join(known)}")


def obligation_by_name(name: str) -> Obligation:
    """The registered obligation called ``name``; :class:`UnknownObligation` otherwise."""
    return by_name(all_obligations(), name, "obligation")
