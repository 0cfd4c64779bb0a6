"""Detectors over the bid history on fixtures (records in, flags out): rotation, cover bidding,
suppression, buyer capture, fixed price offsets and successors of banned suppliers, each
with a near-miss; and lot mode agrees with the full scan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.detection.flag_store import StoredFlag
from credit.detection.flags import Finding
from credit.detection.registry import default_settings
from credit.detection.scan import detect_lot
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import (
    BUYER,
    Records,
    background,
    buyer,
    load,
    org,
    orgs,
    scanned,
    suppliers,
    tender,
    turns,
)


def test_a_closed_group_taking_turns_winning_is_flagged(intake: Intake, store: GraphStore) -> None:
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *turns([1, 2, 3, 1, 2], (1, 2, 3), (4, 5)),
        ],
    )
    (flag,) = scanned(store, "BID_ROTATION")
    assert flag.suppliers == orgs(1, 2, 3)
    assert flag.lot is None and len(flag.lots) == 5
    assert flag.evidence["facts"]["wins"] == {org(1): 2, org(2): 2, org(3): 1}
    assert "第七十四条" in flag.basis


def test_a_group_in_which_one_member_never_wins_is_not_a_rotation(
    intake: Intake, store: GraphStore
) -> None:
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *turns([1, 2, 1, 2, 1], (1, 2, 3), (4, 5)),
        ],
    )
    assert scanned(store, "BID_ROTATION") == []


def test_a_persistent_loser_just_above_the_same_winner_is_a_cover_bidder(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, [buyer(), *suppliers(1, 2, 3, 4), *background(), *turns([1] * 5, (1, 2), (3, 4))])
    (flag,) = scanned(store, "COVER_BIDDING")
    assert flag.suppliers == orgs(1, 2)
    assert flag.evidence["facts"] == {"winner": org(1), "covers": {org(2): 5}}


def test_a_rival_that_often_undercuts_the_winner_is_not_a_cover_bidder(
    intake: Intake, store: GraphStore
) -> None:
    undercuts: Records = []
    for i in range(3):
        undercuts += tender(
            f"U{i}", {2: "1500000", 1: "1580000", 3: "1660000"}, day=f"2025-0{i + 7}-01"
        )
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4),
            *background(),
            *turns([1] * 5, (1, 2), (3, 4)),
            *undercuts,
        ],
    )
    assert scanned(store, "COVER_BIDDING") == []


def test_a_regular_bidder_staying_away_where_its_partner_wins_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    records: Records = [buyer(), *suppliers(1, 2, 3, 4)]
    partner_lots = {2, 4, 6, 9}
    for i in range(12):
        day = f"2024-{i + 1:02d}-05"
        if i in partner_lots:
            records += tender(f"S{i}", {2: "900000", 3: "990000", 4: "1010000"}, day=day)
        else:
            records += tender(
                f"S{i}", {1: str(950_000 + 1000 * i), 3: "990000", 4: "1010000"}, day=day
            )
    load(intake, records)
    (flag,) = scanned(store, "BID_SUPPRESSION")
    assert flag.suppliers == orgs(1, 2)
    assert flag.others == (org(BUYER),)
    assert len(flag.lots) == 4


def captured() -> Records:
    """Eight lots at the purchaser; supplier 1 bids lowest and wins in seven."""
    records: Records = [buyer(), *suppliers(1, 2, 3, 4, 5)]
    for i in range(8):
        low = 1 if i != 3 else 2
        prices = {n: str(1_000_000 + 10_000 * ((n - low) % 5)) for n in (1, 2, 3, 4, 5)}
        records += tender(f"C{i}", prices, day=f"2024-{i + 1:02d}-05")
    return records


def test_one_supplier_winning_most_of_a_buyers_awards_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, captured())
    (flag,) = scanned(store, "BUYER_CAPTURE")
    assert flag.suppliers == orgs(1)
    assert flag.others == (org(BUYER),)
    assert "第七十四条第（七）项" in flag.basis


def test_a_buyer_with_too_few_awards_is_not_judged(intake: Intake, store: GraphStore) -> None:
    records: Records = [buyer(), *suppliers(1, 2, 3)]
    for i in range(4):
        records += tender(
            f"C{i}", {1: "900000", 2: "990000", 3: "1010000"}, day=f"2024-0{i + 1}-05"
        )
    load(intake, records)
    assert scanned(store, "BUYER_CAPTURE") == []


def fixed_difference() -> Records:
    """Three lots in which bidder 2 prices 8,800 above bidder 1, the others anywhere."""
    records: Records = [buyer(), *suppliers(1, 2, 3, 4)]
    others = ((51_234, 120_877), (12_345, 97_001), (43_210, 150_003))
    for i, (a, (low, high)) in enumerate(zip((1_234_567, 2_345_671, 987_653), others, strict=True)):
        prices = {3: str(a - low), 1: str(a), 2: str(a + 8_800), 4: str(a + high)}
        records += tender(f"F{i}", prices, day=f"2024-0{i + 1}-05")
    return records


def test_two_bidders_keeping_a_fixed_price_difference_across_lots_are_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, fixed_difference())
    (flag,) = scanned(store, "REGULAR_PRICE_DIFFERENCE")
    assert flag.suppliers == orgs(1, 2) and flag.lot is None
    assert flag.evidence["facts"]["offsets"] == [
        {"suppliers": list(orgs(1, 2)), "mode": "difference", "value": "8800.00"}
    ]


def test_a_lot_check_reruns_the_price_offsets_across_lots_only_on_request(
    intake: Intake, store: GraphStore
) -> None:
    """REGULAR_PRICE_DIFFERENCE is a lot detector and a history detector: at bid opening only
    its lot half runs (it reads no history); with history it finds the scan's flag."""
    load(intake, fixed_difference())
    at_opening = detect_lot(store, "lot:F2", default_settings())
    assert [x for x in at_opening.findings if x.lot is None] == []
    (found,) = [
        x
        for x in detect_lot(store, "lot:F2", default_settings(), history=True).findings
        if x.pattern == "REGULAR_PRICE_DIFFERENCE" and x.lot is None
    ]
    assert found.suppliers == orgs(1, 2)


def banned(subject: int, decided: str) -> dict[str, Any]:
    year = int(decided[:4])
    return f.violation(
        f"V{subject}",
        subject,
        decided_on=decided,
        ban_start=decided,
        ban_end=f"{year + 2}{decided[4:]}",
    )


def test_a_new_company_of_a_banned_suppliers_legal_representative_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    boss = {"person": f.make_id_number(11)}
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 3, 4),
            f.organization(5, registered_on="2024-03-01"),
            f.person(11),
            f.tie("LEGAL_REP_OF", boss, {"org": f.make_uscc(1)}, valid_from="2015-01-01"),
            f.tie("LEGAL_REP_OF", boss, {"org": f.make_uscc(5)}, valid_from="2024-03-01"),
            banned(1, "2024-01-10"),
            *tender("L1", {5: "1000000", 3: "1043700", 4: "1097350"}, day="2024-06-01"),
        ],
    )
    (flag,) = scanned(store, "SUCCESSOR_OF_DEBARRED")
    assert flag.suppliers == orgs(5) and flag.others == (org(1),)
    assert flag.evidence["facts"]["new"] is True
    assert flag.lots == ("lot:L1",)


def test_someone_who_left_a_company_before_its_ban_does_not_make_a_successor(
    intake: Intake, store: GraphStore
) -> None:
    person = {"person": f.make_id_number(12)}
    load(
        intake,
        [
            buyer(),
            *suppliers(2, 3, 4, 6),
            f.person(12),
            f.tie(
                "LEGAL_REP_OF",
                person,
                {"org": f.make_uscc(2)},
                valid_from="2015-01-01",
                valid_to="2022-12-31",
            ),
            f.tie("LEGAL_REP_OF", person, {"org": f.make_uscc(6)}, valid_from="2023-01-01"),
            banned(2, "2024-01-10"),
            *tender("L1", {6: "1000000", 3: "1043700", 4: "1097350"}, day="2024-06-01"),
        ],
    )
    assert scanned(store, "SUCCESSOR_OF_DEBARRED") == []


def test_lot_mode_finds_the_same_history_flag_as_the_full_scan(
    intake: Intake, store: GraphStore
) -> None:
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *turns([1, 2, 3, 1, 2], (1, 2, 3), (4, 5)),
        ],
    )
    (full,) = scanned(store, "BID_ROTATION")
    run = detect_lot(store, "lot:R2", default_settings(), history=True)
    (same,) = [x for x in run.flags if x.pattern == "BID_ROTATION"]
    assert _identity(same) == _identity(full)
    assert run.report.changed == 0 and run.report.created == 0


def others_at_the_buyer(*days: str) -> Records:
    """Contests at the purchaser among suppliers 40-42 only: lots a lot check reads as counts
    (BUYER_STATS_OF_LOT), not as lots, since none of the checked lot's bidders took part."""
    records: Records = suppliers(40, 41, 42)
    for i, day in enumerate(days):
        records += tender(f"O{i}", {40 + i % 3: "700000", 40 + (i + 1) % 3: "720000"}, day=day)
    return records


def test_lot_mode_counts_a_purchasers_other_lots_for_suppression_as_the_full_scan_does(
    intake: Intake, store: GraphStore
) -> None:
    records: Records = [buyer(), *suppliers(1, 2, 3, 4)]
    for i in range(12):
        day = f"2024-{i + 1:02d}-05"
        bidders = {2: "900000"} if i in {2, 4, 6, 9} else {1: str(950_000 + 1000 * i)}
        records += tender(f"S{i}", {**bidders, 3: "990000", 4: "1010000"}, day=day)
    records += tender("BOTH", {1: "940000", 2: "960000", 3: "990000"}, day="2025-01-05")
    # 1 and 2 stay away from each other's wins; the flag's evidence is the less likely side,
    # bidder 1. One lot of others falls in its active period (its participation is 9 of 10
    # other lots, not 9 of 9) and two before it.
    load(intake, [*records, *others_at_the_buyer("2024-06-20", "2023-03-01", "2023-04-01")])
    (full,) = scanned(store, "BID_SUPPRESSION")
    assert full.scores["participation"] == 0.9
    run = detect_lot(store, "lot:BOTH", default_settings(), history=True)
    (same,) = [x for x in run.findings if x.pattern == "BID_SUPPRESSION"]
    assert _same_finding(same, full)


def test_lot_mode_counts_a_buyers_other_awards_for_capture_as_the_full_scan_does(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, [*captured(), *others_at_the_buyer("2024-02-20", "2024-03-20", "2024-04-20")])
    (full,) = scanned(store, "BUYER_CAPTURE")
    assert full.scores["awarded"] == 11
    run = detect_lot(store, "lot:C0", default_settings(), history=True)
    (same,) = [x for x in run.findings if x.pattern == "BUYER_CAPTURE"]
    assert _same_finding(same, full)


def _same_finding(found: Finding, flag: StoredFlag) -> bool:
    """A lot check's finding is the full scan's flag: identity, evidence, statistics (stored to
    two digits) and words. A history flag names the lots of its evidence, so the lot's own flags
    need not hold it."""
    from credit.detection.flags import canonical

    return (found.uid, canonical(found.evidence), found.message) == (
        flag.uid,
        canonical_evidence(flag),
        flag.message,
    ) and found.scores == pytest.approx(flag.scores, rel=0.05)


def _identity(flag: StoredFlag) -> tuple[str, str, tuple[str, ...]]:
    return flag.uid, canonical_evidence(flag), flag.lots


def canonical_evidence(flag: StoredFlag) -> str:
    from credit.detection.flags import canonical

    return canonical(flag.evidence)


def _community_lots(rounds: Sequence[tuple[int, ...]], winners: list[int]) -> Records:
    """Lots in 2025 at the purchaser: the given bidders, the named winner lowest."""
    records: Records = []
    for i, (bidders, winner) in enumerate(zip(rounds, winners, strict=True)):
        base = 3_000_000 + 99_991 * i
        prices = {winner: str(base)}
        for k, n in enumerate(n for n in bidders if n != winner):
            prices[n] = str(base + 35_117 + 41_011 * k)
        records += tender(f"C{i}", prices, day=f"2025-{i + 2:02d}-12")
    return records


def test_a_cobidding_community_that_keeps_the_wins_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    rounds = [(1, 2, 3, 4), (1, 2, 3), (1, 2, 4), (2, 3, 4), (1, 3, 4, 5), (1, 2, 3, 4)]
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *_community_lots(rounds, [1, 2, 1, 3, 4, 2]),
        ],
    )
    (flag,) = scanned(store, "COBIDDING_COMMUNITY")
    assert flag.suppliers == orgs(1, 2, 3, 4)
    assert flag.lot is None and len(flag.lots) == 6
    assert flag.evidence["facts"]["period"] == "2025"
    assert flag.scores["win_share"] == 1.0
    assert flag.scores["member_winners"] == 4
    assert "第七十四条" in flag.basis


def test_a_group_that_meets_often_but_whose_rivals_win_is_not_a_community(
    intake: Intake, store: GraphStore
) -> None:
    # The same four meet, two at a time, among strong rivals who win most lots.
    rounds = [(1, 2, 5, 6), (3, 4, 5, 6), (1, 3, 5, 6), (2, 4, 5, 6), (1, 4, 5, 6), (2, 3, 5, 6)]
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5, 6),
            *background(),
            *_community_lots(rounds, [5, 6, 5, 1, 6, 5]),
        ],
    )
    assert scanned(store, "COBIDDING_COMMUNITY") == []
