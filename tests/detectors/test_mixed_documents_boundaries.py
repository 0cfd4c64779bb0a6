"""MIXED_DOCUMENTS at its boundaries: the minimum section size, how much one shared attachment
or section weighs, every pair of a lot looked at, and a finding's whole wording and evidence
(golden/mixed_documents_evidence.json). Pure: facts built directly, no database."""

from __future__ import annotations

import pytest

from credit.detection.detectors.mixed_documents import DETECTOR
from credit.detection.facts import SectionFact
from tests.detectors.build import bid, facts, golden, lot, run, who
from tests.detectors.test_mixed_documents import pair, sec, with_sections


def sized(n: int, size: int) -> SectionFact:
    return SectionFact(f"section:h{n}", f"sha256:{n:064x}", "SECTION", size=size, carriers=2)


@pytest.mark.parametrize(("size", "flagged"), [(99, False), (100, True), (101, True)])
def test_a_shared_section_counts_from_the_minimum_size_up(size: int, flagged: bool) -> None:
    shared = sized(1, size)
    found = run(DETECTOR, facts(lot("L1", pair((shared, sec(5)), (shared, sec(6))))), min_size=100)
    assert len(found) == (1 if flagged else 0)


@pytest.mark.parametrize(("kind", "confidence"), [("ATTACHMENT", 0.72), ("SECTION", 0.675)])
def test_a_shared_attachment_weighs_more_than_a_shared_text_section(
    kind: str, confidence: float
) -> None:
    """Half of each bid's own material shared (miss 0.5), times 1 - weight (0.6 or 0.5)."""
    shared = sec(9, kind=kind)
    (found,) = run(DETECTOR, facts(lot("L1", pair((shared, sec(5)), (shared, sec(6))))))
    assert found.confidence == pytest.approx(confidence)


def test_a_pair_sharing_nothing_does_not_stop_the_pairs_after_it() -> None:
    bids = [
        with_sections(bid(1, 100, uid="bid:a"), sec(1)),
        with_sections(bid(2, 101, uid="bid:b"), sec(2)),
        with_sections(bid(3, 102, uid="bid:c"), sec(2)),
    ]
    assert who(run(DETECTOR, facts(lot("L1", bids)))) == [("org:S2", "org:S3")]


def _placed(n: int, kind: str, title: str, page: int) -> SectionFact:
    return SectionFact(
        f"section:h{n}", f"sha256:{n:064x}", kind, title=title, page=page, carriers=2
    )


def test_a_finding_names_the_shared_material_where_each_bid_carries_it_and_its_share() -> None:
    """A third of the smaller bid's own material: one text section and one scanned licence,
    each at its own title and page in each bid."""
    first = (
        _placed(1, "SECTION", "技术方案", 12),
        _placed(2, "ATTACHMENT", "营业执照", 3),
        *(sec(n) for n in range(10, 14)),
    )
    second = (
        _placed(1, "SECTION", "实施方案", 40),
        SectionFact("section:h2", f"sha256:{2:064x}", "ATTACHMENT", carriers=2),
        *(sec(n) for n in range(20, 25)),
    )
    found = run(DETECTOR, facts(lot("L1", pair(first, second))))
    assert [f.scores for f in found] == [{"share": 0.3333}]
    golden("mixed_documents_evidence", found)
