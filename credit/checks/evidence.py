"""A check record as self-contained evidence: one JSON file with the record, its signature,
the signing key, the inclusion proof and the signed tree head, verifiable offline.

Verification is pure (no database, no network): each check gives one line, and the file holds
only if every check does. The key inside the file is checked against its id (derived from the
key); pass the published key list (GET /.well-known/credit-check-keys, saved) to also pin it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credit import legal
from credit.checks import merkle, signing
from credit.checks.log import Inclusion, tree_head_text
from credit.checks.signing import PublicKey

FORMAT = "procurement-credit-check-evidence/1"


@dataclass(frozen=True)
class Outcome:
    check: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'OK' if self.ok else 'FAILED'} {self.check}: {self.message}"


def export(record: Any, key: PublicKey, head_key: PublicKey, proof: Inclusion) -> dict[str, Any]:
    """`record` is a credit.standing.service.CheckRecord; `head_key` signed the tree head (the same
    key unless it was rotated in between)."""
    return {
        "format": FORMAT,
        "record": {
            "id": record.id,
            "kind": record.kind,
            "requested_by": record.requested_by,
            "requested_at": record.requested_at,
            "content": record.content,
            "content_sha256": record.content_hash,
            "content_sm3": record.content_sm3,
        },
        "signature": {
            "algorithm": record.algorithm,
            "key_id": record.key_id,
            "user_id": signing.USER_ID.decode(),
            "value": record.signature,
        },
        "key": key.as_json(),
        "tree_head_key": head_key.as_json(),
        "inclusion": proof.as_json(),
        "tree_head": {**proof.tree_head.as_json(), "published": proof.published},
        "legal_basis": legal.text("ESL-13-14"),
    }


def verify(bundle: dict[str, Any], trusted_keys: list[dict[str, Any]] | None) -> list[Outcome]:
    try:
        return _verify(bundle, trusted_keys)
    except (KeyError, TypeError, ValueError) as exc:
        return [Outcome("format", False, f"not a {FORMAT} file: missing or bad {exc}")]


def _verify(bundle: dict[str, Any], trusted: list[dict[str, Any]] | None) -> list[Outcome]:
    if bundle.get("format") != FORMAT:
        return [Outcome("format", False, f"expected {FORMAT}, found {bundle.get('format')!r}")]
    record, sig, key = bundle["record"], bundle["signature"], bundle["key"]
    proof, head = bundle["inclusion"], bundle["tree_head"]
    data = str(record["content"]).encode()
    out = []

    sha = signing.sha256_hex(data)
    out.append(_is("content SHA-256", sha == record["content_sha256"], sha))
    sm3 = signing.sm3_hex(data)
    out.append(_is("content SM3", sm3 == record["content_sm3"], sm3))

    public = str(key["public_key"])
    head_key = bundle["tree_head_key"]
    head_public = str(head_key["public_key"])
    for name, k, signed_by in (("key id", key, sig), ("tree head key id", head_key, head)):
        derived = signing.key_id(bytes.fromhex(str(k["public_key"])))
        ok = derived == k["key_id"] == signed_by["key_id"]
        out.append(_is(name, ok, f"{derived} (derived from the public key)"))
    if trusted is not None:
        listed = {(k.get("key_id"), k.get("public_key")) for k in trusted}
        for k in sorted({(key["key_id"], public), (head_key["key_id"], head_public)}):
            known = k in listed
            out.append(_is("published key", known, f"{k[0]} is {'' if known else 'not '}published"))

    sig_ok = signing.verify(str(sig["algorithm"]), public, data, str(sig["value"]))
    out.append(_is("record signature", sig_ok, f"{sig['algorithm']} by {sig['key_id']}"))

    leaf = merkle.leaf_hash(data)
    path = [bytes.fromhex(p) for p in proof["path"]]
    size, index = int(head["tree_size"]), int(proof["log_index"])
    included = (
        leaf.hex() == proof["leaf_hash"]
        and int(proof["tree_size"]) == size
        and proof["root_hash"] == head["root_hash"]
        and merkle.verify_inclusion(index, size, leaf, path, bytes.fromhex(head["root_hash"]))
    )
    out.append(
        _is("inclusion proof", included, f"leaf {index} of {size} under root {head['root_hash']}")
    )

    text = tree_head_text(size, str(head["root_hash"]), str(head["timestamp"]))
    head_ok = signing.verify(str(head["algorithm"]), head_public, text, str(head["signature"]))
    kind = "published daily root" if head.get("published") else "tree head signed on export"
    out.append(_is("tree head signature", head_ok, f"{kind} of {head['timestamp']}"))
    return out


def _is(check: str, ok: bool, message: str) -> Outcome:
    return Outcome(check, ok, message)
