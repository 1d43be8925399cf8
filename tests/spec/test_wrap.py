"""Random walks where every ring wraps: the log buffer, the link buffers, the event slots and
the circular files (several laps), with every property checked on every step (SYS-4, WR-9,
FMT-3, RC-4 with torn writes). Seeded, so a failure replays."""

from __future__ import annotations

import random

import pytest

from spec.model import RedoModel
from spec.params import Params

BASE = Params.tiny().evolve(
    max_sn=400, wait_kinds=("flush", "write", "none"), page_per_thread=False, torn_writes=True
)


@pytest.mark.parametrize(
    "changes",
    [{}, {"link_buf": "8.0.22", "recent_written_size": 32, "recent_closed_size": 32},
     {"version": "9.0", "log_buffer_size": 32}],
    ids=["seeds-8.0", "8.0.22", "9.0-2-block-buffer"],
)
def test_random_walks_wrap_every_ring(changes: dict[str, object]) -> None:
    """SYS-4, WR-9, RC-4: long seeded walks lap the files several times with no violation."""
    p = BASE.evolve(**changes)
    m = RedoModel(p)
    props = m.properties()
    rng = random.Random(7)
    top = 0
    for _ in range(4):
        s = m.init_states()[0]
        for step in range(1500):
            succ = list(m.successors(s))
            if not succ:
                assert m.is_terminal_ok(s)
                break
            lab, t = rng.choice(succ)
            for pr in props:
                ok = pr.predicate(p, t) if pr.kind == "state" else pr.predicate(p, s, lab, t)
                assert ok, f"step {step} {lab}: {pr.name}"
            s = t
        top = max(top, s.write_lsn)
    assert top > p.start_lsn + 2 * p.log_capacity  # the files wrapped at least twice
