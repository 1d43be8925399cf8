"""Stepped conformance: Hypothesis chooses every interleaving of the implementation's steps.

:class:`SteppedMachine` is a ``RuleBasedStateMachine`` with one rule per spec action kind. The
implementation (``impl.redolog.RedoLog`` with ``threads=False`` over an in-memory
``FaultStore``) and the spec (``spec.model.RedoModel``) run side by side:

1. a rule is offered only when the spec has that action enabled (its precondition), and the
   arguments (which user thread, group size, page, wait kind) are drawn from the spec's enabled
   labels, so Hypothesis explores exactly the spec's schedules;
2. the rule performs the step on the implementation (a user operation, or one background
   object's step), then applies the same labelled action to the spec with ``next_state``;
   where the implementation decides an argument itself (which flush list the page cleaner
   took), the label is built from what it did, and the spec must accept it;
3. the implementation's state is abstracted (:func:`conformance.abstraction.abstract`), the
   spec's invariants are checked on it (state properties, and step properties such as WR-6 and
   CP-4 on the abstract transition), and it is compared field by field with the spec's state.

Any difference raises :class:`~conformance.checks.ConformanceFailure` naming the invariant or
the first differing field; Hypothesis shrinks the failing schedule to a shortest one and prints
it as a runnable program, and the example database replays it.

The configuration (:func:`conformance.params_map.conformance_params`) has 512-byte blocks like
the implementation and small rings, so a run of a few dozen steps wraps the log buffer, the
recent-written and recent-closed rings, the event slots and the log files. A crash (the fault
store loses unsynced writes) followed by recovery compares the implementation's recovery report
with the spec's :func:`spec.crash.recover_image`; then the implementation restarts with
``RedoLog.open`` on the crashed store and the spec with ``recover`` (recovery + ``log_start``),
and the restarted states, the durable data file and ``rc_restart_exact`` are compared
(:meth:`SteppedMachine.crash_and_recover`). :class:`RestartMachine` does that for several
generations per run.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import HealthCheck, target
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    rule,
    run_state_machine_as_test,
)

from conformance import forbidden, recovery_compare
from conformance.abstraction import (
    GroupHistory,
    abstract,
    compare,
    note_written,
)
from conformance.checks import ConformanceFailure, reports
from conformance.driver import DriverUser, ImplDriver
from conformance.params_map import WRAP_CHANGES, conformance_params, to_log_config
from conformance.report import LIVE
from impl import recovery as impl_recovery
from impl.faultstore import FaultStore
from impl.records import Record
from impl.redolog import RedoLog
from spec import crash as spec_crash
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import LINKED, State, replace

STEPS = 300

IDLE_CHECKS: dict[str, tuple[str, ...]] = {
    "writer": ("writer_traverse_links", "writer_write"),
    "flusher": ("flusher_fsync",),
    "closer": ("closer_traverse_links",),
}
"""Background objects whose ``step`` must be a no-op when their spec actions are disabled."""

def record_steps(exc: ConformanceFailure, steps: list[str]) -> None:
    """Attach the run's steps to a failure (once: the innermost machine's), for
    ``redospec mutants --show``."""
    if not hasattr(exc, "steps"):
        exc.steps = list(steps)  # type: ignore[attr-defined]



USER_WEIGHT = 4
"""Extra weight of user steps: background threads lag, so writes span several blocks."""
"""Steps per run of the main machine (at least): enough to wrap every ring, the files too."""


@functools.lru_cache(maxsize=8)
def model_for(p: Params) -> RedoModel:
    return RedoModel(p)


class SteppedMachine(ImplDriver, RuleBasedStateMachine):
    """One rule per spec action kind; see the module docstring."""

    params: Params = conformance_params()
    check_name = "stepped"
    min_steps_before_crash: int = 250
    forbidden_steps: bool = True
    """Also try steps the spec forbids (:mod:`conformance.forbidden`): the implementation must
    refuse them without changing state."""
    """A crash is offered only after this many steps since the log was created, so that runs
    get far enough to wrap the rings (the files need about 250 steps) before they crash."""

    def __init__(self) -> None:
        super().__init__()
        LIVE.examples[self.check_name] += 1
        self.p = self.params
        self.model = model_for(self.p)
        self.props = [pr for pr in self.model.properties() if pr.kind == "state"]
        self.step_props = [pr for pr in self.model.properties() if pr.kind == "step"]
        self.config = to_log_config(self.p)
        self._started = False
        self.reach = 0
        self.action_names = frozenset(self.model.action_names())
        """The spec actions of this configuration."""
        self._kind_order = tuple(n for n in self.model.action_names() if n != "recover")
        self.done: list[str] = []
        """Every step of this run so far, as a label (``redospec mutants --show``)."""
        self._attempt = ""
        self._fresh()

    # ------------------------------------------------------------------------------ set-up
    def _fresh(self) -> None:
        """A new log on both sides (at the start and after a crash and recovery)."""
        if self._started:
            self._note_reach()
            self.log.close(flush=False)
        self._started = True
        self.spec: State = self.model.init_states()[0]
        self.store = FaultStore()
        self.log: RedoLog = RedoLog.create(self.store, self.config, threads=False, trace=True)
        self.users = [DriverUser(self.log) for _ in range(self.p.n_user_threads)]
        self.history = GroupHistory()
        self.written: dict[tuple[int, int], set[Any]] = {}
        self.steps = 0
        self.generation = 0
        self.recovered = False
        self._enabled: dict[str, list[Label]] | None = None
        self.abs = self.abstract_impl()
        self._check_equal("initial state")

    def teardown(self) -> None:
        """Record how far the run got (which rings wrapped) and steer Hypothesis towards runs
        that get further (``target``): wrapping the rings is where the bugs live."""
        self._note_reach()
        target(float(self.reach), label="lsn bytes written")
        self.log.close(flush=False)

    def _note_reach(self) -> None:
        written = int(self.log.write_lsn) - self.p.start_lsn
        self.reach = max(self.reach, written)
        p = self.p
        for ring, size in (("log_buffer", p.log_buffer_size),
                           ("recent_written", p.recent_written_size),
                           ("write_events", p.write_events * p.block_size),
                           ("log_files", p.log_capacity)):
            if self.reach > size:
                LIVE.wraps[ring] += 1

    # ------------------------------------------------------------------------------ helpers
    def enabled(self, action: str) -> list[Label]:
        """The spec's enabled labels of ``action`` in the current spec state
        (:meth:`spec.model.RedoModel.enabled_labels`, kept until the next step: preconditions
        are evaluated far more often than rules run)."""
        if self._enabled is None:
            self._enabled = {}
        found = self._enabled.get(action)
        if found is None:
            found = self._enabled[action] = self.model.enabled_labels(self.spec, action)
        return found

    def abstract_impl(self, last_write: tuple[int, int, int, int] | None = None) -> State:
        """The implementation's state now, as a spec state (:func:`conformance.abstraction.
        abstract`); ``last_write`` is the write the last step made (WR-6 checks it)."""
        s = abstract(self.p, self.log, self.users, self.history, recovered=self.recovered,
                     generation=self.generation)
        return replace(s, last_write=last_write) if last_write else s

    def _check_equal(self, what: str) -> None:
        diff = compare(self.p, self.spec, self.abs, self.written)
        if diff:
            raise ConformanceFailure(
                f"abstraction {diff[0].split(':', 1)[0]}",
                f"after {what}, the implementation's abstract state differs from the spec's:\n  "
                + "\n  ".join(diff[:12]))

    def _check_invariants(self, label: Label, after: State) -> None:
        """The spec's state invariants, evaluated on the implementation's abstract state."""
        p = self.p
        for prop in self.props:
            if not prop.predicate(p, after):
                why = prop.explain
                explain = why(p, after) if why is not None else ""
                raise ConformanceFailure(f"invariant {prop.name}",
                                         f"after {label} the implementation breaks {prop.name} "
                                         f"({', '.join(prop.ids)}): {explain}")

    def _check_step_invariants(self, before: State, label: Label, after: State) -> None:
        """The spec's step invariants (WR-6, CP-4) on the implementation's abstract step."""
        p = self.p
        for prop in self.step_props:
            if not prop.predicate(p, before, label, after):
                why = prop.explain
                explain = why(p, before, label, after) if why is not None else ""
                raise ConformanceFailure(f"invariant {prop.name}",
                                         f"{label} on the implementation breaks {prop.name} "
                                         f"({', '.join(prop.ids)}): {explain}")

    def _spec_step(self, label: Label) -> None:
        from spec.model import ActionNotEnabled

        try:
            self.spec = self.model.next_state(self.spec, label)
        except ActionNotEnabled as exc:
            raise ConformanceFailure(f"spec rejects {label.action}",
                                     f"the implementation did {label}, which the spec does "
                                     f"not allow here: {exc}") from None
        self._enabled = None
        note_written(self.p, self.spec, self.written)
        LIVE.actions["stepped"][label.action] += 1

    def _after(self, label: Label, last_write: tuple[int, int, int, int] | None = None) -> None:
        """Apply ``label`` to the spec, abstract the impl, check invariants and equality."""
        self.done.append(str(label))
        self._spec_step(label)
        before = self.abs
        self.abs = self.abstract_impl(last_write)
        self.steps += 1
        self._check_step_invariants(before, label, self.abs)
        if compare(self.p, self.spec, self.abs, self.written):
            # the states differ: name the broken requirement if an invariant sees it, else the
            # first differing field (equal states satisfy the same state invariants, and the
            # spec's are the explorer's business, so they are only evaluated here)
            self._check_invariants(label, self.abs)
            self._check_equal(str(label))
        forbidden.check_reserve_boundary(self)
        forbidden.check_link_space_boundary(self)
        forbidden.check_wait_to_add_boundary(self)

    def _page_cleaner_comparable(self) -> bool:
        """Offer the page cleaner when the spec may flush a page, unless the implementation
        would take a page the spec cannot: the implementation flushes the first page of a list
        that satisfies the WAL rule (CP-6), the spec only a list's earliest-added page; when
        that one is not yet flushable the two differ (reported; counted in
        ``Report.known_differences["page cleaner skips an unflushable tail"]``)."""
        if not self.enabled("page_cleaner_flush_page"):
            return False
        page = self.log.page_cleaner.pick()
        if page is None:
            return True  # the spec may flush, the implementation will not: compared
        lists = self.spec.pages.flush_lists
        li = page.page_no % len(lists)
        if lists[li] and lists[li][-1][0] == page.page_no:
            return True
        LIVE.known_differences["page cleaner skips an unflushable tail"] += 1
        return False

    # ------------------------------------------------------------------------------ the rule
    def _kinds(self) -> list[str]:
        """The action kinds that may run now: enabled in the spec (the page cleaner only when
        comparable, see :meth:`_page_cleaner_comparable`; a crash only after
        ``min_steps_before_crash`` steps)."""
        kinds = []
        for name in self._kind_order:
            if name == "crash":
                if self.steps >= self.min_steps_before_crash and self.enabled("crash"):
                    kinds.append("crash")
            elif name == "page_cleaner_flush_page":
                if self._page_cleaner_comparable():
                    kinds.append(name)
            elif self.enabled(name):
                kinds.append(name)
        return kinds

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """Hypothesis chooses the next step: first an enabled action kind, then one of its
        enabled labels (which user thread, group size, page, wait kind); the per-kind method
        performs it on the implementation and the spec and compares.

        One Hypothesis rule dispatching to one method per action kind, rather than one
        ``@rule`` with a ``@precondition`` each: with 20 rules mostly invalid, Hypothesis's
        rule selection spends about 20 choices per step, so runs of 300 steps overran its
        choice budget and were thrown away; here a step costs two choices."""
        self._attempt = ""
        try:
            self._step(data)
        except ConformanceFailure as exc:
            steps = list(self.done)
            if self._attempt and (not steps or steps[-1] != self._attempt):
                steps.append(self._attempt)
            record_steps(exc, steps)
            raise

    def _step(self, data: st.DataObject) -> None:
        kinds = self._kinds()
        if not kinds:
            self.done.append("nothing to do")
            self.nothing_to_do()
            return
        idle = [name for name, actions in IDLE_CHECKS.items()
                if getattr(self.log, name, None) is not None
                and not any(self.enabled(a) for a in actions)]
        if idle:
            kinds = [*kinds, "idle_background_step"]
        # user steps weigh more: the background threads then lag behind more often, so
        # writes of several blocks (WR-8's notifier case, Bug #114660) and full rings happen
        weighted = kinds + [k for k in kinds if k.startswith("user_")] * USER_WEIGHT
        forbidden_labels = forbidden.candidates(self) if self.forbidden_steps else []
        if forbidden_labels:
            weighted.append("forbidden_step")
        kind = data.draw(st.sampled_from(weighted), label="action")
        if kind == "forbidden_step":
            tried = data.draw(st.sampled_from(forbidden_labels), label=kind)
            self.done.append(f"{tried} [forbidden by the spec: must be refused]")
            forbidden.try_forbidden(self, tried)
            return
        if kind == "crash":
            self.done.append("crash, recover, RedoLog.open")
            self.crash_and_recover()
            return
        if kind == "idle_background_step":
            actor = data.draw(st.sampled_from(idle), label=kind)
            self.done.append(f"{actor}.step() [idle: nothing enabled, must do nothing]")
            self.idle_background_step(actor)
            return
        labels = self.enabled(kind)
        label = labels[0] if len(labels) == 1 else data.draw(st.sampled_from(labels),
                                                               label=kind)
        self._attempt = str(label)
        if kind == "flusher_fsync" and self.enabled("writer_write") and data.draw(
                st.integers(0, 2), label="the writer writes before the flusher's fsync") == 0:
            self.done.append(f"{label} begins; the writer writes before its fsync:")
            self._flusher_preempted_by_writer(label, self.enabled("writer_write")[0])
            return
        self.perform(label)

    def _flusher_preempted_by_writer(self, label: Label, write: Label) -> None:
        """FL-1 with another thread in the middle of a step: the flusher has read write_lsn
        (its ``up_to``) and the writer completes a write before the fsync (at the sync point
        ``log_flush_before_fsync``). The writer's linearization point comes first, so the spec
        takes ``writer_write`` then ``flusher_fsync(up_to)`` with the ``up_to`` read before;
        the fsync makes the new write durable too, but the flusher must publish only what it
        read (MySQL's ``log_flush_low``: ``flush_up_to_lsn = log.write_lsn`` before
        ``log_fsync``). A flusher that publishes write_lsn as it is after the fsync claims a
        write it never synced; the stepped machine's atomic steps cannot show it otherwise."""
        log = self.log
        pending = [True]
        previous = log.sync_point_hook

        def hook(name: str) -> None:
            if name == "log_flush_before_fsync" and pending[0]:
                pending[0] = False
                self.writer_write(write)
            if previous is not None:
                previous(name)

        log.sync_point_hook = hook
        try:
            self._impl(str(label), log.flusher.step)
        finally:
            log.sync_point_hook = previous
        LIVE.preemptions["flusher_fsync by writer_write"] += 0 if pending[0] else 1
        self._after(label)

    def idle_background_step(self, actor: str) -> None:
        """A background thread whose spec actions are all disabled is woken anyway (by its
        timeout, decision 2) and runs one pass: it must do nothing. This is how a step the
        implementation takes but the spec forbids shows up (a writer that ignores the
        checkpoint limit, WR-9; a flusher with nothing to flush, FL-3)."""
        step = getattr(self.log, actor).step
        if self._impl(f"{actor}.step()", step):
            raise ConformanceFailure(f"impl steps while spec disabled: {actor}",
                                     f"no {actor} action is enabled in the spec "
                                     f"({', '.join(IDLE_CHECKS[actor])}), but the "
                                     f"implementation's {actor} did work")
        self._check_equal(f"an idle {actor} pass")

    def nothing_to_do(self) -> None:
        """No step can run. A spec state where nothing is enabled must be a fine end (SYS-3:
        every waiter satisfied; the explorer checks this on ``tiny``); the implementation must
        then have nothing to do either (its writer, flusher and closer steps are no-ops)."""
        busy = [name for name, step in (
            ("writer", self.log.writer.step), ("flusher", self.log.flusher.step),
            ("closer", self.log.closer.step if self.log.closer else lambda: False),
            ("checkpointer's ask (9.0)", self.log.checkpointer.ask_smallest_not_added))
            if self._impl(name, step)]
        LIVE.known_differences["nothing to do"] += 1
        if busy:
            raise ConformanceFailure("impl busy while spec idle",
                                     f"no spec action is enabled, but the implementation's "
                                     f"{', '.join(busy)} still did work")

    # ------------------------------------------------------------------------------ crash
    def crash_and_recover(self) -> None:
        """RC-1..RC-4, facts §8.4: crash (unsynced writes lost), recover, restart.

        1. The implementation's durable image may hold more than the spec's (the tolerated
           ``durable early`` differences of :func:`conformance.abstraction.tolerate`): the
           spec adopts it first (:func:`conformance.recovery_compare.adopt_durable`), so
           both crash the same bytes.
        2. Both crash; the implementation's recovery report must equal the spec's
           :func:`spec.crash.recover_image` of that image (checkpoint, end, groups).
        3. ``RedoLog.open`` restarts the implementation on the recovered store, ``recover``
           the spec; the restarted states must be equal (lsn values, the last block's bytes
           and first_rec_group, write-ahead position, checkpoint, rings, pages), satisfy
           every invariant and ``rc_restart_exact``, and the durable data file must hold
           each page's last recovered modification
           (:func:`conformance.recovery_compare.check_durable_pages`).
        """
        label = Label("crash", (("image", 0),))
        self._adopt_durable()
        crashed_store = self.store.crash()
        self._spec_step(label)
        crashed = self.spec
        expected = spec_crash.recover_image(self.p, (crashed.disk, crashed.checkpoint.blocks_disk))
        # looked up at call time, so that a seeded bug patching impl.recovery.recover is seen
        report = self._impl("recovery", impl_recovery.recover, crashed_store)
        recovery_compare.compare_recovery(self.p, expected, report)
        self._spec_step(Label("recover", ()))
        self._restart(crashed_store, report, crashed)

    def _adopt_durable(self) -> None:
        """Make the spec's durable view the implementation's where they differ by the known,
        tolerated differences (:func:`conformance.recovery_compare.adopt_durable`)."""
        adopted = recovery_compare.adopt_durable(self.p, self.spec, self.abs, self.written)
        if adopted is not None:
            self.spec = adopted
            self._enabled = None

    def _restart(self, store: FaultStore, report: Any, crashed: State) -> None:
        """``RedoLog.open`` on the crashed store (with the recovery already run), then compare
        with the spec's restarted state (see :meth:`crash_and_recover`)."""
        self._note_reach()
        self.log.close(flush=False)
        self.store = store
        self.log = self._impl("RedoLog.open", RedoLog.open, store, self.config, threads=False,
                              trace=True, report=report)
        self.generation += 1
        self.recovered = True
        self.users = [DriverUser(self.log) for _ in range(self.p.n_user_threads)]
        self.history = self.history.restart(int(self.log.current_lsn))
        self.written = {}
        self.steps = 0
        self._enabled = None
        self.abs = self.abstract_impl()
        label = Label("recover", ())
        self._check_step_invariants(crashed, label, self.abs)
        if compare(self.p, self.spec, self.abs, self.written):
            self._check_invariants(label, self.abs)
            self._check_equal(f"restart {self.generation} (RedoLog.open after the crash)")
        recovery_compare.check_durable_pages(self.p, self.spec, self.store,
                                             f"after restart {self.generation}")
        LIVE.restarts[self.generation] += 1


class CrashMachine(SteppedMachine):
    """The same rules with a crash offered after 20 steps: many short runs that end in a crash
    and a recovery at every kind of point (RC-1..RC-4), rather than long runs that wrap."""

    check_name = "crash"
    min_steps_before_crash = 20


class RestartMachine(SteppedMachine):
    """Several generations per run (RC-1..4 across crashes, facts §8.4, CP-6): crash ->
    ``RedoLog.open`` on the crashed store -> more commits -> crash -> open ..., up to
    ``max_crashes`` crashes, a crash offered after a few steps of each generation. After each
    open the restarted states and the durable data file are compared with the spec's."""

    check_name = "restart"
    params = conformance_params(max_crashes=3)
    min_steps_before_crash = 12


class Machine90(SteppedMachine):
    """The same rules for MySQL 9.0's design: users report their range to the
    flush-list-added tracker instead of adding recent-closed links (CP-1, seed 002)."""

    check_name = "v90"
    params = conformance_params(version="9.0", recent_closed_size=128)
    """An order lag below the group sizes (200, 250), so that wait_to_add binds: a user waits
    for the other's range, or asks the tracker over a range a fast-path report left above a
    filled hole (CP-3)."""

    def _kinds(self) -> list[str]:
        """The spec's enabled kinds, plus ``user_wait_to_add_refused`` when a user is at
        wait_to_add and the spec makes it wait (start_lsn not within the order lag of
        smallest_not_added_lsn, even after asking): the implementation must refuse too."""
        kinds = super()._kinds()
        if self._waiting_to_add():
            kinds.append("user_wait_to_add_refused")
        return kinds

    def enabled(self, action: str) -> list[Label]:
        if action == "user_wait_to_add_refused":
            return [Label(action, (("thread", i),)) for i in self._waiting_to_add()]
        return super().enabled(action)

    def _waiting_to_add(self) -> list[int]:
        """Users at wait_to_add (LINKED) whose spec step is disabled (CP-3)."""
        enabled = {int(x.get("thread")) for x in self.enabled("user_wait_to_add")}
        return [i for i, u in enumerate(self.spec.users)
                if u.pc == LINKED and i not in enabled]

    def user_wait_to_add_refused(self, label: Label) -> None:
        """CP-3 (9.0): a user the spec makes wait in wait_to_add tries to add its page: the
        implementation must refuse (return False) and change nothing, its ask included (an
        ask that does not let the user in is left to the checkpointer)."""
        u, thread = self._user(label)
        records = [Record(u.page, bytes((1 + u.page,)) * 4)]
        if self._impl(str(label), self.log.user_add_dirty_pages, u.held, records,
                      thread=str(thread)):
            raise ConformanceFailure(
                "impl steps while spec disabled: user_wait_to_add",
                f"user {thread}'s start_lsn {u.held.start_lsn} is not within the order lag "
                f"of smallest_not_added_lsn (tail {self.spec.recent_closed.tail}, L "
                f"{self.p.recent_closed_size}) even after asking, so wait_to_add must wait "
                f"(CP-3), but the implementation added its pages")
        self.abs = self.abstract_impl()
        self._check_equal(f"{label} (refused)")


class WrapMachine(SteppedMachine):
    """The same rules with big groups and no waits: every run gets far enough to wrap the log
    files (WR-9, SYS-4: the writer must wait for checkpoints, which wait for the page cleaner)."""

    check_name = "wrap"
    params = conformance_params(**WRAP_CHANGES)


def _settings(settings: Settings, min_steps: int) -> Settings:
    """``settings`` with at least ``min_steps`` steps per run, and without the
    ``filter_too_much`` health check: the rules' preconditions are the spec's enabledness, which
    by design rejects most rules in most states."""
    suppress = {*settings.suppress_health_check, HealthCheck.filter_too_much,
                HealthCheck.too_slow}
    return Settings(settings, stateful_step_count=max(settings.stateful_step_count, min_steps),
                    suppress_health_check=sorted(suppress, key=lambda h: h.value))


@reports
def run(settings: Settings) -> None:
    """Run the stepped conformance machine under ``settings`` (the check ``stepped``): long
    runs (at least :data:`STEPS` steps) that wrap every ring."""
    run_state_machine_as_test(SteppedMachine, settings=_settings(settings, STEPS))


@reports
def run_wrap(settings: Settings) -> None:
    """Run :class:`WrapMachine` (the check ``wrap``): long runs that wrap the log files."""
    run_state_machine_as_test(WrapMachine, settings=_settings(settings, STEPS))


@reports
def run_90(settings: Settings) -> None:
    """Run :class:`Machine90` (the check ``v90``): the 9.0 tracker variant."""
    run_state_machine_as_test(Machine90, settings=_settings(settings, STEPS))


RESTART_STEPS = 70
"""Steps per run of :class:`RestartMachine`: three generations of a dozen steps or more."""

RESTART_EXAMPLES = 20
"""Runs of :class:`RestartMachine` at most under a derandomized (CI) profile: about 10 s;
``redospec fuzz --target restart`` (random) runs as many as asked."""


@reports
def run_restart(settings: Settings) -> None:
    """Run :class:`RestartMachine` (the check ``restart``): several crash/open generations."""
    if settings.derandomize:
        settings = Settings(settings, max_examples=min(settings.max_examples, RESTART_EXAMPLES))
    run_state_machine_as_test(RestartMachine, settings=_settings(settings, RESTART_STEPS))


@reports
def run_crash(settings: Settings) -> None:
    """Run :class:`CrashMachine` (the check ``crash``): short runs ending in crash + recovery."""
    run_state_machine_as_test(CrashMachine, settings=_settings(settings, 60))
