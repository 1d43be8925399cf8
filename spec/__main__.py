"""``python -m spec [explore] [options]``: the same as ``redospec explore [options]``."""

from __future__ import annotations

import sys

from spec.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
