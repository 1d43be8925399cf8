"""The link ring for a *symbolic* capacity ``C`` and any number of threads (LNK-1..5).

:mod:`proofs.ring` unrolls the traversal for the capacities 2 and 4 (8 takes ~110 s, 16 times
out). This module proves the same statements for every capacity ``C >= 1`` -- so for the
presets' 16/64-slot rings and InnoDB's 1 Mi/2 Mi-slot rings alike -- and for
any number of threads (an uninterpreted sort, as in :mod:`proofs.unbounded`).

The ring (the "seeds" variant of spec.linkbuf): ``a(i)`` is slot ``i``'s value (a distance, 0
= no link), the spec's index of lsn ``x`` is ``x & (C - 1)`` = ``x % C`` (lemma.slot_and_is_mod
for a power of two; the proofs hold for any ``C``), written ``res(x)``. The *window* is
``[tail, tail + C)``; ``lk(x) = a(res(x))`` is the link stored for window position ``x``.

``res`` is uninterpreted in the obligations; each one assumes, for the ground positions of its
query, instances of two lemmas proved here with the real ``%``:

* ``ring.lemma_injective``: two positions less than ``C`` apart with the same residue are
  equal (so a window position owns its slot);
* ``ring.lemma_witness``: every ``y`` has a window position ``w = tail + (y - tail) % C`` with
  ``res(w) = res(y)`` (so reading the slot of a position past the window reads a window
  position's slot).

Threads are idle, *unlinked* (reserved, link not added) or *linked*; ``reserve``, ``link`` and
``forget`` are as in :mod:`proofs.ring`. The traversal (spec.linkbuf.traverse, a loop) is
proved by induction over its iterations instead of unrolling: a loop invariant ``J`` over the
loop's position ``pos`` and its copy ``b`` of the slots holds at the start
(``ring.loop_start``), is kept by one iteration -- read ``b(res(pos))``, clear it, jump --
which also moves ``pos`` up but not past ``cur`` (``ring.<who>_loop_step``: the loop
terminates), and at the exit gives the new ring's invariant (``ring.<who>_exit.*``) and the
new tail the step encoding assumes (``ring.<who>_refines``): the first unlinked group's start
or the current lsn, or for the writer a position at or past its stop having passed only links
that start below the stop (WR-1; :mod:`proofs.writer_exact` uses this).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import z3

from proofs import terms as T
from proofs.obligation import Obligation
from proofs.unbounded import Thread

Int: TypeAlias = z3.ArithRef
Term: TypeAlias = z3.ExprRef
Fn: TypeAlias = Callable[[Term], z3.ExprRef]
IDLE, UNLINKED, LINKED = 0, 1, 2


@dataclass
class Ctx:
    """The capacity, ``res`` (uninterpreted, or the real ``% C``), recorded ground
    applications, and how quantifiers are written (over given positions/threads when finite)."""

    c: Int = field(default_factory=lambda: z3.Int("C"))
    real: bool = False
    positions: list[Int] | None = None
    threads: list[Term] | None = None
    stop: Int = field(default_factory=lambda: z3.Int("stop"))
    recording: bool = True
    skolemize: bool = False
    """Hypothesis instances: ``exists thread`` becomes a fresh constant (kept in
    ``hyp_threads`` so that the hypotheses are instantiated at it too)."""
    hyp_threads: list[Term] = field(default_factory=list)
    apps: list[Int] = field(default_factory=list)
    f_res: z3.FuncDeclRef = field(default_factory=lambda: z3.Function(
        "ring_res", z3.IntSort(), z3.IntSort()))
    _n: itertools.count[int] = field(default_factory=itertools.count)

    def res(self, x: Int) -> Int:
        """``x % C``: the slot index of lsn ``x`` (LNK-1)."""
        if self.recording:
            self.apps.append(x)
        return x % self.c if self.real else self.f_res(x)

    def forall_pos(self, body: Callable[[Int], z3.BoolRef]) -> z3.BoolRef:
        if self.positions is not None:
            return z3.And([body(x) for x in self.positions])
        was, self.recording = self.recording, False
        try:
            x = z3.Int(f"rx{next(self._n)}")
            return z3.ForAll([x], body(x))
        finally:
            self.recording = was

    def forall_thread(self, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        if self.threads is not None:
            return z3.And([body(u) for u in self.threads])
        was, self.recording = self.recording, False
        try:
            u = z3.Const(f"ru{next(self._n)}", Thread)
            return z3.ForAll([u], body(u))
        finally:
            self.recording = was

    def exists_thread(self, body: Callable[[Term], z3.BoolRef]) -> z3.BoolRef:
        if self.threads is not None:
            return z3.Or([body(u) for u in self.threads])
        if self.skolemize:
            w = z3.Const(f"hw{next(self._n)}", Thread)
            self.hyp_threads.append(w)
            return body(w)
        was, self.recording = self.recording, False
        try:
            u = z3.Const(f"ru{next(self._n)}", Thread)
            return z3.Exists([u], body(u))
        finally:
            self.recording = was


@dataclass
class Ring:
    """One ring state: tail, cur, the slots and the threads' (state, start, end)."""

    tail: Int
    cur: Int
    a: Fn
    st: Fn
    start: Fn
    end: Fn

    @classmethod
    def fresh(cls, tag: str) -> Ring:
        i = z3.IntSort()
        return cls(z3.Int(f"tail{tag}"), z3.Int(f"cur{tag}"),
                   z3.Function(f"slot{tag}", i, i),
                   z3.Function(f"ust{tag}", Thread, i), z3.Function(f"ustart{tag}", Thread, i),
                   z3.Function(f"uend{tag}", Thread, i))

    def but(self, **changes: object) -> Ring:
        return Ring(**{**self.__dict__, **changes})


def upd(fn: Fn, k: Term, v: Term) -> Fn:
    return lambda x: z3.If(x == k, v, fn(x))


# --- predicates ---------------------------------------------------------------------------------
def win(cx: Ctx, r: Ring, x: Int) -> z3.BoolRef:
    return z3.And(r.tail <= x, x < r.tail + cx.c)


def lk(cx: Ctx, r: Ring, x: Int) -> Int:
    """The link stored for position ``x`` (meaningful inside the window)."""
    return r.a(cx.res(x))


def unlinked(r: Ring, u: Term) -> z3.BoolRef:
    return r.st(u) == UNLINKED


def next_ok(cx: Ctx, r: Ring, z: Int) -> z3.BoolRef:
    """``z`` is cur, an unlinked group's start, or a window position holding a link: a
    traversal arriving at ``z`` stops only at cur or a missing link (LNK-2)."""
    return z3.Or(z == r.cur,
                 cx.exists_thread(lambda u: z3.And(unlinked(r, u), r.start(u) == z)),
                 z3.And(win(cx, r, z), lk(cx, r, z) > 0))


Body: TypeAlias = Callable[..., z3.BoolRef]


@dataclass(frozen=True)
class Part:
    """A conjunct of an invariant: ``forall vars: body(cx, state, *vars)``; ``kinds`` are
    ``"pos"`` (an lsn) or ``"thread"``."""

    name: str
    kinds: tuple[str, ...]
    body: Body


def _r0(cx: Ctx, r: Ring) -> z3.BoolRef:
    return z3.And(r.tail <= r.cur, next_ok(cx, r, r.tail))


def _ru(cx: Ctx, r: Ring, u: Term) -> z3.BoolRef:
    st = r.st(u)
    return z3.And(z3.Or(st == IDLE, st == UNLINKED, st == LINKED),
                  z3.Implies(st != IDLE, z3.And(r.start(u) < r.end(u), r.end(u) <= r.cur)),
                  z3.Implies(st == UNLINKED, z3.And(r.start(u) >= r.tail,
                                                    next_ok(cx, r, r.end(u)))))


def _ruu(cx: Ctx, r: Ring, u: Term, v: Term) -> z3.BoolRef:
    return z3.Implies(z3.And(u != v, r.st(u) != IDLE, r.st(v) != IDLE),
                      z3.Or(r.end(u) <= r.start(v), r.end(v) <= r.start(u)))


def _rx(cx: Ctx, r: Ring, x: Int) -> z3.BoolRef:
    d = lk(cx, r, x)
    return z3.Implies(win(cx, r, x), z3.And(d >= 0, z3.Implies(
        d > 0, z3.And(x + d <= r.cur, next_ok(cx, r, x + d)))))


def _rxu(cx: Ctx, r: Ring, x: Int, u: Term) -> z3.BoolRef:
    d = lk(cx, r, x)
    return z3.Implies(z3.And(win(cx, r, x), d > 0, unlinked(r, u)),
                      z3.Or(x + d <= r.start(u), x >= r.end(u)))


def _rxy(cx: Ctx, r: Ring, x: Int, y: Int) -> z3.BoolRef:
    return z3.Implies(z3.And(win(cx, r, x), win(cx, r, y), lk(cx, r, x) > 0,
                             lk(cx, r, y) > 0, x < y), x + lk(cx, r, x) <= y)


RING_PARTS: tuple[Part, ...] = (
    Part("tail", (), _r0),
    Part("threads", ("thread",), _ru),
    Part("disjoint", ("thread", "thread"), _ruu),
    Part("links", ("pos",), _rx),
    Part("links_vs_groups", ("pos", "thread"), _rxu),
    Part("links_disjoint", ("pos", "pos"), _rxy),
)
"""The ring invariant (as proofs.ring's, for any capacity and any number of threads): the tail
is at or below cur and a traversal from it is well founded; every thread's group is non-empty
below cur, an unlinked one starts at or above the tail (LNK-5) and ends where a traversal may
continue; groups are disjoint; every stored link ends at or below cur where a traversal may
continue (LNK-2), and stored links are disjoint from each other and from unlinked groups
(LNK-1, LNK-3)."""


# --- the loop (spec.linkbuf.traverse, seeds) ------------------------------------------------------
@dataclass
class Loop:
    """The traversal's variables: its position and its copy of the slots."""

    pos: Int
    b: Fn

    @classmethod
    def fresh(cls, tag: str) -> Loop:
        return cls(z3.Int(f"pos{tag}"), z3.Function(f"lslot{tag}", z3.IntSort(), z3.IntSort()))


def cond(cx: Ctx, lp: Loop, writer: bool) -> z3.BoolRef:
    """The loop continues: a link leaves ``pos`` (slot ``pos % C``) and, for the writer,
    ``pos < stop`` (WR-1)."""
    go = lp.b(cx.res(lp.pos)) != 0
    return z3.And(go, lp.pos < cx.stop) if writer else go


def iterate(cx: Ctx, lp: Loop) -> Loop:
    """One iteration: clear the slot (LNK-3) and jump to the link's end (LNK-2)."""
    i = cx.res(lp.pos)
    d = lp.b(i)
    return Loop(lp.pos + d, upd(lp.b, i, z3.IntVal(0)))


def _j0(cx: Ctx, r: Ring, lp: Loop, writer: bool) -> z3.BoolRef:
    return z3.And(r.tail <= lp.pos, lp.pos <= r.cur, next_ok(cx, r, lp.pos))


def _ju(cx: Ctx, r: Ring, lp: Loop, writer: bool, u: Term) -> z3.BoolRef:
    return z3.Implies(unlinked(r, u), lp.pos <= r.start(u))


def _jx(cx: Ctx, r: Ring, lp: Loop, writer: bool, x: Int) -> z3.BoolRef:
    i = cx.res(x)
    return z3.Implies(win(cx, r, x), z3.If(x < lp.pos, lp.b(i) == 0, lp.b(i) == r.a(i)))


def _jw(cx: Ctx, r: Ring, lp: Loop, writer: bool, x: Int) -> z3.BoolRef:
    if not writer:
        return z3.BoolVal(True)
    return z3.Implies(z3.And(win(cx, r, x), x < lp.pos, lk(cx, r, x) > 0), x < cx.stop)


LOOP_PARTS: tuple[Part, ...] = (
    Part("pos", (), _j0),
    Part("below_unlinked", ("thread",), _ju),
    Part("cleared", ("pos",), _jx),
    Part("passed_below_stop", ("pos",), _jw),
)
"""The loop invariant: ``pos`` is between the tail and cur, where a traversal may continue
(a link, an unlinked start or cur of the ring it started on), not past any unlinked group;
the loop's slots are the ring's at and above ``pos`` and cleared below it (inside the window);
the writer passed only links that start below its stop."""


# --- quantifiers, instances, facts --------------------------------------------------------------
def holds(cx: Ctx, part: Part, *pre: object) -> z3.BoolRef:
    def go(bound: tuple[Term, ...], rest: tuple[str, ...]) -> z3.BoolRef:
        if not rest:
            return part.body(cx, *pre, *bound)
        q = cx.forall_pos if rest[0] == "pos" else cx.forall_thread
        return q(lambda v: go((*bound, v), rest[1:]))

    return go((), part.kinds)


def inst(cx: Ctx, part: Part, pos: Sequence[Int], ths: Sequence[Term], *pre: object
         ) -> z3.BoolRef:
    pools = [pos if k == "pos" else ths for k in part.kinds]
    return z3.And([part.body(cx, *pre, *args) for args in itertools.product(*pools)])


def _dedup(xs: Sequence[Term]) -> list[Term]:
    seen: dict[int, Term] = {}
    for x in xs:
        seen.setdefault(x.hash(), x)
    return list(seen.values())


def facts(cx: Ctx, tail: Int, keys: Sequence[Int]) -> z3.BoolRef:
    """For every recorded ground ``res(x)``: ``0 <= res(x) < C`` (euclid); for each *key*
    position (the goal's skolems, the slot an action writes or the loop reads): its window
    witness ``w`` (ring.lemma_witness, skolemized) and injectivity (ring.lemma_injective)
    against every other application and its witness."""
    if cx.real:
        return z3.BoolVal(True)
    c = cx.c
    xs = _dedup(cx.apps)
    cs: list[z3.BoolRef] = [z3.And(cx.f_res(x) >= 0, cx.f_res(x) < c) for x in xs]

    def inj(x: Int, y: Int) -> z3.BoolRef:
        return z3.Implies(z3.And(x - y < c, y - x < c, cx.f_res(x) == cx.f_res(y)), x == y)

    for n, k in enumerate(_dedup(list(keys))):
        w = z3.Int(f"witness{n}")
        cs += [tail <= w, w < tail + c, cx.f_res(w) == cx.f_res(k), inj(w, k)]
        cs += [inj(k, x) for x in xs if not x.eq(k)]
    return z3.And(cs)


def witnesses(keys: Sequence[Int]) -> list[Int]:
    return [z3.Int(f"witness{n}") for n in range(len(_dedup(list(keys))))]


# --- queries -------------------------------------------------------------------------------------
SK_POS = (z3.Int("sk_x"), z3.Int("sk_y"))
SK_TH = (z3.Const("sk_u", Thread), z3.Const("sk_v", Thread))


def _goal_args(part: Part) -> tuple[Term, ...]:
    out: list[Term] = []
    np = nt = 0
    for k in part.kinds:
        if k == "pos":
            out.append(SK_POS[np])
            np += 1
        else:
            out.append(SK_TH[nt])
            nt += 1
    return tuple(out)


Query: TypeAlias = tuple[z3.BoolRef, dict[str, z3.BoolRef]]


def _finish(cx: Ctx, r: Ring, hyp: list[z3.BoolRef],
            goals_fn: Callable[[], dict[str, z3.BoolRef]],
            pos: list[Int], ths: list[Term], loop: tuple[Loop, bool] | None = None) -> Query:
    """The hypotheses as ground instances only (sound: each is implied by the quantified
    invariant; the query is then quantifier-free but for the goals' own ``forall thread``):
    every part at the ground positions and threads -- the skolems, the actor, the loop's
    position, the threads' starts and ends, the skolem threads the instances' ``exists``
    introduce, and every position's window witness -- and the res facts."""
    pos_keys = list(pos)
    ends = [x + r.a(cx.res(x)) for x in SK_POS]  # where the skolems' links end
    if loop is not None:
        ends += [x + loop[0].b(cx.res(x)) for x in SK_POS]
    pos = _dedup([*SK_POS, r.tail, r.cur, *pos, *ends])
    ths = _dedup([*SK_TH, *ths])
    pos = _dedup([*pos, *[r.start(u) for u in ths], *[r.end(u) for u in ths]])
    parts: list[tuple[Part, tuple[object, ...]]] = [(part, (r,)) for part in RING_PARTS]
    if loop is not None:
        lp, writer = loop
        parts += [(part, (r, lp, writer)) for part in LOOP_PARTS]

    def at(ps: Sequence[Int], ts: Sequence[Term], new: set[int],
           only: tuple[str, ...] = ()) -> list[z3.BoolRef]:
        """Instances at ``ps``/``ts`` with at least one argument in ``new`` (all if empty),
        of the parts named in ``only`` (all if empty)."""
        out = []
        for part, pre in parts:
            if only and part.name not in only:
                continue
            pools = [ps if k == "pos" else ts for k in part.kinds]
            for args in itertools.product(*pools):
                if new and not any(a.hash() in new for a in args):
                    continue
                out.append(part.body(cx, *pre, *args))
        return out

    # round 1: the ground positions and threads; an instance's "exists thread" (next_ok)
    # becomes a fresh constant
    cx.skolemize = True
    cs = at(pos, ths, set())
    cx.skolemize = False
    # the negated goals: their "forall thread" (from a negated next_ok) is asserted only for
    # the ground threads -- a weaker assertion than the goal's, so unsat still proves it
    cx.threads = _dedup([*ths, *cx.hyp_threads])
    goals = goals_fn()
    cx.threads = None
    # round 2: the fresh threads, at the round-1 positions (their own "exists" left to z3);
    # the window witnesses of every res application so far, in the loop's "cleared" part
    # (a position past the window reads a witness's slot, which the loop has cleared)
    extra_t = _dedup(cx.hyp_threads)
    new_t = {u.hash() for u in extra_t}
    cs += at(pos, _dedup([*ths, *extra_t]), new_t,
             ("threads", "disjoint", "links_vs_groups", "below_unlinked"))
    keys = _dedup([*SK_POS, *pos_keys])
    cs += at(witnesses(keys), ths, set(), ("cleared",))
    return z3.And(cx.c > 0, *hyp, *cs, facts(cx, r.tail, keys)), goals


def _ring_goals(cx: Ctx, q: Ring) -> dict[str, z3.BoolRef]:
    return {part.name: z3.Not(part.body(cx, q, *_goal_args(part))) for part in RING_PARTS}


def _loop_goals(cx: Ctx, r: Ring, lp: Loop, writer: bool) -> dict[str, z3.BoolRef]:
    return {part.name: z3.Not(part.body(cx, r, lp, writer, *_goal_args(part)))
            for part in LOOP_PARTS}


def init(cx: Ctx, r: Ring) -> z3.BoolRef:
    """A fresh ring: tail = cur, every slot 0, idle threads (spec.linkbuf.LinkBuf.empty)."""
    return z3.And(r.tail == r.cur, cx.forall_pos(lambda i: r.a(i) == 0),
                  cx.forall_thread(lambda u: r.st(u) == IDLE))


def q_init() -> Query:
    cx, r = Ctx(), Ring.fresh("")
    ground = [cx.res(x) for x in SK_POS]
    inst_cs = [r.a(i) == 0 for i in ground] + [r.st(u) == IDLE for u in SK_TH]
    return _finish(cx, r, [init(cx, r), *inst_cs], lambda: _ring_goals(cx, r), [], [])


def q_action(action: str) -> Query:
    """``R and action => R'`` for reserve, link, forget."""
    cx, r = Ctx(), Ring.fresh("")
    k = z3.Const("k", Thread)
    hyp: list[z3.BoolRef] = []  # R: its ground instances, added by _finish
    if action == "reserve":
        e = z3.Int("c_end")
        guard = z3.And(r.st(k) == IDLE, e > r.cur)
        q = r.but(cur=e, st=upd(r.st, k, z3.IntVal(UNLINKED)), start=upd(r.start, k, r.cur),
                  end=upd(r.end, k, e))
    elif action == "link":
        s0, e0 = r.start(k), r.end(k)
        guard = z3.And(r.st(k) == UNLINKED, s0 < r.tail + cx.c)  # has_space (LNK-4)
        q = r.but(a=upd(r.a, cx.res(s0), e0 - s0), st=upd(r.st, k, z3.IntVal(LINKED)))
    elif action == "forget":
        zero = z3.IntVal(0)
        guard = r.st(k) == LINKED
        q = r.but(st=upd(r.st, k, z3.IntVal(IDLE)), start=upd(r.start, k, zero),
                  end=upd(r.end, k, zero))
    else:
        raise KeyError(action)
    return _finish(cx, r, [*hyp, guard], lambda: _ring_goals(cx, q), [r.start(k), r.end(k)],
                   [k])


def q_loop_start() -> Query:
    """``R => J`` at ``pos = tail`` with the ring's own slots (both traversals)."""
    cx, r = Ctx(), Ring.fresh("")
    lp = Loop(r.tail, r.a)
    # R as hypothesis: its ground instances, added by _finish
    return _finish(cx, r, [], lambda: _loop_goals(cx, r, lp, True), [], [], (lp, True))


def q_loop_step(writer: bool) -> Query:
    """``R and J and cond => J'`` after one iteration, and ``pos < pos' <= cur`` (progress
    bounded by cur: the loop terminates)."""
    cx, r, lp = Ctx(), Ring.fresh(""), Loop.fresh("")
    hyp = [cond(cx, lp, writer)]  # and R and J: their ground instances, added by _finish
    nxt = iterate(cx, lp)

    def goals() -> dict[str, z3.BoolRef]:
        out = _loop_goals(cx, r, nxt, writer)
        out["progress"] = z3.Not(z3.And(lp.pos < nxt.pos, nxt.pos <= r.cur))
        return out

    return _finish(cx, r, hyp, goals, [lp.pos, nxt.pos], [], (lp, writer))


def q_exit(writer: bool) -> Query:
    """``R and J and not cond and pos != tail => R'`` for the ring with ``tail := pos`` and the
    loop's slots: the traversal keeps the ring invariant."""
    cx, r, lp = Ctx(), Ring.fresh(""), Loop.fresh("")
    hyp = [z3.Not(cond(cx, lp, writer)), lp.pos != r.tail]  # and R, J (added by _finish)
    q = r.but(tail=lp.pos, a=lp.b)
    return _finish(cx, r, hyp, lambda: _ring_goals(cx, q), [lp.pos], [], (lp, writer))


def q_refines(writer: bool) -> Query:
    """At the exit, the new tail is what proofs.encoding / proofs.unbounded assume: not past
    any unlinked group (J), and the first unlinked group's start or cur -- or, for the writer,
    at or past its stop (LNK-2, LNK-5, WR-1)."""
    cx, r, lp = Ctx(), Ring.fresh(""), Loop.fresh("")
    hyp = [z3.Not(cond(cx, lp, writer))]  # and R and J (added by _finish)

    def goals() -> dict[str, z3.BoolRef]:
        at_m = z3.Or(lp.pos == r.cur, cx.exists_thread(
            lambda u: z3.And(unlinked(r, u), r.start(u) == lp.pos)))
        ok = z3.Or(at_m, lp.pos >= cx.stop) if writer else at_m
        return {"tail": z3.Not(ok)}

    return _finish(cx, r, hyp, goals, [lp.pos], [], (lp, writer))


# --- the two arithmetic lemmas ----------------------------------------------------------------
def lemma_injective() -> z3.BoolRef:
    """LNK-1: positions less than ``C`` apart with the same ``% C`` are equal."""
    c, x, y = z3.Ints("C x y")
    hints = z3.And(T.euclid(x, c), T.euclid(y, c), T.mul_cancel(x / c - y / c, z3.IntVal(1), c),
                   T.mul_cancel(y / c - x / c, z3.IntVal(1), c))
    return z3.And(c > 0, hints, x - y < c, y - x < c, x % c == y % c, x != y)


def lemma_witness() -> z3.BoolRef:
    """LNK-1: ``w = tail + (y - tail) % C`` is in the window and ``w % C = y % C``."""
    c, tail, y = z3.Ints("C tail y")
    d = y - tail
    w = tail + d % c
    hints = z3.And(T.euclid(d, c), T.euclid(y, c),
                   T.div_hint(w, c, y / c - d / c, y % c))
    return z3.And(c > 0, hints, z3.Not(z3.And(tail <= w, w < tail + c, w % c == y % c)))


# --- obligations ----------------------------------------------------------------------------------
BUILDERS: dict[str, Callable[[], Query]] = {
    "init": q_init,
    "reserve": lambda: q_action("reserve"),
    "link": lambda: q_action("link"),
    "forget": lambda: q_action("forget"),
    "loop_start": q_loop_start,
    "writer_loop_step": lambda: q_loop_step(True),
    "closer_loop_step": lambda: q_loop_step(False),
    "writer_exit": lambda: q_exit(True),
    "closer_exit": lambda: q_exit(False),
    "writer_refines": lambda: q_refines(True),
    "closer_refines": lambda: q_refines(False),
}
"""Each query: a shared hypothesis and its goals (one obligation per goal)."""

IDS: dict[str, tuple[str, ...]] = {
    "init": ("LNK-1", "LNK-5"), "reserve": ("LNK-5", "USR-1"),
    "link": ("LNK-1", "LNK-4", "LNK-5"), "forget": ("LNK-5",),
    "loop_start": ("LNK-2",), "writer_loop_step": ("LNK-2", "LNK-3", "WR-1"),
    "closer_loop_step": ("LNK-2", "LNK-3"), "writer_exit": ("LNK-2", "LNK-3", "LNK-5"),
    "closer_exit": ("LNK-2", "LNK-3", "LNK-5"), "writer_refines": ("LNK-2", "LNK-5", "WR-1"),
    "closer_refines": ("LNK-2", "LNK-5", "CP-1"),
}


@functools.cache
def _query(name: str) -> Query:
    """The query ``name`` (built once per process, shared by its goals' obligations)."""
    return BUILDERS[name]()


def _goal_names(name: str) -> list[str]:
    if name == "init" or name in ("reserve", "link", "forget") or name.endswith("_exit"):
        return [p.name for p in RING_PARTS]
    if name == "loop_start":
        return [p.name for p in LOOP_PARTS]
    if name.endswith("_loop_step"):
        parts = [p.name for p in LOOP_PARTS]
        if not name.startswith("writer"):
            parts.remove("passed_below_stop")
        return [*parts, "progress"]
    return ["tail"]


def obligations() -> list[Obligation]:
    """``ring.lemma_*`` and ``ring.<query>.<goal>``: every capacity, any number of threads."""
    out = [
        Obligation("ring.lemma_injective", ("LNK-1",), lemma_injective,
                   lemma_injective.__doc__ or ""),
        Obligation("ring.lemma_witness", ("LNK-1",), lemma_witness,
                   lemma_witness.__doc__ or ""),
    ]
    doc = "The ring invariant and the traversal loop invariant (proofs.ring_symbolic)."
    for name in BUILDERS:
        for goal in _goal_names(name):
            out.append(Obligation(f"ring.{name}.{goal}", IDS[name],
                                  functools.partial(_goal, name, goal), doc,
                                  session=f"ring.{name}", shared=functools.partial(_hyp, name)))
    return out


def _goal(name: str, goal: str) -> z3.BoolRef:
    return _query(name)[1][goal]


def _hyp(name: str) -> z3.BoolRef:
    return _query(name)[0]
