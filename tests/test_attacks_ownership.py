"""Attacks of issue 14, findings 1 (records belong to their source) and 4 (no answered
request leaves the audit trail), each tried over HTTP against the real app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

import httpx

from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.audit import verify_chain
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from graph import audit_queries as audit_q
from tests import factories as f
from tests.conftest import ROOT, GraphQLClient, ingest, token_for

INGEST = """
mutation($records: [JSON!]!) {
  ingestRecords(records: $records) {
    received changed unchanged rejected ids
    errors { index field rule message }
    conflicts { index field rule message }
  }
}"""
CHECK = "query($u: String!) { supplierEligibility(uscc: $u) { decision reasons { code } } }"
BANNED = f.make_uscc(1)
UNTIL = (date.today() + timedelta(days=400)).isoformat()


def _court_records() -> list[dict[str, Any]]:
    """A supplier banned by the province's violation and listed by the court."""
    return [
        f.organization(1, source="province"),
        f.violation("V-PROV-1", 1, source="province", ban_end=UNTIL, external_id="P-1"),
        {
            "type": "external_listing",
            "id": "court-L1",
            "list": "COURT_DISHONEST_DEBTOR",
            "subject": BANNED,
            "subject_name": "测试供应商1有限公司",
            "authority": "杭州市中级人民法院",
            "listed_on": "2025-01-01",
            "source": "court",
        },
    ]


def _attack() -> list[dict[str, Any]]:
    """Finding 1 exactly: the national key overturns the province's violation and retracts
    the court's listing, alongside a record of its own."""
    return [
        f.violation(
            "V-PROV-1",
            1,
            source="national",
            version=2,
            status="OVERTURNED",
            status_date="2025-06-01",
            ban_end=UNTIL,
        ),
        {
            "type": "external_listing",
            "id": "court-L1",
            "list": "COURT_DISHONEST_DEBTOR",
            "subject": BANNED,
            "subject_name": "测试供应商1有限公司",
            "authority": "杭州市中级人民法院",
            "listed_on": "2025-01-01",
            "retracted_on": "2025-06-01",
            "source": "national",
            "version": 5,
        },
        f.organization(2, source="national"),
    ]


def _sync_client(store: GraphStore, api_url: str, source: str) -> GraphQLClient:
    _, key = create_api_key(store, f"{source} platform", Role.SYNC_CLIENT, source)
    return GraphQLClient(api_url, key)


# --- finding 1 --------------------------------------------------------------------------------


def test_f1_a_sync_client_cannot_overturn_or_retract_another_sources_record(
    intake: Intake, gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    assert ingest(intake, _court_records()).errors == []
    assert gql.ok(CHECK, u=BANNED)["supplierEligibility"]["decision"] == "INELIGIBLE"
    national = _sync_client(store, api_url, "national")
    result = national.ok(INGEST, records=_attack())["ingestRecords"]
    refused = {(e["index"], e["field"], e["rule"]) for e in result["errors"]}
    assert refused == {(0, "source", "source.not_owner"), (1, "source", "source.not_owner")}
    assert "province" in result["errors"][0]["message"]
    assert "court" in result["errors"][1]["message"]
    assert result["ids"][2] == f"org:{f.make_uscc(2)}"  # the rest of the batch landed
    assert store.node(f"org:{f.make_uscc(2)}") is not None
    assert gql.ok(CHECK, u=BANNED)["supplierEligibility"]["decision"] == "INELIGIBLE"
    violation = store.node("violation:V-PROV-1")
    assert violation is not None
    assert (violation.props["status"], violation.props["source"]) == ("ACTIVE", "province")
    assert violation.props["owner_source"] == "province"


def test_f1_the_owner_may_still_amend_its_own_record(
    intake: Intake, gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    assert ingest(intake, _court_records()).errors == []
    province = _sync_client(store, api_url, "province")
    own = _attack()[0] | {"source": "province"}
    result = province.ok(INGEST, records=[own])["ingestRecords"]
    assert (result["changed"], result["errors"]) == (1, [])
    assert gql.ok(CHECK, u=BANNED)["supplierEligibility"]["decision"] == "INELIGIBLE"  # listed


def test_f1_a_supervisor_writing_through_intake_is_held_to_ownership_too(
    intake: Intake, gql: GraphQLClient
) -> None:
    assert ingest(intake, _court_records()).errors == []
    result = gql.ok(INGEST, records=_attack()[:1])["ingestRecords"]
    assert [e["rule"] for e in result["errors"]] == ["source.not_owner"]


AMEND = """
mutation($id: ID!, $record: JSON!, $reason: String!) {
  amendRecord(id: $id, record: $record, reason: $reason) { id version ownerSource amendedBy }
}"""


def test_f1_a_supervisor_amends_another_sources_record_with_a_reason_on_the_trail(
    intake: Intake, gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    assert ingest(intake, _court_records()).errors == []
    national = _sync_client(store, api_url, "national")
    denied = national.error(
        AMEND, id="violation:V-PROV-1", record=_attack()[0], reason="overturned on appeal"
    )
    assert denied["extensions"]["code"] == "FORBIDDEN"
    reason = "行政复议决定撤销 — overturned on review, decision 浙财复〔2025〕3号"
    amended = gql.ok(AMEND, id="violation:V-PROV-1", record=_attack()[0], reason=reason)
    assert amended["amendRecord"] == {
        "id": "violation:V-PROV-1",
        "version": 2,
        "ownerSource": "province",
        "amendedBy": amended["amendRecord"]["amendedBy"],
    }
    assert amended["amendRecord"]["amendedBy"]
    node = store.node("violation:V-PROV-1")
    assert node is not None and node.props["status"] == "OVERTURNED"
    assert node.props["source"] == "province"  # still the province's record
    changes = gql.ok("{ changes(first: 10) { items { kind record } } }")["changes"]["items"]
    overturned = [c["record"] for c in changes if c["kind"] == "VIOLATION_OVERTURNED"]
    assert [(c["record_id"], c["source"]) for c in overturned] == [
        ("violation:V-PROV-1", "province")
    ]
    events = store.read(audit_q.AUDIT_PAGE, after=0, limit=1000)
    tried = [e["e"] for e in events if e["e"]["operation"] == "Mutation.amendRecord"]
    assert [e["outcome"] for e in tried if "SYNC_CLIENT" in e["roles"]] == ["denied"]
    amends = [e for e in tried if "SUPERVISOR" in e["roles"] and e["outcome"] == "ok"]
    assert (
        len(amends) == 2
    )  # the write's own event and the request's and all(e["reason"] == reason for e in amends)
    assert all("violation:V-PROV-1" in e["targets"] for e in amends)
    assert any(e.get("in_transaction") for e in amends)
    wrong = gql.error(AMEND, id="violation:OTHER", record=_attack()[0], reason="x")
    assert (wrong["extensions"]["field"], wrong["extensions"]["rule"]) == ("id", "id.mismatch")
    missing = gql.error(AMEND, id="violation:V-PROV-1", record=_attack()[0], reason=" ")
    assert missing["extensions"]["field"] == "reason"


CONFLICTS = """
query($id: ID!) { conflictingValues(recordId: $id) {
  recordId field value source ownerSource ownerValue } }"""


def test_f1_another_source_adds_to_an_organisation_but_its_conflicting_name_is_kept_aside(
    intake: Intake, gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    assert ingest(intake, _court_records()).errors == []
    national = _sync_client(store, api_url, "national")
    contribution = f.organization(
        1, source="national", name="另一个名字有限公司", roles=["AGENCY"], phones=["0571-8888 1234"]
    )
    result = national.ok(INGEST, records=[contribution])["ingestRecords"]
    assert result["errors"] == []
    assert result["conflicts"] == [
        {
            "index": 0,
            "field": "name",
            "rule": "source.conflict",
            "message": result["conflicts"][0]["message"],
        }
    ]
    assert "province" in result["conflicts"][0]["message"]
    org = store.node(f"org:{BANNED}")
    assert org is not None
    assert org.props["name"] == "测试供应商1有限公司"  # the province's value stands
    assert {"Supplier", "Agency"} <= set(org.labels)  # the role was added
    assert sorted(org.props["roles"]) == ["AGENCY", "SUPPLIER"]
    phones = store.neighbours([f"org:{BANNED}"], "HAS_PHONE", outgoing=True)
    assert [p.uid for p in phones[f"org:{BANNED}"]] == ["phone:057188881234"]
    assert org.props["source"] == "province" and org.props["owner_source"] == "province"
    kept = gql.ok(CONFLICTS, id=f"org:{BANNED}")["conflictingValues"]
    assert kept == [
        {
            "recordId": f"org:{BANNED}",
            "field": "name",
            "value": "另一个名字有限公司",
            "source": "national",
            "ownerSource": "province",
            "ownerValue": "测试供应商1有限公司",
        }
    ]
    again = national.ok(INGEST, records=[contribution])["ingestRecords"]
    assert (again["changed"], again["unchanged"]) == (0, 1)
    assert len(gql.ok(CONFLICTS, id=f"org:{BANNED}")["conflictingValues"]) == 1
    purchaser = GraphQLClient(api_url, token_for(Role.PURCHASER))
    assert purchaser.error(CONFLICTS, id=f"org:{BANNED}")["extensions"]["code"] == "FORBIDDEN"
    # the contributor cannot remove what the province set either
    stripped = f.organization(1, source="national", roles=["AGENCY"], region=None)
    national.ok(INGEST, records=[stripped])
    org = store.node(f"org:{BANNED}")
    assert org is not None and "Supplier" in org.labels


# --- finding 4 --------------------------------------------------------------------------------


def _serve() -> tuple[subprocess.Popen[bytes], str]:
    """`credit serve` as an operator runs it, in a process of its own."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "credit.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "credit serve did not start"
        try:
            if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)


def _answered_then_killed(credential: str, query: str, **variables: Any) -> Any:
    """Post one request and SIGKILL the server the moment its answer is in."""
    process, base = _serve()
    try:
        response = httpx.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {credential}"},
            timeout=30,
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _events(store: GraphStore) -> list[dict[str, Any]]:
    return [row["e"] for row in store.read(audit_q.AUDIT_PAGE, after=0, limit=10_000)]


def test_f4_an_answered_write_keeps_its_audit_event_when_the_server_is_killed(
    intake: Intake, store: GraphStore
) -> None:
    assert ingest(intake, _court_records()).errors == []
    _, key = create_api_key(store, "national platform", Role.SYNC_CLIENT, "national")
    body = _answered_then_killed(key, INGEST, records=_attack())
    result = body["data"]["ingestRecords"]
    written = f"org:{f.make_uscc(2)}"
    assert result["ids"][2] == written and store.node(written) is not None
    writes = [
        e for e in _events(store) if e["operation"] == "Mutation.ingestRecords" and e["outcome"]
    ]
    assert writes, "the write's audit event was lost"
    named = {t for e in writes for t in e["targets"]}
    refused = {t for e in writes for t in e.get("rejected", [])}
    assert written in named
    assert refused == {"violation:V-PROV-1", "listing:court-L1"}
    assert all(e["actor_name"] == "national platform" for e in writes)
    assert verify_chain(store).intact


def test_f4_an_answered_read_keeps_its_audit_event_when_the_server_is_killed(
    intake: Intake, store: GraphStore
) -> None:
    assert ingest(intake, _court_records()).errors == []
    reader = token_for(Role.PURCHASER, name="采购员")
    read = "query($u: String!) { organization(uscc: $u) { name } }"
    body = _answered_then_killed(reader, read, u=BANNED)
    assert body["data"]["organization"]["name"] == "测试供应商1有限公司"
    reads = [e for e in _events(store) if e["operation"] == "Query.organization"]
    assert [(e["outcome"], e["targets"]) for e in reads] == [("ok", [f"org:{BANNED}"])]
    assert verify_chain(store).intact


def test_f4_the_chain_with_write_events_verifies_and_an_altered_reason_breaks_it(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    assert ingest(intake, _court_records()).errors == []
    gql.ok(AMEND, id="violation:V-PROV-1", record=_attack()[0], reason="复议撤销")
    gql.ok(INGEST, records=[f.organization(3)])
    gql.ok(CHECK, u=BANNED)
    from tests.conftest import run_cli

    verified = run_cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" in verified.stdout
    store.write(
        "MATCH (e:AuditEvent) WHERE e.reason IS NOT NULL AND e.in_transaction "
        "SET e.reason = 'no reason'"
    )
    broken = run_cli("audit", "verify")
    assert broken.returncode == 1 and "altered" in broken.stdout
