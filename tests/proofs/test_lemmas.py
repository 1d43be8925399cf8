"""The lemma obligations (FMT-2, FMT-3, NT-2..4, WR-6, WR-8, CP-7) and their teeth.

Every lemma must be proved; the MySQL Bug #114660 obligation must find a counterexample, and
that counterexample is replayed here in plain Python with MySQL's slot formula (an independent
computation, not the z3 encoding)."""

from __future__ import annotations

import pytest
import z3

from proofs import lemmas
from proofs import terms as T
from proofs.obligation import Obligation, check
from proofs.params import SymParams


def test_every_lemma_passes() -> None:
    """All lemma obligations are proved (or refuted as expected), none unknown."""
    results = [check(ob, timeout_s=30) for ob in lemmas.obligations()]
    bad = [(r.name, r.status, r.reason) for r in results if not r.passed]
    assert not bad


@pytest.mark.parametrize("name", ["notify.mysql_shortcut_unsound",
                                  "notify.mysql_shortcut_unsound_tight"])
def test_mysql_counterexample_replays_in_python(name: str) -> None:
    """NT-4, WR-8: the counterexample's advance takes MySQL's shortcut, and the waiter it names
    is satisfied by the advance but sleeps on a slot other than the one set."""
    ob = next(o for o in lemmas.obligations() if o.name == name)
    result = check(ob, timeout_s=30)
    assert result.status == "refuted as expected"
    assert result.model is not None
    v = {k: int(x) for k, x in result.model.items() if x.lstrip("-").isdigit()}
    bs, s, old, new, e = v["block_size"], v["write_events"], v["old"], v["new"], v["e"]

    def slot(lsn: int) -> int:  # log_compute_wait_event_slot, MySQL 8.0.41
        return ((lsn - 1) // bs) & (s - 1)

    assert slot(old + 1) == slot(new)  # the writer takes the shortcut
    assert old < e <= new  # the waiter's condition becomes true with this advance
    assert slot(e) != slot(new)  # ... but nobody sets its slot
    assert new - old >= (s - 1) * bs + 2  # only long advances (notify.mysql_shortcut_sound_short)


def test_teeth_notifier_off_by_one_block_is_caught() -> None:
    """NT-2: a notifier that stops one block short (``< align_up(new)`` minus a block) loses a
    waiter, and the same proof pattern finds it."""

    def broken() -> z3.BoolRef:
        p = SymParams()
        old, new, e = z3.Ints("old new e")
        bs = p.block_size
        i = (e - 1) / bs - old / bs
        reached = z3.And(i >= 0, old + 1 + i * bs <= T.align_up(new, bs) - bs)
        return z3.And(p.assume(*lemmas.BLOCK_RULES), old >= 0, old < e, e <= new,
                      z3.Not(reached))

    assert check(Obligation("teeth.notifier", ("NT-2",), broken)).status == "counterexample"


def test_teeth_translation_without_header_is_caught() -> None:
    """FMT-2: a translation that forgets the header lands on header bytes; the data-lsn lemma's
    formula with the broken term is satisfiable."""

    def broken() -> z3.BoolRef:
        p = SymParams()
        sn = z3.Int("sn")
        bad = sn / p.data_size * p.block_size + sn % p.data_size
        return z3.And(p.assume(*lemmas.BLOCK_RULES), sn >= 0, z3.Not(T.is_data_lsn(p, bad)))

    assert check(Obligation("teeth.sn", ("FMT-2",), broken)).status == "counterexample"


def test_teeth_block_no_wrap_rule_matters() -> None:
    """FMT-3, RC-2: without Params' rule ``block_no_wrap * block_size > log_capacity`` two
    blocks in the files at once can share a number."""

    def broken() -> z3.BoolRef:
        p = SymParams()
        l1, l2 = z3.Ints("lsn1 lsn2")
        bs, w = p.block_size, p.block_no_wrap
        return z3.And(
            p.assume(*lemmas.BLOCK_RULES, "file.aligned", "file.header"), w > 0,
            bs == 512, w == 4, p.n_files == 2, p.file_size == 8 * 512,
            l1 >= 0, l1 <= l2, l2 < l1 + p.log_capacity, l1 / bs != l2 / bs,
            T.block_no(p, l1) == T.block_no(p, l2),
        )

    assert check(Obligation("teeth.block_no", ("FMT-3",), broken)).status == "counterexample"


def test_every_lemma_the_abstractions_rely_on_is_an_obligation() -> None:
    """Soundness bookkeeping: the step proofs (proofs.encoding.facts) and the write-ahead plan
    proofs (proofs.writeahead.Align.facts) assume instances of lemmas; each must be a
    registered obligation of ``redospec prove`` (so it is proved on every run)."""
    from proofs.encoding import FACT_LEMMAS
    from proofs.registry import registered_names

    align = ("lemma.align_down_facts", "lemma.aligned_closure", "lemma.aligned_gap",
             "lemma.aligned_coarser", "lemma.divmod_unique", "lemma.mul_cancel")
    missing = [n for n in (*FACT_LEMMAS, *align) if n not in registered_names()]
    assert not missing
