"""Fuzz campaigns: the conformance checks run by many worker processes, on one machine or many,
sharing one Hypothesis example database (a local folder, a Redis server, or both layered), with
progress, deduplicated failures, replay and reports (``redospec fuzz``)."""
