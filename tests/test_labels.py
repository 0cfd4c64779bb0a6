"""The one label catalogue (credit/labels/labels.json) names every code a person reads in the
pages and the API's messages: each enum value, detector pattern and relationship type, in
Chinese first and English beside."""

from __future__ import annotations

from enum import StrEnum

import pytest

from credit import explore
from credit.api.errors import bad_input, not_found
from credit.detection.registry import DETECTORS
from credit.domain import records as r
from credit.labels import catalogue, error_label, text
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
