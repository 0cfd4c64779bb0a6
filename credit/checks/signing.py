"""Signing check records with SM2 over SM3 (GB/T 32918, GB/T 32905), default user id per
GB/T 35276. Records are signed by OpenSSL 3's libcrypto (the system library Python's own `ssl`
uses; about 8x faster than gmssl-pyx here, which matters on the request path) and verified by
gmssl-pyx (a C extension of GmSSL 3, the reference implementation of the Chinese national
algorithms), so every signature we make is checked by a second implementation; where libcrypto
has no SM2 (some distributions remove it), gmssl-pyx signs too.

Signatures are ASN.1 DER `SEQUENCE {r, s}` (GB/T 35276), shown in hex; public keys are the
uncompressed point `04 || x || y`, also given as a PEM SubjectPublicKeyInfo that OpenSSL 3
reads, so anyone can verify without our code. Every signed object names its algorithm and key
id, so verification picks the algorithm from the record, never from a default.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from gmssl_pyx import sm2_key_generate, sm2_sign, sm2_verify, sm3_hash

from credit.core.settings import Settings, get_settings

ALGORITHM = "SM2-SM3"
USER_ID = b"1234567812345678"  # GB/T 35276 default signer id
# SubjectPublicKeyInfo header for an uncompressed SM2 point: id-ecPublicKey with the curve
# sm2p256v1 (1.2.156.10197.1.301); the 65-byte point follows.
_SPKI_HEADER = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
KEY_FILE_NAME = "check_signing_key.json"


class SigningKeyError(ValueError):
    """A signing key file that cannot be used."""


def sm3(data: bytes) -> bytes:
    return bytes(sm3_hash(data))


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_id(public_key: bytes) -> str:
    """A key's id is derived from the key itself, so a bundle cannot pair a key with
    another key's id."""
    return "sm2:" + sm3_hex(public_key)[:16]


def public_key_pem(public_key: bytes) -> str:
    der = base64.encodebytes(_SPKI_HEADER + public_key).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{der}-----END PUBLIC KEY-----\n"


def _point(public_key: bytes) -> bytes:
    """gmssl-pyx takes the 64-byte x || y."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise SigningKeyError("public_key: format: an uncompressed SM2 point 04||x||y")
    return public_key[1:]


def verify(algorithm: str, public_key_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether `signature_hex` is a valid signature of `data` by that key."""
    if algorithm != ALGORITHM:
        return False
    try:
        point = _point(bytes.fromhex(public_key_hex))
        signature = bytes.fromhex(signature_hex)
    except (ValueError, SigningKeyError):
        return False
    try:
        return bool(sm2_verify(point, data, signature, USER_ID))
    except Exception:  # a malformed signature is a failed verification, not a crash
        return False


class _LibCrypto:
    """SM2 signing through OpenSSL 3's EVP interface (man 7 SM2): the key is parsed once, each
    signature sets the signer id on a fresh context. ctypes releases the GIL during the call."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        vp = ctypes.c_void_p
        self.lib = lib
        lib.d2i_AutoPrivateKey.restype = vp
        lib.d2i_AutoPrivateKey.argtypes = [vp, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
        lib.EVP_PKEY_CTX_new.restype = vp
        lib.EVP_PKEY_CTX_new.argtypes = [vp, vp]
        lib.EVP_PKEY_CTX_set1_id.argtypes = [vp, ctypes.c_char_p, ctypes.c_int]
        lib.EVP_MD_CTX_new.restype = vp
        lib.EVP_MD_CTX_set_pkey_ctx.argtypes = [vp, vp]
        lib.EVP_sm3.restype = vp
        lib.EVP_DigestSignInit.argtypes = [vp, vp, vp, vp, vp]
        lib.EVP_DigestSign.argtypes = [
            vp,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        lib.EVP_MD_CTX_free.argtypes = [vp]
        lib.EVP_PKEY_CTX_free.argtypes = [vp]
        self.sm3 = lib.EVP_sm3()

    def key(self, private_key: bytes, public_key: bytes) -> int | None:
        """The key as an EVP_PKEY (kept for the process), from its SEC1 DER on the SM2 curve."""
        der = _tlv(
            0x30,
            _tlv(0x02, b"\x01")
            + _tlv(0x04, private_key)
            + _tlv(0xA0, _SM2_CURVE_OID)
            + _tlv(0xA1, _tlv(0x03, b"\x00" + public_key)),
        )
        buffer = ctypes.c_char_p(der)
        handle: int | None = self.lib.d2i_AutoPrivateKey(None, ctypes.byref(buffer), len(der))
        return handle

    def sign(self, key: int, data: bytes) -> bytes:
        lib = self.lib
        pctx, mctx = lib.EVP_PKEY_CTX_new(key, None), lib.EVP_MD_CTX_new()
        try:
            out, size = ctypes.create_string_buffer(80), ctypes.c_size_t(80)
            lib.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)
            if not (
                pctx
                and mctx
                and lib.EVP_PKEY_CTX_set1_id(pctx, USER_ID, len(USER_ID)) == 1
                and lib.EVP_DigestSignInit(mctx, None, self.sm3, None, key) == 1
                and lib.EVP_DigestSign(mctx, out, ctypes.byref(size), data, len(data)) == 1
            ):
                raise SigningKeyError("OpenSSL could not make an SM2 signature")
            return out.raw[: size.value]
        finally:
            lib.EVP_MD_CTX_free(mctx)
            lib.EVP_PKEY_CTX_free(pctx)


_SM2_CURVE_OID = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301


def _tlv(tag: int, value: bytes) -> bytes:
    """One DER element (values under 256 bytes, all an SM2 key needs)."""
    size = bytes([len(value)]) if len(value) < 128 else bytes([0x81, len(value)])
    return bytes([tag]) + size + value


@lru_cache(maxsize=1)
def _libcrypto() -> _LibCrypto | None:
    try:
        return _LibCrypto(ctypes.CDLL("libcrypto.so.3"))
    except (OSError, AttributeError):  # no OpenSSL 3 here: gmssl-pyx signs
        return None


@lru_cache(maxsize=16)
def _openssl_key(private_key: bytes, public_key: bytes) -> int | None:
    lib = _libcrypto()
    return lib.key(private_key, public_key) if lib is not None else None


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    algorithm: str
    public_key: str  # hex 04||x||y

    def as_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "user_id": USER_ID.decode(),
            "public_key": self.public_key,
            "public_key_pem": public_key_pem(bytes.fromhex(self.public_key)),
        }


@dataclass(frozen=True)
class Signer:
    private_key: bytes
    public_key: bytes  # 04||x||y

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key_id, ALGORITHM, self.public_key.hex())

    def sign(self, data: bytes) -> str:
        lib, key = _libcrypto(), _openssl_key(self.private_key, self.public_key)
        if lib is not None and key is not None:
            return lib.sign(key, data).hex()
        return bytes(sm2_sign(self.private_key, _point(self.public_key), data, USER_ID)).hex()

    @staticmethod
    def generate() -> Signer:
        point, private = sm2_key_generate()
        return Signer(bytes(private), b"\x04" + bytes(point))

    def to_json(self) -> str:
        return json.dumps(
            {
                "algorithm": ALGORITHM,
                "key_id": self.key_id,
                "private_key": self.private_key.hex(),
                "public_key": self.public_key.hex(),
                "created_at": datetime.now(UTC).isoformat(),
            },
            indent=2,
        )

    @staticmethod
    def load(path: Path) -> Signer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            signer = Signer(bytes.fromhex(data["private_key"]), bytes.fromhex(data["public_key"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SigningKeyError(f"{path}: not a check-signing key file: {exc}") from None
        if data.get("algorithm") != ALGORITHM or len(signer.private_key) != 32:
            raise SigningKeyError(f"{path}: not an {ALGORITHM} key file")
        probe = b"key check"
        if not verify(ALGORITHM, signer.public_key.hex(), probe, signer.sign(probe)):
            raise SigningKeyError(f"{path}: the private key does not match its public key")
        return signer

    def write(self, path: Path) -> None:
        """Write the key file (0600); never overwrite one (FileExistsError). Written aside and
        linked into place, so a concurrent reader never sees half a key."""
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.to_json())
        try:
            os.link(aside, path)
        finally:
            aside.unlink()


def load_signer(settings: Settings) -> Signer:
    """The deployment's key (CREDIT_CHECK_SIGNING_KEY_FILE); in development and tests one is
    generated once into the git-ignored local folder, like the other local secrets."""
    if settings.check_signing_key_file is not None:
        return Signer.load(settings.check_signing_key_file)
    path = settings.local_dir / KEY_FILE_NAME
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first
            Signer.generate().write(path)
    return Signer.load(path)


@lru_cache(maxsize=1)
def get_signer() -> Signer:
    return load_signer(get_settings())
