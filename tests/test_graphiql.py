"""Issue 16 item 3: GraphiQL opens with an example operation for each user, a note on the
Authorization header and a link to the pages; every example is valid against the schema."""

from __future__ import annotations

import json

import httpx
from graphql import parse, validate

from credit.api.graphiql import EXAMPLES, WELCOME
from credit.api.schema import build_schema
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.security.audit import AuditLog
from credit.security.permissions import load_table


def test_every_example_is_valid_against_the_schema(graph_db: GraphStore) -> None:
    schema = build_schema(get_settings(), load_table(), AuditLog(graph_db))
    for example in EXAMPLES:
        errors = validate(schema._schema, parse(example.query))
        assert not errors, (example.title, errors)


def test_graphiql_opens_with_the_examples(api_url: str) -> None:
    page = httpx.get(f"{api_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "Authorization" in html and "/ui/" in html
    start = html.index("defaultTabs: ") + len("defaultTabs: ")
    tabs, _ = json.JSONDecoder().raw_decode(html[start:])
    assert [t["query"] for t in tabs][1:] == [e.query for e in EXAMPLES][1:]
    assert tabs[0]["query"].startswith(WELCOME)
    titles = " ".join(e.title for e in EXAMPLES)
    for user in ("Purchaser", "Supervisor", "Sync client"):
        assert user in titles
