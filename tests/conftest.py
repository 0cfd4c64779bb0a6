"""Fixtures: a real Neo4j (the project's "test" instance, never the demo data) and the real
GraphQL app served over HTTP by uvicorn on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

os.environ.setdefault("CREDIT_INSTANCE", "test")
os.environ.setdefault("CREDIT_ENV", "test")

from credit.api.app import create_app
from credit.db import get_driver
from credit.intake.pipeline import Intake, IntakeReport
from credit.services import get_intake, get_store
from credit.settings import get_settings
from credit.store import GraphStore
from graph.migrate import apply_migrations


@pytest.fixture(scope="session")
def store() -> GraphStore:
    settings = get_settings()
    assert settings.neo4j_uri or settings.instance == "test", "tests never run on the demo data"
    driver = get_driver()
    driver.verify_connectivity()  # no database means a failed run, never a skip
    apply_migrations(driver, settings.neo4j_database)
    return get_store()


@pytest.fixture(autouse=True)
def clean_graph(store: GraphStore) -> None:
    store.wipe()


@pytest.fixture
def intake(store: GraphStore) -> Intake:
    return get_intake()


def ingest(intake: Intake, records: list[Any]) -> IntakeReport:
    return intake.run(enumerate(records, start=1))


class Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


@pytest.fixture(scope="session")
def api_url(store: GraphStore) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class GraphQLClient:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)

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
        return first


@pytest.fixture
def gql(api_url: str) -> Iterator[GraphQLClient]:
    client = GraphQLClient(api_url)
    yield client
    client.http.close()
