"""Credit scores at their boundaries: the last day each positive or performance record counts,
what a score said at an earlier instant (`known_at`), caps, linear decay and the exact form of
a score. Pure rules, no database; the main cases are in tests/test_scoring_rules.py."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pytest

from credit.domain.records import PenaltyType, RecordStatus, Severity, ViolationCategory
from credit.policy import Policy
from credit.standing.scoring import CreditRecord, canonical_json, compute_score
from tests.test_scoring_rules import (
    AS_OF,
    CST,
    POLICY,
    STEP,
    banned_sister,
    record,
    score,
    violation,
    weighted,
)

DAY = timedelta(days=1)
THEN = datetime(2026, 4, 20, 9, tzinfo=CST)  # the instant an earlier answer was given
LATER = datetime(2026, 4, 25, 9, tzinfo=CST)  # a change recorded after that answer
LINEAR = weighted("linear")


def at(records: list[CreditRecord], known_at: datetime | None, **kw: Any) -> tuple[str, ...]:
    """The ids of the records counted, as a score computed with `known_at` counted them."""
    result = compute_score("supplier", records, AS_OF, STEP, known_at=known_at, **kw)
    assert result.known_at == known_at and result.subject_type == "supplier"
    return tuple(c.record_id for c in result.contributions)


# --- records the rules could only misread are refused -------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "violation", "category": "OTHER"}, "r1: a violation needs a severity"),
        ({"kind": "evaluation", "category": "EVALUATION"}, "r1: an evaluation needs a score"),
        (
            {"kind": "listing", "category": "MAJOR_TAX_VIOLATION", "suspension_lifted_on": AS_OF},
            "r1: a suspension is lifted on or after its order",
        ),
        (
            {
                "kind": "listing",
                "category": "MAJOR_TAX_VIOLATION",
                "suspended_on": AS_OF,
                "suspension_lifted_on": AS_OF - DAY,
            },
            "r1: a suspension is lifted on or after its order",
        ),
    ],
)
def test_a_record_the_rules_would_misread_is_refused_naming_it(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        CreditRecord(id="r1", decided_on=date(2026, 1, 5), **fields)
    assert str(caught.value) == message


def test_a_suspension_lifted_on_the_day_of_its_order_is_a_record() -> None:
    lifted = record("r1", "listing", "MAJOR_TAX_VIOLATION", date(2026, 1, 5), suspended_on=AS_OF)
    same_day = CreditRecord(**{**lifted.__dict__, "suspension_lifted_on": AS_OF})
    assert same_day.suspension_lifted_on == same_day.suspended_on


# --- the last day a positive or performance record counts ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "category", "over", "last", "reason"),
    [
        ("contract", "CONTRACT_ACCEPTED", {}, date(2028, 6, 1), "contract accepted, full weight"),
        (
            "contract",
            "CONTRACT_FAILED",
            {},
            date(2028, 6, 1),
            "contract failed acceptance, full weight",
        ),
        ("evaluation", "EVALUATION", {"score": 95}, date(2027, 6, 1), "evaluation 95, full weight"),
        ("evaluation", "EVALUATION", {"score": 40}, date(2027, 6, 1), "evaluation 40, full weight"),
        (
            "complaint",
            "FALSE_OR_MALICIOUS",
            {},
            date(2026, 6, 1),
            "false or malicious complaint, full weight",
        ),
    ],
)
def test_a_record_counts_through_the_last_day_of_its_policy_period(
    kind: Any, category: str, over: dict[str, Any], last: date, reason: str
) -> None:
    """Contracts 36 months, evaluations 24, complaints 12, from the day after the decision."""
    item = record("r1", kind, category, date(2025, 6, 1), **over)
    (counted,) = score(item, as_of=last).contributions
    assert (counted.counted_until, counted.reason) == (last, reason)
    assert score(item, as_of=last + DAY).contributions == ()


def test_a_reason_says_a_cap_was_reached_only_when_it_cut_the_points() -> None:
    evaluations = [
        record(f"e{n}", "evaluation", "EVALUATION", date(2025, 6, 1) + n * DAY, score=95)
        for n in range(6)
    ]
    counted = score(*evaluations).contributions
    assert [c.points for c in counted] == [Decimal("1.00")] * 5 + [Decimal("0.00")]
    assert [c.reason for c in counted[4:]] == [
        "evaluation 95, full weight",
        "evaluation 95, full weight, supplier.evaluations.good_cap reached",
    ]


def test_a_repair_after_the_records_own_end_does_not_lengthen_it() -> None:
    """Repaired on 20 April, but a serious record's repair takes effect only after its
    minimum period (12 months from 1 June 2025): its own end, 30 April, comes first."""
    short = violation(
        "v1",
        date(2025, 6, 1),
        severity=Severity.SERIOUS,
        publication_end=date(2026, 4, 30),
        status=RecordStatus.REPAIRED,
        status_date=date(2026, 4, 20),
    )
    assert score(short, as_of=date(2026, 4, 30)).contributions[0].counted_until == date(2026, 4, 30)
    assert score(short, as_of=date(2026, 5, 1)).contributions == ()


def test_a_repaired_listing_without_an_end_counts_until_the_day_before_its_repair() -> None:
    listed = record(
        "l1",
        "listing",
        "OTHER_REGION_SERIOUS_DISHONESTY",
        date(2025, 1, 10),
        status=RecordStatus.REPAIRED,
        status_date=AS_OF,
    )
    (counted,) = score(listed, as_of=AS_OF - DAY).contributions
    assert (counted.counted_until, counted.reason) == (
        None,
        "listed on OTHER_REGION_SERIOUS_DISHONESTY, full weight",
    )
    assert score(listed, as_of=AS_OF).contributions == ()


# --- what a score said at an earlier instant ----------------------------------------------------


def test_a_status_recorded_after_an_earlier_answer_had_not_happened_for_it() -> None:
    overturned = violation(
        "v1",
        status=RecordStatus.OVERTURNED,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    retracted = record(
        "l1",
        "listing",
        "MAJOR_TAX_VIOLATION",
        date(2026, 1, 5),
        retracted_on=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    appealed = violation(
        "v2",
        date(2025, 2, 1),
        penalty_types=(PenaltyType.CRIMINAL_PENALTY,),
        status=RecordStatus.UNDER_APPEAL,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    records = [overturned, retracted, appealed]
    assert at(records, None) == ()
    assert at(records, THEN) == ("v1", "v2", "l1")
    assert at(records, LATER) == ()  # recorded at that very instant: known by it


def test_a_criminal_penalty_under_appeal_does_not_count_whatever_its_category() -> None:
    """Either a criminal penalty or a criminal-offence record is a judgment (CPL-259)."""
    penalty_only = violation(
        "v1", penalty_types=(PenaltyType.CRIMINAL_PENALTY,), status=RecordStatus.UNDER_APPEAL
    )
    offence_only = violation(
        "v2", category=ViolationCategory.CRIMINAL_OFFENCE.value, status=RecordStatus.UNDER_APPEAL
    )
    assert score(penalty_only, offence_only).contributions == ()


def _capped(
    *records: CreditRecord, known_at: datetime | None = None, network: Any = ()
) -> tuple[str, ...]:
    result = compute_score("supplier", records, AS_OF, STEP, network, known_at=known_at)
    return result.capped_by


def test_a_ban_suspended_by_an_order_recorded_later_capped_the_grade_then() -> None:
    suspended = violation(
        "b1",
        penalty_types=(PenaltyType.PROCUREMENT_BAN,),
        ban_start=date(2025, 1, 10),
        ban_end=date(2027, 1, 9),
        suspended_on=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    assert "supplier.ban_grade_cap" not in _capped(suspended)
    assert "supplier.ban_grade_cap" in _capped(suspended, known_at=THEN)
    lifted_today = CreditRecord(**{**suspended.__dict__, "suspension_lifted_on": AS_OF})
    assert "supplier.ban_grade_cap" in _capped(lifted_today)  # the lift day is not suspended


def test_a_listing_repaired_or_retracted_later_capped_the_grade_then() -> None:
    repaired = record(
        "l1",
        "listing",
        "COURT_DISHONEST_DEBTOR",
        date(2026, 1, 5),
        status=RecordStatus.REPAIRED,
        status_date=date(2026, 4, 22),
        status_recorded_at=LATER,
    )
    retracted = CreditRecord(
        **{**repaired.__dict__, "status": RecordStatus.ACTIVE, "retracted_on": date(2026, 4, 22)}
    )
    for item in (repaired, retracted):
        assert _capped(item) == ()
        assert _capped(item, known_at=THEN) == ("supplier.ban_grade_cap",)


def test_a_ban_without_a_recorded_end_does_not_cap_the_grade() -> None:
    """Only a review can say whether it still runs (eligibility asks for one)."""
    open_ended = violation(
        "b1", penalty_types=(PenaltyType.PROCUREMENT_BAN,), ban_start=date(2026, 1, 10)
    )
    assert _capped(open_ended) == ()


def test_a_linked_suppliers_ban_received_later_was_no_cap_then() -> None:
    link = banned_sister(date(2027, 1, 9))
    late = CreditRecord(**{**link.other_records[0].__dict__, "received_at": LATER})
    late_link = type(link)(link.kind, link.other_id, link.other_name, link.via_id, (late,))
    assert _capped(network=[late_link]) == ("supplier.network.shared_legal_rep_with_banned",)
    assert _capped(network=[late_link], known_at=THEN) == ()


# --- linear decay -------------------------------------------------------------------------------


def test_a_listing_off_the_three_lists_decays_while_a_three_list_one_keeps_full_weight() -> None:
    other = record(
        "l1",
        "listing",
        "OTHER_REGION_SERIOUS_DISHONESTY",
        date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    three = CreditRecord(**{**other.__dict__, "category": "COURT_DISHONEST_DEBTOR"})
    (decayed,) = score(other, policy=LINEAR).contributions
    assert decayed.points == Decimal("-12.93")  # 235 of 365 days left of -20
    assert decayed.reason.startswith("listed on OTHER_REGION_SERIOUS_DISHONESTY, linear decay")
    (full,) = score(three, policy=LINEAR).contributions
    assert full.points == Decimal("-40.00")


def test_a_listing_without_an_end_keeps_full_weight_under_linear_decay() -> None:
    endless = record("l1", "listing", "OTHER_REGION_SERIOUS_DISHONESTY", date(2026, 1, 1))
    (counted,) = score(endless, policy=LINEAR).contributions
    assert (counted.points, counted.reason) == (
        Decimal("-20.00"),
        "listed on OTHER_REGION_SERIOUS_DISHONESTY, full weight (no end date to decay towards)",
    )


def test_after_a_ban_ends_decay_starts_from_full_weight_the_next_day() -> None:
    banned = violation(
        "b1",
        date(2024, 5, 1),
        penalty_types=(PenaltyType.PROCUREMENT_BAN,),
        ban_start=date(2024, 5, 1),
        ban_end=date(2026, 5, 9),
        publication_end=date(2027, 5, 9),
    )
    (first,) = score(banned, policy=LINEAR).contributions  # AS_OF is the day after the ban
    assert (first.points, first.reason) == (
        Decimal("-25.00"),
        "serious FALSE_MATERIALS, linear decay 0% elapsed",
    )
    (later,) = score(banned, as_of=date(2027, 3, 6), policy=LINEAR).contributions
    assert (later.points, later.reason) == (
        Decimal("-4.45"),  # 65 of 365 days left
        "serious FALSE_MATERIALS, linear decay 82% elapsed",  # 300 of 365 days
    )


def test_decayed_points_round_half_even_to_the_cent_whatever_the_callers_context() -> None:
    """Fixed arithmetic, so a caller's decimal settings cannot change a score."""
    rules = LINEAR.supplier
    other = ViolationCategory.OTHER
    table = {**rules.points, other: {**rules.points[other], Severity.GENERAL: Decimal("-1")}}
    policy: Policy = LINEAR.model_copy(
        update={"supplier": rules.model_copy(update={"points": table})}
    )
    # 8 days counted (2 to 9 May), on the last 1 left: -1 x 1/8 = -0.125
    short = violation(
        "v1",
        date(2026, 5, 2),
        category="OTHER",
        severity=Severity.GENERAL,
        publication_end=date(2026, 5, 9),
    )
    # 400 days counted, on the last 1 left: -1 x 1/400 = -0.0025
    long = violation(
        "v2",
        date(2025, 5, 10),
        category="OTHER",
        severity=Severity.GENERAL,
        publication_end=date(2026, 6, 13),
    )
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        (half,) = score(short, as_of=date(2026, 5, 9), policy=policy).contributions
        (tiny,) = score(long, as_of=date(2026, 6, 13), policy=policy).contributions
    assert half.points == Decimal("-0.12")
    assert str(tiny.points) == "0.00"  # nothing prints as 0.00, never -0.00


# --- the exact form of a score ------------------------------------------------------------------


def test_canonical_json_writes_decimals_in_plain_digits_and_refuses_nan() -> None:
    assert canonical_json({"points": Decimal("1E+2"), "day": AS_OF}) == (
        '{"day":"2026-05-10","points":"100"}'
    )
    assert canonical_json({"name": "供应商"}) == '{"name":"供应商"}'
    with pytest.raises(ValueError):
        canonical_json({"weight": math.nan})


def test_a_score_names_its_subject_type() -> None:
    assert compute_score("expert", [], AS_OF, POLICY).subject_type == "expert"
