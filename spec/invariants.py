"""The properties the explorer checks on every reachable state and every step.

Each is a named :class:`~spec.model_types.Property` with the requirement IDs it states. They
are written independently of the actions (from the design text), so that a broken action is
caught (the "teeth" tests break one action each and show the explorer finds the violation).
Expensive ones (recovery of every crash image, the byte checks) memoise on the sub-records they
read: states share those by identity, so the cache hit rate is high.
"""

from __future__ import annotations

import functools
from typing import Any

from spec.blocks import FileBlock, checksum_ok, group_bytes
from spec.checkpointer import oldest_lsn
from spec.crash import RecoveryReport, crash_images, recover_image
from spec.lsn import align_down, block_no, block_start, file_block_index, lsn_to_sn, sn_to_lsn
from spec.memo import _k, _kf, _memo, _written
from spec.model_types import Label, Property
from spec.params import Params
from spec.state import IDLE, RESERVED, SLEEPING, UNLINKED_PCS, Files, State

# --- SYS-1 -------------------------------------------------------------------------------------


def sys1_lsn_chain(p: Params, s: State) -> bool:
    """SYS-1: checkpoint_lsn <= flushed_to_disk_lsn <= write_lsn <= buf_ready_for_write_lsn <=
    current lsn."""
    return (
        s.checkpoint.checkpoint_lsn
        <= s.flushed_to_disk_lsn
        <= s.writer.write_lsn
        <= s.recent_written.tail
        <= sn_to_lsn(p, s.sn)
    )


def _sys1_explain(p: Params, s: State) -> str:
    return (
        f"checkpoint_lsn={s.checkpoint.checkpoint_lsn} flushed={s.flushed_to_disk_lsn} "
        f"write_lsn={s.writer.write_lsn} ready={s.recent_written.tail} "
        f"current={sn_to_lsn(p, s.sn)}"
    )


# --- buffer contents (LNK-5, SYS-4) ---------------------------------------------------------


def _group_mismatch(
    p: Params, buffer: tuple[tuple[int, bytes], ...], g: tuple[int, int, int], lo: int, hi: int
) -> int | None:
    """The first lsn in ``[lo, hi)`` where the buffer does not hold group ``g``'s byte."""
    start, end, page = g
    bs = p.block_size
    data_end = bs - p.trailer_size
    size = lsn_to_sn(p, end) - lsn_to_sn(p, start)
    expected = group_bytes(size, page)
    lsn = start
    k = 0
    while k < size:
        off = lsn % bs
        if off >= data_end:
            lsn = block_start(p, lsn) + bs + p.header_size
            continue
        if lo <= lsn < hi:
            blk = buffer[(lsn % p.log_buffer_size) // bs]
            if blk[1][off - p.header_size] != expected[k]:
                return lsn
        k += 1
        lsn += 1
    return None


_buf_cache: dict[Any, Any] = {}
_NONE: frozenset[int] = frozenset()


def _buffer_bad(p: Params, s: State, lo: int, hi: int, skip_uncopied: bool) -> int | None:
    """The first lsn in [lo, hi) whose buffer byte differs from the group that owns it."""
    uncopied = _NONE
    if skip_uncopied:
        starts = [sn_to_lsn(p, u.start_sn) for u in s.users if u.pc == RESERVED]
        if starts:
            uncopied = frozenset(starts)

    def compute() -> int | None:
        for g in reversed(s.groups):
            if g[1] <= lo:
                break
            if g[0] >= hi:
                continue
            if g[0] in uncopied:
                continue
            bad = _group_mismatch(p, s.buffer, g, lo, hi)
            if bad is not None:
                return bad
        return None

    key = (id(p), _k(s.buffer), s.groups, lo, hi, uncopied)
    result: int | None = _memo(_buf_cache, key, compute)
    return result


def lnk5_no_holes(p: Params, s: State) -> bool:
    """LNK-5: no holes below buf_ready_for_write_lsn: every group not yet linked starts at or
    above it, and the log buffer holds, below it (from the block holding write_lsn on, the
    bytes still to be written), exactly the groups' bytes. After a restart this is the last
    block re-read from the files (facts §8.4). A crashed state has no log buffer (recovery
    runs next: ``rc4_recovery_exact`` speaks about it)."""
    if s.crashed:
        return True
    ready = s.recent_written.tail
    for u in s.users:
        if u.pc in UNLINKED_PCS and sn_to_lsn(p, u.start_sn) < ready:
            return False
    return _buffer_bad(p, s, block_start(p, s.writer.write_lsn), ready, False) is None


def _lnk5_explain(p: Params, s: State) -> str:
    ready = s.recent_written.tail
    for i, u in enumerate(s.users):
        if u.pc in UNLINKED_PCS and sn_to_lsn(p, u.start_sn) < ready:
            return f"users[{i}] (pc={u.pc}) starts at {sn_to_lsn(p, u.start_sn)} < ready={ready}"
    bad = _buffer_bad(p, s, block_start(p, s.writer.write_lsn), ready, False)
    return f"log buffer byte at lsn {bad} is not its group's byte (ready={ready})"


# --- SYS-2 -----------------------------------------------------------------------------------


def _dirty_oldest(s: State) -> int | None:
    olds = [o for lst in s.pages.flush_lists for _, o in lst]
    return min(olds) if olds else None


def sys2_checkpoint_bound(p: Params, s: State) -> bool:
    """SYS-2: checkpoint_lsn (and a pending checkpoint) <= dirty-pages-added lsn and <= every
    dirty page's oldest_modification."""
    dpa = s.recent_closed.tail
    o = _dirty_oldest(s)
    for cp in (s.checkpoint.checkpoint_lsn, s.checkpoint.pending_lsn):
        if cp and (cp > dpa or (o is not None and cp > o)):
            return False
    return True


def _sys2_explain(p: Params, s: State) -> str:
    return (
        f"checkpoint_lsn={s.checkpoint.checkpoint_lsn} pending={s.checkpoint.pending_lsn} "
        f"dirty_pages_added_up_to={s.recent_closed.tail} oldest dirty={_dirty_oldest(s)}"
    )


# --- WR-6 (step) -----------------------------------------------------------------------------


def wr6_write_ahead(p: Params, s: State, label: Label, t: State) -> bool:
    """WR-6: no file write needs a read: every write ends inside the written-ahead region
    (at or below write_ahead_end_offset before the write) or on a write-ahead boundary; and it is a
    whole number of blocks starting on a block boundary."""
    if label.action != "writer_write" or t.last_write is None:
        return True
    _f, off, size, wae_before = t.last_write
    end = off + size
    if off % p.block_size or size % p.block_size or size <= 0:
        return False
    return end <= wae_before or end % p.write_ahead_size == 0


def _wr6_explain(p: Params, s: State, label: Label, t: State) -> str:
    return f"last write (file, offset, size, write_ahead_end_offset before) = {t.last_write}"


# --- FMT-3..8 --------------------------------------------------------------------------------

_fmt_cache: dict[Any, Any] = {}


def _block_problem(
    p: Params, f: int, i: int, b: FileBlock, boundaries: frozenset[int], max_lsn: int,
    next_checkpoint_no: int,
) -> str | None:
    bs = p.block_size
    if b.hdr_no == 0 and b.data_len == 0 and b.checksum == 0 and not any(b.data):
        return None  # write-ahead padding (WR-6)
    base = p.start_lsn + f * p.file_data_size + i * bs
    lsn_b = base
    while lsn_b <= max_lsn and block_no(p, lsn_b) != b.hdr_no:
        lsn_b += p.log_capacity
    if lsn_b > max_lsn:
        return f"hdr_no {b.hdr_no} matches no lap of this position (FMT-3)"
    if not (b.data_len == bs or p.header_size <= b.data_len < bs - p.trailer_size):
        return f"data_len {b.data_len} (FMT-5)"
    frg = b.first_rec_group
    if frg:
        if not (p.header_size <= frg < bs - p.trailer_size and frg <= b.data_len):
            return f"first_rec_group {frg} outside the data (FMT-6)"
        if lsn_b + frg not in boundaries:
            return f"first_rec_group {frg} (lsn {lsn_b + frg}) is not a group start (FMT-6)"
    if b.data_len < bs and any(b.data[max(0, b.data_len - p.header_size) :]):
        return "bytes after data_len are not zero (WR-4)"
    if not checksum_ok(p, b):
        return "bad checksum (FMT-8)"
    if not 0 < b.checkpoint_no <= next_checkpoint_no:
        return f"checkpoint_no {b.checkpoint_no} is not a checkpoint number yet (FMT-7)"
    return None


def _fmt_problem(p: Params, s: State) -> str | None:
    def compute() -> str | None:
        boundaries = frozenset(
            [sn_to_lsn(p, p.start_sn)] + [g[0] for g in s.groups] + [g[1] for g in s.groups]
        )
        max_lsn = sn_to_lsn(p, s.sn) + p.block_size
        cpno = s.checkpoint.checkpoint_no
        for view_name, view in (("files", s.files), ("disk", s.disk)):
            for f, blocks in enumerate(view):
                for i, b in _written(blocks):
                    why = _block_problem(p, f, i, b, boundaries, max_lsn, cpno)
                    if why:
                        return f"{view_name}[{f}][{i}]: {why}"
        return None

    key = (id(p), _kf(s.files), _kf(s.disk), s.groups, s.sn, s.checkpoint.checkpoint_no)
    result: str | None = _memo(_fmt_cache, key, compute)
    return result


def fmt_blocks_well_formed(p: Params, s: State) -> bool:
    """FMT-3..8: every written block, in the OS cache and on disk, is write-ahead padding
    (zeros) or well formed: hdr_no matches its position for some lap of the files (FMT-3),
    data_len is a full block or in [header, block_size - trailer) (FMT-5), first_rec_group is 0
    or a group start within the data (FMT-6), bytes after data_len are zero (WR-4), the
    checksum is valid (FMT-8) and checkpoint_no is a number the checkpointer has reached
    (FMT-7: the next checkpoint's number when the block was written)."""
    return _fmt_problem(p, s) is None


def _fmt_explain(p: Params, s: State) -> str:
    return _fmt_problem(p, s) or ""


# --- NT-4 -------------------------------------------------------------------------------------


def _lost_wakeup(p: Params, s: State) -> int | None:
    bs = p.block_size
    nt = s.notifiers
    for i, u in enumerate(s.users):
        if u.pc != SLEEPING or u.signalled:
            continue
        end = sn_to_lsn(p, u.start_sn + u.size)
        if u.wait == "write":
            if s.writer.write_lsn < end:
                continue
            pos, event = nt.write_notifier_lsn, nt.write_notifier_event
        else:
            if s.flushed_to_disk_lsn < end:
                continue
            pos, event = nt.flush_notifier_lsn, nt.flush_notifier_event
        if not (event and (pos - 1) // bs <= (end - 1) // bs):
            return i
    return None


def nt4_no_lost_wakeup(p: Params, s: State) -> bool:
    """NT-4, USR-7: every user sleeping on a condition that holds is signalled, or its
    notifier's event is set and the notifier's position is at or below the user's block (so
    the notifier will set the user's slot)."""
    return _lost_wakeup(p, s) is None


def _nt4_explain(p: Params, s: State) -> str:
    i = _lost_wakeup(p, s)
    return f"users[{i}] sleeps on a satisfied condition and nothing will wake it: {s.users[i]}, " \
        f"notifiers={s.notifiers}" if i is not None else ""


# --- SYS-4 ------------------------------------------------------------------------------------


def _files_problem(p: Params, s: State) -> str | None:
    bs = p.block_size
    w = s.writer.write_lsn
    lsn_b = block_start(p, s.checkpoint.checkpoint_lsn)
    top = align_down(w, bs)
    while lsn_b < top:
        f, i = file_block_index(p, lsn_b)
        b = s.files[f][i]
        if b is None or b.hdr_no != block_no(p, lsn_b) or b.data_len != bs:
            return f"block at lsn {lsn_b} (files[{f}][{i}]) = {b}"
        lsn_b += bs
    return None


def sys4_capacity(p: Params, s: State) -> bool:
    """SYS-4: the log buffer is never overwritten below write_lsn (every copied group's bytes
    from the block holding write_lsn on are still in the buffer) and the log files never below
    checkpoint_lsn (every block from the checkpoint's block to write_lsn holds its lsn)."""
    if s.crashed:
        return True  # no log buffer and no writer until the restart (rc4 covers the image)
    lo = block_start(p, s.writer.write_lsn)
    if _buffer_bad(p, s, lo, 1 << 62, True) is not None:
        return False
    return _files_problem(p, s) is None


def _sys4_explain(p: Params, s: State) -> str:
    lo = block_start(p, s.writer.write_lsn)
    bad = _buffer_bad(p, s, lo, 1 << 62, True)
    if bad is not None:
        return f"log buffer byte at lsn {bad} was overwritten before the writer wrote it"
    return f"files overwritten above the checkpoint: {_files_problem(p, s)}"


# --- RC-4 --------------------------------------------------------------------------------------

_rc_cache: dict[Any, Any] = {}
_recover_cache: dict[Any, Any] = {}


def _image_problem(p: Params, s: State, image: Any) -> str | None:
    """RC-1..4 for one crash image of ``s``: recovery returns a prefix of the groups from its
    checkpoint on (nothing invented, whole, in order), every group ending at or below
    flushed_to_disk_lsn among them, and every page's durable modification is in the data file
    or replayed."""
    flushed = s.flushed_to_disk_lsn
    rep: RecoveryReport = _memo(
        _recover_cache, (id(p), image), functools.partial(recover_image, p, image))
    if rep.checkpoint is None:
        return "no valid checkpoint block (FMT-10)"
    cp = rep.checkpoint.lsn
    expected = [g for g in s.groups if g[0] >= cp]
    got = list(rep.groups)
    if got != expected[: len(got)]:
        return f"recovered {got}, expected a prefix of {expected} (invented or torn)"
    durable = sum(1 for g in expected if g[1] <= flushed)
    if len(got) < durable:
        return (f"recovered {len(got)} groups {got} but {durable} ended at or below "
                f"flushed_to_disk_lsn={flushed} ({rep.stop_reason})")
    level = list(s.pages.on_disk)
    for g in got:
        level[g[2]] = max(level[g[2]], g[1])
    for g in s.groups:
        if g[1] <= flushed and level[g[2]] < g[1]:
            return (f"page {g[2]}: durable modification {g} is neither in the data "
                    f"file (page_lsn {s.pages.on_disk[g[2]]}) nor replayed")
    return None


def _rc4_problem(p: Params, s: State) -> str | None:
    def compute() -> str | None:
        if s.crashed:
            # the crash happened: the files are its image; recovering exactly that image must
            # be exact (a crash that loses synced data is caught here, RC-4)
            return _image_problem(p, s, (s.disk, s.checkpoint.blocks_disk))
        for image in crash_images(p, s):
            why = _image_problem(p, s, image)
            if why:
                return why
        return None

    key = (id(p), s.crashed, _kf(s.disk), s.checkpoint.blocks_disk, s.groups,
           s.flushed_to_disk_lsn, s.pages.on_disk,
           _kf(s.files) if p.torn_writes and not s.crashed else None,
           s.checkpoint.pending_lsn if p.torn_writes else 0)
    result: str | None = _memo(_rc_cache, key, compute)
    return result


def rc4_recovery_exact(p: Params, s: State) -> bool:
    """RC-4 (with RC-1..3, decision 7): for every crash image, recovery returns exactly the
    groups from the checkpoint on, in lsn order and whole, up to some lsn >=
    flushed_to_disk_lsn: nothing is invented, nothing durable is lost, and every page's durable
    modification is in the data file or replayed. In a crashed state, the image the crash
    left (its files) is the one recovered: a crash that loses synced data breaks this."""
    return _rc4_problem(p, s) is None


def _rc4_explain(p: Params, s: State) -> str:
    return _rc4_problem(p, s) or ""


# --- CP-6 ----------------------------------------------------------------------------------------


def cp6_wal_rule(p: Params, s: State) -> bool:
    """CP-6, the write-ahead logging rule: no page in the data file is newer than the durable
    log (every page_lsn on disk <= flushed_to_disk_lsn); after a crash, than the log the
    crash left (the restarted flushed_to_disk_lsn is the recovered lsn)."""
    return max(s.pages.on_disk, default=0) <= s.flushed_to_disk_lsn


def _cp6_explain(p: Params, s: State) -> str:
    bad = [(pg, lsn) for pg, lsn in enumerate(s.pages.on_disk) if lsn > s.flushed_to_disk_lsn]
    return (f"pages (page, page_lsn) {bad} in the data file are newer than "
            f"flushed_to_disk_lsn={s.flushed_to_disk_lsn}")


# --- RC-1..4 across generations (step: recover) ------------------------------------------------


def _restart_problem(p: Params, s: State, t: State) -> str | None:
    """What is wrong with ``t`` as the restart of the crashed state ``s`` (see
    :func:`rc_restart_exact`), or None."""
    n = len(t.groups)
    if t.groups != s.groups[:n]:
        return f"groups after restart {t.groups} are not a prefix of {s.groups} (invented)"
    lost = [g for g in s.groups[n:] if g[1] <= s.flushed_to_disk_lsn]
    if lost:
        return (f"durable groups {lost} (end <= flushed_to_disk_lsn={s.flushed_to_disk_lsn} "
                f"at the crash) are lost by the restart")
    r = t.groups[-1][1] if t.groups else sn_to_lsn(p, p.start_sn)
    cur = sn_to_lsn(p, t.sn)
    values = dict(current_lsn=cur, write_lsn=t.writer.write_lsn,
                  flushed_to_disk_lsn=t.flushed_to_disk_lsn,
                  buf_ready_for_write_lsn=t.recent_written.tail,
                  dirty_pages_added_up_to_lsn=t.recent_closed.tail)
    wrong = {k: v for k, v in values.items() if v != r}
    if wrong:
        return f"the restart resumes at {wrong}, not at the end of the last recovered group {r}"
    if t.crashed or any(u.pc != IDLE for u in t.users):
        return "the restarted system is still crashed or has a busy user"
    valid = [c for c in t.checkpoint.blocks_disk if c is not None and c.valid]
    if valid:
        used = max(valid, key=lambda c: c.checkpoint_no)
        if t.checkpoint.checkpoint_lsn != used.lsn:
            return (f"checkpoint_lsn {t.checkpoint.checkpoint_lsn} is not the lsn {used.lsn} of "
                    f"the checkpoint recovery used (RC-1)")
        if t.checkpoint.checkpoint_no <= used.checkpoint_no:
            return (f"next checkpoint_no {t.checkpoint.checkpoint_no} is not above the one in "
                    f"use ({used.checkpoint_no}): the next checkpoint would overwrite it (FMT-10)")
    if t.checkpoint.pending_lsn:
        return "a checkpoint is pending right after the restart"
    if t.writer.write_ahead_end_offset:
        return (f"write_ahead_end_offset={t.writer.write_ahead_end_offset} after the restart: "
                f"nothing is written ahead yet (log_start, Bug #93442)")
    pg = t.pages
    if any(pg.flush_lists) or any(pg.newest):
        return f"dirty pages right after the restart: {pg.flush_lists} {pg.newest}"
    for page, lsn in enumerate(pg.on_disk):
        want = max((g[1] for g in t.groups if g[2] == page), default=0)
        if lsn != want:
            return (f"page {page}: page_lsn {lsn} in the data file after recovery, but its "
                    f"last recovered modification ends at {want} (RC-4)")
    bs = p.block_size
    b_lsn = block_start(p, r)
    frg = t.buffer[(b_lsn % p.log_buffer_size) // bs][0]
    first = min([g[0] for g in t.groups if b_lsn + p.header_size <= g[0] < r], default=r)
    if frg != first - b_lsn:
        return (f"first_rec_group {frg} of the last block (lsn {b_lsn}) is not its first group "
                f"start {first - b_lsn} (log_fix_first_rec_group)")
    return None


def rc_restart_exact(p: Params, s: State, label: Label, t: State) -> bool:
    """RC-1..4 across generations, facts §8.4 (``log_start``): a recovery restarts the log
    exactly where recovery of the crashed image ends. The groups after the restart are a
    prefix of those before the crash (nothing invented) holding every group that was durable
    (end <= flushed_to_disk_lsn when the crash happened); current lsn, write_lsn,
    flushed_to_disk_lsn and both link-buffer tails are the end of the last of them; the
    checkpoint is the one recovery used and the next checkpoint_no is above it; nothing is
    written ahead; no page is dirty and each page in the data file holds its last recovered
    modification; the last block's first_rec_group is its first group start."""
    if label.action != "recover":
        return True
    return _restart_problem(p, s, t) is None


def _restart_explain(p: Params, s: State, label: Label, t: State) -> str:
    return _restart_problem(p, s, t) or ""


# --- CP-4 (step) -------------------------------------------------------------------------------


def cp4_checkpoint_monotone(p: Params, s: State, label: Label, t: State) -> bool:
    """CP-4: checkpoint_lsn never goes backwards and never exceeds flushed_to_disk_lsn; a
    checkpoint being written is not above flushed_to_disk_lsn, the dirty-pages-added lsn, or
    any dirty page's oldest_modification (all read before the step)."""
    if t.checkpoint.checkpoint_lsn < s.checkpoint.checkpoint_lsn:
        return False
    if t.checkpoint.checkpoint_lsn > t.flushed_to_disk_lsn and not t.crashed:
        return False
    new = t.checkpoint.pending_lsn
    if new and new != s.checkpoint.pending_lsn:
        o = _dirty_oldest(s)
        if new > s.flushed_to_disk_lsn or new > s.recent_closed.tail or (
            o is not None and new > o
        ):
            return False
    return True


def _cp4_explain(p: Params, s: State, label: Label, t: State) -> str:
    return (
        f"checkpoint_lsn {s.checkpoint.checkpoint_lsn} -> {t.checkpoint.checkpoint_lsn}, "
        f"pending {s.checkpoint.pending_lsn} -> {t.checkpoint.pending_lsn}, flushed="
        f"{s.flushed_to_disk_lsn}, added_up_to={s.recent_closed.tail}, oldest dirty="
        f"{_dirty_oldest(s)} (flush-list tails: {oldest_lsn(s)})"
    )


# --- LNK-3 ---------------------------------------------------------------------------------------


def _slot_problem(p: Params, s: State) -> str | None:
    """Every non-zero slot (the sparse ``links``, so every ring size is checked exactly, in
    O(live links)) must be a live group's link at its position in ``[tail, tail + capacity)``."""
    links: dict[int, int] | None = None
    for name, lb in (("recent_written", s.recent_written), ("recent_closed", s.recent_closed)):
        cap = lb.capacity
        tail = lb.tail
        for idx, v in lb.links:
            pos = tail + ((idx - tail) % cap)  # the slot's position in [tail, tail+cap)
            if links is None:
                links = {g[0]: g[1] for g in s.groups}
            if p.link_buf == "seeds":
                if links.get(pos) != pos + v:
                    return f"{name} slot {idx} holds distance {v} at position {pos}"
            elif v > pos and links.get(pos) != v:
                return f"{name} slot {idx} holds a live link to {v} at position {pos}"
    return None


_slot_cache: dict[Any, Any] = {}


def lnk3_slots_cleared(p: Params, s: State) -> bool:
    """LNK-1, LNK-3 (LNK-6): every slot holding a link is one of a group's links ``start ->
    end`` at a position at or above the tail, i.e. traversed slots were cleared (seeds) or no
    longer look like links (8.0.22: their value is at most their position)."""
    key = (id(p), s.recent_written, s.recent_closed, s.groups)
    return _memo(_slot_cache, key, lambda: _slot_problem(p, s)) is None


def _lnk3_explain(p: Params, s: State) -> str:
    return _slot_problem(p, s) or ""


PROPERTIES: tuple[Property, ...] = (
    Property("sys1_lsn_chain", ("SYS-1",), "state", sys1_lsn_chain,
             (sys1_lsn_chain.__doc__ or "").strip(), _sys1_explain),
    Property("lnk5_no_holes", ("LNK-5",), "state", lnk5_no_holes,
             (lnk5_no_holes.__doc__ or "").strip(), _lnk5_explain),
    Property("lnk3_slots_cleared", ("LNK-1", "LNK-3", "LNK-6"), "state", lnk3_slots_cleared,
             (lnk3_slots_cleared.__doc__ or "").strip(), _lnk3_explain),
    Property("sys2_checkpoint_bound", ("SYS-2", "CP-2", "CP-3"), "state",
             sys2_checkpoint_bound, (sys2_checkpoint_bound.__doc__ or "").strip(),
             _sys2_explain),
    Property("fmt_blocks_well_formed", ("FMT-3", "FMT-4", "FMT-5", "FMT-6", "FMT-7", "FMT-8"),
             "state", fmt_blocks_well_formed, (fmt_blocks_well_formed.__doc__ or "").strip(),
             _fmt_explain),
    Property("nt4_no_lost_wakeup", ("NT-4", "USR-7", "SYS-3"), "state", nt4_no_lost_wakeup,
             (nt4_no_lost_wakeup.__doc__ or "").strip(), _nt4_explain),
    Property("sys4_capacity", ("SYS-4", "WR-9"), "state", sys4_capacity,
             (sys4_capacity.__doc__ or "").strip(), _sys4_explain),
    Property("rc4_recovery_exact", ("RC-1", "RC-2", "RC-3", "RC-4"), "state",
             rc4_recovery_exact, (rc4_recovery_exact.__doc__ or "").strip(), _rc4_explain),
    Property("cp6_wal_rule", ("CP-6",), "state", cp6_wal_rule,
             (cp6_wal_rule.__doc__ or "").strip(), _cp6_explain),
    Property("wr6_write_ahead", ("WR-6",), "step", wr6_write_ahead,
             (wr6_write_ahead.__doc__ or "").strip(), _wr6_explain,
             actions=("writer_write",)),
    Property("cp4_checkpoint_monotone", ("CP-4",), "step", cp4_checkpoint_monotone,
             (cp4_checkpoint_monotone.__doc__ or "").strip(), _cp4_explain),
    Property("rc_restart_exact", ("RC-1", "RC-2", "RC-3", "RC-4"), "step", rc_restart_exact,
             (rc_restart_exact.__doc__ or "").strip(), _restart_explain,
             actions=("recover",)),
)


def files_view(s: State) -> Files:
    """The OS-cache view (for callers that want to name it)."""
    return s.files
