"""Provenance queries: why, show, path, diff, ablate, conflicts (query) and the scale
of emergence (emergence). Pure functions over the store that return dataclasses."""
