"""The demo market's own bookkeeping of what it made (never emitted as such)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import accumulate

from credit.domain.records import (
    Acceptance,
    BidStatus,
    ProcurementCategory,
    ProcurementMethod,
    ProjectService,
)
from credit.markets.reference import (
    JsonRecord,
    Ref,
    _City,
)

# --- the market's own bookkeeping (never emitted as such) -----------------------------------


@dataclass(eq=False)
class _Person:
    id_number: str
    name: str
    surname: str
    male: bool
    birth: date
    city: _City
    mobile: str
    record: JsonRecord

    @property
    def ref(self) -> Ref:
        return {"person": self.id_number}


@dataclass(eq=False)
class _Org:
    uscc: str
    name: str
    brand: str
    city: _City
    region: str
    registered_on: date
    phone: str
    account: str
    record: JsonRecord
    category: ProcurementCategory | None = None
    service: ProjectService | None = None
    public: bool = False
    audience: str = "organ"
    ip: str = ""
    mac: str = ""
    author: str = ""
    legal_rep: _Person | None = None
    head: _Person | None = None
    staff: list[_Person] = field(default_factory=list)
    parent: _Org | None = None

    @property
    def ref(self) -> Ref:
        return {"org": self.uscc}

    @property
    def contact(self) -> _Person:
        person = self.staff[0] if self.staff else self.legal_rep or self.head
        assert person is not None  # every party gets a legal rep or a head before bidding
        return person


@dataclass(eq=False)
class _Ring:
    """Suppliers that bid together and take turns winning; `patterns` say what gives them away."""

    members: list[_Org]
    patterns: tuple[str, ...]
    lots: list[_Lot] = field(default_factory=list)
    fingerprint: str = ""


@dataclass(eq=False)
class _Project:
    id: str
    name: str
    purchaser: _Org
    agency: _Org | None
    method: ProcurementMethod
    category: ProcurementCategory
    specialty: str
    published: date
    lots: list[_Lot] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Bid:
    id: str
    supplier: _Org
    members: list[_Org]
    price: Decimal
    status: BidStatus
    submitted: datetime


@dataclass(eq=False, slots=True)
class _Lot:
    id: str
    project: _Project
    budget: Decimal
    deadline: datetime
    ring: _Ring | None = None
    ring_winner: _Org | None = None
    extra_bidders: list[_Org] = field(default_factory=list)
    bids: list[_Bid] = field(default_factory=list)
    award: _Award | None = None
    panel: list[_Person] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Award:
    id: str
    lot: _Lot
    bid: _Bid
    awarded_on: date
    contract: _Contract | None = None


@dataclass(eq=False, slots=True)
class _Contract:
    id: str
    signed_on: date
    amount: Decimal
    acceptance: Acceptance
    accepted_on: date | None


class _Pool:
    """Suppliers to draw bidders from, weighted by how active each one is."""

    def __init__(self, orgs: list[_Org], weights: list[float]) -> None:
        self.orgs = orgs
        self.cumulative = list(accumulate(weights))

    def draw(self, rng: random.Random) -> _Org:
        return rng.choices(self.orgs, cum_weights=self.cumulative)[0]
