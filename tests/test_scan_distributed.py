"""The full scan on a Dask cluster (issue 21 item 3) writes exactly the flags of the
single-process scan, including the groups that cross partitions, which only its second pass
sees whole."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from distributed import Client

from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.core.wiring import get_intake
from credit.detection.distributed import Connection, DaskEngine, Plan, local_cluster, plan
from credit.detection.flag_store import export
from credit.detection.registry import default_settings
from credit.detection.scan import scan_all
from credit.intake.pipeline import read_jsonl
from credit.markets.simulate import simulate
from tests.conftest import run_cli


def _flags(store: GraphStore) -> dict[str, dict[str, Any]]:
    """Every flag as stored, but for when it was last seen (each scan sees it again)."""
    return {
        f.uid: {k: v for k, v in f.props.items() if k != "last_seen"}
        for f in export(store, current_only=False)
    }


def test_the_distributed_scan_writes_the_flags_of_the_single_process_scan(
    store: GraphStore, tmp_path: Path
) -> None:
    simulate(11, tmp_path, 240)
    report = get_intake().run(read_jsonl(tmp_path / "records.jsonl"))
    assert not report.errors, report.errors[:3]
    settings = default_settings()
    single = scan_all(store, settings, restart=True)
    expected = _flags(store)
    history = {u: f for u, f in expected.items() if f.get("lot") is None}
    assert single.findings == len(expected) and history

    # `credit detect --all` on a local cluster of two worker processes, regions by district
    done = run_cli("detect", "--all", "--restart", "--workers", "2", "--region-digits", "6")
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"scanned \d+ lots: \d+ findings, 0 new flags, 0 with changed evidence, 0 reopened, "
        r"0 retired",
        done.stdout,
    ), done.stdout
    kept = re.search(r"kept (\d+) crossing finding", done.stderr)
    assert kept is not None and int(kept.group(1)) > 0, done.stderr
    assert _flags(store) == expected

    # A rotation ring split across two partitions: no partition sees it whole, the second
    # pass restores it, and every history finding is still the single-process scan's.
    ring = next(f for f in history.values() if f["pattern"] == "BID_ROTATION")
    moved = ring["suppliers"][0]

    def split(store: GraphStore, digits: int) -> Plan:
        layout = plan(store, digits)
        layout.homes[moved] = "elsewhere"
        return layout

    cluster = local_cluster(2)
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        engine = DaskEngine(client, Connection.of(get_settings()), digits=6, layout=split)
        found, _ = engine.history_findings(store, settings)
    assert {f.uid for f in found} == set(history)
    assert ring["uid"] in {f.uid for f in found}
    assert engine.stats.second_pass_findings > 0
    assert len({u.worker for u in engine.stats.usage}) == 2  # both workers took partitions
