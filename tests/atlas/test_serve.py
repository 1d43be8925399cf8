"""``redospec serve``'s JSON API, through a real server on a free loopback
port: the state, picture, enabled actions and properties of a replayed trace (USR-1, LNK-5,
WR-1 markers), 400 naming the step for a label that is not enabled, the same trace text as
``redospec explore --replay``, seeded walks, the example scenarios."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from atlas.explorer import Explorer
from atlas.serve import ExplorerServer, main, start_in_thread
from spec import cli as spec_cli
from spec.invariants import PROPERTIES
from spec.model import Label, RedoModel
from spec.params import Params
from spec.state import State, replace

TRACE = ("user_reserve(thread=0, size=4, page=0, wait=flush); user_copy_to_log_buffer(thread=0); "
         "user_add_recent_written_link(thread=0); writer_traverse_links(); writer_write()")


@pytest.fixture(scope="module")
def server() -> Iterator[ExplorerServer]:
    srv, thread = start_in_thread("tiny")
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def get(srv: ExplorerServer, path: str, **params: Any) -> tuple[int, Any]:
    url = srv.url.rstrip("/") + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = r.read()
            ctype = r.headers["Content-Type"]
            status = r.status
    except urllib.error.HTTPError as e:
        body, ctype, status = e.read(), e.headers["Content-Type"], e.code
    return status, json.loads(body) if ctype == "application/json" else body.decode()


def test_listens_on_loopback_only(server: ExplorerServer) -> None:
    """The default bind address is 127.0.0.1."""
    assert server.server_address[0] == "127.0.0.1"
    status, page = get(server, "/")
    assert status == 200 and "redospec explorer" in page and 'DEFAULT_PRESET = "tiny"' in page


def test_initial_state(server: ExplorerServer) -> None:
    """No trace: the initial state, every property holding, the enabled actions exactly the
    model's (USR-1: each user may reserve each group size)."""
    status, d = get(server, "/api/state", preset="tiny")
    assert status == 200
    assert set(d) >= {"state", "picture", "actions", "properties"}
    m = RedoModel(Params.tiny())
    want = [str(x) for x in m.actions(m.init_states()[0])]
    assert [a["label"] for a in d["actions"]] == want
    assert len(want) == 4  # 2 users x sizes 4, 8 (each on its own page, waits for flush)
    assert d["properties"] == {p.name: True for p in PROPERTIES}
    assert d["trace"] == [] and d["changed"] == []
    ET.fromstring(d["picture"])


def test_replayed_trace(server: ExplorerServer) -> None:
    """The state after the trace: current_lsn 56 (USR-1), buf_ready_for_write_lsn 56 (LNK-2),
    write_lsn 56 (WR-2); the last step's changes are listed."""
    status, d = get(server, "/api/state", preset="tiny", trace=TRACE)
    assert status == 200
    st = d["state"]
    assert (st["current_lsn"], st["buf_ready_for_write_lsn"], st["write_lsn"],
            st["flushed_to_disk_lsn"]) == (56, 56, 56, 52)
    assert "flusher_fsync(up_to=56)" in [a["label"] for a in d["actions"]]
    assert "writer.write_lsn" in [c["field"] for c in d["changed"]]
    assert len(d["trace"]) == 5


def test_same_text_as_explore_replay(server: ExplorerServer,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The trace text the API returns is accepted by ``redospec explore --replay``."""
    _, d = get(server, "/api/state", preset="tiny", trace=TRACE.replace("; ", "\n"))
    assert spec_cli.main(["explore", "--preset", "tiny", "--replay", d["trace_text"]]) == 0
    assert "replayed 5 steps" in capsys.readouterr().out


def test_not_enabled_is_400(server: ExplorerServer) -> None:
    """A label whose guard is false: 400 with a message naming the step and the guard."""
    status, d = get(server, "/api/state", preset="tiny",
                    trace="user_reserve(thread=0, size=4, page=0, wait=flush); writer_write()")
    assert status == 400
    assert d["error"].startswith("step 2: writer_write(): guard")
    assert "enabled there:" in d["error"]
    status, d = get(server, "/api/state", preset="tiny", trace="not a label")
    assert status == 400 and "step 1: bad label" in d["error"]
    status, d = get(server, "/api/state", preset="huge")
    assert status == 400 and "unknown preset" in d["error"]
    status, d = get(server, "/nothing")
    assert status == 404


def test_walks_are_seeded_and_run_to_the_end(server: ExplorerServer) -> None:
    """The same seed gives the same walk; "run to the end" at tiny stops where nothing is
    enabled and every user is idle (SYS-3's fine end)."""
    _, a = get(server, "/api/walk", preset="tiny", trace="", steps=10, seed=5)
    _, b = get(server, "/api/walk", preset="tiny", trace="", steps=10, seed=5)
    assert a["trace"] == b["trace"] and len(a["trace"]) == 10
    _, c = get(server, "/api/walk", preset="tiny", trace=a["trace_text"], steps=-1, seed=1)
    assert c["trace"][:10] == a["trace"] and c["terminal"] and c["terminal_ok"]
    assert c["actions"] == [] and c["stopped"].startswith("nothing enabled")


def test_examples_replay(server: ExplorerServer) -> None:
    """Each example scenario is a trace the API replays; the "commit" one ends with the
    group durable (flushed_to_disk_lsn past the first data lsn) and every user idle."""
    status, d = get(server, "/api/examples", preset="tiny")
    assert status == 200
    names = [e["name"] for e in d["examples"]]
    assert {"hole", "commit", "checkpoint"} <= set(names)
    for ex in d["examples"]:
        status, st = get(server, "/api/state", preset="tiny", trace=ex["trace"])
        assert status == 200, ex
    commit = next(e for e in d["examples"] if e["name"] == "commit")
    _, st = get(server, "/api/state", preset="tiny", trace=commit["trace"])
    assert st["state"]["flushed_to_disk_lsn"] > 52
    assert all(u["pc"] == "idle" for u in st["state"]["users"])
    hole = next(e for e in d["examples"] if e["name"] == "hole")
    _, st = get(server, "/api/state", preset="tiny", trace=hole["trace"])
    assert st["state"]["buf_ready_for_write_lsn"] < st["state"]["current_lsn"]
    assert st["state"]["recent_written"]["links"]


def test_picture_route(server: ExplorerServer) -> None:
    status, svg = get(server, "/picture.svg", preset="tiny", trace=TRACE)
    assert status == 200
    root = ET.fromstring(svg)
    assert root.attrib["data-current-lsn"] == "56"


def test_violated_property_reported() -> None:
    """Teeth: the property panel is computed, not constant: a model whose writer jumps
    buf_ready_for_write_lsn to the current lsn (a hole below it) shows lnk5_no_holes
    violated, with the property's explanation (LNK-5)."""
    p = Params.tiny()

    def broken(p: Params, s: State) -> State | None:
        lb = s.recent_written
        cur = s.groups[-1][1] if s.groups else lb.tail
        if cur <= lb.tail:
            return None
        return replace(s, recent_written=type(lb)(cur, lb.capacity, ()))

    ex = Explorer({"broken": RedoModel(p).with_action("writer_traverse_links", broken)})
    trace = ("user_reserve(thread=0, size=4, page=0, wait=flush); "
             "user_reserve(thread=1, size=4, page=1, wait=flush); "
             "user_copy_to_log_buffer(thread=1); user_add_recent_written_link(thread=1); "
             "writer_traverse_links()")
    d = ex.answer("broken", trace)
    assert d["properties"]["lnk5_no_holes"] is False
    assert "lnk5_no_holes" in d["explain"]
    assert ex.answer("tiny", trace.rsplit(";", 1)[0])["properties"]["lnk5_no_holes"] is True
    assert Label.parse(d["trace"][-1]).action == "writer_traverse_links"


def test_cli_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input: one line, exit 2."""
    assert main(["serve", "--preset", "huge"]) == 2
    assert main(["serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("redospec serve: ") for line in err)


def test_broken_variants_counterexamples(server: ExplorerServer) -> None:
    """Each broken variant (atlas.broken, the teeth tests' bugs) loads as ``tiny:<name>``
    with its shortest counterexample: its property holds on every prefix and is violated at
    the last step (SYS-1, LNK-5, SYS-2, CP-4, WR-6, RC-4, NT-4)."""
    status, d = get(server, "/api/broken")
    assert status == 200
    assert {b["property"] for b in d["broken"]} >= {
        "sys1_lsn_chain", "lnk5_no_holes", "nt4_no_lost_wakeup", "wr6_write_ahead"}
    ex = server.explorer
    for b in d["broken"]:
        labels = [t.strip() for t in b["trace"].split(";")]
        last = ex.answer(b["preset"], b["trace"])
        assert last["properties"][b["property"]] is False, b["name"]
        assert last["broken"]["name"] == b["name"]
        before = ex.answer(b["preset"], "; ".join(labels[:-1]))
        assert before["properties"][b["property"]] is True, b["name"]
    # the real model rejects or survives the same trace: the bug is in the variant
    b = next(x for x in d["broken"] if x["name"] == "writer-ignores-missing-links")
    status, real = get(server, "/api/state", preset="tiny", trace=b["trace"])
    assert status == 400 or real["properties"]["lnk5_no_holes"] is True
    status, err = get(server, "/api/state", preset="tiny:no-such-bug")
    assert status == 400 and "unknown broken variant" in err["error"]
