"""The checkpointer (CP-2..CP-5, CP-7, FMT-10) in stepped mode.

The shared lsn values are set by hand to the situations of facts §7.1; expected values are
computed from that text (order lag L = recent_closed_size)."""

from __future__ import annotations

from impl.config import LogConfig
from impl.datafile import DataFile
from impl.faultstore import FaultStore
from impl.records import Record, encode_group
from impl.recovery import recover
from impl.redolog import RedoLog

L = 1024


def make(**changes: object) -> tuple[FaultStore, RedoLog]:
    store = FaultStore()
    cfg = LogConfig.small(recent_closed_size=L, n_flush_lists=2, **changes)  # type: ignore[arg-type]
    return store, RedoLog.create(store, cfg, threads=False)


def situation(log: RedoLog, *, dpa: int, flushed: int, dirty: list[tuple[int, int, int]]) -> None:
    """dirty: (page_no, oldest_modification, newest_modification) in the order added."""
    log.recent_closed.tail = dpa
    log.write_lsn = log.flushed_to_disk_lsn = flushed
    for page, oldest, newest in dirty:
        log.bufpool.add_dirty_pages(oldest, newest, [log_record(page)])


def log_record(page: int) -> Record:
    return Record(page, b"p")


def test_without_dirty_pages_it_is_the_added_lsn_capped_by_the_flushed_lsn() -> None:
    """CP-2: no dirty pages -> dpa; CP-7: capped at flushed_to_disk_lsn."""
    _, log = make()
    situation(log, dpa=9000, flushed=8800, dirty=[])
    assert log.checkpointer.compute_available() == 8800
    situation(log, dpa=9000, flushed=9100, dirty=[])
    assert log.checkpointer.compute_available() == 9000


def test_a_block_boundary_moves_back_to_the_previous_blocks_first_data_byte() -> None:
    """CP-7: lsn % 512 == 0 -> lsn - 512 + 12."""
    _, log = make()
    situation(log, dpa=9500, flushed=9216, dirty=[])
    assert log.checkpointer.compute_available() == 9216 - 512 + 12


def test_dirty_pages_bound_it_by_the_earliest_added_page_minus_the_lag() -> None:
    """CP-2, CP-3: min over lists of the *earliest-added* page's oldest_modification, minus L;
    a later-added page with a smaller oldest_modification (within the lag) does not count."""
    _, log = make()
    situation(log, dpa=20000, flushed=30000,
              dirty=[(0, 12000, 12100), (2, 11500, 11600), (1, 13000, 13100)])
    # list 0 holds pages 0 then 2 (first: 12000); list 1 holds page 1 (13000)
    assert log.checkpointer.compute_available() == 12000 - L


def test_an_oldest_lsn_within_the_lag_keeps_the_last_checkpoint() -> None:
    """facts §7.1 step 2: approx <= L -> lwm = last checkpoint."""
    store = FaultStore()
    log = RedoLog.create(store, LogConfig.small(recent_closed_size=16384), threads=False)
    situation(log, dpa=20000, flushed=30000, dirty=[(0, 12000, 12100)])
    assert log.checkpointer.compute_available() == log.checkpoint_lsn == 8204


def test_never_below_the_last_checkpoint() -> None:
    """CP-4: checkpoint_lsn never goes backwards."""
    _, log = make()
    log.checkpoint_lsn = 11000
    situation(log, dpa=20000, flushed=30000, dirty=[(0, 11500, 11600)])
    assert log.checkpointer.compute_available() == 11000


def test_checkpoints_alternate_blocks_and_publish_only_after_the_fsync() -> None:
    """FMT-10, decision 9: number 1 -> block 2 (offset 1536), number 2 -> block 1 (512);
    checkpoint_lsn moves only in the sync step."""
    store, log = make()
    situation(log, dpa=9000, flushed=9000, dirty=[])
    assert log.checkpointer.update_available()
    assert log.available_for_checkpoint_lsn == 9000
    assert log.checkpointer.write_checkpoint()
    assert log.checkpoint_lsn == 8204  # not yet
    assert not log.checkpointer.write_checkpoint()  # one at a time
    raw = store.read("ib_logfile0", 1536, 512)
    assert int.from_bytes(raw[0:8], "big") == 1 and int.from_bytes(raw[8:16], "big") == 9000
    assert log.checkpointer.sync_checkpoint()
    assert log.checkpoint_lsn == 9000 and log.next_checkpoint_no == 2
    situation(log, dpa=9100, flushed=9100, dirty=[])
    assert log.checkpointer.step()
    raw = store.read("ib_logfile0", 512, 512)
    assert int.from_bytes(raw[0:8], "big") == 2 and int.from_bytes(raw[8:16], "big") == 9100


def test_the_data_file_is_synced_before_the_checkpoint_passes_a_page_write() -> None:
    """CP-6 with CP-4: a page the cleaner wrote is durable before a checkpoint goes past it."""
    store, log = make()
    records = [Record(3, b"page three")]
    data = encode_group(records)
    h = log.user_reserve(len(data))
    assert log.user_copy_to_log_buffer(h, data)
    log.user_set_first_rec_group(h)
    assert log.user_add_recent_written_link(h)
    assert log.user_add_dirty_pages(h, records)
    assert log.user_add_recent_closed_link(h)
    assert log.page_cleaner.step() is False  # CP-6: the log is not flushed yet
    while log.writer.step():
        pass
    log.flusher.step()
    assert log.page_cleaner.step()
    assert log.bufpool.n_dirty() == 0
    assert log.closer is not None and log.closer.step()
    assert log.checkpointer.step()
    assert log.checkpoint_lsn == h.end_lsn  # past the group: recovery will not replay it
    crashed = store.crash()
    assert DataFile.open(crashed).read_page(3) == (h.end_lsn, b"page three")
    report = recover(crashed)
    assert report.groups_applied == 0 and report.pages[3] == (h.end_lsn, b"page three")
