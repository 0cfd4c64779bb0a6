"""SUCCESSOR_OF_DEBARRED: a supplier run or controlled by the people behind a banned supplier,
registered around the ban or bidding while it lasts (Law Art. 77)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from credit.detection.detectors.successor_of_debarred import DETECTOR
from credit.detection.facts import Facts, SuccessorLink
from credit.detection.flags import Finding
from tests.detectors.build import contest, golden, history, org, person, run, tie, who

DECIDED = date(2024, 1, 10)
START, END = date(2024, 2, 1), date(2025, 1, 31)
BANNED = org(9)


def link(
    successor: int = 1,
    *,
    registered: date | None = date(2020, 1, 1),
    new_type: str = "LEGAL_REP_OF",
    share: float | None = None,
    banned_end: date | None = None,
    new_start: date | None = date(2023, 6, 1),
    status: str = "ACTIVE",
    violation: str = "violation:V1",
    ban: tuple[date, date] = (START, END),
) -> SuccessorLink:
    return SuccessorLink(
        successor=org(successor),
        registered_on=registered,
        via=person(1),
        via_person=True,
        new_tie=tie(new_type, person(1), org(successor), share=share, start=new_start),
        banned_tie=tie("LEGAL_REP_OF", person(1), BANNED, end=banned_end),
        banned=BANNED,
        violation=violation,
        decided_on=DECIDED,
        ban_start=ban[0],
        ban_end=ban[1],
        status=status,
    )


BIDS = history(
    contest("H1", {1: 100, 2: 110}, day=date(2024, 1, 31)),
    contest("H2", {1: 100, 2: 110}, day=START),
    contest("H3", {1: 120, 2: 110}, day=END),
    contest("H4", {1: 100, 2: 110}, day=date(2025, 2, 1)),
)


def found(*links: SuccessorLink, **settings: object) -> list[Finding]:
    return run(DETECTOR, Facts(successors=links, history=BIDS), **settings)


def test_an_old_company_bidding_during_the_ban_is_flagged_with_those_lots() -> None:
    (flag,) = found(link())
    assert flag.suppliers == (org(1),) and flag.others == (BANNED,)
    assert flag.lots == ("lot:H2", "lot:H3")  # the ban's first and last day count
    assert flag.facts["new"] is False
    assert flag.facts["bans"] == [[START, END]]
    assert "active during" in flag.message and "2 lot(s)" in flag.message
    golden("successor_of_debarred", [flag])


def test_a_company_registered_within_the_window_is_new_even_without_bids() -> None:
    window = DECIDED - timedelta(days=365)
    for registered in (window, END):
        (flag,) = run(DETECTOR, Facts(successors=[link(registered=registered)]))
        assert flag.facts["new"] is True and flag.lots == ()
        assert flag.message.startswith("a supplier registered around")
    for outside in (window - timedelta(days=1), END + timedelta(days=1), None):
        assert run(DETECTOR, Facts(successors=[link(registered=outside)])) == []
    golden("successor_of_debarred_new", run(DETECTOR, Facts(successors=[link(registered=END)])))


def test_ties_that_do_not_count_and_an_overturned_ban_are_not_flagged() -> None:
    assert found(link(new_type="EMPLOYED_BY")) == []
    assert found(link(new_type="OWNS", share=0.5)) == []
    assert found(link(new_type="OWNS", share=0.51)) != []
    assert found(link(status="OVERTURNED")) == []
    assert found(link(banned_end=DECIDED - timedelta(days=1))) == []  # left before the decision
    assert found(link(banned_end=DECIDED)) != []
    assert found(link(new_start=END + timedelta(days=1))) == []  # joined after the ban
    assert found(link(new_start=END)) != []
    assert found(link(new_type="OWNS", share=0.51), min_share=0.6) == []


def test_two_violations_behind_one_pair_are_one_finding_out_of_focus_none() -> None:
    second = link(violation="violation:V2", ban=(date(2024, 6, 1), date(2026, 1, 1)))
    (flag,) = found(link(), second)
    assert flag.facts["violations"] == ["violation:V1", "violation:V2"]
    assert flag.lots == ("lot:H2", "lot:H3", "lot:H4")
    focus = Facts(successors=[link()], history=BIDS, focus=frozenset({org(2)}))
    assert run(DETECTOR, focus) == []
    assert who(found(link(), link(3, registered=None))) == [(org(1),)]
    late = replace(link(registered=None), new_tie=tie("LEGAL_REP_OF", person(1), org(1), start=END))
    assert [f.lots for f in found(late)] == [("lot:H3",)]  # the tie in force on the lot's day
