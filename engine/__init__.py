"""The exhaustive explorer: a generic explicit-state model checker.

It explores any object of the :class:`engine.model.Model` shape (``spec.model.RedoModel``, the
toy models of the tests) and never imports the redo log model. Split by concern:

* :mod:`engine.model`: the Model protocol, ``Step``, ``Violation``, ``ExploreResult``, ``Progress``;
* :mod:`engine.search`: the breadth-first search (:func:`explore`);
* :mod:`engine.store`: the visited set (full states, or 64-bit fingerprints);
* :mod:`engine.workers`: the same search on several processes (``explore(..., workers=N)``);
* :mod:`engine.liveness`: SYS-3 and progress properties by backward reachability;
* :mod:`engine.counterexample`: trace steps, shrinking, replay;
* :mod:`engine.walks`: seeded random walks.
"""

from engine.counterexample import Replayed, ReplayError, replay_trace, shrink_trace
from engine.model import (
    ExploreResult,
    Model,
    ModelError,
    Progress,
    Step,
    Verdict,
    Violation,
    format_coverage,
    format_state,
    format_trace,
    refine,
    short,
)
from engine.search import explore
from engine.walks import random_walks

__all__ = [
    "ExploreResult",
    "Model",
    "ModelError",
    "Progress",
    "ReplayError",
    "Replayed",
    "Step",
    "Verdict",
    "Violation",
    "explore",
    "format_coverage",
    "format_state",
    "format_trace",
    "random_walks",
    "refine",
    "replay_trace",
    "short",
    "shrink_trace",
]
