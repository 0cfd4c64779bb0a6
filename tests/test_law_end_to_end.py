"""Issue 15 as a purchaser tries it, over HTTP on a real graph, after loading records today:

- a supplier banned last year is INELIGIBLE as of a day inside that ban (and a check knowing
  only what was received before today said ELIGIBLE then: knownAt);
- a supplier banned today is INELIGIBLE and graded D, however few points the ban costs;
- a repaired CNY 2.5 million fine from 13 months ago still bars;
- a ban under appeal still bars;
- a lot check without a date is as of the lot's bid deadline, and the check record keeps
  asOf, where it came from, and knownAt.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from credit.domain.periods import shift_months, today
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

TODAY = today()
A, B, C, D = (f.make_uscc(n) for n in (1, 2, 3, 4))

CHECK = """query($u: String!, $asOf: Date, $knownAt: DateTime) {
  supplierEligibility(uscc: $u, asOf: $asOf, knownAt: $knownAt) {
    decision asOf knownAt reasons { code decision legalBasis message until }
    checkRecord { id } } }"""
PROFILE = """query($u: String, $asOf: Date) { creditProfile(uscc: $u, asOf: $asOf) {
  score grade cappedBy policyVersion } }"""
LOT = """query($lot: ID!) { lotEligibility(lotId: $lot) {
  decision asOf bidders { supplierId decision reasons { code } } checkRecord { id } } }"""
RECORD = """query($id: ID!) { checkRecord(id: $id) { verified content } }"""


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _records() -> list[dict[str, Any]]:
    last_year, thirteen_months_ago = _day(-400), shift_months(TODAY, -13).isoformat()
    return [
        *(f.organization(n) for n in (1, 2, 3, 4)),
        f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
        f.project("P1", 9),
        f.lot("L1", "P1", bid_deadline=f"{_day(-200)}T09:30:00+08:00"),
        f.bid("BID1", "L1", 1, "100000.00"),
        f.bid("BID4", "L1", 4, "110000.00"),
        # A: banned last year, from 400 to 100 days ago
        f.violation("V-A", 1, decided_on=last_year, ban_start=last_year, ban_end=_day(-100)),
        # B: banned from today for a year; a GENERAL record costs only 10 points (score 90)
        f.violation(
            "V-B",
            2,
            severity="GENERAL",
            decided_on=_day(0),
            ban_start=_day(0),
            ban_end=_day(364),
        ),
        # C: a CNY 2.5 million fine 13 months ago, repaired last month
        f.violation(
            "V-C",
            3,
            penalty_types=["FINE"],
            fine={"amount": "2500000.00"},
            decided_on=thirteen_months_ago,
            ban_start=None,
            ban_end=None,
            status="REPAIRED",
            status_date=_day(-30),
        ),
        # D: banned, and the supplier appealed (no suspension ordered)
        f.violation(
            "V-D",
            4,
            decided_on=_day(-60),
            ban_start=_day(-60),
            ban_end=_day(300),
            status="UNDER_APPEAL",
            status_date=_day(-50),
        ),
    ]


def test_decisions_hold_in_law_after_loading_records_today(
    intake: Intake, gql: GraphQLClient
) -> None:
    before_loading = datetime.now(UTC) - timedelta(seconds=1)
    ingest(intake, _records())

    # banned last year, recorded today: barred on a day inside the ban
    inside = gql.ok(CHECK, u=A, asOf=_day(-200))["supplierEligibility"]
    assert (inside["decision"], inside["asOf"]) == ("INELIGIBLE", _day(-200))
    assert [r["code"] for r in inside["reasons"]] == ["ACTIVE_PROCUREMENT_BAN"]
    # ... which a check that knew only what had been received before today could not see
    then = gql.ok(CHECK, u=A, asOf=_day(-200), knownAt=before_loading.isoformat())
    assert then["supplierEligibility"]["decision"] == "ELIGIBLE"
    assert then["supplierEligibility"]["knownAt"] is not None
    filed = gql.ok(RECORD, id=then["supplierEligibility"]["checkRecord"]["id"])["checkRecord"]
    assert filed["verified"]
    inputs = filed["content"]["inputs"]
    assert (inputs["as_of"], inputs["as_of_source"]) == (_day(-200), "given")
    assert datetime.fromisoformat(inputs["known_at"]) == before_loading
    assert gql.ok(CHECK, u=A)["supplierEligibility"]["decision"] == "ELIGIBLE"  # ended

    # banned today: ineligible and graded D although its score is 90
    banned = gql.ok(CHECK, u=B)["supplierEligibility"]
    assert (banned["decision"], banned["asOf"]) == ("INELIGIBLE", _day(0))
    profile = gql.ok(PROFILE, u=B)["creditProfile"]
    assert (profile["score"], profile["grade"]) == ("90.00", "D")
    assert "supplier.ban_grade_cap" in profile["cappedBy"]

    # a repaired CNY 2.5 million fine from 13 months ago still bars
    repaired = gql.ok(CHECK, u=C)["supplierEligibility"]
    assert repaired["decision"] == "INELIGIBLE"
    (reason,) = repaired["reasons"]
    assert reason["code"] == "MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"
    assert reason["until"] == shift_months(TODAY, 23).isoformat()
    assert "not the 3-year bar" in reason["message"]

    # a ban under appeal still bars
    appealed = gql.ok(CHECK, u=D)["supplierEligibility"]
    assert appealed["decision"] == "INELIGIBLE"
    (reason,) = appealed["reasons"]
    assert reason["code"] == "ACTIVE_PROCUREMENT_BAN"
    assert "第五十六条" in reason["legalBasis"] and "does not suspend" in reason["message"]

    # the lot without a date is checked as of its bid deadline, 200 days ago: A was banned then
    lot = gql.ok(LOT, lot="L1")["lotEligibility"]
    assert (lot["asOf"], lot["decision"]) == (_day(-200), "INELIGIBLE")
    decisions = {b["supplierId"]: b["decision"] for b in lot["bidders"]}
    assert decisions == {f"org:{A}": "INELIGIBLE", f"org:{D}": "ELIGIBLE"}
    content = gql.ok(RECORD, id=lot["checkRecord"]["id"])["checkRecord"]["content"]
    assert (content["inputs"]["as_of"], content["inputs"]["as_of_source"]) == (
        _day(-200),
        "bid_deadline",
    )
    assert content["inputs"]["known_at"] is None
