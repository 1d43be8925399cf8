"""``redospec explore --dot FILE``: the bounded state graph as Graphviz DOT, refused above a
node limit (the toy counter, whose graph is known by hand, and SYS-1's mini_log)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.dot import GraphTooLarge, state_graph
from spec.cli import main
from tests.engine.toy_models import counter, mini_log, reachable_count
from tests.spec.test_cli import toy_binding

NODE = re.compile(r'^  s(\d+) \[label="s\1: (.*?)"')
EDGE = re.compile(r'^  s(\d+) -> s(\d+) \[label="(.*)"\];$')


def test_counter_graph_is_the_one_known_by_hand() -> None:
    text, states, transitions = state_graph(counter(bound=5), summary=lambda s: f"x={s.x}")
    assert text.startswith("digraph states {") and text.rstrip().endswith("}")
    nodes = {int(m.group(1)): m.group(2) for m in map(NODE.match, text.splitlines()) if m}
    edges = [(int(m.group(1)), int(m.group(2)), m.group(3))
             for m in map(EDGE.match, text.splitlines()) if m]
    assert sorted(nodes.values()) == [f"x={x}" for x in range(6)] and states == 6
    value = {k: int(v[2:]) for k, v in nodes.items()}
    expected = {(x, x + by) for x in range(6) for by in (1, 3) if x + by <= 5}
    assert {(value[a], value[b]) for a, b, _ in edges} == expected
    assert transitions == len(edges) == len(expected)
    for a, b, label in edges:
        assert label == f"inc(by={value[b] - value[a]})"


def test_bounds_and_limit() -> None:
    _, states, _ = state_graph(counter(bound=30), max_depth=2)
    assert states == 6                      # 0,1,2,3,4,6: within two steps of +1/+3
    _, states, _ = state_graph(counter(bound=30), max_states=4)
    assert states == 4
    model = mini_log(users=3, max_lsn=6)
    assert reachable_count(model) > 100
    with pytest.raises(GraphTooLarge, match="more than 100 states"):
        state_graph(model, limit=100)


def test_cli_writes_the_file_and_refuses_a_big_graph(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.dot"
    assert main(["explore", "--dot", str(out), "--max-depth", "2"], toy_binding()) == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text()
    assert "reserve(thread=0)" in text and "MiniLog(" in text
    assert main(["explore", "--dot", str(out), "--dot-limit", "5"], toy_binding()) == 2
    assert "more than 5 states" in capsys.readouterr().err
    assert main(["explore", "--dot-limit", "5"], toy_binding()) == 2
