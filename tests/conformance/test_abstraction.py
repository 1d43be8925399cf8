"""The abstraction function and the Params mapping (conformance items 1 and 2)."""

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
from conformance.stepped import DriverUser
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
