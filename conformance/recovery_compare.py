"""What a crash and a recovery must leave, compared between the spec and the implementation.

The stepped machines (:mod:`conformance.stepped`) and the crash points
(:mod:`conformance.crashpoints`) drive the two sides through a crash; the comparisons live here,
as functions of values (the spec's parameters and states, the implementation's recovery report
and store), so that they read without the machinery that produced the values:

* :func:`adopt_durable`: before a crash, the spec adopts what the implementation made durable
  early, so that both crash the same bytes;
* :func:`compare_recovery`: the implementation's recovery report against the spec's
  :func:`spec.crash.recover_image` of the same image (RC-1..RC-4);
* :func:`check_durable_pages`: the data file a crash would leave holds exactly the spec's pages
  (RC-4, CP-6).
"""

from __future__ import annotations

from typing import Any

import attrs

from conformance.abstraction import expected_page, normalise
from conformance.checks import ConformanceFailure
from conformance.report import LIVE
from impl.datafile import DataFile
from impl.faultstore import FaultStore
from impl.recovery import DATA_FILE
from spec.blocks import FileBlock
from spec.params import Params
from spec.state import State, replace


def adopt_durable(p: Params, spec: State, impl: State,
                  written: dict[tuple[int, int], set[FileBlock | None]]) -> State | None:
    """``spec`` with its durable view made the implementation's where the two differ by the
    known, tolerated differences (a block or checkpoint block made durable early by another
    file's fsync, :func:`conformance.abstraction.tolerate`), or None when they do not differ:
    a crash then loses the same writes on both sides. Counted in
    ``Report.known_differences["crash image durable early"]``."""
    ours = normalise(p, spec)
    theirs_state = normalise(p, impl)
    disk = spec.disk
    if theirs_state.disk != ours.disk:
        disk = tuple(
            tuple(theirs if norm != theirs and (theirs == cached or theirs in
                                                written.get((f, i), ())) else own
                  for i, (own, norm, theirs, cached) in enumerate(
                      zip(fo, fn, fi, fc, strict=True)))
            for f, (fo, fn, fi, fc) in enumerate(
                zip(spec.disk, ours.disk, theirs_state.disk, ours.files, strict=True)))
    cp = spec.checkpoint
    pick = [theirs if theirs == cp_written else own for own, theirs, cp_written in zip(
        cp.blocks_disk, theirs_state.checkpoint.blocks_disk, cp.blocks_written, strict=True)]
    cps = (pick[0], pick[1])
    if disk == spec.disk and cps == cp.blocks_disk:
        return None
    LIVE.known_differences["crash image durable early"] += 1
    return replace(spec, disk=disk, checkpoint=attrs.evolve(cp, blocks_disk=cps))


def compare_recovery(p: Params, expected: Any, report: Any) -> None:
    """RC-1..RC-4: the implementation's recovery ``report`` has the same checkpoint, the same
    end of log and the same whole groups as the spec's ``expected`` recovery of the same image;
    :class:`ConformanceFailure` ``recovery`` naming every difference otherwise."""
    problems = []
    exp_cp = expected.checkpoint
    got_cp = report.checkpoint
    if exp_cp is not None and (int(got_cp.lsn), int(got_cp.checkpoint_no)) != (
            exp_cp.lsn, exp_cp.checkpoint_no):
        problems.append(f"checkpoint: spec {exp_cp} impl {got_cp}")
    exp_groups = expected.groups
    got_end = int(report.end_lsn)
    exp_end = exp_groups[-1][1] if exp_groups else None
    # groups at/after the checkpoint: applied, or already on their pages (RC-4)
    n_impl = int(report.groups_applied) + int(getattr(report, "groups_already_on_pages", 0))
    if n_impl != len(exp_groups):
        problems.append(f"groups recovered: spec {len(exp_groups)} {exp_groups} "
                        f"impl {n_impl} (end_lsn {got_end}, stop: {report.stop_reason})")
    elif exp_end is not None and got_end != exp_end:
        problems.append(f"end of the last whole group: spec {exp_end} impl {got_end}")
    for page in range(p.n_pages):
        ends = [end for (_s, end, pg) in exp_groups if pg == page]
        if ends:
            got = report.pages.get(page, (0, b""))[0] if hasattr(report, "pages") else None
            if got is not None and int(got) < max(ends):
                problems.append(f"page {page}: page_lsn {got} after recovery, but the "
                                f"group ending at {max(ends)} was recovered")
    if problems:
        raise ConformanceFailure("recovery", "impl recovery differs from the spec's "
                                 "recover_image: " + "; ".join(problems))


def check_durable_pages(p: Params, spec: State, store: FaultStore, when: str) -> None:
    """RC-4, CP-6 on durable data: each page of the data file *as a crash of ``store`` would
    leave it* holds exactly the spec's page_lsn and the payload of the group that ends there;
    a page's later change is never lost (the spec's page_lsn is its last recovered
    modification, checked by ``rc_restart_exact``). ``when`` says when, in the failure."""
    datafile = DataFile.open(store.crash(), DATA_FILE)
    bad = []
    for page, lsn in enumerate(spec.pages.on_disk):
        want = expected_page(p, spec.groups, page, lsn)
        got = datafile.read_page(page)
        if (int(got[0]), bytes(got[1])) != want:
            bad.append(f"page {page}: spec (page_lsn, payload) = {want[0]}, "
                       f"{want[1][:8]!r}..{len(want[1])} bytes, data file {got[0]}, "
                       f"{bytes(got[1])[:8]!r}..{len(got[1])} bytes")
    if bad:
        raise ConformanceFailure("durable pages", f"{when}, the durable data file differs "
                                 "from the spec: " + "; ".join(bad))
