"""Rate buckets do not pile up (issue 21.4): a bucket refilled to its burst is the same as none,
so the limiter deletes its scope's full buckets now and then, on a thread of its own that a
take reaching Neo4j starts, so no request waits for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from credit.core.store import GraphStore
from credit.security.limits import SWEEP_BATCH, SharedRateLimiter

BUCKETS = "MATCH (b:RateBucket) RETURN b.key AS key ORDER BY key"
PER_MS = 60_000  # per minute: one unit a millisecond


def _keys(store: GraphStore) -> list[str]:
    return [row["key"] for row in store.read(BUCKETS)]


def _eventually(done: Callable[[], bool], seconds: float = 60.0) -> None:
    """Wait for what a background sweep does."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the sweep did not finish"
        time.sleep(0.05)


def test_sweep_deletes_the_refilled_buckets_of_its_scope_only(store: GraphStore) -> None:
    fast = SharedRateLimiter(store, "fast", PER_MS * 100, burst=5, lease=1)  # full again in 0.01ms
    similar = SharedRateLimiter(store, "fastx", PER_MS * 100, burst=5, lease=1)
    slow = SharedRateLimiter(store, "fast", 1, burst=5, lease=1)  # one a minute: stays drained
    assert fast.take_blocking("a") == similar.take_blocking("a") == 0.0
    assert slow.take_blocking("b") == 0.0
    time.sleep(0.05)
    assert slow.sweep() == 0  # "fast:a" is not full at one unit a minute, nor is "fast:b"
    assert fast.sweep() == 2  # at fast's rate both have refilled
    assert _keys(store) == ["fastx:a"]
    assert fast.take_blocking("a") == 0.0  # a deleted bucket comes back full
    assert _keys(store) == ["fast:a", "fastx:a"]


def test_a_take_that_reaches_neo4j_sweeps_once_due(store: GraphStore) -> None:
    rarely = SharedRateLimiter(store, "w", PER_MS, burst=1000, lease=900)  # default: a minute
    assert rarely.take_blocking("a") == 0.0  # 100 left: full again after 0.9 s
    time.sleep(2.0)
    assert rarely.take_blocking("b") == 0.0
    assert _keys(store) == ["w:a", "w:b"]  # refilled, but no sweep was due
    due = SharedRateLimiter(store, "w", PER_MS, burst=1000, lease=900, sweep_seconds=0)
    time.sleep(1.0)  # "w:b" full again too: only the newly taken bucket is left after the sweep
    assert due.take_blocking("c") == 0.0
    _eventually(lambda: _keys(store) == ["w:c"])


def test_a_request_is_answered_while_a_sweep_runs_and_the_sweep_leaves_nothing_stale(
    store: GraphStore,
) -> None:
    """Callers long gone left more full buckets than one sweep transaction deletes; the sweep
    a take starts is held up on one of them (another transaction holds its lock). Requests
    are answered meanwhile, one sweep runs at a time, and once let go it deletes them all."""
    stale = 2 * SWEEP_BATCH + 500
    store.write(
        "UNWIND range(1, $n) AS i CREATE (:RateBucket {key: 's:gone-' + i, tokens: 5.0, at: 0})",
        n=stale,
    )
    limiter = SharedRateLimiter(store, "s", 1, burst=5, lease=1, sweep_seconds=0)
    session = store.driver.session(database=store.database)
    holder = session.begin_transaction()
    pool = ThreadPoolExecutor(1)
    try:
        holder.run("MATCH (b:RateBucket {key: 's:gone-1'}) SET b.held = true").consume()
        assert pool.submit(limiter.take_blocking, "a").result(timeout=10) == 0.0
        assert pool.submit(limiter.take_blocking, "b").result(timeout=10) == 0.0
        sweeps = [t for t in threading.enumerate() if t.name == "rate-bucket-sweep-s"]
        assert len(sweeps) == 1 and sweeps[0].is_alive()  # held up, and only one
    finally:
        holder.rollback()
        session.close()
        pool.shutdown()
    _eventually(lambda: _keys(store) == ["s:a", "s:b"])
