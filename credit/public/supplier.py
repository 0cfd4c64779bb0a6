"""A supplier's own report (issue 20 item 4): GET /supplier/report for the SUPPLIER role. The
organisation is the one its key names (`credit apikey create --role SUPPLIER --org USCC`), never
a parameter, so a supplier cannot ask about anyone else. It gets its credit report and score
explanation, the flags about it once a supervisor confirmed them (pattern and basis, no other
party), and for each of its records whether and from when it can apply for credit repair."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from credit.api.gate import authorise_and_audit
from credit.core.store import GraphStore, native, native_value
from credit.domain import periods
from credit.legal import text
from credit.policy import Policy
from credit.public import rules
from credit.security.audit import AuditLog
from credit.security.permissions import PermissionTable
from credit.standing import service as assessment
from graph import public_queries as pq

ROUTE = "GET /supplier/report"
HOW_TO_REPAIR = {
    "zh": "信用修复：自最短公示期满之日起，可向作出处罚决定的机关或“信用中国”网站提出申请，"
    "提交已履行处罚决定、已纠正失信行为的证明材料和信用承诺书；修复后终止公示，"
    "但禁止参加政府采购活动的期限照常执行。",
    "en": "Credit repair: from the day the minimum publication period has been served, apply to "
    "the deciding authority or the Credit China website with proof that the decision was "
    "carried out and the conduct corrected, and a credit commitment; a repair ends the "
    "publication, but a procurement ban runs to its end.",
}


def supplier_router(
    store: GraphStore, table: PermissionTable, audit: AuditLog, policy: Policy
) -> APIRouter:
    router = APIRouter()

    @router.get("/supplier/report")
    def report(request: Request) -> dict[str, Any]:
        principal = authorise_and_audit(request, table, audit, ROUTE, {"route": ROUTE})
        uscc = principal.organization
        rows = store.read(pq.SUPPLIER_ORG, uscc=uscc) if uscc else []
        if not rows:
            raise HTTPException(
                403,
                {
                    "code": "FORBIDDEN",
                    "field": "org",
                    "message": "org: unit.missing: the key names no known organisation",
                },
            )
        return build_report(
            store, policy, rows[0]["uid"], rows[0]["name"], str(uscc), periods.today()
        )

    return router


def build_report(
    store: GraphStore, policy: Policy, uid: str, name: str, uscc: str, today: date
) -> dict[str, Any]:
    profile = assessment.credit_profile(store, policy, uid, today)
    in_force = policy.on(today).rules_for(profile.score.subject_type)
    records = [native(r["record"]) for r in store.read(pq.SUPPLIER_VIOLATIONS, uid=uid)]
    flags = [
        {
            "pattern": row["pattern"],
            "basis": row["basis"],
            "confidence": row["confidence"],
            "confirmed_at": None
            if row["reviewed_at"] is None
            else native_value(row["reviewed_at"]).isoformat(),
        }
        for row in store.read(pq.SUPPLIER_CONFIRMED_FLAGS, uid=uid)
    ]
    repairs = []
    for record in records:
        window = rules.repair_window(record, dict(in_force.min_repair_months), today)
        seen = rules.visibility(record, ["Violation"], today)
        repairs.append(
            {
                **window.model_dump(mode="json"),
                "decision_number": record.get("decision_number"),
                "decided_on": native_value(record["decided_on"]).isoformat(),
                "severity": record.get("severity"),
                "publicly_shown": seen.public,
                "ban_end": None
                if record.get("ban_end") is None
                else native_value(record["ban_end"]).isoformat(),
            }
        )
    return {
        "organization": {"uid": uid, "name": name, "uscc": uscc},
        "as_of": today.isoformat(),
        "score": json.loads(profile.explanation),
        "confirmed_flags": flags,
        "repair": {
            "records": repairs,
            "how_to_apply": HOW_TO_REPAIR,
            "min_repair_months": {str(k): v for k, v in in_force.min_repair_months.items()},
            "policy_version": profile.score.policy_version,
            "basis": [{"id": i, "citation": text(i)} for i in ("NDRC-58-REPAIR", "CIVIL-201-202")],
        },
    }
