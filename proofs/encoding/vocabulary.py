"""The encoding's vocabulary: the spec's program counters, wait kinds and action names as
integers and strings (imported from the spec), the Params rules assumed, and one copy of the
encoded state (:class:`St`: 2 users, 2 pages; see :mod:`proofs.encoding` for the table of
fields)."""

from __future__ import annotations

from dataclasses import dataclass

import z3

from proofs import terms as T
from proofs.params import SymParams
from spec import state as S
from spec.params import Params
from spec.user import LATCHING_PCS

N_USERS = 2
N_PAGES = 2

PC_ORDER: tuple[str, ...] = (
    S.IDLE, S.RESERVED, S.COPIED, S.FRG_SET, S.LINKED, S.PAGES_ADDED, S.CLOSED, S.RESET,
    S.SLEEPING,
)
"""spec.state's user program counters, in the order a group passes them."""
PCS: dict[str, int] = {pc: i for i, pc in enumerate(PC_ORDER)}
"""spec.state's user program counters as integers (their place in :data:`PC_ORDER`)."""
PC_NAMES = {v: k for k, v in PCS.items()}
WAITS: dict[str, int] = {"none": 0, "write": 1, "flush": 2}
"""spec.state.UserState.wait as an integer."""
WAIT_NAMES = {v: k for k, v in WAITS.items()}

IDLE, RESERVED, COPIED, FRG_SET, LINKED, PAGES_ADDED, CLOSED, RESET, SLEEPING = (
    PCS[pc] for pc in PC_ORDER)
LATCHING: tuple[int, ...] = tuple(sorted(PCS[pc] for pc in LATCHING_PCS))
"""spec.user.LATCHING_PCS: the thread holds its page's latch."""


def spec_action_names() -> tuple[str, ...]:
    """Every action of spec.model.default_actions in 8.0 and then 9.0 (each once, in the
    spec's order), crash and recover excluded."""
    from spec.model import default_actions

    names: list[str] = []
    for version in ("8.0", "9.0"):
        for act in default_actions(Params.tiny().evolve(version=version)):
            if act.name not in names:
                names.append(act.name)
    return tuple(names)


ACTION_NAMES: tuple[str, ...] = spec_action_names()
"""Every action of spec.model.default_actions (8.0 and 9.0; crash and recover excluded), by
name. A configuration has the 8.0 three (user_add_dirty_pages, user_add_recent_closed_link,
closer_traverse_links) or the 9.0 three (user_wait_to_add, user_report_added,
checkpointer_ask_smallest_not_added: spec/tracker.py)."""


PARAM_RULES = (
    "positive.*", "header.min", "block.data", "start_lsn.aligned", "log_buffer.min",
    "write_max.min", "group.positive",
)
"""The Params rules the step obligations assume (linear ones; the others are not needed)."""


def member_term(p: SymParams, pos: z3.ArithRef, new: z3.ArithRef, e: z3.ArithRef,
                kind: int) -> z3.BoolRef:
    """The closed form of "``notify_range(pos, new, S)`` contains ``slot(e)``" (see
    :meth:`Enc.notify_member`), with the real division terms."""
    bs = p.block_size
    n = p.write_events if kind == 1 else p.flush_events
    b0 = (pos - 1) / bs
    b = (e - 1) / bs
    kmax = (T.align_up(new, bs) - pos) / bs
    return z3.And(kmax >= 0, z3.Or(kmax + 1 >= n, (b - b0) % n <= kmax))


def reserve_choices(t: St) -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef]:
    """user_reserve's choice variables for the step into ``t`` (named after ``t``'s tag, so
    that an unrolling has one set per step)."""
    return (z3.Int(f"c_size{t.tag}"), z3.Int(f"c_page{t.tag}"), z3.Int(f"c_wait{t.tag}"))


@dataclass
class User:
    pc: z3.ArithRef
    start_sn: z3.ArithRef
    size: z3.ArithRef
    page: z3.ArithRef
    wait: z3.ArithRef
    signalled: z3.BoolRef


@dataclass
class Page:
    oldest: z3.ArithRef
    newest: z3.ArithRef


class St:
    """One copy of the encoded state (z3 constants with a name suffix, e.g. ``write_lsn'``)."""

    def __init__(self, tag: str) -> None:
        def i(n: str) -> z3.ArithRef:
            return z3.Int(f"{n}{tag}")

        self.tag = tag
        self.sn = i("sn")
        self.ready = i("ready")
        self.added = i("added")
        self.write_lsn = i("write_lsn")
        self.flushed_to_disk_lsn = i("flushed_to_disk_lsn")
        self.checkpoint_lsn = i("checkpoint_lsn")
        self.pending_lsn = i("pending_lsn")
        self.write_notifier_lsn = i("write_notifier_lsn")
        self.write_notifier_event = z3.Bool(f"write_notifier_event{tag}")
        self.flush_notifier_lsn = i("flush_notifier_lsn")
        self.flush_notifier_event = z3.Bool(f"flush_notifier_event{tag}")
        self.users = [
            User(i(f"pc{k}_"), i(f"start_sn{k}_"), i(f"size{k}_"), i(f"page{k}_"), i(f"wait{k}_"),
                 z3.Bool(f"signalled{k}_{tag}"))
            for k in range(N_USERS)
        ]
        self.pages = [Page(i(f"oldest{j}_"), i(f"newest{j}_")) for j in range(N_PAGES)]
        self.early = i("early")
        """With one flush list holding both pages: the page added first (the list's tail,
        which the page cleaner flushes and oldest_lsn reads); 0 otherwise."""

    def scalars(self) -> dict[str, z3.ExprRef]:
        """Every variable by its field name (for frames and decoding)."""
        out: dict[str, z3.ExprRef] = {
            "sn": self.sn, "ready": self.ready, "added": self.added,
            "write_lsn": self.write_lsn, "flushed_to_disk_lsn": self.flushed_to_disk_lsn,
            "checkpoint_lsn": self.checkpoint_lsn, "pending_lsn": self.pending_lsn,
            "write_notifier_lsn": self.write_notifier_lsn,
            "write_notifier_event": self.write_notifier_event,
            "flush_notifier_lsn": self.flush_notifier_lsn,
            "flush_notifier_event": self.flush_notifier_event,
        }
        for k, u in enumerate(self.users):
            for f in ("pc", "start_sn", "size", "page", "wait", "signalled"):
                out[f"{f}{k}"] = getattr(u, f)
        for j, pg in enumerate(self.pages):
            out[f"oldest{j}"] = pg.oldest
            out[f"newest{j}"] = pg.newest
        out["early"] = self.early
        return out
