"""The detection commands: detect one lot or everything, export flags as JSON Lines, simulate a
market with its truth and evaluate the detectors on it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.detection.evaluate import evaluate_market
from credit.detection.registry import DETECTORS, default_settings
from credit.intake.pipeline import Intake
from credit.markets.simulate import Market, simulate
from tests import factories as f
from tests.conftest import run_cli
from tests.detect_fixtures import buyer, load, suppliers, tender


def test_detect_and_export_flags_from_the_command_line(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    paid = {"deposit_account": "6228 0000 1111"}
    load(
        intake,
        [
            *suppliers(1, 2, 3),
            buyer(),
            *tender(
                "L1",
                {1: "1000000", 2: "1043700", 3: "1097350"},
                bids={1: paid, 2: paid},
                project={"ocid": "ocds-213czf-P1"},
            ),
        ],
    )
    one = run_cli("detect", "--lot", "L1")
    assert one.returncode == 0, one.stderr
    assert "SAME_DEPOSIT_ACCOUNT" in one.stdout and "1 flag(s) for lot:L1" in one.stdout
    scan = run_cli("detect", "--all")
    assert scan.returncode == 0, scan.stderr
    assert "scanned 1 lots" in scan.stdout
    out = tmp_path / "flags.jsonl"
    exported = run_cli("flags", "export", "--format", "jsonl", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["pattern"] == "SAME_DEPOSIT_ACCOUNT"
    assert (line["ocid"], line["lot"]) == ("ocds-213czf-P1", "L1")
    assert line["suppliers"] == sorted([f.make_uscc(1), f.make_uscc(2)])
    assert line["confidence"] == 0.95 and "Art. 37 item 6" in line["basis"]


def test_detect_names_an_unknown_lot(store: GraphStore) -> None:
    done = run_cli("detect", "--lot", "NO-SUCH-LOT")
    assert done.returncode == 1
    assert "lotId: not_found" in done.stderr


def test_evaluate_refuses_the_main_instance_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_INSTANCE", "main")
    done = run_cli("evaluate", str(tmp_path))
    assert done.returncode == 2
    assert "--force" in done.stderr


def test_a_seed_always_gives_the_same_market_and_truth() -> None:
    first, second = Market(7, 120), Market(7, 120)
    first.build()
    second.build()
    assert first.truth == second.truth
    assert list(first.records()) == list(second.records())


def test_a_simulated_market_has_planted_cases_of_every_pattern_and_is_scored(
    intake: Intake, store: GraphStore, tmp_path: Path
) -> None:
    done = run_cli("simulate", "--seed", "5", "--suppliers", "120", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    truth = Counter(
        json.loads(x)["pattern"]
        for x in (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    )
    assert set(truth) == {d.id for d in DETECTORS}
    scores = evaluate_market(store, intake, get_mapper(), tmp_path, default_settings())
    for pattern in ("SAME_CONTROLLER", "SAME_DEPOSIT_ACCOUNT", "EXPERT_CONFLICT"):
        assert scores[pattern].f1 == 1.0, pattern
    assert simulate(5, tmp_path / "again", 120) == (
        len((tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()),
        sum(truth.values()),
    )
