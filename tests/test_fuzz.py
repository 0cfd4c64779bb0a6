"""Hostile input over HTTP: generated queries for every role, and injection attempts in every
string argument, never give a 5xx, leak internals, or change the graph."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    ObjectValueNode,
    StringValueNode,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from credit.api.schema import build_schema
from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

SCHEMA = build_schema(Settings())._schema
SCALARS = {
    "Date": st.dates().map(lambda d: StringValueNode(value=d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: StringValueNode(value=d.isoformat())),
    "JSON": st.just(ObjectValueNode(fields=())),
}
LEAKS = ("Traceback", "neo4j.", "Neo.ClientError", 'File "', "site-packages")
INJECTIONS = [
    "') MATCH (n) DETACH DELETE n //",
    '" OR 1=1 RETURN n //',
    "\\'; CALL dbms.components() //",
    "name:* OR uscc:*",
    "\u202e\u200b\ufeff鼎盛",
    "９１３３０１０６",
    "\x00",
    "𠀀" * 300,
    "x" * 5000,
]


def _assert_clean(
    client: GraphQLClient, query: str, variables: dict[str, object] | None = None
) -> None:
    response = client.http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code < 500, response.text
    text = response.text
    assert not any(leak in text for leak in LEAKS), text[:500]


@pytest.mark.parametrize("role", list(Role))
def test_generated_queries_never_fail_the_server(
    role_clients: dict[Role, GraphQLClient], role: Role
) -> None:
    client = role_clients[role]
    query_fields = [name for name in SCHEMA.query_type.fields if name not in ("auditChain",)]  # type: ignore[union-attr]

    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(from_schema(SCHEMA, fields=query_fields, custom_scalars=SCALARS))
    def run(query: str) -> None:
        _assert_clean(client, query)

    run()


def _string_arguments() -> list[tuple[str, str, str]]:
    found = []
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                named = get_named_type(arg.type)
                if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
                    required = [
                        f"{a}: $v" if a == arg_name else None
                        for a, other in field.args.items()
                        if a == arg_name or isinstance(other.type, GraphQLNonNull)
                    ]
                    if None in required:
                        continue  # another required argument; covered through its own string
                    selection = (
                        ""
                        if isinstance(get_named_type(field.type), GraphQLScalarType)
                        else " { __typename }"
                    )
                    decl = "String" if named.name == "String" else "ID"
                    bang = "!" if isinstance(arg.type, GraphQLNonNull) else ""
                    found.append(
                        (
                            f"{name}.{arg_name}",
                            f"{kind}($v: {decl}{bang}) {{ {name}({required[0]}){selection} }}",
                            kind,
                        )
                    )
    return found


@pytest.mark.parametrize(
    ("target", "query", "kind"), _string_arguments(), ids=lambda x: str(x)[:40]
)
def test_injection_attempts_change_nothing(
    intake: Intake, gql: GraphQLClient, store: GraphStore, target: str, query: str, kind: str
) -> None:
    ingest(intake, [f.organization(1, name="杭州鼎盛建设工程有限公司"), f.organization(2)])
    before = store.read("MATCH (n:Entity) RETURN count(n) AS n, collect(n.uid) AS uids")[0]
    for text in INJECTIONS:
        _assert_clean(gql, query, {"v": text})
    after = store.read("MATCH (n:Entity) RETURN count(n) AS n, collect(n.uid) AS uids")[0]
    assert (after["n"], sorted(after["uids"])) == (before["n"], sorted(before["uids"]))


def test_injection_attempts_in_records_are_stored_as_plain_text(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    name = "x') DETACH DELETE n //"
    report = ingest(intake, [f.organization(1, name=name)])
    assert report.errors == []
    stored = store.node(f"org:{f.make_uscc(1)}")
    assert stored is not None and stored.props["name"] == name
    assert store.count_entities() == 1
