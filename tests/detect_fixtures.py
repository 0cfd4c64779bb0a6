"""Small markets for the detector tests, as records of our format (built on tests/factories),
so every test goes records -> intake -> graph -> detectors -> flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from credit.core.store import GraphStore
from credit.detection.flag_store import StoredFlag
from credit.detection.registry import default_settings
from credit.detection.scan import detect_lot, scan_all
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.conftest import ingest

Record = dict[str, Any]
Records = list[Record]
BUYER = 90


def suppliers(*numbers: int, **over: Any) -> list[Record]:
    return [f.organization(n, **over) for n in numbers]


def buyer(n: int = BUYER) -> Record:
    return f.organization(n, roles=["PURCHASER"], name=f"采购人{n}")


def expert(n: int) -> Record:
    return f.person(n, expert={"specialties": ["综合"]})


def tender(
    lid: str,
    prices: Mapping[int, str],
    *,
    purchaser: int = BUYER,
    day: str = "2025-03-20",
    winner: int | None = None,
    awarded: bool = True,
    bids: Mapping[int, Mapping[str, Any]] | None = None,
    reviewers: Iterable[int] = (),
    project: Mapping[str, Any] | None = None,
) -> list[Record]:
    """A one-lot project: bids at `prices` (supplier number -> amount), the cheapest (or
    `winner`) awarded, optional per-bidder bid fields, reviewers (person numbers) and
    project fields (agency, ocid)."""
    fields = {"category": "GOODS", "published_on": "2020-01-01", **(project or {})}
    records = [
        f.project(f"P-{lid}", purchaser, **fields),
        f.lot(lid, f"P-{lid}", bid_deadline=f"{day}T09:30:00+08:00"),
    ]
    for n, price in prices.items():
        extra = dict((bids or {}).get(n, {}))
        records.append(f.bid(f"{lid}-B{n}", lid, n, price, **extra))
    chosen = winner if winner is not None else min(prices, key=lambda n: float(prices[n]))
    if awarded and prices:
        records.append(
            {
                "type": "award",
                "id": f"{lid}-AW",
                "lot": lid,
                "supplier": f.make_uscc(chosen),
                "amount": {"amount": prices[chosen]},
                "awarded_on": day,
            }
        )
    for k, person in enumerate(reviewers, start=1):
        records.append(
            {
                "type": "review",
                "id": f"{lid}-RV{k}",
                "expert": f.make_id_number(person),
                "lot": lid,
                "reviewed_on": day,
            }
        )
    return records


def load(intake: Intake, records: list[Record]) -> None:
    report = ingest(intake, [f.valid(r) for r in records])
    assert report.errors == [], report.errors[:3]


def lot_flags(store: GraphStore, lot: str, pattern: str | None = None) -> list[StoredFlag]:
    """Run every detector on the lot; its current flags, of one pattern if given."""
    found = detect_lot(store, f"lot:{lot}", default_settings()).flags
    return [x for x in found if pattern is None or x.pattern == pattern]


def scanned(store: GraphStore, pattern: str) -> list[StoredFlag]:
    """Scan the whole graph; the current flags of one pattern."""
    from credit.detection.flag_store import export

    scan_all(store, default_settings(), restart=True)
    return [x for x in export(store) if x.pattern == pattern]


def org(n: int) -> str:
    return f"org:{f.make_uscc(n)}"


def orgs(*numbers: int) -> tuple[str, ...]:
    return tuple(sorted(org(n) for n in numbers))


def background(count: int = 20, purchaser: int = BUYER) -> Records:
    """Ordinary contests at the purchaser among other suppliers (40-49), so the market the
    fixture's suppliers bid in is larger than the lots they share."""
    records: Records = suppliers(*range(40, 50))
    for i in range(count):
        bidders = (40 + i % 10, 40 + (i + 3) % 10, 40 + (i + 6) % 10)
        prices = {n: str(1_000_000 + 7919 * ((i * 7 + k * 13) % 31)) for k, n in enumerate(bidders)}
        records += tender(
            f"BG{purchaser}-{i:02d}", prices, purchaser=purchaser, day=f"2024-{i % 12 + 1:02d}-15"
        )
    return records


def turns(winners: list[int], ring: tuple[int, ...], outsiders: tuple[int, ...]) -> Records:
    """Lots in which the ring's designated winner bids lowest, the others 1-3% above it and
    the outsiders about 10% above."""
    records: Records = []
    for i, winner in enumerate(winners):
        base = 2_000_000 + 104_729 * i
        prices = {winner: str(base)}
        for k, member in enumerate(m for m in ring if m != winner):
            prices[member] = str(base + 20_011 + 19_997 * k)
        for k, outsider in enumerate(outsiders):
            prices[outsider] = str(base + 200_003 + 30_011 * k)
        records += tender(f"R{i}", prices, day=f"2025-{i + 1:02d}-10")
    return records
