"""Settings refuse weak secrets outside development; local connections need no flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from credit.core.settings import Environment, Settings

STRONG = "kkkkkkkk" + "Zq93-xv8Lr2nB7wPe4Ts0yHu"
RS256: dict[str, Any] = {"jwt_algorithm": "RS256", "jwt_public_key_file": Path("/keys/pub.pem")}


def test_production_refuses_locally_signed_tokens() -> None:
    with pytest.raises(ValidationError, match="CREDIT_JWT_ALGORITHM"):
        Settings(env=Environment.PRODUCTION, secret_key=STRONG, NEO4J_PASSWORD="pw")


@pytest.mark.parametrize("secret", ["", "changeme", "short-but-random-xyz"])
def test_production_refuses_a_weak_or_default_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match=r"CREDIT_SECRET_KEY: secret\.strength"):
        Settings(env=Environment.PRODUCTION, secret_key=secret, NEO4J_PASSWORD="pw", **RS256)


def test_production_accepts_a_strong_secret() -> None:
    settings = Settings(
        env=Environment.PRODUCTION,
        secret_key=STRONG,
        NEO4J_PASSWORD="pw",
        check_signing_key_file=Path("/keys/check-signing.json"),
        **RS256,
    )
    assert settings.effective_secret().startswith("kkkk")


def test_development_generates_and_keeps_a_local_secret(tmp_path: Path) -> None:
    local = tmp_path
    first = Settings(local_dir=local).effective_secret()
    assert len(first) >= 32
    assert Settings(local_dir=local).effective_secret() == first


def test_explicit_neo4j_variables_win_over_the_local_instance() -> None:
    settings = Settings(NEO4J_URI="neo4j://db.example:7687", NEO4J_PASSWORD="pw")
    assert settings.connection() == ("neo4j://db.example:7687", "neo4j", "pw")
