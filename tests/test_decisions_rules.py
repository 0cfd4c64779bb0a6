"""One decision counts once (credit.standing.decisions): a penalty and the listing it caused
give one reason and one contribution, naming both records. Pure rules, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from credit.domain.records import Severity
from credit.standing.decisions import contributions_once, reasons_once
from credit.standing.eligibility import Decision, Reason
from credit.standing.scoring import Contribution, CreditRecord

DAY = date(2025, 6, 1)


def penalty(rid: str, number: str) -> CreditRecord:
    return CreditRecord(
        id=rid,
        kind="violation",
        category="FALSE_MATERIALS",
        decided_on=DAY,
        severity=Severity.SERIOUS,
        decision_number=number,
    )


def listed(rid: str, number: str) -> CreditRecord:
    return CreditRecord(
        id=rid,
        kind="listing",
        category="GP_SERIOUS_DISHONESTY",
        decided_on=DAY,
        decision_number=number,
    )


RECORDS = [
    penalty("v1", "杭财采〔2025〕12号"),
    listed("l1", "杭财采[2025] 12号"),  # the same decision, written another way
    penalty("x1", "杭财采〔2025〕13号"),
    penalty("n1", ""),  # no numbers: nothing to tell them the same
    listed("n2", ""),
    penalty("p1", "杭财采〔2025〕14号"),  # two penalties under one number stay apart
    penalty("p2", "杭财采〔2025〕14号"),
]


def reason(code: str, *ids: str, **over: Any) -> Reason:
    return Reason(code, Decision.INELIGIBLE, "", f"{code}.", ids, None, **over)


def test_a_decisions_reasons_fold_into_its_first_naming_the_other_record() -> None:
    given = [
        reason("NONE"),
        reason("BAN", "v1"),
        reason("MAJOR", "v1"),
        reason("LISTED", "l1"),
        reason("OTHER", "x1"),
        reason("N1", "n1"),
        reason("N2", "n2"),
        reason("P1", "p1"),
        reason("P2", "p2"),
    ]
    assert reasons_once(given, RECORDS) == [
        reason("NONE"),
        Reason(
            "BAN",
            Decision.INELIGIBLE,
            "",
            "BAN. The same decision is also recorded as l1; it counts once.",
            ("l1", "v1"),
            None,
        ),
        reason("MAJOR", "v1"),  # the lead record's other reasons stand as they are
        reason("OTHER", "x1"),
        reason("N1", "n1"),
        reason("N2", "n2"),
        reason("P1", "p1"),
        reason("P2", "p2"),
    ]


def _counted(rid: str, points: str) -> Contribution:
    return Contribution(rid, Decimal(points), "", DAY, None, rid)


def test_a_decision_counts_once_by_its_largest_contribution_the_first_on_a_tie() -> None:
    given = [_counted("v1", "-25"), _counted("x1", "-10"), _counted("l1", "-50")]
    assert contributions_once(given, RECORDS) == [
        _counted("x1", "-10"),
        Contribution("l1", Decimal(-50), "", DAY, None, "l1; same decision as v1, counted once"),
    ]
    tie = [_counted("v1", "-50"), _counted("l1", "-50")]
    assert [c.record_id for c in contributions_once(tie, RECORDS)] == ["v1"]
