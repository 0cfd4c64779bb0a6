"""Violations, external listings and evaluations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from credit.domain.records import (
    Acceptance,
    ComplaintOutcome,
    ExternalList,
    PenaltyType,
    RecordStatus,
    Severity,
    ViolationCategory,
)
from credit.markets.ledger import (
    _Award,
    _Lot,
    _Org,
    _Person,
    _Project,
)
from credit.markets.procurement import Procurement
from credit.markets.reference import (
    _AGENCY_COMMENTS,
    _BASIS,
    _CENT,
    _CITIES,
    _CN_DIGITS,
    _COLLUSION_BASIS,
    _EXPERT_COMMENTS,
    _LARGE_FINE,
    _ON_BID,
    _ON_CONTRACT,
    _ON_REVIEW,
    _SPANS,
    _VIOLATION_WEIGHTS,
    TODAY,
    VC,
    JsonRecord,
    _add_months,
    _ban_text,
    _City,
    _enforcement_court,
    _money,
    _record,
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Penalty:
    """What a decision imposes: the penalty types and their wording, how serious it is, a fine
    and a ban of so many months."""

    types: list[PenaltyType]
    content: str
    severity: Severity
    fine: Decimal | None = None
    ban_months: int = 0


class CreditRecords(Procurement):
    """Violations, external listings and evaluations."""

    def _authority(self, kind: str, city: _City, year: int) -> tuple[str, str]:
        """Who decides, and the decision-number template (`{n}` filled in date order)."""
        rng = self.rng
        if kind == "tax":
            return f"国家税务总局{city.full}税务局稽查局", f"{city.abbr}税稽罚〔{year}〕{{n}}号"
        if kind == "market":
            return f"{city.full}市场监督管理局", f"{city.abbr}市监处罚〔{year}〕{{n}}号"
        if kind == "environment":
            return f"{city.full}生态环境局", f"{city.abbr}环罚〔{year}〕{{n}}号"
        if kind == "court":
            region, district = rng.choice(city.districts)
            return (
                f"{city.full}{district}人民法院",
                f"（{year}）{city.prov_abbr}{region[2:]}刑初{{n}}号",
            )
        roll = rng.random()
        if roll < 0.06:
            return "财政部", f"财库处〔{year}〕{{n}}号"
        if roll < 0.18 and city.province != city.full:
            return f"{city.province}财政厅", f"{city.prov_abbr}财采监〔{year}〕{{n}}号"
        return f"{city.full}财政局", f"{city.abbr}财采罚〔{year}〕{{n}}号"

    def _status(
        self, category: ViolationCategory, decided: date, ban_end: date | None
    ) -> tuple[RecordStatus, date | None]:
        """Most records stay active; some are repaired, overturned or under appeal."""
        rng = self.rng
        roll = rng.random()
        if category is VC.CRIMINAL_OFFENCE:
            return RecordStatus.ACTIVE, None
        if roll < 0.12 and category is not VC.LICENCE_REVOKED:
            # credit repair once the ban, or a minimum publication period, is over
            earliest = max(ban_end or decided, decided + timedelta(days=180))
            status, when = RecordStatus.REPAIRED, earliest + timedelta(days=rng.randint(1, 240))
        elif roll < 0.18:
            status, when = RecordStatus.OVERTURNED, decided + timedelta(days=rng.randint(30, 300))
        elif roll < 0.4 and decided >= TODAY - timedelta(days=400):
            status, when = RecordStatus.UNDER_APPEAL, decided + timedelta(days=rng.randint(5, 60))
        else:
            return RecordStatus.ACTIVE, None
        if when > TODAY:
            return RecordStatus.ACTIVE, None
        return status, when

    def _violation(
        self,
        category: ViolationCategory,
        subject: _Org | _Person,
        decided: date,
        penalty: _Penalty,
        *,
        authority: str = "finance",
        basis: str = "",
        lot: _Lot | None = None,
        project: _Project | None = None,
        city: _City | None = None,
    ) -> None:
        """File a violation; decided where `city` is, else where the procurement's buyer is."""
        rng = self.rng
        project = lot.project if lot else project
        city = city or (project.purchaser.city if project else None)
        assert city is not None  # a violation outside procurement names its city
        name, template = self._authority(authority, city, decided.year)
        fine, severity = penalty.fine, penalty.severity
        ban_start = ban_end = None
        if penalty.ban_months:
            ban_start = decided + timedelta(days=rng.choice((0, 0, 0, 5, 10)))
            ban_end = _add_months(ban_start, penalty.ban_months) - timedelta(days=1)
        if fine is not None and fine >= _LARGE_FINE:
            severity = Severity.MAJOR
        status, status_date = self._status(category, decided, ban_end)
        publication_end = None
        if category is not VC.CRIMINAL_OFFENCE:  # judgments are published by the courts
            months = 12 if severity is Severity.GENERAL else 36
            publication_end = (
                status_date
                if status is RecordStatus.REPAIRED
                else (ban_end or _add_months(decided, months))
            )
        record = _record(
            "violation",
            {
                "id": "",
                "subject": subject.ref,
                "category": category,
                "severity": severity,
                "decision_number": template,
                "authority": name,
                "basis": basis or _BASIS[category],
                "penalty_types": penalty.types,
                "penalty_content": penalty.content,
                "fine": _money(fine) if fine is not None else None,
                "decided_on": decided.isoformat(),
                "ban_start": ban_start.isoformat() if ban_start else None,
                "ban_end": ban_end.isoformat() if ban_end else None,
                "publication_end": publication_end.isoformat() if publication_end else None,
                "status": status,
                "status_date": status_date.isoformat() if status_date else None,
                "project": project.id if project else None,
                "lot": lot.id if lot else None,
            },
        )
        self.violations.append((record, subject if isinstance(subject, _Org) else None))
        if "expert" in subject.record and ban_end and ban_end >= TODAY:
            subject.record["expert"]["active"] = status is RecordStatus.OVERTURNED
        if category is VC.AGENCY_IRREGULAR_PROCEDURE or category in _ON_REVIEW:
            self.penalised.add(subject)

    def _after(self, day: date, low: int, high: int) -> date | None:
        """A decision `low`..`high` days after an event, or None if it would lie in the future."""
        decided = day + timedelta(days=self.rng.randint(low, high))
        return decided if decided < TODAY else None

    def _decided(
        self, pool: Sequence[_T], event: Callable[[_T], date], low: int, high: int
    ) -> tuple[_T, date] | None:
        """One of `pool` with a decision `low`..`high` days after its event that is already
        past (50 tries), or None."""
        for _ in range(50):
            item = self.rng.choice(pool)
            decided = self._after(event(item), low, high)
            if decided is not None:
                return item, decided
        return None

    def _fine_and_ban(
        self,
        category: ViolationCategory,
        subject: _Org,
        lot: _Lot,
        decided: date,
        amount: Decimal,
        months: int,
        basis: str = "",
        gain: Decimal | None = None,
    ) -> None:
        """Law Art. 77: a fine of 5 to 10 per mille of the amount, listing, a 1-3 year ban."""
        permille = self.rng.randint(5, 10)
        fine = (amount * permille / 1000).quantize(_CENT)
        penalties = [PenaltyType.FINE, PenaltyType.PROCUREMENT_BAN]
        content = (
            f"罚款人民币{fine:,.2f}元（采购金额千分之{_CN_DIGITS[permille]}）；{_ban_text(months)}"
        )
        if gain is not None:
            penalties.append(PenaltyType.CONFISCATION)
            content += f"；没收违法所得人民币{gain:,.2f}元"
        penalty = _Penalty(penalties, content, Severity.SERIOUS, fine, months)
        self._violation(category, subject, decided, penalty, basis=basis, lot=lot)

    def _make_violations(self) -> None:
        """Every category at least twice, then a weighted mix; caught rings first."""
        rng = self.rng
        if not self.awards:
            return
        self.false_complaints = [
            c for c in self.complaints if c[0]["outcome"] is ComplaintOutcome.FALSE_OR_MALICIOUS
        ]
        self._caught_rings()
        plan = [category for category in VC for _ in range(2)]
        extra = max(0, max(2 * len(VC), self.size // 10) - len(plan) - len(self.violations))
        plan += rng.choices(
            list(_VIOLATION_WEIGHTS), weights=list(_VIOLATION_WEIGHTS.values()), k=extra
        )
        for category in plan:
            if category in _ON_BID:
                self._bid_violation(category)
            elif category in _ON_CONTRACT:
                self._contract_violation(category)
            elif category in _ON_REVIEW:
                self._expert_violation(category)
            elif category is VC.REFUSED_CONTRACT:
                self._refusal_violation()
            elif category is VC.FALSE_COMPLAINT:
                self._complaint_violation()
            elif category is VC.AGENCY_IRREGULAR_PROCEDURE:
                self._agency_violation()
            else:
                self._entity_violation(category)
        self.violations.sort(key=lambda v: str(v[0]["decided_on"]))
        for i, (record, _) in enumerate(self.violations, start=1):
            record["id"] = f"WF-{i:05d}"
            template = record["decision_number"]
            record["decision_number"] = template.format(n=self._next(template, step=6))
            self.out["violation"].append(record)

    def _caught_rings(self) -> None:
        """Every third ring was found out: each member punished for one of the ring's lots."""
        for ring in self.rings[::3]:
            for lot in ring.lots:
                decided = self._after(lot.award.awarded_on, 60, 300) if lot.award else None
                if lot.award is None or decided is None:
                    continue
                basis = _BASIS[VC.MALICIOUS_COLLUSION] + next(
                    (
                        text
                        for key, text in _COLLUSION_BASIS.items()
                        if key in ring.patterns or (key == "device" and "ip" in ring.patterns)
                    ),
                    "",
                )
                for member in ring.members:
                    months = self.rng.choice((24, 36))
                    self._fine_and_ban(
                        VC.MALICIOUS_COLLUSION,
                        member,
                        lot,
                        decided,
                        lot.award.bid.price,
                        months,
                        basis,
                    )
                break

    def _bid_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        if (drawn := self._decided(self.awards, lambda a: a.awarded_on, 45, 300)) is None:
            return
        award, decided = drawn
        bid = award.bid if rng.random() < 0.6 else rng.choice(award.lot.bids)
        months = rng.choice((12, 12, 18, 24, 36))
        gain = None
        if bid is award.bid and category in (VC.FALSE_MATERIALS, VC.BRIBERY) and rng.random() < 0.3:
            gain = (bid.price * Decimal(rng.uniform(0.02, 0.08))).quantize(_CENT)
        self._fine_and_ban(
            category, bid.supplier, award.lot, decided, award.bid.price, months, gain=gain
        )

    @cached_property
    def _signed_awards(self) -> list[_Award]:
        """Awards with a contract (fixed once contracts are made; cached, as each of the
        thousands of violations of a large market draws from it)."""
        return [a for a in self.awards if a.contract is not None]

    @cached_property
    def _failed_awards(self) -> list[_Award]:
        return [
            a
            for a in self._signed_awards
            if a.contract and a.contract.acceptance is Acceptance.FAILED
        ]

    @cached_property
    def _agency_projects(self) -> list[_Project]:
        return [p for p in self.projects if p.agency and any(lot.award for lot in p.lots)]

    def _contract_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        signed, failed = self._signed_awards, self._failed_awards
        pool = failed if category is VC.QUALITY_FAILURE and failed else signed
        if (drawn := self._decided(pool, self._contract_event, 20, 120)) is None:
            return
        award, decided = drawn
        contract = award.contract
        assert contract is not None
        supplier = award.bid.supplier
        if category is VC.BREACH_OF_CONTRACT and rng.random() < 0.5:  # mitigated: a warning
            warning = _Penalty([PenaltyType.WARNING], "警告", Severity.GENERAL)
            self._violation(category, supplier, decided, warning, lot=award.lot)
            return
        months = rng.choice((12, 18, 24, 36))
        self._fine_and_ban(category, supplier, award.lot, decided, contract.amount, months)

    def _contract_event(self, award: _Award) -> date:
        """The acceptance, else a day 60 to 300 days after signing (a breach found later)."""
        contract = award.contract
        assert contract is not None
        return contract.accepted_on or contract.signed_on + timedelta(
            days=self.rng.randint(60, 300)
        )

    def _refusal_violation(self) -> None:
        rng = self.rng
        award = self.refused.pop(0) if self.refused else rng.choice(self.awards)
        decided = self._after(award.awarded_on, 40, 200)
        if decided is None:
            return
        months = rng.choice((12, 24))
        self._fine_and_ban(
            VC.REFUSED_CONTRACT, award.bid.supplier, award.lot, decided, award.bid.price, months
        )

    def _complaint_violation(self) -> None:
        rng = self.rng
        pool = self.false_complaints or self.complaints
        if not pool:
            return
        record, lot, complainant = pool.pop(0) if self.false_complaints else rng.choice(pool)
        decided = self._after(
            date.fromisoformat(record.get("decided_on") or record["filed_on"]), 10, 60
        )
        if decided is None:
            return
        months = rng.choice((12, 24, 36))
        ban = _Penalty(
            [PenaltyType.PROCUREMENT_BAN], _ban_text(months), Severity.SERIOUS, None, months
        )
        self._violation(VC.FALSE_COMPLAINT, complainant, decided, ban, lot=lot)

    def _expert_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        planted = category is VC.EXPERT_FAILED_RECUSAL and self.recusal_reviews
        pool = self.recusal_reviews if planted else self.reviews
        if (
            drawn := self._decided(pool, lambda review: review[2].deadline.date(), 30, 240)
        ) is None:
            return
        (_, expert, lot), decided = drawn
        low, high = (
            (20_000, 50_000)
            if category in (VC.EXPERT_LEAKED_INFORMATION, VC.EXPERT_SOLICITED_BENEFITS)
            else (2_000, 20_000)
        )
        fine = Decimal(rng.randint(low // 100, high // 100) * 100)
        penalties = [PenaltyType.FINE]
        content = f"罚款人民币{fine:,.2f}元"
        months = 0
        if category is VC.EXPERT_SOLICITED_BENEFITS:
            penalties.append(PenaltyType.CONFISCATION)
            content += f"；没收违法所得人民币{rng.randint(50, 800) * 100:,.2f}元"
        if category in (VC.EXPERT_LEAKED_INFORMATION, VC.EXPERT_SOLICITED_BENEFITS) or (
            rng.random() < 0.4
        ):
            months = rng.choice((12, 24, 36))
            penalties.append(PenaltyType.REVIEW_BAN)
            content += f"；{_SPANS[months]}内禁止参加政府采购评审活动"
        else:
            penalties.insert(0, PenaltyType.WARNING)
            content = f"警告；{content}"
        severity = Severity.SERIOUS if months else Severity.GENERAL
        penalty = _Penalty(penalties, content, severity, fine, months)
        self._violation(category, expert, decided, penalty, lot=lot)

    def _agency_violation(self) -> None:
        rng = self.rng
        if (drawn := self._decided(self._agency_projects, lambda p: p.published, 60, 300)) is None:
            return
        project, decided = drawn
        assert project.agency is not None  # the pool holds projects run by an agency
        fine = Decimal(rng.randint(20, 100) * 1000)
        content = f"责令限期改正，警告；罚款人民币{fine:,.2f}元"
        penalty = _Penalty([PenaltyType.WARNING, PenaltyType.FINE], content, Severity.GENERAL, fine)
        self._violation(
            VC.AGENCY_IRREGULAR_PROCEDURE, project.agency, decided, penalty, project=project
        )

    def _entity_violation(self, category: ViolationCategory) -> None:
        """Penalties outside procurement that still count (Regs Art. 19, Caiku [2016] 125)."""
        rng = self.rng
        org = rng.choice(self.suppliers)
        decided = self._day(date(2019, 1, 1), TODAY - timedelta(days=10))
        subject: _Org | _Person = org
        city: _City | None = org.city  # None: where the procurement's buyer is
        lot: _Lot | None = None
        severity = Severity.MAJOR
        if category is VC.CRIMINAL_OFFENCE:
            award = rng.choice(self.awards)
            when = self._after(award.awarded_on, 200, 700)
            if when is None:
                return
            decided, lot, authority, city = when, award.lot, "court", None
            subject = award.bid.supplier
            penalties = [PenaltyType.CRIMINAL_PENALTY, PenaltyType.FINE]
            if rng.random() < 0.6:  # the company itself, as a unit crime
                fine = Decimal(rng.randint(20, 300) * 10_000)
                content = f"以串通投标罪判处罚金人民币{fine:,.2f}元"
            else:
                assert award.bid.supplier.legal_rep is not None
                subject = award.bid.supplier.legal_rep
                fine = Decimal(rng.randint(5, 50) * 10_000)
                content = (
                    f"以串通投标罪判处有期徒刑{_CN_DIGITS[rng.randint(1, 3)]}年，"
                    f"并处罚金人民币{fine:,.2f}元"
                )
        elif category is VC.BUSINESS_SUSPENDED:
            fine = Decimal(rng.randint(100, 1000) * 1000)
            authority, penalties = (
                "environment",
                [PenaltyType.BUSINESS_SUSPENSION, PenaltyType.FINE],
            )
            content = f"责令停业整治三个月；罚款人民币{fine:,.2f}元"
        elif category is VC.LICENCE_REVOKED:
            fine = Decimal(rng.randint(100, 500) * 1000)
            authority, penalties = "market", [PenaltyType.LICENCE_REVOCATION, PenaltyType.FINE]
            content = f"罚款人民币{fine:,.2f}元；吊销营业执照"
        else:  # tax, with fines at and just below the "relatively large" threshold
            fine = self._tax_fine()
            times = rng.choice((Decimal("0.5"), Decimal(1), Decimal(2)))
            severity = Severity.SERIOUS if fine >= 500_000 else Severity.GENERAL
            authority, penalties = "tax", [PenaltyType.FINE]
            content = (
                f"追缴税款人民币{(fine / times).quantize(_CENT):,.2f}元；"
                f"罚款人民币{fine:,.2f}元（不缴或者少缴税款的{times}倍）"
            )
        penalty = _Penalty(penalties, content, severity, fine)
        self._violation(
            category, subject, decided, penalty, city=city, authority=authority, lot=lot
        )

    def _tax_fine(self) -> Decimal:
        index = self.counters["tax fines"] = self.counters.get("tax fines", 0) + 1
        rng = self.rng
        if index == 1:
            return _LARGE_FINE
        if index == 2:
            return _LARGE_FINE - _CENT
        if index % 4 == 3:
            return Decimal(rng.randint(2_000_001, 8_000_000))
        if index % 4 == 0:
            return Decimal(rng.randint(190_000_000, 199_999_999)) / 100
        return Decimal(rng.randint(30, 1500) * 1000)

    def _make_listings(self) -> None:
        """Entries on the three lists of Caiku [2016] 125 and on other regions' lists."""
        rng = self.rng
        drafts: list[JsonRecord] = []

        def add(
            kind: ExternalList,
            org: _Org,
            authority: str,
            reference: str,
            listed: date,
            until: date | None = None,
            retracted: date | None = None,
        ) -> None:
            drafts.append(
                _record(
                    "external_listing",
                    {
                        "id": "",
                        "list": kind,
                        "subject": org.uscc,
                        "subject_name": org.name,
                        "authority": authority,
                        "reference": reference,
                        "listed_on": listed.isoformat(),
                        "valid_until": until.isoformat() if until else None,
                        "retracted_on": retracted.isoformat() if retracted else None,
                    },
                )
            )

        retracted = False
        for record, org in self.violations:
            if org is None:
                continue
            decided = date.fromisoformat(record["decided_on"])
            status_date = date.fromisoformat(record.get("status_date") or record["decided_on"])
            listed = decided + timedelta(days=rng.randint(0, 7))
            reference, authority = record["decision_number"], record["authority"]
            if record["category"] is VC.TAX_VIOLATION and Decimal(record["fine"]["amount"]) >= (
                1_000_000
            ):
                add(
                    ExternalList.MAJOR_TAX_VIOLATION,
                    org,
                    authority.removesuffix("稽查局"),
                    reference,
                    listed + timedelta(days=20),
                    _add_months(listed, 36),
                )
            if "ban_end" not in record or rng.random() >= 0.7:
                continue
            until = date.fromisoformat(record["ban_end"])
            if record["status"] is RecordStatus.OVERTURNED:
                if retracted or status_date < listed:
                    continue
                add(
                    ExternalList.GP_SERIOUS_DISHONESTY,
                    org,
                    authority,
                    reference,
                    listed,
                    until,
                    retracted=status_date,
                )
                retracted = True
            else:
                if record["status"] is RecordStatus.REPAIRED:
                    until = min(until, status_date)
                add(ExternalList.GP_SERIOUS_DISHONESTY, org, authority, reference, listed, until)
        for _ in range(max(2, self.size // 150)):
            org = rng.choice(self.suppliers)
            listed = self._day(date(2019, 6, 1), TODAY - timedelta(days=5))
            reference = (
                f"（{listed.year}）{org.city.prov_abbr}{org.region[2:4]}执"
                f"{self._next(f'court {org.city.name} {listed.year}', step=40)}号"
            )
            paid = listed + timedelta(days=rng.randint(180, 900)) if rng.random() < 0.4 else None
            add(
                ExternalList.COURT_DISHONEST_DEBTOR,
                org,
                _enforcement_court(org.city),
                reference,
                listed,
                paid,
            )
        for _ in range(max(2, self.size // 200)):
            org = rng.choice(self.suppliers)
            other = rng.choice([c for c in _CITIES if c.province != org.city.province])
            authority = (
                other.full + "财政局"
                if other.province == other.full
                else (other.province + "财政厅")
            )
            listed = self._day(date(2020, 1, 1), TODAY - timedelta(days=5))
            number = self._next(f"region {other.prov_abbr} {listed.year}", step=8)
            add(
                ExternalList.OTHER_REGION_SERIOUS_DISHONESTY,
                org,
                authority,
                f"{other.prov_abbr}财采监〔{listed.year}〕{number}号",
                listed,
                _add_months(listed, rng.choice((12, 24, 36))),
            )
        if self.consortia:  # a listed consortium member: the whole consortium must be refused
            bid = rng.choice(self.consortia)
            member = bid.members[0]
            listed = bid.submitted.date() - timedelta(days=rng.randint(100, 300))
            number = self._next(f"court {member.city.name} {listed.year}", step=40)
            add(
                ExternalList.COURT_DISHONEST_DEBTOR,
                member,
                _enforcement_court(member.city),
                f"（{listed.year}）{member.city.prov_abbr}{member.region[2:4]}执{number}号",
                listed,
            )
        if not retracted:  # a debt paid, the court takes the entry back
            court = next(d for d in drafts if d["list"] is ExternalList.COURT_DISHONEST_DEBTOR)
            listed = date.fromisoformat(court["listed_on"])
            court["retracted_on"] = min(TODAY, listed + timedelta(days=rng.randint(30, 200)))
            court["retracted_on"] = court["retracted_on"].isoformat()
        drafts.sort(key=lambda d: str(d["listed_on"]))
        for i, record in enumerate(drafts, start=1):
            record["id"] = f"EL-{i:05d}"
            self.out["external_listing"].append(record)

    def _score(self, mean: float, spread: float, penalised: bool) -> int:
        return round(min(100.0, max(40.0, self.rng.gauss(mean - 15 * penalised, spread))))

    def _make_evaluations(self) -> None:
        """Purchasers rate agencies after each project; agencies rate some review experts."""
        rng = self.rng
        drafts: list[JsonRecord] = []
        for project in self.projects:
            awarded = [lot.award.awarded_on for lot in project.lots if lot.award]
            if project.agency is None or not awarded:
                continue
            rated = max(awarded) + timedelta(days=rng.randint(15, 90))
            if rated > TODAY:
                continue
            comment = rng.choice(_AGENCY_COMMENTS) if rng.random() < 0.2 else None
            drafts.append(
                _record(
                    "evaluation",
                    {
                        "id": "",
                        "subject": project.agency.ref,
                        "rater": project.purchaser.uscc,
                        "project": project.id,
                        "score": self._score(88, 6, project.agency in self.penalised),
                        "rated_on": rated.isoformat(),
                        "comment": comment,
                    },
                )
            )
        for _, expert, lot in self.reviews:
            rated = lot.deadline.date() + timedelta(days=rng.randint(1, 10))
            if rng.random() >= 0.3 or rated > TODAY:
                continue
            rater = lot.project.agency or lot.project.purchaser
            comment = rng.choice(_EXPERT_COMMENTS) if rng.random() < 0.15 else None
            drafts.append(
                _record(
                    "evaluation",
                    {
                        "id": "",
                        "subject": expert.ref,
                        "rater": rater.uscc,
                        "project": lot.project.id,
                        "score": self._score(87, 7, expert in self.penalised),
                        "rated_on": rated.isoformat(),
                        "comment": comment,
                    },
                )
            )
        drafts.sort(key=lambda d: str(d["rated_on"]))
        for i, record in enumerate(drafts, start=1):
            record["id"] = f"PJ-{i:06d}"
            self._keep("evaluation", record)
