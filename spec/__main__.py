"""``python -m spec [explore] [options]``: the same as ``redospec explore [options]``."""

from __future__ import annotations

import sys

from spec.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args if args[:1] == ["explore"] else ["explore", *args]))
