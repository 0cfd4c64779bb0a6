"""Credit scores and the policy that drives them: pure rules, no database."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credit.domain.periods import period_end, within, within_years_before
from credit.domain.records import (
    ExternalList,
    PenaltyType,
    RecordStatus,
    Severity,
    ViolationCategory,
)
from credit.policy import Policy, PolicyError, SubjectType, Weighting, load_policy
from credit.standing.scoring import (
    CreditRecord,
    NetworkLink,
    Score,
    canonical_json,
    compute_score,
    shift_months,
)

POLICY = load_policy()
DEFAULT_TOML = Path(__file__).resolve().parent.parent / "credit" / "policy" / "default.toml"
AS_OF = date(2026, 5, 10)
CST = timezone(timedelta(hours=8))


def weighted(weight: Weighting, subject: SubjectType = "supplier") -> Policy:
    rules = POLICY.rules_for(subject).model_copy(update={"weight": weight})
    return POLICY.model_copy(update={subject: rules})


STEP = weighted("step")


def violation(rid: str = "v1", decided: date = date(2025, 1, 10), **over: Any) -> CreditRecord:
    fields: dict[str, Any] = {
        "category": "FALSE_MATERIALS",
        "severity": Severity.SERIOUS,
        "basis": "《中华人民共和国政府采购法》第七十七条",
    } | over
    return CreditRecord(id=rid, kind="violation", decided_on=decided, **fields)


def record(rid: str, kind: Any, category: str, decided: date, **over: Any) -> CreditRecord:
    return CreditRecord(id=rid, kind=kind, category=category, decided_on=decided, **over)


def score(*records: CreditRecord, as_of: date = AS_OF, policy: Policy = STEP) -> Score:
    return compute_score("supplier", records, as_of, policy)


def explained_total(result: Score) -> Decimal:
    return result.base + sum((c.points for c in result.contributions), Decimal(0))


def policy_data() -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads(DEFAULT_TOML.read_text(encoding="utf-8")))


# --- the score and its explanation ----------------------------------------------------------


def test_a_subject_without_records_scores_the_base_with_its_grade() -> None:
    result = score()
    assert (result.score, result.grade, result.contributions) == (Decimal("100.00"), "A", ())
    assert (result.as_of, result.policy_version, result.capped_by) == (AS_OF, STEP.version, ())


def test_a_violation_costs_its_category_and_severity_points_with_basis_and_end() -> None:
    result = score(violation(severity=Severity.MAJOR, category="BRIBERY"))
    (contribution,) = result.contributions
    assert contribution.points == Decimal("-50.00")
    assert contribution.basis == "《中华人民共和国政府采购法》第七十七条"
    assert contribution.counted_from == date(2025, 1, 10)
    assert contribution.reason == "major BRIBERY, full weight"
    assert (result.score, result.grade) == (Decimal("50.00"), "D")


def test_a_record_without_publication_end_counts_for_its_category_default_period() -> None:
    # supplier.publication_months.FALSE_MATERIALS.SERIOUS = 36, counted as Civil Code Arts.
    # 201-202: from the day after the decision to the corresponding day 3 years on
    last_day = date(2028, 1, 10)
    assert score(violation(), as_of=last_day).contributions[0].counted_until == last_day
    assert score(violation(), as_of=last_day + timedelta(days=1)).contributions == ()


def test_a_record_counts_through_its_publication_end_day_and_not_after() -> None:
    published = violation(publication_end=date(2025, 7, 9))
    assert len(score(published, as_of=date(2025, 7, 9)).contributions) == 1
    assert score(published, as_of=date(2025, 7, 10)).contributions == ()


def test_linear_weight_halves_the_points_halfway_through_the_counting_period() -> None:
    # 2024 is a leap year: 366 counted days, 183 of them elapsed on 2 July
    halfway = violation(decided=date(2024, 1, 1), publication_end=date(2024, 12, 31))
    (contribution,) = score(halfway, as_of=date(2024, 7, 2), policy=POLICY).contributions
    assert contribution.points == Decimal("-12.50")
    assert contribution.reason == "serious FALSE_MATERIALS, linear decay 50% elapsed"


def test_linear_weight_counts_in_full_on_the_decision_day() -> None:
    fresh = violation(decided=AS_OF, publication_end=AS_OF + timedelta(days=99))
    assert score(fresh, policy=POLICY).contributions[0].points == Decimal("-25.00")


def test_the_explanation_adds_up_to_the_score() -> None:
    result = score(
        violation("v1", date(2025, 9, 1), severity=Severity.GENERAL),
        violation("v2", date(2024, 11, 5), category="BREACH_OF_CONTRACT"),
        record("c1", "contract", "CONTRACT_ACCEPTED", date(2025, 6, 1)),
        record("e1", "evaluation", "EVALUATION", date(2025, 8, 1), score=48),
        record("l1", "listing", "OTHER_REGION_SERIOUS_DISHONESTY", date(2026, 1, 2)),
        policy=POLICY,
    )
    assert len(result.contributions) == 5
    assert result.score == explained_total(result)
    assert all(c.points == c.points.quantize(Decimal("0.01")) for c in result.contributions)


def test_a_total_below_the_floor_is_clamped_and_says_so() -> None:
    records = [violation(f"v{n}", severity=Severity.MAJOR, category="BRIBERY") for n in range(3)]
    result = score(*records)
    assert explained_total(result) == Decimal("-50.00")
    assert (result.score, result.grade, result.capped_by) == (
        Decimal("0.00"),
        "D",
        ("supplier.min",),
    )


def test_contributions_are_ordered_by_counted_from_then_record_id() -> None:
    records = [
        violation("b", date(2025, 2, 1)),
        violation("a", date(2025, 2, 1)),
        violation("c", date(2024, 12, 1)),
    ]
    assert [c.record_id for c in score(*records).contributions] == ["c", "a", "b"]
    assert [c.record_id for c in score(*reversed(records)).contributions] == ["c", "a", "b"]


def test_the_same_inputs_and_policy_give_byte_identical_canonical_json() -> None:
    records = [
        violation("v1", date(2025, 3, 1)),
        violation("v2", date(2025, 3, 1), severity=Severity.GENERAL),
        record("c1", "contract", "CONTRACT_ACCEPTED", date(2025, 6, 1)),
    ]
    first = canonical_json(score(*records, policy=POLICY)).encode()
    again = canonical_json(score(*reversed(records), policy=load_policy())).encode()
    assert first == again
    decoded = json.loads(first)
    assert decoded["as_of"] == "2026-05-10" and decoded["score"] == str(
        score(*records, policy=POLICY).score
    )
    assert (
        first
        == json.dumps(decoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


def test_canonical_json_refuses_values_without_a_deterministic_form() -> None:
    with pytest.raises(TypeError, match="set"):
        canonical_json({"ids": {"b", "a"}})


def test_a_changed_policy_version_shows_in_the_result() -> None:
    revised = STEP.model_copy(update={"version": "2099.9"})
    assert score(violation(), policy=revised).policy_version == "2099.9"
    assert canonical_json(score(violation(), policy=revised)) != canonical_json(score(violation()))


# --- what counts when -----------------------------------------------------------------------


def test_a_record_decided_after_the_as_of_date_does_not_count() -> None:
    assert score(violation(decided=AS_OF + timedelta(days=1))).contributions == ()


def test_an_as_of_date_in_the_past_counts_records_received_later_unless_known_at_says_not() -> None:
    late = violation(decided=date(2025, 1, 10), received_at=datetime(2025, 3, 1, 9, tzinfo=CST))
    assert len(score(late, as_of=date(2025, 2, 28)).contributions) == 1
    before = datetime(2025, 3, 1, 8, 59, 59, tzinfo=CST)
    past = compute_score("supplier", [late], date(2025, 2, 28), STEP, known_at=before)
    assert (past.contributions, past.known_at) == ((), before)
    at = compute_score("supplier", [late], date(2025, 2, 28), STEP, known_at=late.received_at)
    assert len(at.contributions) == 1


def test_a_repaired_record_counts_before_its_repair_date_and_not_from_it() -> None:
    repaired = violation(
        decided=date(2024, 1, 10), status=RecordStatus.REPAIRED, status_date=date(2025, 3, 1)
    )
    before = score(repaired, as_of=date(2025, 2, 28)).contributions
    assert before[0].counted_until == date(2027, 1, 10)  # the repair had not happened yet
    assert score(repaired, as_of=date(2025, 3, 1)).contributions == ()


def test_a_repair_before_the_minimum_period_takes_effect_when_that_period_is_served() -> None:
    # supplier.min_repair_months.SERIOUS = 12: the minimum period from 2025-01-10 ends on
    # 2026-01-10 (Civil Code Arts. 201-202), so a repair on 2025-04-01 stops the record
    # counting from 2026-01-11
    early = violation(status=RecordStatus.REPAIRED, status_date=date(2025, 4, 1))
    (contribution,) = score(early, as_of=date(2025, 6, 1)).contributions
    assert contribution.counted_until == date(2026, 1, 10)
    assert "repaired, counts until 2026-01-10" in contribution.reason
    assert len(score(early, as_of=date(2026, 1, 10)).contributions) == 1
    assert score(early, as_of=date(2026, 1, 11)).contributions == ()


def test_an_overturned_record_counts_before_its_overturn_and_never_after() -> None:
    overturned = violation(status=RecordStatus.OVERTURNED, status_date=date(2025, 9, 1))
    assert len(score(overturned, as_of=date(2025, 8, 31)).contributions) == 1
    assert score(overturned, as_of=date(2025, 9, 1)).contributions == ()
    assert score(overturned).score == Decimal("100.00")


def test_a_record_under_appeal_keeps_counting() -> None:
    appealed = violation(status=RecordStatus.UNDER_APPEAL, status_date=date(2025, 2, 1))
    assert score(appealed).contributions[0].points == Decimal("-25.00")


def test_a_listing_counts_until_valid_until_and_stops_when_retracted() -> None:
    listed = record(
        "l1", "listing", "COURT_DISHONEST_DEBTOR", date(2025, 1, 1), valid_until=date(2026, 5, 10)
    )
    assert score(listed).contributions[0].points == Decimal("-40.00")
    assert score(listed, as_of=date(2026, 5, 11)).contributions == ()
    retracted = record(
        "l2", "listing", "COURT_DISHONEST_DEBTOR", date(2025, 1, 1), retracted_on=AS_OF
    )
    assert score(retracted, as_of=AS_OF - timedelta(days=1)).contributions[0].counted_until is None
    assert score(retracted).contributions == ()


# --- positive and performance records -------------------------------------------------------


def test_accepted_contracts_earn_points_up_to_the_cap() -> None:
    contracts = [
        record(f"c{n:02d}", "contract", "CONTRACT_ACCEPTED", date(2025, 1, 1) + timedelta(days=n))
        for n in range(12)
    ]
    result = score(*contracts)
    assert [c.points for c in result.contributions] == [Decimal("1.00")] * 10 + [Decimal(0)] * 2
    assert "supplier.contracts.accepted_cap reached" in result.contributions[-1].reason
    assert result.score == Decimal("110.00") == explained_total(result)


def test_a_failed_contract_costs_points() -> None:
    failed = record("c1", "contract", "CONTRACT_FAILED", date(2025, 6, 1))
    assert score(failed).contributions[0].points == Decimal("-10.00")


@pytest.mark.parametrize(
    ("rating", "points"), [(95, "1.00"), (90, "1.00"), (89, None), (60, None), (59, "-5.00")]
)
def test_evaluations_earn_or_cost_points_at_the_policy_thresholds(
    rating: int, points: str | None
) -> None:
    evaluation = record("e1", "evaluation", "EVALUATION", date(2025, 6, 1), score=rating)
    found = [c.points for c in score(evaluation).contributions]
    assert found == ([Decimal(points)] if points else [])


def test_a_false_or_malicious_complaint_costs_the_complainant_points() -> None:
    false = record("k1", "complaint", "FALSE_OR_MALICIOUS", date(2026, 1, 5))
    upheld = record("k2", "complaint", "UPHELD", date(2026, 1, 5))
    assert [c.record_id for c in score(false, upheld).contributions] == ["k1"]
    assert score(false).score == Decimal("90.00")


# --- network rules --------------------------------------------------------------------------


def banned_sister(ban_end: date, kind: Any = "SHARED_LEGAL_REP") -> NetworkLink:
    ban = violation(
        "sister-ban",
        penalty_types=(PenaltyType.PROCUREMENT_BAN,),
        ban_start=date(2025, 1, 10),
        ban_end=ban_end,
    )
    return NetworkLink(kind, "org:sister", "姐妹公司", "person:rep", (ban,))


def test_a_link_to_a_banned_supplier_caps_the_grade_but_not_the_score() -> None:
    result = compute_score("supplier", [], AS_OF, STEP, [banned_sister(AS_OF)])
    assert (result.score, result.grade) == (Decimal("100.00"), "C")
    assert result.capped_by == ("supplier.network.shared_legal_rep_with_banned",)


def test_a_link_to_a_supplier_whose_ban_has_ended_changes_nothing() -> None:
    ended = banned_sister(AS_OF - timedelta(days=1), kind="CONTROLLED_BY")
    result = compute_score("supplier", [], AS_OF, STEP, [ended])
    assert (result.grade, result.capped_by) == ("A", ())


def test_a_network_cap_never_improves_a_worse_grade() -> None:
    bad = [violation(f"v{n}", severity=Severity.MAJOR) for n in range(2)]
    result = compute_score("supplier", bad, AS_OF, STEP, [banned_sister(AS_OF)])
    assert result.grade == "D"


# --- the policy -----------------------------------------------------------------------------


def test_the_packaged_policy_loads_with_its_version() -> None:
    assert (POLICY.version, POLICY.effective_from) == ("2026.2", date(2026, 12, 6))
    assert load_policy(DEFAULT_TOML).model_dump() == POLICY.model_dump()


def test_positive_penalty_points_are_refused_naming_the_key() -> None:
    data = policy_data()
    data["supplier"]["points"]["BRIBERY"]["MAJOR"] = 5
    with pytest.raises(PolicyError, match=r"^supplier\.points\.BRIBERY\.MAJOR: must be <= 0$"):
        Policy.parse(data)


def test_a_missing_catch_all_grade_band_is_refused_naming_the_key() -> None:
    data = policy_data()
    data["agency"]["grades"].pop()
    with pytest.raises(PolicyError, match=r"^agency\.grades: the last band must start at or below"):
        Policy.parse(data)


def test_grade_bands_out_of_order_are_refused_naming_the_band() -> None:
    data = policy_data()
    data["expert"]["grades"][2]["at_least"] = 80
    with pytest.raises(PolicyError, match=r"^expert\.grades\[2\]\.at_least: bands must be"):
        Policy.parse(data)


def test_an_unknown_key_is_refused_naming_it() -> None:
    data = policy_data()
    data["supplier"]["contracts"]["bonus"] = 3
    with pytest.raises(PolicyError, match=r"^supplier\.contracts\.bonus: is not a known key$"):
        Policy.parse(data)


def test_a_violation_category_without_points_is_refused_naming_it() -> None:
    data = policy_data()
    del data["supplier"]["points"]["TAX_VIOLATION"]
    with pytest.raises(PolicyError, match=r"^supplier\.points\.TAX_VIOLATION: is required"):
        Policy.parse(data)


def test_a_publication_period_outside_the_statutory_range_is_refused() -> None:
    data = policy_data()
    data["supplier"]["publication_months"]["BRIBERY"]["GENERAL"] = 24
    with pytest.raises(
        PolicyError, match=r"^supplier\.publication_months\.BRIBERY\.GENERAL: must be between 3"
    ):
        Policy.parse(data)


def test_a_network_grade_cap_must_name_a_grade_band() -> None:
    data = policy_data()
    data["supplier"]["network"]["same_controller_with_banned"]["grade_cap"] = "E"
    with pytest.raises(
        PolicyError, match=r"^supplier\.network\.same_controller_with_banned\.grade_cap: must be"
    ):
        Policy.parse(data)


def test_float_points_are_refused_because_they_are_inexact() -> None:
    data = policy_data()
    data["supplier"]["points"]["OTHER"]["GENERAL"] = -2.5
    with pytest.raises(PolicyError, match=r"^supplier\.points\.OTHER\.GENERAL: write an integer"):
        Policy.parse(data)


def test_every_problem_of_a_policy_is_reported_at_once(tmp_path: Path) -> None:
    text = DEFAULT_TOML.read_text(encoding="utf-8").replace("base = 100", "base = 100\nbogus = 1")
    (tmp_path / "policy.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "policy.toml")
    assert caught.value.problems == tuple(
        f"{subject}.bogus: is not a known key" for subject in ("supplier", "agency", "expert")
    )


def test_a_policy_file_that_is_not_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"broken\.toml"):
        load_policy(broken)


# --- records and dates ----------------------------------------------------------------------


def test_a_record_with_a_category_foreign_to_its_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="v9: 'COURT_DISHONEST_DEBTOR' is not a violation"):
        violation("v9", category="COURT_DISHONEST_DEBTOR")


def test_a_repaired_record_needs_the_date_of_its_repair() -> None:
    with pytest.raises(ValueError, match="needs its status_date"):
        violation(status=RecordStatus.REPAIRED)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 10), 12, date(2026, 1, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2026, 5, 10), -36, date(2023, 5, 10)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_month_arithmetic_falls_back_to_the_last_day_of_a_short_month(
    day: date, months: int, expected: date
) -> None:
    assert shift_months(day, months) == expected


# --- issue 15: grade caps under a ban or listing, dated policies, periods, boundaries ---------


def banned(
    start: date, end: date, rid: str = "b1", severity: Severity = Severity.GENERAL, **over: Any
) -> CreditRecord:
    return violation(
        rid,
        start,
        severity=severity,
        penalty_types=(PenaltyType.FINE, PenaltyType.PROCUREMENT_BAN),
        ban_start=start,
        ban_end=end,
        **over,
    )


def accepted(n: int) -> list[CreditRecord]:
    return [
        record(f"c{i}", "contract", "CONTRACT_ACCEPTED", date(2026, 1, 1) + timedelta(days=i))
        for i in range(n)
    ]


def test_a_supplier_banned_today_is_graded_d_whatever_its_positive_records() -> None:
    # a GENERAL ban costs only 10 points; 10 accepted contracts would give it back
    ban = banned(AS_OF, AS_OF + timedelta(days=364))
    result = compute_score("supplier", [ban, *accepted(10)], AS_OF, STEP)
    assert result.score == Decimal("100.00")
    assert result.grade == "D"
    assert "supplier.ban_grade_cap" in result.capped_by
    assert compute_score("supplier", [ban], AS_OF - timedelta(days=1), POLICY).grade == "A"


def test_a_banned_record_keeps_full_weight_until_its_ban_ends_then_decays() -> None:
    # publication 12 months (GENERAL FALSE_MATERIALS) but a 2-year ban: linear decay used to
    # reach about 0 before the ban ended
    ban = banned(date(2025, 1, 10), date(2027, 1, 9))
    last_ban_day = compute_score("supplier", [ban], date(2027, 1, 9), POLICY)
    (c,) = last_ban_day.contributions
    assert (c.points, last_ban_day.grade) == (Decimal("-10.00"), "D")
    assert c.reason.startswith("general FALSE_MATERIALS, full weight while in force")
    after = compute_score("supplier", [ban], date(2027, 1, 10), POLICY)
    assert (after.grade, after.capped_by) == ("A", ())
    assert compute_score("supplier", [ban], date(2027, 1, 10), POLICY).contributions == ()


def test_a_ban_counts_until_its_end_even_past_its_publication_period() -> None:
    ban = banned(date(2025, 1, 10), date(2027, 1, 9), publication_end=date(2025, 12, 31))
    (c,) = score(ban, as_of=date(2026, 6, 1)).contributions
    assert c.counted_until == date(2027, 1, 9)


def test_a_repair_ends_a_bans_points_but_not_its_grade_cap() -> None:
    ban = banned(
        date(2025, 1, 10),
        date(2027, 1, 9),
        status=RecordStatus.REPAIRED,
        status_date=date(2025, 6, 1),
    )
    result = score(ban, as_of=date(2026, 6, 1))
    assert (result.contributions, result.grade) == ((), "D")
    assert result.capped_by == ("supplier.ban_grade_cap",)


def test_a_suspended_ban_does_not_cap_the_grade_while_the_order_lasts() -> None:
    ban = banned(
        date(2026, 1, 10),
        date(2027, 1, 9),
        status=RecordStatus.UNDER_APPEAL,
        suspended_on=date(2026, 3, 1),
    )
    assert score(ban, as_of=date(2026, 2, 28)).grade == "D"
    assert score(ban, as_of=date(2026, 3, 1)).grade == "A"


def test_an_appeal_alone_does_not_lift_the_cap() -> None:
    ban = banned(date(2026, 1, 10), date(2027, 1, 9), status=RecordStatus.UNDER_APPEAL)
    assert score(ban).grade == "D"


@pytest.mark.parametrize(
    "source", ["COURT_DISHONEST_DEBTOR", "MAJOR_TAX_VIOLATION", "GP_SERIOUS_DISHONESTY"]
)
def test_a_three_list_listing_caps_the_grade_through_its_valid_until_day(source: str) -> None:
    listed = record("l1", "listing", source, date(2026, 1, 1), valid_until=AS_OF)
    offset = compute_score("supplier", [listed, *accepted(10)], AS_OF, POLICY)
    points = {c.record_id: c.points for c in offset.contributions}
    assert (offset.grade, points["l1"]) == (
        "D",
        POLICY.supplier.listings[ExternalList(source)],
    )  # no decay
    after = compute_score("supplier", [listed], AS_OF + timedelta(days=1), POLICY)
    assert "supplier.ban_grade_cap" not in after.capped_by


def test_another_regions_list_does_not_cap_the_grade() -> None:
    listed = record("l1", "listing", "OTHER_REGION_SERIOUS_DISHONESTY", date(2026, 1, 1))
    assert score(listed).capped_by == ()


def test_a_criminal_judgment_under_appeal_does_not_count_until_final() -> None:
    judged = violation(
        category="CRIMINAL_OFFENCE",
        penalty_types=(PenaltyType.CRIMINAL_PENALTY,),
        status=RecordStatus.UNDER_APPEAL,
    )
    assert score(judged).contributions == ()
    final = violation(category="CRIMINAL_OFFENCE", penalty_types=(PenaltyType.CRIMINAL_PENALTY,))
    assert len(score(final).contributions) == 1


def test_known_at_ignores_a_repair_recorded_after_it() -> None:
    repaired = violation(
        status=RecordStatus.REPAIRED,
        status_date=date(2026, 2, 1),
        status_recorded_at=datetime(2026, 2, 3, 10, tzinfo=CST),
    )
    assert score(repaired).contributions == ()
    then = datetime(2026, 2, 2, 10, tzinfo=CST)
    assert len(compute_score("supplier", [repaired], AS_OF, STEP, known_at=then).contributions) == 1


@pytest.mark.parametrize(
    ("points", "expected_cap"),
    [("-100", ()), ("-101", ("supplier.min",))],
    ids=["exactly-the-floor", "below-the-floor"],
)
def test_a_score_exactly_at_the_floor_is_not_clamped(
    points: str, expected_cap: tuple[str, ...]
) -> None:
    rules = STEP.supplier
    other = ViolationCategory.OTHER
    table = {**rules.points, other: {**rules.points[other], Severity.MAJOR: Decimal(points)}}
    policy = STEP.model_copy(update={"supplier": rules.model_copy(update={"points": table})})
    result = score(violation(category="OTHER", severity=Severity.MAJOR), policy=policy)
    assert (result.score, result.grade, result.capped_by) == (Decimal("0.00"), "D", expected_cap)


@pytest.mark.parametrize(
    ("contracts", "expected", "expected_cap"),
    [(10, Decimal("110.00"), ()), (11, Decimal("110.00"), ())],
    ids=["exactly-the-ceiling", "accepted-cap-holds-it"],
)
def test_a_score_exactly_at_the_ceiling_is_not_clamped(
    contracts: int, expected: Decimal, expected_cap: tuple[str, ...]
) -> None:
    result = compute_score("supplier", accepted(contracts), AS_OF, STEP)
    assert (result.score, result.capped_by) == (expected, expected_cap)
    rules = STEP.supplier.model_copy(update={"max": Decimal("109.99")})
    over = compute_score(
        "supplier", accepted(contracts), AS_OF, STEP.model_copy(update={"supplier": rules})
    )
    assert (over.score, over.capped_by) == (Decimal("109.99"), ("supplier.max",))


def test_a_grade_band_starts_exactly_at_its_threshold() -> None:
    at_b = violation(category="OTHER", severity=Severity.MAJOR, publication_end=date(2026, 12, 31))
    # base 100, OTHER MAJOR -20 = 80 (B); B starts at 75: at 75.00 exactly still B
    rules = STEP.supplier
    other = ViolationCategory.OTHER
    table = {**rules.points, other: {**rules.points[other], Severity.MAJOR: Decimal("-25")}}
    policy = STEP.model_copy(update={"supplier": rules.model_copy(update={"points": table})})
    assert score(at_b, policy=policy).grade == "B"
    table[other] = {**rules.points[other], Severity.MAJOR: Decimal("-25.01")}
    policy = STEP.model_copy(update={"supplier": rules.model_copy(update={"points": table})})
    assert score(at_b, policy=policy).grade == "C"


@pytest.mark.parametrize("cap", ["A", "B", "E"])
def test_a_ban_grade_cap_that_is_a_top_band_or_no_band_is_refused(cap: str) -> None:
    data = policy_data()
    data["supplier"]["ban_grade_cap"] = cap
    with pytest.raises(PolicyError, match=r"^supplier\.ban_grade_cap: must be"):
        Policy.parse(data)


def test_a_score_as_of_a_day_uses_the_policy_version_in_force_that_day() -> None:
    versions = [v.version for v in POLICY.versions]
    assert versions == ["2026.1", "2026.2"]
    assert POLICY.on(date(2026, 12, 5)).version == "2026.1"
    assert POLICY.on(date(2026, 12, 6)).version == "2026.2"  # its effective_from day
    assert POLICY.on(date(2020, 1, 1)).version == "2026.1"  # before the first: the first
    old = POLICY.on(date(2026, 6, 1))
    assert old.supplier.ban_grade_cap is None and old.supplier.restricted_grade == "D"


def test_a_directory_of_policy_versions_is_one_book(tmp_path: Path) -> None:
    data = DEFAULT_TOML.read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(data, encoding="utf-8")
    later = data.replace('version = "2026.2"', 'version = "2027.1"').replace(
        "effective_from = 2026-12-06", "effective_from = 2027-01-01"
    )
    (tmp_path / "b.toml").write_text(later, encoding="utf-8")
    book = load_policy(tmp_path)
    assert (book.version, book.on(date(2026, 12, 31)).version) == ("2027.1", "2026.2")
    (tmp_path / "c.toml").write_text(later, encoding="utf-8")
    with pytest.raises(PolicyError, match="effective_from"):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("event", "months", "last"),
    [
        (date(2023, 3, 15), 36, date(2026, 3, 15)),  # the corresponding day
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 February: the month's last day
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
    ],
)
def test_a_period_ends_on_the_corresponding_day_civil_code_201_202(
    event: date, months: int, last: date
) -> None:
    assert period_end(event, months) == last
    assert within(event, last, months)
    assert not within(event, last + timedelta(days=1), months)
    assert within(event, event, months)
    assert not within(event, event - timedelta(days=1), months)


def test_the_recusal_window_counts_three_years_back_from_the_check_day() -> None:
    # a tie that ended on 2023-05-10 still counts on 2026-05-10 and no longer on 2026-05-11
    assert within_years_before(date(2023, 5, 10), date(2026, 5, 10), 3)
    assert not within_years_before(date(2023, 5, 10), date(2026, 5, 11), 3)


def test_today_is_the_day_in_china_not_the_servers_utc_day() -> None:
    from credit.domain import periods

    # 2026-12-06 17:30 UTC is already 2026-12-07 01:30 in China
    late = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
    assert periods.local_day(late) == date(2026, 12, 7)
    assert periods.today() == datetime.now(periods.CHINA).date()
