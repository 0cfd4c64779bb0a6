""" "Double random, one public" (双随机、一公开) inspection plans: random targets drawn with
risk weights under a coverage floor, random inspectors without conflicts, reproducible from
the plan's seed.

Algorithm (version 1), recomputable from the published plan:

* Targets. An agency never inspected, or whose last inspection would be `coverage_years` old
  before the plan period ends, is forced in (coverage floor); one inspected less than
  `min_gap_months` ago is left out (gap). The remaining places of each kind are filled by
  weighted sampling without replacement (Efraimidis-Spirakis): each candidate gets the key
  ln(u) / weight, u = (int(HMAC-SHA256(seed, "target\\n" + uid)) + 1) / (2^256 + 1), and the
  largest keys win, so each candidate's chance of being first is weight / total weight.
* Inspectors. For each target, the non-conflicted inspectors ranked by
  HMAC-SHA256(seed, "inspector\\n" + target + "\\n" + inspector), lowest first.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credit.oversight.conflicts import Exclusion, PersonFacts, Procurement, exclusions
from credit.standing.scoring import shift_months

ALGORITHM = "ES-HMAC-SHA256-v1"


@dataclass(frozen=True)
class RiskWeights:
    """How much each risk signal adds to a target's base weight of 1."""

    grade: dict[str, Decimal]
    open_flag: Decimal
    confirmed_flag: Decimal
    complaint: Decimal
    per_year_uninspected: Decimal
    max_years_counted: int


@dataclass(frozen=True)
class PlanRules:
    agencies: int
    suppliers: int
    inspectors_per_target: int
    coverage_years: int
    min_gap_months: int
    plan_months: int
    weights: RiskWeights


@dataclass(frozen=True)
class Candidate:
    uid: str
    kind: str  # "agency" or "supplier"
    grade: str | None = None
    open_flags: int = 0
    confirmed_flags: int = 0
    complaints: int = 0
    last_inspected: date | None = None


@dataclass(frozen=True)
class PlannedTarget:
    uid: str
    kind: str
    weight: Decimal
    forced: bool
    inspectors: tuple[str, ...]
    excluded_inspectors: tuple[Exclusion, ...]


@dataclass(frozen=True)
class Plan:
    seed: str
    as_of: date
    targets: tuple[PlannedTarget, ...]
    skipped_for_gap: tuple[str, ...]


def weight(c: Candidate, as_of: date, w: RiskWeights) -> Decimal:
    years = w.max_years_counted
    if c.last_inspected is not None:
        years = min(years, (as_of - c.last_inspected).days // 365)
    return (
        Decimal(1)
        + w.grade.get(c.grade or "", Decimal(0))
        + w.open_flag * c.open_flags
        + w.confirmed_flag * c.confirmed_flags
        + w.complaint * c.complaints
        + w.per_year_uninspected * years
    )


def _mac(seed: str, message: str) -> bytes:
    return hmac.new(bytes.fromhex(seed), message.encode(), hashlib.sha256).digest()


def _key(seed: str, uid: str, w: Decimal) -> float:
    u = (int.from_bytes(_mac(seed, f"target\n{uid}"), "big") + 1) / (2**256 + 1)
    return math.log(u) / float(w)


def weighted_sample(seed: str, weights: dict[str, Decimal], k: int) -> list[str]:
    """k distinct uids, weighted, reproducible from the seed (largest key first)."""
    keyed = sorted(weights, key=lambda uid: (-_key(seed, uid, weights[uid]), uid))
    return keyed[:k]


def forced(c: Candidate, as_of: date, rules: PlanRules) -> bool:
    if c.kind != "agency":
        return False
    if c.last_inspected is None:
        return True
    return shift_months(c.last_inspected, 12 * rules.coverage_years - rules.plan_months) <= as_of


def too_recent(c: Candidate, as_of: date, rules: PlanRules) -> bool:
    return c.last_inspected is not None and as_of < shift_months(
        c.last_inspected, rules.min_gap_months
    )


def assign_inspectors(
    seed: str, target: str, inspectors: Sequence[PersonFacts], k: int, as_of: date
) -> tuple[tuple[str, ...], tuple[Exclusion, ...]]:
    proc = Procurement(bidders=frozenset({target}), own_units=frozenset())
    free, barred = [], []
    for person in inspectors:
        found = exclusions(person, proc, as_of)
        barred.extend(found)
        if not found:
            free.append(person.uid)
    ranked = sorted(free, key=lambda uid: (_mac(seed, f"inspector\n{target}\n{uid}"), uid))
    return tuple(ranked[:k]), tuple(barred)


def make_plan(
    seed: str,
    as_of: date,
    candidates: Sequence[Candidate],
    inspectors: Sequence[PersonFacts],
    rules: PlanRules,
) -> Plan:
    """Draw the plan; the same inputs and seed always give the same plan."""
    if rules.min_gap_months > 12 * rules.coverage_years - rules.plan_months:
        raise ValueError("min_gap_months leaves no room to meet the coverage floor")
    chosen: list[tuple[Candidate, bool]] = []
    skipped = sorted(c.uid for c in candidates if too_recent(c, as_of, rules))
    for kind, places in (("agency", rules.agencies), ("supplier", rules.suppliers)):
        pool = [c for c in candidates if c.kind == kind and c.uid not in skipped]
        must = sorted((c for c in pool if forced(c, as_of, rules)), key=lambda c: c.uid)
        rest = {c.uid: weight(c, as_of, rules.weights) for c in pool if c not in must}
        picked = set(weighted_sample(seed, rest, max(0, places - len(must))))
        chosen += [(c, True) for c in must]
        chosen += [(c, False) for c in pool if c.uid in picked]
    targets = []
    for c, is_forced in sorted(chosen, key=lambda x: (x[0].kind, x[0].uid)):
        names, barred = assign_inspectors(
            seed, c.uid, inspectors, rules.inspectors_per_target, as_of
        )
        targets.append(
            PlannedTarget(c.uid, c.kind, weight(c, as_of, rules.weights), is_forced, names, barred)
        )
    return Plan(seed, as_of, tuple(targets), tuple(skipped))
