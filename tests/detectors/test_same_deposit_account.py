"""SAME_DEPOSIT_ACCOUNT: deposits paid from one account, from one holder's accounts, in one
holder's name, or from the account of a person tied to another bidder (Order 87 Art. 37
item 6)."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.same_deposit_account import DETECTOR
from credit.detection.facts import Identifier
from tests.detectors.build import bid, facts, golden, lot, org, person, run, tie, ties, who


def account(n: int, *holders: str) -> Identifier:
    return Identifier("DEPOSIT_FROM", f"account:{n}", holders=holders)


def test_one_account_and_one_holders_accounts_are_flagged() -> None:
    same = lot(
        "L1", [bid(1, 10, lot="L1", ids=[account(1)]), bid(2, 11, lot="L1", ids=[account(1)])]
    )
    holder = lot(
        "L2",
        [
            bid(1, 10, lot="L2", ids=[account(2, "org:PAYER")]),
            bid(2, 11, lot="L2", ids=[account(3, "org:PAYER")]),
            bid(3, 12, lot="L2", ids=[account(4, "org:OTHER")]),
        ],
    )
    found = run(DETECTOR, facts(same, holder))
    assert [(f.lot, f.suppliers, f.confidence) for f in found] == [
        ("lot:L1", (org(1), org(2)), 0.95),
        ("lot:L2", (org(1), org(2)), 0.9),
    ]
    golden("same_deposit_account", found)


def test_a_deposit_from_a_person_tied_to_another_bidder_on_the_day_is_flagged() -> None:
    rep = person(7)
    l1 = lot(
        "L1",
        [bid(1, 10, ids=[account(5, rep)], holder_name="张三"), bid(2, 11), bid(3, 12)],
    )
    behind = ties(
        tie("LEGAL_REP_OF", rep, org(2)),
        tie("LEGAL_REP_OF", rep, org(1)),
        tie("EMPLOYED_BY", rep, org(3), end=date(2025, 3, 19)),
        tie("BUYS_FROM", rep, org(3)),
    )
    found = run(DETECTOR, facts(l1, ties=behind))
    assert who(found) == [(org(1), org(2))]
    assert found[0].confidence == 0.85
    golden("same_deposit_account_tied", found)
    # its own legal representative's account alone is no link
    own = ties(tie("LEGAL_REP_OF", rep, org(1)))
    assert run(DETECTOR, facts(l1, ties=own)) == []


def test_the_same_holder_name_links_bidders_and_a_bidder_of_that_name() -> None:
    named = lot(
        "L1",
        [
            bid(1, 10, ids=[account(1)], holder_name="甲公司（北京）"),
            bid(2, 11, ids=[account(2)], holder_name="甲公司(北京)"),
            bid(3, 12, ids=[account(3)], holder_name="乙 公司", supplier_name="x"),
            bid(4, 13, supplier_name="乙公司"),
        ],
    )
    found = run(DETECTOR, facts(named))
    assert [(f.suppliers, f.confidence) for f in found] == [
        ((org(1), org(2)), 0.8),
        ((org(3), org(4)), 0.8),
    ]
    golden("same_deposit_account_name", found)


def test_a_person_holders_name_blank_names_and_other_edges_are_not_flagged() -> None:
    l1 = lot(
        "L1",
        [
            bid(1, 10, ids=[account(1, person(1))], holder_name="张三"),
            bid(2, 11, ids=[account(2, person(2))], holder_name="张三"),
            bid(3, 12, ids=[account(3)], holder_name=" - "),
            bid(4, 13, ids=[account(4)], holder_name=" - "),
            bid(5, 14, ids=[Identifier("AGENT", "account:9")]),
            bid(6, 15, ids=[Identifier("AGENT", "account:9")]),
        ],
    )
    assert run(DETECTOR, facts(l1)) == []
