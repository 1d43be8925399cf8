"""The optional trace: every step, atomically with its effect, in the spec's words.

The threaded test replays the trace of a real run and checks that the recorded values chain:
each write_lsn / flushed_to_disk_lsn / ready lsn / reservation starts where the previous event
of its kind ended (so no effect happened between an event's read and its record), links are
traversed only after they were added (LNK-5), a flush never claims more than the writes before
it in the trace (FL-1), and a checkpoint never exceeds the flushed lsn before it (CP-4)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from impl.config import LogConfig
from impl.faultstore import FaultStore
from impl.records import Record, encode_group
from impl.redolog import RedoLog

SPEC_ACTIONS = {
    "user_reserve", "user_copy_to_log_buffer", "user_set_first_rec_group",
    "user_add_recent_written_link", "user_add_dirty_pages", "user_add_recent_closed_link",
    "user_report_added", "user_wait_reset_event", "user_wait_check", "user_wait_wake",
    "writer_traverse_links", "writer_write", "flusher_fsync", "write_notifier_notify_slots",
    "flush_notifier_notify_slots", "closer_traverse_links", "checkpointer_ask_smallest_not_added",
    "user_wait_to_add",
    "checkpointer_update_available", "checkpointer_write_checkpoint",
    "checkpointer_sync_checkpoint", "page_cleaner_flush_page",
}


def test_stepped_trace_names_and_values() -> None:
    """Events carry the spec's action names and the lsn values read and written."""
    log = RedoLog.create(FaultStore(), LogConfig.small(), threads=False, trace=True)
    records = [Record(1, b"abc")]
    data = encode_group(records)
    h = log.user_reserve(len(data), thread="u0")
    log.user_copy_to_log_buffer(h, data, thread="u0")
    log.user_add_recent_written_link(h, thread="u0")
    log.user_add_dirty_pages(h, records, thread="u0")
    log.user_add_recent_closed_link(h, thread="u0")
    log.run_until_idle()
    assert log.trace is not None
    events = log.trace.snapshot()
    assert [e.seq for e in events] == list(range(len(events)))
    assert {e.action for e in events} <= SPEC_ACTIONS
    first = events[0]
    assert (first.actor, first.action) == ("user:u0", "user_reserve")
    assert first.values["current_lsn"] == (8204, h.end_lsn)
    (write,) = log.trace.of("writer_write")
    assert write.values["write_lsn"] == (8204, h.end_lsn)
    (fsync,) = log.trace.of("flusher_fsync")
    assert fsync.values["flushed_to_disk_lsn"] == (8204, h.end_lsn)
    json.dumps([e.to_json() for e in events])  # serialisable for conformance
    assert not log.trace.of("user_wait_check")  # steps that did nothing are not recorded


def _chain(events: list, field: str) -> None:  # type: ignore[type-arg]
    previous = None
    for e in events:
        old, new = e.values[field]
        assert old < new, e
        if previous is not None:
            assert old == previous, f"{field}: {e} does not start where the last one ended"
        previous = new


def test_threaded_trace_replays_consistently(tmp_path: Path) -> None:
    """LNK-5, FL-1, CP-4, CP-6: the trace of a threaded run replays consistently."""
    log = RedoLog.create(tmp_path, LogConfig(file_size=128 * 1024, n_pages=16,
                                             checkpoint_every_ms=2, page_cleaner_every_ms=2,
                                             max_dirty_pages_pct=10), trace=True)

    def user(t: int) -> None:
        for i in range(25):
            log.commit([Record((t + i) % 16, f"{t}.{i}".encode() * (i % 5 + 1))], thread=t)

    threads = [threading.Thread(target=user, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    log.close()
    assert log.trace is not None
    events = log.trace.snapshot()
    assert {e.action for e in events} <= SPEC_ACTIONS
    by = {a: [e for e in events if e.action == a] for a in SPEC_ACTIONS}
    _chain(by["user_reserve"], "current_lsn")
    _chain(by["writer_write"], "write_lsn")
    _chain(by["writer_traverse_links"], "buf_ready_for_write_lsn")
    _chain(by["flusher_fsync"], "flushed_to_disk_lsn")
    _chain(by["closer_traverse_links"], "dirty_pages_added_up_to_lsn")
    # replay: state as the trace says it evolved
    links: dict[int, int] = {}
    write_lsn = flushed = 8204
    for e in events:
        v = e.values
        if e.action == "user_add_recent_written_link":
            links[v["start_lsn"]] = v["end_lsn"]
        elif e.action == "writer_traverse_links":
            pos, new = v["buf_ready_for_write_lsn"]
            while pos < new:  # LNK-5: only links already added are traversed
                assert pos in links, f"traversed {pos} before its link was added: {e}"
                pos = links[pos]
            assert pos == new
        elif e.action == "writer_write":
            write_lsn = v["write_lsn"][1]
        elif e.action == "flusher_fsync":
            assert v["flushed_to_disk_lsn"][1] <= write_lsn  # FL-1
            flushed = v["flushed_to_disk_lsn"][1]
        elif e.action == "checkpointer_write_checkpoint":
            assert v["checkpoint_lsn_written"] <= flushed  # CP-4
        elif e.action == "page_cleaner_flush_page":
            assert v["newest_modification"] <= flushed  # CP-6
    assert len(by["user_reserve"]) == 100 and by["flusher_fsync"]
    # every user step is named after the spec's thread argument given to commit()
    users = {e.actor for e in events if e.actor.startswith("user:")}
    assert users == {"user:0", "user:1", "user:2", "user:3"}
