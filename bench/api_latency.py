"""Eligibility over HTTP on the demo market: single-supplier and 20-bidder lot checks (median,
p99 of 200 calls), and the throughput cost of authentication + permission checks + audit,
measured against the same API without them in the same run.

Run: make bench-api  (or: .venv/bin/python bench/api_latency.py) on a database holding the demo
market (`make run` loads it). Writes bench/results/<date>-api.json and .md.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from loadgen import in_own_process

from credit.core.settings import get_settings
from credit.core.wiring import get_intake, get_store
from credit.intake.pipeline import Intake
from credit.security.auth import create_token
from credit.security.permissions import Role

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SINGLE = "query($u: String!) { supplierEligibility(uscc: $u) { decision reasons { code } } }"
LOT = (
    "query($l: ID!) { lotEligibility(lotId: $l) { decision bidders { supplierId decision } "
    "conflicts { code } checkRecord { id } } }"
)
# The server's own rate limit would otherwise be what we measure.
SERVER_ENV = {"CREDIT_RATE_LIMIT_PER_MINUTE": "100000000", "CREDIT_RATE_LIMIT_BURST": "1000000"}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bench_lot(intake: Intake) -> tuple[str, str]:
    """A lot with 20 bidders drawn from the demo suppliers (written with source `bench`)."""
    store = intake.store
    suppliers = [
        r["u"] for r in store.read("MATCH (s:Supplier) RETURN s.uscc AS u ORDER BY s.uid LIMIT 20")
    ]
    buyer = store.read("MATCH (p:Purchaser) RETURN p.uscc AS u ORDER BY p.uid LIMIT 1")
    if len(suppliers) < 20 or not buyer:
        raise SystemExit("load the demo market first: `make run` or `credit demo`")
    day = (date.today() - timedelta(days=1)).isoformat()
    records: list[dict[str, Any]] = [
        {
            "type": "project",
            "id": "BENCH-P",
            "name": "基准测试项目",
            "purchaser": buyer[0]["u"],
            "published_on": day,
            "source": "bench",
        },
        {
            "type": "lot",
            "id": "BENCH-L20",
            "project": "BENCH-P",
            "name": "二十家投标人标段",
            "source": "bench",
        },
    ] + [
        {
            "type": "bid",
            "id": f"BENCH-B{i:02d}",
            "lot": "BENCH-L20",
            "supplier": u,
            "price": {"amount": f"{1_000_000 + 1000 * i}.00"},
            "submitted_at": f"{day}T09:00:00+08:00",
            "source": "bench",
        }
        for i, u in enumerate(suppliers)
    ]
    report = intake.run(enumerate(records, start=1))
    assert not report.errors, report.errors
    return suppliers[0], "lot:BENCH-L20"


def _serve(args: list[str], port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, **SERVER_ENV)
    proc = subprocess.Popen(
        [*args, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/graphql", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server on {port} did not start")


def _load(
    url: str, query: str, variables: dict[str, Any], token: str, count: int, conc: int
) -> Any:
    options = ["--variables", json.dumps(variables), "--token", token, "--count", str(count)]
    return in_own_process(url, query, *options, "--concurrency", str(conc))


def main() -> None:
    settings = get_settings()
    supplier, lot = _bench_lot(get_intake())
    token = create_token(settings, [Role.PURCHASER], "bench", timedelta(hours=2))
    full_port, bare_port = _port(), _port()
    full = _serve([PY, "-m", "credit.cli", "serve"], full_port)
    bare = _serve(
        [
            PY,
            "-m",
            "uvicorn",
            "--app-dir",
            "bench",
            "--factory",
            "bare_app:create_bare_app",
            "--log-level",
            "warning",
        ],
        bare_port,
    )
    full_url = f"http://127.0.0.1:{full_port}/graphql"
    bare_url = f"http://127.0.0.1:{bare_port}/graphql"
    try:
        results = {
            "single_supplier_c1": _load(full_url, SINGLE, {"u": supplier}, token, 200, 1),
            "lot_20_bidders_c1": _load(full_url, LOT, {"l": lot}, token, 200, 1),
            "single_supplier_c8_with_auth_audit": _load(
                full_url, SINGLE, {"u": supplier}, token, 400, 8
            ),
            "single_supplier_c8_without": _load(bare_url, SINGLE, {"u": supplier}, "", 400, 8),
        }
    finally:
        full.terminate()
        bare.terminate()
    with_auth = results["single_supplier_c8_with_auth_audit"]["throughput_rps"]
    without = results["single_supplier_c8_without"]["throughput_rps"]
    summary = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "neo4j_entities": get_store().count_entities(),
        "command": "make bench-api",
        "results": results,
        "auth_audit_throughput_ratio": round(with_auth / without, 3),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{summary['date']}-api"
    stem.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [
        f"# API latency, {summary['date']}",
        "",
        f"Machine: {summary['machine']}. "
        f"Graph: {summary['neo4j_entities']} entities (demo market).",
        f"Command: `{summary['command']}`.",
        "",
        "| measurement | calls | concurrency | median ms | p99 ms | throughput/s | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {r['count']} | {r['concurrency']} | {r['median_ms']} | {r['p99_ms']} | "
            f"{r['throughput_rps']} | {r['errors']} |"
            for name, r in results.items()
        ),
        "",
        f"Throughput with authentication, permission checks and audit / without: "
        f"**{summary['auth_audit_throughput_ratio']}**.",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
