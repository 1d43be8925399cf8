"""Every obligation of ``redospec prove``, by name.

Each proof module exposes ``obligations() -> list[Obligation]``; this module concatenates them
in a fixed order (lemmas first, then the step obligations of the encoded spec) and checks that
names are unique. Worker processes use :func:`obligation_by_name` to find what to check.
"""

from __future__ import annotations

import functools
import importlib

from proofs.obligation import Obligation

MODULES: tuple[str, ...] = (
    "proofs.params", "proofs.lemmas", "proofs.writeahead", "proofs.ring", "proofs.encoding"
)
"""The modules that contribute obligations, in report order."""


class UnknownObligation(KeyError):
    """No registered obligation has this name."""


@functools.cache
def all_obligations() -> tuple[Obligation, ...]:
    """Every registered obligation, in report order; names are unique."""
    found: list[Obligation] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        found.extend(module.obligations())
    names = [ob.name for ob in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate obligation names: {', '.join(duplicates)}")
    return tuple(found)


def registered_names() -> frozenset[str]:
    """The names of :func:`all_obligations`."""
    return frozenset(ob.name for ob in all_obligations())


def obligation_by_name(name: str) -> Obligation:
    """The registered obligation called ``name``; :class:`UnknownObligation` otherwise."""
    for ob in all_obligations():
        if ob.name == name:
            return ob
    raise UnknownObligation(f"no obligation named {name!r}")
