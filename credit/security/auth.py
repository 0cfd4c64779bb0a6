"""Authentication: bearer JWTs for people and API keys for external systems.

JWTs are HS256 with a local secret in development, RS256 with a configured public key or JWKS
file in deployment. API keys are shown once at creation and stored only as a SHA-256 hash.

A principal is its stable id, never its display name: a person's token carries `sub`
`user:<id>` (issued once, reused when the token is renewed) and `name` for display; an API key
is `apikey:<id>`, and a session made from a key carries that key's id and dies with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.security.permissions import Principal, Role
from graph import key_queries as key_q

API_KEY_PREFIX = "ck_"
USER_PREFIX, KEY_PREFIX = "user:", "apikey:"
# Tokens issued since principals have stable ids say so; older ones (sub = the display name)
# are still honoured, each as a principal of its own (its token id), never shared by a name.
ID_VERSION = 2


class AuthError(Exception):
    """Authentication failed; the message is safe to show the caller."""


def _hs_secret(settings: Settings) -> str:
    # A separate key derived from the deployment secret, so the identity-hash salt never signs.
    return hmac.new(settings.effective_secret().encode(), b"jwt-hs256", hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _public_key(path: Path, mtime_ns: int) -> Any:
    """The PEM key parsed once per version of its file (a rotation replaces the file), not
    read and parsed again for every request."""
    return load_pem_public_key(path.read_bytes())


def _verification_key(settings: Settings, token: str) -> Any:
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret or _hs_secret(settings)
    if settings.jwt_jwks_file:
        jwks = jwt.PyJWKSet.from_dict(json.loads(Path(settings.jwt_jwks_file).read_text()))
        kid = jwt.get_unverified_header(token).get("kid")
        for key in jwks.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise AuthError("token signed with an unknown key")
    if settings.jwt_public_key_file:
        path = Path(settings.jwt_public_key_file)
        return _public_key(path, path.stat().st_mtime_ns)
    raise AuthError("RS256 needs CREDIT_JWT_PUBLIC_KEY_FILE or CREDIT_JWT_JWKS_FILE")


def new_user_id() -> str:
    return f"{USER_PREFIX}{uuid.uuid4().hex}"


def create_token(
    settings: Settings,
    roles: list[Role],
    name: str,
    ttl: timedelta,
    organization: str | None = None,
    subject: str | None = None,
    api_key: str | None = None,
) -> str:
    """A person's token: `subject` is the person's stable id (a new one when omitted); with
    `api_key` it is a session of that key (subject `apikey:<id>`), refused once it is revoked."""
    if api_key is not None:
        subject = f"{KEY_PREFIX}{api_key}"
    elif subject is None:
        subject = new_user_id()
    elif not subject.startswith(USER_PREFIX) or len(subject) <= len(USER_PREFIX):
        raise AuthError(f"a person's id starts with {USER_PREFIX!r}")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "idv": ID_VERSION,
        "name": name,
        "roles": sorted(roles),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if organization:
        claims["org"] = organization
    if api_key is not None:
        claims["key"] = api_key
    if settings.jwt_algorithm == "HS256":
        return jwt.encode(claims, settings.jwt_secret or _hs_secret(settings), algorithm="HS256")
    if not settings.jwt_private_key_file:
        raise AuthError("RS256 tokens are issued with CREDIT_JWT_PRIVATE_KEY_FILE")
    key = Path(settings.jwt_private_key_file).read_text()
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": settings.jwt_key_id})


def verify_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            _verification_key(settings, token),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iat", "iss", "aud", "jti"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthError("invalid token") from exc
    listed = claims.get("roles")
    if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
        raise AuthError("token roles are not a list of role names")
    try:
        roles = frozenset(Role(r) for r in listed)
    except ValueError as exc:
        raise AuthError("token names an unknown role") from exc
    if not roles or Role.SYNC_CLIENT in roles:
        raise AuthError("token carries no usable role (external systems use API keys)")
    organization = claims.get("org")
    if organization is not None and not isinstance(organization, str):
        raise AuthError("token organisation is not a USCC")
    return Principal(
        subject=_token_subject(claims),
        name=str(claims.get("name", claims["sub"])),
        roles=roles,
        credential=f"jwt:{claims['jti']}",
        organization=organization,
    )


def _token_subject(claims: dict[str, Any]) -> str:
    sub, jti = str(claims["sub"]), str(claims["jti"])
    if sub.startswith(KEY_PREFIX):  # a session (older ones name their key in `sub` only)
        key = claims.get("key", sub.removeprefix(KEY_PREFIX))
        if not isinstance(key, str) or f"{KEY_PREFIX}{key}" != sub:
            raise AuthError("invalid token")
        return sub
    if claims.get("idv") == ID_VERSION:
        if not sub.startswith(USER_PREFIX):
            raise AuthError("invalid token")
        return sub
    return f"token:{jti}"  # issued before stable ids: this token alone, not everyone of its name


def session_key(principal: Principal) -> str | None:
    """The API key a bearer session was made from (it must still be live), if any."""
    if principal.credential.startswith("jwt:") and principal.subject.startswith(KEY_PREFIX):
        return principal.subject.removeprefix(KEY_PREFIX)
    return None


def check_session_key(store: GraphStore, key_id: str) -> None:
    """A session lives only as long as its key: one indexed read per request."""
    rows = store.read(key_q.API_KEY_BY_ID, id=key_id)
    if not rows:
        raise AuthError("unknown API key")
    if rows[0]["k"].get("revoked_at") is not None:
        raise AuthError("API key revoked")


def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    store: GraphStore,
    name: str,
    role: Role,
    source: str | None,
    organization: str | None = None,
) -> tuple[str, str]:
    """Return (key id, the full key). The full key is never stored and cannot be shown again.
    A purchaser's or agency's key names its unit (USCC), which decides whose lots it sees."""
    if role is Role.SYNC_CLIENT and not source:
        raise AuthError("a SYNC_CLIENT key needs the intake source it may write")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    store.write(
        key_q.API_KEY_CREATE,
        id=key_id,
        name=name,
        role=role.value,
        source=source,
        organization=organization,
        hash=_key_hash(secret),
    )
    return key_id, f"{API_KEY_PREFIX}{key_id}_{secret}"


def revoke_api_key(store: GraphStore, key_id: str) -> bool:
    return bool(store.write(key_q.API_KEY_REVOKE, id=key_id))


def verify_api_key(store: GraphStore, presented: str) -> Principal:
    body = presented.removeprefix(API_KEY_PREFIX)
    key_id, _, secret = body.partition("_")
    if not key_id or not secret or len(presented) > 200:
        raise AuthError("malformed API key")
    rows = store.read(key_q.API_KEY_BY_ID, id=key_id)
    if not rows or not hmac.compare_digest(rows[0]["k"]["hash"], _key_hash(secret)):
        raise AuthError("unknown API key")
    key = rows[0]["k"]
    if key.get("revoked_at") is not None:
        raise AuthError("API key revoked")
    return Principal(
        subject=f"{KEY_PREFIX}{key_id}",
        name=str(key["name"]),
        roles=frozenset({Role(key["role"])}),
        credential=f"apikey:{key_id}",
        kind="system",
        source=key.get("source"),
        organization=key.get("organization"),
    )


def needs_lookup(authorization: str | None, api_key: str | None) -> bool:
    return bool(api_key) or API_KEY_PREFIX in (authorization or "")


def authenticate(
    settings: Settings, store: GraphStore, authorization: str | None, api_key: str | None
) -> Principal:
    """The caller, with every check (a session's key is looked up)."""
    principal = verify_credential(settings, store, authorization, api_key)
    if (key := session_key(principal)) is not None:
        check_session_key(store, key)
    return principal


def verify_credential(
    settings: Settings, store: GraphStore, authorization: str | None, api_key: str | None
) -> Principal:
    """The caller, but a session's key not yet looked up (see `session_key`)."""
    if api_key:
        return verify_api_key(store, api_key.strip())
    if not authorization:
        raise AuthError("authentication required: send 'Authorization: Bearer <token>'")
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthError("use the Bearer scheme")
    credential = credential.strip()
    if credential.startswith(API_KEY_PREFIX):
        return verify_api_key(store, credential)
    return verify_token(settings, credential)
