"""``python -m impl inspect ...`` / ``python -m impl workload ...``."""

from __future__ import annotations

import sys

from impl.cli import main

sys.exit(main())
