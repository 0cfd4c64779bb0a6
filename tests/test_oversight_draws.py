"""Expert draws: no conflicted expert is ever drawn, and a draw is recomputable from its seed
(pure functions, no database)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from credit.cli import app
from credit.domain.records import PenaltyType, Severity
from credit.oversight import draws
from credit.oversight.conflicts import KinTie, OrgTie, PersonFacts, Procurement, split
from credit.scoring import CreditRecord

AS_OF = date(2026, 6, 1)
ORGS = [f"org:{i}" for i in range(6)]
SEED = "ab" * 32

# (kind, valid_to, conflicts when the org is a bidder) — ties inside or clearly outside the
# 3-year window of Regs Art. 9, so the test knows the truth without re-deriving the rule.
TIES = [
    ("EMPLOYED_BY", None, True),
    ("EMPLOYED_BY", date(2024, 1, 1), True),
    ("EMPLOYED_BY", date(2021, 1, 1), False),
    ("DIRECTOR_OF", date(2023, 7, 1), True),
    ("SUPERVISOR_OF", None, True),
    ("CONTROLS", None, True),
    ("WORKS_FOR", None, True),
    ("SUPERVISOR_OF", date(2020, 5, 1), False),
]


def _ban(uid: str, start: date, end: date) -> CreditRecord:
    return CreditRecord(
        id=f"violation:{uid}",
        kind="violation",
        category="EXPERT_IRREGULAR_REVIEW",
        decided_on=start,
        severity=Severity.SERIOUS,
        penalty_types=(PenaltyType.REVIEW_BAN,),
        ban_start=start,
        ban_end=end,
    )


@st.composite
def market(draw: st.DrawFn) -> tuple[list[PersonFacts], Procurement, set[str]]:
    bidders = frozenset(draw(st.sets(st.sampled_from(ORGS[:4]), min_size=1, max_size=3)))
    own = frozenset({ORGS[4], ORGS[5]})
    people, truth = [], set()
    for i in range(draw(st.integers(3, 12))):
        uid = f"person:{i:02d}"
        ties, kin, records, conflicted = [], [], [], False
        for kind, valid_to, counts in draw(st.lists(st.sampled_from(TIES), max_size=3)):
            org = draw(st.sampled_from(ORGS))
            ties.append(OrgTie(kind, org, date(2015, 1, 1), valid_to))
            in_force = valid_to is None
            employed = kind in ("EMPLOYED_BY", "WORKS_FOR")
            conflicted |= (org in bidders and counts) or (org in own and employed and in_force)
        if draw(st.booleans()):
            org = draw(st.sampled_from(ORGS))
            kin.append(KinTie(f"person:rep{i}", org))
            conflicted |= org in bidders
        if draw(st.booleans()):
            active = draw(st.booleans())
            end = date(2027, 1, 1) if active else date(2026, 1, 1)
            records.append(_ban(uid, date(2025, 1, 1), end))
            conflicted |= active
        people.append(PersonFacts(uid, tuple(ties), tuple(kin), tuple(records)))
        if conflicted:
            truth.add(uid)
    return people, Procurement(bidders, own), truth


@settings(max_examples=25, deadline=None)
@given(market(), st.integers(1, 5), st.text("0123456789abcdef", min_size=64, max_size=64))
def test_no_conflicted_expert_is_ever_drawn(
    case: tuple[list[PersonFacts], Procurement, set[str]], size: int, seed: str
) -> None:
    people, proc, conflicted = case
    pool, excluded = split(people, proc, AS_OF)
    panel = draws.select(seed, pool, size)
    assert not set(panel) & conflicted
    assert {e.person for e in excluded} == conflicted
    assert all(e.legal_basis and e.code for e in excluded)
    assert len(panel) == min(size, len(people) - len(conflicted))


def _document(pool: list[str], size: int = 3) -> draws.DrawDocument:
    return draws.DrawDocument(
        draw_id="draw:1",
        lot_id="lot:L1",
        specialties=["IT"],
        size=size,
        as_of=AS_OF.isoformat(),
        seed_hash=draws.commitment(SEED),
        seed=SEED,
        pool=pool,
        exclusions=[{"person": "person:x", "code": "REVIEW_BAN"}],
        panel=draws.select(SEED, pool, size),
    )


POOL = [f"person:{i:02d}" for i in range(10)]


def test_a_draw_is_reproducible_from_its_seed() -> None:
    doc = _document(POOL)
    again = draws.DrawDocument.from_json(doc.to_json())
    assert draws.verify(again) == []
    assert draws.select(SEED, POOL, 3) == doc.panel
    assert draws.select("cd" * 32, POOL, 3) != doc.panel


def test_verification_fails_if_the_seed_or_the_pool_was_altered() -> None:
    doc = _document(POOL)
    other_seed = dataclasses.replace(doc, seed="cd" * 32)
    assert any(p.startswith("seed:") for p in draws.verify(other_seed))
    outsider = next(u for u in POOL if u not in doc.panel)
    for pool in ([u for u in POOL if u != outsider], sorted([*POOL, "person:zz"])):
        problems = draws.verify(dataclasses.replace(doc, pool=pool))
        assert any(p.startswith("panel:") for p in problems), pool
    unsorted = dataclasses.replace(doc, pool=list(reversed(POOL)))
    assert "pool: not sorted by uid without duplicates" in draws.verify(unsorted)


def test_a_replacement_is_the_next_in_the_same_ranking() -> None:
    doc = _document(POOL)
    declined = doc.panel[1]
    replaced = draws.select(SEED, POOL, 3, [declined])
    ranking = draws.ranking(SEED, POOL)
    assert replaced == [u for u in ranking if u != declined][:3]
    assert set(doc.panel) - {declined} <= set(replaced)
    redone = dataclasses.replace(doc, declined=[declined], panel=replaced)
    assert draws.verify(redone) == []


def test_credit_draw_verify_exits_1_on_a_tampered_file(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    doc = _document(POOL)
    good.write_text(doc.to_json(), encoding="utf-8")
    bad.write_text(dataclasses.replace(doc, pool=POOL[1:]).to_json(), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["draw", "verify", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "verified draw:1" in ok.output
    failed = runner.invoke(app, ["draw", "verify", str(bad)])
    assert failed.exit_code == 1
    assert "FAILED panel" in failed.output
