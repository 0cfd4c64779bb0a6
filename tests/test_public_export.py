"""`credit export public`: the public view as CSV, JSON Lines and FollowTheMoney entities with a
manifest; every FtM entity validates against the FtM schema (the followthemoney library)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from followthemoney import model
from typer.testing import CliRunner

from credit.cli import app
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.detect_fixtures import load
from tests.test_public_api import BANNED, EXPERT, PUBLIC_IDS, market


def run(out: Path, *formats: str) -> tuple[int, str]:
    args = [
        "export",
        "public",
        "--out",
        str(out),
        *[x for fmt in formats for x in ("--format", fmt)],
    ]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_the_extracts_hold_the_public_view_with_a_manifest(
    store: GraphStore, intake: Intake, tmp_path: Path
) -> None:
    load(intake, market())
    code, output = run(tmp_path)
    assert code == 0, output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["counts"] == {
        "records": 4,
        "penalties": 3,
        "listings": 1,
        "serious_dishonesty": 3,
    }
    assert manifest["generated_at"] and [e["format"] for e in manifest["files"]] == [
        "csv",
        "jsonl",
        "ftm",
    ]
    for entry in manifest["files"]:
        data = (tmp_path / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    rows = list(csv.DictReader((tmp_path / "public-records.csv").open(encoding="utf-8")))
    assert {r["id"] for r in rows} == PUBLIC_IDS
    lines = [json.loads(x) for x in (tmp_path / "public-records.jsonl").read_text().splitlines()]
    assert {r["id"] for r in lines} == PUBLIC_IDS
    everything = "".join(p.read_text() for p in tmp_path.iterdir())
    assert f.make_id_number(EXPERT) not in everything and "13800000000" not in everything


def test_every_ftm_entity_validates_against_the_schema(
    store: GraphStore, intake: Intake, tmp_path: Path
) -> None:
    load(intake, market())
    assert run(tmp_path, "ftm")[0] == 0
    entities = [
        json.loads(x) for x in (tmp_path / "public-records.ftm.json").read_text().splitlines()
    ]
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["schema"]
        assert set(data["properties"]) <= set(schema.properties), data
        assert set(schema.required) <= set(data["properties"]), data
        schema.validate(data)  # raises InvalidData on a value its type refuses
        proxy = model.get_proxy(data, cleaned=False)
        for name, values in data["properties"].items():
            assert sorted(proxy.get(name)) == sorted(values), (name, values)  # nothing dropped
        for prop in schema.properties.values():
            if prop.type.name == "entity":
                assert set(data["properties"].get(prop.name, [])) <= ids  # no dangling reference
    by_schema = {e["schema"] for e in entities}
    assert by_schema == {"Company", "Person", "Sanction"}
    company = next(e for e in entities if e["properties"].get("uscCode") == [f.make_uscc(BANNED)])
    sanctions = [
        e
        for e in entities
        if e["schema"] == "Sanction" and e["properties"]["entity"] == [company["id"]]
    ]
    debarment = next(s for s in sanctions if s["properties"]["programId"] == ["CN-GP-DEBARMENT"])
    assert debarment["properties"]["startDate"] and debarment["properties"]["endDate"]
    assert "debarment" in company["properties"]["topics"]
    person = next(e for e in entities if e["schema"] == "Person")
    assert "idNumber" not in person["properties"] and person["properties"]["name"] == ["李专家"]


def test_an_unknown_format_is_refused(store: GraphStore, tmp_path: Path) -> None:
    code, output = run(tmp_path, "xml")
    assert code == 2 and "format: enum" in output and not (tmp_path / "manifest.json").exists()
