"""Projects, lots, bids, awards, contracts, reviews and complaints."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from credit.domain.records import (
    Acceptance,
    BidStatus,
    ComplaintOutcome,
    DeviceKind,
    GroupKind,
    ProcurementCategory,
    ProcurementMethod,
    TieKind,
)
from credit.markets.ledger import (
    _Award,
    _Bid,
    _Contract,
    _Lot,
    _Org,
    _Pool,
    _Project,
    _Ring,
)
from credit.markets.parties import Parties
from credit.markets.reference import (
    _ACCEPTANCE_DAYS,
    _BIDS_PER_PROJECT,
    _BUDGET_RANGE,
    _CENT,
    _COMPLAINT_GROUNDS,
    _CROWDED_SHARE,
    _CST,
    _FIRST_PUBLICATION,
    _ITEMS,
    _LAST_PUBLICATION,
    _OUTER_KIN,
    _RECUSAL_PLANTS,
    GOODS,
    SERVICES,
    TODAY,
    WORKS,
    JsonRecord,
    _money,
    _record,
)


class Procurement(Parties):
    """Projects, lots, bids, awards, contracts, reviews and complaints."""

    # -- procurement -----------------------------------------------------------------------

    def _budget(self, category: ProcurementCategory) -> Decimal:
        low, high = _BUDGET_RANGE[category]
        if category is WORKS and self.rng.random() < 0.02:  # the odd new hospital wing
            return Decimal(round(self._loguniform(1e8, 5e8), -4))
        return Decimal(round(self._loguniform(low, high), -3))

    def _method(
        self, category: ProcurementCategory, budget: Decimal, lots: int
    ) -> ProcurementMethod:
        if category is WORKS and budget >= 4_000_000:  # works of this size must be tendered
            return ProcurementMethod.OPEN_TENDERING
        methods = [
            ProcurementMethod.OPEN_TENDERING,
            ProcurementMethod.COMPETITIVE_CONSULTATION,
            ProcurementMethod.COMPETITIVE_NEGOTIATION,
            ProcurementMethod.SELECTIVE_TENDERING,
            ProcurementMethod.FRAMEWORK,
        ]
        weights = [50, 22, 10, 4, 3]
        if category is GOODS:
            methods.append(ProcurementMethod.REQUEST_FOR_QUOTATION)
            weights.append(12)
        if category is not WORKS and lots == 1:
            methods.append(ProcurementMethod.SINGLE_SOURCE)
            weights.append(6)
        return self.rng.choices(methods, weights=weights)[0]

    def _project_count(self) -> int:
        """About 0.6 projects a supplier; with a bid target, as many as give that many bids."""
        if self.bids is None:
            return max(12, self.size * 3 // 5)
        return max(12, round(self.bids / _BIDS_PER_PROJECT))

    def _make_projects(self) -> None:
        rng = self.rng
        buyers = _Pool(self.purchasers, [rng.paretovariate(1.5) for _ in self.purchasers])
        for n in range(self._project_count()):
            purchaser = buyers.draw(rng)
            category = rng.choices((GOODS, WORKS, SERVICES), weights=(45, 20, 35))[0]
            items = [it for it in _ITEMS[category] if it[2] in ("all", purchaser.audience)]
            item, specialty, _, lot_items = rng.choice(items)
            published = self._day(_FIRST_PUBLICATION, _LAST_PUBLICATION)
            chosen = self._sample(lot_items, rng.choices((1, 2, 3), weights=(60, 25, 15))[0])
            budgets = [self._budget(category) for _ in chosen]
            method = self._method(category, sum(budgets, Decimal(0)), len(chosen))
            agency = None
            if rng.random() < 0.85:
                local = [a for a in self.agencies if a.city is purchaser.city]
                agency = rng.choice(local if local and rng.random() < 0.8 else self.agencies)
            if category is WORKS:
                name = f"{purchaser.name}{item}"
            else:
                name = f"{purchaser.name}{published.year}年{item}采购项目"
            project_id = f"ZFCG-{published.year}-{n + 1:05d}"
            project = _Project(
                project_id, name, purchaser, agency, method, category, specialty, published
            )
            self.projects.append(project)
            self._keep(
                "project",
                _record(
                    "project",
                    {
                        "id": project_id,
                        "name": name,
                        "purchaser": purchaser.uscc,
                        "agency": agency.uscc if agency else None,
                        "ocid": f"ocds-demo01-{project_id}" if rng.random() < 0.4 else None,
                        "method": method,
                        "category": category,
                        "budget": _money(sum(budgets, Decimal(0))),
                        "published_on": published.isoformat(),
                    },
                ),
            )
            tendered = method in (
                ProcurementMethod.OPEN_TENDERING,
                ProcurementMethod.SELECTIVE_TENDERING,
            )
            for k, (lot_item, budget) in enumerate(zip(chosen, budgets, strict=True), start=1):
                days = rng.randint(20, 35) if tendered else rng.randint(5, 15)
                deadline = datetime.combine(published + timedelta(days=days), time(9, 30), _CST)
                lot = _Lot(f"{project_id}-{k}", project, budget, deadline)
                project.lots.append(lot)
                self.lots.append(lot)
                self._keep(
                    "lot",
                    _record(
                        "lot",
                        {
                            "id": lot.id,
                            "project": project_id,
                            "name": f"包{k}：{lot_item}",
                            "budget": _money(budget),
                            "bid_deadline": deadline.isoformat(),
                        },
                    ),
                )

    def _assign_ring_lots(self) -> None:
        """Each ring shares out a few lots of its trade, taking turns as the winner."""
        rng = self.rng
        closed = [
            lot
            for lot in self.lots
            if lot.deadline.date() <= TODAY - timedelta(days=30)
            and lot.project.method is not ProcurementMethod.SINGLE_SOURCE
        ]
        by_province: dict[tuple[ProcurementCategory, str], list[_Lot]] = {}
        for lot in closed:  # local lots in their original order, so a ring needs no full scan
            key = (lot.project.category, lot.project.purchaser.city.province)
            by_province.setdefault(key, []).append(lot)
        for ring in self.rings:
            lead = ring.members[0]
            assert lead.category is not None
            local_lots = by_province.get((lead.category, lead.city.province), [])
            local = [lot for lot in local_lots if lot.ring is None]
            if "purchaser" in ring.patterns or len(local) < 6:
                fitting = [
                    lot
                    for lot in closed
                    if lot.ring is None and lot.project.category is lead.category
                ]
            if "purchaser" in ring.patterns:  # a unit head's relative keeps winning there
                counts: dict[_Org, int] = {}
                for lot in fitting:
                    if lot.project.purchaser.head is not None:
                        buyer = lot.project.purchaser
                        counts[buyer] = counts.get(buyer, 0) + 1
                if not counts:
                    continue
                buyer = max(counts, key=lambda b: counts[b])
                fitting = [lot for lot in fitting if lot.project.purchaser is buyer]
                assert buyer.head is not None and lead.legal_rep is not None
                self._relate(buyer.head, lead.legal_rep, rng.choice(_OUTER_KIN))
            elif len(local) >= 6:
                fitting = local
            for i, lot in enumerate(
                sorted(self._sample(fitting, rng.randint(3, 6)), key=lambda lt: lt.deadline)
            ):
                lot.ring, lot.ring_winner = ring, ring.members[i % len(ring.members)]
                ring.lots.append(lot)

    def _plant_services(self) -> None:
        """Consultancies that designed or supervised a project; some then bid on it (Art. 18)."""
        rng = self.rng
        consultancies = [o for o in self.suppliers if o.service is not None]
        closed = [p for p in self.projects if p.lots[0].deadline.date() <= TODAY]
        if not consultancies:
            return
        for i, project in enumerate(self._sample(closed, max(3, len(self.projects) // 40))):
            provider = rng.choice(consultancies)
            since = project.published - timedelta(days=rng.randint(30, 240))
            self._tie(
                TieKind.PROVIDED_SERVICE,
                provider.ref,
                {"project": project.id},
                service=provider.service,
                valid_from=since,
            )
            if i % 3 == 0:
                rng.choice(project.lots).extra_bidders.append(provider)

    def _price(self, amount: float, cents: bool) -> Decimal:
        if cents:
            return Decimal(round(amount * 100)) / 100
        return Decimal(round(amount, -2))

    def _make_bids(self) -> None:
        for lot in self.lots:
            if lot.deadline.date() > TODAY:
                continue  # bids are opened at the deadline; this lot is still open
            project = lot.project
            if project.method is ProcurementMethod.SINGLE_SOURCE:
                count = 1
            else:
                count = self.rng.choices(range(3, 9), weights=(14, 20, 20, 16, 15, 15))[0]
                if self.bids is not None and self.rng.random() < _CROWDED_SHARE:
                    count = self.rng.randint(20, 30)  # a popular open tender draws a crowd
            ring = lot.ring.members if lot.ring else []
            bidders = [*ring, *(o for o in lot.extra_bidders if o not in ring)]
            province = project.purchaser.city.province
            bidders += self._draw(project.category, province, count - len(bidders), bidders)
            self._lot_bids(lot, bidders)

    def _lot_bids(self, lot: _Lot, bidders: list[_Org]) -> None:
        """Prices, times and bid files for one lot; a ring's bids carry its tell-tale signs."""
        rng = self.rng
        budget = float(lot.budget)
        ring = lot.ring
        prices: dict[_Org, Decimal] = {}
        floor = 0.0  # outsiders of a ring lot bid above the ring's winner
        if ring is not None and lot.ring_winner is not None:
            base = budget * rng.uniform(0.93, 0.97)  # a ring wins dearer than a real contest
            floor = base * rng.uniform(1.01, 1.03)
            others = [m for m in ring.members if m is not lot.ring_winner]
            rng.shuffle(others)
            headroom = (budget * 0.998 - base) / len(ring.members)
            step = Decimal(round(headroom * rng.uniform(0.4, 1.0), -2))
            prices[lot.ring_winner] = self._price(base, cents=False)
            for k, member in enumerate(others, start=1):
                if "progression" in ring.patterns:  # regular differences, Art. 37 (4)
                    prices[member] = prices[lot.ring_winner] + step * k
                else:  # cover bids just above the designated winner
                    cover = min(base * rng.uniform(1.01, 1.05), budget * rng.uniform(0.99, 0.998))
                    prices[member] = self._price(cover, cents=False)
            ring.fingerprint = f"{rng.getrandbits(128):032x}"
        ringed = set(prices)
        start = lot.deadline - timedelta(minutes=rng.randint(60, 48 * 60))
        taken = list(bidders)
        drafts: list[tuple[datetime, _Org, JsonRecord, list[_Org]]] = []
        for org in bidders:
            status = BidStatus.VALID
            if org not in ringed:
                ratio = min(1.04, max(0.7, rng.gauss(0.91, 0.05)))
                prices[org] = self._price(max(budget * ratio, floor), cents=rng.random() < 0.25)
                roll = rng.random()
                if prices[org] > lot.budget or roll < 0.04:
                    status = BidStatus.DISQUALIFIED
                elif roll < 0.06:
                    status = BidStatus.WITHDRAWN
            contact = org.contact
            submitted = lot.deadline - timedelta(minutes=rng.randint(30, 10 * 24 * 60))
            devices = [{"kind": DeviceKind.IP, "value": org.ip}]
            if rng.random() < 0.7:
                devices.append({"kind": DeviceKind.MAC, "value": org.mac})
            if rng.random() < 0.6:
                devices.append({"kind": DeviceKind.AUTHOR, "value": org.author})
            record: JsonRecord = {
                "supplier": org.uscc,
                "price": _money(prices[org]),
                "status": status,
                "preparer": contact.ref if rng.random() < 0.3 else None,
                "agent": contact.ref if rng.random() < 0.5 else None,
                "contact": contact.ref,
                "contact_phone": contact.mobile if self.personal_contacts else org.phone,
                "deposit_account": org.account if rng.random() < 0.9 else None,
                "devices": devices,
                "file_fingerprint": f"{rng.getrandbits(128):032x}",
            }
            members: list[_Org] = []
            if ring is not None and org in ringed:
                submitted = self._ring_bid(record, ring, start)
            elif (
                lot.project.category is not GOODS
                and lot.budget >= 1_000_000
                and rng.random() < 0.05
            ):
                members = self._draw(lot.project.category, "", rng.randint(1, 2), taken)
                taken += members
                record["consortium_members"] = [m.uscc for m in members]
            drafts.append((submitted, org, record, members))
        drafts.sort(key=lambda d: d[0])
        for j, (submitted, org, fields, members) in enumerate(drafts, start=1):
            record = _record(
                "bid",
                {
                    "id": f"{lot.id}-B{j:02d}",
                    "lot": lot.id,
                    **fields,
                    "submitted_at": submitted.isoformat(),
                },
            )
            bid = _Bid(record["id"], org, members, prices[org], fields["status"], submitted)
            lot.bids.append(bid)
            self._keep("bid", record)
            if members:
                self.consortia.append(bid)
                name = f"{org.name}等联合体（{lot.id}）"
                self._group(name, GroupKind.CONSORTIUM, [org, *members], submitted.date())

    def _ring_bid(self, record: JsonRecord, ring: _Ring, start: datetime) -> datetime:
        """Overwrite a ring member's bid with what the ring shares; return its submission time."""
        rng = self.rng
        lead, patterns = ring.members[0], ring.patterns
        if "deposit" in patterns:  # Order 87 Art. 37 (6): deposits from one account
            record["deposit_account"] = lead.account
        if "ip" in patterns:
            record["devices"] = [{"kind": DeviceKind.IP, "value": lead.ip}, *record["devices"][1:]]
        if "device" in patterns:  # Art. 37 (1)/(4): one machine, one author, one file
            record["devices"] = [
                record["devices"][0],
                {"kind": DeviceKind.MAC, "value": lead.mac},
                {"kind": DeviceKind.AUTHOR, "value": lead.author},
            ]
            record["preparer"] = lead.contact.ref
            record["file_fingerprint"] = ring.fingerprint
        if "contact" in patterns:  # Art. 37 (3): one contact person for several bidders
            record["contact"] = record["agent"] = lead.contact.ref
            record["contact_phone"] = lead.contact.mobile if self.personal_contacts else lead.phone
        if "ip" in patterns or "device" in patterns:  # one machine, one sitting
            return start + timedelta(minutes=rng.randint(2, 25))
        return start - timedelta(minutes=rng.randint(0, 7 * 24 * 60))

    def _make_awards(self) -> None:
        """Lowest valid bid wins, usually; too few valid bids and the lot fails."""
        rng = self.rng
        for lot in self.lots:
            valid = sorted(
                (b for b in lot.bids if b.status is BidStatus.VALID), key=lambda b: b.price
            )
            single = lot.project.method is ProcurementMethod.SINGLE_SOURCE
            if not valid or (len(valid) < 3 and not single):
                continue
            if lot.ring_winner is not None:
                bid = next(b for b in valid if b.supplier is lot.ring_winner)
            else:
                bid = valid[1] if len(valid) > 1 and rng.random() < 0.15 else valid[0]
            awarded = lot.deadline.date() + timedelta(days=rng.randint(2, 10))
            if awarded > TODAY:
                continue
            lot.award = _Award(f"{lot.id}-AW", lot, bid, awarded)
            self.awards.append(lot.award)
            self._keep(
                "award",
                _record(
                    "award",
                    {
                        "id": lot.award.id,
                        "lot": lot.id,
                        "bid": bid.id,
                        "supplier": bid.supplier.uscc,
                        "amount": _money(bid.price),
                        "awarded_on": awarded.isoformat(),
                    },
                ),
            )

    def _make_contracts(self) -> None:
        """Contracts within 30 days of the award; a few winners refuse to sign."""
        rng = self.rng
        old = [a for a in self.awards if a.awarded_on <= TODAY - timedelta(days=60)]
        self.refused = self._sample(old, max(1, len(self.awards) // 60))
        refused = set(self.refused)
        for award in self.awards:
            signed = award.awarded_on + timedelta(days=rng.randint(5, 28))
            if award in refused or signed > TODAY:
                continue
            amount = award.bid.price
            if rng.random() < 0.06:  # a supplementary agreement, at most 10% more
                amount = (amount * Decimal(1 + rng.uniform(0.01, 0.1))).quantize(_CENT)
            low, high = _ACCEPTANCE_DAYS[award.lot.project.category]
            accepted = signed + timedelta(days=rng.randint(low, high))
            acceptance = Acceptance.FAILED if rng.random() < 0.04 else Acceptance.PASSED
            if accepted > TODAY:
                acceptance = Acceptance.PENDING
            done = accepted if acceptance is not Acceptance.PENDING else None
            award.contract = _Contract(f"{award.lot.id}-CT", signed, amount, acceptance, done)
            self._keep(
                "contract",
                _record(
                    "contract",
                    {
                        "id": award.contract.id,
                        "award": award.id,
                        "signed_on": signed.isoformat(),
                        "amount": _money(amount),
                        "acceptance": acceptance,
                        "accepted_on": done.isoformat() if done else None,
                    },
                ),
            )

    def _make_reviews(self) -> None:
        """Panels of 3 or 5 experts of the lot's specialty; then plant recusal conflicts."""
        rng = self.rng
        for lot in self.lots:
            if not lot.bids:
                continue
            project = lot.project
            tendered = project.method in (
                ProcurementMethod.OPEN_TENDERING,
                ProcurementMethod.SELECTIVE_TENDERING,
            )
            size = 5 if tendered else 3
            fitting = self.specialties.get(project.specialty, [])
            panel = self._sample(fitting, size)
            while len(panel) < size:
                expert = rng.choice(self.experts)
                if expert not in panel:
                    panel.append(expert)
            lot.panel = panel
        self._plant_recusals()
        for lot in self.lots:
            for k, expert in enumerate(lot.panel, start=1):
                review_id = f"{lot.id}-RV{k}"
                self.reviews.append((review_id, expert, lot))
                self._keep(
                    "review",
                    _record(
                        "review",
                        {
                            "id": review_id,
                            "expert": expert.id_number,
                            "lot": lot.id,
                            "reviewed_on": lot.deadline.date().isoformat(),
                            "chair": k == 1,
                        },
                    ),
                )

    def _plant_recusals(self) -> None:
        """Experts on a panel judging a bidder they are tied to (Regs Art. 9); one stale tie."""
        rng = self.rng
        lots = [lot for lot in self.lots if lot.award is not None and len(lot.panel) > 1]
        planted = 0
        for _ in range(len(lots)):
            if planted >= max(len(_RECUSAL_PLANTS), len(self.experts) // 20) or not lots:
                break
            kind = _RECUSAL_PLANTS[planted % len(_RECUSAL_PLANTS)]
            lot = rng.choice(lots)
            assert lot.award is not None
            supplier = lot.award.bid.supplier
            expert = rng.choice(self.experts)
            reviewed = lot.deadline.date()
            adult = date(expert.birth.year + 22, 7, 1)
            since = max(supplier.registered_on, adult)
            if expert in lot.panel or reviewed - since < timedelta(days=6 * 365):
                continue
            if kind == "relative":
                rep = supplier.legal_rep
                assert rep is not None
                self._relate(expert, rep, rng.choice(_OUTER_KIN))
            elif kind == "employer":
                expert.record["expert"]["employer"] = supplier.uscc
                self._tie(TieKind.EMPLOYED_BY, expert.ref, supplier.ref, valid_from=since)
            else:
                ended = timedelta(days=rng.randint(60, 900))  # within the three years
                if kind == "stale_employee":
                    ended = timedelta(days=rng.randint(4 * 365, 5 * 365))
                tie = TieKind.DIRECTOR_OF if kind == "former_director" else TieKind.EMPLOYED_BY
                self._tie(
                    tie,
                    expert.ref,
                    supplier.ref,
                    valid_from=since,
                    valid_to=max(since, reviewed - ended),
                )
            lot.panel[-1] = expert
            if kind != "stale_employee":
                self.recusal_reviews.append((f"{lot.id}-RV{len(lot.panel)}", expert, lot))
            planted += 1

    # -- credit records ------------------------------------------------------------------

    def _make_complaints(self) -> None:
        """Losing bidders complain about some awards; a few complaints prove false."""
        rng = self.rng
        for lot in self.lots:
            award = lot.award
            if award is None or rng.random() >= 0.05:
                continue
            losers = [b.supplier for b in lot.bids if b is not award.bid]
            filed = award.awarded_on + timedelta(days=rng.randint(8, 25))
            if not losers or filed > TODAY:
                continue
            complainant = rng.choice(losers)
            decided = filed + timedelta(days=rng.randint(20, 45))
            outcome = ComplaintOutcome.PENDING
            if decided <= TODAY:
                outcome = rng.choices(
                    (
                        ComplaintOutcome.UPHELD,
                        ComplaintOutcome.REJECTED,
                        ComplaintOutcome.FALSE_OR_MALICIOUS,
                    ),
                    weights=(22, 68, 10),
                )[0]
            record = _record(
                "complaint",
                {
                    "id": "",
                    "complainant": complainant.uscc,
                    "lot": lot.id,
                    "filed_on": filed.isoformat(),
                    "grounds": rng.choice(_COMPLAINT_GROUNDS),
                    "outcome": outcome,
                    "decided_on": decided.isoformat() if decided <= TODAY else None,
                },
            )
            self.complaints.append((record, lot, complainant))
        decided_ones = [c for c in self.complaints if "decided_on" in c[0]]
        if decided_ones and not any(
            c[0]["outcome"] is ComplaintOutcome.FALSE_OR_MALICIOUS for c in decided_ones
        ):
            decided_ones[0][0]["outcome"] = ComplaintOutcome.FALSE_OR_MALICIOUS
        self.complaints.sort(key=lambda c: str(c[0]["filed_on"]))
        for i, (record, _, _) in enumerate(self.complaints, start=1):
            record["id"] = f"TS-{i:05d}"
            self.out["complaint"].append(record)
