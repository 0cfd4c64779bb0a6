"""Valid records built from the domain model, so tests state only what they are about."""

from __future__ import annotations

from datetime import date
from typing import Any

from credit.domain.identifiers import organization_code_check
from credit.domain.records import RECORD_ADAPTER
from credit.markets import identifiers as ids

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int, region: str = "330106") -> str:
    return ids.uscc("91", region, f"{n:08d}")


def broken_org_code_uscc(n: int) -> str:
    """Right GB 32100 check character over a wrong GB 11714 organisation-code check."""
    body = f"{n:08d}"
    wrong = next(c for c in "0123456789X" if c != organization_code_check(body))
    return ids.uscc("91", "330106", body, org_check=wrong)


def wrong_check(code: str) -> str:
    last = code[-1]
    return code[:-1] + next(c for c in _ALPHABET if c != last)


def make_id_number(n: int, birth: str = "19800101") -> str:
    return ids.identity_number("110101", date.fromisoformat(birth), n % 1000)


def organization(n: int, **over: Any) -> dict[str, Any]:
    return {
        "type": "organization",
        "uscc": make_uscc(n),
        "name": f"测试供应商{n}有限公司",
        "roles": ["SUPPLIER"],
    } | over


def person(n: int, **over: Any) -> dict[str, Any]:
    return {"type": "person", "id_number": make_id_number(n), "name": f"张{n}"} | over


def project(pid: str, purchaser: int, **over: Any) -> dict[str, Any]:
    return {
        "type": "project",
        "id": pid,
        "name": f"项目{pid}",
        "purchaser": make_uscc(purchaser),
        "published_on": "2025-03-01",
    } | over


def lot(lid: str, pid: str, **over: Any) -> dict[str, Any]:
    return {"type": "lot", "id": lid, "project": pid, "name": f"标段{lid}"} | over


def bid(bid_id: str, lid: str, supplier: int, price: str, **over: Any) -> dict[str, Any]:
    return {
        "type": "bid",
        "id": bid_id,
        "lot": lid,
        "supplier": make_uscc(supplier),
        "price": {"amount": price},
        "submitted_at": "2025-03-20T09:30:00+08:00",
    } | over


def review(rid: str, expert: int, lid: str, **over: Any) -> dict[str, Any]:
    return {
        "type": "review",
        "id": rid,
        "expert": make_id_number(expert),
        "lot": lid,
        "reviewed_on": "2025-03-21",
    } | over


def violation(vid: str, subject: int | dict[str, str], **over: Any) -> dict[str, Any]:
    return {
        "type": "violation",
        "id": vid,
        "subject": {"org": make_uscc(subject)} if isinstance(subject, int) else subject,
        "category": "FALSE_MATERIALS",
        "severity": "SERIOUS",
        "decision_number": "财库〔2025〕1号",
        "authority": "杭州市财政局",
        "basis": "《中华人民共和国政府采购法》第七十七条",
        "penalty_types": ["FINE", "PROCUREMENT_BAN"],
        "fine": {"amount": "50000.00"},
        "decided_on": "2025-01-10",
        "ban_start": "2025-01-10",
        "ban_end": "2026-01-09",
    } | over


def tie(kind: str, start: dict[str, Any], end: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {"type": "tie", "kind": kind, "from": start, "to": end} | over


def valid(record: dict[str, Any]) -> dict[str, Any]:
    """Fail early if a factory drifts from the record format."""
    RECORD_ADAPTER.validate_python(record)
    return record
