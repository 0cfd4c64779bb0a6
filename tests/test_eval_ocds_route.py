"""`credit evaluate --route ocds`: a planted market written as OCDS releases and BODS statements,
read back by the open-data readers, gives the flags our own record format gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.detection.evaluate import Route, evaluate_market, load_market
from credit.detection.flag_store import export
from credit.detection.registry import default_settings
from credit.detection.scan import scan_all
from credit.formats import bods, ocds
from credit.formats.export_ocds import RELEASES, STATEMENTS
from credit.formats.export_ocds import export as export_ocds
from credit.intake.mapping import key_uid
from credit.intake.pipeline import Intake
from credit.markets.simulate import Market

# Lot patterns whose planted lots make the small market: every kind of identity evidence.
LOT_PATTERNS = (
    "SAME_CONTROLLER",
    "DIRECT_HOLDING",
    "COMMON_CONTROLLER",
    "SAME_PREPARER",
    "SAME_AGENT",
    "SHARED_CONTACT",
    "SAME_DEPOSIT_ACCOUNT",
    "SAME_DEVICE",
    "STAFF_CROSSOVER",
    "GROUP_INSTRUCTION",
    "REGULAR_PRICE_DIFFERENCE",
    "IDENTICAL_PRICES",
    "EXPERT_CONFLICT",
    "MIXED_DOCUMENTS",
)
_KEPT = ("organization", "person", "tie", "group", "violation")


def small_market(out: Path, per_pattern: int = 3) -> set[str]:
    """The people, companies and ties of a 120-supplier market, with only a few planted lots
    of each lot pattern (and their bids, awards and reviews); returns the patterns kept."""
    market = Market(11, 120)
    market.build()
    truth = sorted(market.truth, key=lambda t: (t.pattern, t.lot or "", t.suppliers))
    lots: set[str] = set()
    for pattern in LOT_PATTERNS:
        lots |= set(sorted({t.lot for t in truth if t.pattern == pattern and t.lot})[:per_pattern])
    projects = {lot.rsplit("-", 1)[0] for lot in lots}
    out.mkdir(parents=True, exist_ok=True)
    with (out / "records.jsonl").open("w", encoding="utf-8") as handle:
        for record in market.records():
            kind = record["type"]
            keep = (
                kind in _KEPT
                or (kind == "project" and record["id"] in projects)
                or (kind != "project" and (record.get("lot") in lots or record.get("id") in lots))
            )
            if keep:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    kept = [t for t in truth if t.lot in lots]
    (out / "truth.jsonl").write_text(
        "".join(json.dumps(t.line(), ensure_ascii=False) + "\n" for t in kept), encoding="utf-8"
    )
    return {t.pattern for t in kept}


def flags_by_route(
    store: GraphStore, intake: Intake, directory: Path, route: Route
) -> set[tuple[str, str | None, frozenset[str]]]:
    """The current flags after loading the market by `route`, lots named as ours names them."""
    lots = load_market(intake, directory, route)
    ours = {graph: key_uid("lot", mine) for mine, graph in lots.items()}
    scan_all(store, default_settings(), restart=True)
    return {
        (
            f.pattern,
            ours.get((f.lot or "").removeprefix("lot:"), f.lot),
            frozenset({*f.suppliers, *f.others}),
        )
        for f in export(store)
    }


def test_the_ocds_and_bods_route_gives_the_flags_our_format_gives(
    store: GraphStore, intake: Intake, tmp_path: Path
) -> None:
    planted = small_market(tmp_path)
    assert planted >= set(LOT_PATTERNS)
    ours = flags_by_route(store, intake, tmp_path, Route.OURS)
    theirs = flags_by_route(store, intake, tmp_path, Route.OCDS)
    assert {p for p, _, _ in ours} >= set(LOT_PATTERNS)
    assert theirs - ours == set(), "flags only the OCDS route raised"
    assert ours - theirs == set(), "flags the OCDS route lost"
    scores = evaluate_market(store, intake, get_mapper(), tmp_path, default_settings(), Route.OCDS)
    for pattern in LOT_PATTERNS:
        assert scores[pattern].recall == 1.0, pattern


def test_the_export_is_read_as_open_data_with_nothing_skipped(tmp_path: Path) -> None:
    small_market(tmp_path)
    records = [
        json.loads(line)
        for line in (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    written = export_ocds(records)
    written.write(tmp_path / "ocds")
    releases = ocds.read(tmp_path / "ocds" / RELEASES)
    statements = bods.read(tmp_path / "ocds" / STATEMENTS)
    for conversion in (releases, statements):
        assert conversion.report is not None
        assert not conversion.report.errors and not conversion.report.skipped
    bids = [r for _, r in releases.items if r["type"] == "bid"]
    assert len(bids) == sum(1 for r in records if r["type"] == "bid")
    # the extension fields come back as our bid fields, people keyed by identity number
    assert any("preparer" in b for b in bids) and any("team" in b for b in bids)
    assert all("contact" in b and "deposit_account" in b and b["devices"] for b in bids)
    people = [r for _, r in statements.items if r["type"] == "person"]
    assert people and all("id_number" in p for p in people)


def test_section_fingerprints_survive_the_export(tmp_path: Path) -> None:
    """Bids' and tender documents' sections come back from OCDS Documents as they were written:
    kind (a tender section has no page), hash, title, page and size."""
    small_market(tmp_path)
    records = [
        json.loads(line)
        for line in (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    bid = next(r for r in records if r["type"] == "bid" and r.get("sections"))
    bid["sections"] = [s | {"size": 400 + n} for n, s in enumerate(bid["sections"])]
    export_ocds(records).write(tmp_path / "ocds")
    read = [r for _, r in ocds.read(tmp_path / "ocds" / RELEASES).items]

    def sections(items: list[dict[str, Any]], kind: str) -> list[str]:
        """Each record's sections, in order (the reader names records by their ocid)."""
        lists = [r.get("sections", []) for r in items if r["type"] == kind]
        return sorted(json.dumps(found, ensure_ascii=False, sort_keys=True) for found in lists)

    for kind in ("bid", "project"):
        written = sections(records, kind)
        assert any(found != "[]" for found in written), kind
        assert sections(read, kind) == written, kind
    found = "".join(sections(read, "bid"))
    assert all(part in found for part in ('"ATTACHMENT"', '"SECTION"', '"page"', '"size": 401'))
