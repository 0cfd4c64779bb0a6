"""Suppliers, agencies, purchasers, groups, rings, people, ties and experts."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from credit.domain.records import (
    GroupKind,
    Kinship,
    OrgRole,
    ProcurementCategory,
    TieKind,
)
from credit.markets.base import MarketBase
from credit.markets.ledger import (
    _Org,
    _Person,
    _Pool,
    _Ring,
)
from credit.markets.reference import (
    _AGENCY_KINDS,
    _CITIES,
    _CONSULTANCIES,
    _INDUSTRIES,
    _ITEMS,
    _MEDICAL_UNITS,
    _ORGANS,
    _OTHER_UNITS,
    _PATTERNS,
    _POLICY_SPECIALTY,
    _SCHOOL_UNITS,
    _SUFFIX_WEIGHTS,
    _SUFFIXES,
    GOODS,
    SERVICES,
    TODAY,
    WORKS,
    JsonRecord,
    _record,
)


class Parties(MarketBase):
    """Suppliers, agencies, purchasers, groups, rings, people, ties and experts."""

    def _make_suppliers(self) -> None:
        rng = self.rng
        for _ in range(self.size):
            city = self._city()
            category = rng.choices((GOODS, WORKS, SERVICES), weights=(45, 25, 30))[0]
            service = None
            trade = rng.choice(_INDUSTRIES[category])
            if category is SERVICES and rng.random() < 0.15:
                trade, service = rng.choice(_CONSULTANCIES)
            suffix = rng.choices(_SUFFIXES, weights=_SUFFIX_WEIGHTS)[0]
            name, brand = self._company_name(city, trade, suffix)
            registered = self._day(date(1996, 1, 1), date(2020, 6, 30))
            org = self._org("91", name, brand, city, [OrgRole.SUPPLIER], registered)
            org.category, org.service = category, service
            self.suppliers.append(org)
            self.activity[org] = min(rng.paretovariate(1.3), 30.0)

    def _make_agencies(self) -> None:
        rng = self.rng
        for i in range(max(2, self.size // 30)):
            city = _CITIES[i % len(_CITIES)] if i < len(_CITIES) else self._city()
            registered = self._day(date(1998, 1, 1), date(2015, 12, 31))
            if i < len(_CITIES) // 3:  # a few cities run a central procurement centre
                name, kind, brand = f"{city.full}政府采购中心", "12", city.name
            else:
                kind = "91"
                name, brand = self._company_name(city, "", rng.choice(_AGENCY_KINDS))
            org = self._org(kind, name, brand, city, [OrgRole.AGENCY], registered)
            org.public = kind == "12"
            self.agencies.append(org)

    def _make_purchasers(self) -> None:
        rng = self.rng
        for _ in range(max(3, self.size // 15)):
            for attempt in count():
                city = self._city()
                roll = rng.random()
                if roll < 0.45:
                    unit, kind, audience = rng.choice(_ORGANS), "11", "organ"
                elif roll < 0.7:
                    unit, kind, audience = rng.choice(_MEDICAL_UNITS), "12", "medical"
                elif roll < 0.9:
                    unit, kind, audience = rng.choice(_SCHOOL_UNITS), "12", "school"
                else:
                    unit, kind, audience = rng.choice(_OTHER_UNITS), "12", "organ"
                district = rng.choice(city.districts)[1] if rng.random() < 0.4 else ""
                if district and unit == "卫生健康委员会":
                    unit = "卫生健康局"
                name = f"{city.full}{district}{unit}"
                if attempt > 30:  # a large market has used up the named units: number them
                    unit = "中学" if audience == "school" else "人民医院"
                    kind, audience = "12", "school" if audience == "school" else "medical"
                    name = f"{city.full}{district}第{self._next(city.name + district + unit)}{unit}"
                if name not in self.taken:
                    self.taken.add(name)
                    break
            registered = self._day(date(1990, 1, 1), date(2005, 12, 31))
            org = self._org(kind, name, city.name, city, [OrgRole.PURCHASER], registered)
            org.public, org.audience = kind == "12", audience
            self.purchasers.append(org)

    def _index_suppliers(self) -> None:
        by_category: dict[tuple[ProcurementCategory, str], list[_Org]] = {}
        for org in self.suppliers:
            assert org.category is not None
            by_category.setdefault((org.category, ""), []).append(org)
            by_category.setdefault((org.category, org.city.province), []).append(org)
        self.pools = {
            key: _Pool(orgs, [self.activity[o] for o in orgs]) for key, orgs in by_category.items()
        }

    def _draw(
        self, category: ProcurementCategory, province: str, count: int, exclude: list[_Org]
    ) -> list[_Org]:
        """Bidders for a lot: mostly local firms, the busier ones more often."""
        taken = set(exclude)
        chosen: list[_Org] = []
        local = self.pools.get((category, province))
        national = self.pools[(category, "")]
        for _ in range(count * 30):
            if len(chosen) >= count:
                break
            pool = local if local and self.rng.random() < 0.7 else national
            org = pool.draw(self.rng)
            if org not in taken:
                taken.add(org)
                chosen.append(org)
        return chosen

    # -- groups and rings ----------------------------------------------------------------

    def _group(self, name: str, kind: GroupKind, members: list[_Org], since: date) -> str:
        group_id = f"GRP-{len(self.out['group']) + 1:05d}"
        self.out["group"].append(_record("group", {"id": group_id, "name": name, "kind": kind}))
        for org in members:
            self._tie(TieKind.MEMBER_OF, org.ref, {"group": group_id}, valid_from=since)
        return group_id

    def _make_business_groups(self) -> None:
        """Parents holding subsidiaries in the same trade (a direct holding, Regs Art. 18)."""
        rng = self.rng
        parents = [o for o in self.suppliers if o.name.endswith("集团有限公司")]
        for parent in self._sample(parents, max(2, self.size // 300)):
            if parent in self.grouped:
                continue
            peers = [
                o
                for o in self.pools[(parent.category or GOODS, parent.city.province)].orgs
                if o not in self.grouped and o is not parent
            ]
            subsidiaries = self._sample(peers, rng.randint(2, 4))
            if len(subsidiaries) < 2:
                continue
            for sub in subsidiaries:
                sub.parent = parent
            members = [parent, *subsidiaries]
            self.grouped.update(members)
            self.business_groups.append(members)
            since = max(o.registered_on for o in members)
            self._group(f"{parent.brand}集团", GroupKind.GROUP, members, since)

    def _make_rings(self) -> None:
        """Plant colluding rings; each cycles through `_PATTERNS` so every pattern is present."""
        rng = self.rng
        ringed: set[_Org] = set()
        free = [o for o in self.suppliers if o not in self.grouped]
        for i in range(max(len(_PATTERNS), self.size // 100)):
            pattern = _PATTERNS[i % len(_PATTERNS)]
            patterns: tuple[str, ...] = (pattern,)
            if pattern not in ("purchaser", "rotation") and rng.random() < 0.3:
                extra = rng.choice(("deposit", "ip", "device", "contact", "progression"))
                patterns = tuple(dict.fromkeys((pattern, extra)))
            members: list[_Org]
            if pattern == "group":
                groups = [g for g in self.business_groups if not ringed.intersection(g)]
                if not groups:
                    continue
                members = self._sample(rng.choice(groups), rng.randint(2, 3))
            else:
                candidates = [o for o in free if o not in ringed]
                if not candidates:
                    break
                seed = rng.choice(candidates)
                size = 1 if pattern == "purchaser" else rng.choice((2, 2, 3, 3, 4))
                peers = [
                    o
                    for o in self.pools[(seed.category or GOODS, seed.city.province)].orgs
                    if o not in ringed and o not in self.grouped and o is not seed
                ]
                members = [seed, *self._sample(peers, size - 1)]
                if len(members) < min(size, 2):
                    continue
            ringed.update(members)
            if pattern == "legal_rep":  # one boss behind two "competitors" at one address
                self.shared_rep[members[1]] = members[0]
                members[1].record["address"] = members[0].record["address"]
            elif pattern == "holding":
                members[1].parent = members[0]
            self.rings.append(_Ring(members, patterns))

    # -- people and the ties that bind them ----------------------------------------------

    def _adult_in(self, year: int) -> tuple[int, int]:
        return (1955, max(1956, min(2000, year - 22)))

    def _make_people(self) -> None:
        """Legal reps, unit heads, staff and spouses: about 1.2 people per supplier."""
        rng = self.rng
        reps_by_city: dict[str, list[_Person]] = {}
        for org in self.suppliers:
            if org in self.shared_rep:
                continue
            known = [
                p
                for p in reps_by_city.get(org.city.name, [])[-50:]
                if p.birth.year <= org.registered_on.year - 22
            ]
            if known and rng.random() < 0.03:  # some bosses run a second company
                org.legal_rep = rng.choice(known)
            else:
                org.legal_rep = self._person(org.city, self._adult_in(org.registered_on.year))
                reps_by_city.setdefault(org.city.name, []).append(org.legal_rep)
        for org, twin in self.shared_rep.items():
            org.legal_rep = twin.legal_rep
        for org in self.agencies:
            person = self._person(org.city, self._adult_in(2000))
            if org.public:
                org.head = person
                self._tie(TieKind.RESPONSIBLE_FOR, person.ref, org.ref)
            else:
                org.legal_rep = person
                self._tie(TieKind.LEGAL_REP_OF, person.ref, org.ref, valid_from=org.registered_on)
        for org in self.purchasers:
            if rng.random() < 0.5:
                org.head = self._person(org.city, self._adult_in(2010))
                self._tie(TieKind.RESPONSIBLE_FOR, org.head.ref, org.ref)
        left = max(0, round(1.2 * self.size) - len(self.out["person"]))
        self._make_staff(left - left // 3)
        spouses = left // 3
        for org in self.suppliers:
            spouses -= self._corporate_ties(org, spouses > 0)
        self._ring_ties()
        self._family_ties()
        for org in self.suppliers:
            org.author = "Administrator" if rng.random() < 0.06 else org.contact.name

    def _make_staff(self, count: int) -> None:
        """Employees (bid contacts, directors, supervisors), some with an earlier employer."""
        rng = self.rng
        everyone = _Pool(self.suppliers, [self.activity[o] for o in self.suppliers])
        for _ in range(count):
            org = everyone.draw(rng)
            person = self._person(org.city, (1965, 2000))
            adult = date(person.birth.year + 22, 7, 1)
            start = self._day(max(org.registered_on, adult), TODAY - timedelta(days=60))
            org.staff.append(person)
            if rng.random() < 0.25 and start - adult > timedelta(days=800):
                previous = rng.choice(self.pools[(org.category or GOODS, org.city.province)].orgs)
                first = self._day(max(previous.registered_on, adult), start - timedelta(days=400))
                if previous is not org and first < start:
                    self._tie(
                        TieKind.EMPLOYED_BY,
                        person.ref,
                        previous.ref,
                        valid_from=first,
                        valid_to=max(first, start - timedelta(days=rng.randint(1, 60))),
                    )
            self._tie(TieKind.EMPLOYED_BY, person.ref, org.ref, valid_from=start)

    def _corporate_ties(self, org: _Org, spouse_allowed: bool) -> int:
        """Legal rep, owners, controller, directors and supervisor of one supplier.

        Returns how many spouses were created, so the caller can keep to its people budget.
        """
        rng = self.rng
        rep = org.legal_rep
        assert rep is not None
        since = org.registered_on
        created = 0
        self._tie(TieKind.LEGAL_REP_OF, rep.ref, org.ref, valid_from=since)
        if org.parent is not None:
            share = rng.choice((40, 51, 60, 70, 80, 100))
            self._tie(
                TieKind.OWNS, org.parent.ref, org.ref, share=f"{share / 100:.2f}", valid_from=since
            )
            control = TieKind.CONTROLS if share > 50 else TieKind.MANAGES
            self._tie(control, org.parent.ref, org.ref, valid_from=since)
            holder: _Person | None = rep
        else:
            share = rng.choice((100, 100, 100, 90, 80, 70, 60, 51, 50))
            self._tie(TieKind.OWNS, rep.ref, org.ref, share=f"{share / 100:.2f}", valid_from=since)
            if share > 50:
                self._tie(TieKind.CONTROLS, rep.ref, org.ref, valid_from=since)
            holder = None
            roll = rng.random()
            if share < 100 and rep in self.spouses:
                holder = self.spouses[rep]
            elif share < 100 and spouse_allowed and roll < 0.5:  # a husband-and-wife firm
                holder = self._person(
                    rep.city,
                    (max(1955, rep.birth.year - 4), min(2000, rep.birth.year + 4)),
                    male=not rep.male,
                )
                self.spouses[rep] = holder
                self._tie(TieKind.RELATIVE_OF, rep.ref, holder.ref, kinship=Kinship.SPOUSE)
                created = 1
            elif share < 100 and org.staff:
                holder = org.staff[-1]
            elif share < 100:
                holder = rng.choice(self.pools[(org.category or GOODS, "")].orgs).legal_rep
        if share < 100 and holder is not None and (holder is not rep or org.parent):
            self._tie(
                TieKind.OWNS,
                holder.ref,
                org.ref,
                share=f"{(100 - share) / 100:.2f}",
                valid_from=since,
            )
        if rng.random() < 0.6:
            self._tie(TieKind.DIRECTOR_OF, rep.ref, org.ref, valid_from=since)
        if org.name.endswith(("股份有限公司", "集团有限公司")):
            for person in org.staff[:2]:
                self._tie(TieKind.DIRECTOR_OF, person.ref, org.ref, valid_from=since)
        if org.staff and rng.random() < 0.4:
            self._tie(TieKind.SUPERVISOR_OF, org.staff[-1].ref, org.ref, valid_from=since)
        return created

    def _relate(self, person: _Person, relative: _Person, kinship: Kinship) -> None:
        """`person` is the `kinship` of `relative`; siblings and a father's child share a name."""
        if kinship is Kinship.SIBLING and person.surname != relative.surname:
            if person in self.renamed:  # already named after other kin: a cousin, then
                kinship = Kinship.COLLATERAL_THIRD_DEGREE
            else:
                self._rename(person, relative.surname)
        elif kinship is Kinship.PARENT and person.male and relative not in self.renamed:
            self._rename(relative, person.surname)
        self._tie(TieKind.RELATIVE_OF, person.ref, relative.ref, kinship=kinship)

    def _rename(self, person: _Person, surname: str) -> None:
        person.name = surname + person.name[len(person.surname) :]
        person.surname = surname
        person.record["name"] = person.name
        self.renamed.add(person)

    def _family_ties(self) -> None:
        """Parents and grown children running firms in the same city."""
        rng = self.rng
        reps: dict[str, list[_Person]] = {}
        for org in self.suppliers:
            if org.legal_rep is not None:
                reps.setdefault(org.city.name, []).append(org.legal_rep)
        cities = [name for name, people in reps.items() if len(people) > 1]
        pairs = 0
        for _ in range(self.size):
            if pairs >= max(2, self.size // 150) or not cities:
                break
            pair = self._sample(reps[rng.choice(cities)], 2)
            elder, younger = sorted(pair, key=lambda p: p.birth)
            if younger.birth.year - elder.birth.year >= 22 and younger not in self.renamed:
                self._relate(elder, younger, Kinship.PARENT)
                pairs += 1

    def _ring_ties(self) -> None:
        """Siblings as legal reps of a `kin` ring: one family behind both bidders."""
        for ring in self.rings:
            if "kin" in ring.patterns:
                first, second = (m.legal_rep for m in ring.members[:2])
                assert first is not None and second is not None
                self._relate(second, first, Kinship.SIBLING)

    def _make_associations(self) -> None:
        """Trade associations (Regs Art. 74: members bidding on the association's instruction)."""
        rng = self.rng
        labels = {GOODS: "医疗器械行业协会", WORKS: "建筑业协会", SERVICES: "软件行业协会"}
        for _ in range(max(2, self.size // 500)):
            city = self._city()
            category = rng.choice((GOODS, WORKS, SERVICES))
            name = f"{city.province}{labels[category]}"
            if name in self.taken:
                continue
            self.taken.add(name)
            pool = self.pools.get((category, city.province))
            if pool is None:
                continue
            members = self._sample(pool.orgs, rng.randint(10, 60))
            since = max(o.registered_on for o in members)
            self._group(name, GroupKind.ASSOCIATION, members, since)

    def _make_experts(self) -> None:
        """Review experts with specialties; some work for a hospital, school or supplier."""
        rng = self.rng
        public = [o for o in self.purchasers if o.public]
        for i in range(max(12, self.size // 10)):
            category = (GOODS, WORKS, SERVICES)[i % 3]
            fields = sorted({it[1] for it in _ITEMS[category]})
            specialties = self._sample(fields, rng.choice((1, 2, 2, 3)))
            if rng.random() < 0.15:
                specialties.append(_POLICY_SPECIALTY)
            profile: JsonRecord = {"specialties": specialties, "active": True}
            person = self._person(self._city(), (1955, 1990), expert=profile)
            roll = rng.random()
            if roll < 0.55 and public:
                profile["employer"] = rng.choice(public).uscc
            elif roll < 0.65:
                employer = rng.choice(self.pools[(category, "")].orgs)
                profile["employer"] = employer.uscc
                adult = date(person.birth.year + 23, 9, 1)
                since = self._day(max(employer.registered_on, adult), date(2022, 1, 1))
                self._tie(TieKind.EMPLOYED_BY, person.ref, employer.ref, valid_from=since)
            self.experts.append(person)
            for specialty in specialties:
                self.specialties.setdefault(specialty, []).append(person)
