"""Facts for the pure detector tests, built directly (credit.detection.facts), and a check of
each finding's whole content against its recorded copy in golden/ (wording, evidence and
scores: what a supervisor reads). `DETECTOR_GOLDEN=write` records them anew after a change
whose new output was read and found right."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from credit.detection.detector import AnyDetector
from credit.detection.facts import (
    BidFact,
    Facts,
    History,
    Identifier,
    LotFacts,
    ReviewFact,
    Tie,
)
from credit.detection.flags import Finding, _plain

DAY = date(2025, 3, 20)
BUYER = "org:BUYER"
GOLDEN = Path(__file__).parent / "golden"


def org(n: int | str) -> str:
    return f"org:S{n}"


def person(n: int | str) -> str:
    return f"person:{n}"


def bid(
    supplier: int | str,
    price: str | int | Decimal,
    *,
    lot: str = "L1",
    status: str = "VALID",
    ids: Iterable[Identifier] = (),
    fingerprint: str | None = None,
    contact_name: str | None = None,
    holder_name: str | None = None,
    supplier_name: str | None = None,
    currency: str = "CNY",
    day: date = DAY,
    uid: str | None = None,
) -> BidFact:
    who = supplier if isinstance(supplier, str) and ":" in supplier else org(supplier)
    return BidFact(
        uid=uid or f"bid:{lot}-{who.split(':')[1]}",
        supplier=who,
        price=Decimal(str(price)),
        currency=currency,
        status=status,
        submitted_at=datetime.combine(day, time(9), tzinfo=UTC),
        fingerprint=fingerprint,
        identifiers=tuple(ids),
        contact_name=contact_name,
        holder_name=holder_name,
        supplier_name=supplier_name,
    )


def lot(
    key: str,
    bids: Sequence[BidFact],
    *,
    day: date = DAY,
    purchaser: str | None = BUYER,
    agency: str | None = None,
    category: str | None = "GOODS",
    winner: str | None = None,
    reviews: Iterable[ReviewFact] = (),
    budget: str | None = None,
) -> LotFacts:
    return LotFacts(
        uid=f"lot:{key}",
        key=key,
        project=f"project:P-{key}",
        project_key=f"P-{key}",
        ocid=None,
        purchaser=purchaser,
        agency=agency,
        category=category,
        day=day,
        budget=Decimal(budget) if budget else None,
        bids=tuple(bids),
        winner=winner,
        award=f"award:{key}" if winner else None,
        reviews=tuple(reviews),
    )


def tie(
    type: str,
    source: str,
    target: str,
    *,
    share: float | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Tie:
    return Tie(
        type=type,
        source=source,
        target=target,
        person=source.startswith("person:"),
        uid=f"tie:{type}:{source}->{target}",
        share=share,
        valid_from=start,
        valid_to=end,
    )


def ties(*items: Tie) -> dict[str, list[Tie]]:
    """Ties by the party they point at, as `gather` keys them."""
    by: dict[str, list[Tie]] = {}
    for t in items:
        by.setdefault(t.target, []).append(t)
    return by


def history(*lots: LotFacts) -> History:
    return History(lots={x.uid: x for x in lots})


def run(detector: AnyDetector, facts: Facts, **settings: Any) -> list[Finding]:
    """The detector with its default settings, some overridden."""
    return detector.run(facts, detector.settings(**settings))


def who(findings: Iterable[Finding]) -> list[tuple[str, ...]]:
    return [f.suppliers for f in findings]


def content(finding: Finding) -> dict[str, Any]:
    return {
        "pattern": finding.pattern,
        "lot": finding.lot,
        "suppliers": list(finding.suppliers),
        "others": list(finding.others),
        "confidence": finding.confidence,
        "message": finding.message,
        "evidence": finding.evidence,
        "scores": _plain(dict(finding.scores)),
    }


def golden(name: str, findings: Sequence[Finding]) -> None:
    """The findings are the recorded ones, to the word."""
    path = GOLDEN / f"{name}.json"
    seen = json.loads(json.dumps([_plain(content(f)) for f in findings], ensure_ascii=False))
    if os.environ.get("DETECTOR_GOLDEN") == "write":
        path.write_text(json.dumps(seen, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert seen == json.loads(path.read_text(encoding="utf-8")), name


def facts(*lots: LotFacts, **more: Any) -> Facts:
    return Facts(lots=lots, **more)


def contest(
    key: str,
    prices: dict[int, int | str],
    *,
    day: date = DAY,
    winner: int | None = None,
    awarded: bool = True,
    purchaser: str | None = BUYER,
    agency: str | None = None,
    category: str | None = "GOODS",
) -> LotFacts:
    """A lot of the bid history: supplier number -> price, the cheapest (or `winner`) won."""
    chosen = winner if winner is not None else min(prices, key=lambda n: Decimal(str(prices[n])))
    return lot(
        key,
        [bid(n, p, lot=key, day=day) for n, p in prices.items()],
        day=day,
        purchaser=purchaser,
        agency=agency,
        category=category,
        winner=org(chosen) if awarded and prices else None,
    )
