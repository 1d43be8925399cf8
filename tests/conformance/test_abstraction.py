"""The abstraction function and the Params mapping."""

from __future__ import annotations

import pytest

from conformance import params_map
from conformance.abstraction import (
    GroupHistory,
    abstract,
    compare,
    impl_group_bytes,
    parse_file_block,
    translate_block,
)
from conformance.driver import DriverUser
from impl.faultstore import FaultStore
from impl.redolog import RedoLog
from spec.blocks import group_bytes
from spec.model import RedoModel
from spec.params import Params


@pytest.fixture
def p() -> Params:
    return params_map.conformance_params()


def test_fresh_log_abstracts_to_the_spec_initial_state(p: Params) -> None:
    """A freshly created implementation log is the spec's initial state (FMT-9, FMT-10,
    SYS-1): sn at 16 blocks of data, every lsn at 8204, checkpoint 0 in slot 1."""
    log = RedoLog.create(FaultStore(), params_map.to_log_config(p), threads=False)
    users = [DriverUser(log) for _ in range(p.n_user_threads)]
    state = abstract(p, log, users, GroupHistory())
    assert state.sn == 16 * 496 and state.writer.write_lsn == 8204
    assert compare(p, RedoModel(p).init_states()[0], state) == []
    log.close(flush=False)


def test_config_mapping_names_the_same_sizes(p: Params) -> None:
    config = params_map.to_log_config(p)
    assert (config.log_buffer_size, config.recent_written_size, config.write_events,
            config.file_size) == (p.log_buffer_size, p.recent_written_size, p.write_events,
                                  p.file_size)
    assert params_map.from_log_config(config) == p


def test_mapping_refuses_block_sizes_the_impl_cannot_run() -> None:
    """The implementation always writes 512-byte blocks (FMT-1): a tiny spec cannot map."""
    with pytest.raises(params_map.MappingError, match="block_size"):
        params_map.to_log_config(Params.tiny())


def test_group_bytes_translate_to_the_spec_encoding(p: Params) -> None:
    """Decision 6: a copied group's impl bytes become ``[size] + [1 + page] * (size - 1)``."""
    size, page = 30, 2
    start = 8204
    end = start + size
    history = GroupHistory().add(start, end, page).mark_copied(start)
    raw = impl_group_bytes(size, page) + bytes(496 - size)
    out = translate_block(p, history, [8192], raw)
    assert out[:size] == bytes([30]) + bytes([3]) * 29 == group_bytes(size, page)
    assert out[size:] == bytes(496 - size)


def test_group_not_copied_is_not_translated(p: Params) -> None:
    history = GroupHistory().add(8204, 8234, 1)
    raw = impl_group_bytes(30, 1) + bytes(466)
    assert translate_block(p, history, [8192], raw) == raw


def test_zero_block_is_unwritten(p: Params) -> None:
    assert parse_file_block(p, bytes(512), 8192, GroupHistory(), 8204) is None


# --- restart: bytes of groups lost by a crash ---------------------------------------


def test_restart_history_keeps_groups_up_to_the_restart_lsn(p: Params) -> None:
    """RC-4, facts §8.4: after a restart at 8234 the group ending there stays, the copied
    group after it is lost (its lsns are reserved again), an uncopied one is forgotten."""
    h = (GroupHistory().add(8204, 8234, 1).mark_copied(8204).add(8234, 8264, 2)
         .mark_copied(8234).add(8264, 8294, 0))
    r = h.restart(8234)
    assert r.groups == ((8204, 8234, 1),) and r.copied == {8204}
    assert r.lost == ((8234, 8264, 2),) and r.restart_block == 8192


def test_file_bytes_above_write_lsn_are_the_lost_groups(p: Params) -> None:
    """After a restart at 8234 a new group (page 0) reuses [8234, 8264), copied but not yet
    written (write_lsn 8234): the file block still holds the lost group's bytes (page 2) there,
    and they translate as the lost group's, never as the new one's."""
    h = GroupHistory().add(8204, 8234, 1).mark_copied(8204).add(8234, 8264, 2).mark_copied(8234)
    h = h.restart(8234).add(8234, 8264, 0).mark_copied(8234)
    raw = impl_group_bytes(30, 1) + impl_group_bytes(30, 2) + bytes(436)
    out = translate_block(p, h, [8192], raw, 8234)
    assert out[:60] == group_bytes(30, 1) + group_bytes(30, 2)
    # once written (write_lsn 8264), the new group's bytes are the new group's
    new = impl_group_bytes(30, 1) + impl_group_bytes(30, 0) + bytes(436)
    assert translate_block(p, h, [8192], new, 8264)[30:60] == group_bytes(30, 0)


def test_expected_page_is_the_payload_of_the_group_ending_there(p: Params) -> None:
    """RC-4 on durable data: page_lsn 8264 of page 2 means the payload of the group ending
    there (21 bytes of 3 for a 30-byte group); page_lsn 0 is a page never written."""
    from conformance.abstraction import expected_page

    groups = ((8204, 8234, 1), (8234, 8264, 2))
    assert expected_page(p, groups, 2, 8264) == (8264, bytes([3]) * 21)
    assert expected_page(p, groups, 0, 0) == (0, b"")
    assert expected_page(p, groups, 1, 8264)[1].startswith(b"<no group")
