"""The real redo log: threads, a ring log buffer, log files in InnoDB's format, recovery.

Written from the design text independently of :mod:`spec`, which it never imports.
"""
