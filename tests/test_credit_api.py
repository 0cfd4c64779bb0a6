"""Eligibility, lot checks, credit profiles and check records over HTTP on a real graph.

The rule boundaries themselves are tested on the pure functions (test_eligibility_rules,
test_scoring_rules); these tests show the graph feeds them correctly and the answers reach a
purchaser with reasons, legal basis, records and a verifiable check record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credit.api.app import create_app
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.domain.periods import today
from credit.intake.pipeline import Intake
from credit.policy import PolicyError
from credit.security.permissions import Role
from credit.standing import service as assessment
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, run_cli, serving, token_for

ROOT = Path(__file__).resolve().parent.parent
TODAY = today()  # the day in China, as the server counts it
A, B, C, D, BUYER = (f.make_uscc(n) for n in (1, 2, 3, 4, 9))

CHECK = """query($u: String!, $asOf: Date, $lot: ID) {
  supplierEligibility(uscc: $u, asOf: $asOf, lotId: $lot) {
    decision policyVersion reasons { code decision legalBasis message recordIds until }
    checkRecord { id contentHash } } }"""
LOT = """query($lot: ID!, $asOf: Date) { lotEligibility(lotId: $lot, asOf: $asOf) {
  decision bidders { supplierId decision reasons { code } }
  conflicts { code supplierIds via legalBasis } checkRecord { id contentHash } } }"""
PROFILE = """query($u: String, $id: ID, $asOf: Date) {
  creditProfile(uscc: $u, id: $id, asOf: $asOf) {
  subjectType score base grade policyVersion cappedBy explanationJson
  explanation { recordId points basis countedFrom countedUntil reason } } }"""


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _market(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *(f.organization(n) for n in (1, 2, 3, 4)),
        f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
        f.project("P1", 9),
        f.lot("L1", "P1"),
        *extra,
    ]


def _ban(vid: str, subject: int, start: int, end: int, **over: Any) -> dict[str, Any]:
    return f.violation(
        vid, subject, decided_on=_day(start), ban_start=_day(start), ban_end=_day(end), **over
    )


def test_a_banned_supplier_is_ineligible_with_basis_records_and_a_check_record(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(intake, _market(_ban("V1", 1, -100, 0)))
    result = gql.ok(CHECK, u=A)["supplierEligibility"]
    assert result["decision"] == "INELIGIBLE"
    (reason,) = result["reasons"]
    assert reason["code"] == "ACTIVE_PROCUREMENT_BAN"
    assert reason["recordIds"] == ["violation:V1"] and reason["until"] == _day(0)
    assert "第七十七条" in reason["legalBasis"] and "Art. 77" in reason["legalBasis"]
    assert len(result["checkRecord"]["contentHash"]) == 64
    tomorrow = gql.ok(CHECK, u=A, asOf=_day(1))["supplierEligibility"]
    assert (tomorrow["decision"], tomorrow["reasons"]) == ("ELIGIBLE", [])


def test_a_check_record_verifies_and_an_altered_one_does_not(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    ingest(intake, _market(_ban("V1", 1, -100, 30)))
    ref = gql.ok(CHECK, u=A)["supplierEligibility"]["checkRecord"]
    query = "query($id: ID!) { checkRecord(id: $id) { verified contentHash content kind } }"
    record = gql.ok(query, id=ref["id"])["checkRecord"]
    assert record["verified"] is True and record["contentHash"] == ref["contentHash"]
    assert record["content"]["result"]["decision"] == "INELIGIBLE"
    assert record["content"]["inputs"]["supplier"] == f"org:{A}"
    store.write(
        "MATCH (c:CheckRecord {id: $id}) SET c.content = replace(c.content, "
        "'INELIGIBLE', 'ELIGIBLE')",
        id=ref["id"],
    )
    assert gql.ok(query, id=ref["id"])["checkRecord"]["verified"] is False


def test_purchasers_read_only_their_own_check_records(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(intake, _market())
    mine = client_as(Role.PURCHASER)
    ref = mine.ok(CHECK, u=A)["supplierEligibility"]["checkRecord"]
    query = "query($id: ID!) { checkRecord(id: $id) { id } }"
    assert mine.ok(query, id=ref["id"])["checkRecord"] == {"id": ref["id"]}
    other = GraphQLClient(str(mine.http.base_url), token_for(Role.PURCHASER, name="other"))
    assert other.ok(query, id=ref["id"])["checkRecord"] is None
    assert gql.ok(query, id=ref["id"])["checkRecord"] == {"id": ref["id"]}


@pytest.mark.parametrize(
    ("listing", "decision"),
    [
        ({}, "INELIGIBLE"),
        ({"valid_until": _day(-1)}, "ELIGIBLE"),
        ({"retracted_on": _day(-1)}, "ELIGIBLE"),
        ({"list": "OTHER_REGION_SERIOUS_DISHONESTY"}, "REVIEW"),
    ],
    ids=["listed", "expired", "retracted", "other-region"],
)
def test_external_listings_decide_by_list_and_validity(
    intake: Intake, gql: GraphQLClient, listing: dict[str, Any], decision: str
) -> None:
    record = {
        "type": "external_listing",
        "id": "EL1",
        "list": "COURT_DISHONEST_DEBTOR",
        "subject": A,
        "authority": "杭州市中级人民法院",
        "listed_on": _day(-200),
    } | listing
    ingest(intake, _market(record))
    assert gql.ok(CHECK, u=A)["supplierEligibility"]["decision"] == decision


def test_a_consortium_with_a_listed_member_is_ineligible_for_its_lot(
    intake: Intake, gql: GraphQLClient
) -> None:
    listing = {
        "type": "external_listing",
        "id": "EL1",
        "list": "MAJOR_TAX_VIOLATION",
        "subject": B,
        "authority": "国家税务总局杭州市税务局",
        "listed_on": _day(-10),
    }
    ingest(intake, _market(listing, f.bid("B1", "L1", 1, "100.00", consortium_members=[B])))
    alone = gql.ok(CHECK, u=A)["supplierEligibility"]
    assert alone["decision"] == "ELIGIBLE"
    in_lot = gql.ok(CHECK, u=A, lot="L1")["supplierEligibility"]
    assert in_lot["decision"] == "INELIGIBLE"
    assert [r["code"] for r in in_lot["reasons"]] == ["CONSORTIUM_MEMBER_INELIGIBLE"]
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert lot["decision"] == "INELIGIBLE"


def test_a_shared_legal_representative_with_a_banned_supplier_means_review(
    intake: Intake, gql: GraphQLClient
) -> None:
    boss = {"person": f.make_id_number(1)}
    ingest(
        intake,
        _market(
            f.person(1),
            _ban("V1", 2, -30, 300),
            f.tie("LEGAL_REP_OF", boss, {"org": A}),
            f.tie("LEGAL_REP_OF", boss, {"org": B}),
        ),
    )
    result = gql.ok(CHECK, u=A)["supplierEligibility"]
    assert result["decision"] == "REVIEW"
    assert [r["code"] for r in result["reasons"]] == ["NETWORK_LINK_TO_BANNED_SUPPLIER"]
    profile = gql.ok(PROFILE, u=A)["creditProfile"]
    assert profile["grade"] in ("C", "D") and profile["cappedBy"]


@pytest.mark.parametrize("holder", [1, 2], ids=["first-holds-second", "second-holds-first"])
def test_a_direct_holding_between_bidders_is_an_art_18_conflict(
    intake: Intake, gql: GraphQLClient, holder: int
) -> None:
    held = 3 - holder
    ingest(
        intake,
        _market(
            f.tie("OWNS", {"org": f.make_uscc(holder)}, {"org": f.make_uscc(held)}, share="0.6"),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
            f.bid("B3", "L1", 3, "99.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    # Regs Art. 18 para 1 found after bidding: both related bids are invalid, the third stands.
    assert lot["decision"] == "INELIGIBLE"
    decided = {
        b["supplierId"]: (b["decision"], [r["code"] for r in b["reasons"]]) for b in lot["bidders"]
    }
    assert decided == {
        f"org:{A}": ("INELIGIBLE", ["DIRECT_HOLDING_OR_MANAGEMENT"]),
        f"org:{B}": ("INELIGIBLE", ["DIRECT_HOLDING_OR_MANAGEMENT"]),
        f"org:{C}": ("ELIGIBLE", []),
    }
    (conflict,) = lot["conflicts"]
    assert conflict["code"] == "DIRECT_HOLDING_OR_MANAGEMENT"
    assert conflict["supplierIds"] == [f"org:{A}", f"org:{B}"]
    assert conflict["via"] == [f"org:{f.make_uscc(holder)}"]
    assert "第十八条" in conflict["legalBasis"]


def test_a_minority_stake_or_unrelated_bidders_raise_no_conflict(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        _market(
            f.tie("OWNS", {"org": A}, {"org": B}, share="0.2"),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert (lot["decision"], lot["conflicts"]) == ("ELIGIBLE", [])


def test_same_responsible_person_and_prior_design_work_are_conflicts(
    intake: Intake, gql: GraphQLClient
) -> None:
    boss = {"person": f.make_id_number(1)}
    ingest(
        intake,
        _market(
            f.person(1),
            f.tie("LEGAL_REP_OF", boss, {"org": A}),
            f.tie("RESPONSIBLE_FOR", boss, {"org": B}),
            f.tie("PROVIDED_SERVICE", {"org": C}, {"project": "P1"}, service="OVERALL_DESIGN"),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
            f.bid("B3", "L1", 3, "99.00"),
        ),
    )
    conflicts = gql.ok(LOT, lot="L1")["lotEligibility"]["conflicts"]
    assert [(c["code"], c["supplierIds"]) for c in conflicts] == [
        ("PRIOR_PROJECT_SERVICE", [f"org:{C}"]),
        ("SAME_RESPONSIBLE_PERSON", [f"org:{A}", f"org:{B}"]),
    ]
    assert conflicts[1]["via"] == [get_mapper().person_uid_for(f.make_id_number(1))]


def test_a_profile_explains_every_point_and_is_byte_identical(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        _market(
            _ban("V1", 1, -100, 265),
            f.violation(
                "V2",
                1,
                category="BREACH_OF_CONTRACT",
                severity="GENERAL",
                decided_on=_day(-40),
                ban_start=None,
                ban_end=None,
                penalty_types=["WARNING"],
                fine=None,
            ),
        ),
    )
    first = gql.ok(PROFILE, u=A)["creditProfile"]
    points = sum(Decimal(c["points"]) for c in first["explanation"])
    assert Decimal(first["base"]) + points == Decimal(first["score"])
    assert {c["recordId"] for c in first["explanation"]} == {"violation:V1", "violation:V2"}
    assert all(c["basis"] and c["countedFrom"] for c in first["explanation"])
    assert gql.ok(PROFILE, u=A)["creditProfile"]["explanationJson"] == first["explanationJson"]
    before = gql.ok(PROFILE, u=A, asOf=_day(-101))["creditProfile"]
    assert (before["score"], before["explanation"]) == (before["base"], [])


def test_experts_and_agencies_have_profiles_too(intake: Intake, gql: GraphQLClient) -> None:
    expert = f.person(5, expert={"specialties": ["工程造价"]})
    misconduct = f.violation(
        "V9",
        {"person": f.make_id_number(5)},
        category="EXPERT_FAILED_RECUSAL",
        severity="SERIOUS",
        penalty_types=["REVIEW_BAN"],
    )
    ingest(intake, _market(expert, misconduct, f.organization(7, roles=["AGENCY"])))
    uid = get_mapper().person_uid_for(f.make_id_number(5))
    profile = gql.ok(PROFILE, id=uid)["creditProfile"]
    assert profile["subjectType"] == "expert"
    assert [c["recordId"] for c in profile["explanation"]] == ["violation:V9"]
    assert gql.ok(PROFILE, u=f.make_uscc(7))["creditProfile"]["subjectType"] == "agency"


def test_a_changed_policy_version_shows_in_every_result(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    ingest(intake, _market())
    text = (ROOT / "credit" / "policy" / "default.toml").read_text(encoding="utf-8")
    changed = tmp_path / "policy.toml"
    changed.write_text(text.replace('version = "2026.2"', 'version = "2026.2-test"'))
    settings = get_settings().model_copy(update={"policy_file": changed})
    with serving(settings) as url:
        client = GraphQLClient(url, token_for(Role.SUPERVISOR))
        assert client.ok(CHECK, u=A)["supplierEligibility"]["policyVersion"] == "2026.2-test"
        assert client.ok(PROFILE, u=A)["creditProfile"]["policyVersion"] == "2026.2-test"


def test_an_invalid_policy_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    text = (ROOT / "credit" / "policy" / "default.toml").read_text(encoding="utf-8")
    bad = tmp_path / "policy.toml"
    bad.write_text(text.replace('version = "2026.2"', 'version = "2026.2"\nsurprise = 1'))
    with pytest.raises(PolicyError, match="surprise"):
        create_app(get_settings().model_copy(update={"policy_file": bad}))


def test_unknown_supplier_or_lot_is_a_clear_error(gql: GraphQLClient) -> None:
    assert gql.error(CHECK, u=A)["extensions"]["code"] == "NOT_FOUND"
    assert gql.error(LOT, lot="nope")["extensions"]["field"] == "lotId"
    assert gql.error(CHECK, u="123")["extensions"]["rule"] == "uscc.length"


def test_supervisors_see_who_checked_a_supplier_and_what_they_got(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(intake, _market(f.bid("B1", "L1", 1, "100.00"), f.bid("B2", "L1", 2, "90.00")))
    client_as(Role.PURCHASER, org=f.make_uscc(9)).ok(LOT, lot="L1")  # the lot's own purchaser
    events = gql.ok(
        "query($t: ID!) { auditEvents(filter: {targetId: $t}) { nodes { roles operation } } }",
        t=f"org:{B}",
    )["auditEvents"]["nodes"]
    assert events == [{"roles": ["PURCHASER"], "operation": "Query.lotEligibility"}]


def test_score_all_stores_grades_and_records_only_changes(
    intake: Intake, store: GraphStore
) -> None:
    ingest(intake, _market(_ban("V1", 1, -30, 300)))

    def run() -> str:
        done = run_cli("score", "--all")
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = run()
    assert "scored 4 subjects" in first and ": 4 grade changes" in first
    rows = store.read("MATCH (o:Organization {uscc: $u}) RETURN o.credit_grade AS g", u=A)
    assert rows[0]["g"] in ("B", "C", "D")
    assert store.read("MATCH (g:GradeChange) RETURN count(g) AS n")[0]["n"] == 4
    assert "0 grade changes" in run()


def test_a_single_check_reads_the_same_facts_in_one_query_as_the_lot_path(
    intake: Intake, store: GraphStore
) -> None:
    """Eligibility reads suppliers in one query (SUPPLIER_FACTS); scoring reads the same facts
    in two (SUBJECT_RECORDS, SUBJECT_NETWORK). Every kind of record and tie, one tie expired."""
    boss, ex = {"person": f.make_id_number(1)}, {"person": f.make_id_number(2)}
    listing = {
        "type": "external_listing",
        "id": "EL1",
        "list": "COURT_DISHONEST_DEBTOR",
        "subject": A,
        "authority": "杭州市中级人民法院",
        "listed_on": _day(-20),
    }
    ingest(
        intake,
        _market(
            f.person(1),
            f.person(2),
            listing,
            _ban("V1", 1, -30, 300),
            _ban("V2", 2, -30, 300),
            _ban("V3", 3, -400, -40),
            f.tie("LEGAL_REP_OF", boss, {"org": A}),
            f.tie("LEGAL_REP_OF", boss, {"org": B}),
            f.tie("CONTROLS", ex, {"org": A}, valid_to=_day(-5)),
            f.tie("CONTROLS", ex, {"org": D}),
            f.tie("OWNS", {"org": C}, {"org": A}, share="0.7"),
            f.tie("MANAGES", {"org": A}, {"org": D}),
        ),
    )
    uid = f"org:{A}"
    always = {
        ("SHARED_LEGAL_REP", f"org:{B}"),
        ("CONTROLLED_BY", f"org:{C}"),
        ("CONTROLS", f"org:{D}"),
    }
    for as_of, links in (
        (TODAY, always),
        (TODAY - timedelta(days=10), {*always, ("SAME_CONTROLLER", f"org:{D}")}),
    ):
        facts = assessment.supplier_facts(store, [uid], as_of, {}).get(uid)
        assert facts is not None
        assert facts.records == assessment.load_records(store, [uid])[uid].records
        assert facts.network == tuple(assessment.load_network(store, [uid], as_of)[uid])
        assert {r.id for r in facts.records} == {"violation:V1", "listing:EL1"}
        assert {(n.kind, n.other_id) for n in facts.network} == links
    assert assessment.supplier_facts(store, ["org:" + f.make_uscc(77)], TODAY, {}) == {}
