"""Per-lot detectors on fixtures: records in, flags out (through the real intake and graph),
with the near-misses that must not flag next to each rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.detection.flag_store import screen_of
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import buyer, expert, load, lot_flags, orgs, suppliers, tender

# Prices that line up in no way, so only the rule under test can flag.
PLAIN = {1: "1000000", 2: "1043700", 3: "1097350"}


def rep(person: int, company: int, **over: str) -> dict[str, object]:
    return f.tie(
        "LEGAL_REP_OF", {"person": f.make_id_number(person)}, {"org": f.make_uscc(company)}, **over
    )


def market(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [*suppliers(1, 2, 3, 4), buyer(), *extra]


# --- Regs Art. 18 -------------------------------------------------------------------------------


def test_bidders_with_the_same_legal_representative_are_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(f.person(11), rep(11, 1), rep(11, 2), *tender("L1", PLAIN)))
    (flag,) = lot_flags(store, "L1", "SAME_CONTROLLER")
    assert flag.suppliers == orgs(1, 2)
    assert "第十八条" in flag.basis and "Art. 18" in flag.basis
    assert get_mapper().person_uid_for(f.make_id_number(11)) in flag.evidence["nodes"]


def test_a_legal_representative_of_two_companies_that_never_meet_is_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(
        intake,
        market(
            f.person(11),
            rep(11, 1),
            rep(11, 2),
            *tender("L1", {1: "1000000", 3: "1043700", 4: "1097350"}),
            *tender("L2", {2: "1000000", 3: "1043700", 4: "1097350"}),
        ),
    )
    assert lot_flags(store, "L1", "SAME_CONTROLLER") == []
    assert lot_flags(store, "L2", "SAME_CONTROLLER") == []


def test_a_legal_representative_who_left_before_the_bid_date_is_not_a_link(
    intake: Intake, store: GraphStore
) -> None:
    load(
        intake,
        market(
            f.person(11),
            rep(11, 1),
            rep(11, 2, valid_from="2018-01-01", valid_to="2024-12-31"),
            *tender("L1", PLAIN),
        ),
    )
    assert lot_flags(store, "L1", "SAME_CONTROLLER") == []


@pytest.mark.parametrize(
    ("kind", "share", "flagged"),
    [
        ("OWNS", "0.6", True),
        ("CONTROLS", None, True),
        ("MANAGES", None, True),
        ("OWNS", "0.2", False),
    ],
    ids=["majority-stake", "controls", "manages", "minority-stake"],
)
def test_a_direct_holding_between_bidders_is_flagged_but_a_minority_stake_is_not(
    intake: Intake, store: GraphStore, kind: str, share: str | None, flagged: bool
) -> None:
    tie = f.tie(kind, {"org": f.make_uscc(1)}, {"org": f.make_uscc(2)})
    if share:
        tie["share"] = share
    load(intake, market(tie, *tender("L1", PLAIN)))
    found = lot_flags(store, "L1", "DIRECT_HOLDING")
    assert [x.suppliers for x in found] == ([orgs(1, 2)] if flagged else [])


def test_a_common_controller_with_different_legal_representatives_is_its_own_pattern(
    intake: Intake, store: GraphStore
) -> None:
    boss = {"person": f.make_id_number(12)}
    load(
        intake,
        market(
            f.person(11),
            f.person(12),
            f.person(13),
            rep(11, 1),
            rep(13, 2),
            f.tie("CONTROLS", boss, {"org": f.make_uscc(1)}),
            f.tie("CONTROLS", boss, {"org": f.make_uscc(2)}),
            *tender("L1", PLAIN),
        ),
    )
    assert lot_flags(store, "L1", "SAME_CONTROLLER") == []
    (flag,) = lot_flags(store, "L1", "COMMON_CONTROLLER")
    assert flag.suppliers == orgs(1, 2)
    assert "非法定" in flag.basis and "Art. 74 item 5" in flag.basis
    assert get_mapper().person_uid_for(f.make_id_number(12)) in flag.evidence["nodes"]


# --- Order 87 Art. 37 ---------------------------------------------------------------------------


def test_bids_prepared_by_the_same_person_are_flagged(intake: Intake, store: GraphStore) -> None:
    same = {"preparer": {"person": f.make_id_number(5)}}
    load(intake, market(f.person(5), *tender("L1", PLAIN, bids={1: same, 2: same})))
    (flag,) = lot_flags(store, "L1", "SAME_PREPARER")
    assert flag.suppliers == orgs(1, 2)
    assert "第（一）项" in flag.basis


def test_bidders_entrusting_the_same_agent_are_flagged(intake: Intake, store: GraphStore) -> None:
    agent = {"agent": {"org": f.make_uscc(7)}}
    load(
        intake,
        market(
            f.organization(7, roles=["AGENCY"]), *tender("L1", PLAIN, bids={1: agent, 3: agent})
        ),
    )
    (flag,) = lot_flags(store, "L1", "SAME_AGENT")
    assert flag.suppliers == orgs(1, 3)
    assert f"org:{f.make_uscc(7)}" in flag.evidence["nodes"]


def test_the_same_contact_person_in_different_bids_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    contact = {"contact": {"person": f.make_id_number(5)}, "contact_phone": "13800000005"}
    load(intake, market(f.person(5), *tender("L1", PLAIN, bids={1: contact, 2: contact})))
    (flag,) = lot_flags(store, "L1", "SHARED_CONTACT")
    assert flag.suppliers == orgs(1, 2)
    assert "the same contact person" in flag.message


def test_neighbours_at_one_address_with_their_own_contacts_are_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    address = "浙江省杭州市西湖区文三路20号"
    load(
        intake,
        [
            *suppliers(1, 2, address=address),
            *suppliers(3),
            buyer(),
            f.person(5),
            f.person(6),
            *tender(
                "L1",
                PLAIN,
                bids={
                    1: {"contact": {"person": f.make_id_number(5)}, "contact_phone": "0571-1"},
                    2: {"contact": {"person": f.make_id_number(6)}, "contact_phone": "0571-2"},
                },
            ),
        ],
    )
    assert lot_flags(store, "L1") == []


def test_deposits_from_one_account_are_flagged(intake: Intake, store: GraphStore) -> None:
    paid = {"deposit_account": "6228 0000 1111"}
    load(intake, market(*tender("L1", PLAIN, bids={2: paid, 3: paid})))
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(2, 3)
    assert "第（六）项" in flag.basis


def test_a_deposit_paid_from_another_bidders_registered_account_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(
        intake,
        [
            f.organization(1, bank_accounts=["62280001"]),
            *suppliers(2, 3),
            buyer(),
            *tender(
                "L1",
                PLAIN,
                bids={1: {"deposit_account": "99990001"}, 2: {"deposit_account": "62280001"}},
            ),
        ],
    )
    (flag,) = lot_flags(store, "L1", "SAME_DEPOSIT_ACCOUNT")
    assert flag.suppliers == orgs(1, 2)
    assert any(e["type"] == "HOLDS_ACCOUNT" for e in flag.evidence["edges"])


@pytest.mark.parametrize(
    "marks",
    [
        {"devices": [{"kind": "MAC", "value": "02-1A-4B-7C-9D-E0"}]},
        {"devices": [{"kind": "IP", "value": "100.72.18.41"}]},
        {"devices": [{"kind": "AUTHOR", "value": "王建国"}]},
        {"file_fingerprint": "9f2c4be1d07a4c35b8e61f0a2d3c7e98"},
    ],
    ids=["mac", "ip", "author", "same-file"],
)
def test_bid_files_from_the_same_device_author_or_file_are_flagged(
    intake: Intake, store: GraphStore, marks: dict[str, object]
) -> None:
    load(intake, market(*tender("L1", PLAIN, bids={1: marks, 3: marks})))
    (flag,) = lot_flags(store, "L1", "SAME_DEVICE")
    assert flag.suppliers == orgs(1, 3)


def test_a_generic_document_author_is_not_a_shared_device(
    intake: Intake, store: GraphStore
) -> None:
    generic = {"devices": [{"kind": "AUTHOR", "value": "Administrator"}]}
    load(intake, market(*tender("L1", PLAIN, bids={1: generic, 2: generic})))
    assert lot_flags(store, "L1", "SAME_DEVICE") == []


def test_bid_prices_in_arithmetic_progression_are_flagged(
    intake: Intake, store: GraphStore
) -> None:
    prices = {1: "1234567", 2: "1246567", 3: "1258567", 4: "1270567", 5: "1190403"}
    load(intake, market(f.organization(5), *tender("L1", prices)))
    (flag,) = lot_flags(store, "L1", "REGULAR_PRICE_DIFFERENCE")
    assert flag.suppliers == orgs(1, 2, 3, 4)
    assert flag.evidence["facts"]["mode"] == "arithmetic"
    assert flag.evidence["facts"]["step"] == "12000"


def test_bid_prices_in_geometric_progression_are_flagged(intake: Intake, store: GraphStore) -> None:
    base, ratio = Decimal("1234567"), Decimal("1.015")
    prices = {n: str((base * ratio**k).quantize(Decimal("0.01"))) for k, n in enumerate((2, 1, 4))}
    load(intake, market(*tender("L1", prices | {3: "1198000"})))
    (flag,) = lot_flags(store, "L1", "REGULAR_PRICE_DIFFERENCE")
    assert flag.suppliers == orgs(1, 2, 4)
    assert flag.evidence["facts"]["mode"] == "geometric"


def test_round_prices_close_together_in_a_small_lot_are_not_a_progression(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(*tender("L1", {1: "98000", 2: "99000", 3: "100000", 4: "103500"})))
    assert lot_flags(store, "L1", "REGULAR_PRICE_DIFFERENCE") == []


def test_identical_prices_to_the_cent_are_flagged(intake: Intake, store: GraphStore) -> None:
    load(intake, market(*tender("L1", {1: "1234567.89", 2: "1234567.89", 3: "1302255.10"})))
    (flag,) = lot_flags(store, "L1", "IDENTICAL_PRICES")
    assert flag.suppliers == orgs(1, 2)


def test_two_bidders_quoting_the_same_round_price_are_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(*tender("L1", {1: "100000.00", 2: "100000.00"})))
    assert lot_flags(store, "L1", "IDENTICAL_PRICES") == []


# --- statistical screens -----------------------------------------------------------------------


def test_a_legitimately_low_spread_lot_of_two_bidders_is_scored_but_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(*tender("L1", {1: "1000000", 2: "1000500"})))
    assert lot_flags(store, "L1", "BID_SCREEN") == []
    scores = screen_of(store, "lot:L1")
    assert scores is not None and scores.bids == 2
    assert scores.cv is not None and scores.cv < 0.001
    assert scores.kurtosis is None and scores.rd is None


def test_losing_bids_bunched_above_a_lone_low_winner_are_screened_out(
    intake: Intake, store: GraphStore
) -> None:
    prices = {1: "900000", 2: "950000", 3: "951300", 4: "952100", 5: "953900"}
    load(intake, market(f.organization(5), *tender("L1", prices)))
    (flag,) = lot_flags(store, "L1", "BID_SCREEN")
    assert flag.suppliers == orgs(1, 2, 3, 4, 5)
    facts = flag.evidence["facts"]
    assert facts["cv"] < 0.03 and facts["rd"] > 1
    assert "非法定" in flag.basis


# --- Regs Art. 9: reviewers --------------------------------------------------------------------


def reviewer_tie(kind: str, **over: str) -> dict[str, object]:
    return f.tie(kind, {"person": f.make_id_number(20)}, {"org": f.make_uscc(1)}, **over)


@pytest.mark.parametrize(
    ("tie", "flagged"),
    [
        (reviewer_tie("EMPLOYED_BY", valid_from="2019-01-01", valid_to="2023-06-30"), True),
        (reviewer_tie("EMPLOYED_BY", valid_from="2019-01-01", valid_to="2022-03-20"), True),
        (reviewer_tie("EMPLOYED_BY", valid_from="2015-01-01", valid_to="2022-03-19"), False),
        (reviewer_tie("DIRECTOR_OF", valid_from="2020-01-01", valid_to="2024-01-01"), True),
        (reviewer_tie("SUPERVISOR_OF", valid_from="2020-01-01"), True),
        (reviewer_tie("OWNS", share="0.6", valid_from="2020-01-01"), True),
        (reviewer_tie("OWNS", share="0.3", valid_from="2020-01-01"), False),
        (reviewer_tie("CONTROLS", valid_from="2020-01-01"), True),
    ],
    ids=[
        "employee-within-3-years",
        "employment-ended-exactly-3-years-before",
        "employment-ended-more-than-3-years-before",
        "director-within-3-years",
        "supervisor",
        "controlling-shareholder",
        "minority-shareholder",
        "actual-controller",
    ],
)
def test_a_reviewer_tied_to_a_bidder_within_3_years_is_flagged(
    intake: Intake, store: GraphStore, tie: dict[str, object], flagged: bool
) -> None:
    load(intake, market(expert(20), tie, *tender("L1", PLAIN, reviewers=[20])))
    found = lot_flags(store, "L1", "EXPERT_CONFLICT")
    assert [(x.suppliers, x.others) for x in found] == (
        [(orgs(1), (get_mapper().person_uid_for(f.make_id_number(20)),))] if flagged else []
    )
    if flagged:
        assert "第九条" in found[0].basis


def test_a_reviewer_who_is_a_close_relative_of_a_bidders_legal_representative_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    kin = f.tie(
        "RELATIVE_OF",
        {"person": f.make_id_number(20)},
        {"person": f.make_id_number(11)},
        kinship="SIBLING",
    )
    load(
        intake,
        market(expert(20), f.person(11), rep(11, 2), kin, *tender("L1", PLAIN, reviewers=[20])),
    )
    (flag,) = lot_flags(store, "L1", "EXPERT_CONFLICT")
    assert flag.suppliers == orgs(2)
    assert "close relative" in flag.message
    assert any(e["type"] == "RELATIVE_OF" for e in flag.evidence["edges"])


def test_a_reviewer_with_no_tie_to_any_bidder_is_not_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(expert(20), *tender("L1", PLAIN, reviewers=[20])))
    assert lot_flags(store, "L1") == []
