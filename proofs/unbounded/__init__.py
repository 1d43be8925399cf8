"""The spec's state and actions over *any* number of user threads, pages and flush lists.

:mod:`proofs.encoding` proves the step obligations for 2 users, 2 pages and 1 or 2 flush lists:
one z3 constant per field of each thread and page. This module encodes the same lsn-level
state Ivy/mypyvy style: threads, pages and flush lists are *uninterpreted
sorts* (:data:`Thread`, :data:`Page`, :data:`FList`) of unknown, unbounded size, per-thread and
per-page fields are functions over them, and every invariant is universally quantified over
them. An obligation ``Inv and Action => Inv'`` that z3 answers ``unsat`` therefore holds for
every number of users, pages and flush lists and every assignment of pages to lists (the spec's
``page % n_flush_lists`` is one of them) -- and every size symbolic, as before.

=======================  ===================================================================
encoded (z3)             spec field
=======================  ===================================================================
``sn ready added``       sn, buf_ready_for_write_lsn, the dirty-pages-added lsn
``wl fl cp pending``     write_lsn, flushed_to_disk_lsn, checkpoint_lsn, pending_lsn
``nw nwe nf nfe``        the write/flush notifiers' positions and events
``pc ssn size page wait  ``State.users[x]`` for a thread ``x`` (``ssn`` = start_sn, ``sig`` =
sig`` (Thread -> .)      signalled; ``page`` maps to the Page sort; an idle thread's page is
                         not compared)
``gend`` (Int -> Bool)   the lsns at which a reserved group ends (the spec's ``groups``)
``oldest newest``        page ``p``'s oldest_modification in its flush list (0 when clean)
(Page -> Int)            and ``pages.newest[p]``
``disk`` (Page -> Int)   ``pages.on_disk[p]``: the page_lsn in the data file (CP-6)
``stamp`` (Page -> Int)  the order in which dirty pages entered their flush list (smaller =
                         earlier = nearer the list's tail); only the order is spec data
``lst`` (Page -> FList)  the flush list of a page (static: ``page % n_flush_lists``)
``ne tl`` (FList -> .)   the list is non-empty; its tail page (the earliest added)
=======================  ===================================================================

States and actions
------------------
A state is a :class:`UState`: scalars and Python callables returning the value of a function at
a term. An action returns its guard and the *post-state as terms of the pre-state* (functional
update ``lambda x: If(x == k, v, f(x))``), so relations need no frame axioms; nondeterministic
choices (the acting thread, sizes, the new tail ...) are constants named after the step. The
relations are the same as :mod:`proofs.encoding`'s -- exact except the two writer actions,
which over-approximate (:mod:`proofs.writer_exact` gives their exact relations and proves that
they imply these). 9.0's flush-list-added tracker (spec/tracker.py: user_wait_to_add,
user_report_added, checkpointer_ask_smallest_not_added) is encoded as :mod:`proofs.encoding`
encodes it: the tail moves to the first group not yet reported when someone asks, and a report
moves it past the reporter's range only when no unreported group lies below.

Quantifiers and decidability
----------------------------
Every invariant is ``forall x1..xn: body`` over the sorts (at most two variables), with the
bound variables only as arguments of uninterpreted functions (the "essentially uninterpreted"
fragment, for which z3's model-based quantifier instantiation is complete). The negated goal
is skolemized by hand (fresh constants), and the hypotheses are kept quantified *and* also
instantiated at the ground terms of the query (the skolems, the acting thread, the pages and
lists they touch): the division functions (sn_to_lsn, block_start, block numbers, slots) are
uninterpreted as in :mod:`proofs.encoding`, and :func:`UEnc.facts` adds instances of the proved
lemmas (:data:`proofs.encoding.FACT_LEMMAS`) for every *ground* application, so the explicit
instances carry the arithmetic facts. Each query has its own timeout; ``unknown`` is a failure.

With ``Dom.finite`` the same formulas quantify over a list of constants instead (a concrete
number of threads/pages/lists): the conformance tests and the teeth tests' concrete
counterexamples use it with the real division terms.

Modules: :mod:`~proofs.unbounded.state` (sorts, domains, :class:`UState`),
:mod:`~proofs.unbounded.base` (primitives, derived terms, Init), :mod:`~proofs.unbounded.actions`
(:class:`UEnc`: the actions, crash and recovery), :mod:`~proofs.unbounded.invariants`,
:mod:`~proofs.unbounded.obligations` (ground instances, facts, the obligations).
"""

from __future__ import annotations

from proofs.encoding import CLOSED, PAGES_ADDED
from proofs.unbounded.actions import (
    ACTION_NAMES,
    OVER_APPROXIMATED,
    RESTART_NAMES,
    UEnc,
    step,
)
from proofs.unbounded.base import UEncBase
from proofs.unbounded.invariants import INVARIANTS, UInv, holds, inv_all, invariant
from proofs.unbounded.obligations import (
    DURABLE,
    action_query,
    durable_goal,
    facts,
    init_formula,
    instances,
    obligations,
    step_formula,
)
from proofs.unbounded.state import (
    Dom,
    FList,
    Page,
    Thread,
    UState,
    finite_dom,
    no_group_ends,
    upd,
    upd_thread,
)

__all__ = [
    "ACTION_NAMES", "CLOSED", "DURABLE", "INVARIANTS", "OVER_APPROXIMATED", "PAGES_ADDED",
    "RESTART_NAMES", "Dom", "FList", "Page", "Thread", "UEnc", "UEncBase", "UInv", "UState",
    "action_query", "durable_goal", "facts", "finite_dom", "holds", "init_formula",
    "instances", "inv_all", "invariant", "no_group_ends", "obligations", "step",
    "step_formula", "upd", "upd_thread",
]
