"""May this supplier take part today? Pure rules from BRIEF section 3, with their legal basis.

Every reason names the rule, its legal basis (Chinese first, then English), the records behind
it and when the bar ends, so a purchaser can file it with the procurement. The overall
decision is the worst reason: INELIGIBLE over REVIEW over ELIGIBLE. The conflicts among the
bidders of one lot (Regs Art. 18) are credit.standing.participation's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from credit.domain.identifiers import is_uscc_key, key_scheme
from credit.domain.periods import period_end
from credit.domain.records import ExternalList, PenaltyType, RecordStatus
from credit.legal import text
from credit.policy import EligibilityRules, Policy
from credit.standing.decisions import reasons_once
from credit.standing.scoring import (
    CreditRecord,
    ban_period,
    criminal_not_final,
    in_effect,
    network_hits,
    status_on,
    suspended,
)
from credit.standing.scoring import NetworkLink as NetworkLink  # re-exported: scores read links too


class Decision(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    INELIGIBLE = "INELIGIBLE"
    REVIEW = "REVIEW"


_RANK = {Decision.ELIGIBLE: 0, Decision.REVIEW: 1, Decision.INELIGIBLE: 2}


@dataclass(frozen=True)
class Reason:
    code: str
    decision: Decision
    legal_basis: str
    message: str
    record_ids: tuple[str, ...]
    until: date | None


@dataclass(frozen=True)
class SupplierFacts:
    id: str
    uscc: str
    name: str
    records: tuple[CreditRecord, ...]
    consortium_members: tuple[SupplierFacts, ...] = ()
    network: tuple[NetworkLink, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    subject_id: str
    decision: Decision
    reasons: tuple[Reason, ...]
    as_of: date
    policy_version: str
    known_at: datetime | None = None


_BAN_BASIS = text("GPL-22-77-BAN")
_LIST_BASIS = text("CAIKU-2016-125-LISTS")
_MAJOR_BASIS = text("GPL-22-1-5-MAJOR", "CIVIL-201-202")
_CONSORTIUM_BASIS = text("GPL-24-CONSORTIUM")
_APPEAL_BASIS = text("ALL-56-NO-SUSPENSION", "ARL-42-SUSPENSION")
_REPAIR_BASIS = text("NDRC-58-REPAIR")
_CRIMINAL_BASIS = text("CPL-259-FINAL")
_NETWORK_BASIS = text("POLICY-NETWORK")

_LISTS: dict[str, tuple[Decision, str]] = {
    ExternalList.COURT_DISHONEST_DEBTOR: (
        Decision.INELIGIBLE,
        "is on the courts' list of dishonest persons subject to enforcement (失信被执行人)",
    ),
    ExternalList.MAJOR_TAX_VIOLATION: (
        Decision.INELIGIBLE,
        "is a party to a major tax-violation case (重大税收违法失信案件当事人)",
    ),
    ExternalList.GP_SERIOUS_DISHONESTY: (
        Decision.INELIGIBLE,
        "is on the government-procurement list of serious illegal and dishonest behaviour "
        "(政府采购严重违法失信行为记录名单)",
    ),
    ExternalList.OTHER_REGION_SERIOUS_DISHONESTY: (
        Decision.REVIEW,
        "is on another region's serious-dishonesty list; check whether it applies here",
    ),
}

# Regs Art. 19 para 1: these penalties (and a large fine) make a record "major".
_MAJOR_PENALTIES = {
    PenaltyType.CRIMINAL_PENALTY: "criminal penalty",
    PenaltyType.BUSINESS_SUSPENSION: "suspension of business",
    PenaltyType.LICENCE_REVOCATION: "revocation of licence",
}


def assess_supplier(
    facts: SupplierFacts, as_of: date, policy: Policy, known_at: datetime | None = None
) -> Eligibility:
    """Apply every eligibility rule to the legal state on `as_of`, from every record known
    now, or, with `known_at`, from what had been received and recorded by that instant."""
    reasons = sorted(
        [
            *(
                reason
                for record in facts.records
                if in_effect(record, as_of, known_at)
                for reason in _record_reasons(record, as_of, policy.eligibility, known_at)
            ),
            *_network_reasons(facts.network, as_of, policy, known_at),
            *_consortium_reasons(facts.consortium_members, as_of, policy, known_at),
            *_needs_uscc(facts),
        ],
        key=lambda r: (-_RANK[r.decision], r.code, r.record_ids, r.message),
    )
    reasons = reasons_once(reasons, facts.records)  # one decision counts once
    return Eligibility(
        subject_id=facts.id,
        decision=_worst(r.decision for r in reasons),
        reasons=tuple(reasons),
        as_of=as_of,
        policy_version=policy.version,
        known_at=known_at,
    )


def _needs_uscc(facts: SupplierFacts) -> Iterator[Reason]:
    """Caiku [2016] No. 125's three lists are kept and queried by USCC: for an organisation
    identified in another scheme (open data from other countries) the lists could not be
    queried by code, and the answer says so rather than passing it as unlisted."""
    if not facts.id.startswith("org:") or is_uscc_key(facts.id):
        return
    key = facts.id.removeprefix("org:")
    yield Reason(
        code="LIST_CHECK_NEEDS_USCC",
        decision=Decision.REVIEW,
        legal_basis=_LIST_BASIS,
        message=f"{facts.name} is identified as {key} ({key_scheme(key)}), not by a USCC; the "
        "courts' dishonest-debtor list, the major tax-violation list and the government-"
        "procurement serious-dishonesty list are kept by USCC, so this rule needs a USCC and "
        "they were not checked by code: query them by name and keep the query record.",
        record_ids=(),
        until=None,
    )


def _worst(decisions: Iterable[Decision]) -> Decision:
    return max(decisions, key=_RANK.__getitem__, default=Decision.ELIGIBLE)


def _record_reasons(
    record: CreditRecord, as_of: date, rules: EligibilityRules, known_at: datetime | None
) -> list[Reason]:
    if record.kind == "listing":
        found = [_listing_reason(record, as_of, known_at)]
    elif record.kind == "violation":
        if criminal_not_final(record, as_of, known_at):
            return [_criminal_not_final(record, as_of, rules)]
        found = [_ban_reason(record, as_of), _major_reason(record, as_of, rules, known_at)]
        found += penalty_reasons(record, as_of, rules.major_record_lookback_years)
    else:
        return []
    reasons = [r for r in found if r]
    if suspended(record, as_of, known_at):
        return [_suspended(r, record) if r.decision is Decision.INELIGIBLE else r for r in reasons]
    if status_on(record, as_of, known_at) is RecordStatus.UNDER_APPEAL:
        return [_under_appeal(r) for r in reasons]
    return reasons


def _listing_reason(record: CreditRecord, as_of: date, known_at: datetime | None) -> Reason | None:
    """A listing bars through its `valid_until` day; a retraction or repair ends it earlier."""
    expired = record.valid_until is not None and record.valid_until < as_of
    if expired or status_on(record, as_of, known_at) is RecordStatus.REPAIRED:
        return None
    decision, words = _LISTS[record.category]
    return Reason(
        code=f"LISTED_{record.category}",
        decision=decision,
        legal_basis=_LIST_BASIS,
        message=f"The supplier {words} since {record.decided_on.isoformat()}"
        + _by(record)
        + (f", valid until {record.valid_until.isoformat()}." if record.valid_until else "."),
        record_ids=(record.id,),
        until=record.valid_until,
    )


def _ban_reason(record: CreditRecord, as_of: date) -> Reason | None:
    """A ban bars from its first through its last day, whatever its status but an overturn: a
    repair ends its publication, not the penalty. A ban whose end was not recorded is not
    ignored: Law Art. 77 bans last at most 3 years, so for that long (CIVIL-201-202) a
    purchaser must check the decision; one without a recorded start runs from its decision."""
    period = ban_period(record)
    if period is None or not period.start <= as_of <= period.end:
        return None
    if not period.end_recorded:
        return Reason(
            code="BAN_PERIOD_UNKNOWN",
            decision=Decision.REVIEW,
            legal_basis=_BAN_BASIS,
            message=f"Decision {_decision(record)} imposes a procurement ban from "
            f"{period.start.isoformat()} but its end is not recorded; check the decision (a "
            "ban lasts at most 3 years).",
            record_ids=(record.id,),
            until=period.end,
        )
    start = (
        f"from {period.start.isoformat()}"
        if record.ban_start is not None
        else f"from its decision of {period.start.isoformat()} (start not recorded)"
    )
    return Reason(
        code="ACTIVE_PROCUREMENT_BAN",
        decision=Decision.INELIGIBLE,
        legal_basis=_BAN_BASIS,
        message=f"Banned from government procurement {start} to {period.end.isoformat()} "
        f"(both days included) by decision {_decision(record)}.",
        record_ids=(record.id,),
        until=period.end,
    )


def major_record_until(record: CreditRecord, rules: EligibilityRules) -> date:
    """The last day a major record bars (Law Art. 22 "前三年内", counted as CIVIL-201-202: the
    decision day not counted, the period ends on the corresponding day); a ban that has ended
    lifts it earlier (Regs Art. 19 para 2)."""
    until = period_end(record.decided_on, 12 * rules.major_record_lookback_years)
    period = ban_period(record)
    if period is not None and period.end_recorded:
        until = min(until, period.end)
    return until


def _major_reason(
    record: CreditRecord, as_of: date, rules: EligibilityRules, known_at: datetime | None
) -> Reason | None:
    """Regs Art. 19: a major illegal record bars for the 3 years of Law Art. 22, repaired or
    not (a repair ends publication, not the penalty). A fine without a currency is in CNY; one
    in another currency is not compared."""
    grounds = [
        words for penalty, words in _MAJOR_PENALTIES.items() if penalty in record.penalty_types
    ]
    fine, threshold = record.fine_amount, rules.large_fine_threshold
    foreign_fine = fine is not None and record.fine_currency not in (None, "CNY")
    if fine is not None and not foreign_fine and fine >= threshold:
        grounds.append(f"fine of CNY {fine:,} (>= {threshold:,})")
    if not grounds and not foreign_fine:
        return None
    until = major_record_until(record, rules)
    if as_of > until:
        return None
    if not grounds:
        return Reason(
            code="FOREIGN_CURRENCY_FINE",
            decision=Decision.REVIEW,
            legal_basis=_MAJOR_BASIS,
            message=f"Decision {_decision(record)} imposed a fine of {record.fine_currency} "
            f"{fine:,}; check whether it reaches the CNY {threshold:,} of a relatively large fine.",
            record_ids=(record.id,),
            until=until,
        )
    repaired = status_on(record, as_of, known_at) is RecordStatus.REPAIRED
    return Reason(
        code="MAJOR_ILLEGAL_RECORD_WITHIN_3_YEARS",
        decision=Decision.INELIGIBLE,
        legal_basis=_MAJOR_BASIS + ("；" + _REPAIR_BASIS if repaired else ""),
        message=f"Major illegal record ({'; '.join(grounds)}) decided on "
        f"{record.decided_on.isoformat()} by decision {_decision(record)}; it bars "
        f"participation through {until.isoformat()}"
        + (" (the credit repair ended its publication, not the 3-year bar)." if repaired else "."),
        record_ids=(record.id,),
        until=until,
    )


def _criminal_not_final(record: CreditRecord, as_of: date, rules: EligibilityRules) -> Reason:
    """A first-instance criminal judgment under appeal is not yet in force (CPL-259), so it is
    not yet the criminal penalty of Regs Art. 19; the purchaser checks whether it has become
    final since."""
    return Reason(
        code="CRIMINAL_JUDGMENT_NOT_FINAL",
        decision=Decision.REVIEW,
        legal_basis=_CRIMINAL_BASIS,
        message=f"Criminal judgment {_decision(record)} of {record.decided_on.isoformat()} is "
        "under appeal and not yet in legal force, so it is not yet a major illegal record; "
        "check whether it has become final.",
        record_ids=(record.id,),
        until=major_record_until(record, rules),
    )


def _under_appeal(reason: Reason) -> Reason:
    """An appeal does not suspend a decision (ALL-56, ARL-42): the reason stands, and says so."""
    return replace(
        reason,
        legal_basis=reason.legal_basis + "；" + _APPEAL_BASIS,
        message=f"{reason.message} The decision is under appeal; an appeal does not suspend "
        "it and no suspension order is recorded.",
    )


def _suspended(reason: Reason, record: CreditRecord) -> Reason:
    """A recorded suspension order stops the decision's execution while it lasts: the bar is
    not applied, and the purchaser confirms the order still stands."""
    assert record.suspended_on is not None
    lifted = record.suspension_lifted_on
    return replace(
        reason,
        code="DECISION_SUSPENDED",
        decision=Decision.REVIEW,
        legal_basis=reason.legal_basis + "；" + _APPEAL_BASIS,
        message=f"{reason.message} Its execution was suspended by order from "
        f"{record.suspended_on.isoformat()} ({reason.code} would otherwise make the supplier "
        "ineligible): confirm the suspension still stands.",
        until=None if lifted is None else lifted - timedelta(days=1),
    )


def _network_reasons(
    links: Sequence[NetworkLink], as_of: date, policy: Policy, known_at: datetime | None
) -> Iterator[Reason]:
    for hit in network_hits(policy.supplier, links, as_of, known_at):
        if hit.rule.decision is None:
            continue
        until = max(r.ban_end for r in hit.bans if r.ban_end is not None)
        yield Reason(
            code="NETWORK_LINK_TO_BANNED_SUPPLIER",
            decision=Decision(hit.rule.decision),
            legal_basis=_NETWORK_BASIS,
            message=f"{_LINK_WORDS[hit.link.kind]} {hit.link.other_name} ({hit.link.other_id}) "
            f"via {hit.link.via_id}, which is banned from government procurement until "
            f"{until.isoformat()} (policy rule supplier.network.{hit.rule_name}).",
            record_ids=tuple(r.id for r in hit.bans),
            until=until,
        )


_LINK_WORDS = {
    "SHARED_LEGAL_REP": "Shares its legal representative with",
    "SAME_CONTROLLER": "Has the same controller as",
    "CONTROLS": "Controls",
    "CONTROLLED_BY": "Is controlled by",
}


def _consortium_reasons(
    members: Sequence[SupplierFacts], as_of: date, policy: Policy, known_at: datetime | None
) -> Iterator[Reason]:
    for member in members:
        result = assess_supplier(member, as_of, policy, known_at)
        if result.decision is Decision.ELIGIBLE:
            continue
        decisive = [r for r in result.reasons if r.decision is result.decision]
        ends = [r.until for r in decisive]
        ineligible = result.decision is Decision.INELIGIBLE
        yield Reason(
            code="CONSORTIUM_MEMBER_INELIGIBLE" if ineligible else "CONSORTIUM_MEMBER_NEEDS_REVIEW",
            decision=result.decision,
            legal_basis=_CONSORTIUM_BASIS,
            message=f"Consortium member {member.name} "
            f"({member.uscc or member.id.removeprefix('org:')}) "
            + ("is ineligible" if ineligible else "needs review")
            + f": {', '.join(r.code for r in decisive)}.",
            record_ids=tuple(sorted({i for r in decisive for i in r.record_ids})),
            until=None if None in ends else max(d for d in ends if d is not None),
        )


def _decision(record: CreditRecord) -> str:
    return record.decision_number or record.id


def _by(record: CreditRecord) -> str:
    return f" (listed by {record.authority})" if record.authority else ""


# --- composing reasons found elsewhere --------------------------------------------------------


def with_reasons(result: Eligibility, extra: Sequence[Reason]) -> Eligibility:
    """The decision with reasons found outside the records composed in (a lot's participation
    conflicts, open name matches, Administrative Penalty Law Art. 9 penalties): the worst
    reason still decides, and reasons stay in the same order as assess_supplier gives them."""
    if not extra:
        return result
    reasons = sorted(
        [*result.reasons, *extra],
        key=lambda r: (-_RANK[r.decision], r.code, r.record_ids, r.message),
    )
    return replace(result, reasons=tuple(reasons), decision=_worst(r.decision for r in reasons))


# --- Administrative Penalty Law (2021) Art. 9: penalties that restrict the business --------

_APL9_PENALTIES = {
    PenaltyType.QUALIFICATION_LOWERED: "lowered qualification grade (降低资质等级)",
    PenaltyType.RESTRICTED_BUSINESS: "restricted business activities (限制开展生产经营活动)",
    PenaltyType.ORDERED_CLOSURE: "ordered closure (责令关闭)",
    PenaltyType.PRACTICE_BAN: "barred from practice (限制从业)",
}
_APL9_BASIS = text("APL-9-PENALTIES")


def penalty_reasons(record: CreditRecord, as_of: date, lookback_years: int) -> list[Reason]:
    """REVIEW while a penalty of APL Art. 9 items 3-4 that Regs Art. 19 does not name counts:
    from its decision through its recorded period's end or the Law Art. 22 look-back, the
    later. Whether it is "major" or stops the bidder performing is the purchaser's call; a
    repair ends publication, not the penalty."""
    kinds = [words for penalty, words in _APL9_PENALTIES.items() if penalty in record.penalty_types]
    if not kinds or record.kind != "violation" or as_of < record.decided_on:
        return []
    until = period_end(record.decided_on, 12 * lookback_years)
    if record.ban_end is not None:
        until = max(until, record.ban_end)
    if as_of > until:
        return []
    in_force = (
        record.ban_start is not None
        and record.ban_end is not None
        and record.ban_start <= as_of <= record.ban_end
    )
    period = (
        f", in force from {record.ban_start.isoformat()} to {record.ban_end.isoformat()}"
        if in_force and record.ban_start and record.ban_end
        else ""
    )
    return [
        Reason(
            code="RESTRICTING_PENALTY",
            decision=Decision.REVIEW,
            legal_basis=_APL9_BASIS,
            message=f"Decision {_decision(record)} of {record.decided_on.isoformat()} imposed "
            f"{'; '.join(kinds)}{period}; check whether it is a major illegal record or stops "
            f"the supplier performing (counts through {until.isoformat()}).",
            record_ids=(record.id,),
            until=until,
        )
    ]


# --- open name matches on the external lists -------------------------------------------------

_NAME_MATCH_BASIS = text("CAIKU-2016-125-NAME-MATCH")


def name_match_reasons(matches: Sequence[OpenNameMatch]) -> list[Reason]:
    """REVIEW for each open candidate proposing a name-only listing for the supplier: a name
    alone never bars, but a purchaser must not file "checked" while one is undecided."""
    return [
        Reason(
            code=f"OPEN_NAME_MATCH_{m.list}",
            decision=Decision.REVIEW,
            legal_basis=_NAME_MATCH_BASIS,
            message=f"An entry of {m.list} from source {m.source} ({m.authority}, listed "
            f'{m.listed_on}) names "{m.listed_name}", proposed as this supplier by name '
            f"(similarity {m.score:.0f}, candidate {m.candidate}); not yet decided by a "
            "supervisor: verify before accepting the supplier.",
            record_ids=(m.listing, m.candidate),
            until=None,
        )
        for m in sorted(matches, key=lambda m: m.candidate)
    ]


class OpenNameMatch(Protocol):
    """What a reason needs of an open candidate (credit.sync.matching.OpenMatch)."""

    @property
    def candidate(self) -> str: ...
    @property
    def listing(self) -> str: ...
    @property
    def list(self) -> str: ...
    @property
    def listed_name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def authority(self) -> str: ...
    @property
    def listed_on(self) -> str: ...
    @property
    def score(self) -> float: ...
