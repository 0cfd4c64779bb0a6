"""Synthetic markets: the demo market, the planted markets the detectors are measured on,
and the one generator of valid identifiers they share with the tests."""
