"""``--cluster ADDRESS``: the partitioned search as Dask actors on a local cluster of two
worker processes started by the test, with the results of one process (SYS-1 and SYS-3's
caricatures in the toy models; skipped where Dask is not installed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import explore
from engine.cluster import ClusterError, DaskPool
from spec.cli import main
from tests.engine.test_store import MODELS
from tests.engine.test_workers import _same
from tests.spec.test_cli import toy_binding

distributed = pytest.importorskip("distributed")
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            env={"PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("name", ["mini_log", "bad_value", "no_writer", "spin", "backwards",
                                  "dead_action"])
def test_cluster_reports_what_one_process_reports(cluster: str, name: str) -> None:
    many = explore(MODELS[name](), cluster=cluster, workers=0)
    assert many.workers == 2
    _same(explore(MODELS[name]()), many)


def test_cli_cluster(cluster: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--cluster", cluster, "--json", "--quiet"], toy_binding()) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["workers"] == 2 and obj["verdict"] == "ok"
    assert obj["distinct_states"] == explore(toy_binding().make_model(
        __import__("spec.params", fromlist=["Params"]).Params.tiny())).distinct_states


def test_unreachable_scheduler_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ClusterError, match="cannot reach"):
        DaskPool("tcp://127.0.0.1:9", object(), 1, False, False, None)
    assert main(["explore", "--cluster", "tcp://127.0.0.1:9"], toy_binding()) == 2
    assert "cannot reach" in capsys.readouterr().err
