"""The log closer (8.0) / the flush-list-added tracker (9.0): CP-1.

8.0 (seed 001, "Thread: log closer"): the closer follows recent_closed links and so advances
buf_dirty_pages_added_up_to_lsn: every group below it has its dirty pages in the flush lists.
9.0 (seed 002): there is no closer; ``Buf_flush_list_added_lsns::smallest_not_added_lsn``
advances the tracker's tail when asked (by the checkpointer); the spec models that as its own
action so that the tail may lag.
"""

from __future__ import annotations

from spec import linkbuf
from spec.model_types import Action, action
from spec.params import Params
from spec.state import State, replace


def _advance(p: Params, s: State) -> State | None:
    rc = s.recent_closed
    nrc = linkbuf.traverse(rc, p.link_buf)
    if nrc is rc:
        return None
    return replace(s, recent_closed=nrc)


def closer_traverse_links(p: Params, s: State) -> State | None:
    """CP-1 (8.0), LNK-2, LNK-3: follow recent_closed links from the tail (clearing them in the
    seeds' variant) to the first missing link; the tail is buf_dirty_pages_added_up_to_lsn.
    Guard: the tail advances."""
    return _advance(p, s)


def tracker_advance_smallest_not_added(p: Params, s: State) -> State | None:
    """CP-1 (9.0): the flush-list-added tracker's advance_tail: smallest_not_added_lsn moves
    past every reported range with no unreported range below it. Guard: it advances."""
    return _advance(p, s)


ACTIONS_80: tuple[Action, ...] = (
    action(closer_traverse_links, "closer", ("CP-1", "LNK-2", "LNK-3")),
)
ACTIONS_90: tuple[Action, ...] = (
    action(tracker_advance_smallest_not_added, "tracker", ("CP-1", "LNK-2")),
)
ACTIONS: tuple[Action, ...] = ACTIONS_80 + ACTIONS_90
"""Both; :mod:`spec.model` keeps the one of ``Params.version``."""
