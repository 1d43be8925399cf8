"""Progress properties the design implies, beyond SYS-3's "every waiter is eventually woken".

A progress property is a *target* predicate on states; it holds when from every reachable state
some target state is reachable. The explorer checks each one after an exhaustive search by
backward reachability over the explored graph, exactly as it checks SYS-3
(``RedoModel.waiters_satisfied``), and reports a failure with a trace to a state from which no
target state is reachable and a lasso showing how the run stays away from the targets.

* :func:`checkpoint_caught_up` (CP-2, CP-5, CP-7, SYS-2): when every page is clean, the
  checkpoint can reach the dirty-pages-added lsn. As a target: every page clean and
  checkpoint_lsn at or past dirty_pages_added_up_to_lsn (moved off a block boundary, CP-7).
  From any state the users can finish their groups, the writer and the flusher can make them
  durable, the page cleaner can clean every page (CP-6 allows it once the log is flushed), the
  closer (8.0) or the tracker (9.0) can advance the dirty-pages-added lsn and the checkpointer
  can write and sync a checkpoint there. A checkpointer that never passes some lsn, or a page
  cleaner that leaves a page dirty forever, breaks it (tests/spec/test_progress.py).

Crashed states are targets (nothing runs after a crash; recovery is judged by RC-1..RC-4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from spec.params import Params
from spec.state import State


class ProgressProperty(NamedTuple):
    """From every reachable state a state satisfying ``target`` is reachable."""

    name: str
    ids: tuple[str, ...]
    target: Callable[[Params, State], bool]
    doc: str


def caught_up_lsn(p: Params, dirty_pages_added_lsn: int) -> int:
    """The checkpoint lsn for a dirty-pages-added lsn when no page is dirty: the same lsn,
    moved back to the previous block's first data byte if it is a block boundary (CP-7)."""
    if dirty_pages_added_lsn % p.block_size == 0:
        return dirty_pages_added_lsn - p.block_size + p.header_size
    return dirty_pages_added_lsn


def checkpoint_caught_up(p: Params, s: State) -> bool:
    """CP-2, CP-5, CP-7: every page clean and checkpoint_lsn >= dirty_pages_added_up_to_lsn."""
    if s.crashed:
        return True
    if any(s.pages.newest):
        return False
    return s.checkpoint.checkpoint_lsn >= caught_up_lsn(p, s.recent_closed.tail)


PROGRESS: tuple[ProgressProperty, ...] = (
    ProgressProperty(
        "checkpoint_progress", ("CP-2", "CP-5", "CP-7", "SYS-2"), checkpoint_caught_up,
        "when every page is clean, the checkpoint can reach the dirty-pages-added lsn"),
)
"""The progress properties :meth:`spec.model.RedoModel.progress_properties` offers the
explorer."""
