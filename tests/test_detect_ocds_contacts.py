"""Shared contacts on open data: an OCDS 1.1 release package with the bids extension, read
through the OCDS converter and the normal intake; a party's contactPoint is the contact of each
of its bids in that release, and SHARED_CONTACT fires on it (with near-misses that must not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.formats import ocds
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import lot_flags, orgs
from tests.formats_support import land

OCID = "ocds-213czf-cn-2025-0777"
BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)


def party(n: int, roles: list[str], contact: dict[str, str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": f"CN-USCC-{f.make_uscc(n)}",
        "name": f"测试供应商{n}有限公司",
        "identifier": {"scheme": "CN-USCC", "id": f.make_uscc(n)},
        "roles": roles,
    }
    if contact:
        found["contactPoint"] = contact
    return found


def package(contacts: dict[int, dict[str, str]], prices: dict[int, str]) -> dict[str, Any]:
    """One release of one lot: the buyer (90) and the tenderers with their contactPoints."""
    bids = [
        {
            "id": f"bid-{n}",
            "date": "2025-03-20T08:30:00+08:00",
            "status": "valid",
            "value": {"amount": float(price), "currency": "CNY"},
            "tenderers": [{"id": f"CN-USCC-{f.make_uscc(n)}", "name": f"测试供应商{n}有限公司"}],
            "relatedLots": ["1"],
        }
        for n, price in prices.items()
    ]
    release = {
        "ocid": OCID,
        "id": f"{OCID}-tender-1",
        "date": "2025-03-21T10:00:00+08:00",
        "tag": ["tender", "award"],
        "initiationType": "tender",
        "language": "zh",
        "parties": [
            party(90, ["buyer"]),
            *(party(n, ["tenderer"], contacts.get(n)) for n in prices),
        ],
        "buyer": {"id": f"CN-USCC-{f.make_uscc(90)}", "name": "测试供应商90有限公司"},
        "tender": {
            "id": "T-1",
            "title": "办公设备采购",
            "status": "complete",
            "mainProcurementCategory": "goods",
            "procurementMethod": "open",
            "datePublished": "2025-03-01T09:00:00+08:00",
            "tenderPeriod": {
                "startDate": "2025-03-01T09:00:00+08:00",
                "endDate": "2025-03-20T09:30:00+08:00",
            },
            "lots": [{"id": "1", "title": "包1", "value": {"amount": 1200000, "currency": "CNY"}}],
        },
        "bids": {"details": bids},
    }
    return {
        "uri": f"https://example.gov.cn/ocds/{OCID}.json",
        "version": "1.1",
        "publishedDate": "2025-03-21T10:00:00+08:00",
        "publisher": {"name": "测试公共资源交易中心"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://example.gov.cn/ocds/policy",
        "extensions": [BIDS_EXTENSION],
        "releases": [release],
    }


PRICES = {1: "1000000", 2: "1043700", 3: "1097350"}
LOT = f"lot:{OCID}/1"


def ingest_package(intake: Intake, tmp_path: Path, body: dict[str, Any]) -> None:
    path = tmp_path / "release-package.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    conversion = ocds.read(path)
    report = land(intake, conversion)
    assert report.errors == [], report.errors[:3]


def shared_contact(store: GraphStore) -> list[tuple[str, ...]]:
    return [x.suppliers for x in lot_flags(store, LOT.removeprefix("lot:"), "SHARED_CONTACT")]


def test_a_contact_point_becomes_the_contact_of_each_of_the_partys_bids(tmp_path: Path) -> None:
    point = {"name": "王伟", "telephone": "0571-8800 1234", "email": "ww@example.cn"}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package({1: point}, PRICES), ensure_ascii=False), "utf-8")
    items = [r for _, r in ocds.read(path).items]
    (bid,) = [r for r in items if r["type"] == "bid" and r["supplier"] == f.make_uscc(1)]
    assert (bid["contact_name"], bid["contact_phone"], bid["contact_email"]) == (
        "王伟",
        "0571-8800 1234",
        "ww@example.cn",
    )
    (org,) = [r for r in items if r["type"] == "organization" and r["uscc"] == f.make_uscc(1)]
    assert org["phones"] == ["0571-8800 1234"] and org["emails"] == ["ww@example.cn"]


def test_two_tenderers_with_one_contact_name_and_phone_are_flagged(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    same = {"name": "王伟", "telephone": "0571-88001234"}
    other = {"name": "李娜", "telephone": "0571-88005678", "email": "lina@example.cn"}
    ingest_package(intake, tmp_path, package({1: same, 2: dict(same), 3: other}, PRICES))
    (flag,) = lot_flags(store, LOT.removeprefix("lot:"), "SHARED_CONTACT")
    assert flag.suppliers == orgs(1, 2)
    assert "name and phone" in flag.message
    assert flag.confidence >= 0.9
    assert "phone:057188001234" in flag.evidence["nodes"]


def test_two_tenderers_with_one_contact_name_and_e_mail_are_flagged(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    a = {"name": "王 伟", "email": "Bids@Example.cn", "telephone": "0571-1"}
    b = {"name": "王伟", "email": "bids@example.cn", "telephone": "0571-2"}
    ingest_package(intake, tmp_path, package({1: a, 3: b}, PRICES))
    (flag,) = lot_flags(store, LOT.removeprefix("lot:"), "SHARED_CONTACT")
    assert flag.suppliers == orgs(1, 3)
    assert "name and e-mail" in flag.message


def test_the_same_common_name_with_different_phones_and_e_mails_is_not_flagged(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    a = {"name": "王伟", "telephone": "0571-88001234", "email": "a@example.cn"}
    b = {"name": "王伟", "telephone": "0571-88005678", "email": "b@example.cn"}
    ingest_package(intake, tmp_path, package({1: a, 2: b}, PRICES))
    assert shared_contact(store) == []


def test_a_shared_phone_with_different_names_is_flagged_at_the_phone_confidence_only(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    a = {"name": "王伟", "telephone": "0571-88001234"}
    b = {"name": "李娜", "telephone": "0571-88001234"}
    ingest_package(intake, tmp_path, package({1: a, 2: b}, PRICES))
    (flag,) = lot_flags(store, LOT.removeprefix("lot:"), "SHARED_CONTACT")
    assert flag.suppliers == orgs(1, 2)
    assert flag.confidence < 0.9 and "the same contact phone" in flag.message


def test_parties_without_a_contact_point_are_not_flagged(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    ingest_package(intake, tmp_path, package({}, PRICES))
    assert shared_contact(store) == []
