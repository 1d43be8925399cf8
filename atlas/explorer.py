"""The logic behind ``redospec serve``, without any HTTP: replay a trace
text (the same text ``redospec explore --replay`` accepts, :func:`spec.cli.split_trace`),
answer with the state as JSON, its picture, the enabled actions and the properties; random
walks; the example scenarios.

Replays are cached in a trie of prefixes (one entry per (prefix, label)), so a step of the
browser, which sends the whole trace, costs one ``next_state`` and not a replay from scratch.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import attrs

from atlas.broken import BROKEN, BY_NAME, counterexample
from atlas.picture import draw
from spec.blocks import CheckpointBlock, FileBlock
from spec.cli import split_trace
from spec.linkbuf import LinkBuf, link_at
from spec.lsn import block_start, sn_to_lsn
from spec.model import ActionNotEnabled, Label, LabelError, RedoModel
from spec.params import PRESETS, Params, ParamsError
from spec.state import IDLE, State, current_lsn

CACHE_LIMIT = 200_000
"""Cached (prefix, label) entries per preset before the cache is emptied."""
WALK_CAP = {"small": 2000, "innodb": 200}
"""Most steps one "run to the end" request takes (InnoDB never ends: max_sn is 2**40)."""
LIST_CAP = 64
"""Groups / buffer blocks listed in the state JSON beyond which only a count is given."""


class BadRequest(Exception):
    """Input the explorer rejects (HTTP 400): an unknown preset, a label that does not parse or
    is not enabled. The message is one line naming the step."""


@attrs.frozen
class Replayed:
    """A replayed trace: canonical label texts, the states (only the last two kept)."""

    labels: tuple[str, ...]
    state: State
    before: State | None


def to_json(value: Any) -> Any:
    """A spec value as JSON: attrs records and named tuples as objects, tuples as lists,
    bytes as hex."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, FileBlock | CheckpointBlock):
        return {k: to_json(v) for k, v in value._asdict().items()}
    if isinstance(value, LinkBuf):
        return {"tail": value.tail, "capacity": value.capacity,
                "links": [[i, v] for i, v in value.links]}
    if attrs.has(type(value)):
        return {a.name: to_json(getattr(value, a.name)) for a in attrs.fields(type(value))
                if a.eq}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__}")


def state_json(p: Params, s: State) -> dict[str, Any]:
    """The state as JSON, with derived lsns; at InnoDB's sizes the big tuples are summarised
    (only written file blocks, only the buffer blocks between write_lsn and current_lsn, the
    last groups)."""
    out: dict[str, Any] = {
        "current_lsn": current_lsn(p, s),
        "buf_ready_for_write_lsn": s.recent_written.tail,
        "write_lsn": s.writer.write_lsn,
        "flushed_to_disk_lsn": s.flushed_to_disk_lsn,
        "dirty_pages_added_up_to_lsn": s.recent_closed.tail,
        "checkpoint_lsn": s.checkpoint.checkpoint_lsn,
    }
    for a in attrs.fields(State):
        if not a.eq or a.name in ("buffer", "files", "disk", "groups"):
            continue
        out[a.name] = to_json(getattr(s, a.name))
    out["groups"] = {"count": len(s.groups), "last": to_json(s.groups[-LIST_CAP:])}
    nblocks = len(s.buffer)
    if nblocks <= LIST_CAP:
        shown = list(range(nblocks))
    else:
        lo = block_start(p, s.writer.write_lsn)
        hi = current_lsn(p, s)
        shown = sorted({(lsn % p.log_buffer_size) // p.block_size
                        for lsn in range(lo, hi + 1, p.block_size)})[:LIST_CAP]
    out["buffer"] = {"blocks": nblocks, "shown": {
        str(i): {"first_rec_group": s.buffer[i][0], "data": s.buffer[i][1].hex()}
        for i in shown}}
    for name in ("files", "disk"):
        view = getattr(s, name)
        out[name] = [{"blocks": len(f), "written": {str(i): to_json(b) for i, b in enumerate(f)
                                                    if b is not None}} for f in view]
    return out


class Explorer:
    """One explorer per server: a model per preset, a replay cache, the example scenarios."""

    def __init__(self, models: dict[str, RedoModel] | None = None) -> None:
        self._models: dict[str, RedoModel] = dict(models or {})
        # per preset: (node id, label text) -> (child node id, state); node 0 = initial state
        self._trie: dict[str, dict[tuple[int, str], tuple[int, State]]] = {}
        self._examples: dict[str, list[dict[str, str]]] = {}
        self._lock = threading.Lock()

    def model(self, preset: str) -> RedoModel:
        """The model of ``preset``: ``tiny``, ``small``, ``innodb``, or ``tiny:<name>`` for
        a broken variant of :mod:`atlas.broken` (BadRequest naming the choices)."""
        m = self._models.get(preset)
        if m is None:
            if preset.startswith("tiny:"):
                b = BY_NAME.get(preset[5:])
                if b is None:
                    raise BadRequest(f"unknown broken variant {preset[5:]!r}; choose one of "
                                     f"{', '.join(BY_NAME)}")
                m = self._models[preset] = b.model()
                return m
            try:
                m = self._models[preset] = RedoModel(Params.preset(preset))
            except ParamsError:
                raise BadRequest(f"unknown preset {preset!r}; choose one of "
                                 f"{', '.join(PRESETS)} or tiny:<broken variant>") from None
        return m

    def broken(self) -> list[dict[str, str]]:
        """The broken variants with their shortest counterexamples (``/api/broken``)."""
        return [{"name": b.name, "preset": f"tiny:{b.name}", "property": b.prop,
                 "bug": b.bug, "teeth": b.teeth, "trace": "; ".join(counterexample(b.name))}
                for b in BROKEN]

    def replay(self, preset: str, trace: str) -> Replayed:
        """Replay ``trace`` (``;``- or newline-separated labels) from the initial state."""
        with self._lock:
            m = self.model(preset)
            trie = self._trie.setdefault(preset, {})
            if len(trie) > CACHE_LIMIT:
                trie.clear()
            s = m.init_states()[0]
            before: State | None = None
            node = 0
            labels: list[str] = []
            for i, text in enumerate(split_trace(trace), 1):
                try:
                    label = Label.parse(text)
                except LabelError as e:
                    raise BadRequest(f"step {i}: {e}") from None
                key = (node, str(label))
                hit = trie.get(key)
                if hit is None:
                    try:
                        t = m.next_state(s, label)
                    except ActionNotEnabled as e:
                        enabled = [str(x) for x in m.actions(s)]
                        hint = "; ".join(enabled[:4]) + (" ..." if len(enabled) > 4 else "")
                        raise BadRequest(f"step {i}: {e}; enabled there: "
                                         f"{hint or 'nothing'}") from None
                    hit = trie[key] = (len(trie) + 1, t)
                before, (node, s) = s, hit
                labels.append(str(label))
            return Replayed(tuple(labels), s, before)

    def answer(self, preset: str, trace: str) -> dict[str, Any]:
        """The JSON answer of ``GET /api/state``: state, picture, enabled actions, properties
        (state properties on the last state, step properties on the last step), the fields
        the last step changed."""
        r = self.replay(preset, trace)
        return self._answer(preset, r)

    def _answer(self, preset: str, r: Replayed) -> dict[str, Any]:
        m = self.model(preset)
        p = m.params
        s = r.state
        props: dict[str, bool] = {}
        explain: dict[str, str] = {}
        last = Label.parse(r.labels[-1]) if r.labels else None
        for pr in m.properties():
            if pr.kind == "state":
                ok = bool(pr.predicate(p, s))
                args: tuple[Any, ...] = (p, s)
            elif r.before is not None and last is not None:
                ok = bool(pr.predicate(p, r.before, last, s))
                args = (p, r.before, last, s)
            else:
                ok = True
                args = ()
            props[pr.name] = ok
            if not ok and pr.explain is not None:
                explain[pr.name] = pr.explain(*args)
        actions = []
        for label in m.actions(s):
            a = m.action(label.action)
            actions.append({"label": str(label), "action": a.name, "actor": a.actor,
                            "ids": list(a.ids)})
        changed = []
        if r.before is not None:
            for k, (old, new) in m.fields_changed(r.before, s).items():
                changed.append({"field": k, "before": _short(old), "after": _short(new)})
        b = BY_NAME.get(preset[5:]) if preset.startswith("tiny:") else None
        return {
            "preset": preset,
            "broken": None if b is None else {"name": b.name, "bug": b.bug,
                                              "property": b.prop, "teeth": b.teeth},
            "trace": list(r.labels),
            "trace_text": "; ".join(r.labels),
            "state": state_json(p, s),
            "picture": draw(p, s, r.before),
            "actions": actions,
            "properties": props,
            "explain": explain,
            "property_ids": {pr.name: list(pr.ids) for pr in m.properties()},
            "changed": changed,
            "terminal": not actions,
            "terminal_ok": (not actions) and m.is_terminal_ok(s),
        }

    def walk(self, preset: str, trace: str, steps: int, seed: int) -> dict[str, Any]:
        """Extend ``trace`` by a random walk of ``steps`` steps (``steps < 0``: until nothing
        is enabled, at most ``WALK_CAP[preset]``), seeded: an enabled action uniformly, then
        one of its enabled choices (the explorer's walk). Answers like :meth:`answer`, plus
        ``stopped`` saying why the walk ended."""
        r = self.replay(preset, trace)
        m = self.model(preset)
        cap = WALK_CAP.get(preset, 2000)
        n = cap if steps < 0 else min(steps, cap)
        rng = random.Random(seed)
        s, before = r.state, r.before
        labels = list(r.labels)
        stopped = f"took {n} steps"
        for k in range(n):
            groups = m.enabled_groups(s)
            if not groups:
                stopped = f"nothing enabled after {k} steps"
                break
            _, pick = groups[rng.randrange(len(groups))]
            label, t = pick(rng)
            labels.append(str(label))
            before, s = s, t
        else:
            if steps < 0:
                stopped = f"stopped at the cap of {cap} steps"
        out = self._answer(preset, Replayed(tuple(labels), s, before))
        out["stopped"] = stopped
        return out

    def examples(self, preset: str) -> list[dict[str, str]]:
        """Named scenarios: the shortest trace (breadth-first) to a state showing one thing
        of the pipeline. Only for the exhaustive presets (tiny, small); [] for innodb."""
        m = self.model(preset)
        if preset.startswith("tiny:"):
            b = BY_NAME[preset[5:]]
            return [{"name": "counterexample", "description": f"the shortest violation of "
                     f"{b.prop}: {b.bug}", "trace": "; ".join(counterexample(b.name))}]
        if preset not in ("tiny", "small"):
            return []
        cached = self._examples.get(preset)
        if cached is None:
            cached = self._examples[preset] = [
                {"name": name, "description": text, "trace": "; ".join(tr)}
                for name, text, pred in scenarios(m.params)
                if (tr := shortest_trace(m, pred)) is not None
            ]
        return cached


def _short(v: object, width: int = 120) -> str:
    text = repr(v)
    return text if len(text) <= width else text[: width - 3] + "..."


Predicate = Callable[[State], bool]


def scenarios(p: Params) -> list[tuple[str, str, Predicate]]:
    """The example scenarios: (name, what it shows, the state predicate to reach)."""
    lsn0 = sn_to_lsn(p, p.start_sn)
    return [
        ("hole", "a group linked above a missing link: buf_ready_for_write_lsn stops at the "
         "hole (LNK-5)",
         lambda s: bool(s.recent_written.links)
         and link_at(s.recent_written, s.recent_written.tail, p.link_buf) is None),
        ("commit", "a commit: a user waited for flushed_to_disk_lsn and is idle again "
         "(USR-6, FL-1, NT-5)",
         lambda s: s.flushed_to_disk_lsn > lsn0 and len(s.groups) >= 1
         and all(u.pc == IDLE for u in s.users)),
        ("write-notifier", "the writer advanced write_lsn across blocks and woke the write "
         "notifier (WR-8, NT-1)", lambda s: s.notifiers.write_notifier_event),
        ("checkpoint", "a checkpoint above the initial one was written and synced (CP-4, "
         "CP-7, FMT-10)", lambda s: s.checkpoint.checkpoint_lsn > lsn0),
        ("page-flushed", "the page cleaner wrote a page after its redo was durable (CP-6)",
         lambda s: any(s.pages.on_disk)),
        ("ring-wrap", "recent_written's tail passed a full lap of its slots (LNK-1, LNK-4)",
         lambda s: s.recent_written.tail >= lsn0 + p.recent_written_size),
    ]


def shortest_trace(m: RedoModel, goal: Predicate, max_states: int = 60_000) -> list[str] | None:
    """The labels of a shortest path from the initial state to a state satisfying ``goal``
    (breadth-first, at most ``max_states`` states), or None."""
    init = m.init_states()[0]
    parent: dict[State, tuple[State, str] | None] = {init: None}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        if goal(s):
            path: list[str] = []
            link = parent[s]
            while link is not None:
                prev, text = link
                path.append(text)
                link = parent[prev]
            return path[::-1]
        for label, t in m.successors(s):
            if t not in parent:
                if len(parent) >= max_states:
                    return None
                parent[t] = (s, str(label))
                queue.append(t)
    return None
