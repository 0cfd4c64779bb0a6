"""BODS intake: the standard's own examples (0.2, 0.3 and 0.4) convert with the expected counts
and their people land; the hand-made Chinese statements land as ownership and control ties
(shares, directors, legal representatives, periods), once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from credit.core.store import GraphStore
from credit.formats import bods
from credit.intake.pipeline import Intake, validate_record
from tests import factories as f
from tests.formats_support import counts, json_values, land

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bods"
HANDMADE = FIXTURES / "cn-handmade-0.4.json"
_NO_ID = "identifier.missing"

# file -> ((entities seen, mapped), (people seen, mapped), interests (seen, mapped),
#          entity skips, interest skips). Entities identified in an org-id.guide scheme land
# under it (GB-COH 07444723, MX-RFC ...); a scheme outside the org-id.guide code form (IRL-BAU),
# an identifier that breaks its scheme's rule (GB-COH XE-08-A) or none at all is refused.
REAL: dict[
    str, tuple[tuple[int, int], tuple[int, int], tuple[int, int], dict[str, int], dict[str, int]]
] = {
    "2-single-update-0.2.json": ((1, 1), (1, 1), (2, 1), {}, {"interestedParty.unspecified": 1}),
    "3-joint-ownership-0.3.json": (
        (2, 1),
        (2, 2),
        (3, 0),
        {_NO_ID: 1},
        {
            f"interestedParty.entity.not_mapped:{_NO_ID}": 1,
            f"subject.entity.not_mapped:{_NO_ID}": 2,
        },
    ),
    "tecido.json": (
        (2, 0),
        (1, 1),
        (5, 0),
        {"identifier.scheme_missing": 2},
        {"subject.entity.not_mapped:identifier.scheme_missing": 5},
    ),
    "fermcat.json": (
        (1, 0),
        (3, 3),
        (5, 0),
        {"org_key.scheme": 1},
        {"subject.entity.not_mapped:org_key.scheme": 5},
    ),
    "mixed-direct-and-indirect-ownership.json": (
        (2, 0),
        (1, 1),
        (4, 0),
        {"org_key.id": 2},
        {
            "subject.entity.not_mapped:org_key.id": 2,
            "directOrIndirect.indirect:not_kept": 1,
            "type.unmapped:missing": 1,
        },
    ),
    "nomination.json": (
        (2, 1),
        (2, 2),
        (4, 0),
        {_NO_ID: 1},
        {
            f"interestedParty.entity.not_mapped:{_NO_ID}": 1,
            "directOrIndirect.indirect:not_kept": 1,
            "type.unmapped:nominator": 1,
            "type.unmapped:nominee": 1,
        },
    ),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_the_standards_examples_convert_with_the_expected_counts(name: str, intake: Intake) -> None:
    entities, people, interests, entity_skips, skips = REAL[name]
    conversion = bods.read(FIXTURES / name)
    assert conversion.report is not None
    assert counts(conversion) == {"entity": entities, "person": people, "interest": interests}
    assert conversion.report.skips("entity") == entity_skips
    assert conversion.report.skips("interest") == skips
    report = land(intake, conversion)
    assert (report.errors, report.changed) == ([], entities[1] + people[1] + interests[1])


def test_only_the_latest_statement_of_a_record_is_read() -> None:
    conversion = bods.read(FIXTURES / "fermcat.json")
    assert conversion.report is not None
    assert conversion.report.noted["statement", "superseded_by_a_later_statement"] == 16
    names = sorted(record["name"] for _, record in conversion.items)
    assert len(names) == len(set(names)) == 3


def test_older_statements_replaced_by_a_02_statement_are_set_aside(tmp_path: Path) -> None:
    statements = json.loads((FIXTURES / "2-single-update-0.2.json").read_text(encoding="utf-8"))
    replaced = statements[2]["replacesStatements"][0]
    path = tmp_path / "with-old.json"
    path.write_text(json.dumps([{**statements[1], "statementID": replaced}, *statements]))
    conversion = bods.read(path)
    assert conversion.report is not None
    assert conversion.report.noted["statement", "replaced_by_a_later_statement"] == 1


def test_handmade_statements_report_every_skip_with_its_reason() -> None:
    conversion = bods.read(HANDMADE)
    report = conversion.report
    assert report is not None
    # Acme Holdings Ltd (GB-COH 01234567) lands under its scheme with its two interests
    assert counts(conversion) == {"entity": (5, 4), "person": (3, 2), "interest": (17, 10)}
    assert report.skips("entity") == {"uscc.check_character": 1}
    assert report.skips("person") == {"personType.anonymousPerson": 1}
    assert report.skips("interest") == {
        "directOrIndirect.indirect:not_kept": 1,
        "directOrIndirect.unknown:not_kept": 1,
        "interestedParty.person.not_mapped:personType.anonymousPerson": 1,
        "seniorManagingOfficial.held_by_an_entity": 1,
        "subject.entity.not_mapped:uscc.check_character": 1,
        "subject.not_an_entity": 1,
        "type.unmapped:settlor": 1,
    }
    assert report.noted["interest", "share.range:midpoint_used"] == 1
    assert report.noted["interest", "share.not_kept:votingRights"] == 1
    assert report.noted["interest", "record.closed:end_date_from_statementDate"] == 1
    assert report.noted["statement", "superseded_by_a_later_statement"] == 1


def test_handmade_statements_land_as_ownership_and_control(
    intake: Intake, store: GraphStore
) -> None:
    report = land(intake, bods.read(HANDMADE))
    assert report.errors == []
    assert report.changed == 16
    rows = store.read(
        "MATCH (a)-[t]->(o:Organization) WHERE t.source = 'bods' AND o.uscc IS NOT NULL"
        " RETURN coalesce(a.name, a.uscc) AS holder, type(t) AS kind, o.uscc AS org,"
        " t.share AS share, toString(t.valid_from) AS since, toString(t.valid_to) AS until"
        " ORDER BY holder, kind, org"
    )
    a, b = f.make_uscc(921), f.make_uscc(922)
    assert [tuple(r.values()) for r in rows] == [
        ("Acme Holdings Ltd", "OWNS", a, 0.1, None, None),  # a GB-COH holder, kept under it
        ("张三", "DIRECTOR_OF", a, None, "2020-01-01", None),
        ("张三", "LEGAL_REP_OF", a, None, "2020-01-01", None),
        ("张三", "OWNS", a, 0.6, "2020-01-01", None),
        ("李四", "CONTROLS", a, None, "2022-01-01", None),
        ("李四", "DIRECTOR_OF", a, None, "2019-05-01", "2024-06-30"),
        ("李四", "LEGAL_REP_OF", b, None, "2019-01-01", "2024-12-31"),  # closed record
        ("杭州鼎盛控股集团有限公司", "CONTROLS", b, None, "2024-12-01", None),
        ("杭州鼎盛控股集团有限公司", "OWNS", b, 0.625, "2024-12-01", None),  # range midpoint
    ]
    people = store.read("MATCH (p:Person) RETURN p {.*} AS p ORDER BY p.name")
    assert [p["p"]["id_masked"] for p in people] == ["CN-RIC-SHA256:********", "BODS:********"]
    arrived_hashed = hashlib.sha256(f.make_id_number(921).encode()).hexdigest()
    assert arrived_hashed not in str(people)  # hashed again with the deployment secret


def test_a_second_ingest_of_the_same_statements_changes_nothing(intake: Intake) -> None:
    assert land(intake, bods.read(HANDMADE)).changed == 16
    again = land(intake, bods.read(HANDMADE))
    assert again.errors == []
    assert (again.changed, again.unchanged) == (0, 12)  # the 4 organisations are now known


_KEYS = [
    "statementId",
    "statementID",
    "statementType",
    "recordId",
    "recordType",
    "recordStatus",
    "recordDetails",
    "statementDate",
    "name",
    "names",
    "fullName",
    "givenName",
    "familyName",
    "type",
    "identifiers",
    "scheme",
    "id",
    "personType",
    "subject",
    "interestedParty",
    "describedByEntityStatement",
    "describedByPersonStatement",
    "interests",
    "directOrIndirect",
    "interestLevel",
    "share",
    "exact",
    "minimum",
    "maximum",
    "startDate",
    "endDate",
    "replacesStatements",
    "addresses",
    "address",
    "foundingDate",
    "unspecified",
]
_WORDS = (
    "entity",
    "person",
    "relationship",
    "entityStatement",
    "personStatement",
    "ownershipOrControlStatement",
    "direct",
    "shareholding",
    "board-member",
    "seniorManagingOfficial",
    "knownPerson",
    "closed",
    "CN-USCC",
    f.make_uscc(1),
    "e1",
    "p1",
    "2025-01-01",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=json_values(_KEYS, _WORDS))
def test_any_json_converts_without_crashing(
    tmp_path_factory: pytest.TempPathFactory, statements: Any
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "statements.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    conversion = bods.read(path)
    for position, record in conversion.items:
        validate_record(position, record)  # valid or reported, never an exception
