"""The one label catalogue (credit/labels/labels.json) names every code a person reads in the
pages and the API's messages: each enum value, detector pattern and relationship type, in
Chinese first and English beside."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from credit.api.errors import bad_input, not_found
from credit.detection.registry import DETECTORS
from credit.domain import records as r
from credit.explore import service as explore
from credit.labels import catalogue, error_label, phrase, text
from credit.security.permissions import Role

COVERED: list[tuple[str, type[StrEnum]]] = [
    ("role", r.OrgRole),
    ("role", Role),
    ("bidStatus", r.BidStatus),
    ("recordStatus", r.RecordStatus),
    ("severity", r.Severity),
    ("category", r.ViolationCategory),
    ("penalty", r.PenaltyType),
    ("list", r.ExternalList),
]


@pytest.mark.parametrize(("group", "enum"), COVERED, ids=[e.__name__ for _, e in COVERED])
def test_every_code_of_an_enum_has_a_chinese_and_an_english_label(
    group: str, enum: type[StrEnum]
) -> None:
    missing = [m.value for m in enum if m.value not in catalogue()[group]]
    assert not missing, f"{group}: no label for {missing}"


def test_every_detector_pattern_and_relationship_type_has_a_label() -> None:
    patterns = {d.id for d in DETECTORS}
    assert patterns - catalogue()["pattern"].keys() == set()
    assert explore.RELATIONSHIP_TYPES - catalogue()["relationship"].keys() == set()


def test_every_label_is_chinese_then_english() -> None:
    for group, labels in catalogue().items():
        for code, (zh, en) in labels.items():
            assert any("\u4e00" <= c <= "\u9fff" for c in zh), f"{group}.{code}: {zh}"
            assert en.isascii() and en, f"{group}.{code}: {en}"


def test_the_api_messages_carry_the_catalogues_sentence() -> None:
    assert text("decision", "INELIGIBLE") == "不合格 Ineligible"
    assert error_label("lotId", "not_found") == "未找到该标段 No such lot"
    assert not_found("lotId", "lot:NOPE").extensions == {
        "code": "NOT_FOUND",
        "field": "lotId",
        "rule": "not_found",
        "label": "未找到该标段 No such lot",
    }
    assert (bad_input("uscc", "uscc.length", "…").extensions or {})["label"].startswith(
        "统一社会信用代码无效"
    )
    assert "label" not in (bad_input("first", "range", "…").extensions or {})


def _reasons() -> list[str]:
    """Score reasons as the scoring writes them, for every kind of record and both weightings."""
    from datetime import date

    from credit.domain.records import ExternalList, RecordStatus, Severity
    from credit.policy import load_policy
    from credit.standing.scoring import CreditRecord, compute_score

    policy = load_policy()
    day = date(2025, 1, 10)
    records = [
        CreditRecord("v1", "violation", "FALSE_MATERIALS", day, severity=Severity.SERIOUS),
        CreditRecord(
            "v2",
            "violation",
            "BRIBERY",
            day,
            severity=Severity.MAJOR,
            ban_start=day,
            ban_end=date(2027, 1, 9),
        ),
        CreditRecord(
            "v3",
            "violation",
            "BREACH_OF_CONTRACT",
            date(2024, 9, 1),
            severity=Severity.GENERAL,
            status=RecordStatus.REPAIRED,
            status_date=date(2025, 12, 1),
        ),
        CreditRecord("l1", "listing", ExternalList.MAJOR_TAX_VIOLATION.value, day),
        CreditRecord("c1", "contract", "CONTRACT_ACCEPTED", day),
        CreditRecord("c2", "contract", "CONTRACT_FAILED", day),
        *(
            CreditRecord(f"e{n}", "evaluation", "EVALUATION", day, score=s)
            for n, s in enumerate((98, 97, 99, 96, 95, 40))
        ),
        CreditRecord("k1", "complaint", "FALSE_OR_MALICIOUS", day),
    ]
    found = []
    for weight in ("step", "linear"):
        rules = policy.rules_for("supplier").model_copy(update={"weight": weight})
        moved = policy.model_copy(update={"supplier": rules})
        found += [
            c.reason
            for c in compute_score("supplier", records, date(2026, 5, 10), moved).contributions
        ]
    return found


def test_every_score_reason_reads_in_chinese_from_the_catalogues_phrases() -> None:
    reasons = _reasons()
    assert len(reasons) > 10
    for reason in reasons:
        said = phrase(reason)
        assert said is not None, reason
        assert not re.search(r"[A-Za-z]", said), f"{reason!r} -> {said!r}"  # nothing left over


def test_findings_read_in_chinese_and_unknown_sentences_stay_as_they_are() -> None:
    assert phrase("2 bidders of lot L2 share the same deposit account; the same IP address") == (
        "标段 L2 的 2 家投标人共用：同一保证金账户、同一 IP 地址"
    )
    assert (
        phrase(
            "the 5 bids of lot X bunch together (CV 0.010) with the lowest set apart "
            "(relative distance 2.50)"
        )
        == "标段 X 的 5 个报价高度集中（变异系数 0.010），最低价明显偏离（相对距离 2.50）"
    )
    assert phrase("something the catalogue has never seen") is None


def test_region_codes_of_the_demo_market_have_names() -> None:
    from credit.markets.reference import _CITIES

    regions = catalogue()["region"]
    for city in _CITIES:
        for code, district in city.districts:
            assert regions[code][0] == district, code
            assert f"{code[:2]}0000" in regions, code
            municipality = code[:2] in ("11", "12", "31", "50")  # no prefecture between
            assert municipality or f"{code[:4]}00" in regions, code


def test_every_eligibility_and_conflict_reason_code_has_a_label() -> None:
    """The codes a lot check or a supplier check can give as reasons: literal ones in the
    eligibility rules, one per three-list listing, and the Art. 18 conflicts."""
    from pathlib import Path
    from typing import get_args

    from credit.standing.participation import ConflictCode

    root = Path(__file__).resolve().parent.parent / "credit" / "standing"
    literal = {
        code
        for path in (root / "eligibility.py", root / "agency.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "code=" in line
        for code in re.findall(r'"([A-Z][A-Z0-9_]+)"', line)
    }
    assert {"ACTIVE_PROCUREMENT_BAN", "CONSORTIUM_MEMBER_NEEDS_REVIEW", "AGENCY_BAN"} <= literal
    codes = {*literal, *get_args(ConflictCode), *(f"LISTED_{x.value}" for x in r.ExternalList)}
    missing = sorted(c for c in codes if c not in catalogue()["reason"])
    assert not missing, f"reason: no label for {missing}"


def test_listed_words_read_one_by_one_and_a_word_with_and_stays_whole() -> None:
    assert (
        phrase(
            "a bid of lot X-1 names as its contact and preparer someone who works for another "
            "bidder of the lot"
        )
        == "标段 X-1 的一份投标将另一投标人的人员列为其联系人、编制人"
    )
    assert (
        phrase(
            "2 bidders of lot L share the same contact person (name and phone); the same IP address"
        )
        == "标段 L 的 2 家投标人共用：同一联系人（姓名与电话）、同一 IP 地址"
    )
