"""Prometheus metrics (prometheus-client): requests and latency per route and per GraphQL
operation, errors by code, the Neo4j connection pool, the feed head, each webhook
subscription's lag and failures, and the detection scan's progress.

With several worker processes (`credit serve --workers N`) every process writes its samples to
PROMETHEUS_MULTIPROC_DIR and a scrape adds them up (counters and histograms summed, pool gauges
summed over live processes); `credit serve` empties that folder on start. The graph's own
figures (feed head, webhooks, scan) are read at scrape time by the process that answers it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from credit.core.store import GraphStore
from graph import observability_queries as oq

log = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "credit_http_requests", "HTTP requests answered", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "credit_http_request_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "credit_graphql_operations", "GraphQL operations run", ["operation", "outcome"]
)
GRAPHQL_LATENCY = Histogram(
    "credit_graphql_operation_seconds",
    "Time to run a GraphQL operation",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter("credit_errors", "Errors answered, by code", ["code"])
POOL_IN_USE = Gauge(
    "credit_neo4j_pool_in_use", "Neo4j connections lent out", multiprocess_mode="livesum"
)
POOL_OPEN = Gauge("credit_neo4j_pool_open", "Neo4j connections open", multiprocess_mode="livesum")
POOL_MAX = Gauge(
    "credit_neo4j_pool_max", "Neo4j pool size limit per process", multiprocess_mode="livesum"
)
NEO4J_UP = Gauge(
    "credit_neo4j_up", "1 when the last scrape could read the graph", multiprocess_mode="mostrecent"
)
FEED_HEAD = Gauge(
    "credit_feed_head", "Sequence number of the last change", multiprocess_mode="mostrecent"
)
WEBHOOK_LAG = Gauge(
    "credit_webhook_lag",
    "Changes a subscription has not yet received",
    ["subscription"],
    multiprocess_mode="mostrecent",
)
WEBHOOK_FAILURES = Gauge(
    "credit_webhook_failures",
    "Failed deliveries of a subscription (all time)",
    ["subscription"],
    multiprocess_mode="mostrecent",
)
WEBHOOK_ATTEMPTS = Gauge(
    "credit_webhook_consecutive_failures",
    "Failed attempts since the last good delivery",
    ["subscription"],
    multiprocess_mode="mostrecent",
)
SCAN_LOTS = Gauge(
    "credit_scan_lots_done",
    "Lots the latest detection scan has done",
    multiprocess_mode="mostrecent",
)
SCAN_TOTAL = Gauge("credit_scan_lots_total", "Lots in the graph", multiprocess_mode="mostrecent")
SCAN_RUNNING = Gauge(
    "credit_scan_running", "1 while a detection scan is unfinished", multiprocess_mode="mostrecent"
)

# Routes as labels: a fixed set, so a scanner's random paths cannot grow the metrics.
ROUTES = ("/graphql", "/health/live", "/health/ready", "/metrics", "/sync/changes")
PREFIXES = ("/ui", "/auth", "/.well-known", "/sync")


def route_of(path: str) -> str:
    if path in ROUTES:
        return path
    for prefix in PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return "other"


def count_errors(codes: Iterable[str]) -> None:
    for code in codes:
        ERRORS.labels(code=code).inc()


def observe_pool(driver: Any) -> None:
    """The pool's use, from the driver's pool (not a public API: skipped if it changes)."""
    try:
        pool = driver._pool
        connections = [c for queue in list(pool.connections.values()) for c in list(queue)]
        POOL_IN_USE.set(sum(1 for c in connections if c.in_use))
        POOL_OPEN.set(len(connections))
        POOL_MAX.set(pool.pool_config.max_connection_pool_size)
    except AttributeError:
        log.debug("the driver's pool is not readable")


def observe_graph(store: GraphStore) -> None:
    """The graph's figures; with Neo4j down they keep their last values and neo4j_up is 0."""
    try:
        state = store.read(oq.METRICS_STATE)[0]
        hooks = store.read(oq.METRICS_WEBHOOKS)
    except Exception:
        NEO4J_UP.set(0)
        return
    NEO4J_UP.set(1)
    head = int(state["feed_head"])
    FEED_HEAD.set(head)
    SCAN_LOTS.set(int(state["scan_lots"]))
    SCAN_TOTAL.set(int(state["lots"]))
    SCAN_RUNNING.set(1 if state["scan_running"] else 0)
    for hook in hooks:
        WEBHOOK_LAG.labels(subscription=hook["id"]).set(max(0, head - int(hook["cursor"])))
        WEBHOOK_FAILURES.labels(subscription=hook["id"]).set(int(hook["failures"]))
        WEBHOOK_ATTEMPTS.labels(subscription=hook["id"]).set(int(hook["attempts"]))


def render(store: GraphStore) -> tuple[bytes, str]:
    """The exposition text (all processes' samples in multiprocess mode) and its media type."""
    observe_pool(store.driver)
    observe_graph(store)
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
