"""Params validation: each rule raises ParamsError naming the field."""

from __future__ import annotations

import pytest

from spec.params import Params, ParamsError


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"block_size": 500}, "block_size"),
        ({"write_events": 3}, "write_events"),
        ({"recent_written_size": 100}, "recent_written_size"),
        ({"header_size": 30}, "header_size"),
        ({"log_buffer_size": 40}, "log_buffer_size"),
        ({"write_ahead_size": 8}, "write_ahead_size"),
        ({"n_files": 101}, "n_files"),
        ({"file_size": 96}, "file_size"),
        ({"group_sizes": (300,)}, "group_sizes"),
        ({"group_sizes": ()}, "group_sizes"),
        ({"wait_kinds": ("sleep",)}, "wait_kinds"),
        ({"max_sn": 0}, "max_sn"),
        ({"link_buf": "new"}, "link_buf"),
        ({"version": "5.7"}, "version"),
        ({"n_pages": 300}, "n_pages"),
    ],
)
def test_bad_values_name_the_field(changes: dict[str, object], field: str) -> None:
    """A bad value raises ParamsError whose field is the offending one."""
    with pytest.raises(ParamsError) as e:
        Params.tiny().evolve(**changes)
    assert e.value.field == field
    assert field in str(e.value)


def test_8022_link_buffer_needs_capacity_above_the_longest_link() -> None:
    """LNK-6: the 8.0.22 buffer tells stale slots from links by value; capacity must exceed a
    link's length."""
    with pytest.raises(ParamsError) as e:
        Params.tiny().evolve(link_buf="8.0.22", recent_written_size=8)
    assert e.value.field == "recent_written_size"


def test_unknown_preset() -> None:
    """An unknown preset names the choices."""
    with pytest.raises(ParamsError, match="tiny"):
        Params.preset("huge")


def test_presets_valid_and_innodb_defaults() -> None:
    """The presets validate; innodb() has InnoDB's defaults (facts: Numbers table)."""
    p = Params.innodb()
    assert (p.block_size, p.header_size, p.trailer_size) == (512, 12, 4)
    assert p.log_buffer_size == 16 * 1024 * 1024 and p.write_ahead_size == 8192
    assert p.write_events == p.flush_events == 2048
    assert p.order_lag == 2 * 1024 * 1024
    for name in ("innodb", "small", "tiny"):
        assert Params.preset(name) == getattr(Params, name)()
