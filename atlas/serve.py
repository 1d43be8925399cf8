"""``redospec serve``: the interactive explorer in the browser.

    redospec serve [--preset tiny|small|innodb] [--port P] [--host H]

Serves on 127.0.0.1 only unless ``--host`` says otherwise (standard library
``ThreadingHTTPServer``, no dependency). Routes:

* ``/``: the page (picture, enabled actions as buttons, back, properties, trace in the URL as
  ``?preset=tiny&trace=label;label;...``, random walk, run to the end, examples, a box to
  paste a trace or counterexample);
* ``GET /api/state?preset=tiny&trace=...`` -> ``{"state", "picture", "actions": [{"label",
  ...}], "properties": {name: bool}, "trace", "changed", ...}``; 400 ``{"error"}`` naming the
  step for a label that does not parse or is not enabled;
* ``GET /api/walk?preset&trace&steps=N&seed=S`` (``steps=-1``: run to the end);
* ``GET /api/examples?preset`` -> ``{"examples": [{"name", "description", "trace"}]}``;
* ``GET /api/broken`` -> ``{"broken": [{"name", "preset", "property", "bug", "teeth",
  "trace"}]}``: broken variants (:mod:`atlas.broken`) with their shortest counterexamples,
  loadable as ``preset=tiny:<name>``;
* ``GET /picture.svg?preset&trace`` -> the SVG alone.

Exit status: 0 after Ctrl-C, 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from atlas.explorer import BadRequest, Explorer
from atlas.page import PAGE
from redospec.command import run_command
from redospec.errors import UsageError
from spec.params import PRESETS

PROG = "redospec serve"


class ExplorerServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer holding the :class:`Explorer` and the default preset."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], preset: str, quiet: bool = True) -> None:
        self.explorer = Explorer()
        self.preset = preset
        self.quiet = quiet
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        return f"http://{host!s}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: ExplorerServer

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        preset = q.get("preset") or self.server.preset
        trace = q.get("trace", "")
        ex = self.server.explorer
        try:
            if url.path == "/":
                page = PAGE.replace("__DEFAULT_PRESET__", self.server.preset)
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif url.path == "/api/state":
                self._json(200, ex.answer(preset, trace))
            elif url.path == "/api/walk":
                steps = _int(q, "steps", 1)
                seed = _int(q, "seed", 0)
                self._json(200, ex.walk(preset, trace, steps, seed))
            elif url.path == "/api/broken":
                self._json(200, {"broken": ex.broken()})
            elif url.path == "/api/examples":
                self._json(200, {"preset": preset, "examples": ex.examples(preset)})
            elif url.path == "/picture.svg":
                svg = ex.answer(preset, trace)["picture"]
                self._send(200, svg.encode(), "image/svg+xml")
            else:
                self._json(404, {"error": f"no such page: {url.path}"})
        except BadRequest as e:
            self._json(400, {"error": str(e)})


def _int(q: dict[str, str], name: str, default: int) -> int:
    text = q.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"{name}={text!r}: must be an integer") from None


def make_server(preset: str = "tiny", host: str = "127.0.0.1", port: int = 0,
                quiet: bool = True) -> ExplorerServer:
    """A server bound to ``host:port`` (port 0: a free one); call ``serve_forever``."""
    if preset not in PRESETS:
        raise UsageError(f"--preset {preset!r}: choose one of {', '.join(PRESETS)}")
    return ExplorerServer((host, port), preset, quiet)


def start_in_thread(preset: str = "tiny", host: str = "127.0.0.1",
                    port: int = 0) -> tuple[ExplorerServer, threading.Thread]:
    """A server running in a daemon thread (tests): stop it with ``server.shutdown()``."""
    server = make_server(preset, host, port)
    thread = threading.Thread(target=server.serve_forever, name="redospec-serve", daemon=True)
    thread.start()
    return server, thread


def configure(p: argparse.ArgumentParser) -> None:
    """``redospec serve``'s arguments."""
    p.description = "Serve the interactive explorer of the redo log spec."
    p.add_argument("--preset", default="tiny", help=f"one of {', '.join(PRESETS)} (default tiny)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 = any free)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m atlas.serve``: the same as ``redospec serve``."""
    return run_command("serve", configure, run, sys.argv[1:] if argv is None else argv)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (status 0)."""
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 0..65535")
    try:
        server = make_server(args.preset, args.host, args.port, quiet=not args.verbose)
    except OSError as e:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"{PROG}: warning: listening on {args.host}, not only this machine",
              file=sys.stderr)
    print(f"{PROG}: {server.url}?preset={args.preset} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
