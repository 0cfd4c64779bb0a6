"""Fixtures: a real Neo4j (the project's "test" instance, never the demo data) and the real
GraphQL app served over HTTP by uvicorn on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

os.environ.setdefault("CREDIT_INSTANCE", "test")
os.environ.setdefault("CREDIT_ENV", "test")

from credit.api.app import create_app
from credit.core.db import get_driver
from credit.core.settings import Settings, get_settings
from credit.core.store import GraphStore
from credit.core.wiring import get_intake, get_store
from credit.intake.pipeline import Intake, IntakeReport
from credit.security.audit import AuditLog
from credit.security.auth import create_api_key, create_token
from credit.security.permissions import Role
from graph.migrate import apply_migrations


@pytest.fixture(scope="session")
def graph_db() -> GraphStore:
    settings = get_settings()
    assert settings.neo4j_uri or settings.instance != "main", "tests never run on the demo data"
    driver = get_driver()
    driver.verify_connectivity()  # no database means a failed run, never a skip
    apply_migrations(driver, settings.neo4j_database)
    return get_store()


_LIVE_AUDITS: list[AuditLog] = []


@pytest.fixture
def store(graph_db: GraphStore) -> GraphStore:
    """The graph, emptied (but for its migrations) before the test, after the running apps
    have written their pending audit events, so no test sees another's trail."""
    for audit in _LIVE_AUDITS:
        audit.flush()
    graph_db.wipe()
    return graph_db


@pytest.fixture
def intake(store: GraphStore) -> Intake:
    return get_intake()


def ingest(intake: Intake, records: list[Any]) -> IntakeReport:
    return intake.run(enumerate(records, start=1))


class Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


@contextmanager
def serving(settings: Settings | None = None) -> Iterator[str]:
    """The real app (optionally with other settings) on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(settings)
    _LIVE_AUDITS.append(app.state.audit)
    server = Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "API server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.state.audit.flush()
        _LIVE_AUDITS.remove(app.state.audit)
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def api_url(graph_db: GraphStore) -> Iterator[str]:
    with serving() as url:
        yield url


def token_for(*roles: Role, name: str = "tester", org: str | None = None) -> str:
    return create_token(get_settings(), list(roles), name, timedelta(hours=1), organization=org)


class GraphQLClient:
    def __init__(
        self, url: str, credential: str | None = None, header: str = "authorization"
    ) -> None:
        headers = {}
        if credential:
            headers[header] = credential if header != "authorization" else f"Bearer {credential}"
        self.http = httpx.Client(base_url=url, timeout=30, headers=headers)

    def raw(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code < 500, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.raw(query, **variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.raw(query, **variables)
        assert body.get("errors"), body
        first: dict[str, Any] = body["errors"][0]
        # Every error names its request (the id in the logs and the audit event); the tests
        # compare the rest.
        assert first["extensions"].pop("requestId"), first
        return first


@pytest.fixture
def gql(api_url: str, store: GraphStore) -> Iterator[GraphQLClient]:
    """A supervisor's client (the role that may do everything)."""
    client = GraphQLClient(api_url, token_for(Role.SUPERVISOR, name="supervisor"))
    yield client
    client.http.close()


@pytest.fixture
def client_as(api_url: str, store: GraphStore) -> Iterator[Callable[..., GraphQLClient]]:
    made: list[GraphQLClient] = []

    def make(*roles: Role, org: str | None = None) -> GraphQLClient:
        client = GraphQLClient(api_url, token_for(*roles, name="-".join(roles).lower(), org=org))
        made.append(client)
        return client

    yield make
    for client in made:
        client.http.close()


@pytest.fixture
def role_clients(api_url: str, store: GraphStore) -> Iterator[dict[Role, GraphQLClient]]:
    """One client per role; people by token, the external system by an API key."""
    _, sync_key = create_api_key(store, "court system", Role.SYNC_CLIENT, "court")
    made: dict[Role, GraphQLClient] = {
        role: GraphQLClient(api_url, token_for(role))
        for role in Role
        if role is not Role.SYNC_CLIENT
    }
    made[Role.SYNC_CLIENT] = GraphQLClient(api_url, sync_key)
    yield made
    for client in made.values():
        client.http.close()


ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The `credit` command as an operator runs it, on the same instance as the tests."""
    return subprocess.run(
        [sys.executable, "-m", "credit.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=ROOT,
        timeout=300,
        check=False,
    )
