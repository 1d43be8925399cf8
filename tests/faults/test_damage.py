"""Part 4 of the campaign: damaged files (RC-1, RC-2, FMT-3, FMT-8), with teeth."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from faults import damage
from faults.common import Deadline, Tally


@pytest.fixture(scope="module")
def own() -> damage.Source:
    return damage.own_source(seed=4, commits=120, wrapped=False)


def test_damaged_fixtures_and_own_logs_give_clean_answers(tmp_path: Path,
                                                          fixtures_dir: Path) -> None:
    """RC-1, RC-2, FMT-9: every fixture group and an own log, damaged: clean answers only."""
    sources = damage.fixture_sources(fixtures_dir)
    assert {s.label for s in sources} >= {"mysql-8.0.19-clean", "mysql-8.0.30-redo"}
    tally = Tally()
    damage.run(tally, examples=40, seed=2, deadline=Deadline(120), workdir=tmp_path,
               sources=[*sources, damage.own_source(seed=2)])
    assert tally.failures == []
    assert tally.damaged_files_tried >= 40


def test_own_log_damage_many_examples(tmp_path: Path, own: damage.Source) -> None:
    """RC-2, FMT-3, FMT-8: recovery of a damaged own log never uses a bad block."""
    tally = Tally()
    damage.run(tally, examples=120, seed=3, deadline=Deadline(120), workdir=tmp_path,
               sources=[own])
    assert tally.failures == []
    assert tally.notes.get("damage_recovery_ok", 0) > 0


def test_apply_damage_kinds() -> None:
    """Each damage does what its name says (expected bytes computed here)."""
    data = bytes(range(256)) * 8  # 2048 bytes
    assert damage.apply_damage(data, [("flip", 3, 0)])[3] == 3 ^ 1
    zeroed = damage.apply_damage(data, [("zero", 600)])
    assert zeroed[512:1024] == bytes(512) and zeroed[:512] == data[:512]
    assert damage.apply_damage(data, [("truncate", 100)]) == data[:100]
    assert damage.apply_damage(data, [("append", b"zz")]) == data + b"zz"


def test_teeth_a_recovery_that_ignores_checksums_is_caught(
        tmp_path: Path, own: damage.Source, monkeypatch: pytest.MonkeyPatch) -> None:
    """RC-2 seeded bug: recovery trusts every block's checksum (RC-2). Hypothesis finds a damage
    that makes it apply a bad block, shrinks it, and the campaign reports it."""
    import impl.recovery

    real = impl.recovery.parse_block
    monkeypatch.setattr(impl.recovery, "parse_block",
                        lambda block: attrs.evolve(real(block), checksum_ok=True))
    tally = Tally()
    damage.run(tally, examples=300, seed=1, deadline=Deadline(120), workdir=tmp_path,
               sources=[own])
    assert tally.corrupt_blocks_applied + tally.tracebacks > 0
    assert "shrunk by Hypothesis" in tally.failures[0]
