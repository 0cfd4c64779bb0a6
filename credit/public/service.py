"""The public answers, cached: each answer is keyed by the day, the change feed's head (every
published change of a penalty or list entry moves it) and the request, so a repeat costs no
query of the records and an unchanged answer keeps its ETag (a client's If-None-Match gets a
304). Entries also expire after `max_age` seconds, the same as the Cache-Control given out."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from credit.core.store import GraphStore
from credit.domain import periods
from credit.legal import text
from credit.public import repository, rules


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    etag: str


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def citations(ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"id": i, "citation": text(i)} for i in ids]


class PublicService:
    def __init__(
        self,
        store: GraphStore,
        max_age: int = 60,
        version_ttl: float = 1.0,
        entries: int = 4096,
        clock: Callable[[], date] | None = None,
    ) -> None:
        self.store = store
        self.max_age = max_age
        self.version_ttl = version_ttl
        self.entries = entries
        self.clock = clock
        self._cache: OrderedDict[tuple[Any, ...], tuple[float, Answer]] = OrderedDict()
        self._version: tuple[float, repository.Version] | None = None
        self._lock = threading.Lock()

    def today(self) -> date:
        return (self.clock or periods.today)()

    def version(self) -> repository.Version:
        """The feed head, read at most once per `version_ttl` seconds (a flood of requests
        costs one small read per interval)."""
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._version[0] < self.version_ttl:
                return self._version[1]
        current = repository.version(self.store)
        with self._lock:
            self._version = (now, current)
        return current

    def _cached(
        self, key: tuple[Any, ...], build: Callable[[repository.Version, date], Answer]
    ) -> Answer:
        today, head = self.today(), self.version()
        full = (today, head.seq, *key)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(full)
            if hit is not None and now - hit[0] < self.max_age:
                self._cache.move_to_end(full)
                return hit[1]
        answer = build(head, today)
        with self._lock:
            self._cache[full] = (now, answer)
            while len(self._cache) > self.entries:
                self._cache.popitem(last=False)
        return answer

    def records(self, q: str | None, list_name: str | None, page: int) -> Answer:
        """A page of the public view (parameters checked by rules.search_params)."""

        def build(head: repository.Version, today: date) -> Answer:
            found = repository.search(
                self.store, today, q, list_name, (page - 1) * rules.PAGE_SIZE, rules.PAGE_SIZE
            )
            body = _json(
                {
                    "as_of": today.isoformat(),
                    "updated_at": None if head.at is None else head.at.isoformat(),
                    "q": q,
                    "list": list_name,
                    "page": page,
                    "page_size": rules.PAGE_SIZE,
                    "total": found.total,
                    "records": [r.model_dump(mode="json") for r in found.records],
                    "basis": list(rules.PUBLISHED_PERSON_BASIS),
                }
            )
            return Answer(200, body, _etag(body))

        return self._cached(("records", q, list_name, page), build)

    def record(self, uid: str) -> Answer:
        """One record: 200 while public; 410 with the reason once withdrawn; 404 if unknown."""

        def build(head: repository.Version, today: date) -> Answer:
            updated = None if head.at is None else head.at.isoformat()
            found = repository.find(self.store, uid)
            seen = None if found is None else rules.visibility(found.record, found.labels, today)
            hidden = seen is None or seen.withdrawn in (None, "not_yet_published")
            if found is None or seen is None or (not seen.public and hidden):
                body = _json({"id": uid, "error": "not_found", "message": "no such public record"})
                return Answer(404, body, _etag(body))
            if not seen.public or seen.withdrawn is not None:
                reason = seen.withdrawn or "publication_ended"
                body = _json(
                    {
                        "id": uid,
                        "as_of": today.isoformat(),
                        "updated_at": updated,
                        "withdrawn": reason,
                        "since": None if seen.since is None else seen.since.isoformat(),
                        "basis": citations(rules.WITHDRAWN_BASIS[reason]),
                    }
                )
                return Answer(410, body, _etag(body))
            public = rules.to_public(
                found.record, found.labels, found.subject, found.subject_labels, seen.listed
            )
            ids = rules.PUBLISHED_PERSON_BASIS + (rules.LIST_BASIS if seen.listed else ())
            body = _json(
                {
                    "as_of": today.isoformat(),
                    "updated_at": updated,
                    "record": public.model_dump(mode="json"),
                    "basis": citations(ids),
                }
            )
            return Answer(200, body, _etag(body))

        return self._cached(("record", uid), build)
