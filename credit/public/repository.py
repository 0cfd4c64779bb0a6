"""Reads for the public view (Cypher in graph/public_queries.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from credit.core.store import GraphStore, native
from credit.public import rules
from graph import public_queries as pq


@dataclass(frozen=True)
class Version:
    seq: int
    at: datetime | None


@dataclass(frozen=True)
class Page:
    total: int
    records: list[rules.PublicRecord]


@dataclass(frozen=True)
class Found:
    record: dict[str, Any]
    labels: list[str]
    subject: dict[str, Any] | None
    subject_labels: list[str]


def version(store: GraphStore) -> Version:
    rows = store.read(pq.PUBLIC_VERSION)
    if not rows:
        return Version(0, None)
    at = rows[0]["at"]
    return Version(int(rows[0]["seq"] or 0), None if at is None else at.to_native())


def search(
    store: GraphStore, today: date, q: str | None, list_name: str | None, skip: int, limit: int
) -> Page:
    rows = store.read(
        pq.PUBLIC_RECORDS,
        today=today,
        default_from=rules.default_from(today),
        ban_types=list(rules.BAN_TYPES),
        lists=list(rules.PUBLIC_LISTS),
        list=list_name,
        q=q,
        skip=skip,
        limit=limit,
    )
    row = rows[0]
    records = [
        rules.to_public(
            native(item["record"]),
            item["labels"],
            item["subject"],
            item["subject_labels"],
            bool(item["listed"]),
        )
        for item in row["page"]
    ]
    return Page(int(row["total"]), records)


def find(store: GraphStore, uid: str) -> Found | None:
    rows = store.read(pq.PUBLIC_RECORD, uid=uid)
    if not rows:
        return None
    row = rows[0]
    return Found(
        native(row["record"]),
        list(row["labels"]),
        row["subject"],
        list(row["subject_labels"] or []),
    )
