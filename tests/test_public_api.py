"""The public disclosure API (issue 20) against the real app and graph: exactly the published
fields, searchable, each record at a stable URL, gone when its publication ends or it is
repaired or overturned, cached with ETags, limited and audited apart from the signed-in service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credit.core.store import GraphStore
from credit.domain import periods
from credit.intake.pipeline import Intake
from credit.public.gate import verify_log
from credit.public.service import PublicService
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import serving, token_for
from tests.detect_fixtures import load

TODAY = periods.today()
BANNED, ENDED, REPAIRED, OVERTURNED, LISTED, RETRACTED, ENDS_TODAY = 1, 2, 3, 4, 6, 7, 8
EXPERT = 5


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def market() -> list[dict[str, Any]]:
    """Penalties and list entries in every state the public view distinguishes."""
    orgs = [
        f.organization(n)
        for n in (BANNED, ENDED, REPAIRED, OVERTURNED, LISTED, RETRACTED, ENDS_TODAY)
    ]
    expert = f.person(EXPERT, name="李专家", phones=["13800000000"], emails=["li@example.cn"])
    expert["expert"] = {"specialties": ["IT"]}
    common = {"decided_on": day(-30), "ban_start": day(-30), "ban_end": day(300)}
    return [
        *orgs,
        expert,
        f.violation("V-BANNED", BANNED, publication_end=day(700), **common),
        f.violation(
            "V-ENDED",
            ENDED,
            penalty_types=["FINE"],
            ban_start=None,
            ban_end=None,
            decided_on=day(-200),
            publication_end=day(-1),
        ),
        f.violation(
            "V-ENDS-TODAY",
            ENDS_TODAY,
            penalty_types=["WARNING"],
            fine=None,
            ban_start=None,
            ban_end=None,
            decided_on=day(-100),
            publication_end=day(0),
        ),
        f.violation(
            "V-REPAIRED",
            REPAIRED,
            status="REPAIRED",
            status_date=day(-1),
            publication_end=day(700),
            **common,
        ),
        f.violation(
            "V-OVERTURNED",
            OVERTURNED,
            status="OVERTURNED",
            status_date=day(-2),
            publication_end=day(700),
            **common,
        ),
        f.violation(
            "V-EXPERT",
            {"person": f.make_id_number(EXPERT)},
            category="EXPERT_FAILED_RECUSAL",
            penalty_types=["FINE", "REVIEW_BAN"],
            decided_on=day(-10),
            ban_start=day(-10),
            ban_end=day(700),
            publication_end=day(365),
        ),
        {
            "type": "external_listing",
            "id": "L-GP",
            "list": "GP_SERIOUS_DISHONESTY",
            "subject": f.make_uscc(LISTED),
            "authority": "财政部",
            "reference": "财库〔2026〕9号",
            "listed_on": day(-5),
            "valid_until": day(360),
        },
        {
            "type": "external_listing",
            "id": "L-RETRACTED",
            "list": "GP_SERIOUS_DISHONESTY",
            "subject": f.make_uscc(RETRACTED),
            "authority": "财政部",
            "listed_on": day(-50),
            "retracted_on": day(-3),
        },
        {
            "type": "external_listing",
            "id": "L-COURT",
            "list": "COURT_DISHONEST_DEBTOR",
            "subject": f.make_uscc(LISTED),
            "authority": "最高人民法院",
            "listed_on": day(-5),
        },
    ]


PUBLIC_IDS = {"violation:V-BANNED", "violation:V-ENDS-TODAY", "violation:V-EXPERT", "listing:L-GP"}


@pytest.fixture
def public_url(
    store: GraphStore, intake: Intake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("CREDIT_PUBLIC_VERSION_TTL_MS", "0")
    monkeypatch.setenv("CREDIT_PUBLIC_AUDIT_LOG", str(tmp_path / "public-audit.jsonl"))
    monkeypatch.setenv("CREDIT_PUBLIC_RATE_BURST", "400")
    load(intake, market())
    with serving() as url:
        yield url


def get(url: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(url + path, headers=headers, timeout=30)


def ids(body: dict[str, Any]) -> set[str]:
    return {r["id"] for r in body["records"]}


def test_the_list_shows_exactly_the_records_in_their_publication_period(public_url: str) -> None:
    body = get(public_url, "/public/records").json()
    assert ids(body) == PUBLIC_IDS
    assert body["total"] == 4 and body["as_of"] == TODAY.isoformat() and body["updated_at"]
    listed = get(public_url, "/public/records?list=serious_dishonesty").json()
    assert ids(listed) == {"violation:V-BANNED", "violation:V-EXPERT", "listing:L-GP"}
    penalties = get(public_url, "/public/records?list=penalty").json()
    assert ids(penalties) == {"violation:V-BANNED", "violation:V-ENDS-TODAY", "violation:V-EXPERT"}


def test_search_by_name_part_or_uscc(public_url: str) -> None:
    by_name = get(public_url, f"/public/records?q=供应商{BANNED}有限").json()
    assert ids(by_name) == {"violation:V-BANNED"}
    by_code = get(public_url, f"/public/records?q={f.make_uscc(LISTED).lower()}").json()
    assert ids(by_code) == {"listing:L-GP"}
    assert get(public_url, "/public/records?q=李专").json()["total"] == 1
    assert get(public_url, f"/public/records?q=供应商{ENDED}有限").json()["total"] == 0


def test_a_person_is_published_by_name_and_masked_number_only(public_url: str) -> None:
    response = get(public_url, "/public/records/violation:V-EXPERT")
    assert response.status_code == 200
    record = response.json()["record"]
    assert record["subject"] == {
        "kind": "person",
        "name": "李专家",
        "uscc": None,
        "masked_id_number": record["subject"]["masked_id_number"],
        "roles": ["expert"],
    }
    masked = record["subject"]["masked_id_number"]
    assert masked and "*" in masked and masked != f.make_id_number(EXPERT)
    text = response.text + get(public_url, "/public/records").text
    for secret in (f.make_id_number(EXPERT), "13800000000", "li@example.cn", "person:"):
        assert secret not in text
    assert record["lists"] == ["penalty", "serious_dishonesty"]
    assert {b["id"] for b in response.json()["basis"]} >= {
        "APL-48-DISCLOSURE",
        "ZJ-PENALTY-ONLINE-7",
    }


def test_withdrawn_records_say_why_and_unknown_ones_are_not_found(public_url: str) -> None:
    for uid, reason in (
        ("violation:V-ENDED", "publication_ended"),
        ("violation:V-REPAIRED", "repaired"),
        ("violation:V-OVERTURNED", "overturned"),
        ("listing:L-RETRACTED", "retracted"),
    ):
        response = get(public_url, f"/public/records/{uid}")
        assert response.status_code == 410, uid
        body = response.json()
        assert (
            body["withdrawn"] == reason and "record" not in body and "subject" not in response.text
        )
    assert get(public_url, "/public/records/violation:NOPE").status_code == 404
    assert get(public_url, "/public/records/listing:L-COURT").status_code == 404  # not ours


def test_answers_are_cached_with_etags(public_url: str) -> None:
    first = get(public_url, "/public/records?q=供应商")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["etag"] and first.headers["vary"] == "Accept"
    again = get(public_url, "/public/records?q=供应商", **{"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    one = get(public_url, "/public/records/violation:V-BANNED")
    assert (
        get(
            public_url,
            "/public/records/violation:V-BANNED",
            **{"if-none-match": one.headers["etag"]},
        ).status_code
        == 304
    )
    assert (
        get(
            public_url, "/public/records/violation:V-BANNED", **{"if-none-match": '"other"'}
        ).status_code
        == 200
    )


def test_a_change_through_intake_is_seen_at_once(public_url: str, intake: Intake) -> None:
    before = get(public_url, "/public/records/violation:V-BANNED")
    load(
        intake,
        [
            f.violation(
                "V-BANNED",
                BANNED,
                status="OVERTURNED",
                status_date=day(0),
                publication_end=day(700),
                decided_on=day(-30),
                ban_start=day(-30),
                ban_end=day(300),
                version=2,
            )
        ],
    )
    after = get(
        public_url,
        "/public/records/violation:V-BANNED",
        **{"if-none-match": before.headers["etag"]},
    )
    assert after.status_code == 410 and after.json()["withdrawn"] == "overturned"
    assert "violation:V-BANNED" not in ids(get(public_url, "/public/records").json())


def test_the_end_of_a_publication_period_removes_a_record(
    store: GraphStore, intake: Intake
) -> None:
    load(intake, market())
    today = PublicService(store, version_ttl=0, clock=lambda: TODAY)
    tomorrow = PublicService(store, version_ttl=0, clock=lambda: TODAY + timedelta(days=1))
    assert "violation:V-ENDS-TODAY" in ids(json.loads(today.records(None, None, 1).body))
    assert "violation:V-ENDS-TODAY" not in ids(json.loads(tomorrow.records(None, None, 1).body))
    gone = tomorrow.record("violation:V-ENDS-TODAY")
    assert gone.status == 410 and json.loads(gone.body)["since"] == TODAY.isoformat()


def test_the_list_and_the_record_pages_agree(public_url: str) -> None:
    listed = ids(get(public_url, "/public/records").json())
    for uid in (
        "violation:V-BANNED",
        "violation:V-ENDED",
        "violation:V-ENDS-TODAY",
        "violation:V-REPAIRED",
        "violation:V-OVERTURNED",
        "violation:V-EXPERT",
        "listing:L-GP",
        "listing:L-RETRACTED",
        "listing:L-COURT",
    ):
        assert (get(public_url, f"/public/records/{uid}").status_code == 200) == (uid in listed), (
            uid
        )


def test_bad_parameters_name_the_field_and_rule(public_url: str) -> None:
    for query, field, rule in (
        ("page=0", "page", "range"),
        ("page=x", "page", "integer"),
        ("list=courts", "list", "enum"),
        ("q=" + "a" * 101, "q", "length"),
    ):
        response = get(public_url, f"/public/records?{query}")
        assert response.status_code == 400
        assert (response.json()["field"], response.json()["rule"]) == (field, rule)


def test_public_graphql_serves_only_public_fields(public_url: str) -> None:
    query = '{ publicRecords(q: "专家") { total records { id subject { name maskedIdNumber } } } }'
    response = httpx.post(public_url + "/public/graphql", json={"query": query}, timeout=30)
    body = response.json()
    assert body["data"]["publicRecords"]["total"] == 1
    assert body["data"]["publicRecords"]["records"][0]["subject"]["name"] == "李专家"
    closed = httpx.post(
        public_url + "/public/graphql",
        json={"query": '{ organization(uscc: "x") { name } }'},
        timeout=30,
    )
    assert "organization" in closed.json()["errors"][0]["message"]
    gone = httpx.post(
        public_url + "/public/graphql",
        json={"query": '{ publicRecord(id: "violation:V-ENDED") { id } }'},
        timeout=30,
    )
    assert gone.json()["data"]["publicRecord"] is None


def test_anonymous_access_outside_public_stays_refused(public_url: str) -> None:
    for method, path in (
        ("POST", "/graphql"),
        ("GET", "/sync/changes"),
        ("GET", "/publicx"),
        ("GET", "/graphql?query={me{subject}}"),
        ("POST", "/auth/session"),
    ):
        response = httpx.request(
            method, public_url + path, json={"query": "{ me { subject } }"}, timeout=30
        )
        assert response.status_code == 401, path
    assert httpx.post(public_url + "/public/records", timeout=30).status_code == 405


def test_a_public_flood_is_limited_apart_and_audited_apart(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "public.jsonl"
    monkeypatch.setenv("CREDIT_PUBLIC_AUDIT_LOG", str(log))
    monkeypatch.setenv("CREDIT_PUBLIC_RATE_BURST", "5")
    monkeypatch.setenv("CREDIT_PUBLIC_RATE_PER_MINUTE", "1")
    token = token_for(Role.SUPERVISOR)
    with serving() as url:
        statuses = [get(url, "/public/records").status_code for _ in range(8)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
        signed_in = httpx.post(
            url + "/graphql",
            json={"query": "{ me { subject } }"},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert signed_in.status_code == 200 and "errors" not in signed_in.json()
        assert get(url, "/public/records").headers.get("retry-after")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["status"] for line in lines] == [*statuses, 429]
    assert verify_log(log) == 9
    operations = [
        row["e"]["operation"]
        for row in store.read("MATCH (e:AuditEvent) RETURN e {.operation} AS e")
    ]
    assert operations and not any("/public" in op for op in operations)
    tampered = log.read_text().splitlines()
    log.write_text("\n".join(tampered[:2] + tampered[3:]) + "\n")
    with pytest.raises(ValueError, match=r"chain\.broken"):
        verify_log(log)


def test_a_large_public_graphql_body_is_refused_however_it_is_sent(public_url: str) -> None:
    big = json.dumps({"query": "{ publicRecords { total } }", "pad": "x" * 20_000}).encode()
    declared = httpx.post(public_url + "/public/graphql", content=big, timeout=30)
    chunked = httpx.post(
        public_url + "/public/graphql",
        content=iter([big[:10_000], big[10_000:]]),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert declared.status_code == 413 and chunked.status_code == 413
    small = httpx.post(
        public_url + "/public/graphql", json={"query": "{ publicRecords { total } }"}
    )
    assert small.json()["data"]["publicRecords"]["total"] == 4
