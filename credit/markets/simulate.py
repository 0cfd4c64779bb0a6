"""A simulated market with planted cases of every detection pattern, and its ground truth.

The demo market (credit.markets.demo) plants rings for show but keeps no ground truth, so this is a
simpler market built for measuring the detectors: competitive background bidding (local
suppliers drawn by activity, prices scattered around 90% of the budget, rounded as real bids
are, the cheapest valid bid wins), people and ties behind every supplier, review panels, and
then the planted cases and near-misses (that must not be flagged) each detector declares next
to its rule (credit.detection.planting), run in the registry's order.

The truth is what the generator knows it made, applied with the rule's own definition: for
structural ties (one person behind two bidders, a holding, a reviewer's tie, a banned
supplier's people) every lot where the tie meets the bidders counts, not only the lot the
tie was planted for. Everything comes from one `random.Random(seed)`, so a seed always gives
the same market.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from credit.detection.common import years_before
from credit.detection.planting import END, START, Bid, Lot, Org, Party, Person, Tie, Wave, cents
from credit.detection.registry import DETECTORS
from credit.domain.identifiers import organization_code_check
from credit.markets.reference import TODAY

SOURCE = "sim"
_CST = timezone(timedelta(hours=8))
_CATEGORIES = ("GOODS", "WORKS", "SERVICES")
_REGIONS = ("330106", "320102", "440106", "510104")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟强磊军勇杰涛斌超明芳娜敏静丽艳娟霞燕玲"
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


# Bidders in a background lot, and how often each count occurs.
BIDDERS = (2, 3, 4, 5, 6, 7, 8)
BIDDER_WEIGHTS = (4, 14, 18, 18, 16, 14, 12)


def budget_of(rng: random.Random) -> Decimal:
    """A project's budget: 100 000 to 10 million yuan, to the thousand."""
    return cents(round(10 ** rng.uniform(5, 7), -3))


def quote(rng: random.Random, budget: Decimal, ratio: float | None = None) -> Decimal:
    """A competitive quote, rounded as bidders do: to 100 yuan, to the yuan or the cent."""
    r = ratio if ratio is not None else min(1.05, max(0.7, rng.gauss(0.9, 0.05)))
    raw = float(budget) * r
    roll = rng.random()
    if roll < 0.5:
        return cents(round(raw, -2))
    if roll < 0.8:
        return cents(round(raw))
    return cents(raw)


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
        self.people: list[Person] = []
        self.suppliers: list[Org] = []
        self.purchasers: list[Org] = []
        self.agencies: list[Org] = []
        self.experts: dict[str, list[Person]] = {c: [] for c in _CATEGORIES}
        self.lots: list[Lot] = []
        self.ties: list[Tie] = []
        self.kin: list[tuple[Person, Person, str]] = []
        self.violations: list[Record] = []
        # groups and associations: id -> kind, and (member, group id, from, to) memberships
        self.groups: dict[str, str] = {}
        self.memberships: list[tuple[Org, str, date | None, date | None]] = []
        self.truth: set[Truth] = set()
        self.by_target: dict[str, list[Tie]] = {}  # the ties, indexed once planting is done
        self._orgs = 0
        self._projects = 0
        self.plants = max(8, suppliers // 60)
        self.round = 0  # of the planting wave under way
        self.rigged: list[Lot] = []  # lots whose prices a ring set

    # -- identities ------------------------------------------------------------------------

    def person(self) -> Person:
        n = len(self.people) + 1
        birth = date(1960, 1, 1) + timedelta(days=n // 900)
        stem = f"110101{birth:%Y%m%d}{n % 900 + 1:03d}"
        rng = self.rng
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        p = Person(stem + ric.calc_check_digit(stem + "0"), name)
        self.people.append(p)
        return p

    def _uscc(self, kind: str, region: str) -> str:
        self._orgs += 1
        body = f"{self._orgs:08d}"
        stem = kind + region + body + organization_code_check(body)
        return stem + str(uscc.calc_check_digit(stem))

    def org(self, category: str, region: str, registered: date, kind: str = "91") -> Org:
        rng = self.rng
        code = self._uscc(kind, region)
        n = self._orgs
        return Org(
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

    def supplier(self, org: Org) -> Org:
        """A supplier with its legal representative and its staff member (the bid contact)."""
        self.suppliers.append(org)
        self.ties.append(Tie("LEGAL_REP_OF", org.rep, org, org.registered))
        self.ties.append(Tie("EMPLOYED_BY", org.staff, org, org.registered))
        return org

    def day(self, first: date = START, last: date = END) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def local_buyer(self, region: str) -> Org:
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
                    Tie("EMPLOYED_BY", expert, old, ended - timedelta(days=900), ended)
                )
        for _ in range(self.size * 4 // 3):
            self.background_lot()
        self.plant_all()
        self.review_panels()
        self.derive_truth()

    def project_lot(
        self, category: str, day: date, purchaser: Org | None = None, agency: bool = True
    ) -> Lot:
        rng = self.rng
        buyers = self.purchasers
        buyer = purchaser or rng.choices(buyers, weights=[b.activity for b in buyers])[0]
        self._projects += 1
        project = f"SIM-{day.year}-{self._projects:05d}"
        budget = budget_of(rng)
        lot = Lot(
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

    def draw(self, lot: Lot, count: int, exclude: Iterable[Org] = ()) -> list[Org]:
        """Bidders of the lot's trade, mostly local, the busier more often."""
        rng = self.rng
        taken = {o.uscc for o in exclude} | {o.uscc for o in lot.suppliers}
        pool = [o for o in self.suppliers if o.category == lot.category and o.pooled]
        local = [o for o in pool if o.region == lot.purchaser.region]
        chosen: list[Org] = []
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

    def compete(self, lot: Lot, bidders: Iterable[Org]) -> None:
        rng = self.rng
        for org in bidders:
            status = "VALID"
            roll = rng.random()
            if roll < 0.04:
                status = "DISQUALIFIED"
            elif roll < 0.06:
                status = "WITHDRAWN"
            lot.bids.append(Bid(org, self.price(lot.budget), status))

    def background_lot(self) -> None:
        rng = self.rng
        lot = self.project_lot(rng.choice(_CATEGORIES), self.day())
        count = rng.choices(BIDDERS, weights=BIDDER_WEIGHTS)[0]
        self.compete(lot, self.draw(lot, count))

    def free_lot(self, min_bidders: int = 3) -> Lot:
        """A background lot no plant has claimed, with enough bidders."""
        while True:
            lot = self.rng.choice(self.lots)
            if not lot.planted and len(lot.bids) >= min_bidders:
                lot.planted = True
                return lot

    def pair(self) -> tuple[Org, Org]:
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

    def meet(self, orgs: list[Org], day: date | None = None, budget: Decimal | None = None) -> Lot:
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

    def rounds(self, wave: Wave) -> int:
        """How many rounds a planting wave runs."""
        if wave is Wave.HISTORY:
            return max(3, self.plants // 2)
        if wave is Wave.BANS:
            return max(2, self.plants // 3)
        return 1 if wave is Wave.AFTER else self.plants

    def plant_all(self) -> None:
        """Every registered detector's planted cases, wave by wave; in a wave each round runs
        the steps by their order (credit.detection.planting)."""
        steps = [
            p
            for _, p in sorted(
                (((d.order if p.order is None else p.order), i, j), p)
                for i, d in enumerate(DETECTORS)
                for j, p in enumerate(d.plants)
            )
        ]
        for wave in Wave:
            mine = [p.step for p in steps if p.wave is wave]
            for n in range(self.rounds(wave)):
                self.round = n
                for step in mine:
                    step(self)

    def private_buyer(self, region: str) -> Org:
        """A purchaser of the region that buys only on the lots a plant gives it."""
        buyer = self.org("ORGAN", region, date(1995, 1, 1), kind="11")
        self.purchasers.append(buyer)
        buyer.activity = 0.0
        return buyer

    def ring_lots(self, members: list[Org], count: int) -> list[Lot]:
        """`count` planted lots of the members' trade at local purchasers, by date."""
        days = sorted(self.day() for _ in range(count))
        lots = []
        for day in days:
            lot = self.project_lot(members[0].category, day, self.local_buyer(members[0].region))
            lot.planted = True
            lots.append(lot)
        return lots

    def ring(self, size: int) -> list[Org]:
        """Up to `size` suppliers of one trade and region, its first two pooled."""
        a, b = self.pair()
        peers = [
            o
            for o in self.suppliers
            if o.category == a.category and o.region == a.region and o not in (a, b)
        ]
        return [a, b, *self.rng.sample(peers, min(size - 2, len(peers)))]

    def tie(self, tie: Tie) -> None:
        self.ties.append(tie)

    def replace_rep(self, org: Org, person: Person, since: date) -> None:
        """`person` becomes the legal representative of `org` from `since`."""
        kept = []
        for t in self.ties:
            if t.kind == "LEGAL_REP_OF" and t.target is org and t.valid_to is None:
                if t.valid_from is not None and t.valid_from >= since:
                    continue  # never in office: replaced from the start
                t = replace(t, valid_to=since - timedelta(days=1))
            kept.append(t)
        self.ties = [*kept, Tie("LEGAL_REP_OF", person, org, since)]

    def rep_of(self, org: Org, day: date) -> Person:
        """The legal representative of `org` on `day`."""
        return next(
            t.source
            for t in self.ties
            if t.kind == "LEGAL_REP_OF"
            and t.target is org
            and t.overlaps(day, day)
            and isinstance(t.source, Person)
        )

    def ban(self, org: Org, decided: date) -> None:
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

    def lead(self, lot: Lot, org: Org, low: float, high: float) -> Decimal:
        base = self.price(lot.budget, self.rng.uniform(low, high))
        lot.bids.append(Bid(org, base))
        return base

    def above(self, lot: Lot, orgs: Iterable[Org], base: Decimal, low: float, high: float) -> None:
        for org in orgs:
            lot.bids.append(Bid(org, self.price(base, self.rng.uniform(low, high))))

    def reviewer(self, lot: Lot) -> Person:
        """A new expert of the lot's trade on the lot's panel."""
        expert = self.person()
        self.experts[lot.category].append(expert)
        lot.reviewers.append(expert)
        return expert

    def group(self, kind: str) -> str:
        """A new group or association; its id."""
        gid = f"SIMG{len(self.groups) + 1:04d}"
        self.groups[gid] = kind
        return gid

    def member(self, org: Org, group: str, start: date | None, end: date | None) -> None:
        self.memberships.append((org, group, start, end))

    def record(self, pattern: str, lot: Lot | None, orgs: Iterable[Org], *others: Party) -> None:
        codes = tuple(sorted(o.uscc for o in orgs))
        self.truth.add(Truth(pattern, lot.id if lot else None, codes, others))

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

    def behind(self, org: Org, day: date, kinds: Iterable[str]) -> list[Tie]:
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
                    if isinstance(t.source, Person):
                        people.setdefault(t.source.id_number, set()).add(code)
                for t in self.behind(org, lot.day, _HOLDINGS):
                    if isinstance(t.source, Org) and t.source.uscc in bidders:
                        pair = tuple(sorted((code, t.source.uscc)))
                        self.truth.add(Truth("DIRECT_HOLDING", lot.id, pair))
            for codes in people.values():
                if len(codes) > 1:
                    self.truth.add(Truth("SAME_CONTROLLER", lot.id, tuple(sorted(codes))))
            self._common_controller_truth(lot, bidders)
            self._reviewer_truth(lot, bidders)
        self._successor_truth()
        self._staff_and_group_truth()

    def _common_controller_truth(self, lot: Lot, bidders: dict[str, Org]) -> None:
        """Pairs with a controller (CONTROLS, or a majority) in common but no responsible
        person in common: credit.standing.participation's COMMON_CONTROLLER."""

        def key(party: Org | Person) -> str:
            return party.uscc if isinstance(party, Org) else party.id_number

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

    def _reviewer_truth(self, lot: Lot, bidders: dict[str, Org]) -> None:
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
                if isinstance(t.source, Person)
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
