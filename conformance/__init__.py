"""Hypothesis drives the threaded implementation against the executable spec."""
