"""MIXED_DOCUMENTS: one bidder's documents contain another bidder's material: the bids of two
bidders on a lot share sections or attachments (by their fingerprints, see
credit.domain.fingerprints) that are neither in the tender's documents nor common material
that many unrelated suppliers' bids carry.

Why it signals collusion: independent bidders write their own technical proposal and attach
their own licences and certificates; the same passage or the same scanned certificate in two
"competitors'" bids means one prepared or saw the other's documents. Order 87 Art. 37 item 5
deems bid documents mixed up with each other collusive; sharing the technical content of bids
is malicious collusion under Regs Art. 74 item 3. What the tender documents give every bidder
(forms, the commitment letter, the contract terms) and templates that circulate in the market
(a section found in the bids of more than `max_other_carriers` suppliers outside the pair's
lot) are no evidence. Confidence rises with the number of shared sections and with their share
of the smaller bid's own material, up to `confidence`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations

from pydantic import Field

from credit.detection.common import bid_edges
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import BidFact, Facts, LotFacts, SectionFact
from credit.detection.flags import Edge, Finding, finding
from credit.detection.planting import Lot, Plant, Planting, Record, Wave
from credit.legal import text


class Settings(DetectorSettings):
    confidence: float = 0.9  # the most a flag reaches: every own section of the smaller bid shared
    section_weight: float = Field(default=0.5, gt=0, lt=1)  # one shared text section
    attachment_weight: float = Field(default=0.6, gt=0, lt=1)  # one shared attached file
    # A section in the bids of more suppliers than this besides the lot's carriers is a
    # template of the market, not another bidder's material (the count stops at 100).
    max_other_carriers: int = Field(default=2, ge=0, le=90)
    min_size: int = Field(default=0, ge=0)  # sections known to be shorter are ignored


def _own(bid: BidFact, settings: Settings) -> dict[str, SectionFact]:
    """The bid's own material: not in a tender's documents, not known to be too short."""
    return {
        s.hash: s
        for s in bid.sections
        if not s.tender and (s.size is None or s.size >= settings.min_size)
    }


def _lot(lot: LotFacts, settings: Settings) -> Iterator[Finding]:
    bids_of: dict[str, list[BidFact]] = defaultdict(list)
    own: dict[str, dict[str, SectionFact]] = defaultdict(dict)  # supplier -> hash -> section
    where: dict[tuple[str, str], list[BidFact]] = defaultdict(list)  # (supplier, hash) -> bids
    for bid in lot.bids:
        bids_of[bid.supplier].append(bid)
        for digest, section in _own(bid, settings).items():
            own[bid.supplier].setdefault(digest, section)
            where[(bid.supplier, digest)].append(bid)
    carriers_here: dict[str, set[str]] = defaultdict(set)
    for supplier, sections in own.items():
        for digest in sections:
            carriers_here[digest].add(supplier)
    common = set()
    for digest, here in carriers_here.items():
        carriers = max(own[supplier][digest].carriers for supplier in here)
        if carriers - len(here) > settings.max_other_carriers:
            common.add(digest)
    material = {s: {d: x for d, x in own[s].items() if d not in common} for s in own}
    for a, b in combinations(sorted(material), 2):
        shared = sorted(material[a].keys() & material[b].keys())
        if not shared:
            continue
        smaller = min(len(material[a]), len(material[b]))
        share = len(shared) / smaller
        miss = 1.0 - share
        for digest in shared:
            weight = (
                settings.attachment_weight
                if material[a][digest].kind == "ATTACHMENT"
                else settings.section_weight
            )
            miss *= 1.0 - weight
        confidence = settings.confidence * (1.0 - miss)
        bids = [*bids_of[a], *bids_of[b]]
        edges: list[Edge] = []
        listed = []
        for digest in shared:
            section = material[a][digest]
            places = []
            for supplier in (a, b):
                for bid in where[(supplier, digest)]:
                    mine = next(s for s in bid.sections if s.hash == digest)
                    edges.append(
                        Edge(
                            "HAS_SECTION",
                            bid.uid,
                            mine.uid,
                            {k: v for k, v in _place(mine).items() if v is not None},
                        )
                    )
                    places.append({"supplier": supplier, "bid": bid.uid, **_place(mine)})
            listed.append({"hash": digest, "kind": section.kind, "in": places})
        kinds = sorted({material[a][d].kind.lower() for d in shared})
        yield finding(
            DETECTOR.id,
            lot.uid,
            (a, b),
            confidence,
            f"2 bidders of lot {lot.key} share {len(shared)} document "
            f"{'/'.join(kinds)}(s) that are neither in the tender documents nor a template "
            f"of other bids ({round(share * 100)}% of the smaller bid's own material)",
            nodes=[*(material[a][d].uid for d in shared), *(x.uid for x in bids)],
            edges=[*edges, *bid_edges(lot, bids)],
            facts={
                "shared_sections": listed,
                "own_sections": {a: len(material[a]), b: len(material[b])},
            },
            scores={"share": round(share, 4)},
        )


def _place(section: SectionFact) -> dict[str, str | int | None]:
    return {"title": section.title, "page": section.page}


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        yield from _lot(lot, settings)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def _section(key: str) -> Record:
    """A section fingerprint, made up from a key as a document's text would give it."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return {"kind": "SECTION", "hash": f"sha256:{digest}", "title": f"章节{digest[:6]}"}


def _fingerprint(lot: Lot) -> Lot:
    """The lot's tender documents have three sections (forms, terms) that every bid
    copies; each bid adds five sections and a licence scan of its own."""
    lot.tender_sections = [_section(f"{lot.project}:form:{k}") for k in range(3)]
    for j, bid in enumerate(lot.bids):
        key = f"{lot.id}:{j}:{bid.supplier.uscc}"
        mine = [_section(f"{key}:{k}") | {"page": 4 + k} for k in range(5)]
        scan = _section(f"{key}:licence") | {"kind": "ATTACHMENT", "title": "营业执照"}
        bid.extra["sections"] = [*lot.tender_sections, *mine, scan]
    return lot


def plant(m: Planting) -> None:
    """One bidder's documents contain another's sections or attachment (Order 87 Art. 37
    item 5); every bid of those lots has its own sections and copies the tender's forms.
    Near-misses: lots whose bids share only the tender's sections, and lots whose bids all
    carry one template that circulates in the market."""
    rng = m.rng
    lot = _fingerprint(m.free_lot())
    a, b = rng.sample(lot.bids, 2)
    a.status = b.status = "VALID"
    own = a.extra["sections"]
    if rng.random() < 0.3:  # another bidder's licence scan in the bid
        copied = [{"kind": "ATTACHMENT", "hash": own[-1]["hash"], "title": "资质证书"}]
    else:
        copied = [dict(x) for x in rng.sample(own[3:-1], rng.randint(1, 3))]
    b.extra["sections"] = [*b.extra["sections"], *copied]
    m.record(DETECTOR.id, lot, (a.supplier, b.supplier))
    _fingerprint(m.free_lot())  # the tender's forms in every bid
    template, page = _section("template:承诺函"), {"page": 2 + m.round % 3}
    for bid in _fingerprint(m.free_lot()).bids:  # a market template in every bid
        bid.extra["sections"] = [*bid.extra["sections"], template | page]


# pragma: no mutate end


DETECTOR = Detector(
    id="MIXED_DOCUMENTS",
    order=95,
    title="Bid documents mixed up: bidders share sections not from the tender documents",
    basis=text("ORDER87-37-5", "REGS-74-3"),
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.DOCUMENTS, plant),),
)
