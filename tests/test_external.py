"""Other systems push their lists: idempotent on (source, external id, version), retractions,
provenance, per-record errors, and listings that change eligibility at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from credit.sync.external import listing_id
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, run_cli

PUSH = """mutation($s: String!, $r: [JSON!]!) { ingestExternalRecords(source: $s, records: $r) {
  received changed unchanged rejected errors { index field rule } ids } }"""
CHECK = "query($u: String!) { supplierEligibility(uscc: $u) { decision reasons { code } } }"
KNOWN, UNKNOWN = f.make_uscc(1), f.make_uscc(2)
ROOT = Path(__file__).resolve().parent.parent


def _entry(external_id: str, uscc: str | None, **over: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "version": 1,
        "list": "COURT_DISHONEST_DEBTOR",
        "subject_uscc": uscc,
        "subject_name": "测试供应商有限公司",
        "authority": "杭州市中级人民法院",
        "reference": f"(2025)浙01执{external_id}号",
        "listed_on": "2025-03-01",
    } | over


def _court(api_url: str, store: GraphStore) -> GraphQLClient:
    _, key = create_api_key(store, "court system", Role.SYNC_CLIENT, "court")
    return GraphQLClient(api_url, key)


def test_a_pushed_listing_bars_the_supplier_at_once(
    intake: Intake, store: GraphStore, api_url: str, gql: GraphQLClient
) -> None:
    ingest(intake, [f.organization(1)])
    assert gql.ok(CHECK, u=KNOWN)["supplierEligibility"]["decision"] == "ELIGIBLE"
    court = _court(api_url, store)
    result = court.ok(
        PUSH,
        s="court",
        r=[
            _entry("101", KNOWN),
            _entry("102", UNKNOWN),
            _entry("103", KNOWN, list="PARKING_TICKETS"),
        ],
    )
    pushed = result["ingestExternalRecords"]
    assert (pushed["received"], pushed["rejected"]) == (3, 1)
    assert pushed["errors"] == [{"index": 2, "field": "list", "rule": "enum"}]
    assert pushed["ids"][2] is None and pushed["ids"][0] == f"listing:{listing_id('court', '101')}"
    check = gql.ok(CHECK, u=KNOWN)["supplierEligibility"]
    assert (check["decision"], [r["code"] for r in check["reasons"]]) == (
        "INELIGIBLE",
        ["LISTED_COURT_DISHONEST_DEBTOR"],
    )
    assert gql.ok(CHECK, u=UNKNOWN)["supplierEligibility"]["decision"] == "INELIGIBLE"


def test_a_repeat_changes_nothing_and_the_same_version_is_not_rewritten(
    store: GraphStore, api_url: str, gql: GraphQLClient
) -> None:
    court = _court(api_url, store)
    court.ok(PUSH, s="court", r=[_entry("101", KNOWN)])
    again = court.ok(PUSH, s="court", r=[_entry("101", KNOWN)])["ingestExternalRecords"]
    assert again["changed"] == 0
    altered = court.ok(PUSH, s="court", r=[_entry("101", KNOWN, authority="别的法院")])
    assert altered["ingestExternalRecords"]["changed"] == 0
    node = store.node(f"listing:{listing_id('court', '101')}")
    assert node is not None and node.props["authority"] == "杭州市中级人民法院"


def test_a_retraction_ends_the_listing_from_its_date(
    store: GraphStore, api_url: str, gql: GraphQLClient
) -> None:
    court = _court(api_url, store)
    court.ok(PUSH, s="court", r=[_entry("101", KNOWN)])
    assert gql.ok(CHECK, u=KNOWN)["supplierEligibility"]["decision"] == "INELIGIBLE"
    retracted = _entry("101", KNOWN, version=2, retracted_on="2025-06-01")
    assert court.ok(PUSH, s="court", r=[retracted])["ingestExternalRecords"]["changed"] >= 1
    assert gql.ok(CHECK, u=KNOWN)["supplierEligibility"]["decision"] == "ELIGIBLE"
    kinds = gql.ok("{ changes(first: 10) { items { kind } } }")["changes"]["items"]
    assert [k["kind"] for k in kinds] == ["LISTING_ADDED", "LISTING_RETRACTED"]


def test_provenance_is_kept_on_nodes_and_relationships(store: GraphStore, api_url: str) -> None:
    _court(api_url, store).ok(PUSH, s="court", r=[_entry("101", KNOWN)])
    rows = store.read(
        "MATCH (l:ExternalListing)-[r:LISTS]->(o:Organization) "
        "RETURN l {.*} AS l, r {.*} AS r, o {.*} AS o"
    )
    listing, rel, org = rows[0]["l"], rows[0]["r"], rows[0]["o"]
    assert (listing["source"], listing["external_id"], listing["version"]) == ("court", "101", 1)
    assert listing["received_at"] is not None
    assert (rel["source"], rel["external_id"], rel["version"]) == ("court", "101", 1)
    assert org["source"] == "court"


def test_a_client_pushes_its_own_source_only(
    store: GraphStore, api_url: str, client_as: Callable[..., GraphQLClient]
) -> None:
    error = _court(api_url, store).error(PUSH, s="tax", r=[_entry("1", KNOWN)])
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == (
        "source",
        "source.forbidden",
    )
    bad = client_as(Role.SUPERVISOR).error(PUSH, s="Court System!", r=[])
    assert bad["extensions"]["rule"] == "pattern"


MATCHES = "{ matchCandidates { id organizationUscc listedName score status } }"
DECIDE = "mutation($id: ID!, $a: Boolean!) { decideMatch(id: $id, accept: $a, reason: $a) }"


def test_a_name_only_listing_counts_only_after_a_supervisor_accepts_the_match(
    intake: Intake, store: GraphStore, api_url: str, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        [
            f.organization(1, name="杭州鼎盛建设工程有限公司"),
            f.organization(2, name="杭州鼎盛建设工程股份有限公司"),
            f.organization(3, name="温州华信科技有限公司"),
        ],
    )
    court = _court(api_url, store)
    entry = _entry("201", None, subject_name="杭州鼎盛建设工程有限公司")
    assert court.ok(PUSH, s="court", r=[entry])["ingestExternalRecords"]["rejected"] == 0
    # A name alone never bars; an open candidate sends the check to review (Caiku 125 query).
    pending = gql.ok(CHECK, u=KNOWN)["supplierEligibility"]
    assert pending["decision"] == "REVIEW"
    assert pending["reasons"] == [{"code": "OPEN_NAME_MATCH_COURT_DISHONEST_DEBTOR"}]
    proposed = gql.ok(MATCHES)["matchCandidates"]
    assert {p["organizationUscc"] for p in proposed} == {KNOWN, UNKNOWN}
    assert all(p["score"] >= 85 and p["status"] == "OPEN" for p in proposed)
    by_org = {p["organizationUscc"]: p["id"] for p in proposed}
    gql.ok(DECIDE.replace("reason: $a", 'reason: "不同法人"'), id=by_org[UNKNOWN], a=False)
    gql.ok(DECIDE.replace("reason: $a", 'reason: "名称与判决书一致"'), id=by_org[KNOWN], a=True)
    assert gql.ok(CHECK, u=KNOWN)["supplierEligibility"]["decision"] == "INELIGIBLE"
    assert gql.ok(CHECK, u=UNKNOWN)["supplierEligibility"]["decision"] == "ELIGIBLE"
    again = _entry("202", None, subject_name="杭州鼎盛建设工程有限公司")
    court.ok(PUSH, s="court", r=[again])
    assert gql.ok(MATCHES)["matchCandidates"] == []  # remembered: never asked again
    linked = store.read(
        "MATCH (l:ExternalListing)-[:LISTS]->(o) RETURN l.external_id AS e, o.uscc AS u"
    )
    assert sorted((r["e"], r["u"]) for r in linked) == [("201", KNOWN), ("202", KNOWN)]


def test_names_match_across_width_and_legal_form() -> None:
    from credit.sync.matching import normalise, score

    assert normalise("杭州鼎盛建设工程有限公司") == normalise("杭州鼎盛建设工程股份有限公司")
    assert normalise("ＡＢＣ Trading Co., Ltd.") == normalise("abc trading")
    assert score("杭州鼎盛建设工程有限公司", "温州华信科技有限公司") < 50


def test_cli_ingests_external_files_with_a_source(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "tax.jsonl"
    path.write_text(
        json.dumps(_entry("T-1", KNOWN, list="MAJOR_TAX_VIOLATION"), ensure_ascii=False)
        + "\n"
        + json.dumps(_entry("T-2", KNOWN, list="NOPE"))
        + "\n"
    )
    done = run_cli("ingest", "--format", "external", "--source", "tax", str(path))
    assert done.returncode == 1
    assert "line 2: list: enum:" in done.stderr
    rows = store.read("MATCH (l:ExternalListing)-[:LISTS]->(o) RETURN l.source AS s, o.uscc AS u")
    assert [(r["s"], r["u"]) for r in rows] == [("tax", KNOWN)]
    missing = run_cli("ingest", "--format", "external", str(path))
    assert missing.returncode == 2
