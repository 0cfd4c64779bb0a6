"""Double-random, one-public inspection plans: coverage floor, gap, reproducibility, weights."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import date
from decimal import Decimal

from credit.oversight.config import load_plan_rules
from credit.oversight.conflicts import OrgTie, PersonFacts
from credit.oversight.inspections import Candidate, make_plan, weight, weighted_sample

AS_OF = date(2026, 6, 1)
RULES = load_plan_rules()  # 3 agencies, 3 suppliers, 3-year floor, 12-month gap, 12-month plan
SEED = "5e" * 32
INSPECTORS = [PersonFacts(f"person:i{i}") for i in range(4)]


def _agencies() -> list[Candidate]:
    return [
        Candidate("org:a-never", "agency"),
        Candidate("org:a-old", "agency", last_inspected=date(2024, 3, 1)),  # due before 2027-03
        Candidate("org:a-recent", "agency", grade="D", last_inspected=date(2025, 9, 1)),
        *[Candidate(f"org:a{i}", "agency", last_inspected=date(2025, 1, 1)) for i in range(5)],
    ]


def _suppliers() -> list[Candidate]:
    return [Candidate(f"org:s{i}", "supplier", grade="B") for i in range(8)]


def test_the_coverage_floor_forces_agencies_due_and_the_gap_keeps_recent_ones_out() -> None:
    plan = make_plan(SEED, AS_OF, [*_agencies(), *_suppliers()], INSPECTORS, RULES)
    targets = {t.uid: t for t in plan.targets}
    assert targets["org:a-never"].forced and targets["org:a-old"].forced
    assert "org:a-recent" not in targets
    assert "org:a-recent" in plan.skipped_for_gap
    assert sum(t.kind == "agency" for t in plan.targets) == RULES.agencies
    assert sum(t.kind == "supplier" for t in plan.targets) == RULES.suppliers
    assert all(len(t.inspectors) == RULES.inspectors_per_target for t in plan.targets)


def test_every_agency_is_inspected_within_the_floor_and_never_twice_within_the_gap() -> None:
    """Ten yearly plans over a market of agencies: every agency's inspections are at most
    coverage_years apart, and never closer than min_gap_months."""
    last: dict[str, date | None] = {f"org:a{i}": None for i in range(9)}
    history: dict[str, list[date]] = {uid: [] for uid in last}
    for year in range(2026, 2036):
        day = date(year, 1, 15)
        found = [Candidate(uid, "agency", last_inspected=at) for uid, at in last.items()]
        plan = make_plan(f"{year:064x}", day, found, INSPECTORS, RULES)
        for t in plan.targets:
            last[t.uid] = day
            history[t.uid].append(day)
    for uid, days in history.items():
        stops = [date(2026, 1, 15), *days, date(2036, 1, 15)]
        gaps = [(b - a).days for a, b in itertools.pairwise(stops)]
        assert max(gaps) <= 365 * RULES.coverage_years + 1, uid
        assert all((b - a).days >= 365 for a, b in itertools.pairwise(days)), uid


def test_a_plan_is_reproducible_from_its_seed() -> None:
    found = [*_agencies(), *_suppliers()]
    assert make_plan(SEED, AS_OF, found, INSPECTORS, RULES) == make_plan(
        SEED, AS_OF, found, INSPECTORS, RULES
    )
    other = make_plan("00" * 32, AS_OF, found, INSPECTORS, RULES)
    assert other != make_plan(SEED, AS_OF, found, INSPECTORS, RULES)


def test_conflicted_inspectors_are_never_drawn() -> None:
    tied = PersonFacts("person:i9", ties=(OrgTie("EMPLOYED_BY", "org:a-never"),))
    rules = dataclasses.replace(RULES, inspectors_per_target=4)
    plan = make_plan(SEED, AS_OF, _agencies(), [*INSPECTORS, tied], rules)
    target = next(t for t in plan.targets if t.uid == "org:a-never")
    assert "person:i9" not in target.inspectors
    assert [e.person for e in target.excluded_inspectors] == ["person:i9"]


def test_the_distribution_of_draws_matches_the_risk_weights() -> None:
    """Chi-square goodness of fit of 3,000 single draws against weight / total weight."""
    found = [
        Candidate("org:s-a", "supplier", grade="A"),
        Candidate("org:s-b", "supplier", grade="B"),
        Candidate("org:s-c", "supplier", grade="C", complaints=1),
        Candidate("org:s-d", "supplier", grade="D", confirmed_flags=1),
    ]
    weights = {c.uid: weight(c, AS_OF, RULES.weights) for c in found}
    assert weights["org:s-d"] > weights["org:s-c"] > weights["org:s-b"] > weights["org:s-a"]
    draws = 3000
    counts = Counter(weighted_sample(f"{i:064x}", weights, 1)[0] for i in range(draws))
    total = sum(weights.values(), Decimal(0))
    chi2 = sum(
        (counts[uid] - draws * float(w / total)) ** 2 / (draws * float(w / total))
        for uid, w in weights.items()
    )
    assert chi2 < 11.34  # 3 degrees of freedom, p = 0.01
