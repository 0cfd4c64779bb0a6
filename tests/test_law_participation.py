"""Participation in law, through the real API over HTTP: Regs Art. 18 and Art. 22 para 2 per
bidder, the single check against the lot's other bidders, a common controller on its own
basis, open name matches, the agency check (Law Art. 78), natural-person suppliers (Law
Art. 21), and a confirmed Art. 18 flag drafting an invalid bid, not a violation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

TODAY = date.today()
A, B, C, M, G, BUYER = (f.make_uscc(n) for n in (1, 2, 3, 5, 7, 9))
CHECK = """query($u: String, $id: ID, $lot: ID, $asOf: Date) {
  supplierEligibility(uscc: $u, id: $id, lotId: $lot, asOf: $asOf) {
    supplierId decision reasons { code decision legalBasis message recordIds }
    checkRecord { id } } }"""
LOT = """query($lot: ID!) { lotEligibility(lotId: $lot) {
  decision bidders { supplierId decision reasons { code legalBasis message recordIds } }
  conflicts { code decision supplierIds via affected { supplierId bidId partyId } legalBasis }
  checkRecord { id } } }"""
AGENCY = """query($u: String!, $asOf: Date) { agencyEligibility(uscc: $u, asOf: $asOf) {
  agencyId decision reasons { code legalBasis recordIds until } checkRecord { id } } }"""
RECORD = "query($id: ID!) { checkRecord(id: $id) { verified content } }"


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _market(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *(f.organization(n) for n in (1, 2, 3, 5)),
        f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
        f.project("P1", 9),
        f.lot("L1", "P1"),
        *extra,
    ]


def _decided(lot: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {
        b["supplierId"]: (b["decision"], [r["code"] for r in b["reasons"]]) for b in lot["bidders"]
    }


def test_a_bidder_that_designed_the_project_is_ineligible_and_the_others_are_not(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        _market(
            f.tie("PROVIDED_SERVICE", {"org": C}, {"project": "P1"}, service="OVERALL_DESIGN"),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B3", "L1", 3, "99.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert lot["decision"] == "INELIGIBLE"
    assert _decided(lot) == {
        f"org:{A}": ("ELIGIBLE", []),
        f"org:{C}": ("INELIGIBLE", ["PRIOR_PROJECT_SERVICE"]),
    }
    (reason,) = lot["bidders"][1]["reasons"]
    assert "第十八条第二款" in reason["legalBasis"] and "OVERALL_DESIGN" in reason["message"]
    single = gql.ok(CHECK, u=C, lot="L1")["supplierEligibility"]
    assert [r["code"] for r in single["reasons"]] == ["PRIOR_PROJECT_SERVICE"]
    assert gql.ok(CHECK, u=C)["supplierEligibility"]["decision"] == "ELIGIBLE"  # no lot: no bar


def test_a_single_check_with_a_lot_finds_the_art_18_conflict_with_another_bidder(
    intake: Intake, gql: GraphQLClient
) -> None:
    boss = {"person": f.make_id_number(1)}
    ingest(
        intake,
        _market(
            f.person(1),
            f.tie("LEGAL_REP_OF", boss, {"org": A}),
            f.tie("RESPONSIBLE_FOR", boss, {"org": B}),
            f.bid("B1", "L1", 1, "100.00"),
        ),
    )
    # B has not bid: may it still join the lot where A bid?
    before = gql.ok(CHECK, u=B, lot="L1")["supplierEligibility"]
    assert before["decision"] == "INELIGIBLE"
    (reason,) = before["reasons"]
    assert reason["code"] == "SAME_RESPONSIBLE_PERSON"
    assert "bid:B1" in reason["recordIds"] and f"org:{A}" in reason["message"]
    assert "第十八条第一款" in reason["legalBasis"]
    assert gql.ok(CHECK, u=B)["supplierEligibility"]["decision"] == "ELIGIBLE"
    ingest(intake, [f.bid("B2", "L1", 2, "101.00")])
    after = gql.ok(CHECK, u=A, lot="L1")["supplierEligibility"]
    assert [r["code"] for r in after["reasons"]] == ["SAME_RESPONSIBLE_PERSON"]
    assert "bid:B2" in after["reasons"][0]["recordIds"]


def test_a_consortium_members_shared_responsible_person_bars_the_consortium(
    intake: Intake, gql: GraphQLClient
) -> None:
    boss = {"person": f.make_id_number(1)}
    ingest(
        intake,
        _market(
            f.person(1),
            f.tie("LEGAL_REP_OF", boss, {"org": M}),
            f.tie("LEGAL_REP_OF", boss, {"org": B}),
            f.bid("B1", "L1", 1, "100.00", consortium_members=[M]),
            f.bid("B2", "L1", 2, "101.00"),
            f.bid("B3", "L1", 3, "102.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    (conflict,) = lot["conflicts"]
    assert conflict["code"] == "SAME_RESPONSIBLE_PERSON"
    assert {(x["supplierId"], x["partyId"]) for x in conflict["affected"]} == {
        (f"org:{A}", f"org:{M}"),
        (f"org:{B}", f"org:{B}"),
    }
    decided = _decided(lot)
    assert decided[f"org:{A}"] == ("INELIGIBLE", ["SAME_RESPONSIBLE_PERSON"])
    assert decided[f"org:{C}"] == ("ELIGIBLE", [])
    consortium = lot["bidders"][0]["reasons"][0]["message"]
    assert f"consortium member org:{M}" in consortium


def test_a_consortium_member_also_bidding_alone_bars_both_bids(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(
        intake,
        _market(
            f.bid("B1", "L1", 1, "100.00", consortium_members=[M]),
            f.bid("B5", "L1", 5, "101.00"),
            f.bid("B3", "L1", 3, "102.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert _decided(lot) == {
        f"org:{A}": ("INELIGIBLE", ["CONSORTIUM_MEMBER_BIDS_TWICE"]),
        f"org:{C}": ("ELIGIBLE", []),
        f"org:{M}": ("INELIGIBLE", ["CONSORTIUM_MEMBER_BIDS_TWICE"]),
    }
    assert "第二十二条第二款" in lot["conflicts"][0]["legalBasis"]


def test_a_common_controller_with_different_legal_reps_is_review_on_its_own_basis(
    intake: Intake, gql: GraphQLClient
) -> None:
    owner = {"person": f.make_id_number(3)}
    ingest(
        intake,
        _market(
            f.person(1),
            f.person(2),
            f.person(3),
            f.tie("LEGAL_REP_OF", {"person": f.make_id_number(1)}, {"org": A}),
            f.tie("LEGAL_REP_OF", {"person": f.make_id_number(2)}, {"org": B}),
            f.tie("CONTROLS", owner, {"org": A}),
            f.tie("CONTROLS", owner, {"org": B}),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
        ),
    )
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert lot["decision"] == "REVIEW"
    (conflict,) = lot["conflicts"]
    assert (conflict["code"], conflict["decision"]) == ("COMMON_CONTROLLER", "REVIEW")
    assert conflict["via"] == [get_mapper().person_uid_for(f.make_id_number(3))]
    assert "非法定" in conflict["legalBasis"] and "Art. 74 item 5" in conflict["legalBasis"]
    assert _decided(lot) == {
        f"org:{A}": ("REVIEW", ["COMMON_CONTROLLER"]),
        f"org:{B}": ("REVIEW", ["COMMON_CONTROLLER"]),
    }


def test_a_confirmed_art_18_flag_drafts_an_invalid_bid_not_a_violation(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    boss = {"person": f.make_id_number(1)}
    ingest(
        intake,
        _market(
            f.person(1),
            f.tie("LEGAL_REP_OF", boss, {"org": A}),
            f.tie("LEGAL_REP_OF", boss, {"org": B}),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
        ),
    )
    flags = gql.ok('query { lotFlags(lotId: "L1") { flags { id pattern } } }')["lotFlags"]
    (flag_id,) = [x["id"] for x in flags["flags"] if x["pattern"] == "SAME_CONTROLLER"]
    review = """mutation($id: ID!) { reviewFlag(id: $id, decision: CONFIRM, reason: "工商登记证实",
      createDraftViolation: true) { drafts { subjectUscc category severity basis } } }"""
    drafts = gql.ok(review, id=flag_id)["reviewFlag"]["drafts"]
    assert sorted(d["subjectUscc"] for d in drafts) == [A, B]
    assert {(d["category"], d["severity"]) for d in drafts} == {("INVALID_BID", "NOT_APPLICABLE")}
    assert all("相关投标均无效" in d["basis"] for d in drafts)
    assert store.read("MATCH (v:Violation) RETURN count(v) AS n")[0]["n"] == 0


PUSH = """mutation($s: String!, $r: [JSON!]!) { ingestExternalRecords(source: $s, records: $r) {
  rejected } }"""


def test_an_open_name_match_is_review_naming_the_candidate_and_the_record_shows_list_freshness(
    intake: Intake, store: GraphStore, api_url: str, gql: GraphQLClient
) -> None:
    ingest(intake, [f.organization(1, name="杭州鼎盛建设工程有限公司")])
    _, key = create_api_key(store, "court system", Role.SYNC_CLIENT, "court")
    court = GraphQLClient(api_url, key)
    entry = {
        "external_id": "301",
        "version": 1,
        "list": "COURT_DISHONEST_DEBTOR",
        "subject_name": "杭州鼎盛建设工程有限公司",
        "authority": "杭州市中级人民法院",
        "reference": "(2025)浙01执301号",
        "listed_on": _day(-30),
    }
    assert court.ok(PUSH, s="court", r=[entry])["ingestExternalRecords"]["rejected"] == 0
    result = gql.ok(CHECK, u=A)["supplierEligibility"]
    assert result["decision"] == "REVIEW"
    (reason,) = result["reasons"]
    assert reason["code"] == "OPEN_NAME_MATCH_COURT_DISHONEST_DEBTOR"
    (candidate,) = gql.ok("{ matchCandidates { id } }")["matchCandidates"]
    assert (
        candidate["id"] in reason["recordIds"] and "杭州鼎盛建设工程有限公司" in reason["message"]
    )
    content = gql.ok(RECORD, id=result["checkRecord"]["id"])["checkRecord"]["content"]
    (fresh,) = content["inputs"]["external_lists"]
    assert (fresh["list"], fresh["source"], fresh["entries"]) == (
        "COURT_DISHONEST_DEBTOR",
        "court",
        1,
    )
    assert fresh["last_received"][:4] == str(TODAY.year)[:4]
    decide = 'mutation($id: ID!) { decideMatch(id: $id, accept: false, reason: "不同法人") }'
    assert gql.ok(decide, id=candidate["id"])["decideMatch"]
    assert gql.ok(CHECK, u=A)["supplierEligibility"]["decision"] == "ELIGIBLE"


def test_an_agency_banned_under_art_78_is_ineligible_and_the_check_is_filed(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(
        intake,
        [
            f.organization(7, roles=["AGENCY"], name="杭州某招标代理有限公司"),
            f.organization(1),
            f.violation(
                "VA",
                7,
                category="AGENCY_IRREGULAR_PROCEDURE",
                penalty_types=["FINE", "AGENCY_BAN"],
                decided_on=_day(-10),
                ban_start=_day(-10),
                ban_end=_day(355),
            ),
        ],
    )
    purchaser = client_as(Role.PURCHASER, org=BUYER)
    result = purchaser.ok(AGENCY, u=G)["agencyEligibility"]
    assert result["decision"] == "INELIGIBLE"
    (reason,) = result["reasons"]
    assert (reason["code"], reason["recordIds"], reason["until"]) == (
        "AGENCY_BAN",
        ["violation:VA"],
        _day(355),
    )
    assert "第七十八条" in reason["legalBasis"]
    assert purchaser.ok(RECORD, id=result["checkRecord"]["id"])["checkRecord"]["verified"]
    after = purchaser.ok(AGENCY, u=G, asOf=_day(356))["agencyEligibility"]
    assert after["decision"] == "ELIGIBLE"
    error = purchaser.error(AGENCY, u=A)
    assert error["extensions"]["field"] == "uscc" and error["extensions"]["rule"] == "not_agency"


def test_a_natural_person_supplier_bids_and_is_checked_with_its_data_masked(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    number = f.make_id_number(21)
    report = ingest(
        intake,
        _market(
            f.person(21, name="王个体"),
            {
                "type": "bid",
                "id": "BP",
                "lot": "L1",
                "supplier_person": number,
                "price": {"amount": "90.00"},
                "submitted_at": "2025-03-20T09:30:00+08:00",
            },
            f.bid("B1", "L1", 1, "100.00"),
            f.violation(
                "VP",
                {"person": number},
                decided_on=_day(-5),
                ban_start=_day(-5),
                ban_end=_day(360),
            ),
        ),
    )
    assert report.rejected == 0, report
    uid = get_mapper().person_uid_for(number)
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert _decided(lot)[uid] == ("INELIGIBLE", ["ACTIVE_PROCUREMENT_BAN"])
    purchaser = client_as(Role.PURCHASER, org=BUYER)
    query = """query($id: ID!) { supplierEligibility(id: $id) { supplierId decision
      person { maskedIdNumber } reasons { code } } }"""
    result = purchaser.ok(
        query.replace("reasons { code }", "reasons { code } checkRecord { id }"), id=uid
    )["supplierEligibility"]
    content = gql.ok(RECORD, id=result["checkRecord"]["id"])["checkRecord"]["content"]
    assert "第二十一条" in content["inputs"]["natural_person"] and "王个体" not in str(content)
    assert (result["supplierId"], result["decision"]) == (uid, "INELIGIBLE")
    assert result["person"]["maskedIdNumber"] == number[:4] + "*" * 10 + number[-4:]
    named = query.replace("maskedIdNumber", "maskedIdNumber name")
    assert purchaser.raw(named, id=uid).get("errors")  # the name: supervisors only
    assert gql.ok(named, id=uid)["supplierEligibility"]["person"]["name"] == "王个体"
    both = purchaser.error(CHECK, u=A, id=uid)
    assert (both["extensions"]["field"], both["extensions"]["rule"]) == ("uscc", "one_of")
    bad = purchaser.error(CHECK, id="person:not-hex")
    assert (bad["extensions"]["field"], bad["extensions"]["rule"]) == ("id", "format")
