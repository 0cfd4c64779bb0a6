"""Collusion and conflict-of-interest detection.

Detectors are plain functions from facts to findings (no I/O); `registry` discovers them (one
module each in `detectors/`, defining DETECTOR) with
their legal basis and settings, `gather` pulls the facts from the graph in batches, `scan`
runs one lot or the whole graph and `flag_store` keeps the resulting flags and their reviews.
Nothing here penalises anyone: a flag is a lead for a supervisor to confirm or dismiss.
"""
