"""Part 4: damaged files: ``inspect`` and recovery give a clean answer, never a traceback or a
hang, and recovery never applies a block whose checksum or block number is wrong.

Sources: every real MySQL fixture group (``../shared/fixtures`` or ``$REDOSPEC_FIXTURES``) and a
log this project wrote (two ``ib_logfile`` files and the data file, from a workload whose groups
are known). Hypothesis draws a source, a file of it and a list of damages (bit flips, a zeroed
512-byte block, a truncation, appended garbage; offsets biased towards the headers and checkpoint
blocks), applies them to a copy in a temporary directory (never to the originals) and runs:

* :func:`impl.inspect.inspect_path` on the group: a report or :class:`impl.inspect.InspectError`;
* :func:`impl.recovery.recover` on the group: a report or one of the recovery's named errors;

each under a time bound (``hangs``); any other exception is a ``traceback``. For this project's
own log, the recovery report is also checked independently of the reader: every log block from
the checkpoint's block up to the recovered lsn must carry a valid CRC-32C and the hdr_no of its
position (else ``corrupt_blocks_applied``), and every page must hold a state some group wrote.
A failure makes Hypothesis shrink the damage to a minimal example, which is reported.
Requirements: RC-1, RC-2 (the scan stops at a bad checksum or hdr_no), FMT-3, FMT-8, FMT-9.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import crc32c as _crc32c
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hseed
from hypothesis import strategies as st

from faults.common import Deadline, Group, Tally, bounded, describe, is_clean
from faults.crashstates import N_PAGES, crash_config, record_workload
from impl.inspect import InspectError, inspect_path
from impl.logfiles import LogFiles
from impl.recovery import recover
from impl.storage import DirStore

BLOCK = 512
TIME_BOUND_S = 20.0


def fixtures_dir() -> Path:
    """``$REDOSPEC_FIXTURES`` or ``../shared/fixtures`` next to the project."""
    env = os.environ.get("REDOSPEC_FIXTURES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


@attrs.frozen
class Source:
    """One group of files to damage: name -> bytes, and the groups if this project wrote it."""

    label: str
    files: dict[str, bytes] = attrs.field(repr=False)
    groups: tuple[Group, ...] | None = attrs.field(repr=False)


def fixture_sources(root: Path | None = None) -> list[Source]:
    """Every directory of the fixtures folder that holds files, as one source each."""
    root = root or fixtures_dir()
    out = []
    if root.is_dir():
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            files = {f.name: f.read_bytes() for f in sorted(sub.iterdir()) if f.is_file()}
            if files:
                out.append(Source(sub.name, files, None))
    return out


def own_source(seed: int, commits: int = 200, *, wrapped: bool = True) -> Source:
    """A log this project wrote, with the groups that went into it. ``wrapped``: small files
    the log wrapped around several times (older laps' blocks behind the head); else larger
    files with the whole log after the first checkpoint (a long stretch for recovery to read).
    """
    config = attrs.evolve(crash_config(), checkpoint_every_ms=60_000,
                          page_cleaner_every_ms=60_000, max_dirty_pages_pct=100,
                          file_size=12 * 1024 if wrapped else 64 * 1024)
    rec = record_workload(commits, 2, seed, config)
    images = _replay_images(rec.ops)
    label = f"own-{'wrapped' if wrapped else 'long'}-log-seed{seed}"
    return Source(label, images, tuple(rec.groups))


def _replay_images(ops: list[Any]) -> dict[str, bytes]:
    """The files after every recorded operation (the log was closed cleanly)."""
    files: dict[int, bytearray] = {}
    names: dict[str, int] = {}
    for op in ops:
        if op.kind == "create":
            files[op.fid] = bytearray(op.size)
            names[op.name] = op.fid
        elif op.kind == "write":
            img = files[op.fid]
            end = op.offset + len(op.data)
            if end > len(img):
                img.extend(bytes(end - len(img)))
            img[op.offset:end] = op.data
        elif op.kind == "rename":
            names[op.new] = names.pop(op.name)
        elif op.kind == "remove":
            names.pop(op.name, None)
    return {name: bytes(files[fid]) for name, fid in names.items()}


Damage = tuple[Any, ...]


def apply_damage(data: bytes, damages: list[Damage]) -> bytes:
    """Apply each damage in order; offsets are taken modulo the current size."""
    buf = bytearray(data)
    for d in damages:
        kind = d[0]
        if kind == "flip" and buf:
            pos = d[1] % len(buf)
            buf[pos] ^= 1 << d[2]
        elif kind == "zero" and buf:
            start = (d[1] % len(buf)) // BLOCK * BLOCK
            buf[start:start + BLOCK] = bytes(len(buf[start:start + BLOCK]))
        elif kind == "truncate":
            del buf[d[1] % (len(buf) + 1):]
        elif kind == "append":
            buf += d[1]
    return bytes(buf)


def _offsets() -> st.SearchStrategy[int]:
    # headers and checkpoint blocks (0..4095), the first data blocks, or anywhere
    return st.one_of(st.integers(0, 4095), st.integers(2048, 16383), st.integers(0, 2**31))


DAMAGE = st.one_of(
    st.tuples(st.just("flip"), _offsets(), st.integers(0, 7)),
    st.tuples(st.just("zero"), _offsets()),
    st.tuples(st.just("truncate"), _offsets()),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=1024)),
)


def _block_ok(block: bytes, lsn: int) -> bool:
    """Checked here, not by the reader: CRC-32C of bytes 0..507 and hdr_no of the position."""
    if len(block) != BLOCK:
        return False
    hdr_no = int.from_bytes(block[0:4], "big") & 0x7FFFFFFF
    stored = int.from_bytes(block[508:512], "big")
    return hdr_no == (lsn // BLOCK) % (1 << 30) + 1 and stored == _crc32c.crc32c(block[:508])


def check_applied(directory: Path, report: Any, source: Source) -> str | None:
    """Why the recovery of this project's damaged log applied something it must not, or None."""
    store = DirStore(directory)
    try:
        files = LogFiles.open(store)
        # the blocks whose bytes recovery used: from the checkpoint's block to the end of the
        # last group it recovered (none if it recovered nothing after the checkpoint: the
        # checkpoint's own block may then be damaged, its data is in the data file already)
        cp_lsn = int(report.checkpoint.lsn)
        end = int(report.end_lsn)
        lsn = cp_lsn // BLOCK * BLOCK if end > cp_lsn else end
        while lsn < end:
            block = files.read(lsn, BLOCK)
            if not _block_ok(block, lsn):
                return (f"recovered up to lsn {end} through the block at lsn {lsn}, whose "
                        f"checksum or hdr_no is wrong")
            lsn += BLOCK
    finally:
        store.close()
    legal: dict[int, set[tuple[int, bytes]]] = {}
    for g in source.groups or ():
        for r in g.records:
            legal.setdefault(r.page_no, set()).add((g.end_lsn, r.payload))
    for page_no, state in report.pages.items():
        if page_no >= N_PAGES or state == (0, b"") or page_no in report.torn_pages:
            continue
        if state not in legal.get(page_no, set()):
            return f"page {page_no} holds lsn {state[0]} {state[1][:20]!r}, which no group wrote"
    return None


def _note(tally: Tally, key: str) -> None:
    with tally.lock:
        tally.notes[key] = tally.notes.get(key, 0) + 1


class DamageFailure(AssertionError):
    """A damaged file made inspect or recovery misbehave (Hypothesis shrinks it)."""

    def __init__(self, counter: str, detail: str) -> None:
        super().__init__(f"{counter}: {detail}")
        self.counter = counter
        self.detail = detail


def try_damage(tally: Tally, workdir: Path, source: Source, target: str,
               damages: list[Damage],
               recover_fn: Callable[[Path], Any] = recover) -> None:
    """Damage one file of a copy of ``source``; raise :class:`DamageFailure` if anything is
    wrong (see the module text)."""
    directory = Path(tempfile.mkdtemp(dir=workdir))
    try:
        for name, data in source.files.items():
            content = apply_damage(data, damages) if name == target else data
            (directory / name).write_bytes(content)
        tally.damaged_files_tried += 1
        where = f"{source.label}/{target} damaged by {damages!r}"
        status, value = bounded(lambda: inspect_path(directory), TIME_BOUND_S)
        if status == "hang":
            raise DamageFailure("hangs", f"inspect of {where} did not finish")
        if status == "error" and not isinstance(value, InspectError):
            assert isinstance(value, BaseException)
            raise DamageFailure("tracebacks", f"inspect of {where} raised {describe(value)}")
        status, value = bounded(lambda: recover_fn(directory), TIME_BOUND_S)
        if status == "hang":
            raise DamageFailure("hangs", f"recovery of {where} did not finish")
        if status == "error":
            assert isinstance(value, BaseException)
            if not is_clean(value):
                raise DamageFailure("tracebacks", f"recovery of {where} raised "
                                    f"{describe(value)}")
            _note(tally, "damage_recovery_clean_errors")
            return
        _note(tally, "damage_recovery_ok")
        if source.groups is not None:
            why = check_applied(directory, value, source)
            if why:
                raise DamageFailure("corrupt_blocks_applied", f"{where}: {why}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run(tally: Tally, *, examples: int, seed: int, deadline: Deadline, workdir: Path,
        sources: list[Source] | None = None,
        recover_fn: Callable[[Path], Any] = recover,
        progress: Callable[[str], None] | None = None) -> None:
    """Let Hypothesis try up to ``examples`` damaged files; report a shrunk failure."""
    if sources is None:
        sources = [*fixture_sources(), own_source(seed), own_source(seed, wrapped=False)]
        tally.notes["damage_sources"] = [s.label for s in sources]
    if not sources:
        return
    workdir.mkdir(parents=True, exist_ok=True)
    # drawn by name ("source/file"): Hypothesis then prints a short falsifying example
    targets = {f"{s.label}/{name}": (s, name) for s in sources for name in sorted(s.files)}

    def chunk(chunk_seed: int, n: int) -> None:
        @hseed(chunk_seed)
        @settings(max_examples=n, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), print_blob=False)
        @given(pick=st.sampled_from(sorted(targets)),
               damages=st.lists(DAMAGE, min_size=1, max_size=4))
        def damaged(pick: str, damages: list[Damage]) -> None:
            if deadline.expired():
                return
            source, name = targets[pick]
            try_damage(tally, workdir, source, name, damages, recover_fn)
            if progress and tally.damaged_files_tried % 500 == 0:
                progress(f"faults: damaged files: {tally.damaged_files_tried} tried")

        damaged()

    # in chunks of at most 250 examples (each its own seed), so that a time budget ends the run
    # without Hypothesis generating the rest of ``examples`` for nothing
    done = 0
    while done < examples and not deadline.expired():
        n = min(250, examples - done)
        try:
            chunk(seed * 1_000_003 + done, n)
        except DamageFailure as exc:   # already shrunk by Hypothesis to a minimal damage
            tally.fail(exc.counter, f"(shrunk by Hypothesis) {exc.detail}")
            return
        done += n
