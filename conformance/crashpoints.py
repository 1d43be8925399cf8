"""Crashes inside an action: crash at every I/O point of a step, with torn and corrupted images.

The ``crash`` check crashes only *between* the stepped machine's atomic steps. Here
(:class:`CrashPointMachine`, the check ``crashpoints``) a step that does I/O (``writer_write``,
``flusher_fsync``, ``checkpointer_write_checkpoint``, ``checkpointer_sync_checkpoint``,
``page_cleaner_flush_page``) may be stopped at its k-th *crash point*: before any store
operation that changes the disk (``write``, ``fsync``, ``create``, ``rename``, ``remove``) or
at any of the implementation's named sync points (``log_flush_before_flushed_to_disk_lsn``,
``log_before_checkpoint_lsn_update``, ``log_writer_before_lsn_update``, ...). So the crash lands
between the writes of one writer round, between each file's fsync and the publication of
flushed_to_disk_lsn, between writing and syncing a checkpoint, between a page write and its
sync. The step is not applied to the spec: the implementation stopped inside it.

The disk a crash leaves is built from the fault store's two images of each file (the durable
one, and the page cache): every 512-byte sector that differs is an unsynced write that may or
may not have reached the disk. The image kinds (:data:`IMAGE_KINDS`, drawn by Hypothesis):

``lost``
    every unsynced sector lost (the plain crash);
``subset``
    each unsynced sector independently persisted or not: a multi-block write torn at sector
    granularity, and writes reordered by the disk;
``partial``
    as ``subset``, and one unsynced sector written only partly (a byte prefix): a partially
    written block or data page;
``bitflip``
    as ``subset``, and one bit flipped in a log block past the acknowledged log (a corrupted
    block of an in-flight write);
``stale``
    as ``subset``, and a log block past the acknowledged log replaced by a well-formed block
    of the previous lap of the circular files (valid checksum, hdr_no of ``lsn - capacity``).

What must hold, checked against the *durable acknowledgement record* (the values the
implementation had published when it stopped), independently of the implementation's recovery:

* RC-1, FMT-10, CP-4: the checkpoint recovery uses is the valid block with the larger
  checkpoint_no, and it is at or past the published checkpoint_lsn (a checkpoint is published
  only once durable; the writer's capacity limit, WR-9, trusts it);
* FL-1, RC-4: the image holds valid log up to at least the published flushed_to_disk_lsn
  (``G``, the end of the valid log: the scan rules of RC-2 applied to the image here);
* RC-2, RC-4: recovery succeeds and the pages are exactly the state after the groups that end
  at or before ``G`` - every group at or below flushed_to_disk_lsn survives, each whole, and
  nothing at or after a rejected block (bad checksum, wrong hdr_no, a gap) is applied;
* for the images the spec can express (``lost``, ``subset``: whole blocks), the
  implementation's recovery agrees with :func:`spec.crash.recover_image` of the abstracted
  image (the same comparison as the ``crash`` check).
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from conformance import recovery_compare
from conformance.abstraction import GROUP_OVERHEAD, _checkpoint_block, abstract_files
from conformance.checks import ConformanceFailure, reports
from conformance.report import LIVE
from conformance.stepped import SteppedMachine, _settings, record_steps
from impl.datafile import DataFile, PageCorrupt
from impl.faultstore import FaultStore
from impl.format import (
    BLOCK_SIZE,
    CHECKPOINT_1,
    CHECKPOINT_2,
    DATA_SIZE,
    FILE_HDR_SIZE,
    FLUSH_BIT,
    HDR_SIZE,
    TRAILER_OFFSET,
    block_checksum_ok,
    block_no,
    seal_block,
    set_first_rec_group,
    write_block_header,
)
from impl.logfiles import decode_checkpoint, file_name
from impl.records import Record, encode_group
from impl.recovery import DATA_FILE
from impl.recovery import recover as impl_recover
from spec import crash as spec_crash
from spec.lsn import lsn_to_sn as spec_lsn_to_sn
from spec.lsn import sn_to_lsn as spec_sn_to_lsn

SECTOR = 512

IO_ACTIONS = ("writer_write", "flusher_fsync", "checkpointer_write_checkpoint",
              "checkpointer_sync_checkpoint", "page_cleaner_flush_page")
"""The spec actions whose implementation steps do I/O: where a crash inside a step can land."""

IO_OPS = frozenset({"write", "fsync", "create", "rename", "remove"})
"""Store operations that are crash points (reads change nothing on disk)."""

IMAGE_KINDS = ("lost", "subset", "partial", "bitflip", "stale")
"""The kinds of crash image (module docstring)."""

SPEC_KINDS = frozenset({"lost", "subset"})
"""Images made of whole blocks the implementation wrote: the spec's recover_image applies."""



class _Crash(Exception):
    """The machine stopped the implementation at the chosen crash point."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _sectors(a: bytes | bytearray, b: bytes | bytearray) -> list[int]:
    """Offsets of the 512-byte sectors where ``a`` and ``b`` differ."""
    n = max(len(a), len(b))
    return [off for off in range(0, n, SECTOR) if a[off:off + SECTOR] != b[off:off + SECTOR]]


class CrashPointMachine(SteppedMachine):
    """The stepped machine, with crashes inside the I/O steps (see the module docstring)."""

    check_name = "crashpoints"
    min_steps_before_crash = 10**9  # plain crashes between steps are the crash check's business
    crash_after = 6
    """Steps since the log was created before a crash inside a step is offered."""

    def __init__(self) -> None:
        self._crash_at: int | None = None
        self._points_seen = 0
        self._target: str | None = None
        super().__init__()

    # --------------------------------------------------------------------------- crash points
    def _impl(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an implementation step; with a crash pending, stop it at the chosen point."""
        if self._crash_at is None:
            return super()._impl(what, fn, *args, **kwargs)
        store, log = self.store, self.log

        def point(where: str) -> None:
            if self._crash_at is not None and self._points_seen >= self._crash_at:
                self._crash_at = None
                raise _Crash(where)
            self._points_seen += 1

        def on_io(op: str, name: str, offset: int, length: int) -> None:
            if op in IO_OPS:
                point(f"{op} {name}@{offset}")

        store.on_io = on_io
        log.sync_point_hook = point
        try:
            return super()._impl(what, fn, *args, **kwargs)
        except ConformanceFailure as exc:
            cause = exc.__cause__
            if isinstance(cause, _Crash):
                raise cause from None
            raise
        finally:
            store.on_io = None
            log.sync_point_hook = None

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """Either an ordinary step (the stepped machine's), or an I/O step stopped at its k-th
        crash point followed by recovery of a crash image (the module docstring)."""
        if self._target is None:
            # half the runs crash only inside a checkpoint's sync, which takes a checkpoint
            # write first and so is rarely reached otherwise
            self._target = data.draw(st.sampled_from(["any", "checkpointer_sync_checkpoint"]),
                                     label="crash in")
        kinds = self._kinds()
        if (self._target != "any" and "checkpointer_write_checkpoint" in kinds
                and data.draw(st.booleans(), label="write a checkpoint now")):
            # runs that crash in a checkpoint's sync take checkpoints when they can
            self.checkpointer_write_checkpoint(self.enabled("checkpointer_write_checkpoint")[0])
            return
        io_kinds = [k for k in kinds if k in IO_ACTIONS and self._target in ("any", k)]
        checkpointing = any(k.startswith("checkpointer") for k in io_kinds)
        if (self.steps >= self.crash_after and io_kinds
                and (data.draw(st.integers(0, 3), label="crash inside the next I/O step") == 0
                     or (checkpointing and data.draw(st.booleans(), label="crash checkpoint")))):
            # one seed for where to crash: uniform over actions, labels and crash points
            # (Hypothesis' integer draws favour 0, which is the sync point before the first I/O)
            # mixed with where the run is, so that the small seeds Hypothesis favours still
            # spread (deterministic: a failure replays)
            seed = data.draw(st.integers(0, 2**32 - 1), label="crash seed")
            rng = random.Random(f"{seed}:{self.steps}:{int(self.log.write_lsn)}")
            # checkpoints are rarer than writes: crash in one whenever one may run
            kind = rng.choice([k for k in io_kinds if k.startswith("checkpointer")] or io_kinds)
            label = rng.choice(self.enabled(kind))
            # writer and flusher steps have up to 5 crash points, the others 2 or 3
            self._crash_at = rng.randrange(5 if kind in IO_ACTIONS[:2] else 3)
            self._points_seen = 0
            self.done.append(f"{label} [crashes at its crash point {self._crash_at}]")
            try:
                self.perform(label)
            except _Crash as crash:
                self._crash_at = None
                LIVE.crash_points[f"{kind}@{crash.where.split(' ')[0]}"] += 1
                try:
                    self._check_crash_images(data, rng, kind, crash.where)
                except ConformanceFailure as exc:
                    record_steps(exc, [*self.done, f"crash at {crash.where}: images checked"])
                    raise
                self._fresh()
                return
            self._crash_at = None  # the step had fewer crash points: it completed
            return
        super().step(data)

    # --------------------------------------------------------------------------- images
    def _file_pairs(self) -> dict[str, tuple[bytes, bytes]]:
        """name -> (durable image, page-cache image) of every file that exists on disk."""
        store: FaultStore = self.store
        pairs = {}
        for name in store.names():
            durable = store.durable_bytes(name)
            if durable is None:
                continue
            pairs[name] = (durable, store.read(name, 0, store.size(name)))
        return pairs

    def _block_position(self, lsn: int) -> tuple[str, int]:
        name, offset = self.log.files.position(lsn)
        return str(name), int(offset)

    def _make_image(self, data: st.DataObject, kind: str, flushed: int) -> tuple[
            dict[str, bytearray], str]:
        """The files a crash leaves, of the given kind; and what was done to them (words)."""
        pairs = self._file_pairs()
        image = {name: bytearray(durable) for name, (durable, _) in pairs.items()}
        rng = random.Random(f"{data.draw(st.integers(0, 2**32 - 1), label='image seed')}:"
                            f"{kind}:{flushed}:{int(self.log.write_lsn)}")
        unsynced = [(name, off) for name, (durable, volatile) in sorted(pairs.items())
                    for off in _sectors(durable, volatile)]
        what = [f"{len(unsynced)} unsynced sectors"]
        if kind != "lost":
            kept = [s for s in unsynced if rng.random() < 0.5]
            for name, off in kept:
                image[name][off:off + SECTOR] = pairs[name][1][off:off + SECTOR]
            what.append(f"{len(kept)} persisted")
        tearable = [(name, off) for name, off in unsynced
                    if self._may_tear(name, off, pairs[name][1], flushed)]
        if kind == "partial" and tearable:
            name, off = rng.choice(tearable)
            cut = rng.randrange(1, SECTOR)
            image[name][off:off + SECTOR] = (pairs[name][1][off:off + cut]
                                             + pairs[name][0][off + cut:off + SECTOR])
            what.append(f"{name}@{off} written only up to byte {cut}")
        if kind in ("bitflip", "stale"):
            # a log block past the acknowledged log: where the scan of this image stops if that
            # is past it (so the corruption is read), else any up to the write head
            lo = -(-flushed // BLOCK_SIZE) * BLOCK_SIZE
            hi = int(self.log.write_lsn) - int(self.log.write_lsn) % BLOCK_SIZE
            cp = self._image_checkpoint(image)
            stop = self._valid_end(image, cp[1])[2] if cp is not None else -1
            if stop >= lo and rng.random() < 0.75:
                lsn = stop
            elif lo <= hi:
                lsn = lo + BLOCK_SIZE * rng.randrange((hi - lo) // BLOCK_SIZE + 1)
            else:
                lsn = -1
            if lsn >= 0:
                name, off = self._block_position(lsn)
                if kind == "bitflip":
                    bit = rng.randrange(BLOCK_SIZE * 8)
                    image[name][off + bit // 8] ^= 1 << (bit % 8)
                    what.append(f"bit {bit} of the block at lsn {lsn} flipped")
                else:
                    image[name][off:off + BLOCK_SIZE] = self._stale_block(lsn)
                    what.append(f"the block at lsn {lsn} replaced by one of the previous lap")
            else:
                what.append("no block past the acknowledged log to corrupt")
        return image, ", ".join(what)

    @staticmethod
    def _may_tear(name: str, offset: int, volatile: bytes, flushed: int) -> bool:
        """May this unsynced sector be written only partly? A 512-byte sector write is atomic
        on the devices InnoDB supports (that is why log blocks are 512 bytes), so a rewrite of
        a log block that holds acknowledged data (the write head's incomplete block, rewritten
        with more data) or of a file header is never torn inside the sector; the block of an
        in-flight write past flushed_to_disk_lsn, a checkpoint block and a data page may be
        (a partially written block, a torn page)."""
        if not name.startswith("ib_logfile"):
            return True
        if offset in (CHECKPOINT_1, CHECKPOINT_2):
            return True
        if offset < FILE_HDR_SIZE:
            return False
        hdr_no = int.from_bytes(volatile[offset:offset + 4], "big") & ~FLUSH_BIT
        return hdr_no == 0 or (hdr_no - 1) * BLOCK_SIZE >= flushed

    def _stale_block(self, lsn: int) -> bytes:
        """A well-formed block of the previous lap at ``lsn``'s position, as the files hold
        after the new lap's write was lost: hdr_no of ``lsn - capacity``, full, valid
        checksum, holding small whole groups of that lap (first_rec_group 12)."""
        block = bytearray(BLOCK_SIZE)
        group = encode_group([Record(0, b"stale lap")])
        body = (group * (DATA_SIZE // len(group) + 1))[:DATA_SIZE]
        block[HDR_SIZE:TRAILER_OFFSET] = body
        write_block_header(block, lsn=lsn - self.log.files.capacity, data_len=BLOCK_SIZE,
                           checkpoint_no=max(0, int(self.log.next_checkpoint_no) - 1),
                           flush_bit=False)
        set_first_rec_group(block, HDR_SIZE)
        seal_block(block, self.config.checksums)
        return bytes(block)

    # --------------------------------------------------------------------------- the oracle
    @staticmethod
    def _image_checkpoint(image: dict[str, bytearray]) -> tuple[int, int] | None:
        """RC-1: (checkpoint_no, lsn) of the valid checkpoint block with the larger number."""
        first = image.get(file_name(0))
        if first is None:
            return None
        valid = [cp for cp in (decode_checkpoint(1, bytes(first[CHECKPOINT_1:CHECKPOINT_1 + 512])),
                               decode_checkpoint(2, bytes(first[CHECKPOINT_2:CHECKPOINT_2 + 512])))
                 if cp.valid]
        if not valid:
            return None
        best = max(valid, key=lambda c: c.checkpoint_no)
        return int(best.checkpoint_no), int(best.lsn)

    def _valid_end(self, image: dict[str, bytearray], checkpoint_lsn: int
                   ) -> tuple[int, str, int]:
        """``G``: the end of the valid log in ``image`` from the checkpoint's block, by RC-2's
        rules (stop at an empty block, a wrong hdr_no, a bad checksum, after an incomplete
        block); why it ends there; the lsn of the block the scan stopped at."""
        lsn = checkpoint_lsn - checkpoint_lsn % BLOCK_SIZE
        end = checkpoint_lsn
        for _ in range(self.log.files.capacity // BLOCK_SIZE):
            name, off = self._block_position(lsn)
            raw = bytes(image[name][off:off + BLOCK_SIZE])
            hdr_no = int.from_bytes(raw[0:4], "big") & ~FLUSH_BIT
            data_len = int.from_bytes(raw[4:6], "big")
            if not any(raw[:TRAILER_OFFSET]) or data_len == 0:
                return end, f"empty block at lsn {lsn}", lsn
            if hdr_no != block_no(lsn):
                return end, f"hdr_no {hdr_no} at lsn {lsn} (another lap)", lsn
            if self.config.checksums and not block_checksum_ok(raw):
                return end, f"bad checksum at lsn {lsn}", lsn
            if data_len < BLOCK_SIZE:
                return max(end, lsn + data_len), f"incomplete block at lsn {lsn}", lsn
            end = lsn + BLOCK_SIZE + HDR_SIZE
            lsn += BLOCK_SIZE
        return end, "whole capacity valid", lsn

    def _expected_pages(self, on_disk: dict[int, tuple[int, bytes]], valid_end: int
                        ) -> tuple[dict[int, tuple[int, bytes]], int]:
        """RC-4: every page after recovery: the newer of the page in the data file image and
        the last group on it that ends at or before ``valid_end`` (page_lsn = the group's end
        lsn, payload = the group's record); and how many groups end there. A group older than
        the checkpoint is not replayed, so its page must already be on disk (SYS-2, CP-6)."""
        pages = dict(on_disk)
        n = 0
        for start, end, page in sorted(self.history.groups):
            if end > valid_end:
                break
            n += 1
            if end > pages[page][0]:
                size = spec_lsn_to_sn(self.p, end) - spec_lsn_to_sn(self.p, start)
                pages[page] = (end, bytes((1 + page,)) * (size - GROUP_OVERHEAD))
        return pages, n

    def _data_pages(self, store: FaultStore) -> dict[int, tuple[int, bytes]]:
        """The data file image's pages before recovery (a torn page reads as never written)."""
        datafile = DataFile.open(store, DATA_FILE)
        pages = {}
        for page in range(self.p.n_pages):
            try:
                pages[page] = datafile.read_page(page)
            except PageCorrupt:
                pages[page] = (0, b"")
        return pages

    def _check_crash_images(self, data: st.DataObject, rng: random.Random, action: str,
                            where: str) -> None:
        log = self.log
        flushed = int(log.flushed_to_disk_lsn)  # the acknowledgement record: published values
        published_cp = int(log.checkpoint_lsn)
        for kind in IMAGE_KINDS:
            LIVE.crash_points[f"image:{kind}"] += 1
            image, what = self._make_image(data, kind, flushed)
            context = (f"crash inside {action} before {where} (flushed_to_disk_lsn {flushed}, "
                       f"checkpoint_lsn {published_cp} published; image {kind}: {what})")
            self._check_image(image, kind, flushed, published_cp, context)

    def _check_image(self, image: dict[str, bytearray], kind: str, flushed: int,
                     published_cp: int, context: str) -> None:
        cp = self._image_checkpoint(image)
        if cp is None:
            raise ConformanceFailure("crashpoints: no valid checkpoint",
                                     f"{context}: neither checkpoint block is valid")
        cp_no, cp_lsn = cp
        if cp_lsn < published_cp:
            raise ConformanceFailure(
                "crashpoints: published checkpoint not durable",
                f"{context}: the durable checkpoint {cp_no} is at lsn {cp_lsn}, below the "
                f"published checkpoint_lsn {published_cp} (FMT-10, CP-4)")
        valid_end, why, _ = self._valid_end(image, cp_lsn)
        if valid_end < flushed:
            raise ConformanceFailure(
                "crashpoints: acknowledged log not durable",
                f"{context}: the valid log in the image ends at lsn {valid_end} ({why}), below "
                f"the published flushed_to_disk_lsn {flushed} (FL-1, RC-4)")
        store = FaultStore()
        for name, content in image.items():
            store.create(name, len(content))
            store.write(name, 0, bytes(content))
            store.fsync(name)
        on_disk = self._data_pages(store)
        abstract_image = None
        if kind in SPEC_KINDS:
            abstract_image = self._abstract_image(image)
        try:
            report = impl_recover(store)
        except Exception as exc:
            raise ConformanceFailure(
                f"crashpoints: recovery raised {type(exc).__name__}",
                f"{context}: recovery failed: {exc}") from exc
        if (int(report.checkpoint.checkpoint_no), int(report.checkpoint.lsn)) != (cp_no, cp_lsn):
            raise ConformanceFailure(
                "crashpoints: wrong checkpoint",
                f"{context}: recovery used checkpoint {report.checkpoint.checkpoint_no} at lsn "
                f"{report.checkpoint.lsn}, not the valid one with the larger number ({cp_no} at "
                f"{cp_lsn}) (RC-1)")
        expected, n = self._expected_pages(on_disk, valid_end)
        got = {p: report.pages.get(p, (0, b"")) for p in range(self.p.n_pages)}
        if got != expected:
            diffs = [f"page {p}: recovered lsn {got[p][0]} {got[p][1]!r}, expected lsn "
                     f"{expected[p][0]} {expected[p][1]!r}" for p in expected
                     if got[p] != expected[p]]
            raise ConformanceFailure(
                "crashpoints: recovered pages",
                f"{context}: the valid log ends at lsn {valid_end} ({why}), so recovery must "
                f"give the state after the {n} groups ending there, each whole, nothing past "
                f"a rejected block (RC-2, RC-4); recovery stopped at lsn {report.stop_lsn} "
                f"({report.stop_reason}); data file before recovery {on_disk}: " + "; ".join(diffs))
        if abstract_image is not None:
            expected_spec = spec_crash.recover_image(self.p, abstract_image)
            recovery_compare.compare_recovery(self.p, expected_spec, report)

    def _abstract_image(self, image: dict[str, bytearray]) -> spec_crash.Image:
        """The spec's view of a whole-block crash image (as the abstraction's ``disk``)."""
        images: list[bytes | None] = [bytes(image[file_name(i)]) if file_name(i) in image
                                      else None for i in range(self.p.n_files)]
        current = spec_sn_to_lsn(self.p, int(self.log.sn))
        files = abstract_files(self.p, images, self.history, current)
        first = images[0]
        cps = ((None, None) if first is None else
               (_checkpoint_block(first[CHECKPOINT_1:CHECKPOINT_1 + BLOCK_SIZE], 1, self.p),
                _checkpoint_block(first[CHECKPOINT_2:CHECKPOINT_2 + BLOCK_SIZE], 2, self.p)))
        return files, cps


@reports
def run(settings: Settings) -> None:
    """Run :class:`CrashPointMachine` (the check ``crashpoints``): short runs with crashes
    inside I/O steps and torn, partial, bit-flipped and stale-block images. Runs are short and
    the crash-image kinds many, so it takes 5 times the examples of the budget it is given (at
    the CI budget, 60 examples left a recovery that accepts a bad checksum uncaught once the
    forbidden steps shared the schedule)."""
    budget = Settings(settings, max_examples=settings.max_examples * 5)
    run_state_machine_as_test(CrashPointMachine, settings=_settings(budget, 80))

