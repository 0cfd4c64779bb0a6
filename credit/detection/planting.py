"""What a detector's planted case may use of the simulated market of `credit simulate`.

Each detector declares the cases it plants (and its near-misses, that it must not flag) as
`Plant`s next to its rule, so adding a detector touches no list in the market. The market
(credit.markets.simulate.Market) implements `Planting`: its parties, lots and building blocks,
and the ground truth the cases record. Detection does not import the markets.

The market plants in waves, one after another; a wave runs round by round, and each round runs
the wave's steps in their order. One `random.Random(seed)` feeds every step, so a step's place
decides its random draws: a seed's market stays the same only while the steps keep theirs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Protocol

START = date(2021, 1, 4)  # the market's first day
END = date(2026, 9, 30)  # and its last

Record = dict[str, Any]
Party = tuple[str, str]  # ("org", USCC) or ("person", id number)


def cents(value: float | Decimal | str, unit: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(unit), rounding=ROUND_HALF_UP)


@dataclass(eq=False)
class Person:
    id_number: str
    name: str


@dataclass(eq=False)
class Org:
    uscc: str
    name: str
    category: str
    region: str
    registered: date
    activity: float
    rep: Person
    staff: Person
    address: str
    phone: str
    account: str
    ip: str
    mac: str
    author: str
    pooled: bool = True  # drawn as a background bidder


@dataclass(eq=False)
class Bid:
    supplier: Org
    price: Decimal
    status: str = "VALID"
    extra: Record = field(default_factory=dict)  # planted overrides of the bid record


@dataclass(eq=False)
class Lot:
    id: str
    project: str
    purchaser: Org
    agency: Org | None
    category: str
    day: date
    budget: Decimal
    bids: list[Bid] = field(default_factory=list)
    reviewers: list[Person] = field(default_factory=list)
    planted: bool = False  # owned by one plant; other plants keep off
    tender_sections: list[Record] = field(default_factory=list)  # the tender's own sections

    @property
    def suppliers(self) -> list[Org]:
        return [b.supplier for b in self.bids]

    def winner(self) -> Org | None:
        valid = [b for b in self.bids if b.status == "VALID"]
        return min(valid, key=lambda b: b.price).supplier if valid else None


@dataclass(frozen=True)
class Tie:
    """A tie of the market: a person or company behind, or working for, a company."""

    kind: str
    source: Person | Org
    target: Org
    valid_from: date | None = None
    valid_to: date | None = None
    share: Decimal | None = None

    def overlaps(self, start: date, end: date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )


class Wave(Enum):
    """The market's planting waves, in the order they run (the market sets their rounds)."""

    CASES = "one case of each lot and tie pattern a round"
    HISTORY = "the patterns over a bid history (fewer rounds: each takes many lots)"
    NEAR_MISSES = "near-misses of the lot and tie patterns"
    BANS = "bans with a near-miss (fewer rounds)"
    STAFF = "staff and groups on lots, with their near-misses"
    DEPOSITS = "deposits and platform devices, with their near-misses"
    DOCUMENTS = "document sections, with their near-misses"
    AFTER = "once, after every case: cases read off the planted market"


class Planting(Protocol):
    """The market's building blocks a planted case uses."""

    rng: random.Random
    plants: int  # rounds of the CASES wave
    round: int  # the current round of the wave, from 0
    suppliers: list[Org]
    ties: list[Tie]
    kin: list[tuple[Person, Person, str]]
    rigged: list[Lot]  # lots whose prices a ring set

    def person(self) -> Person: ...

    def org(self, category: str, region: str, registered: date, kind: str = "91") -> Org: ...

    def supplier(self, org: Org) -> Org: ...

    def private_buyer(self, region: str) -> Org: ...

    def day(self, first: date = START, last: date = END) -> date: ...

    def project_lot(
        self, category: str, day: date, purchaser: Org | None = None, agency: bool = True
    ) -> Lot: ...

    def local_buyer(self, region: str) -> Org: ...

    def draw(self, lot: Lot, count: int, exclude: Iterable[Org] = ()) -> list[Org]: ...

    def price(self, budget: Decimal, ratio: float | None = None) -> Decimal: ...

    def compete(self, lot: Lot, bidders: Iterable[Org]) -> None: ...

    def free_lot(self, min_bidders: int = 3) -> Lot: ...

    def pair(self) -> tuple[Org, Org]: ...

    def ring(self, size: int) -> list[Org]: ...

    def ring_lots(self, members: list[Org], count: int) -> list[Lot]: ...

    def meet(
        self, orgs: list[Org], day: date | None = None, budget: Decimal | None = None
    ) -> Lot: ...

    def tie(self, tie: Tie) -> None: ...

    def replace_rep(self, org: Org, person: Person, since: date) -> None: ...

    def rep_of(self, org: Org, day: date) -> Person: ...

    def ban(self, org: Org, decided: date) -> None: ...

    def lead(self, lot: Lot, org: Org, low: float, high: float) -> Decimal:
        """`org` bids `low` to `high` of the lot's budget (the price a ring sets): its price."""

    def above(self, lot: Lot, orgs: Iterable[Org], base: Decimal, low: float, high: float) -> None:
        """Each of `orgs` bids `low` to `high` times `base`."""

    def reviewer(self, lot: Lot) -> Person: ...

    def group(self, kind: str) -> str: ...

    def member(self, org: Org, group: str, start: date | None, end: date | None) -> None: ...

    def record(self, pattern: str, lot: Lot | None, orgs: Iterable[Org], *others: Party) -> None:
        """A case the detectors should flag: its lot (None for history patterns), its
        suppliers and other parties."""


@dataclass(frozen=True)
class Plant:
    """One step of a detector's planted case. `order` places it in its wave (by default the
    detector's own order); a step that has always run elsewhere keeps its place, so seeds
    keep their markets."""

    wave: Wave
    step: Callable[[Planting], None]
    order: int | None = None


def shared_bids(
    pattern: str, mark: Callable[[Lot, list[Bid], str], None]
) -> Callable[[Planting], None]:
    """A planted case: a lot where a ring of two or three valid bids shares what `mark` writes
    into them (the ring's lead first; the device kind a SAME_DEVICE ring shares is drawn for
    every ring)."""

    def plant(m: Planting) -> None:
        rng = m.rng
        lot = m.free_lot()
        ring = rng.sample(lot.bids, rng.choice((2, 2, 3)) if len(lot.bids) > 3 else 2)
        kind = rng.choice(("MAC", "IP", "AUTHOR", "FILE"))
        for bid in ring:
            bid.status = "VALID"
        mark(lot, ring, kind)
        m.record(pattern, lot, (b.supplier for b in ring))

    return plant


def lead_staff(key: str) -> Callable[[Lot, list[Bid], str], None]:
    """A mark: every bid of the ring names the lead's staff member as its `key`."""

    def mark(lot: Lot, ring: list[Bid], kind: str) -> None:
        for bid in ring:
            bid.extra[key] = {"person": ring[0].supplier.staff.id_number}

    return mark
