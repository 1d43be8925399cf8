"""Counterexamples of the encoding's obligations, written as the spec's State fields."""

from __future__ import annotations

from collections.abc import Callable

import z3

from proofs.encoding.relations import Enc
from proofs.encoding.vocabulary import PC_NAMES, WAIT_NAMES, St
from proofs.params import SymParams


def decode_state(model: z3.ModelRef, s: St) -> str:
    """A model's values of ``s`` written as the spec's State fields (users by pc name)."""

    def val(x: z3.ExprRef) -> str:
        v = model.eval(x, model_completion=True)
        return str(v)

    lines = [
        f"sn={val(s.sn)} recent_written.tail={val(s.ready)} recent_closed.tail={val(s.added)}"
        f" writer.write_lsn={val(s.write_lsn)} flushed_to_disk_lsn={val(s.flushed_to_disk_lsn)}",
        f"checkpoint.checkpoint_lsn={val(s.checkpoint_lsn)} "
        f"checkpoint.pending_lsn={val(s.pending_lsn)} "
        f"notifiers=NotifierState(write_lsn={val(s.write_notifier_lsn)}, "
        f"write_event={val(s.write_notifier_event)}, "
        f"flush_lsn={val(s.flush_notifier_lsn)}, flush_event={val(s.flush_notifier_event)})",
    ]
    for k, u in enumerate(s.users):
        pc = model.eval(u.pc, model_completion=True)
        wait = model.eval(u.wait, model_completion=True)
        pc_name = PC_NAMES.get(pc.as_long(), str(pc)) if z3.is_int_value(pc) else str(pc)
        wait_name = WAIT_NAMES.get(wait.as_long(), str(wait)) if z3.is_int_value(wait) \
            else str(wait)
        lines.append(f"users[{k}]=UserState(pc={pc_name!r}, start_sn={val(u.start_sn)}, "
                     f"size={val(u.size)}, page={val(u.page)}, wait={wait_name!r}, "
                     f"signalled={val(u.signalled)})")
    for j, pg in enumerate(s.pages):
        lines.append(f"page {j}: oldest_modification={val(pg.oldest)} "
                     f"newest={val(pg.newest)}")
    lines.append(f"flush list tail when one list holds both pages: page {val(s.early)}")
    return "\n".join(lines)


def decode_params(model: z3.ModelRef, p: SymParams) -> str:
    values = []
    for name, var in p.vars.items():
        v = model.eval(var, model_completion=False)
        if z3.is_int_value(v):
            values.append(f"{name}={v}")
    return "Params(" + ", ".join(values) + ")"


def step_decoder(action: str, inv: str) -> Callable[[z3.ModelRef], str]:
    """Renders a counterexample to induction: Params, the state before, the action, after."""

    def decode(model: z3.ModelRef) -> str:
        e, s, t = Enc(), St(""), St("'")
        return (f"{decode_params(model, e.p)}\nstate before (satisfies every invariant):\n"
                f"{decode_state(model, s)}\naction: {action}\nstate after (breaks {inv}):\n"
                f"{decode_state(model, t)}")

    return decode


def init_decoder(inv: str) -> Callable[[z3.ModelRef], str]:
    def decode(model: z3.ModelRef) -> str:
        e, s = Enc(), St("")
        return (f"{decode_params(model, e.p)}\ninitial state (breaks {inv}):\n"
                f"{decode_state(model, s)}")

    return decode
