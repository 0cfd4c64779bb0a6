"""Who may not review (or inspect) whom: Implementing Regulations Art. 9 recusal, review bans,
bad-behaviour records and the reviewer's own unit, as pure functions over facts from the graph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.domain.periods import window_first_day
from credit.domain.records import PenaltyType, ViolationCategory
from credit.legal import text
from credit.standing.scoring import CreditRecord, withdrawn

RECUSAL_YEARS = 3
CONTROL_SHARE = Decimal("0.5")  # a controlling shareholder holds more than half

_EXPERT_RULES = "CAIKU-2016-198-16"
REVIEW_BAN_BASIS = text("REGS-75-REVIEW-BAN")
BAD_BEHAVIOUR_BASIS = text("CAIKU-2016-198-29")
OWN_UNIT_BASIS = (
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十八条："
    "不得以评审专家身份参加本单位采购项目的评审"
)

# Ties to an organisation that bar a reviewer when they point at a bidder within 3 years:
# (exclusion code, Regs Art. 9 para 1 item).
_TIE_CODES = {
    "EMPLOYED_BY": ("EMPLOYED_BY_BIDDER", "REGS-9-1-1"),
    "WORKS_FOR": ("EMPLOYED_BY_BIDDER", "REGS-9-1-1"),
    "DIRECTOR_OF": ("DIRECTOR_OF_BIDDER", "REGS-9-1-2"),
    "SUPERVISOR_OF": ("SUPERVISOR_OF_BIDDER", "REGS-9-1-2"),
    "CONTROLS": ("CONTROLS_BIDDER", "REGS-9-1-3"),
    "OWNS": ("CONTROLS_BIDDER", "REGS-9-1-3"),
}
_EMPLOYMENT = frozenset({"EMPLOYED_BY", "WORKS_FOR"})

# Caiku [2016] No. 198 Art. 29: the expert misconduct that puts an expert on the bad-behaviour
# record, by the item that names it.
BAD_BEHAVIOUR_ITEMS = {
    ViolationCategory.EXPERT_IRREGULAR_REVIEW: 1,
    ViolationCategory.EXPERT_LEAKED_INFORMATION: 2,
    ViolationCategory.EXPERT_FAILED_RECUSAL: 3,
    ViolationCategory.EXPERT_SOLICITED_BENEFITS: 4,
}


def basis(*ids: str) -> str:
    return text(*ids, _EXPERT_RULES)


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
    """In force on some day from the window's first day to `as_of`, both included: a tie
    that starts on the check day counts, one that ended on the window's first day still does."""
    begun = tie.valid_from is None or tie.valid_from <= as_of
    ended_before = tie.valid_to is not None and tie.valid_to < window_first_day(as_of, years)
    return begun and not ended_before


def review_ban_in_force(record: CreditRecord, as_of: date) -> bool:
    """A review ban covering `as_of`: from its start (or the decision) until its end, or, with
    no end recorded, until it is lifted (Regs Art. 75 sets no term). Overturned or retracted
    bans count for nothing; a repair ends publication, not the ban."""
    start = record.ban_start or record.decided_on
    return (
        PenaltyType.REVIEW_BAN in record.penalty_types
        and record.decided_on <= as_of
        and start <= as_of
        and (record.ban_end is None or as_of <= record.ban_end)
        and not withdrawn(record, as_of)
    )


def bad_behaviour_item(record: CreditRecord, as_of: date) -> int | None:
    """The Caiku [2016] No. 198 Art. 29 item of a standing expert-misconduct record decided by
    `as_of`: the expert is dismissed from the pool (Art. 10 item 3) until it is overturned."""
    if record.kind != "violation" or record.decided_on > as_of or withdrawn(record, as_of):
        return None
    return BAD_BEHAVIOUR_ITEMS.get(ViolationCategory(record.category))


def _tie_exclusion(person: str, tie: OrgTie, proc: Procurement, as_of: date) -> Exclusion | None:
    """Regs Art. 9 items 1-3 within 3 years; a shareholding of half or less, or of unrecorded
    size, in a current bidder is item 5 (another relation that could affect fairness)."""
    if tie.org not in proc.bidders or tie.kind not in _TIE_CODES:
        return None
    if tie.kind == "OWNS" and (tie.share is None or tie.share <= CONTROL_SHARE):
        if not _within(tie, as_of, 0):
            return None
        held = "unrecorded" if tie.share is None else f"{tie.share:%}"
        return Exclusion(
            person,
            "SHAREHOLDER_OF_BIDDER",
            basis("REGS-9-1-5"),
            f"holds a share ({held}) of {tie.org}",
            (tie.org,),
        )
    if not _within(tie, as_of, RECUSAL_YEARS):
        return None
    code, item = _TIE_CODES[tie.kind]
    first = window_first_day(as_of, RECUSAL_YEARS)
    return Exclusion(
        person,
        code,
        basis(item),
        f"{tie.kind} {tie.org} between {first} and {as_of}",
        (tie.org,),
    )


def exclusions(person: PersonFacts, proc: Procurement, as_of: date) -> list[Exclusion]:
    """Every reason this person must not review the procurement, each with its basis."""
    found: list[Exclusion] = []
    for tie in person.ties:
        conflict = _tie_exclusion(person.uid, tie, proc, as_of)
        if conflict is not None:
            found.append(conflict)
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
                    basis("REGS-9-1-4"),
                    f"relative of the legal representative or responsible person of {kin.org}",
                    (kin.relative, kin.org),
                )
            )
    for record in person.records:
        if review_ban_in_force(record, as_of):
            until = f"until {record.ban_end}" if record.ban_end else "until lifted (no end set)"
            found.append(
                Exclusion(
                    person.uid,
                    "REVIEW_BAN",
                    REVIEW_BAN_BASIS,
                    f"review ban {until}",
                    (record.id,),
                )
            )
        item = bad_behaviour_item(record, as_of)
        if item is not None:
            found.append(
                Exclusion(
                    person.uid,
                    "BAD_BEHAVIOUR_RECORD",
                    BAD_BEHAVIOUR_BASIS,
                    f"bad-behaviour record {record.category} of {record.decided_on} "
                    f"(Caiku [2016] No. 198 Art. 29 item {item}): dismissed from the pool",
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
