"""May an agency act as agent (credit.standing.agency, Law Art. 78): each reason in full, at
its first and last day, and as an earlier instant knew it. Pure rules, no database; the ban's
own boundaries are also in tests/test_participation_rules.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.legal import text
from credit.policy import load_policy
from credit.standing.agency import assess_agency
from credit.standing.eligibility import Decision, Reason
from credit.standing.scoring import CreditRecord

POLICY = load_policy()
AS_OF = date(2026, 6, 15)
DAY = timedelta(days=1)
CST = timezone(timedelta(hours=8))


def penalty(rid: str, *penalties: PenaltyType, **over: Any) -> CreditRecord:
    fields: dict[str, Any] = {
        "category": "AGENCY_IRREGULAR_PROCEDURE",
        "severity": Severity.SERIOUS,
        "penalty_types": penalties,
        "decided_on": date(2026, 3, 1),
        "decision_number": f"财库〔2026〕{rid}号",
    } | over
    return CreditRecord(id=rid, kind="violation", **fields)


def reasons(*records: CreditRecord, as_of: date = AS_OF, **kw: Any) -> tuple[Reason, ...]:
    return assess_agency("org:G", records, as_of, POLICY, **kw).reasons


def test_a_listed_agency_needs_weighing_through_the_lists_last_day() -> None:
    entry = CreditRecord(
        id="l1",
        kind="listing",
        category="COURT_DISHONEST_DEBTOR",
        decided_on=date(2026, 1, 5),
        valid_until=AS_OF,
    )
    assert reasons(entry) == (
        Reason(
            "AGENCY_LISTED_COURT_DISHONEST_DEBTOR",
            Decision.REVIEW,
            text("CAIKU-2016-125-LISTS"),
            "The agency is on the list COURT_DISHONEST_DEBTOR since 2026-01-05; weigh it "
            "before entrusting the procurement.",
            ("l1",),
            AS_OF,
        ),
    )
    assert reasons(entry, as_of=AS_OF + DAY) == ()


def test_an_agency_ban_under_appeal_bars_in_full_wording() -> None:
    ban = penalty(
        "b1",
        PenaltyType.AGENCY_BAN,
        ban_start=date(2026, 3, 1),
        ban_end=date(2027, 2, 28),
        status=RecordStatus.UNDER_APPEAL,
        decision_number="",
    )
    assert assess_agency("org:G", (ban,), AS_OF, POLICY).decision is Decision.INELIGIBLE
    assert reasons(ban) == (
        Reason(
            "AGENCY_BAN",
            Decision.INELIGIBLE,
            text("GPL-78-AGENCY-BAN") + "；" + text("ALL-56-APPEAL"),
            "Banned from acting as a procurement agency (禁止代理政府采购业务) from 2026-03-01 "
            "to 2027-02-28 (both days included) by decision b1; the appeal does not suspend it.",
            ("b1",),
            date(2027, 2, 28),
        ),
    )


def test_an_agency_ban_without_its_period_asks_for_the_decision() -> None:
    ban = penalty("b1", PenaltyType.AGENCY_BAN, ban_start=date(2026, 3, 1))
    assert reasons(ban) == (
        Reason(
            "AGENCY_BAN_PERIOD_UNKNOWN",
            Decision.REVIEW,
            text("GPL-78-AGENCY-BAN"),
            "Decision 财库〔2026〕b1号 bans the agency from acting as agent but its period is not "
            "recorded; check the decision (a ban lasts at most 3 years).",
            ("b1",),
            date(2029, 3, 1),
        ),
    )


def test_a_restricting_penalty_needs_review_and_other_records_do_not_count() -> None:
    closed = penalty("p1", PenaltyType.ORDERED_CLOSURE)
    fined = penalty("f1", PenaltyType.FINE)
    contract = CreditRecord(
        id="c1", kind="contract", category="CONTRACT_FAILED", decided_on=date(2026, 3, 1)
    )
    (reason,) = reasons(closed, fined, contract)
    assert (reason.code, reason.record_ids, reason.until) == (
        "RESTRICTING_PENALTY",
        ("p1",),
        date(2029, 3, 1),  # the policy's 3-year look-back
    )
    assert reasons(closed, as_of=date(2026, 2, 28)) == ()  # not yet decided


def test_an_overturn_recorded_after_an_earlier_answer_had_not_lifted_the_ban_then() -> None:
    ban = penalty(
        "b1",
        PenaltyType.AGENCY_BAN,
        ban_start=date(2026, 3, 1),
        ban_end=date(2027, 2, 28),
        status=RecordStatus.OVERTURNED,
        status_date=date(2026, 5, 1),
        status_recorded_at=datetime(2026, 5, 2, 9, tzinfo=CST),
    )
    assert reasons(ban) == ()
    earlier = reasons(ban, known_at=datetime(2026, 5, 1, 9, tzinfo=CST))
    assert [r.code for r in earlier] == ["AGENCY_BAN"]


def test_an_appeal_recorded_after_an_earlier_answer_is_not_in_that_answers_wording() -> None:
    # knownAt replays what a check answered then: an appeal lodged on 1 May but recorded on
    # 2 May was not known to a check on 1 May, so its wording cannot name the appeal.
    ban = penalty(
        "b1",
        PenaltyType.AGENCY_BAN,
        ban_start=date(2026, 3, 1),
        ban_end=date(2027, 2, 28),
        status=RecordStatus.UNDER_APPEAL,
        status_date=date(2026, 5, 1),
        status_recorded_at=datetime(2026, 5, 2, 9, tzinfo=CST),
    )
    now, earlier = reasons(ban), reasons(ban, known_at=datetime(2026, 5, 1, 9, tzinfo=CST))
    assert [r.code for r in now] == [r.code for r in earlier] == ["AGENCY_BAN"]
    assert now[0].message.endswith("the appeal does not suspend it.")
    assert now[0].legal_basis.endswith(text("ALL-56-APPEAL"))
    assert earlier[0].message.endswith("by decision 财库〔2026〕b1号.")
    assert earlier[0].legal_basis == text("GPL-78-AGENCY-BAN")
