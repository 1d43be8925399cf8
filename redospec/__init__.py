"""The ``redospec`` command: one entry point that dispatches to each part's own CLI."""
