"""Attacks on the change feed (issue 14, finding 10): reading people out of it. The feed carries
about a natural person only what the disclosure rules publish; an external system reads it over
the real API with its own key."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest
from neo4j import Query
from pydantic import ValidationError

from credit import legal
from credit.core.store import GraphStore
from credit.domain.identifiers import mask_identity_number
from credit.intake.pipeline import Intake
from credit.policy import load_policy
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from credit.standing.service import score_all
from credit.sync import feed
from credit.sync.exchange import GradeRecord, Subject
from graph.migrate import load_migrations
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

CHANGES = """query($after: String) { changes(after: $after, first: 100) {
  items { kind record } endCursor hasMore } }"""


def _feed_as_sync_client(store: GraphStore, api_url: str) -> list[dict[str, Any]]:
    """Every change, read both ways a receiver can: GraphQL pages and the NDJSON bulk pull."""
    _, key = create_api_key(store, "national platform", Role.SYNC_CLIENT, "national")
    client = GraphQLClient(api_url, key)
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = client.ok(CHANGES, after=after)["changes"]
        items += page["items"]
        after = page["endCursor"]
        if not page["hasMore"]:
            break
    bulk = httpx.get(
        f"{api_url}/sync/changes", headers={"authorization": f"Bearer {key}"}, timeout=30
    )
    lines = [json.loads(line) for line in bulk.text.splitlines()][:-1]  # last: end cursor
    assert [(i["kind"], i["record"]) for i in lines] == [(i["kind"], i["record"]) for i in items]
    return items


def test_finding_10_an_experts_grade_change_names_no_person(
    intake: Intake, store: GraphStore, api_url: str
) -> None:
    expert = f.person(5, expert={"specialties": ["工程造价"]}, phones=["13800000005"])
    ingest(intake, [f.organization(1), expert])
    score_all(store, load_policy(), date(2025, 6, 1))
    items = _feed_as_sync_client(store, api_url)
    grades = [i["record"] for i in items if i["kind"] == "GRADE_CHANGED"]
    (person,) = [g for g in grades if g["subject_kind"] == "person"]
    assert person["subject"] is None and person["subject_id"].startswith("person:")
    (org,) = [g for g in grades if g["subject_kind"] == "organization"]
    assert org["subject"]["name"] == "测试供应商1有限公司"
    everything = json.dumps(items, ensure_ascii=False)
    number = f.make_id_number(5)
    for personal in (expert["name"], number, mask_identity_number(number), "13800000005"):
        assert personal not in everything


def test_finding_10_a_penalty_on_a_natural_person_carries_the_name_and_masked_id_only(
    intake: Intake, store: GraphStore, api_url: str
) -> None:
    number = f.make_id_number(7)
    person = f.person(7, phones=["13800000007"], emails=["zhang7@example.cn"])
    ingest(intake, [person, f.violation("V7", {"person": number}, category="BRIBERY")])
    (item,) = _feed_as_sync_client(store, api_url)
    record = item["record"]
    assert record["subject"] == {
        "name": person["name"],
        "uscc": None,
        "masked_id_number": mask_identity_number(number),
        "kind": "person",
    }
    text = json.dumps(record, ensure_ascii=False)
    for withheld in (number, "13800000007", "zhang7@example.cn", "person:"):
        assert withheld not in text
    for basis in (*feed.PUBLISHED_PERSON_BASIS, *feed.UNPUBLISHED_PERSON_BASIS):
        assert legal.get(basis).zh  # every cited provision is in the catalogue


def test_finding_10_the_exchange_format_itself_refuses_a_named_expert_grade() -> None:
    named = Subject(name="张5", masked_id_number="1101**********0015", kind="person")
    with pytest.raises(ValidationError, match=r"person\.unpublished"):
        GradeRecord(
            subject_id="person:x",
            subject_kind="person",
            subject=named,
            previous_grade=None,
            grade="A",
            score="90",
            as_of=date(2025, 6, 1),
            policy_version="1",
        )
    with pytest.raises(ValidationError, match=r"person\.no_uscc"):
        Subject(name="张5", uscc="91330106000000019W", kind="person")


def test_finding_10_grade_changes_published_before_the_fix_are_redacted_by_migration_0013(
    store: GraphStore,
) -> None:
    def old_grade(uid: str, subject: dict[str, Any]) -> feed.Event:
        payload = {
            "record_type": "grade",
            "subject_id": uid,
            "subject": subject,
            "previous_grade": None,
            "grade": "A",
            "score": "95.0",
            "as_of": "2025-06-01",
            "policy_version": "2025.1",
        }
        return feed.Event("GRADE_CHANGED", uid, uid, payload)

    expert = {"name": "张5", "uscc": None, "masked_id_number": "1101**********0015"}
    org = {"name": "测试供应商1有限公司", "uscc": f.make_uscc(1), "masked_id_number": None}
    store.transaction(
        lambda tx: feed.append(
            tx,
            [
                old_grade("person:abc", expert | {"kind": "person"}),
                old_grade("org:1", org | {"kind": "organization"}),
            ],
        )
    )
    (redaction,) = [m for m in load_migrations() if m.version == 13]
    with store.driver.session(database=store.database) as session:
        for _ in range(2):  # idempotent
            for statement in redaction.statements:
                session.run(Query(statement)).consume()
    person, organisation = (c.record for c in feed.read(store, 0, 10).items)
    assert isinstance(person, GradeRecord) and isinstance(organisation, GradeRecord)
    assert (person.subject_kind, person.subject) == ("person", None)
    assert person.subject_id == "person:abc"
    assert organisation.subject_kind == "organization"
    assert organisation.subject is not None and organisation.subject.uscc == f.make_uscc(1)
    raw = store.read("MATCH (c:Change) RETURN c.payload AS p ORDER BY c.seq")
    assert "张5" not in raw[0]["p"] and "0015" not in raw[0]["p"]
