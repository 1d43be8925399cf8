"""The page cleaner (CP-6): write the oldest dirty page of a flush list to the data file.

Removing flushed pages from the flush lists is what lets the oldest modification, and so
available_for_checkpoint_lsn, advance. The write-ahead logging rule: a page is written only when
the log is durable past its newest modification.
"""

from __future__ import annotations

from collections.abc import Iterable

from spec.model_types import Action, Arg, action
from spec.params import Params
from spec.state import PagesState, State, replace


def page_cleaner_flush_page(p: Params, s: State, list: int) -> State | None:
    """CP-6: take the page at the tail of flush list ``list`` (the earliest added); guard: the
    list is not empty and ``flushed_to_disk_lsn >= newest_modification`` of the page (WAL
    rule). Effect: the data file's page_lsn becomes its newest_modification, the page leaves
    the list and is clean."""
    pg = s.pages
    if not 0 <= list < len(pg.flush_lists) or not pg.flush_lists[list]:
        return None
    lst = pg.flush_lists[list]
    page, _oldest = lst[-1]
    newest = pg.newest[page]
    if not s.flushed_to_disk_lsn >= newest:
        return None
    lists = (*pg.flush_lists[:list], lst[:-1], *pg.flush_lists[list + 1:])
    return replace(
        s,
        pages=PagesState(
            lists,
            (*pg.newest[:page], 0, *pg.newest[page + 1:]),
            (*pg.on_disk[:page], newest, *pg.on_disk[page + 1:]),
        ),
    )


def _choices(p: Params, s: State) -> Iterable[dict[str, Arg]]:
    for i, lst in enumerate(s.pages.flush_lists):
        if lst:
            yield {"list": i}


ACTIONS: tuple[Action, ...] = (
    action(page_cleaner_flush_page, "page_cleaner", ("CP-6",), _choices,
           guard="the flush list is not empty and flushed_to_disk_lsn >= its last page's "
                 "newest modification (CP-6)"),
)
