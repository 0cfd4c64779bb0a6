"""Reads go to replicas (issue 21.4): on a `neo4j://` cluster only a read transaction is routed
to a reader, so every statement that only reads must run in one (GraphStore.read,
execute_read), and what runs in a write transaction must write. Scanned from the source, every
call site in credit/ and graph/, and checked against the statements themselves."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

from credit.core.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|FOREACH)\b|CALL\s*\{[^}]*IN TRANSACTIONS")
# Code that opens its own sessions: each names the transaction kind it needs.
DIRECT_DRIVER_USERS = {
    "credit/core/store.py",  # GraphStore.read (execute_read) and write (execute_write)
    "credit/security/audit.py",  # appends to the audit chain (a write)
    "credit/detection/flag_store.py",  # records flags (a write)
    "credit/oversight/service.py",  # reads a plan (execute_read)
    "graph/migrate.py",  # schema changes
    # after a bulk import, one batched update (CALL ... IN TRANSACTIONS needs auto-commit)
    "credit/operations/database.py",
}


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for base in ("credit", "graph"):
        for path in sorted((ROOT / base).rglob("*.py")):
            found.append((str(path.relative_to(ROOT)), ast.parse(path.read_text())))
    return found


def _query_modules(tree: ast.Module) -> dict[str, ModuleType]:
    """The statement modules a file imports from graph/ (`from graph import queries as q`)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "graph":
            for alias in node.names:
                found[alias.asname or alias.name] = importlib.import_module(f"graph.{alias.name}")
    return found


def _statement(node: ast.expr, modules: dict[str, ModuleType]) -> str | None:
    """The Cypher text a `q.NAME` argument stands for."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (module := modules.get(node.value.id)) is not None
    ):
        value = getattr(module, node.attr)
        assert isinstance(value, str), node.attr
        return value
    return None


def _calls(method: str) -> list[tuple[str, int, str]]:
    """(file, line, statement) of every `<something>.<method>(q.NAME, ...)` call."""
    found = []
    for name, tree in _sources():
        modules = _query_modules(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and node.args
                and (statement := _statement(node.args[0], modules)) is not None
            ):
                found.append((name, node.lineno, statement))
    return found


def test_statements_run_through_reads_only_read() -> None:
    reads = _calls("read")
    assert len(reads) > 30  # the scan sees the code it is meant to
    writing = [(f, line) for f, line, cypher in reads if WRITES.search(cypher)]
    assert writing == [], "a write in a read transaction fails on a replica"


def test_statements_run_through_writes_do_write() -> None:
    writes = _calls("write")
    assert len(writes) > 10
    reading = [(f, line) for f, line, cypher in writes if not WRITES.search(cypher)]
    assert reading == [], "a read sent through a write transaction never reaches a replica"


def test_only_the_store_layer_opens_sessions_and_each_names_its_kind() -> None:
    users: dict[str, set[str]] = {}
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                attr = node.func.attr
                if attr in ("session", "execute_query", "execute_read", "execute_write", "run"):
                    receiver = node.func.value
                    if attr == "run" and not (
                        isinstance(receiver, ast.Name) and receiver.id == "session"
                    ):
                        continue  # tx.run inside a managed transaction
                    users.setdefault(name, set()).add(attr)
    assert set(users) <= DIRECT_DRIVER_USERS, set(users) - DIRECT_DRIVER_USERS
    # Auto-commit `session.run` is routed to the writer; only schema migrations, the batched
    # update after a bulk import and the store's wipe (CALL ... IN TRANSACTIONS) use it.
    assert sorted(n for n, used in users.items() if "run" in used) == [
        "credit/core/store.py",
        "credit/operations/database.py",
        "graph/migrate.py",
    ]


def test_the_driver_routes() -> None:
    """`neo4j://` (routing) by default, so a cluster's readers serve the read transactions."""
    uri, _, _ = get_settings().connection()
    assert uri.startswith("neo4j://") or uri.startswith("neo4j+s://"), uri
