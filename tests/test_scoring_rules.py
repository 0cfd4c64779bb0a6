"""Credit scores and the policy that drives them: pure rules, no database."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.policy import Policy, PolicyError, SubjectType, Weighting, load_policy
from credit.scoring import (
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
    assert (result.as_of, result.policy_version, result.capped_by) == (AS_OF, "2026.1", ())


def test_a_violation_costs_its_category_and_severity_points_with_basis_and_end() -> None:
    result = score(violation(severity=Severity.MAJOR, category="BRIBERY"))
    (contribution,) = result.contributions
    assert contribution.points == Decimal("-50.00")
    assert contribution.basis == "《中华人民共和国政府采购法》第七十七条"
    assert contribution.counted_from == date(2025, 1, 10)
    assert contribution.reason == "major BRIBERY, full weight"
    assert (result.score, result.grade) == (Decimal("50.00"), "D")


def test_a_record_without_publication_end_counts_for_its_category_default_period() -> None:
    # supplier.publication_months.FALSE_MATERIALS.SERIOUS = 36, decision day included
    last_day = date(2028, 1, 9)
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
    revised = STEP.model_copy(update={"version": "2026.2"})
    assert score(violation(), policy=revised).policy_version == "2026.2"
    assert canonical_json(score(violation(), policy=revised)) != canonical_json(score(violation()))


# --- what counts when -----------------------------------------------------------------------


def test_a_record_decided_after_the_as_of_date_does_not_count() -> None:
    assert score(violation(decided=AS_OF + timedelta(days=1))).contributions == ()


def test_an_as_of_date_in_the_past_ignores_records_received_later() -> None:
    late = violation(decided=date(2025, 1, 10), received_at=datetime(2025, 3, 1, 9, tzinfo=CST))
    assert score(late, as_of=date(2025, 2, 28)).contributions == ()
    assert len(score(late, as_of=date(2025, 3, 1)).contributions) == 1


def test_a_repaired_record_counts_before_its_repair_date_and_not_from_it() -> None:
    repaired = violation(
        decided=date(2024, 1, 10), status=RecordStatus.REPAIRED, status_date=date(2025, 3, 1)
    )
    before = score(repaired, as_of=date(2025, 2, 28)).contributions
    assert before[0].counted_until == date(2027, 1, 9)  # the repair was not known yet
    assert score(repaired, as_of=date(2025, 3, 1)).contributions == ()


def test_a_repair_before_the_minimum_period_takes_effect_when_that_period_is_served() -> None:
    # supplier.min_repair_months.SERIOUS = 12: a repair on 2025-04-01 only stops the record
    # counting from 2026-01-10
    early = violation(status=RecordStatus.REPAIRED, status_date=date(2025, 4, 1))
    (contribution,) = score(early, as_of=date(2025, 6, 1)).contributions
    assert contribution.counted_until == date(2026, 1, 9)
    assert "repaired, counts until 2026-01-09" in contribution.reason
    assert len(score(early, as_of=date(2026, 1, 9)).contributions) == 1
    assert score(early, as_of=date(2026, 1, 10)).contributions == ()


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
    assert (POLICY.version, POLICY.effective_from) == ("2026.1", date(2026, 1, 1))
    assert load_policy(DEFAULT_TOML) == POLICY


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
