"""Verifiable random draws: commit to a secret seed, reveal it with the pool, let anyone
recompute the result.

The algorithm (ALGORITHM, version 1), recomputable with any SHA-256/HMAC implementation:

1. `seed` is 64 hex digits (32 random bytes); the commitment is SHA-256 of the seed's ASCII text.
2. `pool` is the eligible uids, sorted, without duplicates; `pool_digest` is the SHA-256 hex of
   the uids joined by "\\n". Every rank depends on it, so altering the pool reshuffles everything.
3. Each uid's rank is HMAC-SHA256(key = the seed's 32 bytes, message = pool_digest + "\\n" + uid),
   as hex; ties (never seen in practice) break by uid.
4. The panel is the `size` lowest ranks among the pool members that have not declined, in rank
   order. A replacement draw for a declined member is therefore the next in the same ranking.
5. At the start of the review the panel is checked again against the lot's actual bidders;
   members who must withdraw are listed in `withdrawals` (with the reason) and added to
   `declined`, so the same rule 4 gives the final panel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from credit.oversight.conflicts import Exclusion, PersonFacts, Procurement, exclusions

ALGORITHM = "HMAC-SHA256-RANK-v1"
_SEED = re.compile(r"^[0-9a-f]{64}$")


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def pool_digest(pool: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(pool).encode()).hexdigest()


def rank(seed: str, digest: str, uid: str) -> str:
    if not _SEED.match(seed):
        raise ValueError("a seed is 64 lowercase hex digits")
    message = f"{digest}\n{uid}".encode()
    return hmac.new(bytes.fromhex(seed), message, hashlib.sha256).hexdigest()


def ranking(seed: str, pool: Sequence[str]) -> list[str]:
    """The whole pool in draw order."""
    digest = pool_digest(pool)
    return sorted(pool, key=lambda uid: (rank(seed, digest, uid), uid))


def select(seed: str, pool: Sequence[str], size: int, declined: Iterable[str] = ()) -> list[str]:
    """The panel: the first `size` of the ranking that have not declined."""
    out = set(declined)
    return [uid for uid in ranking(seed, pool) if uid not in out][:size]


@dataclass(frozen=True)
class DrawDocument:
    """A revealed draw as published: everything needed to recompute its panel."""

    draw_id: str
    lot_id: str
    specialties: list[str]
    size: int
    as_of: str
    seed_hash: str
    seed: str
    pool: list[str]
    exclusions: list[dict[str, Any]]
    panel: list[str]
    declined: list[str] = field(default_factory=list)
    withdrawals: list[dict[str, Any]] = field(default_factory=list)
    review_as_of: str | None = None
    algorithm: str = ALGORITHM

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DrawDocument:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a draw document is a JSON object")
        return cls(**data)


def exclusion_dict(e: Exclusion) -> dict[str, Any]:
    return {
        "person": e.person,
        "code": e.code,
        "legal_basis": e.legal_basis,
        "detail": e.detail,
        "refs": list(e.refs),
    }


def verify(doc: DrawDocument) -> list[str]:
    """Every way the document fails to prove its panel; empty when it verifies."""
    problems = []
    if doc.algorithm != ALGORITHM:
        return [f"algorithm: unknown {doc.algorithm!r}"]
    if not _SEED.match(doc.seed):
        return ["seed: not 64 lowercase hex digits"]
    if commitment(doc.seed) != doc.seed_hash:
        problems.append("seed: its SHA-256 does not match the committed seed_hash")
    if doc.pool != sorted(set(doc.pool)):
        problems.append("pool: not sorted by uid without duplicates")
    excluded = {str(e.get("person")) for e in doc.exclusions}
    if excluded & set(doc.pool):
        problems.append("pool: contains excluded persons")
    if set(doc.declined) - set(doc.pool):
        problems.append("declined: names persons outside the pool")
    if {str(w.get("person")) for w in doc.withdrawals} - set(doc.declined):
        problems.append("withdrawals: a withdrawn member is not among the declined")
    expected = select(doc.seed, doc.pool, doc.size, doc.declined)
    if doc.panel != expected:
        problems.append(f"panel: recomputed {expected}, document says {doc.panel}")
    return problems


@dataclass(frozen=True)
class ReviewStart:
    """The panel after the recusal check at the start of the review."""

    panel: list[str]
    declined: list[str]
    withdrawals: list[Exclusion]


def recheck_panel(
    doc: DrawDocument, people: dict[str, PersonFacts], proc: Procurement, as_of: date
) -> ReviewStart:
    """Check every member against the actual bidders; each who must withdraw is replaced by the
    next in the ranking, who is checked in turn, until the panel is clean or the pool runs out.
    Members whose facts are missing are checked as having none."""
    declined = list(doc.declined)
    withdrawals: list[Exclusion] = []
    while True:
        panel = select(doc.seed, doc.pool, doc.size, declined)
        found = [
            e for uid in panel for e in exclusions(people.get(uid, PersonFacts(uid)), proc, as_of)
        ]
        if not found:
            return ReviewStart(panel, declined, withdrawals)
        withdrawals.extend(found)
        declined.extend(dict.fromkeys(e.person for e in found))
