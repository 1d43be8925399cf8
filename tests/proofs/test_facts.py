"""The facts the step proofs assume about the uninterpreted functions are true of the real
functions (FMT-2, NT-2, NT-4, CP-7): each instance, with the real sn_to_lsn, block_start,
division, checkpoint adjustment and notifier range substituted, evaluates to true for
concrete Params and random values of every variable. (They are instances of proved lemmas;
this checks the instantiation itself.)"""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs import encoding as E
from proofs import terms as T
from proofs.params import concrete_values
from spec.params import Params

PARAMS = [Params.tiny(), Params.small(), Params(group_sizes=(100, 200))]


def _constants(f: z3.ExprRef) -> list[z3.ExprRef]:
    seen: dict[int, z3.ExprRef] = {}
    todo = [f]
    while todo:
        x = todo.pop()
        if z3.is_const(x) and x.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            seen.setdefault(x.get_id(), x)
        todo.extend(x.children())
    return list(seen.values())


def _real(e: E.Enc, f: z3.BoolRef) -> z3.BoolRef:
    p = e.p
    x, y, b = (z3.Var(i, z3.IntSort()) for i in range(3))

    def member(kind: int) -> z3.BoolRef:
        n = p.write_events if kind == 1 else p.flush_events
        bs = p.block_size
        b0 = (x - 1) / bs
        kmax = (T.align_up(y, bs) - x) / bs
        return z3.And(kmax >= 0, z3.Or(kmax + 1 >= n, (b - b0) % n <= kmax))

    return z3.substitute_funs(
        f, (e.f_lsn, T.sn_to_lsn(p, x)), (e.f_bstart, T.block_start(p, x)),
        (e.f_blk, x / p.block_size), (e.f_cpf, T.checkpoint_lsn_for(p, x)),
        (e.f_member[1], member(1)), (e.f_member[2], member(2)))


@settings(max_examples=30)
@given(which=st.integers(0, len(PARAMS) - 1),
       action=st.sampled_from(E.ACTION_NAMES),
       values=st.lists(st.integers(-50, 5000), min_size=200, max_size=200))
def test_facts_hold_for_the_real_functions(which: int, action: str,
                                           values: list[int]) -> None:
    p = PARAMS[which]
    e, s, t = E.Enc(), E.St(""), E.St("'")
    z3.And(E.inv_all(e, s), E.relation(e, action)(s, t), E.inv_all(e, t))
    facts = _real(e, E.facts(e))
    subst = e.p.substitution(concrete_values(p))
    subst.append((e.v_start_sn, z3.IntVal(p.start_sn)))
    fixed = z3.substitute(facts, *subst)
    consts = [c for c in _constants(fixed) if c.sort() == z3.IntSort()]
    pairs = [(c, z3.IntVal(values[i % len(values)])) for i, c in enumerate(consts)]
    bools = [c for c in _constants(fixed) if c.sort() == z3.BoolSort()]
    pairs += [(c, z3.BoolVal(values[i] % 2 == 0)) for i, c in enumerate(bools)]
    result = z3.simplify(z3.substitute(fixed, *pairs))
    assert z3.is_true(result), (action, p)
