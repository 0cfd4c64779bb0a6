"""Expert draws: no conflicted expert is ever drawn, and a draw is recomputable from its seed
(pure functions, no database)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from credit.cli import app
from credit.domain.periods import window_first_day
from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.oversight import draws
from credit.oversight.conflicts import (
    KinTie,
    OrgTie,
    PersonFacts,
    Procurement,
    exclusions,
    split,
)
from credit.standing.scoring import CreditRecord

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


def _ban(
    uid: str, start: date, end: date | None, category: str = "OTHER", **over: object
) -> CreditRecord:
    return CreditRecord(
        id=f"violation:{uid}",
        kind="violation",
        category=category,
        decided_on=start,
        severity=Severity.SERIOUS,
        penalty_types=(PenaltyType.REVIEW_BAN,),
        ban_start=start,
        ban_end=end,
        **over,  # type: ignore[arg-type]
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
            misconduct = draw(st.booleans())  # an expert-misconduct record bars on its own
            end = date(2027, 1, 1) if active else date(2026, 1, 1)
            category = "EXPERT_IRREGULAR_REVIEW" if misconduct else "OTHER"
            records.append(_ban(uid, date(2025, 1, 1), end, category))
            conflicted |= active or misconduct
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


# --- Regs Art. 9 windows and items, review bans, bad-behaviour records -------------------------

BIDDER, UNIT = "org:bidder", "org:purchaser"
PROC = Procurement(frozenset({BIDDER}), frozenset({UNIT}))


def _codes(person: PersonFacts, as_of: date = AS_OF) -> list[str]:
    return [e.code for e in exclusions(person, PROC, as_of)]


def _tie(kind: str, start: date | None, end: date | None, **over: object) -> PersonFacts:
    return PersonFacts("person:x", (OrgTie(kind, over.pop("org", BIDDER), start, end, **over),))  # type: ignore[arg-type]


def test_the_3_year_window_is_counted_back_to_the_corresponding_day() -> None:
    """Civil Code Arts. 201-202: the check day is not counted; the window's first day is the
    corresponding day 3 years before, or the month's last day when there is none."""
    assert window_first_day(date(2026, 6, 1), 3) == date(2023, 6, 1)
    assert window_first_day(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert window_first_day(date(2027, 2, 28), 3) == date(2024, 2, 28)


@pytest.mark.parametrize(
    ("as_of", "ended", "conflicted"),
    [
        (date(2026, 6, 1), date(2023, 6, 1), True),  # ended on the window's first day
        (date(2026, 6, 1), date(2023, 5, 31), False),  # the day before it
        (date(2028, 2, 29), date(2025, 2, 28), True),  # no 29 Feb 2025: the month's last day
        (date(2028, 2, 29), date(2025, 2, 27), False),
    ],
)
def test_a_tie_ending_on_the_windows_last_day_still_counts(
    as_of: date, ended: date, conflicted: bool
) -> None:
    person = _tie("EMPLOYED_BY", date(2015, 1, 1), ended)
    assert (_codes(person, as_of) == ["EMPLOYED_BY_BIDDER"]) is conflicted


def test_ties_starting_or_ending_on_the_check_day() -> None:
    assert _codes(_tie("DIRECTOR_OF", AS_OF, None)) == ["DIRECTOR_OF_BIDDER"]
    assert _codes(_tie("DIRECTOR_OF", AS_OF + timedelta(days=1), None)) == []
    # working for the purchaser: only while in force, the last day included
    assert _codes(_tie("WORKS_FOR", date(2020, 1, 1), AS_OF, org=UNIT)) == ["OWN_UNIT"]
    yesterday = AS_OF - timedelta(days=1)
    assert _codes(_tie("WORKS_FOR", date(2020, 1, 1), yesterday, org=UNIT)) == []


def test_each_tie_cites_its_own_item_of_regs_art_9() -> None:
    items = {
        "EMPLOYED_BY": "第九条第一款第（一）项",
        "DIRECTOR_OF": "第九条第一款第（二）项",
        "SUPERVISOR_OF": "第九条第一款第（二）项",
        "CONTROLS": "第九条第一款第（三）项",
    }
    for kind, item in items.items():
        (found,) = exclusions(_tie(kind, None, None), PROC, AS_OF)
        assert item in found.legal_basis, kind
        assert "第十六条" in found.legal_basis  # and the experts' own rules
    kin = PersonFacts("person:x", kin=(KinTie("person:rep", BIDDER),))
    (found,) = exclusions(kin, PROC, AS_OF)
    assert "第九条第一款第（四）项" in found.legal_basis and "近姻亲" in found.legal_basis


@pytest.mark.parametrize(
    ("share", "code"),
    [
        (Decimal("0.51"), "CONTROLS_BIDDER"),  # more than half: controlling shareholder, item 3
        (Decimal("0.5"), "SHAREHOLDER_OF_BIDDER"),  # exactly half is not more than half
        (None, "SHAREHOLDER_OF_BIDDER"),  # share not recorded
    ],
)
def test_a_shareholding_of_half_or_unknown_size_is_another_relation(
    share: Decimal | None, code: str
) -> None:
    (found,) = exclusions(_tie("OWNS", None, None, share=share), PROC, AS_OF)
    assert found.code == code
    item = "第（三）项" if code == "CONTROLS_BIDDER" else "第（五）项"
    assert item in found.legal_basis


def test_a_review_ban_without_an_end_excludes_until_it_is_lifted() -> None:
    start = date(2025, 1, 10)
    banned = PersonFacts("person:x", records=(_ban("x", start, None),))
    assert _codes(banned, start) == ["REVIEW_BAN"]  # its first day
    assert _codes(banned, start - timedelta(days=1)) == []
    assert _codes(banned, date(2040, 1, 1)) == ["REVIEW_BAN"]
    lifted_on = date(2027, 3, 1)
    overturned = _ban("x", start, None, status=RecordStatus.OVERTURNED, status_date=lifted_on)
    lifted = PersonFacts("person:x", records=(overturned,))
    assert _codes(lifted, lifted_on - timedelta(days=1)) == ["REVIEW_BAN"]
    assert _codes(lifted, lifted_on) == []
    repaired = _ban("x", start, None, status=RecordStatus.REPAIRED, status_date=lifted_on)
    assert _codes(PersonFacts("person:x", records=(repaired,)), lifted_on) == ["REVIEW_BAN"]


def test_a_review_ban_with_an_end_excludes_through_its_last_day() -> None:
    end = date(2026, 6, 1)
    banned = PersonFacts("person:x", records=(_ban("x", date(2025, 1, 10), end),))
    assert _codes(banned, end) == ["REVIEW_BAN"]
    assert _codes(banned, end + timedelta(days=1)) == []


def _misconduct(category: str, decided: date, **over: object) -> PersonFacts:
    record = CreditRecord(
        id="violation:m",
        kind="violation",
        category=category,
        decided_on=decided,
        severity=Severity.GENERAL,
        penalty_types=(PenaltyType.WARNING,),
        **over,  # type: ignore[arg-type]
    )
    return PersonFacts("person:x", records=(record,))


def test_an_expert_with_a_bad_behaviour_record_leaves_the_pool_with_the_reason() -> None:
    decided = date(2025, 3, 1)
    person = _misconduct("EXPERT_LEAKED_INFORMATION", decided)
    assert _codes(person, decided - timedelta(days=1)) == []
    (found,) = exclusions(person, PROC, decided)
    assert found.code == "BAD_BEHAVIOUR_RECORD"
    assert "第二十九条" in found.legal_basis and "解聘" in found.legal_basis
    assert "item 2" in found.detail and found.refs == ("violation:m",)
    assert _codes(person, date(2035, 1, 1)) == ["BAD_BEHAVIOUR_RECORD"]  # no expiry
    pool, excluded = split([person, PersonFacts("person:y")], PROC, decided)
    assert pool == ["person:y"] and [e.person for e in excluded] == ["person:x"]
    overturned = _misconduct(
        "EXPERT_FAILED_RECUSAL",
        decided,
        status=RecordStatus.OVERTURNED,
        status_date=date(2025, 6, 1),
    )
    assert _codes(overturned, date(2025, 6, 1)) == []
    assert _codes(_misconduct("OTHER", decided), decided) == []  # not expert misconduct


def test_the_review_start_withdraws_and_replaces_members_conflicted_with_actual_bidders() -> None:
    doc = _document(POOL, size=3)
    first, second = doc.panel[0], draws.ranking(SEED, POOL)[3]  # second: the next in line
    new_bidder = "org:late"
    tied = {
        first: PersonFacts(first, (OrgTie("EMPLOYED_BY", new_bidder, date(2024, 1, 1)),)),
        second: PersonFacts(second, kin=(KinTie("person:rep", new_bidder),)),
    }
    actual = Procurement(frozenset({BIDDER, new_bidder}), frozenset({UNIT}))
    result = draws.recheck_panel(doc, tied, actual, AS_OF)
    assert [e.person for e in result.withdrawals] == [first, second]
    assert [e.code for e in result.withdrawals] == ["EMPLOYED_BY_BIDDER", "RELATIVE_OF_BIDDER_REP"]
    assert result.declined == [first, second]
    ranking = draws.ranking(SEED, POOL)
    assert result.panel == [u for u in ranking if u not in (first, second)][:3]
    recorded = dataclasses.replace(
        doc,
        declined=result.declined,
        panel=result.panel,
        withdrawals=[draws.exclusion_dict(e) for e in result.withdrawals],
    )
    assert draws.verify(recorded) == []
    hidden = dataclasses.replace(recorded, declined=[second])
    assert any(p.startswith("withdrawals:") for p in draws.verify(hidden))
    # the bidders known at the draw: nobody withdraws
    assert draws.recheck_panel(doc, tied, PROC, AS_OF).withdrawals == []
