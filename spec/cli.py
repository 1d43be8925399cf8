"""``redospec explore``: check the spec exhaustively (tiny, small) or by random walks (innodb).

Examples::

    redospec explore --preset tiny                  # exhaustive BFS, coverage table, verdict
    redospec explore --preset small --max-states 200000
    redospec explore --preset innodb --walks 50 --depth 400 --seed 7
    redospec explore --preset tiny --set n_user_threads=1 --set group_sizes=8,26 --json
    redospec explore --preset tiny --replay "user_reserve(thread=0, size=8, page=0, wait=flush)"
    redospec explore --preset tiny --replay-file trace.txt

Exit status: 0 iff the verdict is ok (or a replayed trace satisfied every property), 1 when the
explorer found a violation (an invariant, a deadlock or SYS-3 liveness, an action never taken)
or stopped at a bound, 2 for bad input (unknown preset, a ``--set`` value that ``Params``
rejects, a label that does not parse or is not enabled), with one line on stderr.

``--json`` prints exactly one JSON object on stdout (see :meth:`ExploreResult.to_json`); the
progress line, every ~2 s on long runs, goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs

from engine import (
    ExploreResult,
    Model,
    ModelError,
    Progress,
    ReplayError,
    explore,
    format_state,
    random_walks,
    replay_trace,
)
from engine.cluster import ClusterError
from redospec.command import run_command
from redospec.errors import UsageError
from spec.params import PRESETS, Params, ParamsError

PROG = "redospec explore"
EXHAUSTIVE_PRESETS = ("tiny", "small", "medium")
DEFAULT_WALKS = 4
DEFAULT_DEPTH = 100
"""Random-walk defaults: InnoDB's sizes make one step of the model slow (link buffers of a
million slots, see bench/RESULTS-explore.md), so the default run stays around a minute."""


@dataclass(frozen=True)
class Binding:
    """How the CLI makes a model and reads labels; tests bind toy models here."""

    make_model: Callable[[Params], Model[Any, Any]]
    parse_label: Callable[[str], Any]
    bad_label: tuple[type[BaseException], ...]
    """Exceptions ``parse_label`` raises for text that is not a label (``LabelError``)."""
    not_enabled: tuple[type[BaseException], ...]
    """Exceptions ``next_state`` raises for a label whose guard fails (``ActionNotEnabled``)."""


def redo_binding() -> Binding:
    """The real model: :class:`spec.model.RedoModel` and its ``Label``."""
    from spec.model import ActionNotEnabled, Label, LabelError, RedoModel

    return Binding(make_model=RedoModel, parse_label=Label.parse, bad_label=(LabelError,),
                   not_enabled=(ActionNotEnabled,))


def configure(p: argparse.ArgumentParser) -> None:
    """``redospec explore``'s arguments."""
    p.description = ("Explore the redo log spec: exhaustive breadth-first search with "
                     "invariants, deadlock, SYS-3 liveness and action coverage, or seeded random "
                     "walks for large Params.")
    p.add_argument("--preset", default="tiny", help=f"one of {', '.join(PRESETS)} (default tiny)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a Params field (repeatable); tuples as comma lists: "
                        "group_sizes=8,26")
    p.add_argument("--mode", choices=("exhaustive", "random"), default=None,
                   help="default: exhaustive for tiny/small, random for innodb or with --walks")
    p.add_argument("--max-states", type=int, default=None, metavar="N",
                   help="stop an exhaustive search after N distinct states (verdict incomplete)")
    p.add_argument("--max-depth", type=int, default=None, metavar="D",
                   help="do not expand states deeper than D (verdict incomplete if cut)")
    p.add_argument("--walks", type=int, default=None, metavar="N",
                   help=f"random walks (default {DEFAULT_WALKS}); implies --mode random")
    p.add_argument("--depth", type=int, default=None, metavar="D",
                   help=f"steps per random walk (default {DEFAULT_DEPTH})")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random walk seed (default 0)")
    p.add_argument("--no-liveness", action="store_true",
                   help="skip the SYS-3 liveness check (saves the edge arrays' memory)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.add_argument("--replay", default=None, metavar="TRACE",
                   help='replay labels separated by ";" and print the states along them')
    p.add_argument("--replay-file", default=None, metavar="FILE",
                   help="replay labels from FILE, one per line ('#' comments allowed)")
    p.add_argument("--every-state", action="store_true",
                   help="with --replay: print the whole state after every step")
    p.add_argument("--width", type=int, default=100, metavar="N",
                   help="truncate printed field values to N characters (default 100)")
    store = p.add_mutually_exclusive_group()
    store.add_argument("--fingerprints", dest="fingerprints", action="store_const", const=True,
                       default=None,
                       help="keep only 64-bit fingerprints of visited states (about 20-60 bytes "
                            "per state; prints the collision probability); default: full states "
                            "up to 1,000,000 states, fingerprints beyond")
    store.add_argument("--full-states", dest="fingerprints", action="store_const", const=False,
                       help="keep every visited state whatever the size (exact, more memory)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="explore with N processes, the states partitioned by fingerprint "
                        "(same counts, depth, verdicts and counterexample lengths as one; "
                        "visited states kept as 64-bit fingerprints)")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="run the partitioned search on the Dask cluster whose scheduler is at "
                        "ADDRESS (e.g. tcp://host:8786), one partition per worker unless "
                        "--workers N; needs pip install 'dask[distributed]'")
    p.add_argument("--symmetry", action="store_true",
                   help="count a state and its permutations of (interchangeable) user threads "
                        "once; refused when the configuration ties pages to threads")
    p.add_argument("--dot", default=None, metavar="FILE",
                   help="write the state graph of the (bounded) search to FILE as Graphviz "
                        "DOT (states with a short summary, edges with action labels) instead "
                        "of checking; refused above --dot-limit states")
    p.add_argument("--dot-limit", type=int, default=None, metavar="N",
                   help="most states --dot draws (default 500)")


# ----------------------------------------------------------------------------------------------
# --set FIELD=VALUE
# ----------------------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(text: str, like: object, what: str) -> object:
    """``text`` converted to the type of the field's default ``like``."""
    if isinstance(like, bool):
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise UsageError(f"--set {what}: must be a boolean (true/false)")
    if isinstance(like, int):
        try:
            return int(text.strip().replace("_", ""), 0)
        except ValueError:
            raise UsageError(f"--set {what}: must be an integer") from None
    if isinstance(like, tuple):
        items = [x.strip() for x in text.split(",") if x.strip()]
        sample = like[0] if like else ""
        return tuple(_convert(x, sample, what) for x in items)
    return text.strip()


def parse_sets(sets: Sequence[str]) -> dict[str, object]:
    """``["n_files=3", "group_sizes=8,26"]`` -> ``{"n_files": 3, "group_sizes": (8, 26)}``."""
    fields = {a.name: a for a in attrs.fields(Params)}
    out: dict[str, object] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {item!r}: expected FIELD=VALUE")
        if name not in fields:
            raise UsageError(f"--set {item}: unknown Params field {name!r} "
                             f"(fields: {', '.join(fields)})")
        out[name] = _convert(value, fields[name].default, item)
    return out


def make_params(preset: str, sets: Sequence[str]) -> Params:
    """The preset with ``--set`` overrides; a rule broken raises :class:`ParamsError`."""
    changes = parse_sets(sets)
    base = Params.preset(preset)
    try:
        return base.evolve(**changes) if changes else base
    except ParamsError as exc:
        if exc.field in changes:
            raise
        # the rule that fails is on a field the preset set, derived from what the user changed:
        # name both, so the message does not blame a value the user never typed
        given = ", ".join(f"{k}={v!r}" for k, v in changes.items())
        raise UsageError(
            f"--set {given}: with it, the preset's {exc.field}={exc.value!r} breaks a rule: "
            f"{exc.rule}; change {', '.join(changes)} back, or also --set {exc.field}=... to a "
            f"value that satisfies it") from None


# ----------------------------------------------------------------------------------------------
# Replay
# ----------------------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*\d+\.\s+")


def split_trace(text: str) -> list[str]:
    """Labels from ``--replay`` text (``;``- or newline-separated) or a file's lines.

    Accepts the explorer's own numbered output too (``3. writer_write()  write_lsn: ...``):
    the number and everything after the label's closing parenthesis are dropped.
    """
    labels = []
    for raw in re.split(r"[;\n]", text):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        line = _NUMBERED.sub("", line)
        close = _label_end(line)
        labels.append(line[:close] if close else line)
    return labels


def _label_end(text: str) -> int:
    """Index after the parenthesis closing the label's argument list (0 if none)."""
    depth = 0
    for k, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return k + 1
    return 0


def _enabled_hint(model: Model[Any, Any], prefix: Sequence[object], limit: int = 6) -> str:
    """Name the labels enabled after ``prefix`` (which replayed fine), so a user whose label was
    rejected (a guard, an unknown action, wrong argument names) sees what the model accepts."""
    s = model.init_states()[0]
    for label in prefix:
        s = model.next_state(s, label)
    enabled = [str(label) for label, _ in model.successors(s)]
    if not enabled:
        return "no label is enabled there"
    more = f", ... ({len(enabled)} in all)" if len(enabled) > limit else ""
    return "enabled there: " + "; ".join(enabled[:limit]) + more


def run_replay(model: Model[Any, Any], binding: Binding, texts: list[str], as_json: bool,
               every_state: bool = False, width: int = 100) -> int:
    """Replay ``texts`` (label texts) and print the states along them: the initial state, each
    step with the fields it changed (and, with ``every_state``, the whole state after it), the
    final state, and the first property that failed on the way."""
    labels = []
    for n, text in enumerate(texts, start=1):
        try:
            labels.append(binding.parse_label(text))
        except binding.bad_label as exc:
            raise UsageError(f"replay step {n}: {text!r} is not a label: {exc}") from None
    try:
        out = replay_trace(model, labels, binding.not_enabled)
    except ReplayError as exc:
        hint = _enabled_hint(model, labels[:exc.step - 1])
        raise UsageError(f"replay {exc} (the label is not enabled in the state reached "
                         f"after step {exc.step - 1}; {hint})") from None
    verdict = "ok" if out.failed is None else "violation"
    if as_json:
        print(json.dumps({
            "verdict": verdict, "kind": "replay", "steps": len(out.steps),
            "trace": [st.label for st in out.steps],
            "failed": out.failed, "failed_at": out.failed_at, "message": out.message,
        }))
    else:
        print("0. initial state")
        print(format_state(out.states[0], width))
        for n, step in enumerate(out.steps, start=1):
            print(step.format(n, width))
            if every_state:
                print(format_state(out.states[n], width))
        print()
        if not every_state:
            print("final state:")
            print(format_state(out.states[-1], width))
            print()
        if out.failed is None:
            print(f"replayed {len(out.steps)} steps; every property holds on every state")
        else:
            print(f"replayed {len(out.steps)} steps; {out.failed} fails at step "
                  f"{out.failed_at}: {out.message}")
        print(f"verdict: {verdict.upper()}")
    return 0 if out.failed is None else 1


# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------


_DONE: list[str] = []
"""The last progress snapshot, for the one line ``redospec`` prints on Ctrl-C."""


def interrupt_summary() -> str:
    """One line: how far the search or the walks had got before Ctrl-C; never a verdict."""
    if not _DONE:
        return "no verdict"
    return f"{_DONE[-1]}; no verdict"


def _progress_printer(quiet: bool = False) -> Callable[[Progress], None]:
    _DONE.append("stopped before the first progress report (every 2 s)")

    def show(p: Progress) -> None:
        _DONE.append("had reached " + p.line().removeprefix("... "))
        if not quiet:
            print(p.line(), file=sys.stderr, flush=True)
    return show


def run(args: argparse.Namespace, binding: Binding | None = None) -> int:
    """Explore (or replay) as ``args`` say; ``binding`` injects a model (tests use toy models).

    Bad input raises :class:`UsageError`; a bug in the model (not in the input) is status 1.
    """
    try:
        return _explore(args, binding)
    except ParamsError as exc:
        raise UsageError(f"invalid Params: {exc}") from None
    except ClusterError as exc:
        raise UsageError(f"--cluster: {exc}") from None
    except ModelError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1


def _check_engine_options(args: argparse.Namespace) -> None:
    """Options of the engine that contradict each other (a UsageError names the pair)."""
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: must be at least 1")
    if args.cluster is not None and args.max_states is not None:
        raise UsageError("--max-states cannot bound a search on a cluster; use --max-depth")
    if args.workers > 1 and args.max_states is not None:
        raise UsageError("--max-states cannot bound a search on several workers (which states "
                         "come first depends on the partition); use --max-depth, or one worker")
    if args.workers > 1 and args.fingerprints is False:
        raise UsageError("--full-states: several workers exchange fingerprints only; use one "
                         "worker to keep full states")


def _symmetry(model: Model[Any, Any], args: argparse.Namespace,
              mode: str) -> Callable[[Any], Any] | None:
    """``--symmetry``: the model's user-permutation canonicalizer, or None without it."""
    if not args.symmetry:
        return None
    if mode != "exhaustive":
        raise UsageError("--symmetry: only for an exhaustive search")
    get = getattr(model, "user_symmetry", None)
    symmetry: Callable[[Any], Any] | None = get() if get is not None else None
    if symmetry is None:
        raise UsageError("--symmetry: the user threads of this configuration are not "
                         "interchangeable (page_per_thread ties page i to thread i); "
                         "--set page_per_thread=false, or drop --symmetry")
    return symmetry


def _explore(args: argparse.Namespace, binding: Binding | None) -> int:
    for name in ("max_states", "max_depth", "walks"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise UsageError(f"--{name.replace('_', '-')} must not be negative")
    for name in ("max_states", "walks"):   # 0 would check nothing and still report a verdict
        if getattr(args, name) == 0:
            raise UsageError(f"--{name.replace('_', '-')} 0: must be at least 1")
    if args.depth is not None and args.depth < 0:
        raise UsageError("--depth must not be negative")
    if args.width < 1:
        raise UsageError(f"--width {args.width}: must be a positive number of characters")
    if args.replay is not None and args.replay_file is not None:
        raise UsageError("give --replay or --replay-file, not both")
    _check_engine_options(args)
    params = make_params(args.preset, args.sets)
    binding = binding if binding is not None else redo_binding()
    model = binding.make_model(params)

    if args.replay is not None or args.replay_file is not None:
        if args.replay_file is not None:
            try:
                text = Path(args.replay_file).read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"--replay-file {args.replay_file}: {exc.strerror}") from None
            except UnicodeDecodeError as exc:
                raise UsageError(f"--replay-file {args.replay_file}: not UTF-8 text (byte "
                                 f"{exc.object[exc.start]:#04x} at offset {exc.start}); a replay "
                                 "file holds action labels, one per line or separated by ';'"
                                 ) from None
        else:
            text = args.replay
        return run_replay(model, binding, split_trace(text), args.json, args.every_state,
                          max(args.width, 20))

    mode = args.mode
    if mode is None:
        mode = ("random" if args.walks is not None or args.preset not in EXHAUSTIVE_PRESETS
                else "exhaustive")
    # An option of the other mode would be silently ignored: a user who typed --seed on tiny
    # believes the run was random, one who typed --max-states on innodb that it was bounded.
    if mode == "exhaustive":
        given = [o for o, v in (("--walks", args.walks), ("--depth", args.depth),
                                ("--seed", args.seed)) if v is not None]
        if given:
            raise UsageError(f"{'/'.join(given)}: only for random walks, and this run is "
                             "an exhaustive search; add --mode random (or drop them; "
                             "--max-depth bounds an exhaustive search)")
    else:
        given = [o for o, v in (("--max-states", args.max_states),
                                ("--max-depth", args.max_depth),
                                ("--fingerprints" if args.fingerprints else "--full-states",
                                 args.fingerprints),
                                ("--workers", args.workers if args.workers > 1 else None),
                                ("--cluster", args.cluster))
                 if v is not None]
        if given:
            raise UsageError(f"{'/'.join(given)}: only for an exhaustive search, and this "
                             "run is random walks; add --mode exhaustive (or use --walks and "
                             "--depth to size the walks)")
    progress = _progress_printer(args.quiet)
    if (mode == "exhaustive" and args.preset not in EXHAUSTIVE_PRESETS
            and args.max_states is None and args.max_depth is None):
        print(f"{PROG}: note: an exhaustive search of {args.preset} does not finish in "
              f"practice; bound it with --max-states or --max-depth, or use --walks",
              file=sys.stderr, flush=True)
    symmetry = _symmetry(model, args, mode)
    if args.dot is not None:
        if mode != "exhaustive":
            raise UsageError("--dot: only for an exhaustive (bounded) search")
        return write_dot(model, args, symmetry)
    if args.dot_limit is not None:
        raise UsageError("--dot-limit: only with --dot FILE")
    result: ExploreResult
    if mode == "exhaustive":
        result = explore(model, max_states=args.max_states, max_depth=args.max_depth,
                         check_liveness=not args.no_liveness, progress=progress,
                         fingerprints=args.fingerprints,
                         workers=(0 if args.cluster is not None and args.workers == 1
                                  else args.workers),
                         symmetry=symmetry, cluster=args.cluster)
    else:
        walks = DEFAULT_WALKS if args.walks is None else args.walks
        result = random_walks(model, walks=walks,
                              depth=DEFAULT_DEPTH if args.depth is None else args.depth,
                              seed=0 if args.seed is None else args.seed, progress=progress)
    if args.json:
        obj = result.to_json()
        obj["preset"] = args.preset
        obj["set"] = list(args.sets)
        print(json.dumps(obj))
    else:
        print(f"preset {args.preset}" + (f" with {', '.join(args.sets)}" if args.sets else ""))
        print(result.summary(max(args.width, 20)))
    return 0 if result.ok else 1


def state_summary(s: Any) -> str:
    """A redo log state in one short line for ``--dot``: sn, write/flush/checkpoint lsns and
    the users' program counters (any other model: its truncated repr)."""
    try:
        users = ",".join(u.pc for u in s.users)
        crash = " CRASHED" if s.crashed else ""
        return (f"sn={s.sn} w={s.writer.write_lsn} f={s.flushed_to_disk_lsn} "
                f"cp={s.checkpoint.checkpoint_lsn} users={users}{crash}")
    except AttributeError:
        text = repr(s)
        return text if len(text) <= 80 else text[:77] + "..."


def write_dot(model: Model[Any, Any], args: argparse.Namespace,
              symmetry: Callable[[Any], Any] | None) -> int:
    """``--dot FILE``: the bounded state graph as DOT; exit 2 when it is too large."""
    from engine.dot import DEFAULT_LIMIT, GraphTooLarge, state_graph

    limit = DEFAULT_LIMIT if args.dot_limit is None else args.dot_limit
    if limit < 1:
        raise UsageError(f"--dot-limit {limit}: must be at least 1")
    try:
        text, states, transitions = state_graph(
            model, limit=limit, max_depth=args.max_depth, max_states=args.max_states,
            summary=state_summary, symmetry=symmetry)
    except GraphTooLarge as exc:
        raise UsageError(f"--dot: {exc}") from None
    try:
        Path(args.dot).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--dot {args.dot}: {exc.strerror}") from None
    print(f"wrote {states} states and {transitions} transitions to {args.dot} "
          f"(render: dot -Tsvg {args.dot} -o graph.svg)")
    return 0


def main(argv: Sequence[str], binding: Binding | None = None) -> int:
    """``python -m spec``: the same as ``redospec explore``."""
    return run_command("explore", configure, lambda args: run(args, binding), argv,
                       sys.modules[__name__])
