"""A simulated market with planted cases of every detection pattern, and its ground truth.

The demo market (credit.markets.demo) plants rings for show but keeps no ground truth, so this is a
simpler market built for measuring the detectors: competitive background bidding (local
suppliers drawn by activity, prices scattered around 90% of the budget, rounded as real bids
are, the cheapest valid bid wins), people and ties behind every supplier, review panels, and
then planted cases of each pattern and near-misses that must not be flagged (a person behind
two companies that never meet, a minority stake, neighbours at one address, a generic
document author, an employment that ended more than 3 years before a review, a legal
representative who left before a ban).

The truth is what the generator knows it made, applied with the rule's own definition: for
structural ties (one person behind two bidders, a holding, a reviewer's tie, a banned
supplier's people) every lot where the tie meets the bidders counts, not only the lot the
tie was planted for. Everything comes from one `random.Random(seed)`, so a seed always gives
the same market.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from credit.detection.common import years_before
from credit.domain.identifiers import organization_code_check
from credit.markets.reference import TODAY

SOURCE = "sim"
START = date(2021, 1, 4)
END = date(2026, 9, 30)
_CST = timezone(timedelta(hours=8))
_CATEGORIES = ("GOODS", "WORKS", "SERVICES")
_REGIONS = ("330106", "320102", "440106", "510104")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟强磊军勇杰涛斌超明芳娜敏静丽艳娟霞燕玲"
_KIN = ("SPOUSE", "SIBLING", "PARENT", "IN_LAW", "COLLATERAL_THIRD_DEGREE")
LOOKBACK_YEARS = 3  # Regs Art. 9: ties within 3 years before a review
_CONTROLLING = Decimal("0.5")  # an OWNS share above this is a holding
_HEADS = ("LEGAL_REP_OF", "RESPONSIBLE_FOR")  # Regs Art. 18 responsible persons
_HOLDINGS = ("OWNS", "CONTROLS", "MANAGES")  # a company holding or managing another
_BEHIND = ("LEGAL_REP_OF", "RESPONSIBLE_FOR", "CONTROLS", "OWNS")

Record = dict[str, Any]


@dataclass(frozen=True)
class Truth:
    """A case the detectors should flag: its pattern, its lot (None for history patterns),
    the suppliers (USCCs) and other parties as (kind, key) with kind "org" or "person"."""

    pattern: str
    lot: str | None
    suppliers: tuple[str, ...]
    others: tuple[tuple[str, str], ...] = ()

    def line(self) -> Record:
        return {
            "pattern": self.pattern,
            "lot": self.lot,
            "suppliers": list(self.suppliers),
            "others": [{k: v} for k, v in self.others],
        }


@dataclass(eq=False)
class _Person:
    id_number: str
    name: str


@dataclass(eq=False)
class _Org:
    uscc: str
    name: str
    category: str
    region: str
    registered: date
    activity: float
    rep: _Person
    staff: _Person
    address: str
    phone: str
    account: str
    ip: str
    mac: str
    author: str
    pooled: bool = True  # drawn as a background bidder


@dataclass(eq=False)
class _Bid:
    supplier: _Org
    price: Decimal
    status: str = "VALID"
    extra: Record = field(default_factory=dict)  # planted overrides of the bid record


@dataclass(eq=False)
class _Lot:
    id: str
    project: str
    purchaser: _Org
    agency: _Org | None
    category: str
    day: date
    budget: Decimal
    bids: list[_Bid] = field(default_factory=list)
    reviewers: list[_Person] = field(default_factory=list)
    planted: bool = False  # owned by one plant; other plants keep off
    tender_sections: list[Record] = field(default_factory=list)  # the tender's own sections

    @property
    def suppliers(self) -> list[_Org]:
        return [b.supplier for b in self.bids]

    def winner(self) -> _Org | None:
        valid = [b for b in self.bids if b.status == "VALID"]
        return min(valid, key=lambda b: b.price).supplier if valid else None


@dataclass(frozen=True)
class _Tie:
    kind: str
    source: _Person | _Org
    target: _Org
    valid_from: date | None = None
    valid_to: date | None = None
    share: Decimal | None = None

    def overlaps(self, start: date, end: date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )


def _cents(value: float | Decimal | str, unit: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(unit), rounding=ROUND_HALF_UP)


# Bidders in a background lot, and how often each count occurs.
BIDDERS = (2, 3, 4, 5, 6, 7, 8)
BIDDER_WEIGHTS = (4, 14, 18, 18, 16, 14, 12)


def budget_of(rng: random.Random) -> Decimal:
    """A project's budget: 100 000 to 10 million yuan, to the thousand."""
    return _cents(round(10 ** rng.uniform(5, 7), -3))


def quote(rng: random.Random, budget: Decimal, ratio: float | None = None) -> Decimal:
    """A competitive quote, rounded as bidders do: to 100 yuan, to the yuan or the cent."""
    r = ratio if ratio is not None else min(1.05, max(0.7, rng.gauss(0.9, 0.05)))
    raw = float(budget) * r
    roll = rng.random()
    if roll < 0.5:
        return _cents(round(raw, -2))
    if roll < 0.8:
        return _cents(round(raw))
    return _cents(raw)


def background_quotes(rng: random.Random) -> list[Decimal]:
    """The prices of one background lot, as `credit simulate` draws them: no collusion."""
    budget = budget_of(rng)
    count = rng.choices(BIDDERS, weights=BIDDER_WEIGHTS)[0]
    return [quote(rng, budget) for _ in range(count)]


class Market:
    """Builds the market in memory, then hands out records and truth."""

    def __init__(self, seed: int, suppliers: int = 600) -> None:
        if suppliers < 120:
            raise ValueError("the simulated market needs at least 120 suppliers")
        self.rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not secrets
        self.size = suppliers
        self.people: list[_Person] = []
        self.suppliers: list[_Org] = []
        self.purchasers: list[_Org] = []
        self.agencies: list[_Org] = []
        self.experts: dict[str, list[_Person]] = {c: [] for c in _CATEGORIES}
        self.lots: list[_Lot] = []
        self.ties: list[_Tie] = []
        self.kin: list[tuple[_Person, _Person, str]] = []
        self.violations: list[Record] = []
        # groups and associations: id -> kind, and (member, group id, from, to) memberships
        self.groups: dict[str, str] = {}
        self.memberships: list[tuple[_Org, str, date | None, date | None]] = []
        self.truth: set[Truth] = set()
        self.by_target: dict[str, list[_Tie]] = {}  # the ties, indexed once planting is done
        self._orgs = 0
        self._projects = 0
        self.plants = max(8, suppliers // 60)

    # -- identities ------------------------------------------------------------------------

    def person(self) -> _Person:
        n = len(self.people) + 1
        birth = date(1960, 1, 1) + timedelta(days=n // 900)
        stem = f"110101{birth:%Y%m%d}{n % 900 + 1:03d}"
        rng = self.rng
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        p = _Person(stem + ric.calc_check_digit(stem + "0"), name)
        self.people.append(p)
        return p

    def _uscc(self, kind: str, region: str) -> str:
        self._orgs += 1
        body = f"{self._orgs:08d}"
        stem = kind + region + body + organization_code_check(body)
        return stem + str(uscc.calc_check_digit(stem))

    def org(self, category: str, region: str, registered: date, kind: str = "91") -> _Org:
        rng = self.rng
        code = self._uscc(kind, region)
        n = self._orgs
        return _Org(
            uscc=code,
            name=f"模拟{category.lower()}{n}有限公司",
            category=category,
            region=region,
            registered=registered,
            activity=min(rng.paretovariate(1.5), 12.0),
            rep=self.person(),
            staff=self.person(),
            address=f"模拟市{region}区创业路{n}号",
            phone=f"0571-{8000000 + n}",
            account=f"6228{n:015d}",
            ip=f"100.{64 + n // 65536 % 64}.{n // 256 % 256}.{n % 256}",
            mac=f"02-00-{n // 65536 % 256:02X}-{n // 256 % 256:02X}-{n % 256:02X}-01",
            author="Administrator" if rng.random() < 0.06 else f"author-{n}",
        )

    def supplier(self, org: _Org) -> _Org:
        """A supplier with its legal representative and its staff member (the bid contact)."""
        self.suppliers.append(org)
        self.ties.append(_Tie("LEGAL_REP_OF", org.rep, org, org.registered))
        self.ties.append(_Tie("EMPLOYED_BY", org.staff, org, org.registered))
        return org

    def day(self, first: date = START, last: date = END) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def local_buyer(self, region: str) -> _Org:
        """A purchaser of the region that buys in the open market (not a planted one)."""
        local = [b for b in self.purchasers if b.region == region and b.activity > 0]
        return self.rng.choice(local or [b for b in self.purchasers if b.activity > 0])

    # -- the background market -------------------------------------------------------------

    def build(self) -> None:
        rng = self.rng
        for i in range(self.size):
            registered = self.day(date(2005, 1, 1), START - timedelta(days=30))
            self.supplier(self.org(_CATEGORIES[i % 3], rng.choice(_REGIONS), registered))
        for _ in range(max(20, self.size // 15)):
            buyer = self.org("ORGAN", rng.choice(_REGIONS), date(1995, 1, 1), kind="11")
            buyer.activity = rng.paretovariate(1.5)
            self.purchasers.append(buyer)
        for _ in range(max(4, self.size // 60)):
            self.agencies.append(self.org("AGENCY", rng.choice(_REGIONS), date(2000, 1, 1)))
        for i in range(max(30, self.size // 10)):
            expert = self.person()
            self.experts[_CATEGORIES[i % 3]].append(expert)
            if rng.random() < 0.3:  # an employer long ago: never a ground (near-miss)
                ended = self.day(date(2012, 1, 1), date(2017, 6, 30))
                old = rng.choice(self.suppliers)
                self.ties.append(
                    _Tie("EMPLOYED_BY", expert, old, ended - timedelta(days=900), ended)
                )
        for _ in range(self.size * 4 // 3):
            self.background_lot()
        self.plant_all()
        self.review_panels()
        self.derive_truth()

    def project_lot(
        self, category: str, day: date, purchaser: _Org | None = None, agency: bool = True
    ) -> _Lot:
        rng = self.rng
        buyers = self.purchasers
        buyer = purchaser or rng.choices(buyers, weights=[b.activity for b in buyers])[0]
        self._projects += 1
        project = f"SIM-{day.year}-{self._projects:05d}"
        budget = budget_of(rng)
        lot = _Lot(
            id=f"{project}-1",
            project=project,
            purchaser=buyer,
            agency=rng.choice(self.agencies) if agency and rng.random() < 0.7 else None,
            category=category,
            day=day,
            budget=budget,
        )
        self.lots.append(lot)
        return lot

    def draw(self, lot: _Lot, count: int, exclude: Iterable[_Org] = ()) -> list[_Org]:
        """Bidders of the lot's trade, mostly local, the busier more often."""
        rng = self.rng
        taken = {o.uscc for o in exclude} | {o.uscc for o in lot.suppliers}
        pool = [o for o in self.suppliers if o.category == lot.category and o.pooled]
        local = [o for o in pool if o.region == lot.purchaser.region]
        chosen: list[_Org] = []
        for _ in range(count * 20):
            if len(chosen) >= count:
                break
            source = local if local and rng.random() < 0.75 else pool
            org = rng.choices(source, weights=[o.activity for o in source])[0]
            if org.uscc not in taken:
                taken.add(org.uscc)
                chosen.append(org)
        return chosen

    def price(self, budget: Decimal, ratio: float | None = None) -> Decimal:
        return quote(self.rng, budget, ratio)

    def compete(self, lot: _Lot, bidders: Iterable[_Org]) -> None:
        rng = self.rng
        for org in bidders:
            status = "VALID"
            roll = rng.random()
            if roll < 0.04:
                status = "DISQUALIFIED"
            elif roll < 0.06:
                status = "WITHDRAWN"
            lot.bids.append(_Bid(org, self.price(lot.budget), status))

    def background_lot(self) -> None:
        rng = self.rng
        lot = self.project_lot(rng.choice(_CATEGORIES), self.day())
        count = rng.choices(BIDDERS, weights=BIDDER_WEIGHTS)[0]
        self.compete(lot, self.draw(lot, count))

    def free_lot(self, min_bidders: int = 3) -> _Lot:
        """A background lot no plant has claimed, with enough bidders."""
        while True:
            lot = self.rng.choice(self.lots)
            if not lot.planted and len(lot.bids) >= min_bidders:
                lot.planted = True
                return lot

    def pair(self) -> tuple[_Org, _Org]:
        """Two pooled suppliers of one trade and region (so they can meet as bidders)."""
        rng = self.rng
        while True:
            a = rng.choice(self.suppliers)
            peers = [
                o
                for o in self.suppliers
                if o is not a and o.pooled and o.category == a.category and o.region == a.region
            ]
            if a.pooled and peers:
                return a, rng.choice(peers)

    def meet(
        self, orgs: list[_Org], day: date | None = None, budget: Decimal | None = None
    ) -> _Lot:
        """A fresh lot of their trade at a local purchaser where they all bid."""
        buyer = self.local_buyer(orgs[0].region)
        lot = self.project_lot(orgs[0].category, day or self.day(), buyer)
        lot.planted = True
        lot.budget = budget or lot.budget
        self.compete(lot, [*orgs, *self.draw(lot, self.rng.randint(1, 4), orgs)])
        for bid in lot.bids:
            bid.status = "VALID"
        return lot

    # -- planted cases ---------------------------------------------------------------------

    def plant_all(self) -> None:
        for _ in range(self.plants):
            self.plant_same_controller()
            self.plant_direct_holding()
            self.plant_common_controller()
            self.plant_shared_bid("SAME_PREPARER")
            self.plant_shared_bid("SAME_AGENT")
            self.plant_shared_bid("SHARED_CONTACT")
            self.plant_shared_bid("SAME_DEPOSIT_ACCOUNT")
            self.plant_shared_bid("SAME_DEVICE")
            self.plant_progression()
            self.plant_fixed_offset()
            self.plant_identical_prices()
            self.plant_rotation()
            self.plant_cover()
            self.plant_expert_conflict()
        for _ in range(max(3, self.plants // 2)):
            self.plant_suppression()
            self.plant_capture()
            self.plant_successor()
            self.plant_community()
        self.plant_near_misses()
        self.plant_staff_and_groups()
        self.plant_deposits_and_platform()
        self.plant_mixed_documents()

    def plant_mixed_documents(self) -> None:
        """One bidder's documents contain another's sections or attachment (Order 87 Art. 37
        item 5); every bid of those lots has its own sections and copies the tender's forms.
        Near-misses: lots whose bids share only the tender's sections, and lots whose bids all
        carry one template that circulates in the market."""
        rng = self.rng
        template = _section("template:承诺函")
        for i in range(self.plants):
            lot = self.free_lot()
            self.fingerprint(lot)
            a, b = rng.sample(lot.bids, 2)
            a.status = b.status = "VALID"
            own = a.extra["sections"]
            if rng.random() < 0.3:  # another bidder's licence scan in the bid
                copied = [{"kind": "ATTACHMENT", "hash": own[-1]["hash"], "title": "资质证书"}]
            else:
                copied = [dict(x) for x in rng.sample(own[3:-1], rng.randint(1, 3))]
            b.extra["sections"] = [*b.extra["sections"], *copied]
            self.truth.add(
                Truth("MIXED_DOCUMENTS", lot.id, tuple(sorted((a.supplier.uscc, b.supplier.uscc))))
            )
            self.fingerprint(self.free_lot())  # the tender's forms in every bid
            for bid in self.fingerprint(self.free_lot()).bids:  # a market template in every bid
                bid.extra["sections"] = [*bid.extra["sections"], template | {"page": 2 + i % 3}]

    def fingerprint(self, lot: _Lot) -> _Lot:
        """The lot's tender documents have three sections (forms, terms) that every bid
        copies; each bid adds five sections and a licence scan of its own."""
        lot.tender_sections = [_section(f"{lot.project}:form:{k}") for k in range(3)]
        for j, bid in enumerate(lot.bids):
            key = f"{lot.id}:{j}:{bid.supplier.uscc}"
            mine = [_section(f"{key}:{k}") | {"page": 4 + k} for k in range(5)]
            scan = _section(f"{key}:licence") | {"kind": "ATTACHMENT", "title": "营业执照"}
            bid.extra["sections"] = [*lot.tender_sections, *mine, scan]
        return lot

    def replace_rep(self, org: _Org, person: _Person, since: date) -> None:
        """`person` becomes the legal representative of `org` from `since`."""
        kept = []
        for t in self.ties:
            if t.kind == "LEGAL_REP_OF" and t.target is org and t.valid_to is None:
                if t.valid_from is not None and t.valid_from >= since:
                    continue  # never in office: replaced from the start
                t = replace(t, valid_to=since - timedelta(days=1))
            kept.append(t)
        self.ties = [*kept, _Tie("LEGAL_REP_OF", person, org, since)]

    def plant_same_controller(self) -> None:
        a, b = self.pair()
        since = self.day(START, date(2024, 6, 30))
        self.replace_rep(b, a.rep, since)
        self.meet([a, b], self.day(since + timedelta(days=1)))

    def plant_direct_holding(self) -> None:
        a, b = self.pair()
        since = self.day(START, date(2024, 6, 30))
        share = _cents(self.rng.choice(("0.51", "0.6", "0.8", "1")))
        self.ties.append(_Tie("OWNS", a, b, since, share=share))
        self.ties.append(_Tie(self.rng.choice(("CONTROLS", "MANAGES")), a, b, since))
        self.meet([a, b], self.day(since + timedelta(days=1)))

    def plant_common_controller(self) -> None:
        """Sister companies: one person controls both, each keeps its own legal rep."""
        a, b = self.pair()
        owner = self.person()
        since = self.day(START, date(2024, 6, 30))
        self.ties.append(_Tie("CONTROLS", owner, a, since))
        self.ties.append(_Tie("CONTROLS", owner, b, since))
        self.meet([a, b], self.day(since + timedelta(days=1)))

    def plant_shared_bid(self, pattern: str) -> None:
        rng = self.rng
        lot = self.free_lot()
        ring = rng.sample(lot.bids, rng.choice((2, 2, 3)) if len(lot.bids) > 3 else 2)
        lead = ring[0].supplier
        kind = rng.choice(("MAC", "IP", "AUTHOR", "FILE"))  # what the device ring shares
        for bid in ring:
            bid.status = "VALID"
        for bid in ring if pattern in ("SAME_PREPARER", "SAME_AGENT") else ring[1:]:
            if pattern == "SAME_PREPARER":
                bid.extra["preparer"] = {"person": lead.staff.id_number}
            elif pattern == "SAME_AGENT":
                bid.extra["agent"] = {"person": lead.staff.id_number}
            elif pattern == "SHARED_CONTACT":
                bid.extra["contact"] = {"person": lead.staff.id_number}
                bid.extra["contact_phone"] = lead.phone
            elif pattern == "SAME_DEPOSIT_ACCOUNT":
                bid.extra["deposit_account"] = lead.account
            else:
                if kind == "FILE":
                    bid.extra["file_fingerprint"] = f"file-{lot.id}"
                    ring[0].extra["file_fingerprint"] = f"file-{lot.id}"
                else:
                    value = {"MAC": lead.mac, "IP": lead.ip, "AUTHOR": f"author-{lead.uscc}"}
                    bid.extra["devices"] = [{"kind": kind, "value": value[kind]}]
                    ring[0].extra["devices"] = [{"kind": kind, "value": value[kind]}]
        self.truth.add(Truth(pattern, lot.id, tuple(sorted(b.supplier.uscc for b in ring))))

    def plant_progression(self) -> None:
        """A ring places its bids step by step above the winner (Order 87 Art. 37 item 4): a
        fixed step, or a fixed ratio with each price rounded to the cent or to the yuan
        (term k = round(p0 * r^k)), or three bids in arithmetic progression in a crowded lot
        of 7 to 9 bidders."""
        rng = self.rng
        a, b = self.pair()
        variant = rng.random()
        crowded = variant >= 0.8
        extra = 1 if crowded else rng.choice((1, 1, 2, 3))
        ring = [a, b, *self.draw(self.meet([a, b]), extra, [a, b])]
        lot = self.lots[-1]
        lot.bids = [x for x in lot.bids if x.supplier not in ring]
        if crowded:  # others to make 7 to 9 bidders
            short = rng.randint(7, 9) - len(ring) - len(lot.bids)
            self.compete(lot, self.draw(lot, max(0, short), ring))
            for bid in lot.bids:
                bid.status = "VALID"
        base = _cents(float(lot.budget) * rng.uniform(0.86, 0.94))
        if base % 10 == 0:
            base += rng.randint(1, 9)
        if variant < 0.35:
            step = _cents(round(float(base) * rng.uniform(0.006, 0.02), -2))
            prices = [base + step * k for k in range(len(ring))]
        elif variant < 0.55:
            ratio = Decimal(str(round(rng.uniform(1.006, 1.02), 3)))
            prices = [_cents(base * ratio**k) for k in range(len(ring))]
        elif not crowded:  # each term rounded to the whole yuan
            r = rng.uniform(1.01, 1.05)
            prices = [_cents(round(float(base) * r**k)) for k in range(len(ring))]
        else:  # an exact step to the yuan
            base = _cents(round(float(base)))
            step = _cents(round(float(base) * rng.uniform(0.005, 0.03)))
            prices = [base + step * k for k in range(len(ring))]
        rng.shuffle(ring)
        lot.bids += [_Bid(org, p) for org, p in zip(ring, prices, strict=True)]
        self.truth.add(
            Truth("REGULAR_PRICE_DIFFERENCE", lot.id, tuple(sorted(o.uscc for o in ring)))
        )

    def plant_fixed_offset(self) -> None:
        """A cover bidder that always adds the same margin to its partner's price."""
        rng = self.rng
        a, b = self.pair()
        budget = _cents(round(10 ** rng.uniform(5.3, 7), -3))
        margin = Decimal(str(round(rng.uniform(0.02, 0.06), 3)))
        offset = _cents(round(float(budget * margin), -2))
        ratio = rng.random() < 0.5
        for _ in range(rng.randint(3, 4)):
            lot = self.meet(
                [a, b], budget=_cents(round(float(budget) * rng.uniform(0.8, 1.25), -3))
            )
            mine = next(x for x in lot.bids if x.supplier is a)
            other = next(x for x in lot.bids if x.supplier is b)
            mine.price = self.price(lot.budget)
            other.price = _cents(mine.price * (1 + margin)) if ratio else mine.price + offset
            if lot.winner() is a:  # a fixed margin, not a designated winner: someone undercuts
                rival = next(x for x in lot.bids if x.supplier not in (a, b))
                rival.price = _cents(mine.price * Decimal("0.98"))
        self.truth.add(Truth("REGULAR_PRICE_DIFFERENCE", None, tuple(sorted((a.uscc, b.uscc)))))

    def plant_identical_prices(self) -> None:
        lot = self.free_lot()
        first, second = self.rng.sample(lot.bids, 2)
        first.status = second.status = "VALID"
        first.price = second.price = _cents(float(lot.budget) * self.rng.uniform(0.85, 0.95))
        self.truth.add(
            Truth(
                "IDENTICAL_PRICES",
                lot.id,
                tuple(sorted((first.supplier.uscc, second.supplier.uscc))),
            )
        )

    def _ring_lots(self, members: list[_Org], count: int) -> list[_Lot]:
        days = sorted(self.day() for _ in range(count))
        lots = []
        for day in days:
            lot = self.project_lot(members[0].category, day, self.local_buyer(members[0].region))
            lot.planted = True
            lots.append(lot)
        return lots

    def _ring(self, size: int) -> list[_Org]:
        a, b = self.pair()
        peers = [
            o
            for o in self.suppliers
            if o.category == a.category and o.region == a.region and o not in (a, b)
        ]
        return [a, b, *self.rng.sample(peers, min(size - 2, len(peers)))]

    def plant_rotation(self) -> None:
        """A closed group that takes turns: the turn's winner bids, the others cover. Groups
        of 3 or 4: two firms taking turns over a handful of lots cannot be told from two
        strong rivals, by these detectors or by an investigator."""
        rng = self.rng
        ring = self._ring(rng.choice((3, 4)))
        lots = self._ring_lots(ring, rng.randint(4, 6))
        for i, lot in enumerate(lots):
            winner = ring[i % len(ring)]
            base = self.price(lot.budget, rng.uniform(0.9, 0.96))
            lot.bids.append(_Bid(winner, base))
            for member in ring:
                if member is not winner:
                    lot.bids.append(
                        _Bid(member, self.price(Decimal(base), rng.uniform(1.01, 1.06)))
                    )
            for org in self.draw(lot, rng.randint(1, 4), ring):
                lot.bids.append(_Bid(org, self.price(Decimal(base), rng.uniform(1.02, 1.15))))
        self.truth.add(Truth("BID_ROTATION", None, tuple(sorted(o.uscc for o in ring))))
        self.screened(lots)

    def plant_community(self) -> None:
        """A co-bidding community: four or five firms of one trade and region that, within
        one year, turn out together on a string of lots that a leader wins (another member
        once): a club that shares the market, neither taking turns nor covering just above
        the winner (so not a rotation or cover ring)."""
        rng = self.rng
        ring = self._ring(rng.choice((4, 5)))
        year = rng.randint(START.year + 1, END.year - 1)
        days = sorted(self.day(date(year, 1, 5), date(year, 12, 20)) for _ in range(7))
        second = rng.randrange(len(days))
        for n, day in enumerate(days):
            lot = self.project_lot(ring[0].category, day, self.local_buyer(ring[0].region))
            lot.planted = True
            winner = ring[1] if n == second else ring[0]
            others = [m for m in ring if m is not winner]
            bidders = [winner, *rng.sample(others, len(others) - rng.choice((0, 1)))]
            base = self.price(lot.budget, rng.uniform(0.9, 0.96))
            lot.bids.append(_Bid(winner, base))
            for member in bidders[1:]:
                lot.bids.append(_Bid(member, self.price(Decimal(base), rng.uniform(1.07, 1.2))))
            for org in self.draw(lot, rng.choice((0, 1)), ring):
                lot.bids.append(_Bid(org, self.price(Decimal(base), rng.uniform(1.1, 1.25))))
        self.truth.add(Truth("COBIDDING_COMMUNITY", None, tuple(sorted(o.uscc for o in ring))))

    def plant_cover(self) -> None:
        """One winner, and the same bidders placed just above it every time."""
        rng = self.rng
        ring = self._ring(rng.choice((2, 3, 3)))
        winner = ring[0]
        lots = self._ring_lots(ring, rng.randint(4, 6))
        for lot in lots:
            base = self.price(lot.budget, rng.uniform(0.9, 0.96))
            lot.bids.append(_Bid(winner, base))
            for cover in ring[1:]:
                lot.bids.append(_Bid(cover, self.price(Decimal(base), rng.uniform(1.005, 1.04))))
            for org in self.draw(lot, rng.randint(1, 4), ring):
                lot.bids.append(_Bid(org, self.price(Decimal(base), rng.uniform(1.05, 1.2))))
        self.truth.add(Truth("COVER_BIDDING", None, tuple(sorted(o.uscc for o in ring))))
        self.screened(lots)

    def screened(self, lots: list[_Lot]) -> None:
        """Lots whose prices a ring set: what the bid screens are meant to catch."""
        for lot in lots:
            if len(lot.bids) >= 4:
                bidders = tuple(sorted(b.supplier.uscc for b in lot.bids))
                self.truth.add(Truth("BID_SCREEN", lot.id, bidders))

    def plant_suppression(self) -> None:
        """A regular bidder at a purchaser keeps away from the lots its partner wins."""
        rng = self.rng
        regular, partner = self.pair()
        buyer = self.org("ORGAN", regular.region, date(1995, 1, 1), kind="11")
        self.purchasers.append(buyer)
        buyer.activity = 0.0  # only these lots
        days = sorted(self.day() for _ in range(rng.randint(11, 14)))
        partner_turns = set(rng.sample(range(1, len(days) - 1), rng.randint(4, 5)))
        for i, day in enumerate(days):
            lot = self.project_lot(regular.category, day, buyer, agency=False)
            lot.planted = True
            if i in partner_turns:
                base = self.price(lot.budget, rng.uniform(0.82, 0.88))
                lot.bids.append(_Bid(partner, base))
                for org in self.draw(lot, rng.randint(2, 4), [regular, partner]):
                    lot.bids.append(_Bid(org, self.price(Decimal(base), rng.uniform(1.03, 1.2))))
            else:
                edge = i in (0, len(days) - 1)  # it bids there from the first lot to the last
                bidders = [regular] if edge or rng.random() < 0.92 else []
                self.compete(
                    lot, [*bidders, *self.draw(lot, rng.randint(2, 5), [regular, partner])]
                )
                for bid in lot.bids:
                    if bid.supplier is regular:
                        bid.status = "VALID"
        self.truth.add(
            Truth(
                "BID_SUPPRESSION",
                None,
                tuple(sorted((regular.uscc, partner.uscc))),
                (("org", buyer.uscc),),
            )
        )

    def plant_capture(self) -> None:
        """A purchaser whose awards keep going to one supplier."""
        rng = self.rng
        favourite = rng.choice(self.suppliers)
        buyer = self.org("ORGAN", favourite.region, date(1995, 1, 1), kind="11")
        self.purchasers.append(buyer)
        buyer.activity = 0.0
        lots = rng.randint(7, 10)
        wins = set(rng.sample(range(lots), max(5, int(lots * rng.uniform(0.65, 0.85)))))
        for i, day in enumerate(sorted(self.day() for _ in range(lots))):
            lot = self.project_lot(favourite.category, day, buyer, agency=False)
            lot.planted = True
            others = self.draw(lot, rng.randint(3, 6), [favourite])
            if i in wins:
                base = self.price(lot.budget, rng.uniform(0.85, 0.93))
                lot.bids.append(_Bid(favourite, base))
                for org in others:
                    lot.bids.append(_Bid(org, self.price(Decimal(base), rng.uniform(1.01, 1.15))))
            else:
                self.compete(lot, others)
                for bid in lot.bids:
                    bid.status = "VALID"
        self.truth.add(Truth("BUYER_CAPTURE", None, (favourite.uscc,), (("org", buyer.uscc),)))

    def plant_successor(self) -> None:
        """A banned supplier's legal representative runs a new company during the ban."""
        rng = self.rng
        banned = rng.choice([o for o in self.suppliers if o.pooled])
        decided = self.day(date(2022, 1, 1), date(2025, 6, 30))
        self.ban(banned, decided)
        new = self.org(
            banned.category, banned.region, decided + timedelta(days=rng.randint(20, 200))
        )
        new.pooled = False
        self.supplier(new)
        self.replace_rep(new, self.rep_of(banned, decided), new.registered)
        last = min(decided + timedelta(days=700), END)
        for _ in range(rng.randint(1, 2)):
            self.meet([new], self.day(min(new.registered + timedelta(days=10), last), last))

    def rep_of(self, org: _Org, day: date) -> _Person:
        """The legal representative of `org` on `day`."""
        return next(
            t.source
            for t in self.ties
            if t.kind == "LEGAL_REP_OF"
            and t.target is org
            and t.overlaps(day, day)
            and isinstance(t.source, _Person)
        )

    def ban(self, org: _Org, decided: date) -> None:
        n = len(self.violations) + 1
        self.violations.append(
            {
                "type": "violation",
                "id": f"SIM-WF-{n:05d}",
                "subject": {"org": org.uscc},
                "category": "FALSE_MATERIALS",
                "severity": "SERIOUS",
                "decision_number": f"模财采罚〔{decided.year}〕{n}号",
                "authority": "模拟市财政局",
                "basis": "《中华人民共和国政府采购法》第七十七条",
                "penalty_types": ["FINE", "PROCUREMENT_BAN"],
                "fine": {"amount": "50000.00"},
                "decided_on": decided.isoformat(),
                "ban_start": decided.isoformat(),
                "ban_end": (decided + timedelta(days=730)).isoformat(),
                "source": SOURCE,
            }
        )

    def plant_expert_conflict(self) -> None:
        """A reviewer on the panel of a lot one of whose bidders it is tied to."""
        rng = self.rng
        lot = self.free_lot()
        supplier = rng.choice(lot.bids).supplier
        expert = self.person()
        self.experts[lot.category].append(expert)
        lot.reviewers.append(expert)
        kind = rng.choice(
            ("EMPLOYED_BY", "EMPLOYED_BY", "DIRECTOR_OF", "SUPERVISOR_OF", "OWNS", "KIN")
        )
        if kind == "KIN":
            self.kin.append((expert, self.rep_of(supplier, lot.day), rng.choice(_KIN)))
            return
        ended = (
            lot.day - timedelta(days=rng.randint(30, 3 * 365 - 30)) if rng.random() < 0.6 else None
        )
        start = (ended or lot.day) - timedelta(days=rng.randint(400, 2000))
        share = Decimal("0.6") if kind == "OWNS" else None
        self.ties.append(_Tie(kind, expert, supplier, start, ended, share))

    def plant_near_misses(self) -> None:
        rng = self.rng
        for _ in range(self.plants):
            # one person behind two companies of different trades: they never meet
            a = rng.choice(self.suppliers)
            other = rng.choice([o for o in self.suppliers if o.category != a.category])
            self.ties.append(_Tie("LEGAL_REP_OF", a.rep, other, valid_from=START))
            # a legal representative who left before the two companies met
            c, d = self.pair()
            left = self.day(START, date(2023, 6, 30))
            self.ties.append(_Tie("LEGAL_REP_OF", c.rep, d, left - timedelta(days=800), left))
            self.meet([c, d], self.day(left + timedelta(days=30)))
            # a minority stake is not a direct holding
            e, g = self.pair()
            self.ties.append(_Tie("OWNS", e, g, START, share=Decimal("0.2")))
            self.meet([e, g])
            # neighbours at one address with their own contacts
            h, k = self.pair()
            k.address = h.address
            self.meet([h, k])
            # a generic document author
            lot = self.free_lot()
            for bid in rng.sample(lot.bids, 2):
                bid.extra["devices"] = [{"kind": "AUTHOR", "value": "Administrator"}]
            # an employment that ended more than 3 years before the review
            lot = self.free_lot()
            expert = self.person()
            self.experts[lot.category].append(expert)
            lot.reviewers.append(expert)
            ended = lot.day - timedelta(days=rng.randint(3 * 365 + 10, 5 * 365))
            supplier = rng.choice(lot.bids).supplier
            self.ties.append(
                _Tie("EMPLOYED_BY", expert, supplier, ended - timedelta(days=900), ended)
            )
        for _ in range(max(2, self.plants // 3)):
            # someone who left a company a year before it was banned
            banned = rng.choice(self.suppliers)
            decided = self.day(date(2022, 1, 1), date(2025, 6, 30))
            self.ban(banned, decided)
            person = self.person()
            left = decided - timedelta(days=365)
            self.ties.append(_Tie("LEGAL_REP_OF", person, banned, left - timedelta(days=900), left))
            sister = rng.choice([o for o in self.suppliers if o is not banned])
            self.ties.append(_Tie("RESPONSIBLE_FOR", person, sister, valid_from=left))

    def plant_staff_and_groups(self) -> None:
        """Staff crossover (Order 87 Art. 37 items 1-3) and members of one group on a lot
        (Regs Art. 74 item 4), each with its near-misses; the truth is derived from the
        market in `_staff_and_group_truth`, so crossovers other plants make count too."""
        rng = self.rng
        for _ in range(self.plants):
            lot = self.free_lot()
            a, b = rng.sample(lot.bids, 2)
            a.status = b.status = "VALID"
            if rng.random() < 0.5:
                manager = {"person": b.supplier.staff.id_number}
                a.extra["team"] = [{"role": "PROJECT_MANAGER", "person": manager}]
            else:
                a.extra["preparer"] = {"person": b.supplier.rep.id_number}
            # near-miss: a project team of the bidders' own staff, and a former employee
            lot = self.free_lot()
            for bid in lot.bids:
                own = {"person": bid.supplier.staff.id_number}
                bid.extra["team"] = [{"role": "PROJECT_MANAGER", "person": own}]
            c, d = rng.sample(lot.bids, 2)
            former = self.person()
            left = lot.day - timedelta(days=rng.randint(60, 900))
            hired = left - timedelta(days=900)
            self.ties.append(_Tie("EMPLOYED_BY", former, d.supplier, hired, left))
            c.extra["team"] = [
                *c.extra["team"],
                {"role": "TECHNICAL_LEAD", "person": {"person": former.id_number}},
            ]
            # members of one group or association meet on a lot
            gid = f"SIMG{len(self.groups) + 1:04d}"
            self.groups[gid] = rng.choice(("GROUP", "GROUP", "ASSOCIATION"))
            e, g = self.pair()
            since = self.day(START, date(2024, 6, 30))
            self.memberships += [(e, gid, since, None), (g, gid, since, None)]
            self.meet([e, g], self.day(since + timedelta(days=1)))
            # near-miss: a member who left the group before meeting another member
            gid = f"SIMG{len(self.groups) + 1:04d}"
            self.groups[gid] = "GROUP"
            h, k = self.pair()
            left = self.day(START, date(2023, 6, 30))
            self.memberships += [(h, gid, START, None), (k, gid, START, left)]
            self.meet([h, k], self.day(left + timedelta(days=30)))

    def plant_deposits_and_platform(self) -> None:
        """Deposits from one holder's accounts under different numbers, or from the legal
        representative of another bidder (Order 87 Art. 37 item 6); bids from one platform
        machine or signed with one CA certificate; near-misses: a bidder's deposit paid by its
        own legal representative, namesakes paying for different bidders."""
        rng = self.rng
        for _ in range(self.plants):
            lot = self.free_lot()
            a, b = rng.sample(lot.bids, 2)
            a.status = b.status = "VALID"
            how = rng.choice(("holder", "name", "rep"))
            if how == "rep":
                rep = b.supplier.rep
                a.extra |= {
                    "deposit_account": f"6217-{rep.id_number}",
                    "deposit_holder": {"person": rep.id_number},
                    "deposit_holder_name": rep.name,
                }
            else:
                payer = rng.choice([o for o in self.suppliers if o not in lot.suppliers])
                for k, bid in enumerate((a, b), start=1):
                    bid.extra["deposit_account"] = f"{payer.account}-{k}"
                    if how == "holder":
                        bid.extra["deposit_holder"] = {"org": payer.uscc}
                    bid.extra["deposit_holder_name"] = payer.name
            self.truth.add(
                Truth(
                    "SAME_DEPOSIT_ACCOUNT",
                    lot.id,
                    tuple(sorted((a.supplier.uscc, b.supplier.uscc))),
                )
            )
            # near-miss: each bidder's deposit from its own legal representative's account
            lot = self.free_lot()
            for bid in lot.bids:
                rep = bid.supplier.rep
                bid.extra |= {
                    "deposit_account": f"6217-{rep.id_number}",
                    "deposit_holder": {"person": rep.id_number},
                    "deposit_holder_name": rep.name,
                }
                for t in self.ties:  # unless the person also heads another bidder by now
                    if (
                        t.source is rep
                        and t.kind in ("LEGAL_REP_OF", "RESPONSIBLE_FOR")
                        and t.target in lot.suppliers
                        and t.target is not bid.supplier
                        and t.overlaps(lot.day, lot.day)
                    ):
                        pair = tuple(sorted((bid.supplier.uscc, t.target.uscc)))
                        self.truth.add(Truth("SAME_DEPOSIT_ACCOUNT", lot.id, pair))
            # bids from one platform machine or signed with one CA certificate
            lot = self.free_lot()
            a, b = rng.sample(lot.bids, 2)
            a.status = b.status = "VALID"
            kind = rng.choice(("MACHINE_CODE", "CA_CERT"))
            value = f"MC-{a.supplier.mac}" if kind == "MACHINE_CODE" else f"CA-{a.supplier.uscc}"
            for bid in (a, b):
                bid.extra["devices"] = [{"kind": kind, "value": value}]
            self.truth.add(
                Truth("SAME_DEVICE", lot.id, tuple(sorted((a.supplier.uscc, b.supplier.uscc))))
            )

    def _staff_and_group_truth(self) -> None:
        people = {p.id_number: p for p in self.people}
        staff_ties = ("EMPLOYED_BY", "LEGAL_REP_OF", "RESPONSIBLE_FOR")
        for lot in self.lots:
            bidders = {b.supplier.uscc for b in lot.bids}
            for bid in lot.bids:
                mine = bid.supplier.uscc
                refs = [bid.extra.get(k) for k in ("preparer", "agent", "contact")]
                refs += [m["person"] for m in bid.extra.get("team", ())]
                for ref in refs:
                    if not ref:
                        continue
                    if ref.get("org") in bidders and ref["org"] != mine:
                        self.truth.add(
                            Truth("STAFF_CROSSOVER", lot.id, tuple(sorted((mine, ref["org"]))))
                        )
                        continue
                    person = people.get(ref.get("person", ""))
                    for other in bidders - {mine}:
                        if any(
                            t.source is person
                            and t.kind in staff_ties
                            and t.overlaps(lot.day, lot.day)
                            for t in self.by_target.get(other, ())
                        ):
                            pair = tuple(sorted((mine, other)))
                            assert person is not None
                            who = (("person", person.id_number),)
                            self.truth.add(Truth("STAFF_CROSSOVER", lot.id, pair, who))
            groups: dict[str, set[str]] = {}
            for org, gid, start, end in self.memberships:
                if (
                    org.uscc in bidders
                    and (start is None or start <= lot.day)
                    and (end is None or end >= lot.day)
                ):
                    groups.setdefault(gid, set()).add(org.uscc)
            for gid, members in groups.items():
                if len(members) > 1:
                    who = (("group", gid),)
                    self.truth.add(Truth("GROUP_INSTRUCTION", lot.id, tuple(sorted(members)), who))

    def review_panels(self) -> None:
        rng = self.rng
        for lot in self.lots:
            pool = [e for e in self.experts[lot.category] if e not in lot.reviewers]
            lot.reviewers = [*lot.reviewers, *rng.sample(pool, 3)][:5]

    # -- the truth the rules define --------------------------------------------------------

    def behind(self, org: _Org, day: date, kinds: Iterable[str]) -> list[_Tie]:
        """Ties of the given kinds pointing at `org` in force on `day`."""
        wanted = set(kinds)
        return [
            t
            for t in self.by_target.get(org.uscc, ())
            if t.target is org
            and t.kind in wanted
            and t.overlaps(day, day)
            and (t.kind != "OWNS" or (t.share or 0) > _CONTROLLING)
        ]

    def derive_truth(self) -> None:
        for tie in self.ties:
            self.by_target.setdefault(tie.target.uscc, []).append(tie)
        for lot in self.lots:
            bidders = {b.supplier.uscc: b.supplier for b in lot.bids}
            people: dict[str, set[str]] = {}
            for code, org in bidders.items():
                for t in self.behind(org, lot.day, _HEADS):
                    if isinstance(t.source, _Person):
                        people.setdefault(t.source.id_number, set()).add(code)
                for t in self.behind(org, lot.day, _HOLDINGS):
                    if isinstance(t.source, _Org) and t.source.uscc in bidders:
                        pair = tuple(sorted((code, t.source.uscc)))
                        self.truth.add(Truth("DIRECT_HOLDING", lot.id, pair))
            for codes in people.values():
                if len(codes) > 1:
                    self.truth.add(Truth("SAME_CONTROLLER", lot.id, tuple(sorted(codes))))
            self._common_controller_truth(lot, bidders)
            self._reviewer_truth(lot, bidders)
        self._successor_truth()
        self._staff_and_group_truth()

    def _common_controller_truth(self, lot: _Lot, bidders: dict[str, _Org]) -> None:
        """Pairs with a controller (CONTROLS, or a majority) in common but no responsible
        person in common: credit.standing.participation's COMMON_CONTROLLER."""

        def key(party: _Org | _Person) -> str:
            return party.uscc if isinstance(party, _Org) else party.id_number

        controllers = {
            code: {key(t.source) for t in self.behind(org, lot.day, ("CONTROLS", "OWNS"))}
            for code, org in bidders.items()
        }
        heads = {
            code: {key(t.source) for t in self.behind(org, lot.day, _HEADS)}
            for code, org in bidders.items()
        }
        ordered = sorted(bidders)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                common = (controllers[a] & controllers[b]) - {a, b}
                if common and not heads[a] & heads[b]:
                    self.truth.add(Truth("COMMON_CONTROLLER", lot.id, (a, b)))

    def _reviewer_truth(self, lot: _Lot, bidders: dict[str, _Org]) -> None:
        since = years_before(lot.day, LOOKBACK_YEARS)
        for expert in lot.reviewers:
            for code, org in bidders.items():
                tied = any(
                    t.source is expert
                    and t.overlaps(since, lot.day)
                    and (t.kind != "OWNS" or (t.share or 0) > _CONTROLLING)
                    for t in self.by_target.get(code, [])
                )
                heads = {
                    t.source for t in self.behind(org, lot.day, ("LEGAL_REP_OF", "RESPONSIBLE_FOR"))
                }
                kin = any(e is expert and p in heads for e, p, _ in self.kin)
                if tied or kin:
                    other = (("person", expert.id_number),)
                    self.truth.add(Truth("EXPERT_CONFLICT", lot.id, (code,), other))

    def _successor_truth(self) -> None:
        orgs = {o.uscc: o for o in self.suppliers}
        for v in self.violations:
            banned = orgs[v["subject"]["org"]]
            decided, end = date.fromisoformat(v["decided_on"]), date.fromisoformat(v["ban_end"])
            people = {t.source for t in self.behind(banned, decided, _BEHIND)}
            for org in self.suppliers:
                ties = [
                    t
                    for t in self.by_target.get(org.uscc, ())
                    if t.source in people and t.kind in _BEHIND and t.overlaps(decided, end)
                ]
                if org is banned or not ties:
                    continue
                new = decided - timedelta(days=365) <= org.registered <= end
                active = any(
                    decided <= lot.day <= end
                    and org in lot.suppliers
                    and any(t.overlaps(lot.day, lot.day) for t in ties)
                    for lot in self.lots
                )
                if new or active:
                    other = (("org", banned.uscc),)
                    self.truth.add(Truth("SUCCESSOR_OF_DEBARRED", None, (org.uscc,), other))

    # -- records ---------------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        for org in [*self.suppliers, *self.purchasers, *self.agencies]:
            roles = {"ORGAN": ["PURCHASER"], "AGENCY": ["AGENCY"]}.get(org.category, ["SUPPLIER"])
            yield _rec(
                "organization",
                uscc=org.uscc,
                name=org.name,
                roles=roles,
                region=org.region,
                registered_on=org.registered.isoformat(),
                address=org.address,
                phones=[org.phone],
                bank_accounts=[org.account],
            )
        experts = {e.id_number for es in self.experts.values() for e in es}
        for p in self.people:
            expert = {"specialties": ["综合"]} if p.id_number in experts else None
            yield _rec("person", id_number=p.id_number, name=p.name, expert=expert)
        yield from self._tie_records()
        for gid, kind in self.groups.items():
            yield _rec("group", id=gid, name=f"模拟{kind.lower()}{gid}", kind=kind)
        for org, gid, start, end in self.memberships:
            yield _rec(
                "tie",
                kind="MEMBER_OF",
                to={"group": gid},
                valid_from=start.isoformat() if start else None,
                valid_to=end.isoformat() if end else None,
                **{"from": {"org": org.uscc}},
            )
        yield from self._lot_records()
        yield from self.violations

    def _tie_records(self) -> Iterator[Record]:
        for t in self.ties:
            source = (
                {"person": t.source.id_number}
                if isinstance(t.source, _Person)
                else {"org": t.source.uscc}
            )
            yield _rec(
                "tie",
                kind=t.kind,
                to={"org": t.target.uscc},
                share=str(t.share) if t.share is not None else None,
                valid_from=t.valid_from.isoformat() if t.valid_from else None,
                valid_to=t.valid_to.isoformat() if t.valid_to else None,
                **{"from": source},
            )
        for expert, person, kinship in self.kin:
            yield _rec(
                "tie",
                kind="RELATIVE_OF",
                to={"person": person.id_number},
                kinship=kinship,
                **{"from": {"person": expert.id_number}},
            )

    def _lot_records(self) -> Iterator[Record]:
        rng = self.rng
        for lot in self.lots:
            deadline = datetime.combine(lot.day, time(9, 30), _CST)
            yield _rec(
                "project",
                id=lot.project,
                name=f"模拟采购项目{lot.project}",
                purchaser=lot.purchaser.uscc,
                agency=lot.agency.uscc if lot.agency else None,
                ocid=f"ocds-sim001-{lot.project}",
                category=lot.category,
                published_on=(lot.day - timedelta(days=20)).isoformat(),
                sections=lot.tender_sections or None,
            )
            yield _rec(
                "lot",
                id=lot.id,
                project=lot.project,
                name=f"包1：{lot.id}",
                budget={"amount": str(lot.budget)},
                bid_deadline=deadline.isoformat(),
            )
            for j, bid in enumerate(lot.bids, start=1):
                org = bid.supplier
                devices = [
                    {"kind": "IP", "value": org.ip},
                    {"kind": "MAC", "value": org.mac},
                    {"kind": "MACHINE_CODE", "value": f"MC-{org.mac}"},
                    {"kind": "CA_CERT", "value": f"CA-{org.uscc}"},
                ]
                if rng.random() < 0.6:
                    devices.append({"kind": "AUTHOR", "value": org.author})
                fields: Record = {
                    "id": f"{lot.id}-B{j:02d}",
                    "lot": lot.id,
                    "supplier": org.uscc,
                    "price": {"amount": str(bid.price)},
                    "submitted_at": (
                        deadline - timedelta(minutes=rng.randint(30, 9000))
                    ).isoformat(),
                    "status": bid.status,
                    "contact": {"person": org.staff.id_number},
                    "contact_phone": org.phone,
                    "deposit_account": org.account,
                    "devices": devices,
                    "file_fingerprint": f"{rng.getrandbits(64):016x}",
                }
                yield _rec("bid", **(fields | bid.extra))
            winner = lot.winner()
            if winner is not None:
                price = min(
                    b.price for b in lot.bids if b.supplier is winner and b.status == "VALID"
                )
                yield _rec(
                    "award",
                    id=f"{lot.id}-AW",
                    lot=lot.id,
                    supplier=winner.uscc,
                    amount={"amount": str(price)},
                    awarded_on=(lot.day + timedelta(days=5)).isoformat(),
                )
            for k, expert in enumerate(lot.reviewers, start=1):
                yield _rec(
                    "review",
                    id=f"{lot.id}-RV{k}",
                    expert=expert.id_number,
                    lot=lot.id,
                    reviewed_on=lot.day.isoformat(),
                )


def _section(key: str) -> Record:
    """A section fingerprint, made up from a key as a document's text would give it."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return {"kind": "SECTION", "hash": f"sha256:{digest}", "title": f"章节{digest[:6]}"}


def _rec(record_type: str, /, **fields: Any) -> Record:
    return {
        "type": record_type,
        **{k: v for k, v in fields.items() if v is not None},
        "source": SOURCE,
    }


def simulate(seed: int, out: Path, suppliers: int = 600) -> tuple[int, int]:
    """Write records.jsonl and truth.jsonl into `out`; return (records, truth cases)."""
    market = Market(seed, suppliers)
    market.build()
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out / "records.jsonl").open("w", encoding="utf-8") as handle:
        for record in market.records():
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    truth = sorted(market.truth, key=lambda t: (t.pattern, t.lot or "", t.suppliers, t.others))
    with (out / "truth.jsonl").open("w", encoding="utf-8") as handle:
        for case in truth:
            handle.write(json.dumps(case.line(), ensure_ascii=False) + "\n")
    (out / "market.json").write_text(
        json.dumps({"seed": seed, "suppliers": suppliers, "today": TODAY.isoformat()}) + "\n",
        encoding="utf-8",
    )
    return count, len(truth)
