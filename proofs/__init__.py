"""z3 proofs that the spec's invariants hold for all parameter values (``redospec prove``).

Reading order:

* :mod:`proofs.obligation` -- an obligation is a named formula whose UNSAT proves it;
  statuses, z3 statistics. :mod:`proofs.runner` checks obligations in a pool of 2 processes
  with a timeout (``unknown`` and timeouts fail). :mod:`proofs.cli` is ``redospec prove``.
* :mod:`proofs.params` -- symbolic Params under the same rules as ``spec.params._validate``.
* :mod:`proofs.terms` -- z3 terms of ``spec/lsn.py``'s functions (tested equal to them).
* :mod:`proofs.lemmas` -- FMT-2 translation, NT-3 slots, FMT-3 block numbers, CP-7, WR-6
  regions, NT-2/NT-4 notifier coverage, the MySQL Bug #114660 counterexamples and the spec's
  corrected rule, and the division/alignment lemmas the abstractions rely on.
* :mod:`proofs.writeahead` -- WR-6/WR-7 on the writer's exact plan arithmetic.
* :mod:`proofs.unbounded` -- the lsn-level state over uninterpreted sorts of threads, pages
  and flush lists, all 21 actions (8.0 and 9.0, both link buffers), crash and recovery (under
  recovery's contract); Init => Inv and Inv and Action => Inv' for SYS-1, LNK-5, SYS-2, NT-4,
  SYS-4, CP-6 and ten auxiliary invariants, and that a durable commit stays durable (RC-4),
  for any number of threads, pages and lists. :mod:`proofs.uconcrete` evaluates
  it on spec states.
* :mod:`proofs.encoding` -- the same for 2 users, 2 pages, 1 or 2 lists (superseded in the
  registry by :mod:`proofs.unbounded`; BMC and its tests use it).
* :mod:`proofs.ring_symbolic` -- the link ring for a symbolic capacity and any number of
  threads, the traversal by induction over its loop: it keeps LNK-5 and moves the tail as the
  step encodings assume. (:mod:`proofs.ring`: the older unrolling for capacities 2 and 4.)
* :mod:`proofs.writer_exact` -- the writer's two actions as exact relations, proved to imply
  the over-approximations the step proofs use.
* :mod:`proofs.concrete` and :mod:`proofs.bmc` -- concrete states in the encoding (the
  conformance tests), bounded model checking from Init cross-checked with the explorer.

What is proved and what is only tested (the trust base):

* Proved for every Params allowed by the rules the obligation assumes: every obligation of
  ``redospec prove``, within its ``scope`` (``unbounded`` for all but three, see
  proofs/RESULTS.md). The step obligations treat the nonlinear functions as uninterpreted and
  assume instances of lemmas that are themselves obligations (``FACT_LEMMAS``).
* Tested, not proved: that the hand-written relations are the spec's actions (Hypothesis, both
  directions, tests/proofs/test_unbounded.py and test_encoding.py); that the ring model is
  spec.linkbuf (tests/proofs/test_ring_symbolic.py at 16, 64 and 2**20 slots); that the
  exact traversal's "group boundaries" are the ring's links (test_unbounded.py direction 2).
"""
