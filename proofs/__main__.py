"""``python -m proofs``: the same as ``redospec prove``."""

from __future__ import annotations

import sys

from proofs.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
