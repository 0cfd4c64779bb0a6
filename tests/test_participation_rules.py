"""Pure rules at their boundaries: Regs Art. 18 and Art. 22 para 2
(credit.standing.participation), agencies under Law Art. 78 (credit.standing.agency), Administrative
Penalty Law Art. 9 penalties, open name matches and one decision counted once (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from credit.detection.facts import Tie
from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.policy import load_policy
from credit.standing.agency import assess_agency
from credit.standing.decisions import contributions_once, decision_key, reasons_once
from credit.standing.eligibility import (
    Decision,
    Reason,
    SupplierFacts,
    assess_supplier,
    name_match_reasons,
    penalty_reasons,
)
from credit.standing.participation import Bidder, conflicts, reasons_for
from credit.standing.scoring import Contribution, CreditRecord, compute_score
from credit.sync.matching import OpenMatch

AS_OF = date(2026, 6, 15)
POLICY = load_policy()


def rep(person: str, org: str, kind: str = "LEGAL_REP_OF") -> Tie:
    return Tie(kind, person, org, person=True, uid=f"tie:{person}>{org}")


def holds(holder: str, held: str, kind: str = "OWNS", share: float | None = 0.6) -> Tie:
    return Tie(kind, holder, held, person=False, uid=f"tie:{holder}>{held}", share=share)


def ties(*found: Tie) -> dict[str, list[Tie]]:
    out: dict[str, list[Tie]] = {}
    for t in found:
        out.setdefault(t.target, []).append(t)
    return out


def codes(found: list[Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.code, c.decision.value, c.supplier_ids) for c in found]


# --- Regs Art. 18 para 1 ---------------------------------------------------------------------


@pytest.mark.parametrize("holder", ["A", "B"])
def test_a_direct_holding_in_either_direction_bars_both_bidders(holder: str) -> None:
    held = "B" if holder == "A" else "A"
    bids = [Bidder("b2", "B"), Bidder("b1", "A"), Bidder("b3", "C")]
    (c,) = conflicts(bids, ties(holds(holder, held)))
    assert (c.code, c.decision, c.supplier_ids, c.via) == (
        "DIRECT_HOLDING_OR_MANAGEMENT",
        Decision.INELIGIBLE,
        ("A", "B"),
        (holder,),
    )
    assert "第十八条第一款" in c.legal_basis and "相关投标均无效" in c.legal_basis
    for supplier in ("A", "B"):
        (reason,) = reasons_for([c], supplier)
        assert reason.decision is Decision.INELIGIBLE
        assert reason.record_ids[0] == ("b2" if supplier == "A" else "b1")
        assert f"tie:{holder}>{held}" in reason.record_ids
    assert reasons_for([c], "C") == []


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.5000001, [("DIRECT_HOLDING_OR_MANAGEMENT", "INELIGIBLE", ("A", "B"))]),
        (0.5, []),  # Company Law Art. 265: MORE than half
        (None, [("HOLDING_SHARE_NOT_RECORDED", "REVIEW", ("A", "B"))]),
    ],
    ids=["just-over-half", "exactly-half", "no-share-recorded"],
)
def test_a_holding_counts_above_half_and_an_unrecorded_share_is_reviewed(
    share: float | None, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    found = conflicts([Bidder("b1", "A"), Bidder("b2", "B")], ties(holds("A", "B", share=share)))
    assert codes(found) == expected


@pytest.mark.parametrize("kind", ["CONTROLS", "MANAGES"])
def test_control_or_management_between_bidders_bars_whatever_the_share(kind: str) -> None:
    found = conflicts([Bidder("b1", "A"), Bidder("b2", "B")], ties(holds("A", "B", kind, None)))
    assert codes(found) == [("DIRECT_HOLDING_OR_MANAGEMENT", "INELIGIBLE", ("A", "B"))]


def test_the_same_responsible_person_bars_each_bidder_and_names_the_other() -> None:
    bids = [Bidder("b1", "A"), Bidder("b2", "B"), Bidder("b3", "C")]
    found = conflicts(
        bids,
        ties(rep("p1", "A"), rep("p2", "A"), rep("p2", "B", "RESPONSIBLE_FOR"), rep("p3", "C")),
    )
    (c,) = found
    assert (c.code, c.supplier_ids, c.via) == ("SAME_RESPONSIBLE_PERSON", ("A", "B"), ("p2",))
    (reason,) = reasons_for(found, "A")
    assert reason.decision is Decision.INELIGIBLE and "B" in reason.message
    assert "p2" in reason.message


def test_a_consortium_members_tie_bars_the_consortium_bid() -> None:
    bids = [Bidder("b1", "A", members=("M",)), Bidder("b2", "B")]
    (c,) = conflicts(bids, ties(rep("p1", "M"), rep("p1", "B")))
    assert (c.code, c.supplier_ids) == ("SAME_RESPONSIBLE_PERSON", ("A", "B"))
    (reason,) = reasons_for([c], "A")
    assert "consortium member M" in reason.message
    assert [(x.supplier, x.party) for x in c.affected] == [("A", "M"), ("B", "B")]


def test_ties_within_one_consortium_are_no_conflict() -> None:
    bids = [Bidder("b1", "A", members=("M",)), Bidder("b2", "C")]
    assert conflicts(bids, ties(rep("p1", "M"), rep("p1", "A"), holds("A", "M"))) == []


# --- common actual controller: not Art. 18 ----------------------------------------------------


def test_a_common_controller_with_different_legal_reps_is_review_on_its_own_basis() -> None:
    found = conflicts(
        [Bidder("b1", "A"), Bidder("b2", "B")],
        ties(
            rep("p1", "A"),
            rep("p2", "B"),
            Tie("CONTROLS", "boss", "A", person=True),
            Tie("CONTROLS", "boss", "B", person=True),
        ),
    )
    (c,) = found
    assert (c.code, c.decision, c.via) == ("COMMON_CONTROLLER", Decision.REVIEW, ("boss",))
    assert "非法定" in c.legal_basis and "第十八条第一款" in c.legal_basis
    assert "not Implementing Regulations Art. 18" in c.legal_basis


def test_a_common_controller_that_is_also_the_legal_rep_is_art_18_only() -> None:
    found = conflicts(
        [Bidder("b1", "A"), Bidder("b2", "B")],
        ties(
            rep("boss", "A"),
            rep("boss", "B"),
            Tie("CONTROLS", "boss", "A", person=True),
            Tie("CONTROLS", "boss", "B", person=True),
        ),
    )
    assert [c.code for c in found] == ["SAME_RESPONSIBLE_PERSON"]


def test_a_majority_parent_of_two_bidders_is_a_common_controller_a_half_owner_is_not() -> None:
    bids = [Bidder("b1", "A"), Bidder("b2", "B")]
    parent = ties(holds("P", "A", share=0.51), holds("P", "B", share=0.9))
    assert [c.code for c in conflicts(bids, parent)] == ["COMMON_CONTROLLER"]
    half = ties(holds("P", "A", share=0.5), holds("P", "B", share=0.9))
    assert conflicts(bids, half) == []


# --- Regs Art. 18 para 2 and Art. 22 para 2 ----------------------------------------------------


def test_prior_design_work_bars_that_bidder_only_except_single_source() -> None:
    bids = [Bidder("b1", "A"), Bidder("b2", "B", members=("M",))]
    services = {"A": ["OVERALL_DESIGN"], "M": ["SUPERVISION"]}
    found = conflicts(bids, {}, services)
    assert codes(found) == [
        ("PRIOR_PROJECT_SERVICE", "INELIGIBLE", ("A",)),
        ("PRIOR_PROJECT_SERVICE", "INELIGIBLE", ("B",)),
    ]
    assert "第十八条第二款" in found[0].legal_basis
    (reason,) = reasons_for(found, "B")
    assert "consortium member M" in reason.message and "SUPERVISION" in reason.message
    assert conflicts(bids, {}, services, single_source=True) == []


def test_a_consortium_member_bidding_again_bars_every_bid_it_is_in() -> None:
    alone = [Bidder("b1", "A", members=("M",)), Bidder("b2", "M")]
    (c,) = conflicts(alone, {})
    assert (c.code, c.decision, c.supplier_ids) == (
        "CONSORTIUM_MEMBER_BIDS_TWICE",
        Decision.INELIGIBLE,
        ("A", "M"),
    )
    assert "第二十二条第二款" in c.legal_basis
    two_consortia = [Bidder("b1", "A", members=("M",)), Bidder("b2", "B", members=("M",))]
    assert codes(conflicts(two_consortia, {})) == [
        ("CONSORTIUM_MEMBER_BIDS_TWICE", "INELIGIBLE", ("A", "B"))
    ]
    # A supplier's own two bids without consortia are not two suppliers.
    assert conflicts([Bidder("b1", "A"), Bidder("b2", "A")], {}) == []


def test_conflicts_are_sorted_and_independent_of_input_order() -> None:
    bids = [Bidder("b3", "C"), Bidder("b1", "A"), Bidder("b2", "B")]
    t = ties(holds("C", "A"), rep("p1", "A"), rep("p1", "B"))
    found = conflicts(bids, t, {"C": ["TESTING"]})
    assert [(c.code, c.supplier_ids) for c in found] == [
        ("DIRECT_HOLDING_OR_MANAGEMENT", ("A", "C")),
        ("PRIOR_PROJECT_SERVICE", ("C",)),
        ("SAME_RESPONSIBLE_PERSON", ("A", "B")),
    ]
    assert conflicts(list(reversed(bids)), t, {"C": ["TESTING"]}) == found


# --- Administrative Penalty Law Art. 9 -------------------------------------------------------


def violation(rid: str, penalties: tuple[str, ...], decided: date, **over: Any) -> CreditRecord:
    fields: dict[str, Any] = {
        "id": rid,
        "kind": "violation",
        "category": "OTHER",
        "decided_on": decided,
        "severity": Severity.SERIOUS,
        "penalty_types": tuple(PenaltyType(p) for p in penalties),
        "decision_number": f"决定{rid}",
    } | over
    if "status" in fields:
        fields["status"] = RecordStatus(fields["status"])
    return CreditRecord(**fields)


@pytest.mark.parametrize(
    "penalty", ["RESTRICTED_BUSINESS", "ORDERED_CLOSURE", "QUALIFICATION_LOWERED", "PRACTICE_BAN"]
)
def test_a_restricting_penalty_gives_review_through_the_three_year_lookback(penalty: str) -> None:
    record = violation("v1", (penalty,), date(2023, 6, 16))
    last = date(2026, 6, 16)  # the corresponding day three years on (Civil Code Arts. 201-202)
    (reason,) = penalty_reasons(record, last, 3)
    assert (reason.code, reason.decision, reason.until) == (
        "RESTRICTING_PENALTY",
        Decision.REVIEW,
        last,
    )
    assert "第九条" in reason.legal_basis
    assert penalty_reasons(record, date(2026, 6, 17), 3) == []
    assert penalty_reasons(record, date(2023, 6, 15), 3) == []  # before the decision


def test_a_restriction_longer_than_three_years_counts_to_its_end() -> None:
    record = violation(
        "v1",
        ("RESTRICTED_BUSINESS",),
        date(2022, 1, 1),
        ban_start=date(2022, 1, 1),
        ban_end=date(2026, 12, 31),
    )
    (reason,) = penalty_reasons(record, date(2026, 12, 31), 3)
    assert reason.until == date(2026, 12, 31) and "in force" in reason.message
    assert penalty_reasons(record, date(2027, 1, 1), 3) == []


def test_a_supplier_with_a_restricting_penalty_needs_review() -> None:
    facts = SupplierFacts(
        "org:A", "A", "A", (violation("v1", ("ORDERED_CLOSURE",), date(2026, 1, 5)),)
    )
    result = assess_supplier(facts, AS_OF, POLICY)
    assert result.decision is Decision.REVIEW
    assert [r.code for r in result.reasons] == ["RESTRICTING_PENALTY"]


# --- agencies: Law Art. 78 -------------------------------------------------------------------


def test_an_agency_ban_bars_from_its_first_to_its_last_day() -> None:
    ban = violation(
        "v1",
        ("AGENCY_BAN", "FINE"),
        date(2026, 3, 1),
        ban_start=date(2026, 3, 1),
        ban_end=date(2027, 2, 28),
    )
    on = [assess_agency("org:G", (ban,), d, POLICY) for d in (date(2026, 3, 1), date(2027, 2, 28))]
    assert all(e.decision is Decision.INELIGIBLE for e in on)
    assert [r.code for r in on[0].reasons] == ["AGENCY_BAN"]
    assert "第七十八条" in on[0].reasons[0].legal_basis
    assert assess_agency("org:G", (ban,), date(2027, 3, 1), POLICY).decision is Decision.ELIGIBLE
    assert assess_agency("org:G", (ban,), date(2026, 2, 28), POLICY).decision is Decision.ELIGIBLE


def test_an_agency_ban_under_appeal_still_bars_and_an_overturned_one_does_not() -> None:
    base = {"ban_start": date(2026, 3, 1), "ban_end": date(2027, 2, 28)}
    appealed = violation("v1", ("AGENCY_BAN",), date(2026, 3, 1), status="UNDER_APPEAL", **base)
    result = assess_agency("org:G", (appealed,), AS_OF, POLICY)
    assert result.decision is Decision.INELIGIBLE and "第五十六条" in result.reasons[0].legal_basis
    overturned = violation(
        "v1",
        ("AGENCY_BAN",),
        date(2026, 3, 1),
        status="OVERTURNED",
        status_date=date(2026, 5, 1),
        **base,
    )
    assert assess_agency("org:G", (overturned,), AS_OF, POLICY).decision is Decision.ELIGIBLE


def test_an_agency_ban_without_its_period_is_review_for_three_years() -> None:
    ban = violation("v1", ("AGENCY_BAN",), date(2023, 6, 16))
    (reason,) = assess_agency("org:G", (ban,), date(2026, 6, 16), POLICY).reasons  # Arts. 201-202
    assert (reason.code, reason.decision) == ("AGENCY_BAN_PERIOD_UNKNOWN", Decision.REVIEW)
    assert assess_agency("org:G", (ban,), date(2026, 6, 17), POLICY).reasons == ()


# --- open name matches -----------------------------------------------------------------------


def test_an_open_name_match_is_review_naming_the_candidate_and_listing() -> None:
    match = OpenMatch(
        "match:1",
        "org:A",
        "listing:L1",
        "COURT_DISHONEST_DEBTOR",
        "某某建设",
        "court",
        "法院",
        "2026-01-02",
        91.0,
    )
    (reason,) = name_match_reasons([match])
    assert (reason.code, reason.decision) == (
        "OPEN_NAME_MATCH_COURT_DISHONEST_DEBTOR",
        Decision.REVIEW,
    )
    assert reason.record_ids == ("listing:L1", "match:1") and "某某建设" in reason.message


# --- one decision counts once ----------------------------------------------------------------


def test_decision_numbers_match_across_bracket_width_and_spaces() -> None:
    assert decision_key("杭财采〔2025〕 12 号") == decision_key("杭财采[2025]12号")
    assert decision_key("杭财采〔2025〕12号") != decision_key("杭财采〔2025〕13号")


def test_a_ban_and_the_listing_it_caused_give_one_reason_naming_both() -> None:
    ban = violation(
        "v1",
        ("PROCUREMENT_BAN",),
        date(2026, 1, 5),
        ban_start=date(2026, 1, 5),
        ban_end=date(2027, 1, 4),
        decision_number="杭财采〔2026〕7号",
    )
    listing = CreditRecord(
        id="l1",
        kind="listing",
        category="GP_SERIOUS_DISHONESTY",
        decided_on=date(2026, 1, 10),
        decision_number="杭财采[2026]7号",
    )
    result = assess_supplier(SupplierFacts("org:A", "A", "A", (ban, listing)), AS_OF, POLICY)
    (reason,) = result.reasons
    assert reason.code == "ACTIVE_PROCUREMENT_BAN" and reason.record_ids == ("l1", "v1")
    assert "counts once" in reason.message
    other = CreditRecord(
        id="l2",
        kind="listing",
        category="GP_SERIOUS_DISHONESTY",
        decided_on=date(2026, 1, 10),
        decision_number="杭财采〔2026〕8号",
    )
    apart = assess_supplier(SupplierFacts("org:A", "A", "A", (ban, other)), AS_OF, POLICY)
    assert len(apart.reasons) == 2


def test_a_violation_and_its_complaint_outcome_score_once() -> None:
    v = violation(
        "v1",
        ("FINE",),
        date(2026, 1, 5),
        category="FALSE_COMPLAINT",
        decision_number="杭财采〔2026〕9号",
    )
    complaint = CreditRecord(
        id="c1",
        kind="complaint",
        category="FALSE_OR_MALICIOUS",
        decided_on=date(2026, 1, 5),
        decision_number="杭财采〔2026〕9号",
    )
    both = compute_score("supplier", (v, complaint), AS_OF, POLICY)
    alone = [compute_score("supplier", (r,), AS_OF, POLICY) for r in (v, complaint)]
    (only,) = both.contributions
    assert "same decision as" in only.reason
    assert abs(only.points) == max(abs(s.contributions[0].points) for s in alone)


def test_reasons_and_contributions_without_shared_decisions_pass_unchanged() -> None:
    r = Reason("X", Decision.REVIEW, "b", "m", ("a",), None)
    c = Contribution("a", Decimal("-1"), "b", AS_OF, None, "r")
    assert reasons_once([r], []) == [r]
    assert contributions_once([c], []) == [c]
