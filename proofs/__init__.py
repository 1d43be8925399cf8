"""z3 proofs that the spec's invariants hold for all parameter values."""
