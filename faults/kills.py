"""Part 3: real process kills: SIGKILL a threaded ``redospec workload`` and check what it acked.

Each round starts ``python -m impl workload --dir D --threads N --groups <many> --ack-file A``
in a child process: real files, real fsync, many user threads. The child appends one line per
commit to A as soon as the commit returns (it is durable then). At a random moment after its
first acknowledgement the parent sends SIGKILL, then (in this process):

1. recovers D with :func:`impl.recovery.recover` under a time bound (``hangs``; a traceback is
   ``tracebacks``; a clean refusal with acknowledgements streamed is ``acknowledged_lost``);
2. checks every streamed acknowledgement against the recovered data file: the group's end lsn
   is at or below the recovered lsn and each of its pages holds that group's record or a newer
   one (``acknowledged_lost``); no page is newer than the recovered lsn and every page holds a
   record the workload could have written to *that* page (``partial_groups_applied``);
3. reopens the log with :meth:`RedoLog.open` (``log_start`` after a crash), commits one more
   group, closes, recovers again and checks that group (a restart after a kill must work).

A kill is SIGKILL, not a power failure: the page cache survives it, so this part checks the
process's own ordering (what it acknowledged before it wrote and synced), with real threads and
real files. Power failures are parts 1 and 2. Requirements: RC-1..RC-4, FL-1, USR-6.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from faults.common import Deadline, Tally, bounded, describe, is_clean
from impl.datafile import DataFile
from impl.records import Record
from impl.recovery import recover
from impl.redolog import RedoLog

_PAYLOAD = re.compile(rb"^t\d+g\d+p(\d+):")


def read_acks(path: Path) -> list[tuple[int, list[tuple[int, bytes]]]]:
    """The acknowledgements a killed child streamed (a last, cut line is ignored)."""
    acks = []
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        acks.append((int(item["end"]),
                     [(int(p), str(v).encode("latin-1")) for p, v in item["records"]]))
    return acks


def _pages(directory: Path) -> dict[int, tuple[int, bytes]]:
    from impl.storage import DirStore

    store = DirStore(directory)
    try:
        datafile = DataFile.open(store)
        return {p: datafile.read_page(p) for p in range(datafile.n_pages)}
    finally:
        store.close()


def judge_kill(tally: Tally, where: str, directory: Path,
               acks: list[tuple[int, list[tuple[int, bytes]]]]) -> bool:
    """Recover ``directory`` and check the streamed acknowledgements (steps 1 and 2)."""
    status, value = bounded(lambda: recover(directory), 60.0)
    if status == "hang":
        tally.fail("hangs", f"{where}: recovery did not finish in 60 s")
        return False
    if status == "error":
        assert isinstance(value, BaseException)
        if not is_clean(value):
            tally.fail("tracebacks", f"{where}: recovery raised {describe(value)}")
        elif acks:
            tally.fail("acknowledged_lost", f"{where}: recovery refused the log "
                       f"({describe(value)}) after {len(acks)} acknowledgements")
        else:
            return True  # killed while the log was being created; nothing acknowledged
        return False
    recovered = int(getattr(value, "end_lsn"))  # noqa: B009
    pages = _pages(directory)
    lost = [end for end, _ in acks if end > recovered]
    if lost:
        tally.fail("acknowledged_lost", f"{where}: {len(lost)} acknowledged groups end after "
                   f"the recovered lsn {recovered} (first {min(lost)})")
        return False
    for end, records in acks:
        for page_no, payload in records:
            got_lsn, got = pages.get(page_no, (0, b""))
            if got_lsn < end or (got_lsn == end and got != payload):
                tally.fail("acknowledged_lost", f"{where}: page {page_no} holds lsn {got_lsn}, "
                           f"older than the acknowledged group ending at {end}")
                return False
    for page_no, (lsn, payload) in pages.items():
        m = _PAYLOAD.match(payload)
        if lsn > recovered or (lsn and (m is None or int(m.group(1)) != page_no)):
            tally.fail("partial_groups_applied", f"{where}: page {page_no} holds lsn {lsn} "
                       f"({payload[:20]!r}) after recovery to lsn {recovered}")
            return False
    return True


def restart(tally: Tally, where: str, directory: Path) -> None:
    """Step 3: reopen after the kill, commit one group, close, recover, check it."""
    def reopen() -> int:
        with RedoLog.open(directory) as log:
            return log.commit([Record(0, b"after-restart")])

    status, value = bounded(reopen, 60.0)
    if status == "hang":
        tally.fail("hangs", f"{where}: RedoLog.open + commit after the kill did not finish")
        return
    if status == "error":
        assert isinstance(value, BaseException)
        tally.fail("tracebacks" if not is_clean(value) else "other_failures",
                   f"{where}: RedoLog.open after the kill raised {describe(value)}")
        return
    end = int(value)  # type: ignore[arg-type]
    recover(directory)
    lsn, payload = _pages(directory)[0]
    if lsn != end or payload != b"after-restart":
        tally.fail("acknowledged_lost", f"{where}: the group committed after the restart "
                   f"(end {end}) is not on page 0 after recovery (lsn {lsn})")


def one_kill(tally: Tally, workdir: Path, index: int, rng: random.Random, *, threads: int,
             max_delay: float) -> bool:
    """Run, kill, recover and judge one child; True if it was killed while working."""
    directory = workdir / f"kill{index}"
    acks_path = workdir / f"kill{index}.acks"
    seed = rng.randrange(2**31)
    cmd = [sys.executable, "-m", "impl", "workload", "--dir", str(directory), "--threads",
           str(threads), "--groups", "10000000", "--seed", str(seed), "--ack-file",
           str(acks_path), "--version", "9.0" if index % 2 else "8.0"]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    where = f"kill {index} (seed {seed}, {threads} threads, version {cmd[-1]})"
    alive = False
    try:
        started = time.monotonic()
        while not (acks_path.exists() and acks_path.stat().st_size) and child.poll() is None:
            if time.monotonic() - started > 60:
                tally.fail("hangs", f"{where}: the child acknowledged nothing in 60 s")
                return False
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, max_delay))
        alive = child.poll() is None
    finally:   # also on Ctrl-C: never leave the child running
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
    if not alive:
        tally.fail("other_failures", f"{where}: the child exited by itself "
                   f"(status {child.returncode}) before the kill")
        return False
    acks = read_acks(acks_path)
    tally.notes["kill_acks_checked"] = tally.notes.get("kill_acks_checked", 0) + len(acks)
    if judge_kill(tally, where, directory, acks):
        restart(tally, where, directory)
    shutil.rmtree(directory, ignore_errors=True)
    acks_path.unlink(missing_ok=True)
    return True


def run(tally: Tally, *, kills: int, threads: int, seed: int, deadline: Deadline,
        workdir: Path, max_delay: float = 1.5,
        progress: Callable[[str], None] | None = None) -> None:
    """Up to ``kills`` rounds of run-kill-recover-check."""
    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    for i in range(kills):
        if deadline.expired():
            return
        if one_kill(tally, workdir, i, rng, threads=threads, max_delay=max_delay):
            tally.process_kills += 1
        if progress and (i + 1) % 10 == 0:
            progress(f"faults: process kills: {tally.process_kills} "
                     f"({tally.notes.get('kill_acks_checked', 0)} acknowledgements checked)")
