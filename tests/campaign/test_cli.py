"""``redospec fuzz``'s command line: bad input is one line and exit status 2, before any
worker starts or any database folder is made; the parser follows the configure/run/main shape."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import pytest

from campaign import cli
from campaign import db as dbmod


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("redospec fuzz: "), err
    return err


@pytest.mark.parametrize("argv, words", [
    (["fuzz"], ["--minutes", "--replay"]),
    (["fuzz", "--minutes", "0"], ["--minutes 0", "positive"]),
    (["fuzz", "--minutes", "nan"], ["--minutes nan"]),
    (["fuzz", "--minutes", "1", "--workers", "0"], ["--workers 0", "at least 1"]),
    (["fuzz", "--minutes", "1", "--target", "nope"], ["--target", "'nope'", "stepped"]),
    (["fuzz", "--minutes", "1", "--mutant", "nope"], ["--mutant", "redospec mutants"]),
    (["fuzz", "--minutes", "1", "--db", "http://x/"], ["redis://", "folders"]),
    (["fuzz", "--minutes", "1", "--db", "redis://h:p/x"], ["not a Redis URL"]),
    (["fuzz", "--minutes", "1", "--report", "/no/such/folder/r.json"], ["--report",
                                                                       "does not exist"]),
])
def test_bad_input_is_one_line_and_status_2(argv: list[str], words: list[str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = _err(capsys)
    for word in words:
        assert word in err, (word, err)


def test_unknown_target_creates_no_database(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    db = tmp_path / "db"
    assert cli.main(["fuzz", "--minutes", "0.1", "--db", str(db), "--target", "nope"]) == 2
    _err(capsys)
    assert not db.exists()


def test_db_that_is_a_file_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    f = tmp_path / "db"
    f.write_bytes(b"")
    assert cli.main(["fuzz", "--minutes", "0.1", "--db", str(f)]) == 2
    err = _err(capsys)
    assert "exists and is not a folder" in err and "Errno" not in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_redis_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    """Nothing listens on the port: the campaign does not start; the line names the URL and
    says what to do."""
    url = f"redis://127.0.0.1:{_free_port()}/0"
    assert cli.main(["fuzz", "--minutes", "1", "--db", f"{tmp_path / 'local'}+{url}"]) == 2
    err = _err(capsys)
    assert url in err and "start redis-server" in err


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fuzz", "--help"]) == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert "worker processes" in description and "example database" in description
    for option in ("--workers", "--db", "--replay", "--report", "--html", "--junit"):
        assert option in out
    assert "``" not in out


def test_configure_adds_the_arguments_to_any_parser() -> None:
    """The shape a command-line tree uses: configure(parser), then run(args)."""
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    args = parser.parse_args(["--minutes", "2", "--workers", "3", "--db", "a", "--db",
                              "redis://h:1/0"])
    assert args.minutes == 2 and args.workers == 3 and args.db == ["a", "redis://h:1/0"]


@pytest.mark.parametrize("text, kinds", [
    ("d", ["dir"]),
    ("redis://127.0.0.1:6379/0", ["redis"]),
    ("d+redis://127.0.0.1:6379/2", ["dir", "redis"]),
    ("a+b", ["dir"]),    # a folder whose name has a plus sign
    ("redis://:secret@10.0.0.5:6380/1", ["redis"]),
])
def test_db_syntax(text: str, kinds: list[str], tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    layers = dbmod.parse(text)
    assert [layer.kind for layer in layers] == kinds
    assert dbmod.parse(dbmod.text(layers)) == layers


def test_layered_text_opens_a_folder_in_front_of_redis(tmp_path: Path) -> None:
    """What ``REDOSPEC_FUZZ_DB`` (tests/conformance/conftest.py) and ``--db`` build from
    ``DIR+redis://...``: saves go to the folder first (nothing is contacted until used)."""
    from hypothesis.database import DirectoryBasedExampleDatabase, MultiplexedDatabase
    from hypothesis.extra.redis import RedisExampleDatabase

    db = dbmod.from_text(f"{tmp_path / 'local'}+redis://127.0.0.1:6379/3")
    assert isinstance(db, MultiplexedDatabase)
    front, back = db._wrapped
    assert isinstance(front, DirectoryBasedExampleDatabase)
    assert Path(front.path) == tmp_path / "local"
    assert isinstance(back, RedisExampleDatabase)
    assert back.redis.connection_pool.connection_kwargs["db"] == 3
