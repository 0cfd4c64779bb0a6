"""Access control over HTTP: every operation as every role against the permission table,
authentication, personal-data fields, API keys, the audit trail and the abuse limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from graphql.pyutils import Undefined

from credit.api.schema import build_schema
from credit.core.settings import Environment, Settings, get_settings
from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key, create_token, revoke_api_key
from credit.security.permissions import Role, load_table
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, run_cli, serving, token_for

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = build_schema(Settings())._schema
TABLE = load_table()
SAMPLE_SCALARS = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Date": "2025-01-01",
    "DateTime": "2025-01-01T00:00:00+08:00",
    "JSON": {},
}


def _literal(t: GraphQLInputType) -> str:
    """A syntactically valid value for a required argument; content need not make sense."""
    if isinstance(t, GraphQLNonNull):
        return _literal(t.of_type)
    if isinstance(t, GraphQLList):
        return "[]"
    if isinstance(t, GraphQLEnumType):
        return str(next(iter(t.values)))
    if isinstance(t, GraphQLInputObjectType):
        required = [
            f"{name}: {_literal(field.type)}"
            for name, field in t.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(t, GraphQLScalarType)
    return str(json.dumps(SAMPLE_SCALARS[t.name]))


def _operations() -> list[tuple[str, str]]:
    found = []
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            args = [
                f"{a}: {_literal(arg.type)}"
                for a, arg in field.args.items()
                if isinstance(arg.type, GraphQLNonNull)
            ]
            call = f"{name}({', '.join(args)})" if args else name
            if isinstance(get_named_type(field.type), GraphQLObjectType | type(None)) or not (
                isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)
            ):
                call += " { __typename }"
            found.append((f"{root.name}.{name}", f"{kind} {{ {call} }}"))
    return found


OPERATIONS = _operations()


def test_every_operation_has_a_permission_table_entry() -> None:
    missing = [key for key, _ in OPERATIONS if key not in TABLE.operations]
    assert missing == [], f"add these to credit/security/permissions.toml: {missing}"
    stale = set(TABLE.operations) - {key for key, _ in OPERATIONS}
    assert stale == set(), f"entries for operations that no longer exist: {stale}"


def test_every_role_gets_exactly_what_the_table_allows(
    role_clients: dict[Role, GraphQLClient],
) -> None:
    mismatches = []
    for key, query in OPERATIONS:
        for role, client in role_clients.items():
            body = client.raw(query)
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            allowed = role in TABLE.operations[key]
            if allowed == ("FORBIDDEN" in codes):
                mismatches.append((key, role.value, "allowed" if allowed else "denied", codes))
    assert mismatches == []


def test_no_token_means_401_and_the_graphiql_page_stays_open(api_url: str) -> None:
    response = httpx.post(f"{api_url}/graphql", json={"query": "{ me { name } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "bearer" in response.headers["www-authenticate"].lower()
    page = httpx.get(f"{api_url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    sneaky = httpx.get(
        f"{api_url}/graphql", params={"query": "{ me { name } }"}, headers={"accept": "text/html"}
    )
    assert sneaky.status_code == 401


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        create_token(
            Settings(jwt_secret="another-secret-entirely-0123456789"),
            [Role.SUPERVISOR],
            "mallory",
            timedelta(hours=1),
        ),
        create_token(get_settings(), [Role.SUPERVISOR], "late", timedelta(seconds=-120)),
    ],
    ids=["garbage", "wrong-signature", "expired"],
)
def test_a_bad_or_expired_token_is_refused(api_url: str, token: str) -> None:
    response = httpx.post(
        f"{api_url}/graphql",
        json={"query": "{ me { name } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_a_purchaser_cannot_see_person_names(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(
        intake,
        [
            f.person(1, name="王伟"),
            f.organization(1, name="王伟建材有限公司"),
            f.violation("V1", {"person": f.make_id_number(1)}),
        ],
    )
    purchaser = client_as(Role.PURCHASER)
    error = purchaser.error('{ violation(id: "V1") { subject { ... on Person { name } } } }')
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "Person.name"}
    masked = purchaser.ok(
        '{ violation(id: "V1") { subject { ... on Person { maskedIdNumber } } } }'
    )
    assert masked["violation"]["subject"]["maskedIdNumber"].count("*") == 10
    hits = purchaser.ok('{ search(query: "王伟") { nodes { node { kind name } } } }')
    assert [h["node"]["kind"] for h in hits["search"]["nodes"]] == ["org"]
    assert (
        len(gql.ok('{ search(query: "王伟") { nodes { node { kind } } } }')["search"]["nodes"]) == 2
    )


def test_kinship_shows_to_supervisors_only(intake: Intake, gql: GraphQLClient) -> None:
    a, b = f.make_id_number(1), f.make_id_number(2)
    ingest(
        intake,
        [
            f.person(1),
            f.person(2),
            f.tie("RELATIVE_OF", {"person": a}, {"person": b}, kinship="SPOUSE"),
        ],
    )
    uid = gql.ok('{ search(query: "张1", kind: PERSON) { nodes { node { id } } } }')["search"][
        "nodes"
    ][0]["node"]["id"]
    edges = gql.ok(f'{{ neighbourhood(id: "{uid}") {{ edges {{ type properties }} }} }}')
    assert edges["neighbourhood"]["edges"][0]["properties"]["kinship"] == "SPOUSE"


def test_a_sync_client_writes_its_own_source_only(api_url: str, store: GraphStore) -> None:
    _, key = create_api_key(store, "court system", Role.SYNC_CLIENT, "court")
    client = GraphQLClient(api_url, key, header="x-api-key")
    mutation = (
        "mutation($r: [JSON!]!) { ingestRecords(records: $r) { changed errors { index rule } } }"
    )
    result = client.ok(mutation, r=[f.organization(1, source="court"), f.organization(2)])
    assert result["ingestRecords"] == {
        "changed": 1,
        "errors": [{"index": 1, "rule": "source.forbidden"}],
    }
    assert client.error('{ organization(uscc: "x") { id } }')["extensions"]["code"] == "FORBIDDEN"


def test_api_keys_are_shown_once_stored_hashed_and_revocable(
    api_url: str, store: GraphStore
) -> None:
    done = run_cli(
        "apikey", "create", "--name", "tax bureau", "--role", "SYNC_CLIENT", "--source", "tax"
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    key_id, key = lines["id"], lines["key"]
    stored = store.read("MATCH (k:ApiKey {id: $id}) RETURN k {.*} AS k", id=key_id)[0]["k"]
    assert key.split("_", 2)[2] not in json.dumps(stored, default=str)
    client = GraphQLClient(api_url, key)
    assert client.ok("{ me { roles source } }")["me"] == {"roles": ["SYNC_CLIENT"], "source": "tax"}
    assert revoke_api_key(store, key_id)
    assert client.http.post("/graphql", json={"query": "{ me { name } }"}).status_code == 401


def test_supervisors_see_who_checked_a_supplier(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(intake, [f.organization(1)])
    uscc = f.make_uscc(1)
    purchaser = client_as(Role.PURCHASER)
    purchaser.ok("query($u: String!) { organization(uscc: $u) { name } }", u=uscc)
    events = gql.ok(
        "query($t: ID!) { auditEvents(filter: {targetId: $t}) { nodes { actorName roles "
        "operation outcome resultHash } } }",
        t=f"org:{uscc}",
    )["auditEvents"]["nodes"]
    assert events == [
        {
            "actorName": "purchaser",
            "roles": ["PURCHASER"],
            "operation": "Query.organization",
            "outcome": "ok",
            "resultHash": events[0]["resultHash"],
        }
    ]
    assert len(events[0]["resultHash"]) == 64


def test_who_looked_at_a_person_includes_denied_attempts(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    ingest(intake, [f.person(1)])
    uid = get_mapper().person_uid_for(f.make_id_number(1))
    client_as(Role.PURCHASER).error("query($id: ID!) { person(id: $id) { name } }", id=uid)
    gql.ok("query($id: ID!) { person(id: $id) { name } }", id=uid)
    events = gql.ok(
        "query($t: ID!) { auditEvents(filter: {targetId: $t}) { nodes { roles outcome } } }", t=uid
    )
    assert events["auditEvents"]["nodes"] == [
        {"roles": ["SUPERVISOR"], "outcome": "ok"},
        {"roles": ["PURCHASER"], "outcome": "denied"},
    ]


def test_tampering_with_an_audit_event_is_detected(
    gql: GraphQLClient, store: GraphStore, api_url: str
) -> None:
    for _ in range(3):
        gql.ok("{ me { name } }")
    assert gql.ok("{ auditChain { intact events } }")["auditChain"]["intact"] is True
    store.write("MATCH (e:AuditEvent {seq: 2}) SET e.outcome = 'denied'")
    report = gql.ok("{ auditChain { intact firstBrokenSeq problem } }")["auditChain"]
    assert report == {"intact": False, "firstBrokenSeq": 2, "problem": "event 2 was altered"}


def test_deleting_an_audit_event_is_detected(gql: GraphQLClient, store: GraphStore) -> None:
    for _ in range(3):
        gql.ok("{ me { name } }")
    gql.ok("{ auditChain { intact } }")
    store.write("MATCH (e:AuditEvent {seq: 2}) DETACH DELETE e")
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert "broken at event 2" in done.stdout


def test_responses_carry_security_headers(gql: GraphQLClient) -> None:
    response = gql.http.post("/graphql", json={"query": "{ me { name } }"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in response.headers


def test_an_oversized_body_is_refused(gql: GraphQLClient) -> None:
    big = {"query": "{ me { name } }", "variables": {"pad": "x" * 1_100_000}}
    response = gql.http.post("/graphql", json=big)
    assert response.status_code == 413


def test_too_many_requests_get_429_with_retry_after(store: GraphStore) -> None:
    settings = get_settings().model_copy(update={"rate_limit_per_minute": 6, "rate_limit_burst": 3})
    with serving(settings) as url:
        client = GraphQLClient(url, token_for(Role.PURCHASER))
        statuses = [
            client.http.post("/graphql", json={"query": "{ me { name } }"}) for _ in range(5)
        ]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
        assert int(statuses[-1].headers["retry-after"]) >= 1
        other = GraphQLClient(url, token_for(Role.SUPERVISOR, name="another"))
        assert other.http.post("/graphql", json={"query": "{ me { name } }"}).status_code == 200


@pytest.fixture(scope="module")
def rsa_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    folder = tmp_path_factory.mktemp("keys")
    private, public = folder / "private.pem", folder / "public.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def _production(private: Path, public: Path) -> Settings:
    uri, user, password = get_settings().connection()
    return get_settings().model_copy(
        update={
            "env": Environment.PRODUCTION,
            "secret_key": "p" * 40,
            "neo4j_uri": uri,
            "neo4j_user": user,
            "neo4j_password": password,
            "jwt_algorithm": "RS256",
            "jwt_private_key_file": private,
            "jwt_public_key_file": public,
        }
    )


def test_production_verifies_rs256_hides_introspection_and_masks_errors(
    store: GraphStore, rsa_keys: tuple[Path, Path]
) -> None:
    settings = _production(*rsa_keys)
    with serving(settings) as url:
        good = GraphQLClient(
            url, create_token(settings, [Role.SUPERVISOR], "s", timedelta(hours=1))
        )
        assert good.ok("{ me { roles } }")["me"]["roles"] == ["SUPERVISOR"]
        hs = create_token(get_settings(), [Role.SUPERVISOR], "s", timedelta(hours=1))
        assert (
            GraphQLClient(url, hs)
            .http.post("/graphql", json={"query": "{ me { name } }"})
            .status_code
            == 401
        )
        error = good.error("{ __schema { types { name } } }")
        assert "introspection" in error["message"].lower()
        page = httpx.get(f"{url}/graphql", headers={"accept": "text/html"})
        assert page.status_code != 200 or "graphiql" not in page.text.lower()
