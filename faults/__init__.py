"""The reliability campaign (``redospec faults``): crash states, I/O errors, process kills,
damaged files and a soak, run against :mod:`impl` end to end. Imports :mod:`impl` only."""
