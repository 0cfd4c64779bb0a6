"""May this procurement agency act as agent today? Pure rules, with their legal basis.

- Law Art. 78: an agency banned from acting as agent in government procurement (1 to 3 years)
  is INELIGIBLE while the ban runs, both end days included; a ban whose period was not
  recorded is REVIEW for 3 years from its decision (the longest ban). An appeal does not
  suspend it (Administrative Litigation Law Art. 56), a repair ends publication, not the ban;
  only an overturn lifts it.
- Administrative Penalty Law Art. 9 penalties that restrict the business: REVIEW, as for
  suppliers (credit.standing.eligibility.penalty_reasons).
- An entry on an external credit list: REVIEW (Caiku [2016] No. 125 makes the lists bar
  suppliers; for an agency they are for the purchaser to weigh).

Records count on `as_of` as the legal state of that day from everything known now.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from credit.domain.periods import period_end
from credit.domain.records import PenaltyType, RecordStatus
from credit.legal import text
from credit.policy import Policy
from credit.standing.decisions import reasons_once
from credit.standing.eligibility import Decision, Eligibility, Reason, penalty_reasons, with_reasons
from credit.standing.scoring import CreditRecord, known, status_on, withdrawn

_BAN_BASIS = text("GPL-78-AGENCY-BAN")
_APPEAL_BASIS = text("ALL-56-APPEAL")
_LIST_BASIS = text("CAIKU-2016-125-LISTS")
_MAX_BAN_MONTHS = 36  # Law Art. 78: one to three years


def assess_agency(
    uid: str,
    records: Sequence[CreditRecord],
    as_of: date,
    policy: Policy,
    known_at: datetime | None = None,
) -> Eligibility:
    """Law Art. 78 on `as_of` (the legal state from what is known now, or by `known_at`)."""
    counted = [
        r for r in records if known(r, as_of, known_at) and not withdrawn(r, as_of, known_at)
    ]
    reasons = [
        reason
        for record in counted
        for reason in _reasons(
            record, as_of, policy.eligibility.major_record_lookback_years, known_at
        )
    ]
    empty = Eligibility(uid, Decision.ELIGIBLE, (), as_of, policy.version)
    ordered = with_reasons(empty, reasons).reasons  # worst first: one decision counts once
    return with_reasons(empty, reasons_once(ordered, counted))


def _reasons(
    record: CreditRecord, as_of: date, lookback_years: int, known_at: datetime | None
) -> Iterator[Reason]:
    if record.kind == "listing":
        if record.valid_until is None or record.valid_until >= as_of:
            yield Reason(
                code=f"AGENCY_LISTED_{record.category}",
                decision=Decision.REVIEW,
                legal_basis=_LIST_BASIS,
                message=f"The agency is on the list {record.category} since "
                f"{record.decided_on.isoformat()}; weigh it before entrusting the procurement.",
                record_ids=(record.id,),
                until=record.valid_until,
            )
        return
    if record.kind != "violation":
        return
    yield from penalty_reasons(record, as_of, lookback_years)
    if PenaltyType.AGENCY_BAN not in record.penalty_types:
        return
    number = record.decision_number or record.id
    if record.ban_start is None or record.ban_end is None:
        until = period_end(record.decided_on, _MAX_BAN_MONTHS)
        if as_of <= until:
            yield Reason(
                code="AGENCY_BAN_PERIOD_UNKNOWN",
                decision=Decision.REVIEW,
                legal_basis=_BAN_BASIS,
                message=f"Decision {number} bans the agency from acting as agent but its period "
                "is not recorded; check the decision (a ban lasts at most 3 years).",
                record_ids=(record.id,),
                until=until,
            )
        return
    if not record.ban_start <= as_of <= record.ban_end:
        return
    appeal = status_on(record, as_of, known_at) is RecordStatus.UNDER_APPEAL
    yield Reason(
        code="AGENCY_BAN",
        decision=Decision.INELIGIBLE,
        legal_basis=_BAN_BASIS + ("；" + _APPEAL_BASIS if appeal else ""),
        message=f"Banned from acting as a procurement agency (禁止代理政府采购业务) from "
        f"{record.ban_start.isoformat()} to {record.ban_end.isoformat()} (both days included) "
        f"by decision {number}" + ("; the appeal does not suspend it." if appeal else "."),
        record_ids=(record.id,),
        until=record.ban_end,
    )
