"""Who may not review (or inspect) whom: Implementing Regulations Art. 9 recusal, review bans
and the reviewer's own unit, as pure functions over facts read from the graph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.domain.records import PenaltyType
from credit.scoring import CreditRecord, known, shift_months, withdrawn

RECUSAL_YEARS = 3

_EXPERT_RULES = "《政府采购评审专家管理办法》（财库〔2016〕198号）第十六条"
ART9_TIES = f"《政府采购法实施条例》第九条第一款第（一）项；{_EXPERT_RULES}"
ART9_KIN = f"《政府采购法实施条例》第九条第一款第（二）项；{_EXPERT_RULES}"
REVIEW_BAN_BASIS = "《政府采购法实施条例》第七十五条：禁止参加政府采购评审活动"
OWN_UNIT_BASIS = (
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十八条："
    "不得以评审专家身份参加本单位采购项目的评审"
)

# Ties to an organisation that bar a reviewer when they point at a bidder within 3 years.
_TIE_CODES = {
    "EMPLOYED_BY": "EMPLOYED_BY_BIDDER",
    "WORKS_FOR": "EMPLOYED_BY_BIDDER",
    "DIRECTOR_OF": "DIRECTOR_OF_BIDDER",
    "SUPERVISOR_OF": "SUPERVISOR_OF_BIDDER",
    "CONTROLS": "CONTROLS_BIDDER",
    "OWNS": "CONTROLS_BIDDER",
}
_EMPLOYMENT = frozenset({"EMPLOYED_BY", "WORKS_FOR"})


@dataclass(frozen=True)
class OrgTie:
    """A person's tie to an organisation (`WORKS_FOR` is an expert profile's employer)."""

    kind: str
    org: str
    valid_from: date | None = None
    valid_to: date | None = None
    share: Decimal | None = None


@dataclass(frozen=True)
class KinTie:
    """Kinship with a person who is the legal representative or responsible person of `org`."""

    relative: str
    org: str


@dataclass(frozen=True)
class PersonFacts:
    uid: str
    ties: tuple[OrgTie, ...] = ()
    kin: tuple[KinTie, ...] = ()
    records: tuple[CreditRecord, ...] = ()


@dataclass(frozen=True)
class Procurement:
    """The parties a reviewer must be independent of."""

    bidders: frozenset[str]
    own_units: frozenset[str]  # the purchaser and the agency of the lot


@dataclass(frozen=True)
class Exclusion:
    person: str
    code: str
    legal_basis: str
    detail: str
    refs: tuple[str, ...]


def _within(tie: OrgTie, as_of: date, years: int) -> bool:
    """In force on some day of the `years` before `as_of` (both ends included)."""
    start = shift_months(as_of, -12 * years)
    begun = tie.valid_from is None or tie.valid_from <= as_of
    ended_before = tie.valid_to is not None and tie.valid_to < start
    return begun and not ended_before


def review_ban_in_force(record: CreditRecord, as_of: date) -> bool:
    """A known, not overturned review ban covering `as_of`."""
    return (
        PenaltyType.REVIEW_BAN in record.penalty_types
        and record.ban_start is not None
        and record.ban_end is not None
        and record.ban_start <= as_of <= record.ban_end
        and known(record, as_of)
        and not withdrawn(record, as_of)
    )


def exclusions(person: PersonFacts, proc: Procurement, as_of: date) -> list[Exclusion]:
    """Every reason this person must not review the procurement, each with its basis."""
    found: list[Exclusion] = []
    for tie in person.ties:
        controlling = tie.kind != "OWNS" or (tie.share is not None and tie.share > Decimal("0.5"))
        to_bidder = tie.org in proc.bidders and tie.kind in _TIE_CODES and controlling
        if to_bidder and _within(tie, as_of, RECUSAL_YEARS):
            found.append(
                Exclusion(
                    person.uid,
                    _TIE_CODES[tie.kind],
                    ART9_TIES,
                    f"{tie.kind} {tie.org} within {RECUSAL_YEARS} years",
                    (tie.org,),
                )
            )
        if tie.org in proc.own_units and tie.kind in _EMPLOYMENT and _within(tie, as_of, 0):
            found.append(
                Exclusion(
                    person.uid, "OWN_UNIT", OWN_UNIT_BASIS, f"works for {tie.org}", (tie.org,)
                )
            )
    for kin in person.kin:
        if kin.org in proc.bidders:
            found.append(
                Exclusion(
                    person.uid,
                    "RELATIVE_OF_BIDDER_REP",
                    ART9_KIN,
                    f"relative of the legal representative or responsible person of {kin.org}",
                    (kin.relative, kin.org),
                )
            )
    for record in person.records:
        if review_ban_in_force(record, as_of):
            found.append(
                Exclusion(
                    person.uid,
                    "REVIEW_BAN",
                    REVIEW_BAN_BASIS,
                    f"review ban until {record.ban_end}",
                    (record.id,),
                )
            )
    return sorted(set(found), key=lambda e: (e.code, e.refs))


def split(
    people: Iterable[PersonFacts], proc: Procurement, as_of: date
) -> tuple[list[str], list[Exclusion]]:
    """The eligible uids (sorted) and the exclusions of everyone else."""
    eligible, excluded = [], []
    for person in people:
        reasons = exclusions(person, proc, as_of)
        if reasons:
            excluded.extend(reasons)
        else:
            eligible.append(person.uid)
    return sorted(eligible), sorted(excluded, key=lambda e: (e.person, e.code, e.refs))
