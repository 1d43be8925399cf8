"""The spec's state and actions as z3 transition relations, and the step obligations.

What is encoded
---------------
The *lsn-level* state: every field that SYS-1, LNK-5, SYS-2, NT-4 and SYS-4 mention, for the
shape of the ``tiny`` and ``small`` presets -- **2 user threads, 2 pages, 1 or 2 flush lists**
(``n_flush_lists`` is a symbolic variable in {1, 2}: with two lists page ``j`` is alone in list
``j``; with one list both pages share it, in the order they were added) -- and **every size
symbolic** (a :class:`SymParams` under the Params rules the proofs need, :data:`PARAM_RULES`),
every lsn an unbounded integer. Only the "seeds" link buffer is encoded; both versions' actions
(8.0 closer, 9.0 flush-list-added tracker: users' wait_to_add and report_added, the
checkpointer's ask) are.

===========================  ==============================================================
encoded (z3)                 spec field
===========================  ==============================================================
``sn``                       ``State.sn``
``pc_i start_sn_i size_i``   ``State.users[i]`` (pc as :data:`PCS`, wait as :data:`WAITS`)
``page_i wait_i``
``signalled_i``
``ready``                    ``recent_written.tail`` (buf_ready_for_write_lsn)
``added``                    ``recent_closed.tail`` (dirty-pages-added lsn, CP-1)
``write_lsn``                ``writer.write_lsn``
``flushed_to_disk_lsn``      ``flushed_to_disk_lsn``
``checkpoint_lsn``           ``checkpoint.checkpoint_lsn``, ``checkpoint.pending_lsn``
``pending_lsn``
``write_notifier_lsn``       ``notifiers.write_notifier_lsn`` and the three fields named as
``write_notifier_event``     here (the notifiers' positions and events)
``flush_notifier_lsn``
``flush_notifier_event``
``oldest_j newest_j``        page ``j``'s oldest_modification in its flush list (0 when not
                             in it) and ``pages.newest[j]`` (0 = clean)
``early``                    with one list holding both pages: the page added first (its
                             tail)
===========================  ==============================================================

Modules: :mod:`~proofs.encoding.vocabulary` (the spec's pcs, wait kinds and action names,
imported from the spec; :class:`St`), :mod:`~proofs.encoding.relations` (:class:`Enc`: one
relation per action), :mod:`~proofs.encoding.invariants`, :mod:`~proofs.encoding.decoding`
(counterexamples as spec State fields), :mod:`~proofs.encoding.obligations` (the lemma facts
and the init/step formulas).

Not encoded: log buffer and file *bytes* (the byte-level checks of LNK-5, SYS-4, FMT and RC-4
stay with the explorer), the writer's file number and write_ahead_end (WR-6 is proved on the
writer's plan arithmetic by :mod:`proofs.writeahead`), checkpoint numbers and blocks, data-file
page lsns.

Link rings: encoded by their **tails** (LNK-2, LNK-3), not by a window of slots. The groups
reserved so far tile ``[lsn0, current lsn)``; a group has its recent-written link once its
user passed USR-3 and its recent-closed link once it passed USR-4, so a traversal that follows
links to the first missing one moves the tail to the start of the first group whose user has
not added the link yet, or to the current lsn. The closer's relation is exactly that; the
writer's traversal may also stop at any lsn at or past ``write_lsn + write_max_size`` (WR-1),
an over-approximation (sound for safety). That the spec's slot-level traversal satisfies these
relations is proved from a window-of-slots model of the ring by :mod:`proofs.ring` (the
``ring<C>.*_refines`` obligations) for the fixed capacities 2 and 4, and checked for the
presets' capacities by tests/proofs/test_encoding.py on random reachable states (conformance
direction 1) and by the explorer's ``lnk3_slots_cleared``.

writer_write is encoded by its effect on write_lsn (any advance up to buf_ready_for_write_lsn
and the capacity limit, WR-7, WR-9) and the notification (WR-8, decision 3): also an
over-approximation (:data:`OVER_APPROXIMATED`). The amount written comes from the write-ahead
plan, whose arithmetic :mod:`proofs.writeahead` proves.

Nonlinear arithmetic
--------------------
sn_to_lsn, block boundaries, event slots and the notifier's range divide by symbolic sizes. In
the step obligations (``abstract=True``) they are uninterpreted functions, and :func:`facts`
adds, for every application, instances of the lemmas of :mod:`proofs.lemmas` that state their
properties for the real functions (:data:`FACT_LEMMAS`); so each proof holds for the spec's
functions, and every query is in decidable, fast QF_UFLIA. With ``abstract=False`` the same
relations use the real terms (conformance tests, BMC with constant sizes).
"""

from __future__ import annotations

from proofs.encoding.decoding import decode_params, decode_state, init_decoder, step_decoder
from proofs.encoding.invariants import INVARIANTS, Inv, inv_all, invariant
from proofs.encoding.obligations import (
    EncFactory,
    facts,
    init_formula,
    obligations,
    step_formula,
)
from proofs.encoding.relations import OVER_APPROXIMATED, Enc, relation
from proofs.encoding.vocabulary import (
    ACTION_NAMES,
    CLOSED,
    COPIED,
    FRG_SET,
    IDLE,
    LATCHING,
    LINKED,
    N_PAGES,
    N_USERS,
    PAGES_ADDED,
    PARAM_RULES,
    PC_NAMES,
    PC_ORDER,
    PCS,
    RESERVED,
    RESET,
    SLEEPING,
    WAIT_NAMES,
    WAITS,
    Page,
    St,
    User,
    member_term,
    reserve_choices,
    spec_action_names,
)
from proofs.primitives import FACT_LEMMAS

__all__ = [
    "ACTION_NAMES", "CLOSED", "COPIED", "FACT_LEMMAS", "FRG_SET", "IDLE", "INVARIANTS",
    "LATCHING", "LINKED", "N_PAGES", "N_USERS", "OVER_APPROXIMATED", "PAGES_ADDED",
    "PARAM_RULES", "PCS", "PC_NAMES", "PC_ORDER", "RESERVED", "RESET", "SLEEPING",
    "WAITS", "WAIT_NAMES", "Enc", "EncFactory", "Inv", "Page", "St", "User",
    "decode_params", "decode_state", "facts", "init_decoder", "init_formula", "inv_all",
    "invariant", "member_term", "obligations", "relation", "reserve_choices",
    "spec_action_names", "step_decoder", "step_formula",
]
