"""Matching listings that came without a USCC to organisations by name.

A name alone never bars a supplier: matches are proposed with a similarity score and a
supervisor accepts or rejects each. Decisions are remembered per (source, normalised name,
organisation), so the same pair is never asked again and an accepted pair links at once when
the source sends that name again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j import ManagedTransaction
from rapidfuzz import fuzz

from credit.core.store import Changed, GraphStore
from credit.explore.service import lucene_phrase
from credit.sync import feed
from graph import matching_queries as matching_q
from graph import participation_queries as participation_q

THRESHOLD = 85.0
CANDIDATES = 20
# Legal-form suffixes carry no identity: "某某建设有限公司" and "某某建设股份有限公司" are
# the same name to a matcher. Longest first so the longer form is removed whole.
_SUFFIXES = sorted(
    [
        "有限责任公司",
        "股份有限公司",
        "有限公司",
        "集团公司",
        "集团",
        "公司",
        "分公司",
        "co.,ltd.",
        "co., ltd.",
        "co.ltd",
        "limited",
        "ltd.",
        "ltd",
        "inc.",
        "inc",
        "corp.",
    ],
    key=len,
    reverse=True,
)
_NOISE = re.compile(r"[\s\"'“”‘’（）()【】\[\]<>《》,，.。·、\-_/]+")


def normalise(name: str) -> str:
    """Full-width to half-width, lower case, no punctuation or spaces, no legal-form suffix."""
    text = unicodedata.normalize("NFKC", name).lower().strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return _NOISE.sub("", text)


def score(a: str, b: str) -> float:
    return float(fuzz.ratio(normalise(a), normalise(b)))


def _candidate_id(listing: str, org: str) -> str:
    return "match:" + hashlib.sha256(f"{listing}|{org}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Outcome:
    proposed: int
    linked: int


def propose(store: GraphStore, listing_uids: list[str]) -> Outcome:
    """Propose organisations for name-only listings; apply remembered decisions."""
    proposed = linked = 0
    for row in store.read(matching_q.UNMATCHED_LISTINGS, uids=listing_uids):
        key = normalise(row["name"])
        decisions = {
            d["org"]: d["accepted"]
            for d in store.read(matching_q.MATCH_DECISIONS, source=row["source"], name_key=key)
        }
        accepted = [org for org, ok in decisions.items() if ok]
        if accepted:
            _link(store, row["uid"], accepted[0], "remembered decision")
            linked += 1
            continue
        hits = store.search(lucene_phrase(key), key, ["Organization"], 0, CANDIDATES)
        rows = [
            {
                "id": _candidate_id(row["uid"], node.uid),
                "listing": row["uid"],
                "org": node.uid,
                "score": s,
                "name_key": key,
                "source": row["source"],
            }
            for node, _ in hits
            if node.uid not in decisions
            and (s := score(row["name"], str(node.props["name"]))) >= THRESHOLD
        ]
        if rows:
            store.write(matching_q.MATCH_PROPOSE, rows=rows)
            proposed += len(rows)
    return Outcome(proposed, linked)


def _link(store: GraphStore, listing: str, org: str, by: str) -> None:
    """Link in one transaction with its feed event: the listing now names a supplier."""

    def work(tx: ManagedTransaction) -> None:
        tx.run(matching_q.MATCH_LINK, listing=listing, org=org, by=by).consume()
        feed.publish_record_changes(
            tx, [Changed(listing, "external_listing", False, {"retracted_on": None})]
        )

    store.transaction(work)


def decide(store: GraphStore, candidate_id: str, accept: bool, by: str, reason: str) -> bool:
    rows = store.write(
        matching_q.MATCH_DECIDE, id=candidate_id, accept=accept, by=by, reason=reason
    )
    if not rows:
        return False
    if accept:
        _link(store, rows[0]["listing"], rows[0]["org"], by)
    return True


def candidates(
    store: GraphStore, status: str | None, after: str, limit: int
) -> list[dict[str, Any]]:
    return [
        {
            **row["c"],
            "listed_name": row["listed_name"],
            "list": row["list"],
            "org_name": row["org_name"],
            "org_uscc": row["org_uscc"],
        }
        for row in store.read(matching_q.MATCH_CANDIDATES, status=status, after=after, limit=limit)
    ]


# --- read side: what a check must show of name matches and of the lists' freshness ----------


@dataclass(frozen=True)
class OpenMatch:
    """An open candidate proposing a name-only listing for a subject."""

    candidate: str
    subject: str
    listing: str
    list: str
    listed_name: str
    source: str
    authority: str
    listed_on: str
    score: float


def open_matches(store: GraphStore, uids: list[str], as_of: date) -> dict[str, list[OpenMatch]]:
    """Subject -> its open name-match candidates whose listing stands on `as_of`."""
    found: dict[str, list[OpenMatch]] = {}
    for row in store.read(participation_q.OPEN_NAME_MATCHES, uids=uids, as_of=as_of):
        found.setdefault(row["uid"], []).append(
            OpenMatch(
                candidate=row["candidate"],
                subject=row["uid"],
                listing=row["listing"],
                list=row["list"],
                listed_name=str(row["listed_name"] or ""),
                source=str(row["source"] or ""),
                authority=str(row["authority"] or ""),
                listed_on=str(row["listed_on"] or ""),
                score=float(row["score"] or 0),
            )
        )
    return found


def list_freshness(store: GraphStore) -> list[dict[str, Any]]:
    """Per external list and source: the last entry received and how many there are, so a
    filed check shows how current the lists it was checked against were."""
    return [
        {
            "list": row["list"],
            "source": row["source"],
            "last_received": row["last_received"],
            "entries": row["entries"],
        }
        for row in store.read(participation_q.LIST_FRESHNESS)
    ]
