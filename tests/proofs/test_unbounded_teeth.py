"""Teeth for the unbounded encodings: a broken action makes the unbounded obligation
fail with a counterexample, and the executable spec confirms it -- the same break as a spec
action, run from the counterexample's pre-state (decoded into a spec State), produces a state
that violates the property. Also the symbolic ring's and the exact writer's obligations fail
when their guards are dropped."""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs import ring_symbolic as R
from proofs import uconcrete as C
from proofs import unbounded as U
from proofs.obligation import Obligation, check
from spec.params import Params
from spec.state import IDLE, PagesState, State, UserState, replace
from spec.user import LATCHING_PCS, user_report_added

THREE = Params.tiny().evolve(n_user_threads=3, n_pages=3, n_flush_lists=2,
                             wait_kinds=("flush", "write", "none"))


class NoWal(U.UEnc):
    """CP-6 broken: the page cleaner writes a page without the WAL check."""

    def wal_ok(self, s: U.UState, pg: z3.ExprRef) -> z3.BoolRef:
        return z3.BoolVal(True)


class NoLatch(U.UEnc):
    """USR-1/CP-3 broken: a thread reserves a page another thread holds latched."""

    def latch_free(self, s: U.UState, k: z3.ExprRef, page: z3.ExprRef) -> z3.BoolRef:
        return z3.BoolVal(True)


def _unbounded(make: Callable[[], U.UEnc], action: str, inv: str) -> str:
    hyp, goals = U.action_query(action, make)
    ob = Obligation(f"teeth.{action}.{inv}", ("TEETH",), lambda: z3.And(hyp, goals[inv]))
    return check(ob, 60).status


def _spec_cleaner_no_wal(p: Params, s: State, li: int) -> State | None:
    """spec.page_cleaner.page_cleaner_flush_page without its guard (the same break)."""
    pg = s.pages
    if not pg.flush_lists[li]:
        return None
    page, _ = pg.flush_lists[li][-1]
    newest = pg.newest[page]
    lists = (*pg.flush_lists[:li], pg.flush_lists[li][:-1], *pg.flush_lists[li + 1:])
    return replace(s, pages=PagesState(
        lists, (*pg.newest[:page], 0, *pg.newest[page + 1:]),
        (*pg.on_disk[:page], newest, *pg.on_disk[page + 1:])))


def test_page_cleaner_without_wal_breaks_cp6_confirmed_by_the_spec() -> None:
    """CP-6: without ``flushed_to_disk_lsn >= newest`` the unbounded obligation has a
    counterexample; decoded with 3 threads/3 pages/2 lists and run through the broken spec
    action, a page on disk is newer than flushed_to_disk_lsn."""
    assert _unbounded(NoWal, "page_cleaner_flush_page", "cp6") == "counterexample"
    found = C.concrete_counterexample(THREE, NoWal, "page_cleaner_flush_page",
                                      U.invariant("cp6"))
    assert found is not None
    pre, _post = found
    assert max(pre.pages.on_disk) <= pre.flushed_to_disk_lsn  # CP-6 holds before
    after = [t for li in range(THREE.n_flush_lists)
             if (t := _spec_cleaner_no_wal(THREE, pre, li)) is not None]
    assert any(max(t.pages.on_disk) > t.flushed_to_disk_lsn for t in after)


def _spec_reserve_no_latch(p: Params, s: State, k: int, size: int, page: int, wait: str
                           ) -> State | None:
    """spec.user.user_reserve without the page latch check (the same break)."""
    from spec.lsn import sn_to_lsn

    u = s.users[k]
    if u.pc != IDLE:
        return None
    users = (*s.users[:k], UserState("reserved", s.sn, size, page, wait, False), *s.users[k + 1:])
    start, end = sn_to_lsn(p, s.sn), sn_to_lsn(p, s.sn + size)
    return replace(s, sn=s.sn + size, users=users, groups=(*s.groups, (start, end, page)))


def test_reserve_without_latch_breaks_exclusion_confirmed_by_the_spec() -> None:
    """USR-1/CP-3: ignoring the page latch lets two threads latch one page; the spec, run with
    the broken reserve from the decoded pre-state, reaches two latching threads on one page."""
    assert _unbounded(NoLatch, "user_reserve", "aux_latch") == "counterexample"
    found = C.concrete_counterexample(THREE, NoLatch, "user_reserve", U.invariant("aux_latch"))
    assert found is not None
    pre, post = found
    k = next(i for i, (u, v) in enumerate(zip(pre.users, post["threads"], strict=True))
             if u.pc == IDLE and v[0] != 0)
    _pc, _ssn, size, wait, _sig, page = post["threads"][k]
    waits = {0: "none", 1: "write", 2: "flush"}
    t = _spec_reserve_no_latch(THREE, pre, k, size, page, waits[wait])
    assert t is not None
    latching = [u.page for u in t.users if u.pc in LATCHING_PCS]
    assert len(latching) != len(set(latching))


class ReportOverHoles(U.UEnc):
    """CP-1 broken (9.0): report_added moves smallest_not_added_lsn to the reporter's end even
    when a range below it is not yet reported (the fast path taken without ``tail == start``)."""

    def user_report_added(self, s: U.UState) -> tuple[z3.BoolRef, U.UState]:
        k = self.actor(s)
        new = self.en(s, k)
        idle = s.update({"added": new}, self._idle(s, k))
        closed = self._move(s, k, U.CLOSED, False).update({"added": new})
        return s.fn("pc", k) == U.PAGES_ADDED, self._ite(s.fn("wait", k) == 0, idle, closed)


NINE = THREE.evolve(version="9.0", link_buf="8.0.22")


def _spec_report_over_holes(p: Params, s: State, k: int) -> State | None:
    """spec.user.user_report_added with the same break: the tracker's tail becomes end_lsn."""
    import attrs

    from spec.lsn import sn_to_lsn

    u = s.users[k]
    t = user_report_added(p, s, k)
    if t is None:
        return None
    end = sn_to_lsn(p, u.start_sn + u.size)
    return replace(t, recent_closed=attrs.evolve(t.recent_closed, tail=end))


def _unreported_below_tail(p: Params, s: State) -> list[int]:
    """CP-1 on a spec state: the users whose range is not yet reported (pc up to
    pages_added) but starts below the tracker's tail (smallest_not_added_lsn)."""
    from spec.lsn import sn_to_lsn

    open_pcs = ("reserved", "copied", "frg_set", "linked", "pages_added")
    return [i for i, u in enumerate(s.users) if u.pc in open_pcs
            and sn_to_lsn(p, u.start_sn) < s.recent_closed.tail]


def test_report_over_holes_breaks_cp1_confirmed_by_the_spec() -> None:
    """CP-1 (9.0 tracker): a report that moves the tail past an unreported range has an
    unbounded counterexample (aux_rc: an unreported group below dirty_pages_added); decoded
    with 3 threads and run through the spec's user_report_added with the same break, a user
    whose pages are not yet reported starts below smallest_not_added_lsn -- which the spec's
    own report never does from that state."""
    assert _unbounded(ReportOverHoles, "user_report_added", "aux_rc") == "counterexample"
    found = C.concrete_counterexample(NINE, ReportOverHoles, "user_report_added",
                                      U.invariant("aux_rc"))
    assert found is not None
    pre, post = found
    assert not _unreported_below_tail(NINE, pre)
    k = next(i for i, (u, v) in enumerate(zip(pre.users, post["threads"], strict=True))
             if u.pc == "pages_added" and v[0] != U.PAGES_ADDED)
    broken = _spec_report_over_holes(NINE, pre, k)
    assert broken is not None and _unreported_below_tail(NINE, broken)
    good = user_report_added(NINE, pre, k)
    assert good is not None and not _unreported_below_tail(NINE, good)


def test_unbroken_obligations_are_proved() -> None:
    """Control: the same two obligations with the spec's guards are proved."""
    assert _unbounded(U.UEnc, "page_cleaner_flush_page", "cp6") == "proved"
    assert _unbounded(U.UEnc, "user_reserve", "aux_latch") == "proved"
    assert _unbounded(U.UEnc, "user_report_added", "aux_rc") == "proved"


def test_symbolic_ring_link_without_has_space_fails() -> None:
    """LNK-4: a link added without ``start < tail + C`` may land on a live slot of the window;
    the symbolic-capacity obligation then has a counterexample."""
    original = R.q_action

    def broken(action: str) -> R.Query:
        cx, r = R.Ctx(), R.Ring.fresh("")
        k = z3.Const("k", U.Thread)
        s0, e0 = r.start(k), r.end(k)
        q = r.but(a=R.upd(r.a, cx.res(s0), e0 - s0), st=R.upd(r.st, k, z3.IntVal(R.LINKED)))
        return R._finish(cx, r, [r.st(k) == R.UNLINKED], lambda: R._ring_goals(cx, q),
                         [s0, e0], [k])

    hyp, goals = broken("link")
    assert original is R.q_action
    statuses = {g: check(Obligation("teeth.ring", (), lambda g=g: z3.And(hyp, goals[g])),
                         60).status for g in ("links", "links_disjoint")}
    assert "counterexample" in statuses.values(), statuses


def test_symbolic_ring_loop_without_clearing_fails() -> None:
    """LNK-3: a traversal that does not clear the slots it passes leaves stale links in the
    window behind the new tail; the exit obligation has a counterexample."""
    cx, r, lp = R.Ctx(), R.Ring.fresh(""), R.Loop.fresh("")
    # a loop invariant without "cleared below pos" (the stale slots), exit as usual
    stale = R.Loop(lp.pos, r.a)
    hyp = [z3.Not(R.cond(cx, stale, False)), lp.pos != r.tail]
    q = r.but(tail=lp.pos, a=r.a)
    query = R._finish(cx, r, hyp, lambda: R._ring_goals(cx, q), [lp.pos], [], None)
    statuses = {g: check(Obligation("teeth.ring", (), lambda g=g: z3.And(query[0],
                                                                         query[1][g])),
                         60).status for g in query[1]}
    assert "counterexample" in statuses.values(), statuses


def test_exact_write_without_capacity_clip_fails() -> None:
    """WR-9: without the capacity clip and guard, the exact write no longer implies the
    relation the step proofs use (write_lsn may pass the checkpoint's block one lap later)."""
    from proofs import writer_exact as X

    broken = Obligation("teeth.wexact", ("WR-9",), lambda: X._write_implies(clip=False))
    assert check(broken, 60).status == "counterexample"
    assert check(Obligation("control", ("WR-9",), X._write_implies), 60).status == "proved"


class NoDurability(U.UEnc):
    """RC-4 broken: recovery may restart below a durable group end (the contract's
    durability clause dropped; atlas.broken's restart-at-the-checkpoint is such a recovery)."""

    def durable_kept(self, s: U.UState, r: z3.ArithRef) -> z3.BoolRef:
        return z3.BoolVal(True)


CRASHES = Params.tiny().evolve(explore_crashes=True, max_sn=16, wait_kinds=("flush", "none"))


def _recover_after_a_page_write(seed: int) -> tuple[State, State]:
    """A crashed state, reached by a seeded walk of the spec that crashes as soon as a page
    is on disk and a group is durable, and the spec's recover from it."""
    import random

    from spec.model import RedoModel

    model = RedoModel(CRASHES)
    rng = random.Random(seed)
    s = model.init_states()[0]
    lsn0 = s.flushed_to_disk_lsn
    for _ in range(80):
        ready = s.flushed_to_disk_lsn > lsn0 and any(s.pages.on_disk)
        succ = [(lab, t) for lab, t in model.successors(s)
                if lab.action != "crash" or ready]
        crash = [x for x in succ if x[0].action in ("crash", "recover")]
        lab, t = crash[0] if crash else rng.choice(succ)
        if lab.action == "recover":
            return s, t
        s = t
    raise AssertionError("no recover within 80 steps")


def test_restart_below_a_durable_commit_breaks_cp6_confirmed_by_the_spec() -> None:
    """RC-4 and CP-6 across a restart: without the durability clause of the recovery
    contract, ``step.recover.durable`` and ``step.recover.cp6`` have counterexamples (a page
    on disk above the restart lsn). The spec confirms: atlas.broken's restart-at-the-
    checkpoint, run from a crashed state the spec reached, restarts below a durable group
    end, leaves a page on disk newer than flushed_to_disk_lsn (the spec's cp6_wal_rule
    fails) and breaks the contract, which the spec's own recover from the same state
    satisfies."""
    from atlas.broken import _restart_at_the_checkpoint
    from spec.invariants import cp6_wal_rule

    assert _unbounded(NoDurability, "recover", "durable") == "counterexample"
    assert _unbounded(NoDurability, "recover", "cp6") == "counterexample"
    assert _unbounded(U.UEnc, "recover", "durable") == "proved"
    assert _unbounded(U.UEnc, "recover", "cp6") == "proved"
    for seed in range(3):
        crashed, good = _recover_after_a_page_write(seed)
        broken = _restart_at_the_checkpoint(CRASHES, crashed)
        assert broken is not None
        durable = [end for _, end, _ in crashed.groups if end <= crashed.flushed_to_disk_lsn]
        assert broken.flushed_to_disk_lsn < max(durable)
        assert not cp6_wal_rule(CRASHES, broken) and cp6_wal_rule(CRASHES, good)
        assert C.relation_holds(CRASHES, "recover", crashed, good)
        assert not C.relation_holds(CRASHES, "recover", crashed, broken)


def test_restart_lsn_may_be_below_flushed_to_disk_lsn() -> None:
    """Why ``step.<action>.durable`` speaks of group ends, not of flushed_to_disk_lsn itself
    (RC-4): a flush may end inside a group (the writer splits a write at the log buffer's
    end), and recovery drops the incomplete group, so the spec's restart lsn is then below
    flushed_to_disk_lsn at the crash -- while every group that ended at or below it is
    recovered (the recovery contract holds)."""
    import random

    from spec.model import RedoModel

    p = Params.small().evolve(explore_crashes=True)
    model = RedoModel(p)
    rng = random.Random(2)
    s = model.init_states()[0]
    for _ in range(120):
        ends = {end for _, end, _ in s.groups}
        mid = s.flushed_to_disk_lsn not in ends and s.flushed_to_disk_lsn > _first_end(s)
        succ = [(lab, t) for lab, t in model.successors(s) if lab.action != "crash" or mid]
        forced = [x for x in succ if x[0].action in ("crash", "recover")]
        lab, t = forced[0] if forced else rng.choice(succ)
        if lab.action == "recover":
            break
        s = t
    assert lab.action == "recover"
    assert t.flushed_to_disk_lsn < s.flushed_to_disk_lsn
    durable = [end for _, end, _ in s.groups if end <= s.flushed_to_disk_lsn]
    assert durable and t.flushed_to_disk_lsn >= max(durable)
    assert C.relation_holds(p, "recover", s, t)


def _first_end(s: State) -> int:
    """The end of the first group (0 with none): a flush past it has made a group durable."""
    return min((end for _, end, _ in s.groups), default=1 << 62)


class AddWithoutRoom(U.UEnc):
    """CP-3 broken (9.0): wait_to_add lets the user add its pages without has_space (``start
    < smallest_not_added_lsn + L``), so a page may enter a flush list L or more above the
    tracker's tail."""

    def user_wait_to_add(self, s: U.UState) -> tuple[z3.BoolRef, U.UState]:
        k = self.actor(s)
        return self._add_pages(s, k, z3.BoolVal(True))


def _order_lag_broken(p: Params, s: State) -> list[int]:
    """CP-3 on a spec state: the dirty pages whose oldest_modification is not below
    smallest_not_added_lsn + L (the flush lists' order lag)."""
    return [page for lst in s.pages.flush_lists for page, oldest in lst
            if oldest >= s.recent_closed.tail + p.order_lag]


def test_wait_to_add_without_room_breaks_cp3_confirmed_by_the_spec() -> None:
    """CP-3 (9.0 tracker): adding pages without wait_to_add's has_space has an unbounded
    counterexample (aux_pages: a dirty page's oldest is below the tracker's tail + L); decoded
    with 3 threads, the spec's own page insertion (spec.user._add_pages, what user_wait_to_add
    does once has_space holds) run without the check puts a page L or more above
    smallest_not_added_lsn -- and the spec's user_wait_to_add refuses that step."""
    from spec.lsn import sn_to_lsn
    from spec.user import _add_pages, user_wait_to_add

    assert _unbounded(AddWithoutRoom, "user_wait_to_add", "aux_pages") == "counterexample"
    assert _unbounded(U.UEnc, "user_wait_to_add", "aux_pages") == "proved"
    found = C.concrete_counterexample(NINE, AddWithoutRoom, "user_wait_to_add",
                                      U.invariant("aux_pages"))
    assert found is not None
    pre, post = found
    assert not _order_lag_broken(NINE, pre)
    k = next(i for i, (u, v) in enumerate(zip(pre.users, post["threads"], strict=True))
             if u.pc == "linked" and v[0] == U.PAGES_ADDED)
    u = pre.users[k]
    broken = _add_pages(NINE, pre, k, u, sn_to_lsn(NINE, u.start_sn))
    assert _order_lag_broken(NINE, broken)
    assert user_wait_to_add(NINE, pre, k) is None
