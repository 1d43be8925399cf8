"""Draw a spec :class:`~spec.state.State` as SVG, from the state alone.

``draw(p, s)`` returns one self-contained SVG document showing the pipeline itself rather than
raw field values:

* the lsn axis: current_lsn, buf_ready_for_write_lsn (LNK-5), write_lsn, flushed_to_disk_lsn,
  dirty_pages_added_up_to_lsn (CP-1), checkpoint_lsn (and a pending checkpoint) on one line;
* the log buffer ring, byte by byte in ring order (block ``i`` holds the lsns ``≡ i *
  block_size mod log_buffer_size``), each byte coloured written / ready / copied (still above
  buf_ready_for_write_lsn) / being copied (reserved, not copied) / free, headers with their
  first_rec_group (USR-2), and the lsn markers at their ring positions;
* the user threads (USR-1..7): pc, group, page, what they wait for;
* the recent_written and recent_closed rings (LNK-1..6) with their links drawn as arcs and the
  tail;
* the write and flush event slots with the users sleeping on each (NT-3, USR-7) and the
  notifiers' positions and events (NT-1..5);
* the log files (FMT-3..10): every data block with hdr_no, data_len, first_rec_group and the
  flush bit, blocks written but not yet synced, and the two checkpoint blocks in the OS-cache
  and durable views;
* the flush lists and pages (CP-2, CP-3, CP-6).

At InnoDB's sizes nothing is drawn per byte or per block: the buffer is a proportional window,
the rings list their live links, the event slots only the occupied ones and the files are
run-length bars (32 Ki blocks never become 32 Ki rectangles).

Deterministic: the output is a function of ``(p, s, before)`` only (no clocks, ids or dict
order from outside), so the same state gives the same bytes. Markers carry ``data-marker`` and
``data-lsn`` attributes so that tools and tests can read them back. With ``before`` (the
previous state of a trace) the parts that changed are outlined in orange.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from html import escape

from spec.blocks import CheckpointBlock, FileBlock
from spec.linkbuf import LinkBuf, link_at
from spec.lsn import block_start, event_slot, file_block_index
from spec.params import Params
from spec.state import (
    COPIED,
    FRG_SET,
    IDLE,
    RESERVED,
    WAITING_PCS,
    State,
    current_lsn,
    user_end_lsn,
    user_start_lsn,
)

WIDTH = 1000
"""Width of every picture in px."""
MARGIN = 16
PANEL_GAP = 12
CHANGED = "#e8590c"
"""Outline colour of the parts that changed since ``before``."""

COLOURS: dict[str, str] = {
    "written": "#c9cfd6",
    "ready": "#69db7c",
    "copied": "#ffd43b",
    "reserved": "#ffa8a8",
    "free": "#ffffff",
    "header": "#868e96",
}
"""Fill of each kind of log-buffer byte (also the legend)."""
LEGEND: tuple[tuple[str, str], ...] = (
    ("written", "written to the files (< write_lsn)"),
    ("ready", "ready to write (< buf_ready_for_write_lsn)"),
    ("copied", "copied, above buf_ready_for_write_lsn"),
    ("reserved", "being copied (reserved)"),
    ("free", "free"),
    ("header", "block header / trailer"),
)

MARKER_COLOURS: dict[str, str] = {
    "checkpoint_lsn": "#862e9c",
    "pending_checkpoint_lsn": "#cc5de8",
    "flushed_to_disk_lsn": "#1864ab",
    "write_lsn": "#2b8a3e",
    "buf_ready_for_write_lsn": "#5c940d",
    "dirty_pages_added_up_to_lsn": "#a61e4d",
    "current_lsn": "#c92a2a",
}

RING_CELLS_MAX = 256
"""A log buffer of at most this many bytes is drawn byte by byte, larger ones as a window."""
SLOTS_MAX = 32
"""Link rings / event slot arrays up to this size are drawn slot by slot."""
FILE_BLOCKS_MAX = 32
"""Files of up to this many data blocks are drawn block by block."""
LIST_ITEMS_MAX = 12
"""Items shown per flush list / live links / pages before "+N more"."""


def markers(p: Params, s: State) -> list[tuple[str, int]]:
    """The lsn markers drawn on the axis, lowest lsn first (ties in pipeline order): the
    names are the design's; ``pending_checkpoint_lsn`` only while a checkpoint is pending."""
    out = [
        ("checkpoint_lsn", s.checkpoint.checkpoint_lsn),
        ("flushed_to_disk_lsn", s.flushed_to_disk_lsn),
        ("write_lsn", s.writer.write_lsn),
        ("buf_ready_for_write_lsn", s.recent_written.tail),
        ("dirty_pages_added_up_to_lsn", s.recent_closed.tail),
        ("current_lsn", current_lsn(p, s)),
    ]
    if s.checkpoint.pending_lsn:
        out.insert(1, ("pending_checkpoint_lsn", s.checkpoint.pending_lsn))
    order = {name: i for i, (name, _) in enumerate(out)}
    return sorted(out, key=lambda m: (m[1], order[m[0]]))


class _Svg:
    """A list of SVG elements; coordinates are ints or one-decimal floats (deterministic)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str = "#495057",
             extra: str = "") -> None:
        self.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.5))}" '
                 f'height="{_n(h)}" fill="{fill}" stroke="{stroke}"{extra}/>')

    def text(self, x: float, y: float, s: str, size: int = 11, anchor: str = "start",
             fill: str = "#212529", weight: str = "normal", extra: str = "") -> None:
        bold = ' font-weight="bold"' if weight == "bold" else ""
        self.add(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" '
                 f'fill="{fill}"{bold}{extra}>{escape(s)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#495057",
             width: float = 1, extra: str = "") -> None:
        self.add(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                 f'stroke="{stroke}" stroke-width="{_n(width)}"{extra}/>')


def _n(v: float) -> str:
    """A coordinate as text: integers as such, other values with one decimal."""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.1f}"


def _fmt(n: int) -> str:
    return f"{n:,}"


# --- panels -----------------------------------------------------------------------------------

class _Panel:
    """A titled box of the picture; ``body`` elements are drawn from ``y`` downwards."""

    def __init__(self, svg: _Svg, y: int, title: str, changed: bool, pid: str) -> None:
        self.svg = svg
        self.top = y
        self.changed = changed
        self.pid = pid
        self.title = title
        self.start = len(svg.parts)
        svg.add(f'<g id="{pid}" data-changed="{str(changed).lower()}">')
        svg.text(MARGIN + 8, y + 16, title, size=13, weight="bold")
        if changed:
            svg.text(WIDTH - MARGIN - 8, y + 16, "changed", size=11, anchor="end",
                     fill=CHANGED, weight="bold")

    def close(self, bottom: int) -> int:
        colour, width = (CHANGED, 2.5) if self.changed else ("#adb5bd", 1.0)
        box = (f'<rect x="{MARGIN}" y="{self.top}" width="{WIDTH - 2 * MARGIN}" '
               f'height="{bottom - self.top + 6}" rx="6" fill="#f8f9fa" stroke="{colour}" '
               f'stroke-width="{_n(width)}"/>')
        self.svg.parts.insert(self.start + 1, box)
        self.svg.add("</g>")
        return bottom + 6 + PANEL_GAP


def _axis_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    ms = markers(p, s)
    old = dict(markers(p, before)) if before is not None else {}
    panel = _Panel(svg, y, "lsn axis", bool(before) and old != dict(ms), "panel-axis")
    lo = min(v for _, v in ms)
    hi = max(v for _, v in ms)
    span = max(hi - lo, 1)
    x0, x1 = MARGIN + 60, WIDTH - MARGIN - 60
    ay = y + 70

    def xof(v: int) -> float:
        return x0 + (v - lo) * (x1 - x0) / span

    svg.line(x0 - 20, ay, x1 + 20, ay, width=2)
    svg.text(x0 - 24, ay + 4, _fmt(lo), size=10, anchor="end")
    svg.text(x1 + 24, ay + 4, _fmt(hi), size=10)
    # labels on rows above / below the axis so that equal lsns do not overlap
    rows: list[float] = []
    for name, v in ms:
        x = xof(v)
        label = f"{name} {_fmt(v)}"
        w = 6.2 * len(label)
        right = x + w > WIDTH - MARGIN - 4
        left_edge = x - w if right else x
        row = 0
        while row < len(rows) and rows[row] > left_edge - 4:
            row += 1
        if row == len(rows):
            rows.append(0.0)
        rows[row] = left_edge + w
        colour = MARKER_COLOURS[name]
        moved = (name in old and old[name] != v) or (before is not None and name not in old)
        ly = ay + 20 + 14 * row
        svg.add(f'<g data-marker="{name}" data-lsn="{v}">')
        svg.line(x, ay - 8, x, ly - 9, stroke=colour, width=2)
        svg.add(f'<circle cx="{_n(x)}" cy="{ay}" r="4" fill="{colour}"/>')
        svg.text(x, ly, label, size=11, fill=CHANGED if moved else colour,
                 weight="bold" if moved else "normal", anchor="end" if right else "start")
        svg.add("</g>")
    # the log buffer window and the capacity on the same axis
    wb = block_start(p, s.writer.write_lsn)
    svg.text(x0, y + 36, f"sn {_fmt(s.sn)} · groups reserved {len(s.groups)} · log buffer "
             f"window [{_fmt(wb)}, {_fmt(wb + p.log_buffer_size)}) · capacity "
             f"{_fmt(p.log_capacity)} lsn bytes in {p.n_files} files", size=11)
    if s.crashed:
        svg.text(WIDTH - MARGIN - 90, y + 36, "RECOVERED" if s.recovered else "CRASHED",
                 size=13, fill="#c92a2a", weight="bold", anchor="end")
    return panel.close(ay + 20 + 14 * max(len(rows), 1))


def _byte_kind(p: Params, s: State, lsn: int, owner: dict[int, str]) -> str:
    off = lsn % p.block_size
    if off < p.header_size or off >= p.block_size - p.trailer_size:
        return "header"
    if lsn < s.writer.write_lsn:
        return "written"
    if lsn < s.recent_written.tail:
        return "ready"
    if lsn < current_lsn(p, s):
        for start, end, _page in reversed(s.groups):
            if start <= lsn < end:
                return owner.get(start, "copied")
        return "copied"
    return "free"


def _group_owner(p: Params, s: State) -> dict[int, str]:
    """start lsn of each group still being copied -> "reserved"."""
    out: dict[int, str] = {}
    for u in s.users:
        if u.pc == RESERVED:
            out[user_start_lsn(p, u)] = "reserved"
    return out


def _window_bar(svg: _Svg, p: Params, s: State, lo: int, hi: int, by: float, x0: float,
                x1: float) -> None:
    """The lsns [lo, hi) of the buffer window as proportional segments by kind."""
    cur = current_lsn(p, s)

    def xof(v: int) -> float:
        return x0 + min(max(v - lo, 0), hi - lo) * (x1 - x0) / (hi - lo)

    segs = [("written", lo, s.writer.write_lsn),
            ("ready", s.writer.write_lsn, s.recent_written.tail),
            ("copied", s.recent_written.tail, cur),
            ("free", cur, hi)]
    for u in s.users:
        if u.pc == RESERVED:
            segs.append(("reserved", user_start_lsn(p, u), user_end_lsn(p, u)))
    for kind, a, b in segs:
        a, b = max(a, lo), min(b, hi)
        if b > a:
            svg.rect(xof(a), by, xof(b) - xof(a), 26, COLOURS[kind],
                     extra=f' data-kind="{kind}" data-from="{a}" data-to="{b}"')


def _buffer_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    changed = before is not None and (
        before.buffer != s.buffer or before.sn != s.sn
        or before.writer.write_lsn != s.writer.write_lsn
        or before.recent_written.tail != s.recent_written.tail
        or _group_owner(p, before) != _group_owner(p, s))
    n = p.log_buffer_size
    nblocks = n // p.block_size
    panel = _Panel(svg, y, f"log buffer: {_fmt(nblocks)} blocks of {p.block_size} bytes "
                   f"({_fmt(n)} bytes, a ring addressed by lsn % {_fmt(n)})", changed,
                   "panel-buffer")
    wb = block_start(p, s.writer.write_lsn)
    owner = _group_owner(p, s)
    cur = current_lsn(p, s)
    x0, x1 = MARGIN + 10, WIDTH - MARGIN - 10
    by = y + 52
    if n <= RING_CELLS_MAX:
        cw = (x1 - x0) / n
        for r in range(n):
            lsn = wb + (r - wb) % n
            kind = _byte_kind(p, s, lsn, owner)
            blk = r // p.block_size
            frg, data = s.buffer[blk]
            ch = before is not None and before.buffer[blk] != s.buffer[blk]
            svg.rect(x0 + r * cw, by, cw, 26, COLOURS[kind],
                     stroke=CHANGED if ch else "#868e96",
                     extra=f' data-ring="{r}" data-lsn="{lsn}" data-kind="{kind}"')
            off = r % p.block_size
            if p.header_size <= off < p.block_size - p.trailer_size and kind != "free":
                b = data[off - p.header_size]
                svg.text(x0 + (r + 0.5) * cw, by + 17, str(b), size=9, anchor="middle")
        for blk in range(nblocks):
            bx = x0 + blk * p.block_size * cw
            svg.line(bx, by - 6, bx, by + 34, width=2)
            lsn = wb + (blk * p.block_size - wb) % n
            frg = s.buffer[blk][0]
            svg.text(bx + 3, by - 8, f"block {blk}: lsn {_fmt(lsn)}..{_fmt(lsn + p.block_size)}"
                     f" · first_rec_group {frg}", size=10)
        svg.line(x1, by - 6, x1, by + 34, width=2)
        my = by + 40
        rows: list[float] = []
        for name, v in markers(p, s):
            if not wb <= v <= wb + n:
                continue
            r = (v - wb + wb) % n if v < wb + n else n
            x = x0 + r * cw
            my_row = 0
            label = name
            while my_row < len(rows) and rows[my_row] > x - 2:
                my_row += 1
            if my_row == len(rows):
                rows.append(0.0)
            rows[my_row] = x + 6.0 * len(label)
            colour = MARKER_COLOURS[name]
            ty = my + 12 + 13 * my_row
            right = x + 6.0 * len(label) > WIDTH - MARGIN - 4
            svg.add(f'<g data-ring-marker="{name}" data-lsn="{v}">')
            svg.add(f'<path d="M{_n(x)} {my - 6} l-4 6 h8 z" fill="{colour}"/>')
            svg.line(x, my, x, ty - 9, stroke=colour)
            svg.text(x - 2 if right else x + 2, ty, label, size=10, fill=colour,
                     anchor="end" if right else "start")
            svg.add("</g>")
        bottom = my + 12 + 13 * max(len(rows), 1)
    else:
        # a proportional window [wb, wb + n) with the pipeline's segments, and a zoom on
        # the part in use when it is a sliver of the whole
        svg.text(x0, by - 8, f"window from the block of write_lsn: lsn {_fmt(wb)} .. "
                 f"{_fmt(wb + n)} (ring position {_fmt(wb % n)} .. wraps)", size=10)
        _window_bar(svg, p, s, wb, wb + n, by, x0, x1)
        used = cur - s.writer.write_lsn
        svg.text(x0, by + 44, f"{_fmt(s.recent_written.tail - s.writer.write_lsn)} bytes ready, "
                 f"{_fmt(max(cur - s.recent_written.tail, 0))} copied or being copied, "
                 f"{_fmt(used)} of {_fmt(n)} bytes in use "
                 f"({100 * used / n:.3f}%)", size=11)
        bottom = by + 56
        hi = min(wb + n, block_start(p, cur) + 2 * p.block_size)
        if (hi - wb) * 20 < n:
            svg.text(x0, bottom + 6, f"zoom: lsn {_fmt(wb)} .. {_fmt(hi)} "
                     f"({(hi - wb) // p.block_size} blocks)", size=10)
            _window_bar(svg, p, s, wb, hi, bottom + 12, x0, x1)
            for blk in range(wb, hi + 1, p.block_size):
                bx = x0 + (blk - wb) * (x1 - x0) / (hi - wb)
                svg.line(bx, bottom + 8, bx, bottom + 42, width=1.5)
            bottom += 50
    if cur > wb + n:
        svg.text(x0, bottom, f"reserved beyond the buffer: {_fmt(cur - wb - n)} bytes (the "
                 "users wait for space, USR-1)", size=10, fill="#c92a2a")
        bottom += 14
    bottom = _legend(svg, x0, bottom, [(COLOURS[k], t) for k, t in LEGEND])
    return panel.close(bottom)


def _legend(svg: _Svg, x0: float, y: float, items: Sequence[tuple[str, str]]) -> int:
    """Colour swatches with their text, wrapped to the picture's width; returns the y below."""
    lx = x0
    for fill, text in items:
        w = 26 + 5.6 * len(text)
        if lx + w > WIDTH - MARGIN - 8:
            lx = x0
            y += 16
        svg.rect(lx, y, 12, 12, fill)
        svg.text(lx + 16, y + 10, text, size=10)
        lx += w
    return int(y + 14)


def _user_text(p: Params, s: State, i: int) -> str:
    u = s.users[i]
    if u.pc == IDLE:
        return f"user {i}: idle"
    a, b = user_start_lsn(p, u), user_end_lsn(p, u)
    text = f"user {i}: {u.pc} · group [{_fmt(a)}, {_fmt(b)}) of {u.size} sn · page {u.page}"
    if u.wait != "none":
        text += f" · waits for {u.wait}_lsn >= {_fmt(b)}"
    if u.pc in WAITING_PCS and u.wait in ("write", "flush"):
        slots = p.write_events if u.wait == "write" else p.flush_events
        text += f" on {u.wait} slot {event_slot(p, b, slots)}"
        if u.signalled:
            text += " · signalled"
    return text


def _users_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    panel = _Panel(svg, y, f"user threads ({len(s.users)})",
                   before is not None and before.users != s.users, "panel-users")
    ty = y + 36
    pcs = (RESERVED, COPIED, FRG_SET)
    for i, u in enumerate(s.users):
        ch = before is not None and before.users[i] != u
        colour = "#e03131" if u.pc in pcs else "#1971c2" if u.pc in WAITING_PCS else "#212529"
        svg.text(MARGIN + 12, ty, _user_text(p, s, i), size=11,
                 fill=CHANGED if ch else colour, weight="bold" if ch else "normal",
                 extra=f' data-user="{i}" data-pc="{u.pc}"')
        ty += 15
    return panel.close(ty - 6)


def _ring_links(lb: LinkBuf, variant: str) -> list[tuple[int, int, int, bool]]:
    """(slot, start lsn, end lsn, live) of every non-empty slot: the start is the lsn in
    ``[tail, tail + capacity)`` that maps to the slot."""
    out = []
    mask = lb.capacity - 1
    for i, v in lb.links:
        start = lb.tail + ((i - lb.tail) & mask)
        end = link_at(lb, start, variant)  # type: ignore[arg-type]
        out.append((i, start, end if end is not None else (v if variant != "seeds" else
                                                             start + v), end is not None))
    return out


def _ring(svg: _Svg, p: Params, lb: LinkBuf, old: LinkBuf | None, name: str, tail_name: str,
          y: int) -> int:
    """One link ring at ``y``; returns the next free y."""
    x0, x1 = MARGIN + 12, WIDTH - MARGIN - 12
    links = _ring_links(lb, p.link_buf)
    ch = old is not None and old != lb
    svg.text(x0, y + 12, f"{name}: {_fmt(lb.capacity)} slots · tail = {tail_name} = "
             f"{_fmt(lb.tail)} (slot {lb.tail & (lb.capacity - 1)}) · {len(links)} "
             f"link{'s' if len(links) != 1 else ''}", size=11,
             fill=CHANGED if ch else "#212529", weight="bold" if ch else "normal",
             extra=f' data-ring-name="{name}" data-tail="{lb.tail}"')
    if lb.capacity <= SLOTS_MAX:
        cw = (x1 - x0) / lb.capacity
        sy = y + 56
        olds = dict(old.links) if old is not None and old.capacity == lb.capacity else {}
        vals = dict(lb.links)
        tail_slot = lb.tail & (lb.capacity - 1)
        for i in range(lb.capacity):
            v = vals.get(i, 0)
            changed = old is not None and olds.get(i, 0) != v
            fill = "#d0ebff" if v else "#ffffff"
            svg.rect(x0 + i * cw, sy, cw, 22, fill, stroke=CHANGED if changed else "#868e96",
                     extra=f' data-slot="{i}" data-value="{v}"')
            svg.text(x0 + (i + 0.5) * cw, sy + 15, str(v) if v else "·", size=10,
                     anchor="middle")
            svg.text(x0 + (i + 0.5) * cw, sy + 34, str(i), size=8, anchor="middle",
                     fill="#868e96")
        for i, start, end, live in links:
            xa = x0 + (i + 0.5) * cw
            xb = x0 + ((end & (lb.capacity - 1)) + 0.5) * cw
            if end - start >= lb.capacity:  # a full lap: draw it leaving to the right
                xb = x1
            h = 10 + min(abs(xb - xa) / 6, 26)
            colour = "#1971c2" if live else "#adb5bd"
            svg.add(f'<path d="M{_n(xa)} {sy} Q{_n((xa + xb) / 2)} {_n(sy - 2 * h)} '
                    f'{_n(xb)} {sy}" fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'marker-end="url(#arrow)" data-link="{start}-{end}"/>')
            svg.text((xa + xb) / 2, sy - h - 2, f"{_fmt(start)}→{_fmt(end)}", size=9,
                     anchor="middle", fill=colour)
        tx = x0 + (tail_slot + 0.5) * cw
        svg.add(f'<path d="M{_n(tx)} {sy + 38} l-5 8 h10 z" fill="#c92a2a"/>')
        svg.text(tx, sy + 58, f"tail {_fmt(lb.tail)}", size=10, anchor="middle",
                 fill="#c92a2a")
        return sy + 66
    ty = y + 28
    shown = links[:LIST_ITEMS_MAX]
    text = "  ".join(f"[{_fmt(a)} → {_fmt(b)}){'' if live else ' stale'}"
                     for _, a, b, live in shown)
    if len(links) > len(shown):
        text += f"  +{len(links) - len(shown)} more"
    svg.text(x0 + 12, ty, "links: " + (text or "none (every slot empty)"), size=10)
    return ty + 10


def _rings_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    changed = before is not None and (before.recent_written != s.recent_written
                                      or before.recent_closed != s.recent_closed)
    second = "recent_closed" if p.version == "8.0" else "flush-list-added tracker"
    panel = _Panel(svg, y, f"link rings (LNK-1..6, {p.link_buf} variant): recent_written and "
                   f"{second}", changed, "panel-rings")
    svg.add('<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="6" refY="4" '
            'orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#1971c2"/></marker></defs>')
    ny = _ring(svg, p, s.recent_written, before.recent_written if before else None,
               "recent_written", "buf_ready_for_write_lsn", y + 24)
    ny = _ring(svg, p, s.recent_closed, before.recent_closed if before else None, second,
               "dirty_pages_added_up_to_lsn", ny + 4)
    return panel.close(ny)


def _waiters(p: Params, s: State, kind: str, n: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i, u in enumerate(s.users):
        if u.pc in WAITING_PCS and u.wait == kind:
            out.setdefault(event_slot(p, user_end_lsn(p, u), n), []).append(i)
    return out


def _waiter_view(p: Params, s: State) -> tuple[tuple[int, str, str, bool], ...]:
    """What the event-slot panel shows of the users: each waiter's kind, pc and signal."""
    return tuple((i, u.wait, u.pc, u.signalled) for i, u in enumerate(s.users)
                 if u.pc in WAITING_PCS and u.wait in ("write", "flush"))


def _events_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    changed = before is not None and (before.notifiers != s.notifiers
                                      or _waiter_view(p, before) != _waiter_view(p, s))
    panel = _Panel(svg, y, "event slots and notifiers (NT-1..5, USR-5..7)", changed,
                   "panel-events")
    nt = s.notifiers
    ty = y + 30
    x0 = MARGIN + 12
    for kind, n, pos, event in (
            ("write", p.write_events, nt.write_notifier_lsn, nt.write_notifier_event),
            ("flush", p.flush_events, nt.flush_notifier_lsn, nt.flush_notifier_event)):
        svg.text(x0, ty + 12, f"{kind} notifier: notifies from lsn {_fmt(pos)} · "
                 f"{kind}_notifier_event {'SET' if event else 'clear'} · {_fmt(n)} slots",
                 size=11, fill="#c92a2a" if event else "#212529",
                 extra=f' data-notifier="{kind}" data-event="{str(event).lower()}"')
        waiters = _waiters(p, s, kind, n)
        slots = range(n) if n <= SLOTS_MAX else sorted(waiters)
        sx: float = x0
        sy = ty + 20
        for slot in slots:
            users = waiters.get(slot, [])
            labels = []
            for i in users:
                u = s.users[i]
                labels.append(f"u{i} {u.pc}{' ✓' if u.signalled else ''}")
            text = f"slot {slot}: " + (", ".join(labels) if labels else "—")
            w = 16 + 6.0 * len(text)
            if sx + w > WIDTH - MARGIN - 12:
                sx = x0
                sy += 26
            svg.rect(sx, sy, w, 20, "#e7f5ff" if users else "#ffffff",
                     extra=f' data-event-slot="{kind}:{slot}" data-waiters="'
                           f'{",".join(map(str, users))}"')
            svg.text(sx + 8, sy + 14, text, size=10)
            sx += w + 6
        if n > SLOTS_MAX and not waiters:
            svg.text(x0, sy + 14, "no user waits on any slot", size=10, fill="#868e96")
        ty = sy + 28
    return panel.close(ty - 6)


def _block_kind(b: FileBlock | None, d: FileBlock | None) -> str:
    if b is None:
        return "empty"
    if b.hdr_no == 0:
        return "padding" if b == d else "padding, not synced"
    return "written" if b == d else "not synced"


BLOCK_FILLS = {"empty": "#ffffff", "padding": "#e9ecef", "padding, not synced": "#fff4e6",
               "written": "#b2f2bb", "not synced": "#ffe066"}


def _files_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    cp = s.checkpoint
    changed = before is not None and (before.files != s.files or before.disk != s.disk
                                      or before.checkpoint != s.checkpoint)
    nb = p.file_data_size // p.block_size
    panel = _Panel(svg, y, f"log files: {p.n_files} × ({_fmt(nb)} data blocks + 4 header "
                   "blocks), OS cache vs disk (FMT-3..10)", changed, "panel-files")
    x0, x1 = MARGIN + 12, WIDTH - MARGIN - 12
    ty = y + 34

    def cpb(v: tuple[CheckpointBlock | None, CheckpointBlock | None]) -> str:
        return " · ".join(f"CHECKPOINT_{k + 1}: " + (
            "—" if b is None else f"no {b[0]} lsn {_fmt(b[1])}{'' if b[2] else ' TORN'}")
            for k, b in enumerate(v))

    svg.text(x0, ty, f"checkpoint_lsn {_fmt(cp.checkpoint_lsn)} · next checkpoint_no "
             f"{cp.checkpoint_no} · pending "
             f"{_fmt(cp.pending_lsn) if cp.pending_lsn else 'none'}", size=11,
             extra=f' data-checkpoint="{cp.checkpoint_lsn}"')
    svg.text(x0, ty + 15, "OS cache: " + cpb(cp.blocks_written), size=10)
    svg.text(x0, ty + 29, "disk:     " + cpb(cp.blocks_disk), size=10)
    ty += 44
    wf, _ = file_block_index(p, s.writer.write_lsn)
    for f in range(p.n_files):
        files, disk = s.files[f], s.disk[f]
        old = before.files[f] if before is not None else None
        svg.text(x0, ty + 12, f"file {f}{' (writer here)' if f == s.writer.file_no else ''}"
                 f"{' · write_lsn is in this file' if f == wf else ''}", size=11)
        ty += 18
        if nb <= FILE_BLOCKS_MAX:
            cw = min((x1 - x0) / nb, 110)
            for i in range(nb):
                b, d = files[i], disk[i]
                kind = _block_kind(b, d)
                ch = old is not None and old[i] != b
                svg.rect(x0 + i * cw, ty, cw - 4, 50, BLOCK_FILLS[kind],
                         stroke=CHANGED if ch else "#868e96",
                         extra=f' data-file-block="{f}:{i}" data-kind="{kind}"'
                               + (f' data-hdr-no="{b.hdr_no}" data-len="{b.data_len}"'
                                  f' data-frg="{b.first_rec_group}"'
                                  f' data-flush="{str(b.flush_bit).lower()}"' if b else ""))
                if b is not None and b.flush_bit:
                    svg.rect(x0 + i * cw, ty, 4, 50, "#1864ab", stroke="#1864ab")
                cx = x0 + i * cw + 8
                if b is None:
                    svg.text(cx, ty + 14, f"{i}: empty", size=9, fill="#868e96")
                elif b.hdr_no == 0:
                    svg.text(cx, ty + 14, f"{i}: zeros", size=9)
                    svg.text(cx, ty + 27, "(padding)", size=9)
                else:
                    svg.text(cx, ty + 14, f"{i}: hdr_no {b.hdr_no}"
                             f"{' F' if b.flush_bit else ''}", size=9)
                    svg.text(cx, ty + 27, f"len {b.data_len} frg {b.first_rec_group}", size=9)
                    svg.text(cx, ty + 40, f"cp_no {b.checkpoint_no}", size=9)
                    if kind == "not synced":
                        svg.text(cx, ty + 49, "not synced", size=8, fill="#e8590c")
            ty += 58
        else:
            runs: list[tuple[str, int, int]] = []
            for i in range(nb):
                kind = _block_kind(files[i], disk[i])
                if runs and runs[-1][0] == kind:
                    runs[-1] = (kind, runs[-1][1], i + 1)
                else:
                    runs.append((kind, i, i + 1))
            for kind, a, b2 in runs:
                xa = x0 + a * (x1 - x0) / nb
                xb = x0 + b2 * (x1 - x0) / nb
                svg.rect(xa, ty, xb - xa, 18, BLOCK_FILLS[kind],
                         extra=f' data-file-run="{f}:{a}-{b2}" data-kind="{kind}"')
            counts = {k: 0 for k in BLOCK_FILLS}
            for kind, a, b2 in runs:
                counts[kind] += b2 - a
            svg.text(x0, ty + 32, " · ".join(f"{k} {_fmt(v)}" for k, v in counts.items()
                                             if v), size=10)
            ty += 40
    items = [(fill, kind) for kind, fill in BLOCK_FILLS.items()]
    items.append(("#1864ab", "flush bit (first block of a write, FMT-4)"))
    return panel.close(_legend(svg, x0, ty, items))


def _pages_panel(svg: _Svg, p: Params, s: State, before: State | None, y: int) -> int:
    pg = s.pages
    panel = _Panel(svg, y, f"flush lists ({len(pg.flush_lists)}) and pages ({len(pg.newest)})"
                   " (CP-2, CP-3, CP-6)", before is not None and before.pages != pg,
                   "panel-pages")
    x0 = MARGIN + 12
    ty = y + 34
    for k, fl in enumerate(pg.flush_lists):
        shown = fl[:LIST_ITEMS_MAX]
        items = " → ".join(f"page {page} (oldest {_fmt(o)})" for page, o in shown)
        more = f" → … +{len(fl) - len(shown)} more" if len(fl) > len(shown) else ""
        lines = textwrap.wrap(f"flush list {k} (newest first, tail last): "
                              + (items + more if fl else "empty"), 140)
        for j, line in enumerate(lines):
            svg.text(x0 + (12 if j else 0), ty, line, size=11,
                     extra="" if j else f' data-flush-list="{k}" data-len="{len(fl)}"')
            ty += 15
    pages = [i for i in range(len(pg.newest))
             if len(pg.newest) <= LIST_ITEMS_MAX or pg.newest[i] or pg.on_disk[i]]
    shown_pages = pages[:LIST_ITEMS_MAX]
    text = " · ".join(f"page {i}: " + (f"dirty, newest {_fmt(pg.newest[i])}" if pg.newest[i]
                                       else "clean") + f", on disk {_fmt(pg.on_disk[i])}"
                      for i in shown_pages)
    if len(pages) > len(shown_pages):
        text += f" · +{len(pages) - len(shown_pages)} more"
    if len(pg.newest) > LIST_ITEMS_MAX:
        text = f"(pages never modified not shown) {text}"
    for line in textwrap.wrap(text or "no page modified yet", 165):
        svg.text(x0, ty + 2, line, size=10)
        ty += 14
    return panel.close(ty - 6)


def draw(p: Params, s: State, before: State | None = None, title: str = "") -> str:
    """The SVG picture of ``s`` in configuration ``p`` (see the module docstring); with
    ``before``, the parts that changed since that state are outlined."""
    svg = _Svg()
    y = MARGIN
    if title:
        svg.text(MARGIN, y + 14, title, size=14, weight="bold")
        y += 24
    for panel in (_axis_panel, _buffer_panel, _users_panel, _rings_panel, _events_panel,
                  _files_panel, _pages_panel):
        y = panel(svg, p, s, before, y)
    height = y + MARGIN - PANEL_GAP
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, '
            f'sans-serif" data-current-lsn="{current_lsn(p, s)}">')
    return "\n".join([head, f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
                      *svg.parts, "</svg>"]) + "\n"


def draw_trace(p: Params, states: Sequence[State], labels: Sequence[str]) -> list[str]:
    """One picture per state of a replayed trace, each titled with the label that led to it
    and outlining what that label changed."""
    out = [draw(p, states[0], title="initial state")]
    for i, (label, st) in enumerate(zip(labels, states[1:], strict=True)):
        out.append(draw(p, st, before=states[i], title=f"step {i + 1}: {label}"))
    return out


__all__ = ["COLOURS", "draw", "draw_trace", "markers"]
