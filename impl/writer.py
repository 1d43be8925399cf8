"""The log writer thread (WR-1..WR-9; reference/mysql-redo-facts.md §4).

One :meth:`Writer.step` is one pass of ``log_writer``'s loop: traverse the recent-written links
(:meth:`Writer.traverse_links`, WR-1), then at most one write to the log files
(:meth:`Writer.write`, WR-3..WR-9). Nothing else writes log blocks, and only this thread moves
``write_lsn`` (facts §4.5).

How much one write covers, in the order the design decides it (facts §4.2-§4.4):

1. From the block holding ``write_lsn`` (a write always restarts at the beginning of that block,
   so an incomplete block is rewritten whole) up to ``buf_ready_for_write_lsn``, but never across
   the end of the ring buffer.
2. Never over log data the last checkpoint still needs (WR-9, SYS-4): the block written at lsn
   ``x`` replaces the one at ``x - capacity``, so the write ends at
   ``align_down(checkpoint_lsn, 512) + capacity - write_ahead_size`` at the latest; if that
   leaves nothing, the writer wakes the checkpointer and the page cleaner and writes nothing.
3. Never across the end of a log file: the write is split (WR-9), the rest is the next write.
4. ``FULL_BLOCK_WRITES`` += 1 if at least one complete block is to be written, else
   ``PARTIAL_BLOCK_WRITES`` += 1 (counted before the write-ahead decision, as MySQL does).
5. Write-ahead (WR-6), with ``wa`` = write_ahead_size and ``wa_end`` = how far the current file
   has been written ahead (a file offset, 0 after moving to another file):

   * the whole write lies below ``wa_end``: write the complete blocks from the log buffer (drop
     the incomplete last block; it is written on its own next time), or, when there is no
     complete block, the incomplete block through the write-ahead buffer;
   * only its start lies below ``wa_end``: write the complete blocks up to ``wa_end``;
   * nothing written ahead at the start: if the write reaches beyond the next region boundary,
     write the complete blocks up to that boundary (the rest is postponed), else copy everything
     (with the incomplete block) to the write-ahead buffer and pad it with zeros to the region
     boundary, so that no write ever makes the OS read a page first.

6. Complete blocks get their header (hdr_no with the flush bit on the first block of the write,
   data_len = 512, checkpoint_no) and CRC-32C in the log buffer and are written from there
   (WR-3); the incomplete block is copied to the write-ahead buffer, data_len = its used bytes,
   first_rec_group cleared if it points beyond them, zero-filled, sealed (WR-4). The writer never
   sets first_rec_group (WR-5).
7. ``write_lsn`` advances by the bytes taken from the log buffer (not the padding) (WR-7); if the
   advance stays inside one block the writer sets that block's write event itself, else it
   wakes the write notifier; it always wakes the flusher (WR-8). The direct case compares BLOCK
   numbers, ``old // 512 == (new - 1) // 512`` (docs/spec-model.md decision 3, MySQL Bug
   #114660), never slots.

The limit of 2 keeps one write-ahead region free (MySQL's ``lsn_capacity_for_writer`` keeps a
safety margin below the real capacity): data ends at most one region before the checkpoint's
block one lap later, so the padding of 5, clipped only at the file end as in MySQL's
``prepare_for_write_ahead``, never reaches that block, and no write ever ends inside a region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from impl.format import (
    BLOCK_SIZE,
    get_first_rec_group,
    seal_block,
    set_first_rec_group,
    write_block_header,
)

if TYPE_CHECKING:
    from impl.redolog import RedoLog


class Writer:
    """The log writer: ``traverse_links`` + ``write``; ``step`` does both once."""

    actor = "writer"

    def __init__(self, log: RedoLog) -> None:
        self.log = log
        self.write_ahead_end_offset = 0
        self._write_ahead_file_end = -1  # file_end_lsn of the file wa_end refers to
        self.write_ahead_buffer = bytearray(log.config.write_ahead_size)
        self.full_block_writes = 0
        self.partial_block_writes = 0
        self.write_ahead_padding_bytes = 0
        self.log_writes = 0
        self.bytes_written = 0
        self.direct_notifications = 0
        self.checkpoint_limited = 0
        self.last_decision: dict[str, Any] = {}


    @property
    def write_ahead_file_end(self) -> int:
        """The ``file_end_lsn`` of the file ``write_ahead_end_offset`` refers to (-1: none yet);
        a write into another file has nothing written ahead (WR-6)."""
        return self._write_ahead_file_end

    def capacity_for_writer(self) -> int:
        """lsn bytes the writer may have beyond the checkpoint's block (WR-9): the files'
        capacity minus a safety margin of one write-ahead region, as MySQL's
        ``log.lsn_capacity_for_writer`` = capacity - safety_margin (log_calc_max_ages; the
        margin there is far larger than any write-ahead size). The write-ahead padding of a
        write is clipped only at the file end (prepare_for_write_ahead), so this margin is
        what keeps it off the block that holds checkpoint_lsn."""
        return self.log.files.capacity - self.log.config.write_ahead_size

    def step(self) -> bool:
        """One pass of the writer's loop: traverse (WR-1), then one write (WR-3..WR-7)."""
        traversed = self.traverse_links()
        wrote = self.write()
        return traversed or wrote

    def traverse_links(self) -> bool:
        """WR-1: advance buf_ready_for_write_lsn along recent-written links.

        Stops before following a link that starts ``write_max_size`` (4 KiB) or more beyond
        write_lsn, so the ready lsn may overshoot that limit by one link.
        """
        log = self.log
        with log.traced(self.actor, "writer_traverse_links") as ev:
            limit = log.write_lsn + log.config.write_max_size
            old, new = log.recent_written.traverse(limit=limit)
            if new == old:
                ev["_skip"] = True
                return False
            ev["buf_ready_for_write_lsn"] = (old, new)
            ev["write_lsn"] = log.write_lsn
        return True

    def write(self) -> bool:
        """WR-3..WR-9: one write of the log files, or nothing if nothing is ready or allowed."""
        log = self.log
        if log.failed is not None:
            return False
        with log.traced(self.actor, "writer_write") as ev:
            done = self._write_buffer(ev)
            if not done:
                ev["_skip"] = True
        return done

    # The steps of one write, named as in MySQL's log0write.cc (facts §4.2-§4.4).

    def _write_buffer(self, ev: dict[str, Any]) -> bool:
        """``log_writer_write_buffer``: the write goes from write_lsn's block up to
        buf_ready_for_write_lsn, never across the end of the ring (step 1 of the module doc)
        nor over what the checkpoint still needs (step 2)."""
        log = self.log
        last = log.write_lsn
        ready = log.recent_written.tail
        if last >= ready:
            return False
        ring = log.buffer.size
        next_lsn = ready
        if last % ring >= ready % ring:  # never across the end of the ring in one write
            next_lsn = last + (ring - last % ring)
        checkpoint_lsn = log.checkpoint_lsn
        next_lsn = min(next_lsn, self._wait_on_checkpoint(checkpoint_lsn))
        if next_lsn <= last:
            self.checkpoint_limited += 1
            log.request_sync_flush()
            return False
        self._log_write_buffer(last - last % BLOCK_SIZE, next_lsn, ev,
                               traced=dict(buf_ready_for_write_lsn=ready,
                                           checkpoint_lsn=checkpoint_lsn))
        return True

    def _wait_on_checkpoint(self, checkpoint_lsn: int) -> int:
        """``log_writer_wait_on_checkpoint`` (WR-9, SYS-4): the lsn the write may not pass,
        so it never overwrites a block the last checkpoint still needs; the data stops one
        write-ahead region earlier (log.lsn_capacity_for_writer), so that the padding of the
        last write never reaches the checkpoint's block either."""
        return checkpoint_lsn - checkpoint_lsn % BLOCK_SIZE + self.capacity_for_writer()

    def _log_write_buffer(self, block_start: int, next_lsn: int, ev: dict[str, Any],
                          traced: dict[str, int]) -> None:
        """``log_write_buffer``: one write of [block_start, next_lsn) at most, as the
        write-ahead rules allow; then write_lsn advances (WR-7) and waiters are told (WR-8).
        ``traced``: the values the decision read, for the trace event ``ev``."""
        log = self.log
        file_end = self._current_file(block_start)
        next_lsn = min(next_lsn, file_end)  # WR-9: a write crossing a file end is split
        name, real_offset = log.files.position(block_start)
        file_end_offset = real_offset + (file_end - block_start)
        write_size, from_log_buffer, case = self._compute_how_much_to_write(
            real_offset, next_lsn - block_start)
        checkpoint_no = log.next_checkpoint_no
        n_full = write_size // BLOCK_SIZE
        self._prepare_full_blocks(block_start, n_full, checkpoint_no)
        lsn_advance = write_size
        padding = 0
        start = block_start % log.buffer.size
        if from_log_buffer:
            data = bytes(log.buffer.view[start : start + write_size])
        else:
            size = self._copy_to_write_ahead_buffer(block_start, write_size, checkpoint_no)
            if not self.write_ahead_end_offset >= real_offset + 1:
                padding = self._prepare_for_write_ahead(real_offset, size, file_end_offset)
                size += padding
            data = bytes(self.write_ahead_buffer[:size])
        self._write_blocks(block_start, data, name, real_offset)
        old_wa_end = self.write_ahead_end_offset
        self._update_current_write_ahead(real_offset, len(data))
        self.write_ahead_padding_bytes += padding
        self.log_writes += 1
        self.bytes_written += len(data)

        new = block_start + lsn_advance
        log.sync_point("log_writer_before_lsn_update")
        old = log.write_lsn
        log.write_lsn = new  # WR-7: the linearization point
        self.last_decision = dict(case=case, from_log_buffer=from_log_buffer, file=name,
                                  offset=real_offset, size=len(data), padding=padding,
                                  n_full_blocks=n_full, lsn=block_start)
        ev.update(write_lsn=(old, new), **traced,
                  write_ahead_end_offset=(old_wa_end, self.write_ahead_end_offset),
                  file=name, offset=real_offset, size=len(data), padding=padding,
                  from_log_buffer=from_log_buffer, case=case, checkpoint_no=checkpoint_no)
        self._notify_about_advanced_write_lsn(old, new, ev)

    def _current_file(self, block_start: int) -> int:
        """The end lsn of the file holding ``block_start``; moving to another file forgets
        what was written ahead (``start_next_file``: write_ahead_end_offset = 0)."""
        file_end = self.log.files.file_end_lsn(block_start)
        if file_end != self._write_ahead_file_end:  # moved to another file: nothing written ahead
            self._write_ahead_file_end = file_end
            self.write_ahead_end_offset = 0
        return file_end

    def _compute_how_much_to_write(self, real_offset: int, buffer_size: int
                                   ) -> tuple[int, bool, str]:
        """``compute_how_much_to_write`` (steps 4 and 5 of the module doc): the bytes to write,
        whether straight from the log buffer, and which write-ahead case decided it."""
        write_size = buffer_size
        from_log_buffer = write_size >= BLOCK_SIZE
        if from_log_buffer:
            self.full_block_writes += 1
        else:
            self.partial_block_writes += 1
        wa = self.log.config.write_ahead_size
        wa_end = self.write_ahead_end_offset
        if wa_end >= real_offset + write_size:
            case = "within_write_ahead"
            if from_log_buffer:
                write_size -= write_size % BLOCK_SIZE
        elif wa_end > real_offset:
            case = "up_to_write_ahead_end"
            write_size = wa_end - real_offset
        else:
            next_wa = real_offset - real_offset % wa + wa
            if next_wa < real_offset + write_size:
                case = "limited_to_region"
                write_size = next_wa - real_offset
            else:
                case = "padded_region"
                from_log_buffer = False
        return write_size, from_log_buffer, case

    def _prepare_full_blocks(self, block_start: int, n_full: int, checkpoint_no: int) -> None:
        """``prepare_full_blocks`` (WR-3): headers and checksums of the complete blocks, in the
        log buffer; the flush bit on the first block of the write."""
        buf = self.log.buffer
        for i in range(n_full):
            block_lsn = block_start + i * BLOCK_SIZE
            view = buf.block(block_lsn)
            write_block_header(view, lsn=block_lsn, data_len=BLOCK_SIZE,
                               checkpoint_no=checkpoint_no, flush_bit=i == 0)
            seal_block(view, self.log.config.checksums)

    def _copy_to_write_ahead_buffer(self, block_start: int, write_size: int,
                                    checkpoint_no: int) -> int:
        """``copy_to_write_ahead_buffer`` (WR-4): copy the bytes, and make the incomplete last
        block whole (data_len = its used bytes, first_rec_group cleared if it points beyond
        them, zero-filled, sealed). Returns the bytes now in the write-ahead buffer."""
        log = self.log
        wab = self.write_ahead_buffer
        start = block_start % log.buffer.size
        wab[:write_size] = log.buffer.view[start : start + write_size]
        full = write_size // BLOCK_SIZE * BLOCK_SIZE
        incomplete = write_size - full
        if not incomplete:
            return write_size
        block = memoryview(wab)[full : full + BLOCK_SIZE]
        block[incomplete:] = bytes(BLOCK_SIZE - incomplete)
        if get_first_rec_group(block) > incomplete:
            set_first_rec_group(block, 0)
        write_block_header(block, lsn=block_start + full, data_len=incomplete,
                           checkpoint_no=checkpoint_no, flush_bit=full == 0)
        seal_block(block, log.config.checksums)
        return full + BLOCK_SIZE

    def _prepare_for_write_ahead(self, real_offset: int, size: int, file_end_offset: int) -> int:
        """``prepare_for_write_ahead`` (WR-6): zeros after the ``size`` bytes in the write-ahead
        buffer up to the region's end, clipped at the file end. Returns the padding."""
        wa = self.log.config.write_ahead_size
        next_wa = real_offset - real_offset % wa + wa
        padding = min(next_wa - (real_offset + size), file_end_offset - real_offset - size)
        padding = max(padding, 0)
        self.write_ahead_buffer[size : size + padding] = bytes(padding)
        return padding

    def _write_blocks(self, block_start: int, data: bytes, name: str, real_offset: int) -> None:
        """``write_blocks``: the write itself; a failure marks the log failed."""
        log = self.log
        log.sync_point("log_writer_before_write")
        try:
            log.files.write(block_start, data)
        except OSError as exc:  # a failed write may have reached the disk partly: stop here
            raise log.fail(f"write of {len(data)} bytes to {name} at offset {real_offset}",
                           exc) from exc

    def _update_current_write_ahead(self, real_offset: int, size: int) -> None:
        """``update_current_write_ahead``: the file is written ahead up to the region
        boundary at or below the end of this write."""
        end = real_offset + size
        if end > self.write_ahead_end_offset:
            wa = self.log.config.write_ahead_size
            self.write_ahead_end_offset = end - end % wa

    def _notify_about_advanced_write_lsn(self, old: int, new: int, ev: dict[str, Any]) -> None:
        """``notify_about_advanced_write_lsn`` (WR-8): users directly if the advance stays in
        one block (block numbers, not slots: MySQL Bug #114660), else the write notifier; and
        always the flusher and any user waiting for buffer space."""
        log = self.log
        if old // BLOCK_SIZE == (new - 1) // BLOCK_SIZE:
            log.write_events.event_for(new).set()
            self.direct_notifications += 1
            ev["notify"] = "direct"
        else:
            log.write_notifier_event.set()
            ev["notify"] = "notifier"
        log.flusher_event.set()
        log.buffer_space_event.set()
