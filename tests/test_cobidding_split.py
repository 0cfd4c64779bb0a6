"""COBIDDING_COMMUNITY on a simulated market: Louvain over one region's year merges a planted club
of four or five into a community of dozens of the trade's bidders; splitting a community that is
not flagged again (Louvain on its subgraph) finds the club. Pure: the rule runs on facts."""

from __future__ import annotations

from datetime import UTC, datetime

from credit.detection.detectors import cobidding_community
from credit.detection.facts import BidFact, LotFacts
from credit.detection.registry import default_settings
from credit.markets.simulate import Market


def market_lots(market: Market) -> list[LotFacts]:
    """The market's lots as the scan gathers them (bids, purchaser, winner)."""
    lots = []
    for lot in market.lots:
        opened = datetime(lot.day.year, lot.day.month, lot.day.day, tzinfo=UTC)
        bids = tuple(
            BidFact(f"{lot.id}-{k}", f"org:{b.supplier.uscc}", b.price, "CNY", b.status, opened)
            for k, b in enumerate(lot.bids)
        )
        winner = lot.winner()
        lots.append(
            LotFacts(
                f"lot:{lot.id}",
                lot.id,
                lot.project,
                lot.project,
                None,
                f"org:{lot.purchaser.uscc}",
                None,
                lot.category,
                lot.day,
                lot.budget,
                bids,
                winner=f"org:{winner.uscc}" if winner else None,
            )
        )
    return sorted(lots, key=lambda lot: (lot.day, lot.uid))


def test_clubs_merged_into_a_large_community_are_found_by_splitting_it() -> None:
    market = Market(103, 600)
    market.build()
    planted = {
        frozenset(f"org:{s}" for s in t.suppliers)
        for t in market.truth
        if t.pattern == "COBIDDING_COMMUNITY"
    }
    settings = default_settings().of("COBIDDING_COMMUNITY")
    assert isinstance(settings, cobidding_community.Settings)
    found = {
        frozenset(c.members) for c in cobidding_community.communities(market_lots(market), settings)
    }
    assert len(planted) == 5
    assert found == planted
    # one Louvain pass (no split) misses two of them
    unsplit = settings.model_copy(update={"split_above": 10**6})
    once = {
        frozenset(c.members) for c in cobidding_community.communities(market_lots(market), unsplit)
    }
    assert len(once & planted) == 3
