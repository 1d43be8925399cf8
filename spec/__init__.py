"""The executable specification of InnoDB's redo log write pipeline.

Pure and deterministic: the whole system is an immutable :class:`~spec.state.State`, every
thread's step is a named action with a guard and an effect, invariants are named predicates.
Start reading at :mod:`spec.params`, :mod:`spec.lsn`, then one module per actor.
"""
