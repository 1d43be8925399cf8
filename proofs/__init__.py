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
* :mod:`proofs.encoding` -- the lsn-level state and all 20 actions (8.0 and 9.0) as
  transition relations; Init => Inv and Inv and Action => Inv' for SYS-1, LNK-5, SYS-2, NT-4,
  SYS-4 and five auxiliary invariants.
* :mod:`proofs.ring` -- the link ring as a window of slots for capacities 2 and 4: the
  traversal keeps LNK-5 and moves the tail exactly as :mod:`proofs.encoding` assumes.
* :mod:`proofs.concrete` and :mod:`proofs.bmc` -- concrete states in the encoding (the
  conformance tests), bounded model checking from Init cross-checked with the explorer.

What is proved and what is only tested (the trust base):

* Proved for every Params allowed by the rules the obligation assumes: every obligation of
  ``redospec prove``. The step obligations treat the nonlinear functions as uninterpreted and
  assume instances of lemmas that are themselves obligations (``FACT_LEMMAS``).
* Tested, not proved: that the hand-written relations are the spec's actions (Hypothesis, both
  directions, tests/proofs/test_encoding.py); that the ring model is spec.linkbuf
  (tests/proofs/test_ring.py); and the traversal assumption of the step proofs for ring
  capacities other than 2 and 4 (the presets use 16 and 64 slots; proofs.ring proves 8 in
  ~110 s, too slow for the budget, and times out at 16).
"""
