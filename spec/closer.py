"""The log closer (8.0 only): CP-1.

8.0 (seed 001, "Thread: log closer"): the closer follows recent_closed links and so advances
buf_dirty_pages_added_up_to_lsn: every group below it has its dirty pages in the flush lists.
9.0 (seed 002) has no closer thread: see :mod:`spec.tracker` (the flush-list-added tracker's
tail moves only when a user reports or waits, or the checkpointer asks).
"""

from __future__ import annotations

from spec import linkbuf
from spec.model_types import Action, action
from spec.params import Params
from spec.state import State, replace


def closer_traverse_links(p: Params, s: State) -> State | None:
    """CP-1 (8.0), LNK-2, LNK-3: follow recent_closed links from the tail (clearing them in the
    seeds' variant) to the first missing link; the tail is buf_dirty_pages_added_up_to_lsn.
    Guard: the tail advances."""
    rc = s.recent_closed
    nrc = linkbuf.traverse(rc, p.link_buf)
    if nrc is rc:
        return None
    return replace(s, recent_closed=nrc)


ACTIONS_80: tuple[Action, ...] = (
    action(closer_traverse_links, "closer", ("CP-1", "LNK-2", "LNK-3"),
           guard="the recent_closed tail advances"),
)
ACTIONS: tuple[Action, ...] = ACTIONS_80
"""The closer exists in 8.0 only."""
