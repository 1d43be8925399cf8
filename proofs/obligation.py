"""Proof obligations: a named z3 formula whose unsatisfiability proves a requirement.

An :class:`Obligation` does not hold a formula but a ``build`` function that makes one, so that
obligations can be listed cheaply, shipped to worker processes by name (z3 objects do not
pickle) and built inside the worker's own z3 context.

The convention is the usual one for validity checking: to prove ``Hyp => Goal`` the obligation
builds ``Hyp and not Goal``; ``unsat`` means no counterexample exists, i.e. the goal holds for
every value of every variable (every Params allowed by :mod:`proofs.params`, every lsn). A
``sat`` answer is a counterexample and its model is kept, decoded into named values (and, for
step obligations, into a spec state and the action that broke the invariant). ``unknown`` is a
failure, never a pass (see ../shared/reference/verification-notes.md, z3 section: unknown often
comes back fast).

Some obligations are *expected* to be satisfiable: the MySQL 8.0.41 direct-notification shortcut
(Bug #114660, NT-4) is unsound, and the obligation that says so passes with status
``refuted as expected`` when z3 finds the counterexample, printing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import z3

Status = Literal[
    "proved",
    "refuted as expected",
    "counterexample",
    "not refuted",
    "unknown",
    "timeout",
    "error",
]
"""``proved``: the formula is unsat. ``refuted as expected``: an ``expect="sat"`` obligation
found its counterexample. ``counterexample``: a proof obligation is sat. ``not refuted``: an
``expect="sat"`` obligation came back unsat (the finding it documents is gone). ``unknown`` and
``timeout``: z3 gave no answer. ``error``: building or checking raised."""

UNBOUNDED = "unbounded"
"""The scope of an obligation that assumes no bound (see :attr:`Obligation.scope`)."""


def scope_kind(scope: str) -> str:
    """``unbounded``, ``witness`` or ``bounded``: how the summary counts a scope."""
    if scope == UNBOUNDED:
        return UNBOUNDED
    return "witness" if scope.startswith("witness") else "bounded"


PASSING: frozenset[str] = frozenset({"proved", "refuted as expected"})
"""The statuses that count as success; everything else makes ``redospec prove`` fail."""

Decoder = Callable[[z3.ModelRef], str]
"""Turns a counterexample model into readable text (a spec state and an action, or values)."""


@dataclass(frozen=True)
class Obligation:
    """One proof obligation.

    ``name`` is unique (``group.what``); ``ids`` are the requirement IDs of
    ../shared/requirements.md that the obligation proves; ``build`` returns the z3 formula
    whose UNSAT proves it (for ``expect="sat"``: whose SAT demonstrates the documented
    finding). ``decode`` renders a counterexample model (a spec state and the action, or the
    concrete values of a lemma's variables); without it every constant of the model is shown.
    """

    name: str
    ids: tuple[str, ...]
    build: Callable[[], z3.BoolRef]
    doc: str = ""
    expect: Literal["unsat", "sat"] = "unsat"
    decode: Decoder | None = None
    session: str = ""
    """Obligations with the same non-empty ``session`` share a hypothesis: ``shared()`` is
    asserted once per process on one solver, and each obligation's ``build()`` (its negated
    goal) is checked under ``push``/``pop`` -- the step obligations of one action share
    everything but the goal, and re-internalizing the hypothesis cost 3-6x the solving."""
    shared: Callable[[], z3.BoolRef] | None = None
    scope: str = UNBOUNDED
    """``"unbounded"``: the formula has no bound beyond the Params rules (every size, every
    number of threads/pages/lists, every ring capacity); otherwise the bounds it assumes, e.g.
    ``"users=2, pages=2, flush lists<=2"``. ``"witness"`` marks an
    expected counterexample found at the narrowed parameters it names."""

    @property
    def group(self) -> str:
        """The part of ``name`` before the first dot: the row group of ``proofs/RESULTS.md``."""
        return self.name.split(".", 1)[0]


@dataclass
class Result:
    """What checking one obligation gave."""

    name: str
    ids: tuple[str, ...]
    status: Status
    seconds: float
    model: dict[str, str] | None = None
    """The counterexample (sat answer): every constant of the model, by name."""
    decoded: str | None = None
    """The counterexample rendered by the obligation's decoder (a spec state and action)."""
    reason: str = ""
    """Why z3 said unknown, or the error text."""
    statistics: dict[str, float] = field(default_factory=dict)
    """z3's solver statistics (conflicts, decisions, instances, memory ...)."""
    scope: str = UNBOUNDED
    """The obligation's :attr:`Obligation.scope`."""

    @property
    def passed(self) -> bool:
        return self.status in PASSING

    def to_json(self) -> dict[str, object]:
        """The row of ``redospec prove --json``: name, ids, status, seconds (plus details)."""
        row: dict[str, object] = {
            "name": self.name,
            "ids": list(self.ids),
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "scope": self.scope,
        }
        if self.model is not None:
            row["model"] = self.model
        if self.decoded is not None:
            row["decoded"] = self.decoded
        if self.reason:
            row["reason"] = self.reason
        row["statistics"] = self.statistics
        return row


def model_values(model: z3.ModelRef) -> dict[str, str]:
    """Every constant of ``model`` by name, as text, sorted by name (for stable output)."""
    values: dict[str, str] = {}
    for decl in model.decls():
        if decl.arity() == 0:
            values[decl.name()] = str(model[decl])
    return dict(sorted(values.items()))


def _statistics(solver: z3.Solver) -> dict[str, float]:
    stats = solver.statistics()
    out: dict[str, float] = {}
    for key in stats.keys():  # noqa: SIM118 - z3 Statistics is not a dict
        value = stats.get_key_value(key)
        if isinstance(value, int | float):
            out[str(key)] = float(value)
    return out


def check(ob: Obligation, timeout_s: float = 20.0) -> Result:
    """Build ``ob``'s formula and ask z3 whether it is satisfiable, within ``timeout_s``.

    The formula is checked on its own fresh solver (no shared state between obligations).
    The result carries the obligation's scope.
    """
    result = _check(ob, timeout_s)
    result.scope = ob.scope
    return result


_SESSIONS: dict[str, z3.Solver] = {}
"""Per process: one solver per session, holding the session's shared hypothesis."""


def _check(ob: Obligation, timeout_s: float) -> Result:
    started = time.perf_counter()
    pushed: z3.Solver | None = None
    try:
        if ob.session and ob.shared is not None:
            solver = _SESSIONS.get(ob.session)
            if solver is None:
                solver = z3.Solver()
                solver.add(ob.shared())
                _SESSIONS[ob.session] = solver
            solver.push()
            pushed = solver
        else:
            solver = z3.Solver()
        solver.set("timeout", max(1, int(timeout_s * 1000)))
        solver.add(ob.build())
        answer = solver.check()
    except Exception as exc:  # a bug in an encoding must show as a failed row, not a crash
        if pushed is not None:
            pushed.pop()
        return Result(ob.name, ob.ids, "error", time.perf_counter() - started,
                      reason=f"{type(exc).__name__}: {exc}")
    try:
        return _answer(ob, solver, answer, started)
    finally:
        if pushed is not None:
            pushed.pop()


def _answer(ob: Obligation, solver: z3.Solver, answer: z3.CheckSatResult, started: float
            ) -> Result:
    seconds = time.perf_counter() - started
    statistics = _statistics(solver)
    if answer == z3.unsat:
        status: Status = "not refuted" if ob.expect == "sat" else "proved"
        return Result(ob.name, ob.ids, status, seconds, statistics=statistics)
    if answer == z3.sat:
        model = solver.model()
        decoded = None
        if ob.decode is not None:
            try:
                decoded = ob.decode(model)
            except Exception as exc:
                decoded = f"(decoder failed: {type(exc).__name__}: {exc})"
        status = "refuted as expected" if ob.expect == "sat" else "counterexample"
        return Result(ob.name, ob.ids, status, seconds, model=model_values(model),
                      decoded=decoded, statistics=statistics)
    reason = solver.reason_unknown()
    status = "timeout" if reason in ("timeout", "canceled") else "unknown"
    return Result(ob.name, ob.ids, status, seconds, reason=reason, statistics=statistics)


def describe(values: Mapping[str, str], names: tuple[str, ...] = ()) -> str:
    """``a=1, b=2`` for the ``names`` (default: all) of a counterexample's values."""
    keys = names or tuple(values)
    return ", ".join(f"{k}={values[k]}" for k in keys if k in values)
