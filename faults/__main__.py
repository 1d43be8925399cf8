"""``python -m faults ...`` = ``redospec faults ...``."""

from __future__ import annotations

import sys

from faults.cli import main

sys.exit(main())
