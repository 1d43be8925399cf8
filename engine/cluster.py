"""The partitioned search of :mod:`engine.workers` on a Dask cluster (``--cluster ADDRESS``).

Each partition is a Dask *actor* (a :class:`engine.partition.Partition` living on one of the
cluster's workers); the coordinator is this process, and the search, its messages (per-level
batches of fingerprints and ids, and the states handed over to balance a level) and its
results are exactly those of the forked workers. Dask was chosen over Ray because its actors
are plain Python objects on plain processes, its scheduler is one small process (``dask
scheduler`` / ``dask worker ADDRESS``, or a ``LocalCluster`` in a test), and it installs from
PyPI as one package (``pip install 'dask[distributed]'``, the ``cluster`` extra) with no
daemon of its own.

The model is sent to the cluster with cloudpickle (lambdas included); its module must be
importable on the workers. Fingerprints are Python hashes, so every worker must hash alike:
strings hash with a per-process seed, so start the workers with the same ``PYTHONHASHSEED``
(the pool checks it and says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HASH_PROBE = "redospec-fingerprint-probe"


class ClusterError(Exception):
    """The cluster cannot run the search (unreachable, no workers, different hash seeds)."""


def _probe() -> int:
    return hash(HASH_PROBE)


class DaskPool:
    """The coordinator's handle on the partitions, as actors on a Dask cluster (the same
    interface as the forked pool: ``ask``, ``ask_all``, ``close``). ``n < 1``: one partition
    per worker of the cluster."""

    def __init__(self, address: str, model: Any, n: int, keep_edges: bool,
                 check_deadlock: bool, symmetry: Callable[[Any], Any] | None) -> None:
        try:
            import distributed
        except ImportError:
            raise ClusterError("--cluster needs Dask: pip install 'dask[distributed]' "
                               "(the 'cluster' extra)") from None
        from engine.partition import Partition

        client_class: Any = distributed.Client
        try:
            self.client: Any = client_class(address, timeout=20)
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        hashes = self.client.run(_probe)
        if not hashes:
            self.client.close()
            raise ClusterError(f"the Dask cluster at {address} has no workers")
        if len(set(hashes.values())) > 1:
            self.client.close()
            raise ClusterError("the cluster's workers hash strings differently (fingerprints "
                               "would not agree): start every worker with the same "
                               "PYTHONHASHSEED")
        if n < 1:   # one partition per worker of the cluster
            n = len(hashes)
        self.actors = [
            self.client.submit(Partition, model, w, n, keep_edges, check_deadlock, symmetry,
                               actor=True, pure=False).result()
            for w in range(n)]

    def ask(self, w: int, request: str, *args: Any) -> Any:
        return self._wait(getattr(self.actors[w], request)(*args))

    def ask_all(self, request: str, per_worker: list[tuple[Any, ...]] | None = None
                ) -> list[Any]:
        futures = [getattr(actor, request)(*(per_worker[w] if per_worker is not None else ()))
                   for w, actor in enumerate(self.actors)]
        return [self._wait(f) for f in futures]

    @staticmethod
    def _wait(future: Any) -> Any:
        from engine.workers import WorkerFailed

        try:
            return future.result()
        except Exception as exc:   # the model raised on a worker
            raise WorkerFailed(f"{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        self.actors = []
        self.client.close()
