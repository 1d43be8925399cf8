"""``python -m conformance check|mutants ...``: the same commands as ``redospec``."""

import sys

from conformance.cli import main

raise SystemExit(main(sys.argv[1:]))
