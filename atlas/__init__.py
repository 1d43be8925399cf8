"""atlas: the spec as documentation.

Reading aids built on :mod:`spec` only (never impl/ or conformance/): SVG pictures of a spec
``State`` (:mod:`atlas.picture`), the interactive explorer served by ``redospec serve``
(:mod:`atlas.serve`) and the command-line catalogs ``redospec actions`` / ``redospec
properties`` (:mod:`atlas.catalog`).
"""
