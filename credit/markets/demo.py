"""A synthetic Chinese government-procurement market, for demos, load tests and detector tests.

`generate` builds suppliers, agencies, purchasers, people, experts, projects, bids and credit
records in the record format of `credit.domain.records`, with a few collusion, conflict and
recusal patterns planted so the detectors have something to find. Everything is drawn from one
`random.Random(seed)` and dated against the fixed `TODAY`, so a seed always yields the same
records. Identifiers are synthetic but pass the real checks (GB 32100 with its GB 11714
organisation code, GB 11643); network and mail values come from reserved ranges (CGNAT
addresses, locally administered MACs, the `.example` domain).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from credit.markets.credit_records import CreditRecords
from credit.markets.reference import (
    _BASIS,
    _COMPLAINT_GROUNDS,
    _EXAMPLE_BOSS,
    _EXAMPLE_BUYER,
    _EXAMPLE_EXPERT,
    _EXAMPLE_LOSER,
    _EXAMPLE_LOT,
    _EXAMPLE_WINNER,
    _EXPERT_COMMENTS,
    _ORDER,
    MIN_SUPPLIERS,
    VC,
    _ban_text,
    _money,
)


class _Market(CreditRecords):
    """Builds the whole market in memory (records refer back and forth), then hands it out."""

    def build(self) -> None:
        self._make_suppliers()
        self._index_suppliers()
        self._make_agencies()
        self._make_purchasers()
        self._make_business_groups()
        self._make_rings()
        self._make_people()
        self._make_associations()
        self._make_experts()
        self._make_projects()
        self._assign_ring_lots()
        self._plant_services()
        self._make_bids()
        self._make_awards()
        self._make_contracts()
        self._make_reviews()
        self._make_complaints()
        self._make_violations()
        self._make_listings()
        self._make_evaluations()


def generate(
    suppliers: int = 3000,
    seed: int = 20151,
    personal_contacts: bool = False,
    bids: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield a synthetic market as JSON-ready records, parties first and credit records last.

    The same seed always yields the same records (one `random.Random(seed)`, a fixed `TODAY`).
    By default people carry only the synthetic identity number and name the format requires,
    and bids give the company switchboard as contact phone; with `personal_contacts` people
    also get synthetic mobile numbers and mailboxes, and bids give the contact's mobile.
    With `bids` the market runs as many projects as give about that many bids (the benchmark
    scales: 10 bids a supplier instead of about 5), and one lot in a hundred draws 20-30
    bidders. Records are handed out, and dropped, kind by kind, so memory falls as they go.
    """
    if suppliers < MIN_SUPPLIERS:
        raise ValueError(f"the demo market needs at least {MIN_SUPPLIERS} suppliers")
    market = _Market(suppliers, seed, personal_contacts, bids)
    market.build()
    for kind in _ORDER:
        records, market.out[kind] = market.out[kind], []
        records.reverse()
        while records:
            record = records.pop()
            yield json.loads(record) if isinstance(record, str) else record


def example_records() -> list[dict[str, Any]]:
    """One or two records of every type, referring to each other: the format by example.

    A works tender of a district education bureau: two bidders, the lower one wins and
    delivers; the other is found to have filed false materials, is fined and banned, and so
    lands on the procurement list of serious dishonesty.
    """
    project = "ZFCG-2024-00017"
    money = _money(Decimal("4712300"))
    office = {"bank_accounts": ["1202021209900123456"], "phones": ["0571-86012345"]}
    return [
        {"type": "organization", "uscc": _EXAMPLE_BUYER, "name": "杭州市西湖区教育局",
         "roles": ["PURCHASER"], "region": "330106", "registered_on": "1993-07-01",
         "address": "浙江省杭州市西湖区文三路20号"},
        {"type": "organization", "uscc": _EXAMPLE_WINNER, "name": "杭州鼎盛建设工程有限公司",
         "roles": ["SUPPLIER"], "region": "330106", "registered_on": "2012-03-15",
         "address": "浙江省杭州市西湖区天目山路398号", "emails": ["office@dingsheng.example"],
         **office},
        {"type": "organization", "uscc": _EXAMPLE_LOSER, "name": "杭州恒泰建筑工程有限公司",
         "roles": ["SUPPLIER"], "region": "330102", "registered_on": "2017-08-22",
         "phones": ["0571-87654321"], "bank_accounts": ["3301040160009876543"]},
        {"type": "person", "id_number": _EXAMPLE_BOSS, "name": "王建国"},
        {"type": "person", "id_number": _EXAMPLE_EXPERT, "name": "陈丽",
         "expert": {"specialties": ["房屋建筑工程", "造价咨询"], "active": True}},
        {"type": "group", "id": "GRP-00001", "name": "浙江省建筑业协会", "kind": "ASSOCIATION"},
        {"type": "project", "id": project, "name": "杭州市西湖区教育局校舍维修改造工程",
         "purchaser": _EXAMPLE_BUYER, "ocid": f"ocds-demo01-{project}",
         "method": "OPEN_TENDERING", "category": "WORKS",
         "budget": _money(Decimal("4860000")), "published_on": "2024-03-18"},
        {"type": "lot", "id": _EXAMPLE_LOT, "project": project, "name": "包1：土建工程",
         "budget": _money(Decimal("4860000")), "bid_deadline": "2024-04-09T09:30:00+08:00"},
        {"type": "tie", "kind": "LEGAL_REP_OF", "from": {"person": _EXAMPLE_BOSS},
         "to": {"org": _EXAMPLE_WINNER}, "valid_from": "2012-03-15"},
        {"type": "tie", "kind": "MEMBER_OF", "from": {"org": _EXAMPLE_WINNER},
         "to": {"group": "GRP-00001"}, "valid_from": "2015-01-01"},
        {"type": "bid", "id": f"{_EXAMPLE_LOT}-B01", "lot": _EXAMPLE_LOT,
         "supplier": _EXAMPLE_WINNER, "price": money,
         "submitted_at": "2024-04-08T16:05:00+08:00", "contact": {"person": _EXAMPLE_BOSS},
         "contact_phone": "0571-86012345", "deposit_account": "1202021209900123456",
         "devices": [{"kind": "IP", "value": "100.72.18.41"},
                     {"kind": "MAC", "value": "02-1A-4B-7C-9D-E0"},
                     {"kind": "AUTHOR", "value": "王建国"}],
         "file_fingerprint": "9f2c4be1d07a4c35b8e61f0a2d3c7e98"},
        {"type": "bid", "id": f"{_EXAMPLE_LOT}-B02", "lot": _EXAMPLE_LOT,
         "supplier": _EXAMPLE_LOSER, "price": _money(Decimal("4735800")),
         "submitted_at": "2024-04-09T08:41:00+08:00", "contact_phone": "0571-87654321",
         "deposit_account": "3301040160009876543",
         "devices": [{"kind": "IP", "value": "100.97.3.210"}]},
        {"type": "award", "id": f"{_EXAMPLE_LOT}-AW", "lot": _EXAMPLE_LOT,
         "bid": f"{_EXAMPLE_LOT}-B01", "supplier": _EXAMPLE_WINNER, "amount": money,
         "awarded_on": "2024-04-15"},
        {"type": "contract", "id": f"{_EXAMPLE_LOT}-CT", "award": f"{_EXAMPLE_LOT}-AW",
         "signed_on": "2024-04-26", "amount": money, "acceptance": "PASSED",
         "accepted_on": "2024-09-20"},
        {"type": "review", "id": f"{_EXAMPLE_LOT}-RV1", "expert": _EXAMPLE_EXPERT,
         "lot": _EXAMPLE_LOT, "reviewed_on": "2024-04-09", "chair": True},
        {"type": "violation", "id": "WF-00001", "subject": {"org": _EXAMPLE_LOSER},
         "category": "FALSE_MATERIALS", "severity": "SERIOUS",
         "decision_number": "杭财采罚〔2024〕17号", "authority": "杭州市财政局",
         "basis": _BASIS[VC.FALSE_MATERIALS], "penalty_types": ["FINE", "PROCUREMENT_BAN"],
         "penalty_content": f"罚款人民币23,679.00元（采购金额千分之五）；{_ban_text(12)}",
         "fine": _money(Decimal("23679")), "decided_on": "2024-07-02",
         "ban_start": "2024-07-02", "ban_end": "2025-07-01", "publication_end": "2025-07-01",
         "status": "ACTIVE", "project": project, "lot": _EXAMPLE_LOT},
        {"type": "external_listing", "id": "EL-00001", "list": "GP_SERIOUS_DISHONESTY",
         "subject": _EXAMPLE_LOSER, "subject_name": "杭州恒泰建筑工程有限公司",
         "authority": "杭州市财政局", "reference": "杭财采罚〔2024〕17号",
         "listed_on": "2024-07-05", "valid_until": "2025-07-01"},
        {"type": "complaint", "id": "TS-00001", "complainant": _EXAMPLE_LOSER,
         "lot": _EXAMPLE_LOT, "filed_on": "2024-04-25", "grounds": _COMPLAINT_GROUNDS[2],
         "outcome": "REJECTED", "decided_on": "2024-05-28"},
        {"type": "evaluation", "id": "PJ-000001", "subject": {"person": _EXAMPLE_EXPERT},
         "rater": _EXAMPLE_BUYER, "project": project, "score": 92, "rated_on": "2024-04-12",
         "comment": _EXPERT_COMMENTS[0]},
    ]  # fmt: skip
