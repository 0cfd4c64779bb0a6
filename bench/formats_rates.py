"""Intake rates of `credit ingest --format ocds|bods` on a market of realistic size: the demo
market re-expressed as OCDS compiled releases (JSON Lines, with bids) and as BODS 0.4
statements, converted and ingested twice (first pass writes, the repeat must change nothing).

Run on a local instance you may write to, e.g.
  CREDIT_INSTANCE=ocds CREDIT_NEO4J_PORT=7701 .venv/bin/python bench/formats_rates.py [suppliers]
Project ids carry an `ocds-bench-` prefix so they never collide with the demo's own projects;
organisations the graph already knows are left as they are, as in every OCDS/BODS intake.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from credit.core.wiring import get_intake
from credit.formats import READERS, leave_known_organizations
from credit.markets.demo import generate

_METHODS = {"OPEN_TENDERING": "open", "SELECTIVE_TENDERING": "selective"}
_INTERESTS = {
    "OWNS": "shareholding",
    "CONTROLS": "otherInfluenceOrControl",
    "DIRECTOR_OF": "boardMember",
    "LEGAL_REP_OF": "seniorManagingOfficial",
}


def _party(uscc: str, orgs: dict[str, Any], role: str) -> dict[str, Any]:
    return {
        "id": f"CN-USCC-{uscc}",
        "name": orgs[uscc]["name"],
        "identifier": {"scheme": "CN-USCC", "id": uscc},
        "roles": [role],
    }


def to_ocds(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One compiled release per demo project."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        by_type[rec["type"]].append(rec)
    orgs = {o["uscc"]: o for o in by_type["organization"]}
    lots, bids, awards = defaultdict(list), defaultdict(list), defaultdict(list)
    for lot in by_type["lot"]:
        lots[lot["project"]].append(lot)
    for bid in by_type["bid"]:
        bids[bid["lot"]].append(bid)
    for award in by_type["award"]:
        awards[award["lot"]].append(award)
    contracts = {c["award"]: c for c in by_type["contract"]}
    releases = []
    for project in by_type["project"]:
        ocid = f"ocds-bench-{project['id']}"
        parties = {project["purchaser"]: _party(project["purchaser"], orgs, "buyer")}
        if project.get("agency"):
            parties[project["agency"]] = _party(project["agency"], orgs, "procuringEntity")
        own_lots = lots[project["id"]]
        lot_bids = [b for lot in own_lots for b in bids[lot["id"]]]
        lot_awards = [a for lot in own_lots for a in awards[lot["id"]]]
        for uscc in {b["supplier"] for b in lot_bids} | {a["supplier"] for a in lot_awards}:
            parties.setdefault(uscc, _party(uscc, orgs, "tenderer"))
        method = str(project["method"])
        tender: dict[str, Any] = {
            "id": project["id"],
            "title": project["name"],
            "procurementMethod": _METHODS.get(method, "limited"),
            "procurementMethodDetails": method,
            "tenderPeriod": {"startDate": f"{project['published_on']}T09:00:00+08:00"},
            "lots": [
                {"id": lot["id"], "title": lot["name"], "value": lot.get("budget")}
                for lot in own_lots
            ],
        }
        if project.get("agency"):
            tender["procuringEntity"] = {"id": f"CN-USCC-{project['agency']}"}
        releases.append(
            {
                "ocid": ocid,
                "id": f"{ocid}-compiled",
                "date": f"{project['published_on']}T09:00:00+08:00",
                "tag": ["compiled"],
                "parties": list(parties.values()),
                "buyer": {"id": f"CN-USCC-{project['purchaser']}"},
                "tender": tender,
                "bids": {
                    "details": [
                        {
                            "id": b["id"],
                            "date": b["submitted_at"],
                            "status": str(b["status"]).lower(),
                            "tenderers": [{"id": f"CN-USCC-{b['supplier']}"}],
                            "value": b["price"],
                            "relatedLots": [b["lot"]],
                        }
                        for b in lot_bids
                    ]
                },
                "awards": [
                    {
                        "id": a["id"],
                        "status": "active",
                        "date": a["awarded_on"],
                        "suppliers": [{"id": f"CN-USCC-{a['supplier']}"}],
                        "value": a["amount"],
                        "relatedLots": [a["lot"]],
                    }
                    for a in lot_awards
                ],
                "contracts": [
                    {
                        "id": contracts[a["id"]]["id"],
                        "awardID": a["id"],
                        "value": contracts[a["id"]]["amount"],
                        "dateSigned": contracts[a["id"]]["signed_on"],
                    }
                    for a in lot_awards
                    if a["id"] in contracts
                ],
            }
        )
    return releases


def to_bods(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities, people and their ownership and control ties as BODS 0.4 statements."""
    statements: list[dict[str, Any]] = []

    def add(record_id: str, kind: str, details: dict[str, Any]) -> None:
        statements.append(
            {
                "statementId": f"s-{len(statements) + 1}",
                "statementDate": "2025-01-01",
                "recordId": record_id,
                "recordStatus": "new",
                "recordType": kind,
                "recordDetails": details,
            }
        )

    for rec in records:
        if rec["type"] == "organization":
            ident = {"scheme": "CN-USCC", "id": rec["uscc"]}
            add(rec["uscc"], "entity", {"name": rec["name"], "identifiers": [ident]})
        elif rec["type"] == "person":
            hashed = hashlib.sha256(rec["id_number"].encode()).hexdigest()
            add(
                rec["id_number"],
                "person",
                {
                    "personType": "knownPerson",
                    "names": [{"fullName": rec["name"]}],
                    "identifiers": [{"scheme": "CN-RIC-SHA256", "id": hashed}],
                },
            )
        elif rec["type"] == "tie" and str(rec["kind"]) in _INTERESTS:
            party = rec["from"].get("org") or rec["from"].get("person")
            interest: dict[str, Any] = {
                "type": _INTERESTS[str(rec["kind"])],
                "directOrIndirect": "direct",
            }
            if rec.get("share"):
                interest["share"] = {"exact": float(rec["share"]) * 100}
            if rec.get("valid_from"):
                interest["startDate"] = str(rec["valid_from"])
            details = {"subject": rec["to"]["org"], "interestedParty": party}
            add(f"r-{len(statements)}", "relationship", details | {"interests": [interest]})
    return statements


def _run(fmt: str, path: Path) -> None:
    intake = get_intake()
    for attempt in ("first", "repeat"):
        started = time.monotonic()
        conversion = READERS[fmt](path, None)
        converted = time.monotonic()
        leave_known_organizations(conversion, intake.store.existing_uids)
        report = intake.run(conversion.items)
        done = time.monotonic()
        n = report.received
        print(
            f"{fmt} {attempt}: {n} records ({report.changed} changed, {report.rejected} rejected)"
            f"; convert {converted - started:.2f}s, intake {done - converted:.2f}s"
            f" -> {n / (done - started):.0f} records/s end to end"
        )


def main() -> None:
    suppliers = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    records = list(generate(suppliers=suppliers, seed=20151))
    folder = Path(tempfile.mkdtemp(prefix="formats-bench-"))
    ocds_file, bods_file = folder / "releases.jsonl", folder / "statements.json"
    with ocds_file.open("w", encoding="utf-8") as out:
        for release in to_ocds(records):
            out.write(json.dumps(release, ensure_ascii=False, default=str) + "\n")
    bods_file.write_text(json.dumps(to_bods(records), ensure_ascii=False, default=str))
    print(f"demo market of {suppliers} suppliers: {ocds_file}, {bods_file}")
    _run("ocds", ocds_file)
    _run("bods", bods_file)


if __name__ == "__main__":
    main()
