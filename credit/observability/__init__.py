"""Seeing inside the running service: JSON logs with a request id, Prometheus metrics."""
