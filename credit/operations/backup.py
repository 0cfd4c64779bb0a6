"""Backups and restores of the local Neo4j with Neo4j's own `neo4j-admin database dump|load`.

Community Edition dumps and loads offline, so both stop the instance and start it again (and
say so). A backup writes the dump and, beside it, a manifest (`FILE.json`): the counts of every
label and relationship type, the feed and audit heads, the migration version and the dump's
SHA-256. A restore refuses a dump whose hash differs from its manifest, and afterwards checks
that the restored graph has the manifest's counts, an audit chain that verifies and a change
feed without gaps, so the feed continues where the backup left it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.security.audit import verify_chain
from graph import launcher
from graph import operations_queries as q

Log = Callable[[str], object]


class BackupError(RuntimeError):
    """A backup or restore that cannot go on, with what to do."""


@dataclass(frozen=True)
class GraphState:
    labels: dict[str, int]
    relationships: dict[str, int]
    feed_head: int
    audit_head: int
    migration: int

    def as_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "relationships": self.relationships,
            "feed_head": self.feed_head,
            "audit_head": self.audit_head,
            "migration": self.migration,
        }


def graph_state(store: GraphStore) -> GraphState:
    feed = store.read(q.FEED_STATE)[0]
    return GraphState(
        labels={r["label"]: r["count"] for r in store.read(q.LABEL_COUNTS)},
        relationships={r["type"]: r["count"] for r in store.read(q.RELATIONSHIP_COUNTS)},
        feed_head=feed["head"],
        audit_head=verify_chain(store).events,
        migration=store.read(q.MIGRATION_HEAD)[0]["version"],
    )


def feed_gaps(store: GraphStore) -> str | None:
    """Why the change feed is not gap-free (sequence 1..head, each once), or None."""
    feed = store.read(q.FEED_STATE)[0]
    head, changes, first, last = feed["head"], feed["changes"], feed["first"], feed["last"]
    if changes == 0 and head == 0:
        return None
    if first != 1 or last != head or changes != head:
        return f"feed head {head} but {changes} changes numbered {first}..{last}"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


def _offline(inst: launcher.Instance, log: Log) -> bool:
    running = launcher.status(inst) != "stopped"
    if running:
        log(f"stopping Neo4j '{inst.name}' (Community Edition dumps and loads offline)")
        launcher.stop(inst)
    return running


def backup(store: GraphStore, inst: launcher.Instance, target: Path, log: Log) -> dict[str, Any]:
    """Dump the instance to `target` with its manifest; the manifest."""
    state = graph_state(store)
    if feed_gaps(store) is not None:
        raise BackupError(f"refusing to back up a damaged feed: {feed_gaps(store)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    was_running = _offline(inst, log)
    try:
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            dumped = launcher.dump(inst, Path(scratch))
            shutil.move(dumped, target)
    finally:
        if was_running:
            log(f"starting Neo4j '{inst.name}' again")
            launcher.start(inst, log=log)
    manifest = {
        "format": "credit-backup/1",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "neo4j_version": launcher.NEO4J_VERSION,
        "instance": inst.name,
        "dump": target.name,
        "bytes": target.stat().st_size,
        "sha256": _sha256(target),
        **state.as_json(),
    }
    manifest_path(target).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def restore(
    connect: Callable[[], GraphStore], inst: launcher.Instance, source: Path, log: Log
) -> list[str]:
    """Load `source` over the instance and check it against its manifest (connecting once it
    is up again); the problems found (none: the restored graph is the one backed up)."""
    meta_file = manifest_path(source)
    if not meta_file.exists():
        raise BackupError(f"{meta_file} is missing: a restore checks the dump against it")
    manifest = json.loads(meta_file.read_text())
    if _sha256(source) != manifest["sha256"]:
        raise BackupError(f"{source} does not match the SHA-256 in {meta_file.name}")
    _offline(inst, log)
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        staged = Path(scratch) / "neo4j.dump"
        shutil.copyfile(source, staged)
        launcher.load(inst, Path(scratch))
    log(f"starting Neo4j '{inst.name}'")
    launcher.start(inst, log=log)
    store = connect()
    state = graph_state(store)
    problems = [
        f"{key}: backed up {manifest[key]!r}, restored {value!r}"
        for key, value in state.as_json().items()
        if manifest[key] != value
    ]
    chain = verify_chain(store)
    if not chain.intact:
        problems.append(f"audit chain broken at event {chain.first_broken_seq}: {chain.problem}")
    gap = feed_gaps(store)
    if gap is not None:
        problems.append(gap)
    return problems
