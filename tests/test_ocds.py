"""OCDS intake: real public data converts with the expected counts, its parties kept under their
own schemes (AM-TIN, UA-EDR), and never crashes; the hand-made Chinese package lands its
projects, lots, bids, awards and contracts once, and a repeat changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit.core.store import GraphStore
from credit.formats import Conversion, ocds
from credit.intake.pipeline import Intake, validate_record
from tests import factories as f
from tests.conftest import run_cli
from tests.formats_support import counts, json_values, land

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ocds"
HANDMADE = FIXTURES / "cn-handmade-release-package.json"
OCID = "ocds-213czf-cn-2025-0001"


def test_real_armenian_package_lands_its_parties_under_am_tin(
    intake: Intake, store: GraphStore
) -> None:
    conversion = ocds.read(FIXTURES / "armeps-release-package-sample.json")
    report = conversion.report
    assert report is not None
    assert counts(conversion) == {
        "party": (17, 17),
        "project": (6, 6),
        "lot": (7, 7),
        "bid": (13, 12),
        "award": (5, 0),
        "contract": (5, 0),
    }
    assert report.skips("party") == {}
    assert report.skips("bid") == {"value.missing": 1}
    assert report.skips("award") == {"relatedLots.unknown_lot": 5}
    assert report.skips("contract") == {"award.not_mapped": 5}
    assert report.noted["bid", "status.nonstandard:qualified->VALID"] == 12
    assert report.noted["bid", "status.nonstandard:not-qualified->DISQUALIFIED"] == 1
    assert report.noted["bid", "relatedLot.nonstandard_field"] == 13
    assert report.errors == []
    landed = land(intake, conversion)
    assert (landed.errors, landed.changed) == ([], 16 + 6 + 7 + 12)  # 16 organisations
    schemes = store.read(
        "MATCH (o:Organization) RETURN o.scheme AS scheme, o.uscc AS uscc, count(*) AS n"
    )
    assert [tuple(r.values()) for r in schemes] == [("AM-TIN", None, 16)]


def test_real_prozorro_release_with_embedded_organisations_is_read_as_parties() -> None:
    conversion = ocds.read(FIXTURES / "prozorro-UA-2017-04-10-002020-b.json")
    report = conversion.report
    assert report is not None
    assert counts(conversion) == {
        "party": (3, 3),
        "project": (1, 1),
        "lot": (1, 1),
        "bid": (2, 2),
        "award": (2, 1),
        "contract": (1, 1),
    }
    assert report.skips("award") == {"status.unsuccessful": 1}
    assert report.noted["bid", "status.nonstandard:active->VALID"] == 2
    orgs = sorted(r["identifier"]["id"] for _, r in conversion.items if r["type"] == "organization")
    assert orgs == ["05536797", "1992916539", "30374983"]  # a sole trader's 10-digit number too


def test_handmade_package_reports_every_skip_with_its_reason() -> None:
    conversion = ocds.read(HANDMADE)
    report = conversion.report
    assert report is not None
    assert counts(conversion) == {
        "party": (12, 10),
        "project": (2, 2),
        "lot": (3, 3),
        "bid": (13, 8),
        "award": (4, 3),
        "contract": (3, 1),
    }
    assert report.skips("party") == {  # the GB-COH party lands under its scheme
        "uscc.check_character": 1,
        "roles.none_mapped": 1,
    }
    assert report.skips("bid") == {
        "tenderer.not_mapped": 1,
        "value.missing": 1,
        "date.missing": 1,
        "relatedLots.several:value_cannot_be_split": 1,
        "status.invited:no_bid_submitted": 1,
    }
    assert report.skips("contract") == {"status.cancelled": 1, "award.not_mapped": 1}
    assert report.noted["bid", "status.unknown:intreatment->VALID"] == 1
    assert report.noted["party", "role.unmapped:payer"] == 1
    assert report.noted["project", "release.superseded_by_later_release"] == 1
    assert report.examples["bid", "value.missing"] == [f"{OCID} bid b8"]
    assert len(conversion.items) == 24


def test_handmade_package_lands_projects_with_ocid_lots_bids_and_awards(
    intake: Intake, store: GraphStore
) -> None:
    report = land(intake, ocds.read(HANDMADE))
    assert report.errors == []
    assert report.changed == 24
    projects = store.read(
        "MATCH (p:Project)-[:PURCHASED_BY]->(b:Purchaser) OPTIONAL MATCH (p)-[:RUN_BY]->(a:Agency)"
        " RETURN p.ocid AS ocid, p.method AS method, p.category AS category,"
        " p.name AS name, b.uscc AS buyer, a.uscc AS agency ORDER BY ocid"
    )
    assert [dict(r) for r in projects] == [
        {
            "ocid": OCID,
            "method": "OPEN_TENDERING",
            "category": "GOODS",
            "name": "西湖区中小学教学设备采购",
            "buyer": f.make_uscc(901),
            "agency": f.make_uscc(902),
        },
        {
            "ocid": "ocds-213czf-cn-2025-0002",
            "method": "COMPETITIVE_CONSULTATION",
            "category": "SERVICES",
            "name": "校园网络运维服务",  # the later release, not the superseded one
            "buyer": f.make_uscc(901),
            "agency": None,
        },
    ]
    bids = store.read(
        "MATCH (s:Supplier)-[:SUBMITTED]->(b:Bid)-[:FOR_LOT]->(l:Lot)<-[:HAS_LOT]-(p:Project)"
        " RETURN p.ocid AS ocid, l.key AS lot, b.key AS bid, s.uscc AS supplier,"
        " b.price_exact AS price, b.status AS status ORDER BY bid"
    )
    assert [(r["lot"], r["bid"], r["price"], r["status"]) for r in bids] == [
        (f"{OCID}/1", f"{OCID}/bid/b1", "780000.00", "VALID"),
        (f"{OCID}/1", f"{OCID}/bid/b2", "790000.50", "VALID"),
        (f"{OCID}/2", f"{OCID}/bid/b3", "385000.00", "VALID"),
        (f"{OCID}/2", f"{OCID}/bid/b4", "390000.00", "VALID"),
        (f"{OCID}/2", f"{OCID}/bid/b5", "395000.00", "WITHDRAWN"),
        (f"{OCID}/2", f"{OCID}/bid/b6", "52000.00", "VALID"),  # GB-COH-01234567's bid
        ("ocds-213czf-cn-2025-0002/1", "ocds-213czf-cn-2025-0002/bid/d1", "280000.00", "VALID"),
        (
            "ocds-213czf-cn-2025-0002/1",
            "ocds-213czf-cn-2025-0002/bid/d2",
            "275000.00",
            "DISQUALIFIED",
        ),
    ]
    member = store.read(
        "MATCH (m:Organization)-[:CONSORTIUM_MEMBER_OF]->(b:Bid) RETURN m.uscc AS m, b.key AS b"
    )
    assert [(r["m"], r["b"]) for r in member] == [
        (f.make_uscc(914), "ocds-213czf-cn-2025-0002/bid/d1")
    ]
    awards = store.read(
        "MATCH (a:Award)-[:WON_BY]->(s:Supplier) OPTIONAL MATCH (a)-[:FROM_BID]->(b:Bid)"
        " OPTIONAL MATCH (c:Contract)-[:UNDER_AWARD]->(a)"
        " RETURN a.key AS award, s.uscc AS supplier, a.amount_exact AS amount,"
        " b.key AS bid, c.key AS contract ORDER BY award"
    )
    assert [tuple(r.values()) for r in awards] == [
        (
            f"{OCID}/award/a1",
            f.make_uscc(911),
            "780000.00",
            f"{OCID}/bid/b1",
            f"{OCID}/contract/c1",
        ),
        (f"{OCID}/award/a2", f.make_uscc(913), "385000.00", f"{OCID}/bid/b3", None),
        ("ocds-213czf-cn-2025-0002/award/e1", f.make_uscc(911), "280000.00", None, None),
    ]
    supplier = store.node(f"org:{f.make_uscc(911)}")
    assert supplier is not None
    assert supplier.props["roles"] == ["SUPPLIER"]
    assert supplier.props["source"] == "ocds"


def test_a_second_ingest_of_the_same_package_changes_nothing(intake: Intake) -> None:
    assert land(intake, ocds.read(HANDMADE)).changed == 24
    again = land(intake, ocds.read(HANDMADE))
    assert again.errors == []
    assert (again.changed, again.unchanged) == (0, 17)  # the 7 organisations are now known


def test_known_organisations_are_referenced_not_rewritten(
    intake: Intake, store: GraphStore
) -> None:
    registered = f.organization(
        911, name="杭州鼎盛科技有限公司（登记名）", roles=["SUPPLIER", "AGENCY"]
    )
    assert intake.run([(1, registered)]).errors == []
    conversion = ocds.read(HANDMADE)
    report = land(intake, conversion)
    assert report.errors == []
    node = store.node(f"org:{f.make_uscc(911)}")
    assert node is not None
    assert (node.props["name"], node.props["roles"]) == (registered["name"], ["AGENCY", "SUPPLIER"])
    assert conversion.report is not None
    assert conversion.report.noted["organization", "already_in_graph:left_as_is"] == 1
    wins = store.read(
        "MATCH (a:Award)-[:WON_BY]->(:Organization {uscc: $u}) RETURN count(a) AS n",
        u=f.make_uscc(911),
    )
    assert wins[0]["n"] == 2


def _records(conversion: Conversion) -> list[str]:
    return sorted(
        (json.dumps(record, sort_keys=True, default=str) for _, record in conversion.items)
    )


def test_record_packages_and_json_lines_read_like_the_release_package(tmp_path: Path) -> None:
    package = json.loads(HANDMADE.read_text(encoding="utf-8"))
    latest = package["releases"][:2]  # the third release is superseded
    shapes = {
        "compiled.json": {"records": [{"ocid": r["ocid"], "compiledRelease": r} for r in latest]},
        "releases-only.json": {
            "records": [{"ocid": r["ocid"], "releases": [r]} for r in package["releases"]]
        },
        "releases.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in latest),
    }
    expected = _records(ocds.read(HANDMADE))
    for name, content in shapes.items():
        path = tmp_path / name
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        assert _records(ocds.read(path)) == expected, name


@pytest.mark.parametrize(
    ("method", "details", "expected"),
    [
        ("open", "公开招标", "OPEN_TENDERING"),
        ("selective", "邀请招标", "SELECTIVE_TENDERING"),
        ("limited", None, "SINGLE_SOURCE"),
        ("limited", "竞争性谈判", "COMPETITIVE_NEGOTIATION"),
        ("limited", "询价采购", "REQUEST_FOR_QUOTATION"),
        ("limited", "单一来源采购", "SINGLE_SOURCE"),
        ("direct", "Negotiated Procedure", "SINGLE_SOURCE"),
        (None, "竞争性磋商", "COMPETITIVE_CONSULTATION"),
        ("electronicAuction", None, "OPEN_TENDERING"),  # unknown: default, and noted
    ],
)
def test_procurement_methods_map_to_ours(
    tmp_path: Path, method: str | None, details: str | None, expected: str
) -> None:
    buyer = {"id": "B", "identifier": {"scheme": "CN-USCC", "id": f.make_uscc(901)}}
    release = {
        "ocid": "ocds-m",
        "date": "2025-01-01T00:00:00Z",
        "parties": [buyer | {"name": "采购人", "roles": ["buyer"]}],
        "buyer": {"id": "B"},
        "tender": {"procurementMethod": method, "procurementMethodDetails": details},
    }
    path = tmp_path / "release.json"
    path.write_text(json.dumps(release, ensure_ascii=False), encoding="utf-8")
    conversion = ocds.read(path)
    project = next(record for _, record in conversion.items if record["type"] == "project")
    assert project["method"] == expected
    assert conversion.report is not None
    unknown = "procurementMethod.unmapped:electronicAuction->OPEN_TENDERING"
    assert conversion.report.noted["project", unknown] == (method == "electronicAuction")


def test_a_malformed_file_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"ocid": "ocds-x", "tender": []}\n{not json\n42\n', encoding="utf-8")
    conversion = ocds.read(path)
    assert conversion.report is not None
    assert conversion.report.errors == [
        "line 2: json.syntax: Expecting property name enclosed in double quotes",
        "document.type: a package, record or release is a JSON object",
    ]
    assert conversion.report.skips("project") == {"buyer.missing": 1}


_KEYS = [
    "ocid",
    "id",
    "date",
    "parties",
    "roles",
    "identifier",
    "scheme",
    "additionalIdentifiers",
    "name",
    "buyer",
    "tender",
    "procurementMethod",
    "procurementMethodDetails",
    "mainProcurementCategory",
    "lots",
    "value",
    "amount",
    "currency",
    "tenderPeriod",
    "startDate",
    "endDate",
    "bids",
    "details",
    "tenderers",
    "status",
    "relatedLots",
    "relatedLot",
    "awards",
    "suppliers",
    "relatedBids",
    "relatedBid",
    "contracts",
    "awardID",
    "dateSigned",
    "title",
    "contactPoint",
    "telephone",
    "email",
    "address",
    "releases",
    "records",
    "compiledRelease",
]
_WORDS = (
    "CN-USCC",
    f.make_uscc(1),
    f.make_uscc(2),
    "2025-03-01T09:00:00+08:00",
    "2025-13-45",
    "CNY",
    "open",
    "limited",
    "竞争性谈判",
    "active",
    "valid",
    "invited",
    "buyer",
    "procuringEntity",
    "tenderer",
    "supplier",
    "1",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(release=json_values(_KEYS, _WORDS), wrap=st.booleans())
def test_any_json_converts_without_crashing(
    tmp_path_factory: pytest.TempPathFactory, release: Any, wrap: bool
) -> None:
    if isinstance(release, dict):
        release["ocid"] = "ocds-fuzz"
    document = {"releases": [release]} if wrap else release
    path = tmp_path_factory.mktemp("fuzz") / "release.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    conversion = ocds.read(path)
    for position, record in conversion.items:
        validate_record(position, record)  # valid or reported, never an exception


def test_cli_ingests_ocds_with_a_source_and_reports_the_conversion(
    store: GraphStore, tmp_path: Path
) -> None:
    done = run_cli("ingest", "--format", "ocds", "--source", "xihu-gp", str(HANDMADE))
    assert done.returncode == 0, done.stderr
    assert "24 received, 24 changed, 0 unchanged, 0 rejected" in done.stdout
    assert "  bid: 13 seen, 8 mapped" in done.stdout
    assert f"  skipped 1: value.missing (e.g. {OCID} bid b8)" in done.stdout
    project = store.node(f"project:{OCID}")
    assert project is not None
    assert project.props["source"] == "xihu-gp"
    package = json.loads(HANDMADE.read_text(encoding="utf-8"))
    package["releases"][0]["bids"]["details"][0]["value"]["amount"] = 10**22
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    done = run_cli("ingest", "--format", "ocds", str(bad))
    assert done.returncode == 1
    assert f"[{OCID} bids.details[0]]" in done.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    done = run_cli("ingest", "--format", "ocds", str(broken))
    assert done.returncode == 1
    assert "ocds: line 1: json.syntax:" in done.stdout


def test_cli_refuses_an_unknown_format_and_a_bad_source() -> None:
    assert run_cli("ingest", "--format", "xml", str(HANDMADE)).returncode == 2
    assert (
        run_cli("ingest", "--format", "ocds", "--source", "Bad Source", str(HANDMADE)).returncode
        == 2
    )
    assert (
        run_cli("ingest", "--source", "ocds", str(HANDMADE)).returncode == 2
    )  # our format names its own
