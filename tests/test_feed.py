"""The change feed: every published change once, in commit order, resumable after a crash or a
restart, gap-free under concurrent writers, and valid against the exchange schema."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource

from credit.core.store import GraphStore
from credit.core.wiring import get_intake
from credit.intake.pipeline import Intake
from credit.policy import load_policy
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from credit.standing.service import score_all
from credit.sync import feed
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, serving, token_for

SCHEMAS = Path(__file__).resolve().parent.parent / "schema" / "exchange"
CHANGES = """query($after: String, $first: Int!) { changes(after: $after, first: $first) {
  items { id seq kind record } endCursor hasMore } }"""


def _validator() -> jsonschema.Draft202012Validator:
    resources = [
        (doc["$id"], Resource.from_contents(doc))
        for doc in (json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json"))
    ]
    envelope = json.loads((SCHEMAS / "change.schema.json").read_text())
    return jsonschema.Draft202012Validator(envelope, registry=Registry().with_resources(resources))


VALIDATOR = _validator()


def _base() -> list[dict[str, Any]]:
    return [f.organization(1), f.organization(2), f.person(1)]


def _all(client: GraphQLClient, first: int = 50) -> list[dict[str, Any]]:
    items, after = [], None
    while True:
        page = client.ok(CHANGES, after=after, first=first)["changes"]
        items += page["items"]
        after = page["endCursor"]
        if not page["hasMore"]:
            return items


def test_violation_lifecycle_is_published_once_per_change(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(intake, [*_base(), f.violation("V1", 1, publication_end="2026-06-30")])
    ingest(intake, [f.violation("V1", 1, publication_end="2026-06-30")])  # a repeat: nothing
    ingest(
        intake, [f.violation("V1", 1, publication_end="2026-06-30", penalty_content="罚款五万元")]
    )
    ingest(
        intake,
        [
            f.violation(
                "V1",
                1,
                publication_end="2026-06-30",
                penalty_content="罚款五万元",
                status="REPAIRED",
                status_date="2025-09-01",
            )
        ],
    )
    ingest(
        intake,
        [f.violation("V2", {"person": f.make_id_number(1)}, category="BRIBERY", severity="MAJOR")],
    )
    items = _all(gql)
    assert [(i["seq"], i["kind"]) for i in items] == [
        (1, "VIOLATION_RECORDED"),
        (2, "VIOLATION_AMENDED"),
        (3, "VIOLATION_REPAIRED"),
        (4, "VIOLATION_RECORDED"),
    ]
    first = items[0]["record"]
    assert first["subject"] == {
        "name": "测试供应商1有限公司",
        "uscc": f.make_uscc(1),
        "masked_id_number": None,
        "kind": "organization",
    }
    assert (first["decision_number"], first["fine_amount"]) == ("财库〔2025〕1号", "50000.00")
    person = items[3]["record"]["subject"]
    assert person["uscc"] is None and person["masked_id_number"].count("*") == 10
    assert len({i["id"] for i in items}) == 4


def test_listings_and_retractions_are_published(intake: Intake, gql: GraphQLClient) -> None:
    listing = {
        "type": "external_listing",
        "id": "EL1",
        "list": "COURT_DISHONEST_DEBTOR",
        "subject": f.make_uscc(1),
        "authority": "杭州市中级人民法院",
        "listed_on": "2025-01-02",
        "source": "court",
        "external_id": "(2025)浙01执123号",
        "version": 1,
    }
    ingest(intake, [*_base(), listing])
    ingest(intake, [listing | {"retracted_on": "2025-05-01", "version": 2}])
    kinds = [i["kind"] for i in _all(gql)]
    assert kinds == ["LISTING_ADDED", "LISTING_RETRACTED"]


def test_expired_publication_and_grade_changes_are_published(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    ingest(intake, [*_base(), f.violation("V1", 1, publication_end="2025-12-31")])
    assert feed.expire(store, date(2026, 1, 1)) == 1
    assert feed.expire(store, date(2026, 1, 2)) == 0
    score_all(store, load_policy(), date(2025, 6, 1))
    kinds = [i["kind"] for i in _all(gql)]
    assert kinds[:2] == ["VIOLATION_RECORDED", "VIOLATION_EXPIRED"]
    assert kinds[2:] == ["GRADE_CHANGED", "GRADE_CHANGED"]


def test_every_emitted_record_validates_against_the_exchange_schema(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    examples = Path(__file__).resolve().parent.parent / "schema" / "examples" / "records.jsonl"
    records = [json.loads(line) for line in examples.read_text().splitlines() if line.strip()]
    ingest(intake, records)
    score_all(store, load_policy(), date.today())
    items = _all(gql)
    assert {i["kind"] for i in items} >= {"VIOLATION_RECORDED", "LISTING_ADDED", "GRADE_CHANGED"}
    raw = store.read("MATCH (c:Change) RETURN c {.*} AS c ORDER BY c.seq")
    for row in raw:
        c = row["c"]
        envelope = {
            "id": c["id"],
            "seq": c["seq"],
            "kind": c["kind"],
            "at": c["at"].iso_format(),
            "exchange_version": "1.0",
            "record": json.loads(c["payload"]),
        }
        errors = list(VALIDATOR.iter_errors(envelope))
        assert not errors, f"{c['kind']}: {errors[0].message}"


def test_a_reader_that_crashes_mid_page_resumes_without_loss(
    intake: Intake, gql: GraphQLClient
) -> None:
    ingest(intake, [*_base(), *(f.violation(f"V{i}", 1 + i % 2) for i in range(10))])
    stored: dict[str, int] = {}
    committed_cursor = None
    page = gql.ok(CHANGES, after=committed_cursor, first=4)["changes"]
    for item in page["items"]:
        stored[item["id"]] = item["seq"]
    committed_cursor = page["endCursor"]
    page = gql.ok(CHANGES, after=committed_cursor, first=4)["changes"]
    for item in page["items"][:2]:  # crash after two of four, before saving the cursor
        stored[item["id"]] = item["seq"]
    seen_again = 0
    while True:  # restart from the last cursor saved
        page = gql.ok(CHANGES, after=committed_cursor, first=4)["changes"]
        for item in page["items"]:
            seen_again += item["id"] in stored
            stored[item["id"]] = item["seq"]
        committed_cursor = page["endCursor"]
        if not page["hasMore"]:
            break
    assert sorted(stored.values()) == list(range(1, 11))
    assert seen_again == 2  # recognisable by id, so the receiver dropped them


def test_a_server_restart_between_pages_loses_nothing(intake: Intake, store: GraphStore) -> None:
    ingest(intake, [*_base(), *(f.violation(f"V{i}", 1) for i in range(6))])
    _, key = create_api_key(store, "national platform", Role.SYNC_CLIENT, "national")
    with serving() as url:
        first = GraphQLClient(url, key).ok(CHANGES, after=None, first=4)["changes"]
    with serving() as url:
        rest = GraphQLClient(url, key).ok(CHANGES, after=first["endCursor"], first=100)["changes"]
    seqs = [i["seq"] for i in first["items"] + rest["items"]]
    assert seqs == [1, 2, 3, 4, 5, 6]


def test_concurrent_writers_produce_a_complete_ordered_feed(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    ingest(intake, [f.organization(n) for n in range(1, 9)])
    per_writer = 12
    seen: list[int] = []
    done = threading.Event()

    def writer(n: int) -> None:
        own = get_intake()
        for i in range(per_writer):
            report = own.run([(1, f.violation(f"W{n}-{i}", n))])
            assert report.errors == []

    def reader() -> None:
        after = None
        while True:
            page = gql.ok(CHANGES, after=after, first=7)["changes"]
            seen.extend(i["seq"] for i in page["items"])
            after = page["endCursor"]
            if done.is_set() and not page["hasMore"] and len(seen) >= 8 * per_writer:
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 9)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join(timeout=120)
    assert seen == list(range(1, 8 * per_writer + 1))


@pytest.mark.parametrize(
    ("cursor", "rule"),
    [("%%%", "cursor.malformed"), ("YzF8b3JnYW5pemF0aW9uc3wxMA", "cursor.foreign")],
)
def test_a_bad_cursor_is_a_clear_error_in_graphql_and_ndjson(
    gql: GraphQLClient, api_url: str, cursor: str, rule: str
) -> None:
    error = gql.error(CHANGES, after=cursor, first=10)
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == ("after", rule)
    response = gql.http.get("/sync/changes", params={"after": cursor})
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "after"


def test_ndjson_bulk_pull_streams_every_change_and_an_end_cursor(
    intake: Intake, gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    ingest(intake, [*_base(), *(f.violation(f"V{i}", 1) for i in range(5))])
    _, key = create_api_key(store, "national platform", Role.SYNC_CLIENT, "national")
    with httpx.stream(
        "GET",
        f"{api_url}/sync/changes",
        params={"limit": 3},
        headers={"authorization": f"Bearer {key}"},
    ) as response:
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines()]
    assert [x["seq"] for x in lines[:-1]] == [1, 2, 3]
    rest = httpx.get(
        f"{api_url}/sync/changes",
        params={"after": lines[-1]["end_cursor"]},
        headers={"authorization": f"Bearer {key}"},
    ).text.splitlines()
    assert [json.loads(x)["seq"] for x in rest[:-1]] == [4, 5]
    purchaser = httpx.get(
        f"{api_url}/sync/changes", headers={"authorization": f"Bearer {token_for(Role.PURCHASER)}"}
    )
    assert purchaser.status_code == 403


def test_nothing_is_published_when_the_write_fails(intake: Intake, gql: GraphQLClient) -> None:
    ingest(intake, _base())
    report = ingest(intake, [f.violation("V1", 77)])  # unknown subject: rejected
    assert report.rejected == 1
    assert _all(gql) == []
