"""Signing in to the pages: an access key is exchanged for a short-lived token of the same
principal (audited, in the permission table's routes); the static pages need no credential
and come with a content security policy; every HTTP route outside GraphQL is in the table."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from credit.api.app import create_app
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.security.auth import create_api_key
from credit.security.permissions import Role, load_table
from credit.ui import ui_dir
from tests.conftest import GraphQLClient, run_cli, token_for
from tests.factories import make_uscc

ME = "{ me { subject name roles } }"
AUDIT = """query($op: String!) { auditEvents(filter: { operation: $op }) {
  nodes { actor actorName operation credential outcome } } }"""


def exchange(api_url: str, key: str) -> httpx.Response:
    return httpx.post(f"{api_url}/auth/session", headers={"x-api-key": key})


def test_an_access_key_becomes_a_short_lived_token_for_the_same_person_and_role(
    api_url: str, store: GraphStore, gql: GraphQLClient
) -> None:
    key_id, key = create_api_key(store, "采购员李", Role.PURCHASER, None)
    response = exchange(api_url, key)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["name"] == "采购员李" and body["roles"] == ["PURCHASER"]
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == get_settings().ui_session_minutes * 60
    assert claims["sub"] == f"apikey:{key_id}"

    me = GraphQLClient(api_url, body["token"]).ok(ME)["me"]
    assert me == {"subject": f"apikey:{key_id}", "name": "采购员李", "roles": ["PURCHASER"]}

    (event,) = gql.ok(AUDIT, op="POST /auth/session")["auditEvents"]["nodes"]
    assert event["actor"] == f"apikey:{key_id}" and event["credential"] == f"apikey:{key_id}"


def test_a_purchasers_key_names_its_unit_and_the_session_carries_it(
    api_url: str, store: GraphStore
) -> None:
    """The unit decides whose lots and flags a purchaser sees, so it must survive sign-in."""
    unit = make_uscc(7)
    created = run_cli(
        "apikey", "create", "--name", "采购员张", "--role", "PURCHASER", "--org", unit
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.split("key: ")[1].strip()
    body = exchange(api_url, key).json()
    assert body["organization"] == unit
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["org"] == unit


def test_a_key_for_a_unit_with_a_wrong_check_character_is_refused() -> None:
    unit = make_uscc(7)
    wrong = unit[:-1] + ("0" if unit[-1] != "0" else "1")
    refused = run_cli("apikey", "create", "--name", "x", "--role", "PURCHASER", "--org", wrong)
    assert refused.returncode != 0
    assert "--org" in refused.stderr and "uscc.check_character" in refused.stderr


@pytest.mark.parametrize(
    ("credential", "status", "code"),
    [
        ({}, 401, "UNAUTHENTICATED"),
        ({"x-api-key": "ck_0000_wrong"}, 401, "UNAUTHENTICATED"),
    ],
)
def test_no_or_a_wrong_key_is_refused(
    api_url: str, store: GraphStore, credential: dict[str, str], status: int, code: str
) -> None:
    response = httpx.post(f"{api_url}/auth/session", headers=credential)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


def test_external_systems_keep_their_key_and_a_token_cannot_renew_itself(
    api_url: str, store: GraphStore, gql: GraphQLClient
) -> None:
    sync_id, sync_key = create_api_key(store, "court system", Role.SYNC_CLIENT, "court")
    refused = exchange(api_url, sync_key)
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "FORBIDDEN"
    events = gql.ok(AUDIT, op="POST /auth/session")["auditEvents"]["nodes"]
    assert [(e["actor"], e["outcome"]) for e in events] == [(f"apikey:{sync_id}", "denied")]

    token = token_for(Role.SUPERVISOR, name="王芳")
    renewal = httpx.post(f"{api_url}/auth/session", headers={"authorization": f"Bearer {token}"})
    assert renewal.status_code == 400
    assert renewal.json()["detail"]["field"] == "x-api-key"


def test_every_http_route_outside_graphql_is_in_the_permission_table() -> None:
    paths = create_app(get_settings()).openapi()["paths"]
    routes = {
        f"{method.upper()} {path}"
        for path, methods in paths.items()
        if path != "/graphql" and not path.startswith(("/health/", "/.well-known/"))  # anonymous
        for method in methods
    }
    assert routes == set(load_table().routes)


def test_the_pages_are_served_without_a_credential_under_a_strict_policy(api_url: str) -> None:
    assert (ui_dir() / "index.html").is_file(), "build the pages first: make ui"
    page = httpx.get(f"{api_url}/ui/")
    assert page.status_code == 200 and 'type="module"' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert httpx.get(f"{api_url}/ui", follow_redirects=True).status_code == 200
    assert httpx.post(f"{api_url}/ui/").status_code == 401  # only reading is anonymous
