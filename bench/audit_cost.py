"""What durable audit costs: supplierEligibility throughput at concurrency 1 and 8 against the
real app with the durable trail (a write's event in its own transaction, every request's event
committed before its answer leaves) and with the old asynchronous trail, in the same run.

Both servers run at once as their own processes (`credit serve`, and the same app with
`audit.durable = False` through the factory below); rounds alternate between them so drift on a
shared machine hits both alike; the load generator is a third process (bench/loadgen.py).

Run: .venv/bin/python bench/audit_cost.py [--count N] [--rounds R]  (any database: a supplier
with a violation is written with source `bench` if there is no supplier). Prints a table and
the ratio durable/asynchronous; writes bench/results/<date>-audit-cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api_latency import _port, _serve  # one way to start a server for a bench
from fastapi import FastAPI
from loadgen import in_own_process

from credit.api.app import create_app
from credit.core.settings import get_settings
from credit.core.wiring import get_intake, get_store
from credit.security.auth import create_token
from credit.security.permissions import Role

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
SINGLE = "query($u: String!) { supplierEligibility(uscc: $u) { decision reasons { code } } }"
BENCH_USCC = "91330106000000019W"


def create_async_audit_app() -> FastAPI:
    """The real app with the old asynchronous audit trail (for comparison only)."""
    app = create_app()
    app.state.audit.durable = False
    return app


def _supplier() -> str:
    found = get_store().page("org:", "Supplier", "", 1)
    if found:
        return str(found[0].props["uscc"])
    day = (date.today() - timedelta(days=30)).isoformat()
    records: list[dict[str, Any]] = [
        {
            "type": "organization",
            "uscc": BENCH_USCC,
            "name": "基准测试供应商有限公司",
            "roles": ["SUPPLIER"],
            "source": "bench",
        },
        {
            "type": "violation",
            "id": "BENCH-V1",
            "subject": {"org": BENCH_USCC},
            "category": "FALSE_MATERIALS",
            "severity": "SERIOUS",
            "decision_number": "基准〔2025〕1号",
            "authority": "杭州市财政局",
            "basis": "《中华人民共和国政府采购法》第七十七条",
            "penalty_types": ["FINE"],
            "decided_on": day,
            "source": "bench",
        },
    ]
    report = get_intake().run(enumerate(records, start=1))
    if report.errors:
        raise SystemExit("\n".join(map(str, report.errors)))
    return BENCH_USCC


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    supplier = _supplier()
    token = create_token(get_settings(), [Role.PURCHASER], "bench", timedelta(hours=2))
    ports = {"durable": _port(), "asynchronous": _port()}
    servers = {
        "durable": _serve([PY, "-m", "credit.cli", "serve"], ports["durable"]),
        "asynchronous": _serve(
            [
                PY,
                "-m",
                "uvicorn",
                "--app-dir",
                "bench",
                "--factory",
                "audit_cost:create_async_audit_app",
                "--log-level",
                "warning",
            ],
            ports["asynchronous"],
        ),
    }
    runs: dict[str, list[dict[str, Any]]] = {}
    try:
        for conc in (1, 8):
            for _ in range(args.rounds):
                for mode, port in ports.items():
                    options = ["--variables", json.dumps({"u": supplier}), "--token", token]
                    result = in_own_process(
                        f"http://127.0.0.1:{port}/graphql",
                        SINGLE,
                        *options,
                        "--count",
                        str(args.count),
                        "--concurrency",
                        str(conc),
                    )
                    runs.setdefault(f"{mode}_c{conc}", []).append(result)
    finally:
        for server in servers.values():
            server.terminate()
    table = {
        name: {
            "throughput_rps": statistics.median(r["throughput_rps"] for r in rs),
            "median_ms": statistics.median(r["median_ms"] for r in rs),
            "p99_ms": statistics.median(r["p99_ms"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
        }
        for name, rs in runs.items()
    }
    ratios = {
        f"c{c}": round(
            table[f"durable_c{c}"]["throughput_rps"]
            / table[f"asynchronous_c{c}"]["throughput_rps"],
            3,
        )
        for c in (1, 8)
    }
    summary = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "command": "python bench/audit_cost.py " + " ".join(sys.argv[1:]),
        "requests_per_round": args.count,
        "rounds": args.rounds,
        "results": table,
        "durable_over_asynchronous_throughput": ratios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{summary['date']}-audit-cost.json").write_text(
        json.dumps(summary, indent=2) + "\n"
    )
    print("| mode, concurrency | throughput/s | median ms | p99 ms | errors |")
    print("| --- | --- | --- | --- | --- |")
    for name, r in table.items():
        print(
            f"| {name} | {r['throughput_rps']} | {r['median_ms']} | {r['p99_ms']} | {r['errors']} |"
        )
    print(f"durable / asynchronous throughput: {ratios}")


if __name__ == "__main__":
    main()
