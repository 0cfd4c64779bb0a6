"""Signed check records: SM2 over SM3 against the published example and a second
implementation (OpenSSL 3), the Merkle log's proofs, and the evidence a purchaser files
verified over GraphQL and offline, so an altered record, the operator's included, shows."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from gmssl_pyx import sm2_sign
from pydantic import ValidationError

from credit.checks import merkle, signing
from credit.checks.signing import ALGORITHM, USER_ID, Signer
from credit.core.settings import Environment, Settings
from credit.core.store import GraphStore
from credit.intake.mapping import org_uid
from credit.intake.pipeline import Intake
from credit.policy import load_policy
from credit.standing import service as assessment
from credit.sync import feed
from tests import factories as f
from tests.conftest import GraphQLClient, ingest, run_cli

A = f.make_uscc(1)
CHECK = """query($u: String!) { supplierEligibility(uscc: $u) {
  checkRecord { id contentHash contentSm3 signature keyId algorithm logIndex } } }"""
RECORD = """query($id: ID!) { checkRecord(id: $id) {
  verified signatureVerified signature keyId algorithm logIndex contentHash contentSm3
  inclusionProof { logIndex leafHash path verified
    treeHead { treeSize rootHash timestamp algorithm keyId signature published } } } }"""

# GM/T 0003.5-2012 (= GB/T 32918.5-2017) example on the recommended curve: signer id
# "1234567812345678", message "message digest".
VECTOR_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
VECTOR_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
VECTOR_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA


def _der(r: int, s: int) -> str:
    return bytes(encode_dss_signature(r, s)).hex()


def test_sm2_verifies_the_published_example_and_nothing_else() -> None:
    good = _der(VECTOR_R, VECTOR_S)
    assert signing.verify(ALGORITHM, VECTOR_PUBLIC, b"message digest", good)
    assert not signing.verify(ALGORITHM, VECTOR_PUBLIC, b"message digesT", good)
    flipped = _der(VECTOR_R, VECTOR_S ^ 1)
    assert not signing.verify(ALGORITHM, VECTOR_PUBLIC, b"message digest", flipped)
    assert not signing.verify("Ed25519", VECTOR_PUBLIC, b"message digest", good)


def test_sm3_matches_the_standard_example() -> None:
    # GB/T 32905-2016 Appendix A, example 1: SM3("abc")
    assert signing.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=False)


def test_sm2_signatures_cross_verify_with_openssl(tmp_path: Path) -> None:
    """OpenSSL 3 is a second, independent SM2 implementation (distid = GB/T 35276 default)."""
    message = tmp_path / "message"
    message.write_bytes("采购信用核查记录 check record".encode())
    ours = Signer.generate()
    (tmp_path / "ours.pem").write_text(signing.public_key_pem(ours.public_key))
    (tmp_path / "ours.sig").write_bytes(bytes.fromhex(ours.sign(message.read_bytes())))
    common = ["-rawin", "-digest", "sm3", "-pkeyopt", f"distid:{USER_ID.decode()}"]
    checked = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "ours.pem"), *common,
        "-in", str(message), "-sigfile", str(tmp_path / "ours.sig"),
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr

    key = tmp_path / "theirs.pem"
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", str(key)).returncode == 0
    signed = _openssl(
        "pkeyutl", "-sign", "-inkey", str(key), *common, "-in", str(message),
        "-out", str(tmp_path / "theirs.sig"),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    public = der[-65:].hex()  # the uncompressed point ends the SubjectPublicKeyInfo
    theirs = (tmp_path / "theirs.sig").read_bytes().hex()
    assert signing.verify(ALGORITHM, public, message.read_bytes(), theirs)
    assert not signing.verify(ALGORITHM, public, message.read_bytes() + b"!", theirs)


def test_records_are_signed_by_openssl_and_verified_by_gmssl() -> None:
    """The request path signs with OpenSSL's libcrypto (fast); GmSSL verifies every signature,
    so the two implementations check each other; GmSSL's own signatures (where libcrypto has
    no SM2) verify the same way."""
    key = Signer.generate()
    data = "采购信用核查记录".encode() * 200
    assert signing._openssl_key(key.private_key, key.public_key) is not None
    ours = key.sign(data)
    assert ours != key.sign(data)  # a fresh nonce each time
    assert signing.verify(ALGORITHM, key.public_key.hex(), data, ours)
    assert not signing.verify(ALGORITHM, key.public_key.hex(), data + b"!", ours)
    other = Signer.generate()
    assert not signing.verify(ALGORITHM, other.public_key.hex(), data, ours)
    fallback = bytes(sm2_sign(key.private_key, key.public_key[1:], data, USER_ID)).hex()
    assert signing.verify(ALGORITHM, key.public_key.hex(), data, fallback)


# --- the Merkle log ------------------------------------------------------------------------


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"record {i}".encode()) for i in range(n)]


def test_the_tree_follows_rfc_6962_domain_separation() -> None:
    a, b, c = (f"record {i}".encode() for i in range(3))
    h = signing.sm3
    assert merkle.leaf_hash(a) == h(b"\x00" + a)
    expected = h(b"\x01" + h(b"\x01" + h(b"\x00" + a) + h(b"\x00" + b)) + h(b"\x00" + c))
    assert merkle.root(_leaves(3)) == expected


def test_an_inclusion_proof_verifies_and_fails_for_another_leaf() -> None:
    for n in range(1, 18):
        leaves = _leaves(n)
        root = merkle.root(leaves)
        for i in range(n):
            path = merkle.inclusion_proof(i, leaves)
            assert merkle.verify_inclusion(i, n, leaves[i], path, root)
            assert not merkle.verify_inclusion(i, n, merkle.leaf_hash(b"forged"), path, root)
            if n > 1:
                other = (i + 1) % n
                assert not merkle.verify_inclusion(other, n, leaves[i], path, root)


def test_a_consistency_proof_verifies_a_prefix_and_fails_for_a_rewritten_one() -> None:
    for n in range(1, 18):
        leaves = _leaves(n)
        for m in range(n + 1):
            proof = merkle.consistency_proof(m, leaves)
            old = merkle.root(leaves[:m])
            assert merkle.verify_consistency(m, n, old, merkle.root(leaves), proof), (m, n)
            if 0 < m < n:
                rewritten = [merkle.leaf_hash(b"rewritten"), *leaves[1:m]]
                forged = merkle.root(rewritten)
                assert not merkle.verify_consistency(m, n, forged, merkle.root(leaves), proof)


# --- filed records over GraphQL, the CLI and the feed ----------------------------------------


@pytest.fixture
def market(intake: Intake) -> None:
    ingest(intake, [f.organization(1), f.organization(2)])


def _file(gql: GraphQLClient) -> dict[str, Any]:
    ref: dict[str, Any] = gql.ok(CHECK, u=A)["supplierEligibility"]["checkRecord"]
    return ref


def test_a_filed_record_is_signed_with_a_published_key(
    market: None, gql: GraphQLClient, api_url: str
) -> None:
    ref = _file(gql)
    assert ref["algorithm"] == "SM2-SM3" and ref["logIndex"] == 0
    keys = httpx.get(f"{api_url}/.well-known/credit-check-keys", timeout=30)
    assert keys.status_code == 200  # anonymous
    key = next(k for k in keys.json()["keys"] if k["key_id"] == ref["keyId"])
    assert key["current"] and "BEGIN PUBLIC KEY" in key["public_key_pem"]
    record = gql.ok(RECORD, id=ref["id"])["checkRecord"]
    content = json.dumps(
        gql.ok("query($id: ID!) { checkRecord(id: $id) { content } }", id=ref["id"])["checkRecord"][
            "content"
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    assert signing.verify(ALGORITHM, key["public_key"], content, ref["signature"])
    assert record["verified"] is True and record["signatureVerified"] is True
    proof = record["inclusionProof"]
    assert proof["verified"] is True and proof["treeHead"]["treeSize"] == 1
    assert proof["leafHash"] == merkle.leaf_hash(content).hex()


def _alter(store: GraphStore, record_id: str, rehash: bool) -> None:
    """What an operator with database access could do: change one byte, maybe rehash."""
    store.write(
        "MATCH (c:CheckRecord {id: $id}) SET c.content = replace(c.content, 'ELIGIBLE', "
        "'ELIGIBLf')",
        id=record_id,
    )
    if rehash:
        content = store.read("MATCH (c:CheckRecord {id: $id}) RETURN c.content AS c", id=record_id)
        data = content[0]["c"].encode()
        store.write(
            "MATCH (c:CheckRecord {id: $id}) SET c.content_hash = $sha, c.content_sm3 = $sm3, "
            "c.leaf_hash = $leaf",
            id=record_id,
            sha=signing.sha256_hex(data),
            sm3=signing.sm3_hex(data),
            leaf=merkle.leaf_hash(data).hex(),
        )


@pytest.mark.parametrize("rehash", [False, True])
def test_one_altered_byte_fails_verification_over_graphql(
    market: None, gql: GraphQLClient, store: GraphStore, rehash: bool
) -> None:
    ref = _file(gql)
    _alter(store, ref["id"], rehash)
    record = gql.ok(RECORD, id=ref["id"])["checkRecord"]
    assert record["verified"] is False
    assert record["signatureVerified"] is False


def _export(record_id: str, out: Path) -> None:
    result = run_cli("check", "export", record_id, "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_exported_record_verifies_offline_and_one_altered_byte_fails(
    market: None, gql: GraphQLClient, tmp_path: Path
) -> None:
    ref = _file(gql)
    _file(gql)
    out = tmp_path / "evidence.json"
    _export(ref["id"], out)
    ok = run_cli("check", "verify", str(out))
    assert ok.returncode == 0, ok.stdout
    lines = ok.stdout.strip().splitlines()
    assert len(lines) == 7 and all(line.startswith("OK ") for line in lines)

    bundle = json.loads(out.read_text(encoding="utf-8"))
    assert "第十四条" in bundle["legal_basis"]  # why a purchaser may rely on the signature
    content = bundle["record"]["content"]
    bundle["record"]["content"] = content.replace("ELIGIBLE", "ELIGIBLf", 1)
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    bad = run_cli("check", "verify", str(altered))
    assert bad.returncode == 1
    assert "sm2_sign.c" not in bad.stderr  # one line per check, not the C library's trace
    failed = {line.split(":")[0] for line in bad.stdout.splitlines() if line.startswith("FAILED")}
    assert failed == {
        "FAILED content SHA-256",
        "FAILED content SM3",
        "FAILED record signature",
        "FAILED inclusion proof",
    }


def test_a_key_not_in_the_published_list_is_refused(
    market: None, gql: GraphQLClient, api_url: str, tmp_path: Path
) -> None:
    ref = _file(gql)
    out = tmp_path / "evidence.json"
    _export(ref["id"], out)
    published = tmp_path / "keys.json"
    published.write_text(httpx.get(f"{api_url}/.well-known/credit-check-keys", timeout=30).text)
    assert run_cli("check", "verify", str(out), "--keys", str(published)).returncode == 0
    other = {"keys": [Signer.generate().public.as_json()]}
    published.write_text(json.dumps(other))
    refused = run_cli("check", "verify", str(out), "--keys", str(published))
    assert refused.returncode == 1
    assert "FAILED published key" in refused.stdout


def _roots(store: GraphStore) -> list[dict[str, Any]]:
    page = feed.read(store, 0, 1000)
    return [c.record.model_dump(mode="json") for c in page.items if c.kind == "CHECK_LOG_ROOT"]


def test_published_roots_are_signed_and_each_proves_the_previous_is_a_prefix(
    market: None, gql: GraphQLClient, store: GraphStore, tmp_path: Path
) -> None:
    first = _file(gql)
    _file(gql)
    assert run_cli("checks", "publish-root").returncode == 0
    for _ in range(3):
        _file(gql)
    published = run_cli("checks", "publish-root")
    assert published.returncode == 0, published.stdout
    old, new = _roots(store)
    assert (old["tree_size"], new["tree_size"]) == (2, 5)
    assert new["previous_root_hash"] == old["root_hash"]
    assert merkle.verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        [bytes.fromhex(p) for p in new["consistency_proof"]],
    )
    key = signing.get_signer().public_key.hex()
    for root in (old, new):
        text = json.dumps(
            {
                "log": "procurement-credit-check-records",
                "root_hash": root["root_hash"],
                "timestamp": root["timestamp"].replace("Z", "+00:00"),
                "tree_size": root["tree_size"],
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        assert signing.verify(ALGORITHM, key, text, root["signature"])

    out = tmp_path / "evidence.json"
    _export(first["id"], out)
    head = json.loads(out.read_text(encoding="utf-8"))["tree_head"]
    assert head["published"] is True and head["tree_size"] == 5
    assert run_cli("check", "verify", str(out)).returncode == 0


def test_the_operator_cannot_rewrite_a_record_under_a_published_root(
    market: None, gql: GraphQLClient, store: GraphStore
) -> None:
    ref = _file(gql)
    _file(gql)
    assert run_cli("checks", "publish-root").returncode == 0
    _alter(store, ref["id"], rehash=True)
    refused = run_cli("checks", "publish-root")
    assert refused.returncode == 1
    assert "a filed record was altered" in refused.stdout
    assert len(_roots(store)) == 1


def test_concurrent_filings_get_gap_free_log_indices(market: None, store: GraphStore) -> None:
    policy = load_policy(None)

    def check(_: int) -> int | None:
        done = assessment.check_supplier(store, policy, org_uid(A), date.today(), None, "t")
        return done.record.log_index

    with ThreadPoolExecutor(max_workers=6) as pool:
        indices = list(pool.map(check, range(24)))
    assert sorted(i for i in indices if i is not None) == list(range(24))


def test_production_refuses_to_start_without_a_check_signing_key() -> None:
    with pytest.raises(ValidationError, match=r"CREDIT_CHECK_SIGNING_KEY_FILE: secret\.required"):
        Settings(
            env=Environment.PRODUCTION,
            secret_key="kkkkkkkk" + "Zq93-xv8Lr2nB7wPe4Ts0yHu",
            NEO4J_PASSWORD="pw",
            jwt_algorithm="RS256",
            jwt_public_key_file=Path("/keys/pub.pem"),
        )


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    good = Signer.generate()
    data = json.loads(good.to_json())
    data["public_key"] = Signer.generate().public_key.hex()
    path.write_text(json.dumps(data))
    with pytest.raises(signing.SigningKeyError, match="does not match its public key"):
        Signer.load(path)
