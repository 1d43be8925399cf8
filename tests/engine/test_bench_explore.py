"""bench/explore.py prints a markdown table of the explorer's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.explore import main


def test_bench_prints_a_markdown_row_per_preset(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "results.md"
    assert main(["--preset", "tiny", "--max-states", "300", "--no-liveness", "--quiet",
                 "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    header = "| preset | distinct states | transitions | depth | seconds | states/s | verdict |"
    assert header in out
    row = next(line for line in out.splitlines() if line.startswith("| tiny |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "300"                 # exactly max_states distinct states
    assert cells[6] == "incomplete"          # a bounded search concludes nothing
    assert "max_states=300" in cells[7] and "no liveness" in cells[7]
    assert out_file.read_text().startswith(header)
