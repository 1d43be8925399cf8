"""``redospec docs build [--out DIR]``: the spec as a static site.

Generates reStructuredText from the spec itself and builds it with Sphinx (``-W --keep-going``:
every warning, a broken internal reference included, fails the build):

* ``index``: the pipeline overview, a diagram of the threads, rings and lsn values, and a
  drawn state of the tiny model with a hole in recent_written;
* ``actors/<actor>``: one page per actor from its spec module: the module docstring, and per
  action its summary, requirement IDs (linked to the requirement's entry in the traceability
  page, which quotes docs/requirements.md), its docstring, its guard and effect source
  (``inspect.getsource``) and a worked example: the shortest trace of the tiny model that
  takes the action (breadth-first), drawn before and after the action;
* ``properties/<name>``: one page per property: what it says, its requirement IDs, the proof
  items that cover the same requirements, the teeth tests that name it, the seeded bugs that
  cite its requirements, and the shortest counterexample of its broken variant
  (:mod:`atlas.broken`) drawn step by step;
* ``traceability``: the generated matrix requirement -> design passage (the catalog's "from"
  column) -> spec actions / properties -> proof items -> tests -> seeded bugs, with counts; a
  requirement with no spec element or no test is listed as a gap;
* ``departures``: the modelling decisions (docs/spec-model.md) and the known differences
  between spec and implementation (docs/conformance.md), each with its reason.

Why Sphinx and not MkDocs: Sphinx is maintained by a large, active project, checks every
internal reference itself (``-W`` turns a dangling ``:ref:`` or ``:doc:`` into an error, which
is how "no broken links" is enforced), and needs no theme or plugin beyond itself; the pages are
generated as reStructuredText, so no Markdown extension is needed either.

The proofs, tests and seeded bugs are read as *text* (``ast`` over their source files): atlas
imports ``spec`` only. Figures are :func:`atlas.picture.draw` output: byte-identical between
builds.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from atlas.broken import BROKEN, counterexample
from atlas.catalog import (
    PREFIXES,
    action_rows,
    all_actions,
    parse_ids,
    property_rows,
    variant,
)
from atlas.picture import draw, draw_trace
from redospec.command import run_command
from redospec.errors import UsageError
from spec import checkpointer, closer, crash, flusher, notifier, page_cleaner, user, writer
from spec.invariants import PROPERTIES
from spec.linkbuf import link_at
from spec.model import Label, RedoModel
from spec.model_types import Action
from spec.params import Params
from spec.state import State

ROOT = Path(__file__).resolve().parent.parent
"""The repository (the tests, proofs and catalog are read from here as text)."""
PROG = "redospec docs"

ACTOR_MODULES: dict[str, ModuleType] = {
    "user": user, "writer": writer, "flusher": flusher, "write_notifier": notifier,
    "flush_notifier": notifier, "closer": closer, "tracker": closer,
    "checkpointer": checkpointer, "page_cleaner": page_cleaner, "crash": crash,
}
"""Actor -> the spec module its actions live in (the notifiers share one, 8.0's closer and
9.0's tracker too)."""

ID_ORDER = PREFIXES


# --- reading the other parts as text ------------------------------------------------------------

@dataclass
class Evidence:
    """What cites a requirement outside the spec: proof items, tests, seeded bugs."""

    proofs: dict[str, list[str]] = field(default_factory=dict)
    tests: dict[str, list[str]] = field(default_factory=dict)
    mutants: dict[str, list[str]] = field(default_factory=dict)
    teeth: dict[str, list[str]] = field(default_factory=dict)
    """property name -> teeth tests (tests/spec/test_teeth.py) whose source names it."""
    helpers: dict[str, list[str]] = field(default_factory=dict)
    """spec functions other than actions and predicates whose docstring cites the ID."""


def _str_tuple(node: ast.AST) -> tuple[str, ...] | None:
    if isinstance(node, ast.Tuple) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return tuple(str(e.value) for e in node.elts)  # type: ignore[attr-defined]
    return None


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*"  # type: ignore[misc]
                       for v in node.values)
    return "?"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def read_evidence(root: Path = ROOT) -> Evidence:
    """Proof items (``Obligation(name, ids, ...)`` / ``Inv(name, ids, ...)`` calls in
    proofs/), tests (``test_*`` functions whose docstring cites IDs), seeded bugs
    (``Mutant(name, ids, ...)`` in conformance/mutant_catalog.py) and the teeth tests, from
    the source text."""
    ev = Evidence()
    _read_proofs(root, ev)
    _read_tests(root, ev)
    _read_helpers(root, ev)
    _read_mutants(root, ev)
    return ev


def _add(table: dict[str, list[str]], ids: Iterable[str], item: str) -> None:
    """Record ``item`` under each requirement ID of ``ids`` (once)."""
    for i in ids:
        if item not in table.setdefault(i, []):
            table[i].append(item)


def _read_proofs(root: Path, ev: Evidence) -> None:
    """``Obligation(name, ids, ...)`` and ``Inv(name, ids, ...)`` calls in proofs/."""
    for path in _files(root / "proofs"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("Obligation", "Inv") and len(node.args) >= 2:
                ids = _str_tuple(node.args[1])
                if ids:
                    kind = "invariant" if node.func.id == "Inv" else "obligation"
                    _add(ev.proofs, ids, f"{kind} {_name_of(node.args[0])} ({path.name})")


def _read_tests(root: Path, ev: Evidence) -> None:
    """``test_*`` functions citing IDs in their docstrings; the teeth tests by property."""
    for path in _files(root / "tests"):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                _add(ev.tests, parse_ids(ast.get_docstring(node) or ""), f"{rel}::{node.name}")
        if path.name == "test_teeth.py":
            src = path.read_text("utf-8")
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                    body = ast.get_source_segment(src, node) or ""
                    for p in PROPERTIES:
                        if f'"{p.name}"' in body:
                            _add(ev.teeth, [p.name], f"{rel}::{node.name}")


def _read_helpers(root: Path, ev: Evidence) -> None:
    """spec/ functions that are neither actions nor properties and cite IDs."""
    skip = {a.apply.__name__ for a in all_actions()} | {p.predicate.__name__ for p in PROPERTIES}
    for path in _files(root / "spec"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name not in skip:
                _add(ev.helpers, parse_ids(ast.get_docstring(node) or ""),
                     f"spec/{path.name}::{node.name}")


def _read_mutants(root: Path, ev: Evidence) -> None:
    """``Mutant(name, ids, ...)`` in conformance/mutant_catalog.py."""
    catalog = root / "conformance" / "mutant_catalog.py"
    if catalog.exists():
        for node in ast.walk(ast.parse(catalog.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == "Mutant" and len(node.args) >= 2:
                ids = _str_tuple(node.args[1])
                if ids:
                    _add(ev.mutants, ids, _name_of(node.args[0]))


def read_requirements(root: Path = ROOT) -> tuple[dict[str, str], str]:
    """The requirement catalog: ID -> text, and the file it came from: docs/requirements.md
    (the project's catalog), else ../shared/requirements.md (the design's), else nothing.
    See :func:`parse_catalog` for the formats."""
    texts, _, name = read_catalog(root)
    return texts, name


def read_catalog(root: Path = ROOT) -> tuple[dict[str, str], dict[str, str], str]:
    """(ID -> text, ID -> design passage, the file read); see :func:`read_requirements`."""
    for path, name in ((root / "docs" / "requirements.md", "docs/requirements.md"),
                       (root.parent / "shared" / "requirements.md", "../shared/requirements.md")):
        if path.exists():
            texts, sources = parse_catalog(path.read_text("utf-8"))
            return texts, sources, name
    return {}, {}, ""


_REQ_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\*\*|`)?([A-Z]{2,4}-\d+)(?:\*\*|`)?\s*[:.\-—]?\s*(.*)$")


def parse_requirements(text: str) -> dict[str, str]:
    """ID -> text from a Markdown requirement catalog (see :func:`parse_catalog`)."""
    return parse_catalog(text)[0]


def parse_catalog(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(ID -> text, ID -> design passage) from a Markdown requirement catalog: table rows
    ``| ID | text | from |`` (the third cell is the design passage), list items ``- ID text``
    and ``**ID** text`` with indented continuation lines."""
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            m = re.fullmatch(r"(?:\*\*|`)?([A-Z]{2,4}-\d+)(?:\*\*|`)?", cells[0])
            if m and len(cells) >= 2:
                texts[m.group(1)] = cells[1]
                if len(cells) >= 3 and cells[2]:
                    sources[m.group(1)] = cells[2]
            current = ""
            continue
        m = _REQ_LINE.match(line)
        if m and (line.lstrip()[:1] in "-*" or line[:1].isalpha()):
            current = m.group(1)
            texts[current] = m.group(2).strip()
        elif current and line.startswith((" ", "\t")) and line.strip():
            texts[current] = (texts[current] + " " + line.strip()).strip()
        elif not line.strip() or line.startswith("#"):
            current = ""
    return texts, sources


def id_key(rid: str) -> tuple[int, int, str]:
    prefix, _, n = rid.partition("-")
    order = ID_ORDER.index(prefix) if prefix in ID_ORDER else len(ID_ORDER)
    return order, int(n) if n.isdigit() else 0, rid


# --- reStructuredText helpers ---------------------------------------------------------------------

def esc(text: str) -> str:
    """Plain text safe inside a reStructuredText paragraph (whitespace collapsed)."""
    return _esc_chars(" ".join(text.split()))


def _esc_chars(text: str) -> str:
    for ch in ("\\", "*", "`", "|", "_", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


_EMPH = re.compile(r"(?<![\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])")
"""Markdown emphasis ``*word*`` (not ``**``, not a lone ``*``)."""


def md_inline(text: str) -> str:
    """One Markdown paragraph as reStructuredText: code spans, bold, links; the rest
    escaped. Markup is wrapped in escaped spaces (``\\ ``) where a neighbour is not
    whitespace, as reStructuredText's inline-markup rules require."""
    segs: list[tuple[bool, str]] = []
    for k, part in enumerate(re.split(r"`([^`]+)`", " ".join(text.split()))):
        if k % 2:
            code = part.strip()
            segs.append((True, f"``{code}``") if code and "``" not in code
                        else (False, _esc_chars(part)))
            continue
        for j, piece in enumerate(re.split(r"\*\*([^*`]+)\*\*", part)):
            piece = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", piece)
            if j % 2 and piece.strip():
                segs.append((True, f"**{_esc_chars(piece.strip())}**"))
                continue
            for e, bit in enumerate(_EMPH.split(piece)):
                if e % 2:
                    segs.append((True, f"*{_esc_chars(bit)}*"))
                elif bit:
                    segs.append((False, _esc_chars(bit)))
    out = ""
    for k, (markup, t) in enumerate(segs):
        if markup:
            if out and not out[-1].isspace():
                out += "\\ "
            out += t
            nxt = segs[k + 1][1] if k + 1 < len(segs) else ""
            if nxt and not nxt[0].isspace():
                out += "\\ "
        else:
            out += t
    return out


def doc_rst(doc: str) -> str:
    """A spec docstring as reStructuredText paragraphs: its ````literals```` and
    ``:role:`x``` references kept as literals, everything else escaped; ``::`` blocks and
    indented lines kept as literal blocks."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", inspect.cleandoc(doc)):
        lines = para.splitlines()
        if any(line.startswith("    ") for line in lines[1:]) or para.rstrip().endswith("::"):
            head = para.rstrip()
            out.append(literal(head[:-2] if head.endswith("::") else head))
            continue
        text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", para)
        text = re.sub(r"``([^`]+)``", r"`\1`", text)
        out.append(md_inline(text) + "\n")
    return "\n".join(out)


def heading(text: str, ch: str) -> str:
    return f"{text}\n{ch * max(len(text), 3)}\n"


def req_ref(rid: str) -> str:
    return f":ref:`{rid} <req-{rid.lower()}>`"


def code_block(source: str, lang: str = "python") -> str:
    body = "\n".join(("   " + line) if line.strip() else "" for line in source.splitlines())
    return f".. code-block:: {lang}\n\n{body}\n"


def literal(text: str) -> str:
    body = "\n".join(("   " + line) if line.strip() else "" for line in text.splitlines())
    return f"::\n\n{body}\n"


# --- worked examples ------------------------------------------------------------------------------

def first_takes(m: RedoModel, max_states: int = 50_000) -> dict[str, tuple[list[str], State,
                                                                          State]]:
    """For each action, the shortest trace (breadth-first) that ends by taking it: (labels of
    the prefix and the action, the state before, the state after)."""
    init = m.init_states()[0]
    parent: dict[State, tuple[State, str] | None] = {init: None}
    queue = deque([init])
    found: dict[str, tuple[list[str], State, State]] = {}
    names = set(m.action_names())

    def path(s: State) -> list[str]:
        out: list[str] = []
        link = parent[s]
        while link is not None:
            out.append(link[1])
            link = parent[link[0]]
        return out[::-1]

    while queue and len(found) < len(names):
        s = queue.popleft()
        for label, t in m.successors(s):
            if label.action not in found:
                found[label.action] = ([*path(s), str(label)], s, t)
            if t not in parent and len(parent) < max_states:
                parent[t] = (s, str(label))
                queue.append(t)
    return found


def example_params(a: Action) -> Params:
    """The tiny configuration in which ``a`` exists."""
    p = Params.tiny()
    where = variant(a)
    if where == "crash":
        return p.evolve(explore_crashes=True)
    if where == "9.0":
        return p.evolve(version="9.0")
    return p


# --- diagram --------------------------------------------------------------------------------------

def pipeline_diagram() -> str:
    """The threads, rings and lsn values of the pipeline as a small SVG (hand laid out)."""
    boxes = [  # (x, y, w, h, title, lines)
        (10, 20, 150, 70, "user threads", ["reserve sn -> lsn", "copy, link, add pages"]),
        (200, 20, 170, 70, "log buffer (ring)", ["bytes by lsn % size", "first_rec_group"]),
        (410, 20, 170, 70, "recent_written", ["links start -> end", "tail = ready lsn"]),
        (620, 20, 150, 70, "log writer", ["write_lsn", "write-ahead, blocks"]),
        (810, 20, 150, 70, "log files", ["OS cache / disk", "checkpoint blocks"]),
        (620, 150, 150, 70, "log flusher", ["fsync", "flushed_to_disk_lsn"]),
        (410, 150, 170, 70, "notifiers + event slots", ["write / flush events", "wake waiters"]),
        (200, 150, 170, 70, "recent_closed", ["links; tail = dirty", "pages added lsn"]),
        (10, 150, 150, 70, "flush lists", ["dirty pages", "page cleaner (CP-6)"]),
        (810, 150, 150, 70, "checkpointer", ["checkpoint_lsn", "min(added, oldest)"]),
    ]
    arrows = [  # polylines: user -> buffer -> recent_written -> writer -> files, ...
        ((160, 55), (200, 55)), ((370, 55), (410, 55)), ((580, 55), (620, 55)),
        ((770, 55), (810, 55)), ((695, 90), (695, 150)), ((620, 185), (580, 185)),
        ((470, 150), (470, 120), (130, 120), (130, 90)),
        ((85, 90), (85, 150)), ((285, 90), (285, 150)),
        ((285, 220), (285, 245), (885, 245), (885, 220)), ((885, 150), (885, 90))]
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="980" height="280" '
             'viewBox="0 0 980 280" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
             '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="4" '
             'orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#495057"/></marker></defs>',
             '<rect width="980" height="280" fill="#ffffff"/>']
    for x, y, w, h, title, lines in boxes:
        parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="#e7f5ff" '
                     f'stroke="#1971c2"/>')
        parts.append(f'<text x="{x + w // 2}" y="{y + 20}" font-size="13" font-weight="bold" '
                     f'text-anchor="middle">{title}</text>')
        for k, line in enumerate(lines):
            parts.append(f'<text x="{x + w // 2}" y="{y + 40 + 15 * k}" font-size="11" '
                         f'text-anchor="middle">{line.replace(">", "&gt;")}</text>')
    for points in arrows:
        pts = " ".join(f"{x},{y}" for x, y in points)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#495057" '
                     f'stroke-width="1.5" marker-end="url(#a)"/>')
    parts.append('<text x="490" y="270" font-size="11" text-anchor="middle" fill="#495057">'
                 'checkpoint_lsn &lt;= flushed_to_disk_lsn &lt;= write_lsn &lt;= '
                 'buf_ready_for_write_lsn &lt;= current_lsn (SYS-1)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- pages ----------------------------------------------------------------------------------------

@dataclass
class Site:
    """The generated source: file name -> text, figure name -> SVG."""

    pages: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)


def _hole_state() -> tuple[Params, State, list[str]]:
    p = Params.tiny()
    m = RedoModel(p)
    init = m.init_states()[0]
    parent: dict[State, tuple[State, str] | None] = {init: None}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        lb = s.recent_written
        if lb.links and link_at(lb, lb.tail, p.link_buf) is None:
            labels: list[str] = []
            link = parent[s]
            while link is not None:
                labels.append(link[1])
                link = parent[link[0]]
            return p, s, labels[::-1]
        for label, t in m.successors(s):
            if t not in parent:
                parent[t] = (s, str(label))
                queue.append(t)
    raise RuntimeError("no state with a hole in recent_written")  # pragma: no cover


def generate(root: Path = ROOT) -> Site:
    """Every page and figure of the site, as text (deterministic)."""
    site = Site()
    reqs, passages, req_source = read_catalog(root)
    ev = read_evidence(root)
    arows = action_rows()
    prows = property_rows()
    actions = {a.name: a for a in all_actions()}
    actors = list(dict.fromkeys(r["actor"] for r in arows))

    # worked examples: one breadth-first search per configuration
    examples: dict[str, tuple[Params, list[str], State, State]] = {}
    by_params: dict[Params, list[str]] = {}
    for a in actions.values():
        by_params.setdefault(example_params(a), []).append(a.name)
    for p, names in by_params.items():
        found = first_takes(RedoModel(p))
        for n in names:
            if n in found:
                labels, before, after = found[n]
                examples[n] = (p, labels, before, after)

    # --- index
    site.figures["pipeline.svg"] = pipeline_diagram()
    hp, hs, hlabels = _hole_state()
    site.figures["overview-hole.svg"] = draw(hp, hs)
    idx = [heading("redospec: the InnoDB redo log pipeline, drawn from its spec", "="), ""]
    idx.append(esc(
        "User threads reserve a range of lsns, copy their record group into the ring log "
        "buffer and add a link to recent_written; the log writer follows those links from "
        "the tail (buf_ready_for_write_lsn: no holes below it), writes whole blocks to the "
        "log files and advances write_lsn; the flusher fsyncs and advances "
        "flushed_to_disk_lsn; the notifiers wake the users waiting on event slots; the "
        "closer follows recent_closed, so that the checkpointer can publish a checkpoint "
        "below every dirty page not yet flushed by the page cleaner. Every page of this "
        "site is generated from the executable spec (spec/), and every claim names the "
        "requirement it covers."))
    idx += ["", ".. image:: /figures/pipeline.svg", "   :alt: threads, rings and lsn values", ""]
    idx.append(esc("A state of the tiny model (16-byte blocks, a 3-block log buffer, 16-slot "
                   "rings): user 1's group is linked but user 0's is not, so "
                   "buf_ready_for_write_lsn stops at the hole (LNK-5). Trace:"))
    idx += ["", literal("\n".join(hlabels)), ".. image:: /figures/overview-hole.svg",
            "   :alt: a state with a hole in recent_written", ""]
    idx.append(heading("Actors", "-"))
    for actor in actors:
        names = [r["name"] for r in arows if r["actor"] == actor]
        links = ", ".join(f":ref:`{n} <action-{n}>`" for n in names)
        idx.append(f"* :doc:`actors/{actor}`: {links}")
    idx += ["", heading("Properties", "-")]
    for r in prows:
        idx.append(f"* :doc:`properties/{r['name']}`: {esc(r['summary'])}")
    idx += ["", heading("Reference", "-"),
            "* :doc:`traceability`: requirement -> spec -> proofs -> tests -> seeded bugs",
            "* :doc:`departures`: where the spec departs from MySQL and from the design text",
            "", ".. toctree::", "   :hidden:", "",
            *(f"   actors/{a}" for a in actors), *(f"   properties/{r['name']}" for r in prows),
            "   traceability", "   departures", ""]
    site.pages["index.rst"] = "\n".join(idx)

    # --- actors
    for actor in actors:
        mod = ACTOR_MODULES.get(actor)
        out = [heading(f"Actor: {actor}", "="), ""]
        if mod is not None and mod.__doc__:
            out += [f"From the module ``{mod.__name__}``:", "", doc_rst(mod.__doc__), ""]
        for r in (r for r in arows if r["actor"] == actor):
            a = actions[r["name"]]
            out += [f".. _action-{a.name}:", "", heading(a.name, "-"),
                    f"* variant: {r['variant']}",
                    "* requirements: " + ", ".join(req_ref(i) for i in r["ids"])]
            if r["mentioned"]:
                out.append("* also cites: " + ", ".join(req_ref(i) for i in r["mentioned"]))
            out += ["", doc_rst(a.doc), "", heading("Guard and effect", "~"),
                    f"``{a.apply.__module__}.{a.apply.__name__}``: the guard first (returning "
                    "``None`` when the action is not enabled), the effect second.", "",
                    code_block(inspect.getsource(a.apply))]
            out.append(heading("Worked example", "~"))
            if a.name in examples:
                p, labels, before, after = examples[a.name]
                fb, fa = f"{a.name}-before.svg", f"{a.name}-after.svg"
                site.figures[fb] = draw(p, before, title=f"before {labels[-1]}")
                site.figures[fa] = draw(p, after, before, title=f"after {labels[-1]}")
                out += [esc(f"The shortest trace of the tiny model that takes {a.name} "
                            f"({len(labels)} steps; replay it with redospec explore --preset "
                            "tiny --replay-file, or paste it into redospec serve), then the "
                            "state before and after the action (what changed is outlined "
                            "in orange):"), "",
                        literal("\n".join(labels)),
                        f".. image:: /figures/{fb}", f"   :alt: before {a.name}", "",
                        f".. image:: /figures/{fa}", f"   :alt: after {a.name}", ""]
            else:
                out += [esc("No example: the action is not reachable in the tiny model's "
                            "first states."), ""]
        site.pages[f"actors/{actor}.rst"] = "\n".join(out)

    # --- properties
    for r in prows:
        prop = next(p for p in PROPERTIES if p.name == r["name"])
        proofs = sorted({x for i in r["ids"] for x in ev.proofs.get(i, [])})
        mutants = sorted({x for i in r["ids"] for x in ev.mutants.get(i, [])})
        teeth = ev.teeth.get(r["name"], [])
        out = [f".. _property-{r['name']}:", "", heading(f"Property: {r['name']}", "="), "",
               f"* kind: {r['kind']} property "
               + ("(checked on every reachable state)" if r["kind"] == "state"
                  else "(checked on every transition)"),
               "* requirements: " + ", ".join(req_ref(i) for i in r["ids"])]
        if r["mentioned"]:
            out.append("* also cites: " + ", ".join(req_ref(i) for i in r["mentioned"]))
        out += ["", heading("What it says", "-"), doc_rst(prop.doc), "",
                heading("Predicate", "-"), code_block(inspect.getsource(prop.predicate)),
                heading("Proofs covering its requirements", "-")]
        out += [f"* {esc(x)}" for x in proofs] or ["None found in proofs/."]
        out += ["", heading("Teeth tests", "-")]
        out += [f"* ``{x}``" for x in teeth] or [
            "None: no test in tests/spec/test_teeth.py names this property (a gap)."]
        out += ["", heading("Seeded bugs citing its requirements", "-")]
        out += [f"* ``{x}``" for x in mutants] or ["None in conformance/mutant_catalog.py."]
        out += ["", heading("Shortest counterexample, step by step", "-")]
        variants = [b for b in BROKEN if b.prop == r["name"]]
        if not variants:
            out.append("No broken variant in atlas/broken.py for this property.")
        for b in variants:
            labels = list(counterexample(b.name))
            states = b.model().replay([Label.parse(t) for t in labels])
            out += [esc(f"Broken variant {b.name} (the bug of the teeth test {b.teeth}): "
                        f"{b.bug}. The explorer's shortest trace to a state where "
                        f"{r['name']} is false ({len(labels)} steps; load it in redospec "
                        f"serve as preset tiny:{b.name}):"), "", literal("\n".join(labels))]
            for k, svg in enumerate(draw_trace(b.params, states, labels)):
                fig = f"cx-{b.name}-{k:02d}.svg"
                site.figures[fig] = svg
                out += [f".. image:: /figures/{fig}",
                        f"   :alt: {'initial state' if k == 0 else labels[k - 1]}", ""]
        out.append("")
        site.pages[f"properties/{r['name']}.rst"] = "\n".join(out)

    # --- traceability
    spec_ids: dict[str, list[str]] = {}
    for r in arows:
        for i in r["ids"]:
            spec_ids.setdefault(i, []).append(f":ref:`{r['name']} <action-{r['name']}>`")
    for r in prows:
        for i in r["ids"]:
            spec_ids.setdefault(i, []).append(f":ref:`{r['name']} <property-{r['name']}>`")
    all_ids = sorted(set(reqs) | set(spec_ids) | set(ev.tests) | set(ev.proofs), key=id_key)
    def status(i: str) -> str:
        if i not in ev.tests:
            return "GAP: no test"
        if i in spec_ids:
            return "ok"
        return "GAP: helpers only" if i in ev.helpers else "GAP: not in the spec"

    gaps = [i for i in all_ids if status(i) != "ok"]
    src_note = (f"Requirement texts from ``{req_source}``." if req_source else
                "No requirement catalog found (docs/requirements.md): texts are missing.")
    out = [heading("Traceability matrix", "="), "",
           esc("Generated from the spec (declared IDs of actions and properties), proofs/ "
               "(Obligation and Inv declarations), tests/ (test docstrings) and "
               "conformance/mutant_catalog.py (seeded bugs). ") + src_note, "",
           f"{len(all_ids)} requirements; {len(gaps)} gaps (no spec element or no test): "
           + (", ".join(f":ref:`{g} <req-{g.lower()}>`" for g in gaps) or "none") + ".", "",
           esc("Columns count the items citing each requirement: spec actions and "
               "properties; spec helper functions (lsn arithmetic, blocks, recovery); proof "
               "items (a proofs/encoding.py invariant stands for its init obligation and one "
               "step obligation per action); test functions; seeded bugs."), "",
           ".. list-table::", "   :header-rows: 1", "",
           "   * - requirement", "     - spec", "     - helpers", "     - proofs",
           "     - tests", "     - seeded bugs", "     - status"]
    for i in all_ids:
        out += [f"   * - {req_ref(i)}", f"     - {len(spec_ids.get(i, []))}",
                f"     - {len(ev.helpers.get(i, []))}",
                f"     - {len(ev.proofs.get(i, []))}", f"     - {len(ev.tests.get(i, []))}",
                f"     - {len(ev.mutants.get(i, []))}", f"     - {status(i)}"]
    out.append("")
    for i in all_ids:
        out += [f".. _req-{i.lower()}:", "", heading(i, "-"),
                md_inline(reqs[i]) if i in reqs
                else esc(f"({i} is not in the requirement catalog)"), "",
                "* design passage: " + (md_inline(passages[i]) if i in passages
                                        else "not named in the catalog"),
                "* spec: " + (", ".join(spec_ids.get(i, [])) or "none"),
                "* spec helpers: " + (", ".join(f"``{x}``" for x in ev.helpers.get(i, []))
                                      or "none"),
                f"* status: {status(i)}"]
        out.append("* proofs: " + (", ".join(esc(x) for x in ev.proofs.get(i, [])) or "none"))
        tests = ev.tests.get(i, [])
        out.append(f"* tests ({len(tests)}): " + (", ".join(f"``{t}``" for t in tests[:12])
                                                 + (f" and {len(tests) - 12} more"
                                                    if len(tests) > 12 else "")
                                                 if tests else "none"))
        out.append("* seeded bugs: " + (", ".join(f"``{x}``" for x in ev.mutants.get(i, []))
                                         or "none"))
        out.append("")
    site.pages["traceability.rst"] = "\n".join(out)

    # --- departures
    out = [heading("Departures from MySQL and from the design text", "="), "",
           esc("The modelling decisions of the spec (docs/spec-model.md, each with its reason) "
               "and the known differences between the spec and the implementation "
               "(docs/conformance.md), quoted here."), ""]
    for title, path, section in (("Modelling decisions", "docs/spec-model.md", "Decisions"),
                                 ("Known differences between spec and implementation",
                                  "docs/conformance.md", "Known differences")):
        out.append(heading(title, "-"))
        items = markdown_items(root / path, section)
        if not items:
            out += [esc(f"(no section {section!r} found in {path})"), ""]
        for item in items:
            out += [f"* {md_inline(item)}", ""]
    site.pages["departures.rst"] = "\n".join(out)
    site.pages["conf.py"] = CONF
    return site


CONF = '''# generated by redospec docs build
project = "redospec"
author = "redospec"
copyright = "redospec"
extensions = []
master_doc = "index"
html_theme = "alabaster"
html_static_path = []
html_theme_options = {"page_width": "1160px", "sidebar_width": "200px"}
html_last_updated_fmt = None
html_show_sourcelink = False
smartquotes = False
'''


def markdown_items(path: Path, section: str) -> list[str]:
    """The top-level list items (numbered or bulleted) of the ``## section...`` of a Markdown
    file, each joined into one paragraph."""
    if not path.exists():
        return []
    items: list[str] = []
    inside = False
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("## "):
            inside = line[3:].startswith(section)
            continue
        if not inside:
            continue
        m = re.match(r"^(?:\d+\.|[*-])\s+(.*)$", line)
        if m:
            items.append(m.group(1))
        elif items and line.startswith(" ") and line.strip():
            items[-1] += " " + line.strip()
    return items


# --- build ----------------------------------------------------------------------------------------

def write_site(site: Site, src: Path) -> None:
    """Write the pages and figures under ``src`` (emptied first)."""
    if src.exists():
        shutil.rmtree(src)
    (src / "figures").mkdir(parents=True)
    for name, text in site.pages.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    for name, svg in sorted(site.figures.items()):
        (src / "figures" / name).write_bytes(svg.encode("utf-8"))


def build(out: Path, root: Path = ROOT, quiet: bool = True) -> tuple[int, Site, float]:
    """Generate the source into ``out/source`` and build HTML into ``out/html`` with Sphinx
    (warnings are errors). Returns Sphinx's exit status, the site, the seconds taken."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        raise UsageError("Sphinx is not installed: .venv/bin/pip install -e '.[docs]'") from None
    started = time.perf_counter()
    site = generate(root)
    src = out / "source"
    write_site(site, src)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    args = ["-b", "html", "-W", "--keep-going", "-E", "-d", str(out / "doctrees"),
            str(src), str(html)]
    if quiet:
        args.insert(0, "-q")
    rc = build_main(args)
    return rc, site, time.perf_counter() - started


def configure(parser: argparse.ArgumentParser) -> None:
    """``redospec docs``' arguments: the ``build`` command and its options."""
    parser.description = "Build the spec's documentation site with Sphinx."
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="generate the pages and figures and build the HTML site")
    b.add_argument("--out", default="build/docs", help="output folder (default build/docs)")
    b.add_argument("--verbose", action="store_true", help="Sphinx's own progress output")


def run(args: argparse.Namespace) -> int:
    """``redospec docs build [--out DIR]``: 0 built, 1 Sphinx failed."""
    if args.command != "build":
        raise UsageError("give a command: build")
    out = Path(args.out)
    rc, site, seconds = build(out, quiet=not args.verbose)
    pages = sum(1 for n in site.pages if n.endswith(".rst"))
    if rc != 0:
        print(f"{PROG}: Sphinx failed (status {rc}; warnings are errors)", file=sys.stderr)
        return 1
    print(f"{PROG}: {pages} pages, {len(site.figures)} figures in {seconds:.1f} s -> "
          f"{out / 'html' / 'index.html'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m atlas.book``: the same as ``redospec docs``."""
    return run_command("docs", configure, run, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
