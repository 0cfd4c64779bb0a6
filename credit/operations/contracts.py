"""The published contracts, generated from the code so they can't drift: the GraphQL SDL and
the JSON Schema of our intake record format. Tests check the committed copies match."""

from __future__ import annotations

import json
from pathlib import Path

from credit.api.schema import build_schema
from credit.core.settings import Settings
from credit.domain.records import RECORD_ADAPTER
from credit.sync.exchange import EXCHANGE_MODELS
from credit.sync.exchange import json_schema as exchange_schema

RECORDS_SCHEMA_ID = "https://credit.example/schema/records/v1.json"


def graphql_sdl() -> str:
    return str(build_schema(Settings())) + "\n"


def records_json_schema() -> str:
    schema = RECORD_ADAPTER.json_schema(by_alias=True)
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RECORDS_SCHEMA_ID,
        "title": "Procurement credit-record intake record (JSON Lines, one record per line)",
        "description": (
            "Version 1. Each line is one record; `type` selects its kind. Identity numbers "
            "are validated (GB 11643) and stored only as a salted hash and a masked form; "
            "USCCs are validated (GB 32100-2015 and GB 11714). Intake is idempotent on the "
            "natural key and version."
        ),
        **schema,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def contracts() -> dict[str, str]:
    """Every published contract by its path under schema/."""
    files = {"schema.graphql": graphql_sdl(), "records.schema.json": records_json_schema()}
    for name in EXCHANGE_MODELS:
        files[f"exchange/{name}.schema.json"] = exchange_schema(name)
    return files


def write_contracts(out_dir: Path) -> list[Path]:
    written = []
    for name, text in contracts().items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
