"""The example database of a campaign, named by a short text (``--db``, ``REDOSPEC_FUZZ_DB``).

* ``DIR``: a local folder (Hypothesis's ``DirectoryBasedExampleDatabase``);
* ``redis://HOST:PORT/N``: a Redis server shared by every worker on every machine
  (``hypothesis.extra.redis.RedisExampleDatabase``);
* ``DIR+redis://HOST:PORT/N``: layered (``MultiplexedDatabase``): every save goes to the folder
  first and then to Redis, a fetch reads both, so a laptop keeps its own copy of everything the
  campaign found and loses nothing local when Redis goes away.

Several layers are joined with ``+`` (a ``+`` that starts ``+redis://``); ``--db`` may also be
given more than once, which layers the values in order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    MultiplexedDatabase,
)

DEFAULT = ".hypothesis/fuzz"
ENV = "REDOSPEC_FUZZ_DB"
"""The environment variable that points pytest (``tests/conformance/conftest.py``) and
HypoFuzz at a campaign's database; same syntax as ``--db``."""

_SPLIT = re.compile(r"\+(?=redis://)")


class DatabaseError(Exception):
    """A ``--db`` text that names no usable database, or a Redis that does not answer."""


@attrs.frozen
class Layer:
    kind: str
    """``dir`` or ``redis``."""
    where: str
    """The folder (absolute) or the ``redis://`` URL."""


def parse(texts: str | list[str]) -> list[Layer]:
    """The layers named by ``texts`` (one ``--db`` value or several), front first."""
    values = [texts] if isinstance(texts, str) else list(texts)
    layers: list[Layer] = []
    for value in values:
        for part in _SPLIT.split(value.strip()):
            if not part:
                raise DatabaseError(f"--db {value!r}: an empty layer; write DIR, "
                                    "redis://HOST:PORT/N or DIR+redis://HOST:PORT/N")
            if part.startswith("redis://"):
                layers.append(Layer("redis", _check_url(part)))
            elif "://" in part:
                raise DatabaseError(f"--db {part!r}: only redis:// URLs and local folders are "
                                    "example databases")
            else:
                path = Path(part).expanduser()
                if path.exists() and not path.is_dir():
                    raise DatabaseError(f"--db {part}: exists and is not a folder; name a "
                                        "folder for the example database")
                layers.append(Layer("dir", str(path.resolve())))
    if not layers:
        raise DatabaseError("--db: no database named")
    return layers


def _check_url(url: str) -> str:
    m = re.fullmatch(r"redis://([^/@]*@)?([^/:@]+)(:\d+)?(/\d+)?/?", url)
    if not m:
        raise DatabaseError(f"--db {url}: not a Redis URL; write redis://HOST:PORT/N "
                            "(N, the database number, defaults to 0)")
    return url


def text(layers: list[Layer]) -> str:
    """The one-string form of ``layers`` (what ``--db`` and ``REDOSPEC_FUZZ_DB`` accept)."""
    return "+".join(layer.where for layer in layers)


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` that fails within seconds instead of hanging."""
    try:
        import redis
    except ImportError as exc:   # a dependency, but say what to do if it is missing
        raise DatabaseError(f"--db {url}: the redis package is not installed; "
                            "pip install -e . installs it") from exc
    return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)


def ping(layers: list[Layer]) -> None:
    """Raise :class:`DatabaseError` (one line) if a Redis layer does not answer; create the
    folders of the folder layers."""
    for layer in layers:
        if layer.kind == "dir":
            try:
                Path(layer.where).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"--db {layer.where}: cannot create the example database "
                                    f"folder: {exc.strerror or exc}") from exc
            continue
        try:
            redis_client(layer.where).ping()
        except DatabaseError:
            raise
        except Exception as exc:
            why = one_line(exc).rstrip(".")
            raise DatabaseError(f"cannot reach the Redis example database at {layer.where}: "
                                f"{why}; start redis-server there or change --db") from exc


def open_database(layers: list[Layer]) -> ExampleDatabase:
    """The Hypothesis database of ``layers`` (folders are created)."""
    dbs: list[ExampleDatabase] = []
    for layer in layers:
        if layer.kind == "dir":
            dbs.append(DirectoryBasedExampleDatabase(layer.where))
        else:
            from hypothesis.extra.redis import RedisExampleDatabase

            dbs.append(RedisExampleDatabase(redis_client(layer.where)))
    return dbs[0] if len(dbs) == 1 else MultiplexedDatabase(*dbs)


def from_text(value: str) -> ExampleDatabase:
    """The database named by one ``--db``-style text (for ``REDOSPEC_FUZZ_DB``)."""
    return open_database(parse(value))


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the example database failing (Redis gone),
    as opposed to a finding of the checks."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if type(e).__module__.startswith("redis"):
            return True
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None:
                todo.append(nxt)
    return False


def one_line(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
