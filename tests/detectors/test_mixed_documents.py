"""MIXED_DOCUMENTS: two bidders' documents share sections or attachments that are neither the
tender's own documents nor a template circulating in the market (Order 87 Art. 37 item 5)."""

from __future__ import annotations

from dataclasses import replace

from credit.detection.detectors.mixed_documents import DETECTOR
from credit.detection.facts import BidFact, SectionFact
from tests.detectors.build import bid, facts, lot, run, who


def sec(n: int, carriers: int = 2, tender: bool = False, kind: str = "SECTION") -> SectionFact:
    return SectionFact(f"section:h{n}", f"sha256:{n:064x}", kind, carriers=carriers, tender=tender)


def with_sections(b: BidFact, *sections: SectionFact) -> BidFact:
    return replace(b, sections=sections)


def pair(
    a: tuple[SectionFact, ...], b: tuple[SectionFact, ...], same: bool = False
) -> list[BidFact]:
    second = 1 if same else 2
    return [
        with_sections(bid(1, 100, uid="bid:a"), *a),
        with_sections(bid(second, 101, uid="bid:b"), *b),
        with_sections(bid(3, 102, uid="bid:c"), sec(30), sec(31)),
    ]


def test_shared_own_sections_are_flagged_and_all_shared_reaches_the_confidence() -> None:
    (found,) = run(DETECTOR, facts(lot("L1", pair((sec(1), sec(2)), (sec(1), sec(2))))))
    assert who([found]) == [("org:" + found.suppliers[0].split(":")[1], found.suppliers[1])]
    assert [s["hash"] for s in found.facts["shared_sections"]] == [
        f"sha256:{1:064x}",
        f"sha256:{2:064x}",
    ]
    assert found.confidence == 0.9


def test_confidence_rises_with_the_share_of_shared_sections() -> None:
    one = run(DETECTOR, facts(lot("L1", pair((sec(1), sec(2), sec(3)), (sec(1), sec(8), sec(9))))))
    two = run(DETECTOR, facts(lot("L1", pair((sec(1), sec(2), sec(3)), (sec(1), sec(2), sec(9))))))
    assert 0 < one[0].confidence < two[0].confidence <= 0.9


def test_tender_sections_and_market_templates_are_no_evidence() -> None:
    tender = (sec(1, tender=True), sec(5))
    assert run(DETECTOR, facts(lot("L1", pair(tender, (sec(1, tender=True), sec(6)))))) == []
    # carried by this lot's two bidders and more than max_other_carriers (2) others
    template = sec(7, carriers=5)
    assert run(DETECTOR, facts(lot("L1", pair((template, sec(5)), (template, sec(6)))))) == []
    # at the boundary: two other carriers is still another bidder's material
    edge = sec(7, carriers=4)
    assert len(run(DETECTOR, facts(lot("L1", pair((edge, sec(5)), (edge, sec(6))))))) == 1


def test_one_bidders_two_bids_are_no_mix_up() -> None:
    assert run(DETECTOR, facts(lot("L1", pair((sec(1),), (sec(1),), same=True)))) == []


def test_a_shared_attachment_counts_too() -> None:
    scan = sec(9, kind="ATTACHMENT")
    (found,) = run(DETECTOR, facts(lot("L1", pair((scan, sec(5)), (scan, sec(6))))))
    assert found.facts["shared_sections"][0]["kind"] == "ATTACHMENT"
