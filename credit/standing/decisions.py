"""One decision counts once: a penalty decision, the list entry it caused (a GP serious
dishonesty listing citing the decision) and the complaint decided by it share one decision
number; eligibility gives them one reason naming every record, scores one contribution noting
the others (POLICY-SAME-DECISION, in the spirit of Administrative Penalty Law Art. 29).

Pure: records are linked by their normalised decision number (a violation's decision number,
a listing's reference, a complaint's decision number) and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: eligibility and scoring import this module
    from credit.standing.eligibility import Reason
    from credit.standing.scoring import Contribution, CreditRecord

_SPACE = re.compile(r"\s+")


def decision_key(number: str) -> str:
    """Full-width to half-width, no spaces, brackets unified: 〔2025〕 and [2025] are one."""
    text = unicodedata.normalize("NFKC", number).strip()
    text = text.translate(str.maketrans("〔〕【】［］()（）", "[][][][][]"))
    return _SPACE.sub("", text).upper()


def same_decision(records: Iterable[CreditRecord]) -> dict[str, tuple[str, ...]]:
    """Record id -> the ids of every record of its decision, for decisions that reach the
    subject as records of two or more kinds (a penalty and a listing, a complaint outcome).
    Two penalty records under one number are left apart: they are two entries to correct at
    their source, not a listing caused by a penalty."""
    groups: dict[str, list[CreditRecord]] = defaultdict(list)
    for record in records:
        key = decision_key(record.decision_number) if record.decision_number else ""
        if key:
            groups[key].append(record)
    return {
        r.id: tuple(sorted({x.id for x in group}))
        for group in groups.values()
        if len({x.kind for x in group}) > 1
        for r in group
    }


def reasons_once(reasons: Sequence[Reason], records: Iterable[CreditRecord]) -> list[Reason]:
    """Reasons (worst first) with each decision's reasons folded into the first, worst one:
    reasons of the other records of the same decision are dropped and their records named."""
    groups = same_decision(records)
    if not groups:
        return list(reasons)
    lead: dict[tuple[str, ...], str] = {}  # decision -> the record whose reasons stand
    kept: list[Reason] = []
    named: set[tuple[str, ...]] = set()
    for reason in reasons:
        (rid,) = reason.record_ids if len(reason.record_ids) == 1 else ("",)
        group = groups.get(rid)
        if group is None:
            kept.append(reason)
            continue
        if lead.setdefault(group, rid) != rid:
            continue  # the same decision, counted in the lead record's reason
        if group in named:
            kept.append(reason)
            continue
        named.add(group)
        others = [i for i in group if i != rid]
        kept.append(
            replace(
                reason,
                record_ids=group,
                message=f"{reason.message} The same decision is also recorded as "
                f"{', '.join(others)}; it counts once.",
            )
        )
    return kept


def contributions_once(
    contributions: Sequence[Contribution], records: Iterable[CreditRecord]
) -> list[Contribution]:
    """One contribution per decision: the largest in size stands, naming the others."""
    groups = same_decision(records)
    if not groups:
        return list(contributions)
    best: dict[tuple[str, ...], Contribution] = {}
    for c in contributions:
        group = groups.get(c.record_id)
        if group is not None and (group not in best or _size(c) > _size(best[group])):
            best[group] = c
    found = []
    for c in contributions:
        group = groups.get(c.record_id)
        if group is None:
            found.append(c)
        elif best[group] is c:
            others = [i for i in group if i != c.record_id]
            found.append(
                replace(
                    c,
                    reason=f"{c.reason}; same decision as {', '.join(others)}, counted once",
                )
            )
    return found


def _size(c: Contribution) -> Decimal:
    return abs(c.points)
