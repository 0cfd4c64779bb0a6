"""Rate limits that hold across API processes and hosts.

The buckets live in Neo4j (graph/limit_queries.py RATE_BUCKET_TAKE), the store every instance
already shares, so no second service has to be started, backed up or secured (README: Several
instances). A database write per request would sit on the hot path, so each process leases a
few units at a time and spends them locally; a lease lapses after `lease_seconds` (its unspent
units are not given back), so the instances together never pass the limit and a quiet process
holds nothing for long. A refusal also tells the process how low the shared bucket was: until
it can have refilled, the same request is refused here without asking the database again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from neo4j.exceptions import DriverError, Neo4jError

from credit.core.store import GraphStore
from graph import limit_queries as limit_q

MAX_KEYS = 100_000  # what one process remembers per limiter before it forgets the idle
SWEEP_BATCH = 10_000  # buckets deleted per transaction by a sweep
log = logging.getLogger(__name__)


class SharedRateLimiter:
    """Token buckets per key (a principal's id, a client address) shared through the graph: a
    steady `per_minute` rate with a `burst` allowance, whatever instance the caller reaches."""

    def __init__(
        self,
        store: GraphStore,
        scope: str,
        per_minute: int,
        burst: int,
        lease: int | None = None,
        lease_seconds: float = 2.0,
        sweep_seconds: float = 60.0,
    ) -> None:
        self.store, self.scope = store, scope
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        # A twentieth of the burst per lease: a few writes a second at most for a busy caller,
        # and what one lapsed lease can waste stays small beside the burst.
        self.lease = lease if lease is not None else max(1, min(self.burst // 20, 50))
        self.lease_seconds = lease_seconds
        self._held: dict[str, tuple[int, float]] = {}  # key -> (units, lapses at)
        self._seen: dict[str, tuple[float, float]] = {}  # key -> (shared level, when)
        self._lock = threading.Lock()
        self.sweep_seconds = sweep_seconds
        self._next_sweep = time.monotonic() + sweep_seconds
        self._sweeping: threading.Thread | None = None

    def _wait(self, level: float, wanted: int) -> float:
        if wanted > self.burst or not self.rate:
            return 60.0
        return max(0.0, (wanted - level) / self.rate)

    def _local(self, key: str, count: int, now: float) -> tuple[bool, int, float]:
        """(taken from this process's lease, units held, most the shared bucket can hold now)."""
        with self._lock:
            units, lapses = self._held.get(key, (0, 0.0))
            if lapses <= now:
                units = 0
            if units >= count:
                self._held[key] = (units - count, lapses)
                return True, units, 0.0
            level, when = self._seen.get(key, (float(self.burst), now))
            return False, units, min(float(self.burst), level + (now - when) * self.rate)

    def _remember(self, key: str, level: float, now: float) -> None:
        with self._lock:
            self._seen[key] = (level, now)
            if len(self._seen) > MAX_KEYS:  # bounded: an old observation only saves a round trip
                self._seen.clear()

    def _forget_lapsed(self, now: float) -> None:
        """Bounded once there are many keys (client addresses without end): a lapsed lease
        holds no units, so forgetting it changes no answer. Called under the lock."""
        if len(self._held) > MAX_KEYS:
            self._held = {k: held for k, held in self._held.items() if held[1] > now}

    def take_blocking(self, key: str, count: int = 1) -> float:
        """0 if `count` units are allowed now (and taken), else the seconds to wait."""
        now = time.monotonic()
        taken, units, ceiling = self._local(key, count, now)
        if taken:  # a caller on the event loop has already looked, but a thread may not have
            return 0.0
        need = count - units
        if need > ceiling:  # the shared bucket cannot have refilled enough yet
            return self._wait(ceiling, need)
        rows = self.store.write(
            limit_q.RATE_BUCKET_TAKE,
            key=f"{self.scope}:{key}",
            need=need,
            want=max(need, self.lease),
            burst=self.burst,
            rate=self.rate / 1000.0,
        )
        granted, level = int(rows[0]["granted"]), float(rows[0]["level"])
        now = time.monotonic()
        self._sweep_due(now)
        self._remember(key, level - granted, now)
        with self._lock:
            self._forget_lapsed(now)
            held, lapses = self._held.get(key, (0, 0.0))
            held = held if lapses > now else 0
            total = held + granted
            if granted and total >= count:
                self._held[key] = (total - count, now + self.lease_seconds)
                return 0.0
            if granted:
                self._held[key] = (total, now + self.lease_seconds)
        return self._wait(level - granted, need)

    def sweep(self, batch: int = SWEEP_BATCH) -> int:
        """Delete this scope's buckets that have refilled to the burst (the same as none), so
        the keys of callers long gone do not pile up in the graph; the number deleted. In
        transactions of `batch` buckets, until none is left, however many callers came."""
        deleted = 0
        while True:
            rows = self.store.write(
                limit_q.RATE_BUCKET_SWEEP,
                prefix=f"{self.scope}:",
                rate=self.rate / 1000.0,
                burst=self.burst,
                limit=batch,
            )
            deleted += (done := int(rows[0]["deleted"]))
            if done < batch:
                return deleted

    def _sweep_due(self, now: float) -> None:
        """Start a sweep at most once per `sweep_seconds` per process, on a take that already
        asked the database (never on a take served from the lease), on a thread of its own:
        the request that finds it due is answered without waiting for it. One sweep at a
        time per limiter; a sweep still running when the next is due is left to finish."""
        with self._lock:
            if now < self._next_sweep:
                return
            self._next_sweep = now + self.sweep_seconds
            if self._sweeping is not None and self._sweeping.is_alive():
                return
            self._sweeping = threading.Thread(
                target=self._sweep_quietly, name=f"rate-bucket-sweep-{self.scope}", daemon=True
            )
            self._sweeping.start()

    def _sweep_quietly(self) -> None:
        """A sweep nobody waits for: a failure (the database away) is logged, and the next
        due sweep tries again."""
        try:
            self.sweep()
        except (Neo4jError, DriverError) as exc:
            log.warning("rate-bucket sweep of %r failed: %s", self.scope, exc)

    async def take(self, key: str, count: int = 1) -> float:
        """As `take_blocking`, off the event loop only when the database is asked."""
        if self._local(key, count, time.monotonic())[0]:
            return 0.0
        return await asyncio.to_thread(self.take_blocking, key, count)

    def wait(self, key: str) -> float:
        """The seconds until one unit may be allowed, from what this process last saw of the
        shared bucket (no round trip: a refusal elsewhere shows at this process's next take)."""
        now = time.monotonic()
        with self._lock:
            units, lapses = self._held.get(key, (0, 0.0))
            level, when = self._seen.get(key, (float(self.burst), now))
        ceiling = min(float(self.burst), level + (now - when) * self.rate)
        return 0.0 if (units >= 1 and lapses > now) or ceiling >= 1 else self._wait(ceiling, 1)
