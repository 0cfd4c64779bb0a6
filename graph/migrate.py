"""Versioned, idempotent schema migrations recorded in the graph itself.

Each file `NNNN_name.cypher` is applied once, statement by statement (schema statements can't
share a transaction with writes), and recorded as a (:Migration) node with its checksum. An
applied file whose text changed afterwards is an error: migrations are history, not drafts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver, Query

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.cypher$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    checksum: str


def load_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.cypher")):
        match = _FILE.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: migration files are named NNNN_name.cypher")
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        statements = tuple(s.strip() for s in body.split(";") if s.strip())
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                statements=statements,
                checksum=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migration files share a version number")
    return found


def pending_migrations(driver: Driver, database: str) -> list[Migration]:
    """The migrations not yet applied (a code newer than its database)."""
    records, _, _ = driver.execute_query(
        "OPTIONAL MATCH (m:Migration) RETURN collect(m.version) AS versions",
        database_=database,
        routing_="r",
    )
    applied = set(records[0]["versions"])
    return [m for m in load_migrations() if m.version not in applied]


def apply_migrations(driver: Driver, database: str) -> list[Migration]:
    """Apply what is missing; return the migrations applied by this call."""
    driver.execute_query(
        "CREATE CONSTRAINT migration_version IF NOT EXISTS "
        "FOR (m:Migration) REQUIRE m.version IS UNIQUE",
        database_=database,
    )
    records, _, _ = driver.execute_query(
        "MATCH (m:Migration) RETURN m.version AS version, m.checksum AS checksum",
        database_=database,
        routing_="r",
    )
    applied = {r["version"]: r["checksum"] for r in records}
    done = []
    for migration in load_migrations():
        if migration.version in applied:
            if applied[migration.version] != migration.checksum:
                raise RuntimeError(
                    f"migration {migration.version:04d}_{migration.name} was changed after "
                    "it was applied; add a new migration instead"
                )
            continue
        with driver.session(database=database) as session:
            for statement in migration.statements:
                session.run(Query(statement)).consume()
        driver.execute_query(
            "MERGE (m:Migration {version: $version}) "
            "ON CREATE SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()",
            version=migration.version,
            name=migration.name,
            checksum=migration.checksum,
            database_=database,
        )
        done.append(migration)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return done
