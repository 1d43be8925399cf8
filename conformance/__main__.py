"""``python -m conformance check|fuzz|mutants ...``: the same commands as ``redospec``."""

import sys

from conformance.cli import main

raise SystemExit(main(sys.argv[1:]))
