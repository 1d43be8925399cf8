"""The Model API (docs/spec-model.md): labels, next_state errors, replay, successors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.model import ActionNotEnabled, Label, LabelError, RedoModel
from spec.params import Params

P = Params.tiny()
M = RedoModel(P)


def test_label_prints_like_the_contract() -> None:
    """``user_reserve(thread=0, size=8, page=1, wait=flush)``; no args: ``writer_write()``."""
    lab = Label("user_reserve", (("thread", 0), ("size", 8), ("page", 1), ("wait", "flush")))
    assert str(lab) == "user_reserve(thread=0, size=8, page=1, wait=flush)"
    assert str(Label("writer_write")) == "writer_write()"
    assert lab.get("size") == 8


@given(
    st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True),
    st.lists(
        st.tuples(
            st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
            st.one_of(st.integers(-10**9, 10**9), st.from_regex(r"[a-z][a-z_]{0,6}",
                                                                fullmatch=True)),
        ),
        max_size=4,
        unique_by=lambda kv: kv[0],
    ),
)
def test_label_round_trip(name: str, args: list[tuple[str, int | str]]) -> None:
    """parse(str(label)) == label; integers stay integers."""
    lab = Label(name, tuple(args))
    assert Label.parse(str(lab)) == lab


@pytest.mark.parametrize("text", ["", "writer_write", "w(x)", "w(x=)", "w(x=1, x=2)", "1a()"])
def test_label_parse_errors(text: str) -> None:
    """Bad text raises LabelError (a ValueError) quoting the text."""
    with pytest.raises(LabelError) as e:
        Label.parse(text)
    assert isinstance(e.value, ValueError)
    assert repr(text) in str(e.value)


def test_next_state_names_the_guard() -> None:
    """ActionNotEnabled names the action and the failed guard with the values."""
    s = M.init_states()[0]
    with pytest.raises(ActionNotEnabled, match=r"writer_write\(\): guard write_lsn < "
                       r"buf_ready_for_write_lsn is false \(write_lsn=52, ready=52"):
        M.next_state(s, Label("writer_write"))
    with pytest.raises(ActionNotEnabled, match=r"unknown action 'fly'.*writer_write"):
        M.next_state(s, Label("fly"))
    with pytest.raises(ActionNotEnabled, match=r"users\[0\].pc == reserved is false"):
        M.next_state(s, Label.parse("user_copy_to_log_buffer(thread=0)"))
    with pytest.raises(ActionNotEnabled, match="bad arguments"):
        M.next_state(s, Label.parse("user_copy_to_log_buffer(thread=0, extra=1)"))


def _refusal(s: object, label: str) -> str:
    with pytest.raises(ActionNotEnabled) as e:
        M.next_state(s, Label.parse(label))   # type: ignore[arg-type]
    return str(e.value)


def test_a_refused_action_names_the_condition_that_failed() -> None:
    """The message comes from the guard that refused (no second, textual copy of the guards):
    each refusal below fails a different condition, and the message names that one (with the
    values it compared), not another condition of the same action."""
    s = M.init_states()[0]
    reserve = "user_reserve(thread=0, size=4, page=0, wait=flush)"
    t = M.next_state(s, Label.parse(reserve))
    assert "users[0].pc == idle is false (pc=reserved)" in _refusal(t, reserve)
    other = "user_reserve(thread=1, size=4, page=0, wait=flush)"   # page 0 latched by thread 0
    assert "page 0 not latched by another thread is false" in _refusal(t, other)
    assert "0 <= page < n_pages is false (page=9" in _refusal(
        s, "user_reserve(thread=0, size=4, page=9, wait=flush)")
    assert "wait in (write, flush, none) is false (wait=soon)" in _refusal(
        s, "user_reserve(thread=0, size=4, page=0, wait=soon)")
    assert "0 <= thread < 2 is false (thread=5)" in _refusal(
        s, "user_copy_to_log_buffer(thread=5)")
    assert "flushed_to_disk_lsn < up_to <= write_lsn is false (flushed=52, up_to=60, " \
        "write_lsn=52)" in _refusal(s, "flusher_fsync(up_to=60)")
    assert "write_notifier_event is set is false" in _refusal(s, "write_notifier_notify_slots()")
    assert "users[0].pc == sleeping is false (pc=idle)" in _refusal(s, "user_wait_wake(thread=0)")


def test_every_action_reports_its_own_refusal() -> None:
    """Every action of every variant has the guard's account (never the bare fallback)."""
    from spec import checkpointer, closer, crash, flusher, notifier, page_cleaner, user, writer

    for module in (user, writer, flusher, notifier, closer, checkpointer, page_cleaner, crash):
        for a in (*getattr(module, "ACTIONS", ()), *getattr(module, "ACTIONS_90", ())):
            assert a.why_not is not None, a.name


def test_the_reason_is_the_guards_own() -> None:
    """Teeth: a guard function's reason is what the model reports; an action declared with
    only a condition's text reports that text."""
    from spec.model_types import action

    def guard(p: object, s: object) -> str | None:
        return "the moon is full is false (moon=new)"

    def apply(p: object, s: object) -> None:
        return None

    a = action(apply, "writer", ("WR-3",), guard=guard)
    assert a.why_not is not None and a.why_not(P, None) == guard(P, None)
    b = action(apply, "writer", ("WR-3",), guard="the moon is full")
    assert b.why_not is not None and b.why_not(P, None) == "the moon is full is false"


def test_replay_names_the_step() -> None:
    """replay raises ActionNotEnabled naming the 1-based step."""
    with pytest.raises(ActionNotEnabled, match="step 2: "):
        M.replay(["user_reserve(thread=0, size=4, page=0, wait=flush)", "writer_write()"])


def test_successors_equal_actions_plus_next_state() -> None:
    """successors == actions + next_state, on every state of a short BFS."""
    frontier = M.init_states()
    seen = set(frontier)
    for _ in range(6):
        nxt = []
        for s in frontier:
            succ = list(M.successors(s))
            assert [lab for lab, _ in succ] == list(M.actions(s))
            for name in M.action_names():  # one action at a time, as the stepped machine asks
                assert M.enabled_labels(s, name) == [lab for lab, _ in succ
                                                     if lab.action == name]
            for lab, t in succ:
                assert M.next_state(s, lab) == t
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    assert len(seen) > 50
    assert M.enabled_labels(M.init_states()[0], "no_such_action") == []


def test_next_state_accepts_choices_not_enumerated() -> None:
    """Trace validation: a flusher that fsynced up to an older write_lsn is accepted (FL-1)."""
    st_ = M.replay([
        "user_reserve(thread=0, size=8, page=0, wait=flush)",
        "user_copy_to_log_buffer(thread=0)",
        "user_add_recent_written_link(thread=0)",
        "writer_traverse_links()",
        "writer_write()",
    ])
    s = st_[-1]
    assert [str(lab) for lab in M.actions(s) if lab.action == "flusher_fsync"] == [
        f"flusher_fsync(up_to={s.write_lsn})"]
    t = M.next_state(s, Label("flusher_fsync", (("up_to", s.write_lsn - 1),)))
    assert t.flushed_to_disk_lsn == s.write_lsn - 1


def test_action_names_per_configuration() -> None:
    """8.0 has the closer and its two user steps; 9.0 (CP-1, CP-3) has no closer: the users'
    wait_to_add / report_added and the checkpointer's ask; crash actions only with
    explore_crashes."""
    n80 = set(RedoModel(P).action_names())
    n90 = set(RedoModel(P.evolve(version="9.0")).action_names())
    only80 = {"closer_traverse_links", "user_add_dirty_pages", "user_add_recent_closed_link"}
    only90 = {"checkpointer_ask_smallest_not_added", "user_wait_to_add", "user_report_added"}
    assert only80 <= n80 and not only80 & n90
    assert only90 <= n90 and not only90 & n80
    assert n80 - only80 == n90 - only90
    assert "crash" not in n80
    assert {"crash", "recover"} <= set(RedoModel(P.evolve(explore_crashes=True)).action_names())


def test_with_action_replaces_one_action() -> None:
    """with_action returns a model whose one action is replaced; the original is untouched."""
    m2 = M.with_action("writer_write", lambda p, s: None)
    s = M.replay(["user_reserve(thread=0, size=4, page=0, wait=flush)",
                  "user_copy_to_log_buffer(thread=0)", "user_add_recent_written_link(thread=0)",
                  "writer_traverse_links()"])[-1]
    assert any(lab.action == "writer_write" for lab in M.actions(s))
    assert not any(lab.action == "writer_write" for lab in m2.actions(s))
    with pytest.raises(KeyError, match="unknown action"):
        M.with_action("nope", lambda p, s: None)


def test_fields_changed_and_terminal() -> None:
    """fields_changed names nested user fields; the initial state is a fine terminal."""
    s0 = M.init_states()[0]
    s1 = M.next_state(s0, Label.parse("user_reserve(thread=1, size=4, page=1, wait=flush)"))
    ch = M.fields_changed(s0, s1)
    assert ch["users[1].pc"] == ("idle", "reserved")
    assert ch["sn"] == (s0.sn, s0.sn + 4)
    assert M.is_terminal_ok(s0) and M.waiters_satisfied(s0)
    assert not M.waiters_satisfied(s1)


def test_states_are_hashable_values() -> None:
    """Equal histories give equal, equally hashed states; monitors do not count."""
    a = M.replay(["user_reserve(thread=0, size=4, page=0, wait=flush)"])[-1]
    b = M.replay(["user_reserve(thread=0, size=4, page=0, wait=flush)"])[-1]
    assert a == b and hash(a) == hash(b)


def test_monitor_counters_are_observations() -> None:
    """Decision 8: two states that differ only in monitor counters are equal."""
    from spec.state import Monitor, replace

    s = M.init_states()[0]
    t = replace(s, monitor=Monitor(full_block_writes=5))
    assert s == t and hash(s) == hash(t)


def test_reserve_refused_on_a_latched_page() -> None:
    """Decision 12: a page latched by another thread cannot be reserved for."""
    m = RedoModel(P.evolve(page_per_thread=False))
    s = m.replay(["user_reserve(thread=0, size=4, page=1, wait=flush)"])[-1]
    with pytest.raises(ActionNotEnabled, match="page 1 not latched"):
        m.next_state(s, Label.parse("user_reserve(thread=1, size=4, page=1, wait=flush)"))


def test_refusals_are_clear_errors_never_tracebacks() -> None:
    """Bad input: every action, with good and bad arguments, on a sample of states either
    steps or raises ActionNotEnabled (never another exception from deep inside)."""
    args_for = {
        "user_reserve": [{"thread": 0, "size": 4, "page": 0, "wait": "flush"},
                         {"thread": 5, "size": 4, "page": 0, "wait": "flush"},
                         {"thread": 0, "size": 4, "page": 9, "wait": "nap"}],
        "flusher_fsync": [{"up_to": 60}, {"up_to": -1}],
        "page_cleaner_flush_page": [{"list": 0}, {"list": 7}],
    }
    frontier = M.init_states()
    seen = set(frontier)
    for _ in range(8):
        nxt = []
        for s in frontier:
            for name in M.action_names():
                if name.startswith("user_") and name != "user_reserve":
                    choices = [{"thread": 0}, {"thread": 1}, {"thread": 3}]
                else:
                    choices = args_for.get(name, [{}])
                for ch in choices:
                    try:
                        M.next_state(s, Label.of(name, ch))  # type: ignore[arg-type]
                    except ActionNotEnabled as e:
                        assert name in str(e)
            for _, t in M.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt[:40]
