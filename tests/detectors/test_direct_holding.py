"""DIRECT_HOLDING: one bidder holds (a share above the threshold) or manages another."""

from __future__ import annotations

from credit.detection.detectors.direct_holding import DETECTOR
from tests.detectors.build import bid, facts, golden, lot, org, run, tie, ties, who

L1 = lot("L1", [bid(1, 1000), bid(2, 1100), bid(3, 1200)])


def test_a_majority_stake_and_a_management_tie_are_flagged() -> None:
    behind = ties(
        tie("OWNS", org(1), org(2), share=0.51),
        tie("CONTROLS", org(1), org(2)),
        tie("MANAGES", org(3), org(1)),
    )
    found = run(DETECTOR, facts(L1, ties=behind))
    assert who(found) == [(org(1), org(2)), (org(1), org(3))]
    assert found[0].facts == {"shared": [f"{org(1)}>{org(2)}"]}
    assert found[1].facts == {"shared": [f"{org(3)}>{org(1)}"]}
    assert found[0].confidence == 0.95
    golden("direct_holding", found)


def test_a_stake_at_the_threshold_is_not_a_holding_above_it_is() -> None:
    at = ties(tie("OWNS", org(1), org(2), share=0.5))
    assert run(DETECTOR, facts(L1, ties=at)) == []
    assert who(run(DETECTOR, facts(L1, ties=at), min_share=0.49)) == [(org(1), org(2))]


def test_a_holding_of_a_company_that_is_not_bidding_is_not_flagged() -> None:
    behind = ties(tie("OWNS", org(9), org(2), share=1.0), tie("OWNS", org(1), org(9), share=1.0))
    assert run(DETECTOR, facts(L1, ties=behind)) == []
