"""Mixed-up bid documents (Order 87 Art. 37 item 5): bids of two bidders sharing sections that
are neither the tender's boilerplate nor a template many unrelated bids carry, from the
fingerprint helper through intake, the graph and the detector to the flag and its evidence
over GraphQL; with its near-misses, the OCDS route and the pure helper."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.detection.detectors import mixed_documents
from credit.detection.facts import BidFact, Facts, LotFacts, SectionFact
from credit.detection.registry import default_settings
from credit.domain.fingerprints import (
    attachment,
    document_sections,
    fingerprint,
    normalise,
    split_sections,
)
from credit.formats import ocds
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient, ingest
from tests.detect_fixtures import BUYER, buyer, load, lot_flags, orgs, suppliers, tender
from tests.formats_support import land

PLAIN = {1: "1000000", 2: "1043700", 3: "1097350"}
_WORDS = "本公司针对项目现场实际情况制定专门实施方案并配置技术人员设备材料进度质量安全保障措施"


def passage(n: int) -> str:
    """A distinct paragraph of about 60 characters: the n-th section of someone's writing."""
    return "".join(_WORDS[(n * 7 + k * (n % 5 + 1)) % len(_WORDS)] for k in range(60)) + f"{n}。"


def document(*numbers: int) -> str:
    """A bid document whose chapters are the given passages, one chapter a page."""
    return "\f".join(f"第{i + 1}章 章节{n}\n{passage(n)}\n" for i, n in enumerate(numbers))


def fields(*numbers: int, files: tuple[bytes, ...] = ()) -> dict[str, Any]:
    sections = document_sections(document(*numbers)) + [attachment(b) for b in files]
    return {"sections": [s.model_dump(mode="json", exclude_none=True) for s in sections]}


def market(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*suppliers(1, 2, 3, 4, 5, 6, 7), buyer(), *extra]


# --- the fingerprint helper -------------------------------------------------------------------


def test_normalising_ignores_layout_case_width_and_punctuation() -> None:
    assert normalise("ＡＢＣ， d e—f。\n１２") == "abcdef12"
    assert fingerprint("技术方案：  采用ABC平台。") == fingerprint("技术方案采用ａｂｃ平台")
    assert fingerprint("技术方案采用abc平台") != fingerprint("技术方案采用abd平台")
    assert fingerprint("x").startswith("sha256:")


def test_sections_are_split_at_headings_with_their_pages() -> None:
    text = f"第一章 总则\n{passage(1)}\n\f第二章 技术方案\n{passage(2)}\n（一）附表\n{passage(3)}"
    split = split_sections(text)
    assert [(t, p) for t, _, p in split] == [
        ("第一章 总则", 1),
        ("第二章 技术方案", 2),
        ("（一）附表", 2),
    ]
    found = document_sections(text)
    assert [s.title for s in found] == ["第一章 总则", "第二章 技术方案", "（一）附表"]
    assert found[1].hash == fingerprint(passage(2)) and found[1].page == 2


def test_paragraphs_make_the_sections_of_a_text_without_headings_and_short_ones_drop() -> None:
    found = document_sections(f"{passage(1)}\n\n目录\n\n{passage(2)}\n\n{passage(1)}")
    assert [s.hash for s in found] == [fingerprint(passage(1)), fingerprint(passage(2))]
    assert all(s.title is None and (s.size or 0) >= 40 for s in found)


def test_an_attachment_is_hashed_as_a_file() -> None:
    scan = attachment(b"%PDF-1.7 licence scan", "营业执照")
    assert scan.kind == "ATTACHMENT" and scan.title == "营业执照" and scan.size == 21
    assert scan.hash != attachment(b"%PDF-1.7 licence scan!").hash


# --- flagged -----------------------------------------------------------------------------------


def test_two_bidders_sharing_their_own_sections_are_flagged_with_the_sections_named(
    intake: Intake, store: GraphStore
) -> None:
    bids = {1: fields(10, 11, 12, 13), 2: fields(20, 21, 12, 13), 3: fields(30, 31, 32, 33)}
    load(intake, market(*tender("L1", PLAIN, bids=bids)))
    (flag,) = lot_flags(store, "L1", "MIXED_DOCUMENTS")
    assert flag.suppliers == orgs(1, 2)
    assert "第三十七条" in flag.basis and "（五）" in flag.basis and "相互混装" in flag.basis
    assert "第七十四条" in flag.basis
    shared = flag.evidence["facts"]["shared_sections"]
    assert sorted(s["hash"] for s in shared) == sorted(
        [fingerprint(passage(12)), fingerprint(passage(13))]
    )
    places = {(p["supplier"], p["title"], p["page"]) for s in shared for p in s["in"]}
    assert (orgs(1)[0], "第3章 章节12", 3) in places and (orgs(2)[0], "第4章 章节13", 4) in places
    hubs = {f"section:{s['hash']}" for s in shared}
    assert hubs <= set(flag.evidence["nodes"])
    assert {(e["type"], e["end"]) for e in flag.evidence["edges"]} >= {
        ("HAS_SECTION", h) for h in hubs
    }


def test_a_shared_attachment_is_evidence_too(intake: Intake, store: GraphStore) -> None:
    licence = b"scan of supplier 2's quality certificate"
    bids = {1: fields(10, 11, files=(licence,)), 2: fields(20, 21, files=(licence,))}
    load(intake, market(*tender("L1", PLAIN, bids=bids)))
    (flag,) = lot_flags(store, "L1", "MIXED_DOCUMENTS")
    assert flag.suppliers == orgs(1, 2)
    assert [s["kind"] for s in flag.evidence["facts"]["shared_sections"]] == ["ATTACHMENT"]


def test_confidence_rises_with_the_number_and_share_of_shared_sections(
    intake: Intake, store: GraphStore
) -> None:
    own = list(range(100, 110))
    one = {1: fields(*own), 2: fields(*own[:1], 201, 202, 203, 204, 205, 206, 207, 208, 209)}
    three = {1: fields(*own), 2: fields(*own[:3], 301, 302, 303, 304, 305, 306, 307)}
    whole = {1: fields(*own), 2: fields(*own)}
    load(
        intake,
        market(
            *tender("L1", PLAIN, bids=one),
            *tender("L2", PLAIN, bids=three),
            *tender("L3", PLAIN, bids=whole),
        ),
    )
    weights = [lot_flags(store, lot, "MIXED_DOCUMENTS")[0].confidence for lot in ("L1", "L2", "L3")]
    assert weights[0] < weights[1] < weights[2] == 0.9


# --- near-misses ------------------------------------------------------------------------------


def test_sections_copied_from_the_tender_documents_are_not_evidence(
    intake: Intake, store: GraphStore
) -> None:
    boilerplate = fields(1, 2, 3)  # the tender's forms and contract terms, which every bid fills in
    bids = {1: fields(1, 2, 3, 10, 11), 2: fields(1, 2, 3, 20, 21), 3: fields(1, 2, 30)}
    load(intake, market(*tender("L1", PLAIN, bids=bids, project=boilerplate)))
    assert lot_flags(store, "L1", "MIXED_DOCUMENTS") == []


def test_a_template_many_unrelated_bids_carry_is_not_evidence(
    intake: Intake, store: GraphStore
) -> None:
    """One section (a commitment-letter template circulating in the market) in the bids of
    three other suppliers on other lots besides the two bidders here."""
    elsewhere = [
        *tender("L2", {4: "1000000", 5: "1010000"}, bids={4: fields(7, 40), 5: fields(7, 50)}),
        *tender("L3", {6: "1000000", 3: "1010000"}, bids={6: fields(7, 60), 3: fields(33)}),
    ]
    bids = {1: fields(7, 10, 11), 2: fields(7, 20, 21), 3: fields(30)}
    load(intake, market(*elsewhere, *tender("L1", PLAIN, bids=bids)))
    assert lot_flags(store, "L1", "MIXED_DOCUMENTS") == []
    # ... while a section only the pair shares still is: the template does not hide it
    load(intake, [*tender("L4", PLAIN, bids={1: fields(7, 8), 2: fields(7, 8)})])
    (flag,) = lot_flags(store, "L4", "MIXED_DOCUMENTS")
    assert [s["hash"] for s in flag.evidence["facts"]["shared_sections"]] == [
        fingerprint(passage(8))
    ]


def test_the_same_bidders_two_bids_are_no_mix_up(intake: Intake, store: GraphStore) -> None:
    records = [
        *tender("L1", PLAIN, bids={1: fields(10, 11), 2: fields(20)}),
        f.bid("L1-B1-2", "L1", 1, "990000", **fields(10, 11, 12)),
    ]
    load(intake, market(*records))
    assert lot_flags(store, "L1", "MIXED_DOCUMENTS") == []


def test_a_replaced_bid_without_the_shared_sections_ends_the_flag(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(*tender("L1", PLAIN, bids={1: fields(10, 11), 2: fields(10, 21)})))
    assert len(lot_flags(store, "L1", "MIXED_DOCUMENTS")) == 1
    load(intake, [f.bid("L1-B2", "L1", 2, PLAIN[2], version=2, **fields(20, 21))])
    assert lot_flags(store, "L1", "MIXED_DOCUMENTS") == []


def test_a_malformed_fingerprint_is_refused_naming_the_field(
    intake: Intake, store: GraphStore
) -> None:
    bad = f.bid("X1", "L1", 1, "100", sections=[{"kind": "SECTION", "hash": "md5:XYZ"}])
    report = ingest(intake, [*market(), *tender("L1", {2: "100"}), bad])
    (error,) = report.errors
    assert (error.field, error.rule) == ("sections.0.hash", "pattern")
    assert store.node("bid:X1") is None


# --- the pure detector ------------------------------------------------------------------------


def _bid(uid: str, supplier: str, *sections: SectionFact) -> BidFact:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    return BidFact(uid, supplier, Decimal(100), "CNY", "VALID", at, sections=sections)


def test_the_detector_on_plain_facts_counts_carriers_outside_the_lot() -> None:
    def sec(n: int, carriers: int, tender: bool = False) -> SectionFact:
        return SectionFact(
            f"section:h{n}", f"sha256:{n:064x}", "SECTION", carriers=carriers, tender=tender
        )

    settings = default_settings().of("MIXED_DOCUMENTS")
    lot = LotFacts(
        uid="lot:X",
        key="X",
        project="project:X",
        project_key="X",
        ocid=None,
        purchaser=None,
        agency=None,
        category=None,
        day=date(2025, 3, 1),
        budget=None,
        bids=(
            _bid("bid:a", "org:A", sec(1, 2), sec(2, 5), sec(3, 2, tender=True)),
            _bid("bid:b", "org:B", sec(1, 2), sec(2, 5), sec(3, 2, tender=True)),
        ),
    )
    (found,) = mixed_documents.DETECTOR.run(Facts(lots=[lot]), settings)
    assert [s["hash"] for s in found.facts["shared_sections"]] == [f"sha256:{1:064x}"]
    assert found.facts["own_sections"] == {"org:A": 1, "org:B": 1}
    assert found.confidence == 0.9  # all of the pair's own material is shared


# --- OCDS -------------------------------------------------------------------------------------


def _release(
    bid_docs: dict[int, list[dict[str, Any]]], tender_docs: list[dict[str, Any]]
) -> dict[str, Any]:
    parties = [
        {
            "id": str(n),
            "name": f"测试{n}",
            "identifier": {"scheme": "CN-USCC", "id": f.make_uscc(n)},
            "roles": ["buyer"] if n == BUYER else ["tenderer"],
        }
        for n in (BUYER, 1, 2, 3)
    ]
    return {
        "ocid": "ocds-test-mix-1",
        "id": "r1",
        "date": "2025-03-20T10:00:00+08:00",
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": parties,
        "buyer": {"id": str(BUYER)},
        "tender": {
            "id": "t1",
            "title": "混装测试",
            "datePublished": "2025-03-01T00:00:00+08:00",
            "documents": tender_docs,
        },
        "bids": {
            "details": [
                {
                    "id": f"b{n}",
                    "date": "2025-03-19T10:00:00+08:00",
                    "status": "valid",
                    "tenderers": [{"id": str(n)}],
                    "value": {"amount": 1000000 + n, "currency": "CNY"},
                    "documents": docs,
                }
                for n, docs in bid_docs.items()
            ]
        },
    }


def _doc(n: int, page: str | None = "3") -> dict[str, Any]:
    return {"id": f"d{n}", "title": f"章节{n}", "hash": fingerprint(passage(n))} | (
        {"pageStart": page} if page else {}
    )


def test_ocds_documents_with_a_hash_carry_the_fingerprints(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    release = _release(
        {
            1: [_doc(1), _doc(10), _doc(12, None)],
            2: [_doc(1), _doc(20), _doc(12, None)],
            3: [_doc(1)],
        },
        [_doc(1)],
    )
    release["bids"]["details"][2]["documents"].append({"id": "x", "hash": "md5:nothex"})
    path = tmp_path / "release.json"
    path.write_text(json.dumps({"releases": [release]}), encoding="utf-8")
    load(intake, [*suppliers(1, 2, 3), buyer()])
    conversion = ocds.read(path)
    assert conversion.report is not None
    assert conversion.report.noted["bid", "documents.hash.invalid:skipped"] == 1
    bid = next(
        r for _, r in conversion.items if r["type"] == "bid" and r["supplier"] == f.make_uscc(1)
    )
    assert bid["sections"][0] == {
        "kind": "SECTION",
        "hash": fingerprint(passage(1)),
        "title": "章节1",
        "page": 3,
    }
    assert bid["sections"][2]["kind"] == "ATTACHMENT"
    project = next(r for _, r in conversion.items if r["type"] == "project")
    assert project["sections"] == [bid["sections"][0]]
    land(intake, conversion)
    lot = next(r for _, r in conversion.items if r["type"] == "lot")["id"]
    (flag,) = lot_flags(store, lot, "MIXED_DOCUMENTS")
    assert flag.suppliers == orgs(1, 2)
    shared = {s["hash"] for s in flag.evidence["facts"]["shared_sections"]}
    assert shared == {fingerprint(passage(12))}  # section 1 is the tender's own


# --- over GraphQL ---------------------------------------------------------------------------

FLAG = """query($id: ID!) { flag(id: $id) { pattern facts
  evidence { nodes { id kind } edges { type source target properties } } } }"""


def test_the_purchaser_sees_the_shared_sections_of_its_lot(
    intake: Intake, store: GraphStore, client_as: Callable[..., GraphQLClient]
) -> None:
    load(intake, market(*tender("L1", PLAIN, bids={1: fields(10, 12), 2: fields(20, 12)})))
    (flag,) = lot_flags(store, "L1", "MIXED_DOCUMENTS")
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(BUYER))
    seen = purchaser.ok(FLAG, id=flag.uid)["flag"]
    (shared,) = seen["facts"]["shared_sections"]
    assert shared["hash"] == fingerprint(passage(12))
    assert {p["title"] for p in shared["in"]} == {"第2章 章节12"}
    assert "section" in {n["kind"] for n in seen["evidence"]["nodes"]}
    edges = [e for e in seen["evidence"]["edges"] if e["type"] == "HAS_SECTION"]
    assert len(edges) == 2 and all(e["properties"]["page"] == 2 for e in edges)
