"""The check-record log in the graph: filing a signed record at the next log index, signed
tree heads, the daily published root on the change feed, and the proofs a record's holder
needs to show it is in the log the operator committed to.

Every filed record's canonical content is a leaf; a tree head signs (size, root, time). A
published head carries the consistency proof from the previous one, and publishing refuses
when the log no longer extends the last published head, so a rewritten record shows at the
next publication at the latest, and to anyone who kept an older head at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from credit.checks import merkle
from credit.checks.signing import ALGORITHM, PublicKey, Signer, sha256_hex, sm3_hex
from credit.core.store import GraphStore
from credit.standing.scoring import canonical_json
from credit.sync import feed
from credit.sync.exchange import CheckLogRootRecord
from graph import check_queries as check_q

LOG_NAME = "procurement-credit-check-records"


class LogIntegrityError(RuntimeError):
    """The stored log does not extend what was published: a filed record was changed."""


@dataclass(frozen=True)
class Filed:
    content_hash: str  # SHA-256, as before
    content_sm3: str
    signature: str
    key_id: str
    algorithm: str
    log_index: int


def file_record(store: GraphStore, signer: Signer, content: str, params: dict[str, Any]) -> Filed:
    """Sign the canonical content (before the statement that takes the log head's lock: about
    0.4 ms of CPU through OpenSSL) and create the record at the next log index, under the
    head's lock, in the store's transaction (a check's own, in a request)."""
    data = content.encode()
    signature = signer.sign(data)
    digest, sm3_digest = sha256_hex(data), sm3_hex(data)
    rows = store.write(
        check_q.CHECK_RECORD_FILE,
        content=content,
        hash=digest,
        sm3=sm3_digest,
        signature=signature,
        key_id=signer.key_id,
        algorithm=ALGORITHM,
        public_key=signer.public_key.hex(),
        leaf_hash=merkle.leaf_hash(data).hex(),
        **params,
    )
    assert rows, "filing a check record always returns its log index"
    return Filed(digest, sm3_digest, signature, signer.key_id, ALGORITHM, int(rows[0]["log_index"]))


# --- tree heads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root_hash: str
    timestamp: str
    algorithm: str
    key_id: str
    signature: str

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def tree_head_text(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """What a tree head's signature covers."""
    return canonical_json(
        {"log": LOG_NAME, "tree_size": tree_size, "root_hash": root_hash, "timestamp": timestamp}
    ).encode()


def sign_tree_head(signer: Signer, tree_size: int, root: bytes) -> TreeHead:
    timestamp = datetime.now(UTC).isoformat()
    text = tree_head_text(tree_size, root.hex(), timestamp)
    return TreeHead(tree_size, root.hex(), timestamp, ALGORITHM, signer.key_id, signer.sign(text))


def _leaves(run: Any) -> list[bytes]:
    size = int(run(check_q.CHECK_LOG_SIZE)[0]["size"])
    rows = run(check_q.CHECK_LOG_LEAVES, size=size)
    if [r["i"] for r in rows] != list(range(size)):
        raise LogIntegrityError(f"the log of {size} records has missing or repeated indices")
    return [bytes.fromhex(r["leaf"]) for r in rows]


def read_leaves(store: GraphStore) -> list[bytes]:
    return _leaves(lambda cypher, **p: store.read(cypher, **p))


def _root(props: Any) -> TreeHead | None:
    if props is None:
        return None
    return TreeHead(
        int(props["tree_size"]),
        props["root_hash"],
        props["timestamp"],
        props["algorithm"],
        props["key_id"],
        props["signature"],
    )


def latest_root(store: GraphStore) -> TreeHead | None:
    rows = store.read(check_q.CHECK_LOG_LATEST_ROOT)
    return _root(rows[0]["root"]) if rows else None


def publish_root(store: GraphStore, signer: Signer) -> CheckLogRootRecord:
    """Sign the current tree head, prove it extends the last published one, store it and
    publish it on the change feed (CHECK_LOG_ROOT), in one transaction."""

    def work(tx: ManagedTransaction) -> CheckLogRootRecord:
        def run(cypher: Any, **params: Any) -> list[Any]:
            return list(tx.run(cypher, params))

        leaves = _leaves(run)
        previous_rows = run(check_q.CHECK_LOG_LATEST_ROOT)
        previous = _root(previous_rows[0]["root"]) if previous_rows else None
        proof: list[bytes] = []
        if previous is not None:
            if previous.tree_size > len(leaves):
                raise LogIntegrityError(
                    f"the log has {len(leaves)} records, fewer than the {previous.tree_size} "
                    "of the last published root"
                )
            if merkle.root(leaves[: previous.tree_size]).hex() != previous.root_hash:
                raise LogIntegrityError(
                    f"the first {previous.tree_size} records no longer hash to the root "
                    f"published at {previous.timestamp}: a filed record was altered"
                )
            proof = merkle.consistency_proof(previous.tree_size, leaves)
        head = sign_tree_head(signer, len(leaves), merkle.root(leaves))
        key = signer.public
        tx.run(
            check_q.CHECK_SIGNING_KEY_MERGE,
            key_id=key.key_id,
            algorithm=key.algorithm,
            public_key=key.public_key,
        ).consume()
        tx.run(check_q.CHECK_LOG_ROOT_CREATE, head.as_json()).consume()
        record = CheckLogRootRecord(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=datetime.fromisoformat(head.timestamp),
            algorithm=head.algorithm,
            key_id=head.key_id,
            signature=head.signature,
            previous_tree_size=previous.tree_size if previous else None,
            previous_root_hash=previous.root_hash if previous else None,
            consistency_proof=[p.hex() for p in proof],
        )
        event = feed.Event(
            "CHECK_LOG_ROOT", f"checklog:{head.tree_size}", None, record.model_dump(mode="json")
        )
        feed.append(tx, [event])
        return record

    return store.transaction(work)


# --- proofs for one record -----------------------------------------------------------------


@dataclass(frozen=True)
class Inclusion:
    log_index: int
    leaf_hash: str
    path: list[str]
    tree_head: TreeHead
    published: bool  # the head is a published daily root (else signed on request)

    def as_json(self) -> dict[str, Any]:
        return {
            "log_index": self.log_index,
            "leaf_hash": self.leaf_hash,
            "path": self.path,
            "tree_size": self.tree_head.tree_size,
            "root_hash": self.tree_head.root_hash,
        }


def inclusion(store: GraphStore, signer: Signer, log_index: int) -> Inclusion:
    """The record's audit path to the latest published root that covers it; a record filed
    after that root gets a tree head signed now (the next daily root will extend it)."""
    leaves = read_leaves(store)
    if log_index >= len(leaves):
        raise LogIntegrityError(f"log index {log_index} is beyond the log of {len(leaves)}")
    head = latest_root(store)
    published = head is not None and head.tree_size > log_index
    if head is None or not published:
        head = sign_tree_head(signer, len(leaves), merkle.root(leaves))
    covered = leaves[: head.tree_size]
    return Inclusion(
        log_index,
        covered[log_index].hex(),
        [p.hex() for p in merkle.inclusion_proof(log_index, covered)],
        head,
        published,
    )


def signing_keys(store: GraphStore, current: Signer) -> list[dict[str, Any]]:
    """Every key that ever signed a check record or a tree head, newest last; the current one
    is listed even before its first signature."""
    rows = store.read(check_q.CHECK_SIGNING_KEYS)
    keys = [
        {
            **PublicKey(r["key_id"], r["algorithm"], r["public_key"]).as_json(),
            "first_used": r["first_used"],
        }
        for r in rows
    ]
    if current.key_id not in {k["key_id"] for k in keys}:
        keys.append({**current.public.as_json(), "first_used": None})
    for key in keys:
        key["current"] = key["key_id"] == current.key_id
    return keys


def public_key(store: GraphStore, key_id: str) -> PublicKey | None:
    rows = store.read(check_q.CHECK_SIGNING_KEY, key_id=key_id)
    if not rows:
        return None
    return PublicKey(rows[0]["key_id"], rows[0]["algorithm"], rows[0]["public_key"])
