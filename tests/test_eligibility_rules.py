"""Supplier eligibility (BRIEF section 3) and Art. 18 conflicts in a lot: pure rules."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.policy import load_policy
from credit.standing.eligibility import (
    Decision,
    Eligibility,
    NetworkLink,
    SupplierFacts,
    assess_supplier,
)
from credit.standing.scoring import CreditRecord

POLICY = load_policy()
AS_OF = date(2026, 5, 10)
DAY = timedelta(days=1)
ELIGIBLE, INELIGIBLE, REVIEW = Decision.ELIGIBLE, Decision.INELIGIBLE, Decision.REVIEW


def violation(rid: str, decided: date, *penalties: PenaltyType, **over: Any) -> CreditRecord:
    fields: dict[str, Any] = {
        "category": "FALSE_MATERIALS",
        "severity": Severity.SERIOUS,
        "penalty_types": penalties,
        "decision_number": f"财库处〔2025〕{rid}号",
    } | over
    return CreditRecord(id=rid, kind="violation", decided_on=decided, **fields)


def ban(rid: str, start: date, end: date, **over: Any) -> CreditRecord:
    penalties = (PenaltyType.FINE, PenaltyType.PROCUREMENT_BAN)
    return violation(rid, start, *penalties, ban_start=start, ban_end=end, **over)


def major(rid: str, decided: date, **over: Any) -> CreditRecord:
    return violation(rid, decided, PenaltyType.BUSINESS_SUSPENSION, **over)


def listing(rid: str, source: str, listed: date, **over: Any) -> CreditRecord:
    return CreditRecord(id=rid, kind="listing", category=source, decided_on=listed, **over)


def supplier(*records: CreditRecord, **over: Any) -> SupplierFacts:
    fields: dict[str, Any] = {
        "id": "org:91330106000000011X",
        "uscc": "91330106000000011X",
        "name": "测试供应商有限公司",
        "records": records,
    } | over
    return SupplierFacts(**fields)


def assess(*records: CreditRecord, as_of: date = AS_OF, **over: Any) -> Eligibility:
    return assess_supplier(supplier(*records, **over), as_of, POLICY)


def codes(result: Eligibility) -> list[str]:
    return [r.code for r in result.reasons]


# --- procurement bans (Law Art. 77) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ban_end", "decision"),
    [(AS_OF - DAY, ELIGIBLE), (AS_OF, INELIGIBLE), (AS_OF + DAY, INELIGIBLE)],
    ids=["ended-yesterday", "ends-today", "ends-tomorrow"],
)
def test_a_ban_bars_through_its_last_day(ban_end: date, decision: Decision) -> None:
    result = assess(ban("b1", date(2025, 5, 10), ban_end))
    assert result.decision is decision
    if decision is INELIGIBLE:
        (reason,) = result.reasons
        assert (reason.code, reason.record_ids, reason.until) == (
            "ACTIVE_PROCUREMENT_BAN",
            ("b1",),
            ban_end,
        )


def test_a_ban_that_has_not_started_does_not_bar_yet() -> None:
    later = violation(
        "b1", AS_OF, PenaltyType.PROCUREMENT_BAN, ban_start=AS_OF + DAY, ban_end=AS_OF + 365 * DAY
    )
    assert assess(later).decision is ELIGIBLE


def test_a_repaired_ban_still_bars_until_it_ends_but_an_overturned_one_does_not() -> None:
    repaired = ban("b1", date(2025, 5, 10), AS_OF, status=RecordStatus.REPAIRED, status_date=AS_OF)
    assert codes(assess(repaired)) == ["ACTIVE_PROCUREMENT_BAN"]
    overturned = ban(
        "b1", date(2025, 5, 10), AS_OF, status=RecordStatus.OVERTURNED, status_date=AS_OF
    )
    assert assess(overturned).decision is ELIGIBLE
    assert assess(overturned, as_of=AS_OF - DAY).decision is INELIGIBLE


def test_a_ban_under_appeal_still_bars_because_an_appeal_does_not_suspend_it() -> None:
    appealed = ban("b1", date(2025, 5, 10), AS_OF + DAY, status=RecordStatus.UNDER_APPEAL)
    result = assess(appealed)
    assert (result.decision, codes(result)) == (INELIGIBLE, ["ACTIVE_PROCUREMENT_BAN"])
    assert "行政诉讼法》第五十六条" in result.reasons[0].legal_basis
    assert "行政复议法》（2023年修订）第四十二条" in result.reasons[0].legal_basis
    assert "does not suspend" in result.reasons[0].message


def test_an_appeal_filed_after_the_as_of_date_was_not_known_then() -> None:
    appealed = ban(
        "b1",
        date(2025, 5, 10),
        AS_OF + DAY,
        status=RecordStatus.UNDER_APPEAL,
        status_date=AS_OF + DAY,
    )
    assert codes(assess(appealed)) == ["ACTIVE_PROCUREMENT_BAN"]


def test_a_ban_without_a_recorded_period_needs_review_for_at_most_three_years() -> None:
    # Civil Code Arts. 201-202: 3 years from 2024-01-10 end on 2027-01-10
    vague = violation("b1", date(2024, 1, 10), PenaltyType.PROCUREMENT_BAN)
    result = assess(vague, as_of=date(2027, 1, 10))
    assert (result.decision, codes(result)) == (REVIEW, ["BAN_PERIOD_UNKNOWN"])
    assert result.reasons[0].until == date(2027, 1, 10)
    assert assess(vague, as_of=date(2027, 1, 11)).decision is ELIGIBLE


# --- major illegal records (Law Art. 22, Regs Art. 19) --------------------------------------


@pytest.mark.parametrize(
    ("decided", "decision"),
    [
        # Civil Code Arts. 201-202: the decision day is not counted, the 3 years end on the
        # corresponding day, so a decision of 2023-05-10 bars through 2026-05-10
        (date(2023, 5, 10), INELIGIBLE),  # the window's last day
        (date(2023, 5, 11), INELIGIBLE),  # one day younger: inside
        (date(2023, 5, 9), ELIGIBLE),  # one day older: its window ended yesterday
    ],
    ids=["exactly-3-years", "one-day-younger", "one-day-older"],
)
def test_a_major_record_bars_for_three_years_from_its_decision_day(
    decided: date, decision: Decision
) -> None:
    result = assess(major("m1", decided))
    assert result.decision is decision
    if decision is INELIGIBLE:
        assert codes(result) == ["MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"]
        assert result.reasons[0].until == date(decided.year + 3, decided.month, decided.day)


def test_a_major_record_decided_on_29_february_bars_until_28_february_three_years_on() -> None:
    # Civil Code Art. 202: February 2027 has no 29th, so the period ends on its last day
    leap = major("m1", date(2024, 2, 29))
    assert assess(leap, as_of=date(2027, 2, 28)).decision is INELIGIBLE
    assert assess(leap, as_of=date(2027, 3, 1)).decision is ELIGIBLE


@pytest.mark.parametrize(
    ("penalty", "decision"),
    [
        (PenaltyType.CRIMINAL_PENALTY, INELIGIBLE),
        (PenaltyType.BUSINESS_SUSPENSION, INELIGIBLE),
        (PenaltyType.LICENCE_REVOCATION, INELIGIBLE),
        (PenaltyType.WARNING, ELIGIBLE),
        (PenaltyType.CONFISCATION, ELIGIBLE),
    ],
)
def test_only_the_penalties_of_regs_art_19_make_a_record_major(
    penalty: PenaltyType, decision: Decision
) -> None:
    assert assess(violation("m1", date(2025, 1, 10), penalty)).decision is decision


@pytest.mark.parametrize(
    ("amount", "decision"),
    [("1999999.99", ELIGIBLE), ("2000000", INELIGIBLE), ("2000000.01", INELIGIBLE)],
    ids=["just-under", "at-threshold", "just-over"],
)
def test_a_fine_of_two_million_yuan_or_more_is_a_major_record(
    amount: str, decision: Decision
) -> None:
    fined = violation(
        "f1", date(2025, 1, 10), PenaltyType.FINE, fine_amount=Decimal(amount), fine_currency="CNY"
    )
    result = assess(fined)
    assert result.decision is decision
    if decision is INELIGIBLE:
        assert "fine of CNY 2,000,000" in result.reasons[0].message


def test_a_fine_in_another_currency_needs_review() -> None:
    fined = violation(
        "f1", date(2025, 1, 10), PenaltyType.FINE, fine_amount=Decimal(5), fine_currency="USD"
    )
    assert codes(assess(fined)) == ["FOREIGN_CURRENCY_FINE"]


def test_a_major_record_whose_ban_has_ended_no_longer_bars() -> None:
    # Regs Art. 19 para 2: the ban ended yesterday, well inside the 3-year window
    served = ban("m1", date(2025, 1, 10), AS_OF - DAY, fine_amount=Decimal(3_000_000))
    assert assess(served).decision is ELIGIBLE


def test_a_major_record_with_a_ban_ending_today_gives_both_reasons_until_today() -> None:
    banned = ban("m1", date(2025, 1, 10), AS_OF, fine_amount=Decimal(3_000_000))
    result = assess(banned)
    assert codes(result) == ["ACTIVE_PROCUREMENT_BAN", "MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"]
    assert {r.until for r in result.reasons} == {AS_OF}


def test_a_repaired_major_record_still_bars_for_its_three_years() -> None:
    # a repair ends publication, not the penalty (NDRC Order No. 58 of 2023)
    repaired = major("m1", date(2025, 1, 10), status=RecordStatus.REPAIRED, status_date=AS_OF)
    assert assess(repaired, as_of=AS_OF - DAY).decision is INELIGIBLE
    result = assess(repaired)
    assert (result.decision, codes(result)) == (INELIGIBLE, ["MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"])
    assert "信用信息修复" in result.reasons[0].legal_basis
    assert "not the 3-year bar" in result.reasons[0].message
    assert assess(repaired, as_of=date(2028, 1, 10)).decision is INELIGIBLE
    assert assess(repaired, as_of=date(2028, 1, 11)).decision is ELIGIBLE


def test_an_overturned_major_record_stops_counting_from_its_overturn() -> None:
    overturned = major(
        "m1", date(2025, 1, 10), status=RecordStatus.OVERTURNED, status_date=date(2026, 3, 1)
    )
    assert assess(overturned, as_of=date(2026, 2, 28)).decision is INELIGIBLE
    assert assess(overturned).decision is ELIGIBLE


def test_a_major_record_under_appeal_still_bars() -> None:
    appealed = major("m1", date(2025, 1, 10), status=RecordStatus.UNDER_APPEAL)
    result = assess(appealed)
    assert (result.decision, codes(result)) == (INELIGIBLE, ["MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"])


def test_a_record_received_after_the_as_of_date_still_tells_the_state_of_that_day() -> None:
    late = major(
        "m1",
        date(2025, 1, 10),
        received_at=datetime(2026, 5, 11, 0, 5, tzinfo=timezone(timedelta(hours=8))),
    )
    assert assess(late).decision is INELIGIBLE
    # what a check at the end of 2026-05-10 (China time) knew: not yet this record
    then = datetime(2026, 5, 10, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))
    assert assess_supplier(supplier(late), AS_OF, POLICY, then).decision is ELIGIBLE
    assert assess_supplier(supplier(late), AS_OF, POLICY, late.received_at).decision is INELIGIBLE


def test_a_record_decided_after_the_as_of_date_is_ignored() -> None:
    assert assess(major("m1", AS_OF + DAY)).decision is ELIGIBLE


# --- external lists (Caiku [2016] No. 125) --------------------------------------------------


@pytest.mark.parametrize(
    "source", ["COURT_DISHONEST_DEBTOR", "MAJOR_TAX_VIOLATION", "GP_SERIOUS_DISHONESTY"]
)
def test_a_supplier_on_one_of_the_three_lists_is_refused(source: str) -> None:
    result = assess(listing("l1", source, date(2025, 6, 1), authority="杭州市中级人民法院"))
    assert (result.decision, codes(result)) == (INELIGIBLE, [f"LISTED_{source}"])
    assert "财库〔2016〕125号" in result.reasons[0].legal_basis


def test_another_regions_serious_dishonesty_list_needs_review() -> None:
    result = assess(listing("l1", "OTHER_REGION_SERIOUS_DISHONESTY", date(2025, 6, 1)))
    assert (result.decision, codes(result)) == (REVIEW, ["LISTED_OTHER_REGION_SERIOUS_DISHONESTY"])


@pytest.mark.parametrize(
    ("valid_until", "decision"), [(AS_OF - DAY, ELIGIBLE), (AS_OF, INELIGIBLE)]
)
def test_a_listing_bars_through_its_valid_until_day_and_expires_after(
    valid_until: date, decision: Decision
) -> None:
    listed = listing("l1", "COURT_DISHONEST_DEBTOR", date(2025, 6, 1), valid_until=valid_until)
    assert assess(listed).decision is decision


@pytest.mark.parametrize(
    ("retracted_on", "decision"), [(AS_OF, ELIGIBLE), (AS_OF + DAY, INELIGIBLE)]
)
def test_a_retracted_listing_stops_barring_on_its_retraction_day(
    retracted_on: date, decision: Decision
) -> None:
    listed = listing("l1", "MAJOR_TAX_VIOLATION", date(2025, 6, 1), retracted_on=retracted_on)
    assert assess(listed).decision is decision


def test_a_listing_made_after_the_as_of_date_is_ignored() -> None:
    assert assess(listing("l1", "GP_SERIOUS_DISHONESTY", AS_OF + DAY)).decision is ELIGIBLE


# --- consortia and networks -----------------------------------------------------------------


def test_a_consortium_with_one_listed_member_is_refused_naming_the_member() -> None:
    listed = supplier(
        listing("l1", "COURT_DISHONEST_DEBTOR", date(2025, 6, 1), valid_until=AS_OF + DAY),
        id="org:member",
        uscc="91330106000000022X",
        name="联合体成员乙公司",
    )
    clean = supplier(id="org:lead", name="牵头人甲公司")
    result = assess(consortium_members=(clean, listed))
    (reason,) = result.reasons
    assert (result.decision, reason.code) == (INELIGIBLE, "CONSORTIUM_MEMBER_INELIGIBLE")
    assert "联合体成员乙公司 (91330106000000022X)" in reason.message
    assert (reason.record_ids, reason.until) == (("l1",), AS_OF + DAY)
    assert "第二十四条" in reason.legal_basis


def test_a_consortium_with_a_member_needing_review_needs_review() -> None:
    doubtful = supplier(listing("l1", "OTHER_REGION_SERIOUS_DISHONESTY", date(2025, 6, 1)))
    result = assess(consortium_members=(doubtful,))
    assert (result.decision, codes(result)) == (REVIEW, ["CONSORTIUM_MEMBER_NEEDS_REVIEW"])


def link(kind: Any, ban_end: date) -> NetworkLink:
    sister_ban = ban("sb1", date(2025, 5, 10), ban_end)
    return NetworkLink(kind, "org:sister", "姐妹公司", "person:rep-hash", (sister_ban,))


@pytest.mark.parametrize(
    "kind", ["SHARED_LEGAL_REP", "SAME_CONTROLLER", "CONTROLS", "CONTROLLED_BY"]
)
def test_a_link_to_a_supplier_under_an_active_ban_needs_review(kind: str) -> None:
    result = assess(network=(link(kind, AS_OF),))
    (reason,) = result.reasons
    assert (result.decision, reason.code) == (REVIEW, "NETWORK_LINK_TO_BANNED_SUPPLIER")
    assert (reason.record_ids, reason.until) == (("sb1",), AS_OF)
    assert "姐妹公司 (org:sister) via person:rep-hash" in reason.message


def test_a_link_to_a_supplier_whose_ban_has_ended_is_no_risk() -> None:
    assert assess(network=(link("SHARED_LEGAL_REP", AS_OF - DAY),)).decision is ELIGIBLE


# --- the whole decision ---------------------------------------------------------------------


def test_the_decision_is_the_worst_reason_and_reasons_are_sorted() -> None:
    records = (
        listing("l2", "OTHER_REGION_SERIOUS_DISHONESTY", date(2025, 6, 1)),
        major("m1", date(2025, 1, 10)),
        listing("l1", "COURT_DISHONEST_DEBTOR", date(2025, 6, 1)),
    )
    result = assess(*records, network=(link("SAME_CONTROLLER", AS_OF),))
    assert result.decision is INELIGIBLE
    assert codes(result) == [
        "LISTED_COURT_DISHONEST_DEBTOR",
        "MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS",
        "LISTED_OTHER_REGION_SERIOUS_DISHONESTY",
        "NETWORK_LINK_TO_BANNED_SUPPLIER",
    ]
    assert assess(*reversed(records), network=(link("SAME_CONTROLLER", AS_OF),)) == result


def test_a_clean_supplier_is_eligible_with_the_policy_version_and_date() -> None:
    result = assess()
    assert (result.decision, result.reasons) == (ELIGIBLE, ())
    assert (result.subject_id, result.as_of, result.policy_version) == (
        "org:91330106000000011X",
        AS_OF,
        POLICY.version,
    )


def test_every_reason_gives_its_legal_basis_in_chinese_then_english() -> None:
    records = (
        ban("b1", date(2025, 5, 10), AS_OF),
        major("m1", date(2025, 1, 10)),
        listing("l1", "GP_SERIOUS_DISHONESTY", date(2025, 6, 1)),
    )
    for reason in assess(*records, network=(link("CONTROLS", AS_OF),)).reasons:
        chinese, english = reason.legal_basis.split(" — ", 1)
        assert re.search(r"[\u4e00-\u9fff]", chinese) and re.search(r"Art\.|No\. 125", english)


# --- issue 15: boundary days, appeals, suspension orders, criminal judgments, knownAt ---------


def test_a_ban_bars_on_its_first_day_and_not_the_day_before() -> None:
    starts_today = ban("b1", AS_OF, AS_OF + 365 * DAY)
    assert codes(assess(starts_today)) == ["ACTIVE_PROCUREMENT_BAN"]
    later = violation(
        "b2", AS_OF - DAY, PenaltyType.PROCUREMENT_BAN, ban_start=AS_OF, ban_end=AS_OF + 9 * DAY
    )
    assert assess(later, as_of=AS_OF - DAY).decision is ELIGIBLE
    assert assess(later).decision is INELIGIBLE


def test_a_ban_with_only_its_end_recorded_bars_from_its_decision_through_that_end() -> None:
    end_only = violation(
        "b1", date(2026, 1, 5), PenaltyType.PROCUREMENT_BAN, ban_end=date(2026, 7, 4)
    )
    assert assess(end_only, as_of=date(2026, 1, 4)).decision is ELIGIBLE
    first = assess(end_only, as_of=date(2026, 1, 5))
    assert (first.decision, first.reasons[0].until) == (INELIGIBLE, date(2026, 7, 4))
    assert "start not recorded" in first.reasons[0].message
    assert assess(end_only, as_of=date(2026, 7, 4)).decision is INELIGIBLE
    assert assess(end_only, as_of=date(2026, 7, 5)).decision is ELIGIBLE


def test_a_ban_with_only_its_start_recorded_needs_review_for_three_years_from_that_start() -> None:
    start_only = violation(
        "b1", date(2025, 3, 1), PenaltyType.PROCUREMENT_BAN, ban_start=date(2025, 4, 1)
    )
    assert assess(start_only, as_of=date(2025, 3, 31)).decision is ELIGIBLE
    assert codes(assess(start_only, as_of=date(2025, 4, 1))) == ["BAN_PERIOD_UNKNOWN"]
    assert assess(start_only, as_of=date(2028, 4, 1)).decision is REVIEW
    assert assess(start_only, as_of=date(2028, 4, 2)).decision is ELIGIBLE


def test_a_recorded_suspension_order_turns_the_bar_into_a_review_while_it_lasts() -> None:
    suspended = ban(
        "b1",
        date(2026, 1, 10),
        date(2027, 1, 9),
        status=RecordStatus.UNDER_APPEAL,
        status_date=date(2026, 2, 1),
        suspended_on=date(2026, 3, 1),
        suspension_lifted_on=date(2026, 6, 1),
    )
    assert codes(assess(suspended, as_of=date(2026, 2, 28))) == ["ACTIVE_PROCUREMENT_BAN"]
    during = assess(suspended, as_of=date(2026, 3, 1))
    assert (during.decision, codes(during)) == (REVIEW, ["DECISION_SUSPENDED"])
    assert during.reasons[0].until == date(2026, 5, 31)
    assert "第四十二条" in during.reasons[0].legal_basis
    assert assess(suspended, as_of=date(2026, 5, 31)).decision is REVIEW
    assert assess(suspended, as_of=date(2026, 6, 1)).decision is INELIGIBLE


def test_a_criminal_judgment_under_appeal_is_not_yet_a_major_record_but_a_final_one_is() -> None:
    judged = violation(
        "c1",
        date(2026, 1, 10),
        PenaltyType.CRIMINAL_PENALTY,
        category="CRIMINAL_OFFENCE",
        status=RecordStatus.UNDER_APPEAL,
    )
    result = assess(judged)
    assert (result.decision, codes(result)) == (REVIEW, ["CRIMINAL_JUDGMENT_NOT_FINAL"])
    assert "刑事诉讼法》第二百五十九条" in result.reasons[0].legal_basis
    final = replace(judged, status=RecordStatus.ACTIVE, status_date=date(2026, 4, 1))
    assert codes(assess(final)) == ["MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS"]


def test_a_ban_recorded_today_bars_on_a_day_inside_it_last_year() -> None:
    recorded_today = ban(
        "b1",
        date(2024, 3, 1),
        date(2025, 2, 28),
        received_at=datetime(2026, 5, 10, 10, tzinfo=timezone(timedelta(hours=8))),
    )
    assert assess(recorded_today, as_of=date(2024, 6, 1)).decision is INELIGIBLE
    assert assess(recorded_today, as_of=date(2025, 3, 1)).decision is ELIGIBLE


def test_known_at_ignores_a_status_change_recorded_after_it() -> None:
    cst = timezone(timedelta(hours=8))
    overturned = ban(
        "b1",
        date(2026, 1, 10),
        date(2027, 1, 9),
        status=RecordStatus.OVERTURNED,
        status_date=date(2026, 3, 1),
        received_at=datetime(2026, 1, 11, 9, tzinfo=cst),
        status_recorded_at=datetime(2026, 3, 20, 9, tzinfo=cst),
    )
    facts = supplier(overturned)
    assert assess_supplier(facts, AS_OF, POLICY).decision is ELIGIBLE
    then = datetime(2026, 3, 10, 12, tzinfo=cst)
    assert assess_supplier(facts, AS_OF, POLICY, then).decision is INELIGIBLE
    before = datetime(2026, 1, 11, 8, tzinfo=cst)
    assert assess_supplier(facts, AS_OF, POLICY, before).decision is ELIGIBLE


def test_a_listing_bars_on_its_listing_day() -> None:
    listed = listing("l1", "COURT_DISHONEST_DEBTOR", AS_OF)
    assert assess(listed).decision is INELIGIBLE
    assert assess(listed, as_of=AS_OF - DAY).decision is ELIGIBLE
