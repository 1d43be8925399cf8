"""Recovery as a real transition: ``recover`` restarts the log as MySQL's recovery
and ``log_start`` leave it (mysql-redo-facts §8.4), and the system runs on for several
generations (RC-1..4 across crashes, CP-6 on the data file).

Expected values come from the design text and the facts file, not from spec.crash: the
recovered lsn is the end of the last whole group that was synced, the data file's pages hold
the last recovered modification, every lsn variable restarts there.
"""

from __future__ import annotations

import pytest

from engine import explore
from spec.crash import recover
from spec.invariants import PROPERTIES
from spec.lsn import sn_to_lsn
from spec.model import Label, RedoModel
from spec.params import Params, ParamsError

P = Params.tiny().evolve(explore_crashes=True)

ISSUE_REPLAY = [
    "user_reserve(thread=0, size=4, page=0, wait=flush)", "user_copy_to_log_buffer(thread=0)",
    "user_add_recent_written_link(thread=0)", "writer_traverse_links()", "writer_write()",
    "flusher_fsync(up_to=56)", "crash(image=0)", "recover()",
]
"""The replay of the old bug, where ``recover()`` used to change nothing but a flag."""


def _check_all(p: Params, before: object, label: str, after: object) -> list[str]:
    bad = []
    for pr in PROPERTIES:
        if pr.kind == "state":
            ok = pr.predicate(p, after)
        else:
            ok = pr.predicate(p, before, Label.parse(label), after)
        if not ok:
            bad.append(pr.name)
    return bad


def test_issue_replay_recover_restarts_the_log() -> None:
    """RC-4, facts §8.4: the synced group [52, 56) on page 0 (never added to a flush list
    before the crash) is replayed into the data file, and the log restarts at its end: the
    dirty-pages-added lsn, which was still 52, is 56 like every other lsn; nothing written
    ahead; the notifiers start at 57."""
    m = RedoModel(P)
    states = m.replay(ISSUE_REPLAY)
    s, t = states[-2], states[-1]
    assert s.recent_closed.tail == 52 and s.pages.on_disk == (0, 0)
    assert (t.crashed, t.recovered, t.generation) == (False, True, 1)
    lsns = (sn_to_lsn(P, t.sn), t.writer.write_lsn, t.flushed_to_disk_lsn,
            t.recent_written.tail, t.recent_closed.tail)
    assert lsns == (56,) * 5
    assert t.pages.on_disk == (56, 0) and t.writer.write_ahead_end_offset == 0
    assert (t.notifiers.write_notifier_lsn, t.notifiers.flush_notifier_lsn) == (57, 57)
    assert t.buffer[0][0] == 4  # block 48's first_rec_group: the group start at 52
    assert set(m.fields_changed(s, t)) > {"recent_closed.tail", "pages.on_disk", "crashed"}
    assert _check_all(P, s, "recover()", t) == []


def test_unsynced_group_is_lost_and_its_lsns_reused() -> None:
    """RC-4: a group written but not synced is gone after the restart; the next generation
    reserves the same lsns again and its commit is durable after a second crash."""
    p = P.evolve(max_crashes=2)
    m = RedoModel(p)
    written = ISSUE_REPLAY[:5]
    states = m.replay([*written, "crash(image=0)", "recover()"])
    t = states[-1]
    assert t.groups == () and sn_to_lsn(p, t.sn) == 52 and t.pages.on_disk == (0, 0)
    again = [*written, "flusher_fsync(up_to=56)", "user_add_dirty_pages(thread=0)",
             "user_add_recent_closed_link(thread=0)", "crash(image=0)", "recover()"]
    u = m.replay([*written, "crash(image=0)", "recover()", *again])[-1]
    assert u.generation == 2 and u.groups == ((52, 56, 0),) and u.pages.on_disk == (56, 0)


def test_restart_needs_a_crash() -> None:
    """``recover`` is enabled only in a crashed state."""
    s = RedoModel(P).init_states()[0]
    assert recover(P, s) is None


def test_max_crashes_validated() -> None:
    """Exploration bound: a negative or non-integer max_crashes is refused, naming it."""
    for bad in (-1, 1.5, True):
        with pytest.raises(ParamsError, match="max_crashes"):
            P.evolve(max_crashes=bad)


@pytest.mark.parametrize("changes", [
    {"max_sn": 8, "max_crashes": 2, "version": "9.0"},
], ids=["two-crashes-9.0"])
def test_generations_explored_exhaustively(changes: dict[str, object]) -> None:
    """RC-1..4 across generations, CP-6: crash -> recover -> more commits -> crash -> recover,
    explored completely on tiny with two groups (8.0 with torn writes: test_recovery.py):
    every invariant (rc_restart_exact on every recovery) holds, no deadlock, SYS-3. (Second
    generations are shown by the replays above; with ``max_sn=12`` two crashes explore
    1,135,033 states, about 5 minutes: a fuzz-sized run, see docs/spec-model.md.)"""
    model = RedoModel(P.evolve(**changes))
    r = explore(model, check_liveness=True)
    assert r.violation is None, r.violation.format()
    assert r.verdict in ("ok", "coverage")
    assert r.actions.get("recover", 0) > 0 and r.actions.get("crash", 0) > 0
