"""The committed contracts in schema/ are exactly what the code produces."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from credit.operations.contracts import contracts

SCHEMA = Path(__file__).resolve().parent.parent / "schema"


@pytest.mark.parametrize("name", sorted(contracts()))
def test_every_published_contract_matches_the_code(name: str) -> None:
    assert (SCHEMA / name).read_text(encoding="utf-8") == contracts()[name], (
        "run `credit schema export` and commit schema/"
    )


def test_every_example_record_validates_against_the_published_schema() -> None:
    schema = json.loads((SCHEMA / "records.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    lines = (SCHEMA / "examples" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        errors = list(validator.iter_errors(json.loads(line)))
        assert not errors, f"line {number}: {errors[0].message}"
