"""Who may not take part in the same lot: Implementing Regulations Art. 18 and Art. 22 para 2.

The one rule for these bars, pure (no I/O): the lot check, the single check with a lot and
the detectors SAME_CONTROLLER, DIRECT_HOLDING and COMMON_CONTROLLER all call `conflicts`.

- Art. 18 para 1: two bids whose parties (the bidder or a consortium member) have the same
  responsible person, or where one party directly holds or manages the other, conflict. Found
  at qualification review, every such bid is invalid (REGS-18-1-INVALID), so each affected
  bidder is INELIGIBLE for this lot and is named with the party and the tie behind it.
- A holding of unrecorded size is REVIEW: Company Law Art. 265 makes "more than 50%" the
  controlling share, and less may still control, so it is checked, not presumed.
- Art. 18 para 2: a party that gave overall design, specification, project management,
  supervision or testing services for the project makes its bid INELIGIBLE (single-source
  procurement excepted).
- Art. 22 para 2: a consortium member that also bids alone or in another consortium for the
  same lot makes every bid it is in INELIGIBLE.
- A common actual controller (a person or company that CONTROLS, or holds a majority of, both)
  with different responsible persons is not Art. 18: REVIEW under the policy's own basis
  (POLICY-COMMON-CONTROLLER), a lead towards Regs Art. 74 item 5.

Ties are given per party, pointing at it (`Tie.target` is the party) and already filtered to
those in force on the lot's day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from credit.detection.facts import Tie
from credit.legal import text
from credit.standing.eligibility import Decision, Reason

ConflictCode = Literal[
    "SAME_RESPONSIBLE_PERSON",
    "DIRECT_HOLDING_OR_MANAGEMENT",
    "HOLDING_SHARE_NOT_RECORDED",
    "PRIOR_PROJECT_SERVICE",
    "CONSORTIUM_MEMBER_BIDS_TWICE",
    "COMMON_CONTROLLER",
]

RESPONSIBLE = frozenset({"LEGAL_REP_OF", "RESPONSIBLE_FOR"})
HOLDING = frozenset({"OWNS", "CONTROLS", "MANAGES"})
CONTROL = frozenset({"OWNS", "CONTROLS"})
MIN_SHARE = 0.5  # Company Law Art. 265: a controlling share is MORE than half

_BASIS: dict[str, str] = {
    "SAME_RESPONSIBLE_PERSON": text("REGS-18-1-INVALID"),
    "DIRECT_HOLDING_OR_MANAGEMENT": text("REGS-18-1-INVALID"),
    "HOLDING_SHARE_NOT_RECORDED": text("REGS-18-1", "COMPANY-265-CONTROL"),
    "PRIOR_PROJECT_SERVICE": text("REGS-18-2"),
    "CONSORTIUM_MEMBER_BIDS_TWICE": text("REGS-22-2-CONSORTIUM"),
    "COMMON_CONTROLLER": text("POLICY-COMMON-CONTROLLER"),
}
_DECISION: dict[str, Decision] = {
    "SAME_RESPONSIBLE_PERSON": Decision.INELIGIBLE,
    "DIRECT_HOLDING_OR_MANAGEMENT": Decision.INELIGIBLE,
    "HOLDING_SHARE_NOT_RECORDED": Decision.REVIEW,
    "PRIOR_PROJECT_SERVICE": Decision.INELIGIBLE,
    "CONSORTIUM_MEMBER_BIDS_TWICE": Decision.INELIGIBLE,
    "COMMON_CONTROLLER": Decision.REVIEW,
}
_WORDS: dict[str, str] = {
    "SAME_RESPONSIBLE_PERSON": "has the same responsible person or legal representative as",
    "DIRECT_HOLDING_OR_MANAGEMENT": "is in a direct holding or management relationship with",
    "HOLDING_SHARE_NOT_RECORDED": "is held by, or holds, with no share recorded,",
    "PRIOR_PROJECT_SERVICE": "provided services for this project",
    "CONSORTIUM_MEMBER_BIDS_TWICE": "shares a consortium member with",
    "COMMON_CONTROLLER": "has the same actual controller, but not the same responsible person, as",
}
_OUTCOME: dict[str, str] = {
    "SAME_RESPONSIBLE_PERSON": "they may not take part in the same lot; found after bidding, "
    "every such bid is invalid (before bidding, only one of them may bid)",
    "DIRECT_HOLDING_OR_MANAGEMENT": "they may not take part in the same lot; found after "
    "bidding, every such bid is invalid (before bidding, only one of them may bid)",
    "HOLDING_SHARE_NOT_RECORDED": "check whether the holding is controlling (more than 50%, or "
    "voting rights that sway the shareholders' meeting)",
    "PRIOR_PROJECT_SERVICE": "it may not take part in the project's other procurement",
    "CONSORTIUM_MEMBER_BIDS_TWICE": "a consortium member may not also bid alone or in another "
    "consortium for the same lot; the bids concerned are invalid",
    "COMMON_CONTROLLER": "this is not Regs Art. 18; check that they do not bid in concert on "
    "the controller's instruction (Regs Art. 74 item 5)",
}


@dataclass(frozen=True)
class Bidder:
    """One bid of the lot: the supplier that submitted it and its consortium members."""

    bid: str
    supplier: str
    members: tuple[str, ...] = ()

    @property
    def parties(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.supplier, *self.members)))


@dataclass(frozen=True)
class Affected:
    """A bidder a conflict bars or sends to review, and the party of its bid (itself or a
    consortium member) through which."""

    supplier: str
    bid: str
    party: str


@dataclass(frozen=True)
class Conflict:
    code: ConflictCode
    decision: Decision
    supplier_ids: tuple[str, ...]  # the bidders affected, sorted
    via: tuple[str, ...]  # the persons, companies or services that tie them
    legal_basis: str
    message: str
    affected: tuple[Affected, ...]
    ties: tuple[Tie, ...] = ()  # the evidence (empty for services and double bids)


_Add = Callable[[ConflictCode, Iterable[Affected], Iterable[str], Iterable[Tie]], None]


def conflicts(
    bidders: Sequence[Bidder],
    ties: Mapping[str, Sequence[Tie]],
    services: Mapping[str, Sequence[str]] | None = None,
    *,
    single_source: bool = False,
    min_share: float = MIN_SHARE,
) -> list[Conflict]:
    """Every conflict among the bids of one lot, each once, sorted."""
    found: dict[tuple[str, frozenset[Affected]], _Draft] = {}

    def add(
        code: ConflictCode, who: Iterable[Affected], via: Iterable[str], ev: Iterable[Tie]
    ) -> None:
        key = (code, frozenset(who))
        draft = found.setdefault(key, _Draft(code, key[1]))
        draft.via.update(via)
        draft.ties.update(ev)

    ordered = sorted(bidders, key=lambda b: (b.supplier, b.bid))
    for a, b in combinations(ordered, 2):
        if a.supplier == b.supplier and not a.members and not b.members:
            continue  # one supplier's second bid: not two suppliers
        for party in sorted(set(a.parties) & set(b.parties)):
            add(
                "CONSORTIUM_MEMBER_BIDS_TWICE",
                (Affected(a.supplier, a.bid, party), Affected(b.supplier, b.bid, party)),
                (party,),
                (),
            )
        for pa in a.parties:
            for pb in b.parties:
                if pa == pb:
                    continue
                who = (Affected(a.supplier, a.bid, pa), Affected(b.supplier, b.bid, pb))
                _pair(add, who, ties.get(pa, ()), ties.get(pb, ()), min_share)
    if not single_source:
        for bidder in ordered:
            for party in bidder.parties:
                provided = sorted(set((services or {}).get(party, ())))
                if provided:
                    add(
                        "PRIOR_PROJECT_SERVICE",
                        (Affected(bidder.supplier, bidder.bid, party),),
                        provided,
                        (),
                    )
    return sorted(
        (d.conflict() for d in found.values()),
        key=lambda c: (c.code, c.supplier_ids, c.via, c.affected),
    )


def _pair(
    add: _Add,
    who: tuple[Affected, Affected],
    ties_a: Sequence[Tie],
    ties_b: Sequence[Tie],
    min_share: float,
) -> None:
    pa, pb = who[0].party, who[1].party
    heads_a, heads_b = _heads(ties_a), _heads(ties_b)
    shared = sorted(heads_a.keys() & heads_b.keys())
    if shared:
        add(
            "SAME_RESPONSIBLE_PERSON",
            who,
            shared,
            [t for p in shared for t in (*heads_a[p], *heads_b[p])],
        )
    for holder, held_ties in ((pa, ties_b), (pb, ties_a)):
        for tie in held_ties:
            if tie.person or tie.source != holder or tie.type not in HOLDING:
                continue
            if tie.type != "OWNS" or (tie.share is not None and tie.share > min_share):
                add("DIRECT_HOLDING_OR_MANAGEMENT", who, (holder,), (tie,))
            elif tie.share is None:
                add("HOLDING_SHARE_NOT_RECORDED", who, (holder,), (tie,))
    if shared:
        return  # the same responsible person: Art. 18 already names them
    ctl_a, ctl_b = _controllers(ties_a, min_share), _controllers(ties_b, min_share)
    common = sorted((ctl_a.keys() & ctl_b.keys()) - {pa, pb})
    if common:
        add("COMMON_CONTROLLER", who, common, [t for c in common for t in (*ctl_a[c], *ctl_b[c])])


def _heads(ties: Sequence[Tie]) -> dict[str, list[Tie]]:
    found: dict[str, list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.person and tie.type in RESPONSIBLE:
            found[tie.source].append(tie)
    return found


def _controllers(ties: Sequence[Tie], min_share: float) -> dict[str, list[Tie]]:
    found: dict[str, list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.type in CONTROL and (tie.type != "OWNS" or (tie.share or 0) > min_share):
            found[tie.source].append(tie)
    return found


class _Draft:
    def __init__(self, code: ConflictCode, who: frozenset[Affected]) -> None:
        self.code = code
        self.who = who
        self.via: set[str] = set()
        self.ties: set[Tie] = set()

    def conflict(self) -> Conflict:
        affected = tuple(sorted(self.who, key=lambda x: (x.supplier, x.bid, x.party)))
        suppliers = tuple(sorted({x.supplier for x in affected}))
        via = tuple(sorted(self.via))
        return Conflict(
            code=self.code,
            decision=_DECISION[self.code],
            supplier_ids=suppliers,
            via=via,
            legal_basis=_BASIS[self.code],
            message=_message(self.code, affected, via),
            affected=affected,
            ties=tuple(sorted(self.ties, key=_tie_key)),
        )


def _tie_key(t: Tie) -> tuple[str, str, str, str]:
    return (t.type, t.source, t.target, t.uid or "")


def _who(x: Affected) -> str:
    return x.supplier if x.party == x.supplier else f"{x.supplier} (consortium member {x.party})"


def _message(code: str, affected: Sequence[Affected], via: Sequence[str]) -> str:
    if code == "PRIOR_PROJECT_SERVICE":
        return f"{_who(affected[0])} {_WORDS[code]} ({', '.join(via)}); {_OUTCOME[code]}."
    first, *rest = affected
    others = ", ".join(_who(x) for x in rest) or first.supplier
    return f"{_who(first)} {_WORDS[code]} {others} (via {', '.join(via)}); {_OUTCOME[code]}."


def reasons_for(found: Sequence[Conflict], supplier: str) -> list[Reason]:
    """The conflicts that affect one bidder, as reasons of its own decision: each names the
    other bidders, the party it is affected through and the tie or service behind it."""
    reasons = []
    for c in found:
        mine = [x for x in c.affected if x.supplier == supplier]
        if not mine:
            continue
        others = sorted({x.bid for x in c.affected if x.supplier != supplier})
        tie_ids = sorted({t.uid for t in c.ties if t.uid})
        reasons.append(
            Reason(
                code=c.code,
                decision=c.decision,
                legal_basis=c.legal_basis,
                message=_reason_message(c, mine[0], supplier),
                record_ids=tuple([*others, *tie_ids]),
                until=None,
            )
        )
    return reasons


def _reason_message(c: Conflict, mine: Affected, supplier: str) -> str:
    through = "" if mine.party == supplier else f" through consortium member {mine.party}"
    others = [_who(x) for x in c.affected if x.supplier != supplier]
    if c.code == "PRIOR_PROJECT_SERVICE":
        return f"This bidder{through} {_WORDS[c.code]} ({', '.join(c.via)}); {_OUTCOME[c.code]}."
    if not others:  # the same supplier in two bids of its own (a consortium and alone)
        others = [f"its other bid {x.bid}" for x in c.affected if x.bid != mine.bid]
    return (
        f"This bidder{through} {_WORDS[c.code]} {', '.join(others)} (via {', '.join(c.via)}); "
        f"{_OUTCOME[c.code]}."
    )
