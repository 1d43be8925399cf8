"""Part 1: every crash state the OS may leave (ALICE-style), each recovered and judged.

A threaded workload runs once on a recording :class:`~faults.simdisk.SimDisk`: every write,
fsync, create and rename the log issues is recorded in order, and so is the moment each commit
returned (its acknowledgement). Then, for every crash point k (the state after the first k
operations), the builder makes the disk images a crash at k may leave. For each file, the
writes since its last fsync are *pending*; the OS may have persisted any of them:

* ``none``: every pending write lost (what :class:`impl.faultstore.FaultStore` models);
* ``all``: every pending write persisted (the state after a prefix of all operations);
* ``prefix``: for each file, each prefix of its pending writes (the others all persisted);
* ``drop``: each single pending write lost while the later ones reached the disk (reordering);
* ``torn``: the last write torn at every 512-byte sector boundary inside it, keeping either its
  head or its tail (a disk persists sectors, not writes).

Identical images are checked once. Each state is recovered with :func:`impl.recovery.recover`
under a time bound, the data file is read back, and :func:`faults.common.judge` checks it
against the oracle: every acknowledged commit present and whole, every page exactly the state
after the groups up to the recovered lsn (no group applied partially, nothing after a gap, the
data file matching the log). Requirements: RC-1..RC-4, FL-1, CP-4, CP-6, FMT-10, FMT-11.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Callable, Iterator

import attrs

from faults.common import Deadline, Group, Oracle, Tally, bounded, describe, is_clean, judge
from faults.common import read_pages as read_pages
from faults.simdisk import SECTOR, MemStore, Op, SimDisk
from impl.config import LogConfig
from impl.format import HDR_SIZE, LOG_START_LSN
from impl.records import Record
from impl.recovery import recover
from impl.redolog import RedoLog

N_PAGES = 48


def crash_config(version: str = "8.0", page_size: int = 256) -> LogConfig:
    """Small files (so the log wraps within a few hundred commits) and eager background work
    (so checkpoints and page writes interleave with the commits); 8.0 closer or 9.0 tracker;
    pages of 256 bytes (inside one sector) or 1024 (two sectors: a page write can tear)."""
    return LogConfig.small(file_size=12 * 1024, n_files=2, n_pages=N_PAGES, page_size=page_size,
                           log_buffer_size=4096, write_ahead_size=1024,
                           recent_closed_size=512, checkpoint_every_ms=3,
                           page_cleaner_every_ms=2, max_dirty_pages_pct=20, version=version)


def make_group(rng: random.Random, tag: str, n_pages: int = N_PAGES) -> list[Record]:
    """A random group: one to four whole-page records of 6..120 bytes."""
    pages = rng.sample(range(n_pages), rng.choice([1, 1, 2, 3, 4]))
    return [Record(p, f"{tag}p{p}:".encode().ljust(rng.randint(6, 120), b"#")) for p in pages]


@attrs.define
class Recording:
    """What one recorded run left: its operations and its acknowledgements."""

    ops: list[Op]
    created_at: int  # operations issued by RedoLog.create (before it, no log exists yet)
    acks: list[tuple[int, Group]]  # (operations issued when the commit returned, the group)
    groups: list[Group]


def record_workload(commits: int, threads: int, seed: int,
                    config: LogConfig | None = None) -> Recording:
    """Run ``commits`` durable commits from ``threads`` threads on a recording disk."""
    disk = SimDisk(record=True)
    log = RedoLog.create(disk, config or crash_config())
    created_at = disk.op_count()
    acks: list[tuple[int, Group]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def user(t: int) -> None:
        rng = random.Random(seed * 1000 + t)
        try:
            for i in range(t, commits, threads):
                records = make_group(rng, f"t{t}g{i}")
                end = log.commit(records)
                with lock:
                    acks.append((disk.op_count(), Group(end, tuple(records))))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=user, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    log.close()
    if errors:
        raise errors[0]
    return Recording(list(disk.ops), created_at, acks, [g for _, g in acks])


@attrs.define
class _FState:
    durable: bytearray | None
    size: int
    pending: list[tuple[int, bytes]] = attrs.Factory(list)


Keep = str | tuple[str, int]  # "all", "drop", ("head", n), ("tail", n)


class _Disk:
    """The crash-relevant state after a prefix of the recorded operations."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.files: dict[int, _FState] = {}

    def apply(self, op: Op) -> None:
        if op.kind == "create":
            self.names[op.name] = op.fid
            self.files[op.fid] = _FState(None, op.size)
        elif op.kind == "write":
            self.files[op.fid].pending.append((op.offset, op.data))
        elif op.kind == "fsync":
            st = self.files[op.fid]
            base = st.durable if st.durable is not None else bytearray(st.size)
            for offset, data in st.pending:
                _put(base, offset, data)
            st.durable, st.pending = base, []
        elif op.kind == "fsync_failed":
            self.files[op.fid].pending = []
        elif op.kind == "rename":
            del self.names[op.name]
            self.names[op.new] = op.fid
            st = self.files[op.fid]
            if st.durable is None:
                st.durable = bytearray(st.size)
        elif op.kind == "remove":
            self.names.pop(op.name, None)

    def pending(self) -> list[tuple[int, int]]:
        """(fid, index) of every pending write of a file that exists on disk."""
        return [(fid, j) for fid in sorted(set(self.names.values()))
                for j in range(len(self.files[fid].pending))
                if self.files[fid].durable is not None]

    def image(self, default: str, keep: dict[tuple[int, int], Keep]) -> dict[str, bytearray]:
        out: dict[str, bytearray] = {}
        for name, fid in self.names.items():
            st = self.files[fid]
            if st.durable is None:
                continue
            img = bytearray(st.durable)
            for j, (offset, data) in enumerate(st.pending):
                how = keep.get((fid, j), default)
                if how == "all":
                    _put(img, offset, data)
                elif isinstance(how, tuple) and how[0] == "head":
                    _put(img, offset, data[: how[1]])
                elif isinstance(how, tuple) and how[0] == "tail":
                    _put(img, offset + len(data) - how[1], data[len(data) - how[1]:])
            out[name] = img
        return out


def _put(image: bytearray, offset: int, data: bytes) -> None:
    end = offset + len(data)
    if end > len(image):
        image.extend(bytes(end - len(image)))
    image[offset:end] = data


def _sample(items: list[int], cap: int, rng: random.Random) -> list[int]:
    if len(items) <= cap:
        return items
    return sorted({items[0], items[-1], *rng.sample(items, cap - 2)})


def variants(disk: _Disk, last: Op | None, rng: random.Random,
             cap: int) -> Iterator[tuple[str, dict[str, bytearray]]]:
    """The crash states at one crash point (see the module text), named by kind."""
    yield "none", disk.image("drop", {})
    pending = disk.pending()
    if not pending:
        return
    yield "all", disk.image("all", {})
    by_file: dict[int, list[int]] = {}
    for fid, j in pending:
        by_file.setdefault(fid, []).append(j)
    for fid, js in by_file.items():
        for m in _sample(list(range(len(js))), cap, rng):
            yield "prefix", disk.image("all", {(fid, j): "drop" for j in js if j >= m})
    for i in _sample(list(range(len(pending))), cap, rng):
        yield "drop", disk.image("all", {pending[i]: "drop"})
    if last is not None and last.kind == "write":
        fid = last.fid
        j = len(disk.files[fid].pending) - 1
        if j >= 0 and disk.files[fid].durable is not None:
            start, end = last.offset, last.offset + len(last.data)
            cuts = [b - start for b in range((start // SECTOR + 1) * SECTOR, end, SECTOR)]
            for cut in _sample(cuts, cap * 2, rng) if cuts else []:
                yield "torn", disk.image("all", {(fid, j): ("head", cut)})
                yield "torn", disk.image("all", {(fid, j): ("tail", len(last.data) - cut)})
                yield "torn", disk.image("drop", {(fid, j): ("head", cut)})


def check_state(tally: Tally, where: str, images: dict[str, bytearray], oracle: Oracle,
                acked: list[Group], log_exists: bool, n_pages: int,
                recover_fn: Callable[[MemStore], object] = recover,
                restart: bool = False, config: LogConfig | None = None) -> bool:
    """Recover one crash image (time-bounded) and judge it; False if it is wrong. With
    ``restart``, then also reopen the recovered log and commit once (:func:`restart_check`)."""
    store = MemStore(images)
    status, value = bounded(lambda: recover_fn(store), 20.0)
    if status == "hang":
        tally.fail("hangs", f"{where}: recovery did not finish in 20 s")
        return False
    if status == "error":
        assert isinstance(value, BaseException)
        if not is_clean(value):
            tally.fail("tracebacks", f"{where}: recovery raised {describe(value)}")
            return False
        if not log_exists:
            return True  # the log was still being created: a clean refusal is right
        if acked:
            tally.fail("acknowledged_lost", f"{where}: recovery refused the state "
                       f"({describe(value)}); {len(acked)} acknowledged groups lost")
        else:
            tally.fail("other_failures", f"{where}: recovery refused a state a crash may "
                       f"leave: {describe(value)}")
        return False
    if not log_exists:
        return True
    recovered_lsn = int(getattr(value, "end_lsn"))  # noqa: B009 - recover_fn is generic
    if getattr(value, "torn_pages", None):   # a page write the crash tore, rebuilt from the log
        tally.notes["crash_torn_pages_rebuilt"] = tally.notes.get("crash_torn_pages_rebuilt", 0) + 1
    pages = read_pages(store, n_pages)
    if isinstance(pages, str):
        tally.fail("other_failures", f"{where}: data file unreadable after recovery: {pages}")
        return False
    if not judge(tally, where, oracle, recovered_lsn, pages, acked):
        return False
    return not restart or restart_check(tally, where, store, pages, config or crash_config())


def restart_check(tally: Tally, where: str, store: MemStore,
                  pages: dict[int, tuple[int, bytes]], config: LogConfig) -> bool:
    """After recovery, restart as ``log_start`` does (:meth:`RedoLog.open`, stepped), commit one
    group to page 0, close, recover again: page 0 holds that group, every other page is as the
    first recovery left it (RC-4 after a restart: the resumed log continues the recovered one,
    the scrubbed tail of the crashed run is not taken for new data)."""
    def reopen() -> tuple[int, int]:
        log = RedoLog.open(store, config, threads=False)
        log.run_until_idle()
        end = log.commit([Record(0, b"after-restart")], durable=False)
        log.run_until_idle()
        flushed = log.flushed_to_disk_lsn
        log.close()
        return end, flushed

    status, value = bounded(reopen, 20.0)
    if status != "ok":
        counter = "hangs" if status == "hang" else (
            "tracebacks" if not is_clean(value) else "other_failures")  # type: ignore[arg-type]
        detail = "did not finish" if status == "hang" else f"raised {describe(value)}"  # type: ignore[arg-type]
        tally.fail(counter, f"{where}: RedoLog.open + commit after recovery {detail}")
        return False
    end, flushed = value  # type: ignore[misc]
    again = recover(store)
    after = read_pages(store, len(pages))
    want = dict(pages)
    want[0] = (end, b"after-restart")
    if flushed < end or isinstance(after, str) or after != want or again.end_lsn < end:
        diff = "unreadable" if isinstance(after, str) else sorted(
            p for p in want if after.get(p) != want[p])[:5]
        tally.fail("acknowledged_lost", f"{where}: after a restart and one commit (end {end}), "
                   f"recovery to lsn {again.end_lsn} differs on pages {diff}")
        return False
    tally.notes["crash_restarts_checked"] = tally.notes.get("crash_restarts_checked", 0) + 1
    return True


def run(tally: Tally, *, commits: int, threads: int, seed: int, max_states: int,
        deadline: Deadline, cap: int = 6, progress: Callable[[str], None] | None = None,
        recover_fn: Callable[[MemStore], object] = recover, restart_share: float = 0.25,
        ) -> None:
    """Record one workload and check up to ``max_states`` distinct crash states of it."""
    version = "9.0" if seed % 2 == 0 else "8.0"   # even seeds: the 9.0 tracker design
    page_size = 1024 if seed // 2 % 2 else 256       # seeds 2, 3, 6, 7...: tearable pages
    config = crash_config(version, page_size)
    rec = record_workload(commits, threads, seed, config)
    oracle = Oracle(rec.groups, LOG_START_LSN + HDR_SIZE)
    rng = random.Random(seed)
    disk = _Disk()
    seen: set[bytes] = set()
    acks = sorted(rec.acks, key=lambda a: a[0])
    tally.notes["crash_ops_recorded"] = tally.notes.get("crash_ops_recorded", 0) + len(rec.ops)
    tally.notes["crash_commits"] = tally.notes.get("crash_commits", 0) + len(rec.groups)
    n_acked = 0
    last: Op | None = None
    for k in range(len(rec.ops) + 1):
        if k:
            last = rec.ops[k - 1]
            disk.apply(last)
        while n_acked < len(acks) and acks[n_acked][0] <= k:
            n_acked += 1
        acked = [g for _, g in acks[:n_acked]]
        for kind, images in variants(disk, last, rng, cap):
            digest = hashlib.blake2b(digest_size=16)
            for name in sorted(images):
                digest.update(name.encode() + b"\0" + bytes(images[name]))
            key = digest.digest()
            if key in seen:
                continue
            seen.add(key)
            tally.crash_states += 1
            where = (f"crash state at op {k}/{len(rec.ops)} ({kind}, seed {seed}, {version}, "
                     f"{page_size}-byte pages)")
            # a log exists once ib_logfile0 does (FMT-11: renamed last), even inside create()
            exists = k >= rec.created_at or "ib_logfile0" in images
            check_state(tally, where, images, oracle, acked, exists, N_PAGES,
                        recover_fn, restart=rng.random() < restart_share, config=config)
            if tally.crash_states % 500 == 0 and progress:
                progress(f"faults: crash states: {tally.crash_states} checked "
                         f"(op {k}/{len(rec.ops)}, seed {seed})")
            if len(seen) >= max_states or deadline.expired():
                return
