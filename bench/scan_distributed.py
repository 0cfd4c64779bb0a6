"""The full scan on Dask distributed (issue 21 item 3) beside the single-process scan, on the
market the instance holds: wall time, the driver's peak RSS, each worker's peak RSS, every
partition's cost, and whether the flags are the same; then a projection to L and to a
national market from the measured per-partition costs.

  .venv/bin/python bench/scan_distributed.py --workers 1 2 [--region-digits 2] \
      [--out bench/results/<date>-scan-distributed]

Each configuration runs as its own process (`--one N`; N = 0: the single-process scan), so
each peak RSS is that run's own. The load average is recorded: on a shared machine, wall time
moves with what else runs; CPU seconds and memory do much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
MARKET = (
    "MATCH (s:Supplier) WITH count(s) AS suppliers MATCH (l:Lot) WITH suppliers, "
    "count(l) AS lots MATCH (b:Bid) RETURN suppliers, lots, count(b) AS bids"
)
FLAGS = (
    "MATCH (f:Flag) WHERE coalesce(f.current, true) "
    "RETURN f.uid AS uid, f.evidence_hash AS hash, f.confidence AS confidence ORDER BY uid"
)
# Today's single-process scan at L (bench/results/2026-11-29-L.md).
L = {"suppliers": 200_000, "lots": 366_827, "bids": 2_021_139, "seconds": 1131.0, "mb": 4268}
WORKER_MB_TARGET = L["mb"] / 2  # issue 21.3: each worker under half of that scan's peak


def one(workers: int, digits: int) -> dict[str, Any]:
    """One scan in this process: single-process (0 workers) or on a local cluster."""
    from credit.core.wiring import get_store
    from credit.detection.registry import default_settings
    from credit.detection.scan import scan_all

    store = get_store()
    settings = default_settings()
    started = time.perf_counter()
    if workers == 0:
        report = scan_all(store, settings, restart=True)
        usage: list[dict[str, Any]] = []
        stats: dict[str, Any] = {}
    else:
        from credit.detection.distributed import scan_on_cluster

        report, found = scan_on_cluster(store, settings, "local", workers, digits, restart=True)
        usage = [asdict(u) for u in found.usage]
        stats = {k: v for k, v in asdict(found).items() if k != "usage"}
    flags = [dict(r) for r in store.read(FLAGS)]
    return {
        "workers": workers,
        "seconds": round(time.perf_counter() - started, 1),
        "findings": report.findings,
        "written": asdict(report.flags),
        "flags": flags,
        "stats": stats,
        "usage": usage,
    }


def recorded_single() -> dict[str, Any]:
    """The single-process scan at L as measured on 2026-11-29 (bench/results/2026-11-29-L.json),
    standing in for a new run of it: its time, memory and CPU; no flags to compare."""
    return {
        "workers": 0,
        "seconds": L["seconds"],
        "findings": None,
        "flags": None,
        "driver_peak_mb": L["mb"],
        "driver_cpu_seconds": 976.9,
        "load_average_1m": None,
        "worker_peak_mb": [],
        "recorded": "2026-11-29-L (not run again)",
    }


def measure(workers: int, digits: int) -> dict[str, Any]:
    """Run `one` in a child process; its own peak RSS is the driver's."""
    load = os.getloadavg()[0]
    proc = subprocess.Popen(
        [sys.executable, __file__, "--one", str(workers), "--region-digits", str(digits)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DASK_LOGGING__DISTRIBUTED": "error"},
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"scan with {workers} worker(s) failed")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["driver_peak_mb"] = round(usage.ru_maxrss / 1024)
    result["driver_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    result["load_average_1m"] = [round(load, 1), round(os.getloadavg()[0], 1)]
    peaks: dict[str, float] = {}
    for u in result["usage"]:
        peaks[u["worker"]] = max(peaks.get(u["worker"], 0.0), u["peak_mb"])
    result["worker_peak_mb"] = sorted(peaks.values(), reverse=True)
    return result


def project(market: dict[str, Any], run: dict[str, Any], single: dict[str, Any]) -> dict[str, Any]:
    """From the 1-worker run's per-partition costs: time and memory at L and nationally.

    CPU seconds, not wall time, carry the work over (the machine is shared): the distributed
    scan's work relative to the single-process scan's, measured here, times the single-process
    scan's CPU at L. The largest partition keeps its share of the lots at the same region
    level (a region's share is the generator's, not the scale's). A worker's memory is an idle
    worker plus the largest partition's lots at the single-process scan's memory per lot at L,
    an upper bound (it holds every lot's facts and the lot phase's caches)."""
    usage = run["usage"]
    history = [u for u in usage if u["task"] != "lots"]
    largest = max(history, key=lambda u: u["lots"])
    idle = min(u["peak_mb"] for u in usage)
    task_cpu = sum(u["cpu_seconds"] for u in usage)
    share = largest["lots"] / max(1, market["lots"])
    # the command's CPU includes its workers' (they are its children): the driver's own is
    # the rest (starting the cluster, the plan, the merge, the writes)
    work = run["driver_cpu_seconds"] / max(0.1, single["driver_cpu_seconds"])
    driver = max(0.0, run["driver_cpu_seconds"] - task_cpu) / max(0.1, single["driver_cpu_seconds"])
    l_cpu = 976.9  # the single-process scan's own CPU seconds at L (2026-11-29-L.json)
    mb_per_lot = L["mb"] / L["lots"]
    out: dict[str, Any] = {
        "measured": {
            "single_process_cpu_seconds": single["driver_cpu_seconds"],
            "worker_task_cpu_seconds": round(task_cpu, 1),
            "command_cpu_seconds_workers_included": run["driver_cpu_seconds"],
            "work_ratio_to_single_process": round(work, 2),
            "lots_read_by_tasks_per_lot": round(
                sum(u["lots"] for u in usage) / max(1, market["lots"]), 2
            ),
            "largest_partition": largest["task"],
            "largest_partition_share_of_lots": round(share, 3),
            "idle_worker_mb": idle,
            "mb_per_lot_at_L_single_process": round(mb_per_lot, 4),
        }
    }
    for name, factor, split in (("L", 1, 1), ("national_10xL", 10, 10), ("national_25xL", 25, 10)):
        # nationally a province is too large a partition: cities (--region-digits 4), about
        # ten to a province, so the largest partition holds about a tenth of its province's
        lots = L["lots"] * factor * share / split
        cpu = l_cpu * factor
        out[name] = {
            "bids": L["bids"] * factor,
            "region_digits": 2 if split == 1 else 4,
            "largest_partition_lots": round(lots),
            "worker_peak_mb": round(idle + mb_per_lot * lots),
            **{
                f"hours_{w}_workers": round((cpu * (work - driver) / w + cpu * driver) / 3600, 2)
                for w in (1, 2, 8, 32)
            },
        }
    return out


def targets(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 21.3's targets, for bench/run.py's table: the single-process findings on the
    cluster, and each worker's peak memory under half of the single-process scan's at L."""
    found: list[dict[str, Any]] = []
    for run in runs[1:]:
        name = f"{run['workers']} worker(s)"
        peak = max(run["worker_peak_mb"], default=0.0)
        if run["same_flags"] is not None:
            found.append(
                {
                    "name": f"{name}: the single-process scan's flags",
                    "value": run["same_flags"],
                    "target": True,
                    "met": run["same_flags"],
                }
            )
        found += [
            {
                "name": f"{name}: largest worker peak MB, measured",
                "value": round(peak),
                "target": f"< {WORKER_MB_TARGET:.0f}",
                "met": peak < WORKER_MB_TARGET,
            },
        ]
    return found


def write(out: Path, results: dict[str, Any]) -> None:
    out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    m = results["market"]
    lines = [
        f"# Distributed scan, {results['date']}",
        "",
        f"Command: `{results['command']}`",
        "",
        f"Machine: {os.cpu_count()} cores, shared with other sessions (load average at each "
        "run below). Market: "
        f"{m['suppliers']:,} suppliers, {m['lots']:,} lots, {m['bids']:,} bids (credit demo).",
        "",
        "| run | seconds | command peak MB | worker peak MB | findings | same flags | load |",
        "| --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for run in results["runs"]:
        name = "single process" if run["workers"] == 0 else f"{run['workers']} worker(s)"
        lines.append(
            f"| {name} | {run['seconds']} | {run['driver_peak_mb']} | "
            f"{', '.join(str(round(p)) for p in run['worker_peak_mb']) or '-'} | "
            f"{run['findings']} | {run['same_flags']} | {run['load_average_1m']} |"
        )
    one_worker = min(results["runs"][1:], key=lambda r: r["workers"])
    lines += ["", f"Partitions ({one_worker['workers']}-worker run):", ""]
    lines.append(f"- {json.dumps(one_worker['stats'])}")
    lines += ["", "| task | lots read | suppliers | seconds | worker peak MB so far |"]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    history = [u for u in one_worker["usage"] if u["task"] != "lots"]
    for u in sorted(history, key=lambda u: -u["lots"])[:12]:
        lines.append(
            f"| {u['task']} | {u['lots']} | {u['suppliers']} | {u['seconds']} | {u['peak_mb']} |"
        )
    lines += ["", "## Projection", "", "```", json.dumps(results["projection"], indent=2), "```"]
    lines += ["", *(f"- {note}" for note in results["notes"])]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--region-digits", type=int, default=2)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reproject", type=Path, help="redo the projection of a results JSON")
    parser.add_argument(
        "--skip-single",
        action="store_true",
        help="at L only: take the single-process scan measured at L (2026-11-29) as the "
        "reference instead of running it again (19 minutes); flags are then not compared",
    )
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.region_digits)))
        return
    if args.reproject is not None:
        done = json.loads(args.reproject.read_text(encoding="utf-8"))
        runs = done["runs"]
        done["projection"] = project(
            done["market"], next(r for r in runs if r["workers"] == 1), runs[0]
        )
        write(args.reproject.with_suffix(""), done)
        return
    from credit.core.wiring import get_store

    market = dict(get_store().read(MARKET)[0])
    if args.skip_single:
        if market["suppliers"] != L["suppliers"]:
            raise SystemExit("--skip-single takes the single-process scan measured at L: run at L")
        single = recorded_single()
    else:
        single = measure(0, args.region_digits)
    runs = [single] + [measure(w, args.region_digits) for w in args.workers]
    reference = single.pop("flags")
    for run in runs[1:]:
        found = run.pop("flags")
        run["same_flags"] = None if reference is None else found == reference
    single["same_flags"] = None if reference is None else True
    today = datetime.now(UTC).date().isoformat()
    out = args.out or RESULTS / f"{today}-scan-distributed"
    projection = project(market, min(runs[1:], key=lambda r: r["workers"]), single)
    results = {
        "part": "scan_distributed",
        "date": today,
        "command": "python bench/scan_distributed.py " + " ".join(sys.argv[1:]),
        "market": market,
        "runs": runs,
        "projection": projection,
        "figures": {
            **{
                f"seconds_{r['workers']}_workers" if r["workers"] else "seconds_single_process": (
                    r["seconds"]
                )
                for r in runs
            },
            **{
                f"largest_worker_peak_mb_{r['workers']}_workers": max(r["worker_peak_mb"])
                for r in runs[1:]
            },
            "single_process_peak_mb": single["driver_peak_mb"],
            "projected_L_worker_peak_mb": projection["L"]["worker_peak_mb"],
            "projected_L_hours_2_workers": projection["L"]["hours_2_workers"],
        },
        "targets": [
            *targets(runs),
            {
                "name": "worker peak MB at L, projected (an upper bound, see the projection)",
                "value": projection["L"]["worker_peak_mb"],
                "target": f"< {WORKER_MB_TARGET:.0f}",
                "met": projection["L"]["worker_peak_mb"] < WORKER_MB_TARGET,
            },
        ],
        "notes": [
            "Peak RSS of a worker is the process's own maximum (getrusage) when each of its "
            "tasks ended; the command's is the largest of its process and its children (the "
            "workers of a local cluster included). `same flags`: every current "
            "flag's uid, evidence hash and confidence equal the single-process scan's.",
            f"Bench process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB.",
        ],
    }
    write(out, results)
    print(out.with_suffix(".md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
