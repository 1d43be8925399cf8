"""Bridge between concrete spec states and the z3 encoding (conformance, BMC, decoding).

:func:`encode_state` projects a :class:`spec.state.State` onto the encoded fields of
:class:`proofs.encoding.St`; :func:`holds` evaluates a relation of the encoding, in its *real*
mode (every function interpreted, :class:`~proofs.encoding.Enc` with ``abstract=False``), on
concrete Params and states; :func:`successors_of_relation` enumerates the models of a relation
from a concrete state (direction 2 of the encoding conformance).
"""

from __future__ import annotations

from collections.abc import Mapping

import z3

from proofs.encoding import N_PAGES, N_USERS, PCS, WAITS, Enc, St, relation
from proofs.params import SymParams, concrete_values
from spec.params import Params
from spec.state import State

Value = int | bool


class ShapeError(ValueError):
    """The Params do not have the encoded shape (2 users, 2 pages, 2 flush lists)."""


def check_shape(p: Params) -> None:
    """Raise :class:`ShapeError` unless ``p`` has the shape the encoding covers."""
    if (p.n_user_threads, p.n_pages) != (N_USERS, N_PAGES) or p.n_flush_lists not in (1, 2):
        raise ShapeError(
            f"the encoding covers n_user_threads={N_USERS}, n_pages={N_PAGES}, n_flush_lists "
            f"1 or 2; got {p.n_user_threads}, {p.n_pages}, {p.n_flush_lists}")
    if p.link_buf != "seeds":
        raise ShapeError("the encoding covers link_buf='seeds'")


def encode_state(p: Params, s: State) -> dict[str, Value]:
    """The encoded fields of ``s`` by :meth:`St.scalars` name."""
    check_shape(p)
    out: dict[str, Value] = {
        "sn": s.sn, "ready": s.recent_written.tail, "added": s.recent_closed.tail,
        "write_lsn": s.writer.write_lsn, "flushed_to_disk_lsn": s.flushed_to_disk_lsn,
        "checkpoint_lsn": s.checkpoint.checkpoint_lsn, "pending_lsn": s.checkpoint.pending_lsn,
        "write_notifier_lsn": s.notifiers.write_notifier_lsn,
        "write_notifier_event": s.notifiers.write_notifier_event,
        "flush_notifier_lsn": s.notifiers.flush_notifier_lsn,
        "flush_notifier_event": s.notifiers.flush_notifier_event,
    }
    for k, u in enumerate(s.users):
        out.update({f"pc{k}": PCS[u.pc], f"start_sn{k}": u.start_sn, f"size{k}": u.size,
                    f"page{k}": u.page, f"wait{k}": WAITS[u.wait], f"signalled{k}": u.signalled})
    for j in range(N_PAGES):
        lst = s.pages.flush_lists[j % p.n_flush_lists]
        entries = [o for page, o in lst if page == j]
        if len(entries) > 1:
            raise ShapeError(f"page {j} is twice in its flush list {lst}")
        out[f"oldest{j}"] = entries[0] if entries else 0
        out[f"newest{j}"] = s.pages.newest[j]
    two = [lst for lst in s.pages.flush_lists if len(lst) == 2]
    out["early"] = two[0][-1][0] if two else 0
    return out


def _val(v: Value) -> z3.ExprRef:
    return z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v)


def state_equalities(st: St, values: Mapping[str, Value]) -> z3.BoolRef:
    """``st``'s variables equal ``values``."""
    vars_ = st.scalars()
    return z3.And([vars_[k] == _val(v) for k, v in values.items()])


def real_enc(p: Params) -> tuple[Enc, list[tuple[z3.ExprRef, z3.ExprRef]]]:
    """An encoding in real mode and the substitution fixing its Params to ``p``."""
    sp = SymParams()
    enc = Enc(sp, cap=z3.IntVal(p.log_capacity), abstract=False)
    return enc, sp.substitution(concrete_values(p))


def holds(p: Params, action: str, s: State, t: State,
          choices: Mapping[str, int] | None = None) -> bool:
    """Does the relation of ``action`` hold between the concrete ``s`` and ``t``? (Choice
    variables not given are left to z3.)"""
    enc, subst = real_enc(p)
    a, b = St(""), St("'")
    rel = relation(enc, action)(a, b)
    extra = [z3.Int(k) == v for k, v in (choices or {}).items()]
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    solver.add(z3.substitute(z3.And(rel, *extra), *subst),
               state_equalities(a, encode_state(p, s)), state_equalities(b, encode_state(p, t)))
    r = solver.check()
    if r == z3.unknown:
        raise RuntimeError(f"z3 unknown on {action}: {solver.reason_unknown()}")
    return bool(r == z3.sat)


def successors_of_relation(p: Params, action: str, s: State, limit: int = 25
                           ) -> tuple[list[dict[str, Value]], bool]:
    """Up to ``limit`` distinct encoded successors of ``s`` allowed by ``action``'s relation,
    and whether the enumeration was complete."""
    enc, subst = real_enc(p)
    a, b = St(""), St("'")
    solver = z3.Solver()
    solver.set("timeout", 20_000)
    solver.add(z3.substitute(relation(enc, action)(a, b), *subst),
               state_equalities(a, encode_state(p, s)))
    out: list[dict[str, Value]] = []
    names = b.scalars()
    while len(out) < limit:
        r = solver.check()
        if r == z3.unsat:
            return out, True
        if r != z3.sat:
            raise RuntimeError(f"z3 {r} on {action}: {solver.reason_unknown()}")
        m = solver.model()
        vals: dict[str, Value] = {}
        for k, var in names.items():
            v = m.eval(var, model_completion=True)
            vals[k] = bool(z3.is_true(v)) if z3.is_bool(v) else int(v.as_long())
        out.append(vals)
        solver.add(z3.Not(state_equalities(b, vals)))
    return out, False
