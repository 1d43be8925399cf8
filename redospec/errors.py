"""The one error type of the command line.

Every subcommand reports bad input the same way: it raises :class:`UsageError` with a message
that names the option and the rule; :mod:`redospec.command` prints ``redospec SUB: message`` as
one line on stderr and exits with :data:`EXIT_USAGE`. This module imports nothing of the
project, so any part's command-line module may raise it without depending on another part.
"""

from __future__ import annotations

EXIT_USAGE = 2
"""Exit status for bad input (an unknown option, a value out of range, an unreadable file)."""


class UsageError(Exception):
    """Bad command-line input: printed as one line ``redospec SUB: message``, exit status 2."""
