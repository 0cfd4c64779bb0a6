"""Typed settings: one place that says where Neo4j is and which secrets are in force.

Connection settings use the standard NEO4J_* names so an existing instance, a cluster
(`neo4j://` routing URI) or Aura can be used without touching the code. When NEO4J_URI is
not set, the local instance started by `credit neo4j start` is used; its URI and generated
password live in the git-ignored local folder.
"""

from __future__ import annotations

import json
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from credit.core.failures import EX_UNAVAILABLE, EnvironmentFailure
from credit.sync.destinations import Policy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WEAK_SECRETS = frozenset({"", "changeme", "secret", "development", "dev"})
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    local_dir: Path = PROJECT_ROOT / ".local"
    # Which local Neo4j instance to use when NEO4J_URI is unset: "main" for the service and
    # demo data, "test" for the test suite, so tests never touch the demo data.
    instance: str = "main"
    secret_key: str = ""

    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: str | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    graphql_max_depth: int = 8
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 3000
    graphql_max_cost: int = 50_000
    max_page_size: int = 200
    ingest_batch_size: int = 500
    policy_file: Path | None = None  # the scoring policy; None: the packaged default.toml
    # The SM2 key that signs check records (credit/checks); development generates one in
    # the local folder, deployments must provide theirs (`credit check keygen --out FILE`).
    check_signing_key_file: Path | None = None

    # Access control (see credit/security). HS256 with a derived local secret is for
    # development; deployments verify RS256 tokens with a public key or a JWKS file.
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str = ""
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_private_key_file: Path | None = None
    jwt_key_id: str = "credit-1"
    jwt_issuer: str = "procurement-credit"
    jwt_audience: str = "procurement-credit-api"
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
    # Failed sign-ins per client address: a burst, then this many a minute (then 429).
    auth_failure_burst: int = 20
    auth_failures_per_minute: int = 10
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client,
    # for the limits per address; from any other peer the header is ignored. None by default.
    trusted_proxies: str = ""
    max_body_bytes: int = 1_000_000
    introspection: bool | None = None  # None: on in development and test, off in production
    cors_origins: list[str] = []
    # How long a signed-in page session lasts before the access key is asked for again.
    ui_session_minutes: int = Field(default=480, ge=5, le=1440)
    # Webhook receivers inside the network, named on purpose: comma-separated `host:port`,
    # `[v6]:port` or CIDR entries; any other receiver must be a public address
    # (credit/sync/destinations.py).
    webhook_allow: str = ""

    @property
    def webhook_allow_entries(self) -> list[str]:
        return [e.strip() for e in self.webhook_allow.split(",") if e.strip()]

    @model_validator(mode="after")
    def _webhook_allowlist_is_valid(self) -> Settings:
        try:
            Policy.parse(self.env is Environment.PRODUCTION, self.webhook_allow_entries)
        except ValueError as exc:
            raise ValueError(f"CREDIT_WEBHOOK_ALLOW: allowlist.entry: {exc}") from None
        return self

    @model_validator(mode="after")
    def _secrets_are_strong_outside_development(self) -> Settings:
        if self.env is Environment.PRODUCTION and (
            self.secret_key.lower() in WEAK_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                "CREDIT_SECRET_KEY: secret.strength: outside development a secret of at least "
                f"{MIN_SECRET_LENGTH} random characters is required"
            )
        if self.env is Environment.PRODUCTION and (
            self.jwt_algorithm != "RS256"
            or (self.jwt_public_key_file is None and self.jwt_jwks_file is None)
        ):
            raise ValueError(
                "CREDIT_JWT_ALGORITHM: secret.strength: deployments verify RS256 tokens "
                "(set CREDIT_JWT_PUBLIC_KEY_FILE or CREDIT_JWT_JWKS_FILE)"
            )
        if self.env is Environment.PRODUCTION and self.check_signing_key_file is None:
            raise ValueError(
                "CREDIT_CHECK_SIGNING_KEY_FILE: secret.required: deployments sign check records "
                "with their own SM2 key (make one with `credit check keygen --out FILE`)"
            )
        if self.env is Environment.PRODUCTION and not self.neo4j_password:
            raise ValueError("NEO4J_PASSWORD: secret.required: must be set outside development")
        return self

    @property
    def introspection_enabled(self) -> bool:
        if self.introspection is None:
            return self.env is not Environment.PRODUCTION
        return self.introspection

    @property
    def instance_dir(self) -> Path:
        return self.local_dir / f"neo4j-{self.instance}"

    def effective_secret(self) -> str:
        """The secret that salts identity hashes; generated once per checkout in development."""
        if self.secret_key:
            return self.secret_key
        path = self.local_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def connection(self) -> tuple[str, str, str]:
        """(uri, user, password), from NEO4J_* or from the local instance's state file."""
        if self.neo4j_uri:
            return self.neo4j_uri, self.neo4j_user, self.neo4j_password or ""
        state_file = self.instance_dir / "state.json"
        if not state_file.exists():
            raise EnvironmentFailure(
                f"NEO4J_URI is not set and no local Neo4j instance '{self.instance}' is known "
                f"(looked for {state_file})",
                "start one with `credit neo4j start` or set NEO4J_URI",
                EX_UNAVAILABLE,
            )
        state = json.loads(state_file.read_text())
        return str(state["uri"]), "neo4j", str(state["password"])


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
