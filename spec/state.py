"""The whole redo log system as one immutable, hashable value.

A :class:`State` is made of per-actor sub-records (frozen attrs with a cached hash), so that a
step copies only the records its actor changes and the explorer's hashing reuses the cached
hashes of the others. Every field is an int, a bool, a short string, ``bytes`` (log data, one
int 0..255 per byte) or a small tuple of those, so that ``proofs/`` can encode the same fields
in z3.

Reading guide (field -> design word):

* ``sn``: next sn to reserve (log.sn); the current lsn is ``sn_to_lsn(sn)``.
* ``users[i]``: user thread i's progress through one record group (:class:`UserState`).
* ``groups``: every group reserved so far as ``(start_lsn, end_lsn, page)``, in lsn order (the
  history RC-4 and LNK-5 compare against).
* ``buffer``: the ring log buffer, one ``(first_rec_group, data)`` per block, block ``i``
  holding the lsns ``≡ i * block_size (mod log_buffer_size)``. Header fields other than
  first_rec_group are set by the writer when it writes the block.
* ``recent_written`` / ``recent_closed``: :class:`~spec.linkbuf.LinkBuf` values; their tails
  are buf_ready_for_write_lsn and buf_dirty_pages_added_up_to_lsn (9.0: the tracker's
  smallest_not_added_lsn).
* ``writer``: write_lsn, the file the writer is in, write_ahead_end_offset (a file offset, decision
  10). ``flushed_to_disk_lsn``.
* ``files`` (OS-cache view) and ``disk`` (durable view): per file a tuple of data blocks
  (:class:`~spec.blocks.FileBlock`, or None = never written).
* ``checkpoint``: published checkpoint_lsn, next checkpoint_no, the pending (written, not yet
  synced) checkpoint and both checkpoint blocks in the OS-cache and durable views (FMT-10).
* ``notifiers``: each notifier's position (the lsn it notifies from) and its event.
* ``pages``: flush lists (newest first), each page's newest modification, each page's lsn in
  the data file.
* ``crashed`` / ``recovered`` / ``generation``: the crash actions (RC-1..4). ``recover``
  restarts the log on the recovered files (``log_start``): ``recovered`` says the state
  descends from a recovery, ``generation`` counts the crashes so far (bounded by
  ``Params.max_crashes``).
* ``monitor`` and ``last_write``: observations (``eq=False``): counters and the last file write,
  for the WR-6 step invariant; they take no part in equality or hashing (decision 8).
"""

from __future__ import annotations

import operator
from typing import Any

import attrs

from spec.blocks import CheckpointBlock, FileBlock
from spec.linkbuf import LinkBuf
from spec.lsn import sn_to_lsn
from spec.params import Params

# --- user thread program counter ---------------------------------------------------------
IDLE = "idle"
"""No group in progress (USR-1 may reserve)."""
RESERVED = "reserved"
"""Reserved [start, end), not yet copied (USR-1)."""
COPIED = "copied"
"""Copied into the log buffer; first_rec_group still to set if the group ends in a later block
(USR-2)."""
FRG_SET = "frg_set"
"""first_rec_group set (USR-2); the recent-written link comes next (USR-3)."""
LINKED = "linked"
"""Recent-written link added (USR-3); dirty pages come next (USR-4)."""
PAGES_ADDED = "pages_added"
"""Dirty pages added to the flush lists (USR-4, CP-3); the recent-closed link comes next."""
CLOSED = "closed"
"""Group closed; the thread now waits for write or flush (USR-5, USR-6): reset comes next."""
RESET = "reset"
"""Event reset (signalled cleared); the condition check comes next (USR-7)."""
SLEEPING = "sleeping"
"""Checked the condition, it was false; sleeps on its slot until signalled (USR-7)."""

WAITING_PCS = frozenset({CLOSED, RESET, SLEEPING})
UNLINKED_PCS = frozenset({RESERVED, COPIED, FRG_SET})


@attrs.frozen(cache_hash=True)
class UserState:
    """One user thread. ``start_sn``/``size``/``page``/``wait`` describe its current group
    (all 0 / "none" when idle, so idle threads do not multiply states); ``signalled`` is
    decision 1's signal-count bit: its slot was set since its own reset (USR-7)."""

    pc: str = IDLE
    start_sn: int = 0
    size: int = 0
    page: int = 0
    wait: str = "none"
    signalled: bool = False


IDLE_USER = UserState()


@attrs.frozen(cache_hash=True)
class WriterState:
    """The log writer's own variables (WR-1..9)."""

    write_lsn: int
    file_no: int
    """The file the writer is currently writing (moving to the next one resets
    write_ahead_end_offset, decision 10)."""
    write_ahead_end_offset: int
    """File offset up to which whole write-ahead regions were written (MySQL's name)."""


@attrs.frozen(cache_hash=True)
class CheckpointState:
    """The checkpointer's variables (CP-2..5, CP-7, FMT-10)."""

    checkpoint_lsn: int
    """last_checkpoint_lsn: the published (durable) checkpoint."""
    checkpoint_no: int
    """next_checkpoint_no: the number the next checkpoint gets; written into block headers."""
    pending_lsn: int
    """checkpoint lsn written to the OS cache but not yet synced, or 0 for none."""
    blocks_written: tuple[CheckpointBlock | None, CheckpointBlock | None]
    """LOG_CHECKPOINT_1 and _2 in the OS-cache view."""
    blocks_disk: tuple[CheckpointBlock | None, CheckpointBlock | None]
    """LOG_CHECKPOINT_1 and _2 in the durable view."""


@attrs.frozen(cache_hash=True)
class NotifierState:
    """Write and flush notifiers (NT-1..5): each notifier's position (the lsn it notifies from
    next, the previous value it notified up to + 1; the implementation's ``notifier.lsn``) and
    whether its event is set (``write_notifier_event`` / ``flush_notifier_event``)."""

    write_notifier_lsn: int
    write_notifier_event: bool
    flush_notifier_lsn: int
    flush_notifier_event: bool


@attrs.frozen(cache_hash=True)
class PagesState:
    """Dirty pages (CP-2, CP-3, CP-6).

    ``flush_lists[i]``: ``(page, oldest_modification)`` pairs, most recently added first (the
    list's *tail*, its last element, is the earliest added); ``newest[page]``: the page's
    newest_modification while dirty, 0 when clean; ``on_disk[page]``: the page_lsn of the
    page in the data file (0 = never written)."""

    flush_lists: tuple[tuple[tuple[int, int], ...], ...]
    newest: tuple[int, ...]
    on_disk: tuple[int, ...]


@attrs.frozen
class Monitor:
    """Monitor counters (observations, decision 8): MONITOR_LOG_FULL_BLOCK_WRITES,
    MONITOR_LOG_PARTIAL_BLOCK_WRITES, MONITOR_LOG_PADDED bytes, file writes, fsyncs, direct
    and notifier-driven notifications."""

    full_block_writes: int = 0
    partial_block_writes: int = 0
    write_ahead_padding_bytes: int = 0
    log_writes: int = 0
    fsyncs: int = 0
    direct_notifications: int = 0
    notifier_wakeups: int = 0


Files = tuple[tuple[FileBlock | None, ...], ...]
BufferBlock = tuple[int, bytes]
"""(first_rec_group, data) of one log buffer block."""
LastWrite = tuple[int, int, int, int]
"""(file, offset, length, write_ahead_end_offset before the write) of the writer's last write."""


class _HashSlot:
    """Base of :class:`State` holding its cached hash in a slot that is not an attrs field (so
    ``attrs.fields(State)``, equality and the encodings see exactly the model's fields)."""

    __slots__ = ("_hash",)


@attrs.frozen(eq=False)
class State(_HashSlot):
    """The whole system (see the module docstring for what each field means).

    Equality is attrs' (every field but the ``eq=False`` observations), written by hand for
    speed. The hash is the sum of per-field hashes times per-field
    constants modulo 2**61 (:func:`_state_hash`), so that :func:`replace` can update a
    parent's cached hash for the changed fields only instead of re-hashing the big
    ``buffer``/``groups``/``files`` tuples of every successor (the explorer's hot path)."""

    sn: int
    users: tuple[UserState, ...]
    groups: tuple[tuple[int, int, int], ...]
    buffer: tuple[BufferBlock, ...]
    recent_written: LinkBuf
    recent_closed: LinkBuf
    writer: WriterState
    flushed_to_disk_lsn: int
    files: Files
    disk: Files
    checkpoint: CheckpointState
    notifiers: NotifierState
    pages: PagesState
    crashed: bool = False
    recovered: bool = False
    generation: int = 0
    monitor: Monitor = attrs.field(default=Monitor(), eq=False, repr=False)
    last_write: LastWrite | None = attrs.field(default=None, eq=False, repr=False)

    # --- the design's names for derived values ---------------------------------------
    @property
    def write_lsn(self) -> int:
        """write_lsn: everything below was written to the files (OS cache)."""
        return self.writer.write_lsn

    @property
    def buf_ready_for_write_lsn(self) -> int:
        """recent_written's tail: no holes below it (LNK-5)."""
        return self.recent_written.tail

    @property
    def dirty_pages_added_up_to_lsn(self) -> int:
        """recent_closed's tail (8.0) / the tracker's smallest_not_added_lsn (9.0), CP-1."""
        return self.recent_closed.tail

    @property
    def checkpoint_lsn(self) -> int:
        """The published checkpoint_lsn."""
        return self.checkpoint.checkpoint_lsn

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not State:
            return NotImplemented
        # Sub-records are shared between states, so the tuple comparison's identity
        # short-cut settles most fields without calling their __eq__.
        return bool(_GET_EQ(self) == _GET_EQ(other))

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        try:
            h: int = self._hash  # type: ignore[attr-defined]
        except AttributeError:  # built by State(...) / attrs.evolve / unpickling
            h = _compute_hash(self)
            _set_hash(self, h)
        return h


FIELD_NAMES: tuple[str, ...] = tuple(a.name for a in attrs.fields(State))
EQ_FIELD_NAMES: tuple[str, ...] = tuple(a.name for a in attrs.fields(State) if a.eq)
"""The fields that take part in equality and hashing (all but the observations)."""
_GET_EQ = operator.attrgetter(*EQ_FIELD_NAMES)
_INDEX = {name: i for i, name in enumerate(FIELD_NAMES)}

_HASH_MASK = (1 << 61) - 1
# One odd multiplier per field (splitmix64 outputs), 0 for the fields outside equality.
_MULTIPLIERS: tuple[int, ...] = (
    0x9E3779B97F4A7C15 | 1, 0xBF58476D1CE4E5B9 | 1, 0x94D049BB133111EB | 1,
    0xD6E8FEB86659FD93 | 1, 0xA0761D6478BD642F | 1, 0xE7037ED1A0B428DB | 1,
    0x8EBC6AF09C88C6E3 | 1, 0x589965CC75374CC3 | 1, 0x1D8E4E27C47D124F | 1,
    0xC2B2AE3D27D4EB4F | 1, 0x165667B19E3779F9 | 1, 0x27D4EB2F165667C5 | 1,
    0xFF51AFD7ED558CCD | 1, 0xC4CEB9FE1A85EC53 | 1, 0x87C37B91114253D5 | 1,
    0x4CF5AD432745937F | 1, 0x52DCE729DA3ED4F1 | 1, 0x9FB21C651E98DF25 | 1,
    0xD35A2D97E4B1C0F9 | 1, 0x6C8E9CF570932BD5 | 1, 0xB492B66FBE98F273 | 1,
)
assert len(_MULTIPLIERS) >= len(FIELD_NAMES), "one multiplier per State field"
_K: tuple[int, ...] = tuple(
    _MULTIPLIERS[i] if name in EQ_FIELD_NAMES else 0 for i, name in enumerate(FIELD_NAMES)
)
_EQ_K: tuple[int, ...] = tuple(k for k in _K if k)

_new = object.__new__
_set_hash = _HashSlot.__dict__["_hash"].__set__


def _compute_hash(s: State) -> int:
    """sum(K_i * hash(field_i)) mod 2**61 over the equality fields: a function of the field
    values only, so equal states hash alike however they were built."""
    h: int = sum(map(operator.mul, _EQ_K, map(hash, _GET_EQ(s))))
    return h & _HASH_MASK


_REPLACERS: dict[tuple[str, ...], Any] = {}
"""One generated replace function per set of changed fields (in keyword order)."""


def _make_replacer(names: tuple[str, ...]) -> Any:
    """``_replace(s, changes)`` for exactly the fields ``names``: straight-line code that sets
    every slot of a new State (changed ones from ``changes``, the others from ``s``) and
    updates ``s``'s hash for the changed equality fields (no loop, no per-call lookups)."""
    for name in names:
        if name not in _INDEX:
            raise KeyError(f"State has no field {name!r}")
    lines = ["def _replace(s, changes):", "    h = _hash(s)"]
    for name in names:
        i = _INDEX[name]
        lines.append(f"    v{i} = changes[{name!r}]")
        if _K[i]:
            lines.append(f"    o = s.{name}")
            lines.append(f"    if o is not v{i}:")
            lines.append(f"        h += {_K[i]} * (_hash(v{i}) - _hash(o))")
    lines.append("    t = _new(State)")
    for i, name in enumerate(FIELD_NAMES):
        value = f"v{i}" if name in names else f"s.{name}"
        lines.append(f"    _s{i}(t, {value})")
    lines += ["    _set_hash(t, h & _HASH_MASK)", "    return t", ""]
    ns: dict[str, Any] = {
        "_new": _new, "State": State, "_hash": hash, "_set_hash": _set_hash,
        "_HASH_MASK": _HASH_MASK,
        **{f"_s{i}": State.__dict__[n].__set__ for i, n in enumerate(FIELD_NAMES)},
    }
    exec("\n".join(lines), ns)  # generated from the field names above, no outside input
    return ns["_replace"]


def replace(s: State, **changes: Any) -> State:
    """A copy of ``s`` with ``changes``: a fast ``attrs.evolve`` for the hot path (slots set
    directly by a function generated once per set of changed fields, and the hash updated
    from ``s``'s for the changed fields only: an unchanged ``buffer``/``files`` tuple is never
    re-hashed).

    Raises KeyError naming an unknown field."""
    names = tuple(changes)
    fn = _REPLACERS.get(names)
    if fn is None:
        fn = _REPLACERS[names] = _make_replacer(names)
    t: State = fn(s, changes)
    return t


def current_lsn(p: Params, s: State) -> int:
    """log_get_lsn: the lsn of the next byte to reserve."""
    return sn_to_lsn(p, s.sn)


def user_start_lsn(p: Params, u: UserState) -> int:
    """start_lsn of a user's group (USR-1)."""
    return sn_to_lsn(p, u.start_sn)


def user_end_lsn(p: Params, u: UserState) -> int:
    """end_lsn of a user's group (USR-1): a group ending exactly at a block's last data byte
    ends after the next block's header (USR-2)."""
    return sn_to_lsn(p, u.start_sn + u.size)


def initial_state(p: Params) -> State:
    """A freshly created log: sn at ``start_sn`` (lsn ``start_lsn + header``), every lsn
    variable there, the first block's first_rec_group pointing at the first data byte, empty
    files, checkpoint 0 durable in LOG_CHECKPOINT_1 (FMT-10)."""
    lsn0 = sn_to_lsn(p, p.start_sn)
    nbuf = p.log_buffer_size // p.block_size
    empty_data = bytes(p.data_size)
    buffer = [(0, empty_data)] * nbuf
    first = (p.start_lsn % p.log_buffer_size) // p.block_size
    buffer[first] = (p.header_size, empty_data)
    blocks_per_file = p.file_data_size // p.block_size
    no_file: tuple[FileBlock | None, ...] = (None,) * blocks_per_file
    files: Files = (no_file,) * p.n_files
    cp0 = CheckpointBlock(0, lsn0, True)
    return State(
        sn=p.start_sn,
        users=(IDLE_USER,) * p.n_user_threads,
        groups=(),
        buffer=tuple(buffer),
        recent_written=LinkBuf.empty(p.recent_written_size, lsn0),
        recent_closed=LinkBuf.empty(p.recent_closed_size, lsn0),
        writer=WriterState(write_lsn=lsn0, file_no=0, write_ahead_end_offset=0),
        flushed_to_disk_lsn=lsn0,
        files=files,
        disk=files,
        checkpoint=CheckpointState(
            checkpoint_lsn=lsn0,
            checkpoint_no=1,
            pending_lsn=0,
            blocks_written=(cp0, None),
            blocks_disk=(cp0, None),
        ),
        notifiers=NotifierState(
            write_notifier_lsn=lsn0 + 1, write_notifier_event=False,
            flush_notifier_lsn=lsn0 + 1, flush_notifier_event=False
        ),
        pages=PagesState(
            flush_lists=((),) * p.n_flush_lists,
            newest=(0,) * p.n_pages,
            on_disk=(0,) * p.n_pages,
        ),
    )
