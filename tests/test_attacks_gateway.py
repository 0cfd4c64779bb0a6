"""Attacks on the gateway (issue 14): authentication, limits, cursors and the audit of every
answered request. Each test is one finding, reproduced over HTTP against the real app."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from credit.api.pagination import encode_cursor
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security import auth
from credit.security.auth import create_api_key, revoke_api_key
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, run_cli, serving, token_for

ME = "{ me { subject name } }"
AUDIT = """query($op: String) { auditEvents(filter: { operation: $op }, first: 200) {
  nodes { actor actorName operation credential outcome targets } } }"""
LOT_CHECK = 'l{n}: lotEligibility(lotId: "L1") {{ decision }}'


def _events(gql: GraphQLClient, operation: str | None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = gql.ok(AUDIT, op=operation)["auditEvents"]["nodes"]
    return nodes


def _signed(claims: dict[str, Any]) -> str:
    """A token signed with the deployment's own key but with claims of the attacker's choosing
    (or of an older release): what an insider with a leaked signing path could present."""
    now = datetime.now(UTC)
    settings = get_settings()
    base = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(hours=1),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(base | claims, auth._hs_secret(settings), algorithm="HS256")


def _market(intake: Intake) -> None:
    ingest(
        intake,
        [
            f.organization(1),
            f.organization(2),
            f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
            f.project("P1", 9),
            f.lot("L1", "P1"),
            f.bid("B1", "L1", 1, "100.00"),
            f.bid("B2", "L1", 2, "101.00"),
        ],
    )


def test_finding_05_revoking_a_key_ends_the_sessions_made_from_it(
    api_url: str, store: GraphStore, gql: GraphQLClient
) -> None:
    key_id, key = create_api_key(store, "采购员李", Role.PURCHASER, None)
    made = httpx.post(f"{api_url}/auth/session", headers={"x-api-key": key})
    assert made.status_code == 200, made.text
    session = GraphQLClient(api_url, made.json()["token"])
    assert session.ok(ME)["me"]["subject"] == f"apikey:{key_id}"
    # A session minted by an earlier release (no key claim, only the key in `sub`) too.
    legacy = GraphQLClient(
        api_url, _signed({"sub": f"apikey:{key_id}", "name": "采购员李", "roles": ["PURCHASER"]})
    )
    assert legacy.ok(ME)["me"]["subject"] == f"apikey:{key_id}"

    assert revoke_api_key(store, key_id)
    for client in (session, legacy):
        refused = client.http.post("/graphql", json={"query": ME})
        assert refused.status_code == 401, refused.text
        assert refused.json()["errors"][0]["message"] == "API key revoked"
    assert httpx.post(f"{api_url}/auth/session", headers={"x-api-key": key}).status_code == 401
    refusals = [e for e in _events(gql, "POST /graphql") if e["outcome"] == "denied"]
    assert len(refusals) == 2  # the refused sessions are on the trail


COSTLY = "nodes { bids { lot { bids { id } } } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (f"query($n: Int!) {{ organizations(first: $n) {{ {COSTLY} }} }}", {"n": 200}),
        (f"query($n: Int = 200) {{ organizations(first: $n) {{ {COSTLY} }} }}", {}),
        (
            "query { organizations(first: 200) { ...F } } "
            f"fragment F on OrganizationConnection {{ {COSTLY} }}",
            {},
        ),
    ],
    ids=["variable", "variable-default", "fragment"],
)
def test_finding_06_the_cost_limit_counts_variables_and_fragments(
    gql: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    error = gql.error(query, **variables)
    assert error["extensions"]["code"] == "COST_LIMIT", error
    assert gql.ok(query.replace("200", "2").replace("$n: Int!", "$n: Int = 2"), n=2)
    (event, *_) = _events(gql, "Query.organizations")
    assert event["outcome"] == "ok"


def test_finding_09_root_fields_in_fragments_are_audited_and_checked(
    intake: Intake, gql: GraphQLClient, api_url: str
) -> None:
    ingest(intake, [f.organization(1), f.person(1)])
    uscc = f.make_uscc(1)
    gql.ok(f'query {{ ...F }} fragment F on Query {{ organization(uscc: "{uscc}") {{ name }} }}')
    gql.ok(f'query {{ ... on Query {{ creditProfile(uscc: "{uscc}") {{ score }} }} }}')
    assert _events(gql, "Query.organization")[0]["targets"] == [f"org:{uscc}"]
    assert _events(gql, "Query.creditProfile")[0]["targets"] == [f"org:{uscc}"]

    purchaser = GraphQLClient(api_url, token_for(Role.PURCHASER))
    for query, field in (
        ("query { ...F } fragment F on Query { auditChain { intact } }", "Query.auditChain"),
        ('{ ... on Query { ... on Query { person(id: "person:x") { id } } } }', "Query.person"),
    ):
        error = purchaser.error(query)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("FORBIDDEN", field)
    denied = _events(gql, "Query.person")
    assert [(e["outcome"], e["targets"]) for e in denied] == [("denied", ["person:x"])]


def test_finding_11_an_encoded_query_parameter_needs_a_credential(
    api_url: str, gql: GraphQLClient
) -> None:
    page = httpx.get(f"{api_url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200  # the GraphiQL page itself stays open
    deep = "[" * 3000 + "]" * 3000
    for query in ("%71uery=%7Bme%7Bname%7D%7D", f"%71uery=%7Bme%7Bname%7D%7D&variables={deep}"):
        sneaky = httpx.get(f"{api_url}/graphql?{query}", headers={"accept": "text/html"})
        assert sneaky.status_code == 401, sneaky.text
    signed_in = gql.http.get(f"/graphql?query=%7Bme%7Bname%7D%7D&variables={deep}")
    assert signed_in.status_code == 400, signed_in.text
    error = signed_in.json()["errors"][0]["extensions"]
    assert (error["code"], error["field"], error["rule"]) == (
        "BAD_USER_INPUT",
        "variables",
        "depth",
    )


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (b"[" * 3000 + b"]" * 3000, "body", "depth"),
        (
            b'{"query": "{ me { name } }", "variables": ' + b'{"a":' * 3000 + b"1" + b"}" * 3001,
            "body",
            "depth",
        ),
        (b'"{ me { name } }"', "body", "object"),
        (b"17", "body", "object"),
        (b"{not json", "body", "json"),
    ],
    ids=["nested-list", "nested-variables", "string", "number", "malformed"],
)
def test_finding_12_odd_bodies_are_bad_input_and_audited(
    gql: GraphQLClient, body: bytes, field: str, rule: str
) -> None:
    response = gql.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert error["extensions"]["rule"] == rule and error["message"].startswith(f"{field}: {rule}:")
    assert [e["outcome"] for e in _events(gql, "POST /graphql")] == ["error"]


@pytest.mark.parametrize("roles", [5, "SUPERVISOR", [5], [["SUPERVISOR"]], None])
def test_finding_12_a_signed_token_with_odd_roles_is_refused(api_url: str, roles: Any) -> None:
    token = _signed({"sub": "user:x", "name": "x", "roles": roles})
    response = httpx.post(
        f"{api_url}/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, response.text


SEARCH = 'query($a: String) { search(query: "公司", after: $a) { nodes { score } } }'
CHANGES = "query($a: String) { changes(after: $a) { hasMore } }"
AUDIT_PAGE = "query($a: String) { auditEvents(after: $a) { nodes { id } } }"


@pytest.mark.parametrize(
    ("query", "scope"), [(SEARCH, "search"), (CHANGES, "changes"), (AUDIT_PAGE, "audit")]
)
@pytest.mark.parametrize("value", ["abc", "-5", "9" * 30, "²", "1 ", ""])
def test_finding_13_a_forged_cursor_is_bad_user_input(
    gql: GraphQLClient, query: str, scope: str, value: str
) -> None:
    error = gql.error(query, a=encode_cursor(scope, value))
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == (
        "after",
        "cursor.malformed",
    )


@pytest.mark.parametrize("value", ["9" * 30, "²", "-1", "x"])
def test_finding_13_a_forged_cursor_on_the_bulk_feed_is_refused_before_streaming(
    gql: GraphQLClient, value: str
) -> None:
    response = gql.http.get("/sync/changes", params={"after": encode_cursor("changes", value)})
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert (detail["code"], detail["field"], detail["rule"]) == (
        "BAD_USER_INPUT",
        "after",
        "cursor.malformed",
    )
    assert [e["outcome"] for e in _events(gql, "GET /sync/changes")] == ["error"]


def test_finding_14_failed_authentication_is_rate_limited_per_address(gql: GraphQLClient) -> None:
    with serving(get_settings()) as url, httpx.Client(base_url=url) as client:
        statuses = [
            client.post(
                "/graphql",
                json={"query": ME},
                headers={"x-api-key": f"ck_{n:016x}_{'s' * 43}"},
            ).status_code
            for n in range(300)
        ]
        # Only the burst (and what refilled meanwhile) reached the graph; the rest were
        # refused before any lookup.
        burst = get_settings().auth_failure_burst
        assert burst <= statuses.count(401) <= burst + 2
        assert statuses.count(429) == 300 - statuses.count(401)
        limited = client.post("/graphql", json={"query": ME}, headers={"x-api-key": "ck_x_y"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    chain = gql.ok("{ auditChain { events intact } }")["auditChain"]
    assert chain == {"events": 301, "intact": True}  # every refusal is on the trail
    events = _events(gql, "POST /graphql")
    assert {(e["actor"], e["outcome"], e["credential"]) for e in events} == {
        ("anonymous:127.0.0.1", "denied", "apikey")
    }


def test_finding_15_principals_are_ids_not_display_names(
    intake: Intake, gql: GraphQLClient
) -> None:
    _market(intake)
    # one token a minute: a slow machine refills nothing while the test runs
    settings = get_settings().model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 3})
    with serving(settings) as url:
        one = GraphQLClient(url, token_for(Role.PURCHASER, name="张伟"))
        two = GraphQLClient(url, token_for(Role.PURCHASER, name="张伟"))
        me_one, me_two = one.ok(ME)["me"], two.ok(ME)["me"]
        assert me_one["name"] == me_two["name"] == "张伟"
        assert me_one["subject"] != me_two["subject"]
        assert me_one["subject"].startswith("user:")
        check = "query($u: String!) { supplierEligibility(uscc: $u) { checkRecord { id } } }"
        ref = one.ok(check, u=f.make_uscc(1))["supplierEligibility"]["checkRecord"]["id"]
        # A namesake neither reads the other's check record nor shares its rate bucket.
        assert two.ok("query($i: ID!) { checkRecord(id: $i) { id } }", i=ref)["checkRecord"] is None
        statuses = [one.http.post("/graphql", json={"query": ME}).status_code for _ in range(2)]
        assert statuses == [200, 429]
        assert two.http.post("/graphql", json={"query": ME}).status_code == 200
    actors = {e["actor"] for e in _events(gql, "Query.me")}
    assert actors == {me_one["subject"], me_two["subject"]}

    # The operator reissues a token for the same person by id; a new person gets a new id.
    first = run_cli("token", "create", "--role", "PURCHASER", "--name", "张伟")
    assert first.returncode == 0, first.stderr
    claims = jwt.decode(first.stdout.strip(), options={"verify_signature": False})
    assert claims["sub"].startswith("user:") and claims["name"] == "张伟"
    again = run_cli(
        "token", "create", "--role", "PURCHASER", "--name", "张伟", "--id", claims["sub"]
    )
    assert again.returncode == 0, again.stderr
    assert (
        jwt.decode(again.stdout.strip(), options={"verify_signature": False})["sub"]
        == claims["sub"]
    )

    # A token from before stable ids (sub = the name) still works, as a principal of its own.
    old = [_signed({"sub": "张伟", "name": "张伟", "roles": ["PURCHASER"]}) for _ in range(2)]
    subjects = {GraphQLClient(str(gql.http.base_url), t).ok(ME)["me"]["subject"] for t in old}
    assert len(subjects) == 2 and "张伟" not in subjects


def test_finding_17_a_bad_limit_on_the_bulk_feed_is_authorised_first_and_audited(
    api_url: str, gql: GraphQLClient
) -> None:
    assert httpx.get(f"{api_url}/sync/changes?limit=0").status_code == 401
    purchaser = GraphQLClient(api_url, token_for(Role.PURCHASER))
    assert purchaser.http.get("/sync/changes?limit=0").status_code == 403
    for limit in ("0", "100001", "ten", "1e3"):
        response = gql.http.get(f"/sync/changes?limit={limit}")
        assert response.status_code == 400, response.text
        detail = response.json()["detail"]
        assert (detail["code"], detail["field"], detail["rule"]) == (
            "BAD_USER_INPUT",
            "limit",
            "range",
        )
        assert detail["message"].startswith("limit: range:")
    outcomes = [e["outcome"] for e in _events(gql, "GET /sync/changes")]
    assert outcomes == ["error"] * 4 + ["denied", "denied"]  # the anonymous call too
    assert gql.http.get("/sync/changes?limit=5").status_code == 200


def test_finding_18_the_rate_limit_counts_operations_not_requests(
    intake: Intake, store: GraphStore, gql: GraphQLClient
) -> None:
    _market(intake)
    settings = get_settings().model_copy(
        update={"rate_limit_per_minute": 1, "rate_limit_burst": 10}
    )
    with serving(settings) as url:
        client = GraphQLClient(url, token_for(Role.SUPERVISOR, name="批量"))
        thirty = "{ " + " ".join(LOT_CHECK.format(n=n) for n in range(30)) + " }"
        error = client.error(thirty)
        assert error["extensions"]["code"] == "RATE_LIMITED", error
        assert error["extensions"]["retryAfter"] >= 1
        filed = store.read("MATCH (c:CheckRecord) RETURN count(c) AS n")[0]["n"]
        assert filed == 0
        five = "{ " + " ".join(LOT_CHECK.format(n=n) for n in range(5)) + " }"
        assert len(client.ok(five)) == 5
        assert client.error(five)["extensions"]["code"] == "RATE_LIMITED"
    outcomes = [
        (e["outcome"], e["operation"].count("lotEligibility"))
        for e in _events(gql, None)
        if e["operation"].startswith("Query.lotEligibility")
    ]
    assert outcomes == [("denied", 5), ("ok", 5), ("denied", 30)]
