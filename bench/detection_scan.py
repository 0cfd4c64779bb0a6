"""The full detection scan as an operator runs it, `credit detect --all --restart`, timed on
the database's market: wall time, the command's peak memory (its own process), the CPU time
Neo4j spent on it and Neo4j's heap (read over JMX, when the server allows it), and the flags.

It also checks that the scan grows near-linearly, time ratio <= 4.5 for 4x the bids, against
--compare-to (this part's JSON, or a bench/run.py result holding it, from a smaller market),
by default the newest bench/results/*-S.json with at most a quarter of these bids (so the L
run of `make bench` reports time(4S)/time(S)).

  .venv/bin/python bench/detection_scan.py --out scan.json [--compare-to scan-S.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError

from credit.core.store import GraphStore
from credit.core.wiring import get_store

MAX_RATIO = 4.5
RESULTS = Path(__file__).resolve().parent / "results"
MARKET = (
    "MATCH (s:Supplier) WITH count(s) AS suppliers MATCH (l:Lot) WITH suppliers, "
    "count(l) AS lots MATCH (b:Bid) RETURN suppliers, lots, count(b) AS bids"
)
JMX_CPU = (
    'CALL dbms.queryJmx("java.lang:type=OperatingSystem") YIELD attributes '
    "RETURN attributes.ProcessCpuTime.value AS ns"
)
JMX_HEAP = (
    'CALL dbms.queryJmx("java.lang:type=Memory") YIELD attributes '
    "RETURN attributes.HeapMemoryUsage.value.properties AS heap"
)
SUMMARY = re.compile(
    r"scanned (?P<lots>\d+) lots: (?P<findings>\d+) findings, (?P<created>\d+) new flags, "
    r"(?P<changed>\d+) with changed evidence, (?P<reopened>\d+) reopened, "
    r"(?P<retired>\d+) retired"
)


def neo4j_cpu_seconds(store: GraphStore) -> float | None:
    """Neo4j's own CPU time, so the scan's server-side work shows apart from other load."""
    try:
        return float(store.read(JMX_CPU)[0]["ns"]) / 1e9
    except (Neo4jError, IndexError, TypeError):
        return None  # a server that does not expose JMX (Aura) or a non-admin user


def neo4j_heap_mb(store: GraphStore) -> dict[str, float] | None:
    try:
        heap = store.read(JMX_HEAP)[0]["heap"]
    except (Neo4jError, IndexError):
        return None
    return {k: round(int(heap[k]) / 2**20, 1) for k in ("used", "committed", "max")}


@dataclass(frozen=True)
class Scan:
    wall: float
    cpu: float  # the command's own user + system time: its work, whatever else runs
    peak_mb: int
    counts: dict[str, int]
    output: str


def run_scan() -> Scan:
    """Run the command as an operator would, and measure that process alone."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "credit.cli", "detect", "--all", "--restart", "--cluster", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"credit detect --all failed ({proc.returncode}): {output}")
    found = SUMMARY.search(output)
    if found is None:
        raise SystemExit(f"unexpected output from credit detect --all: {output}")
    counts = {k: int(v) for k, v in found.groupdict().items()}
    cpu = usage.ru_utime + usage.ru_stime
    return Scan(wall, cpu, usage.ru_maxrss // 1024, counts, output.strip())


def scan_figures(path: Path) -> dict[str, Any] | None:
    """This part's figures in a JSON file: its own output or a bench/run.py result."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if data.get("part") == "detection_scan":
        return dict(data["figures"])
    part = data.get("parts", {}).get("detection_scan", {})
    figures = part.get("result", {}).get("figures") if part.get("status") == "ok" else None
    return dict(figures) if figures else None


def smaller_run(bids: int) -> tuple[Path, dict[str, Any]] | None:
    """The newest S result with at most a quarter of `bids` bids, if any."""
    for path in sorted(RESULTS.glob("*-S.json"), reverse=True):
        figures = scan_figures(path)
        if figures and 4 * int(figures["bids"]) <= bids:
            return path, figures
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare-to", type=Path, help="this part's JSON at a smaller scale")
    args = parser.parse_args()
    store = get_store()
    market = dict(store.read(MARKET)[0])
    if not market["lots"]:
        raise SystemExit("load a market first (credit demo, or bench/run.py's dataset)")
    cpu_before = neo4j_cpu_seconds(store)
    load_before = os.getloadavg()[0]
    scan = run_scan()
    wall = scan.wall
    cpu_after = neo4j_cpu_seconds(store)
    figures: dict[str, Any] = {
        **market,
        "seconds": round(wall, 1),
        "bids_per_second": round(market["bids"] / wall),
        "cpu_seconds": round(scan.cpu, 1),
        "peak_rss_mb": scan.peak_mb,
        "neo4j_cpu_seconds": (
            round(cpu_after - cpu_before, 1) if cpu_before is not None and cpu_after else None
        ),
        "neo4j_heap_mb": neo4j_heap_mb(store),
        # wall time depends on what else the machine runs; CPU seconds do much less
        "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        **{f"flags_{k}": v for k, v in scan.counts.items()},
    }
    targets = []
    notes = [
        "`credit detect --all --restart --cluster none` as a subprocess: every lot detector "
        "batch by batch (reads of the next batch overlap the detectors on this one), then the "
        "history "
        "detectors over all lots; peak RSS is that process's.",
        f"command output: {scan.output}",
    ]
    given = scan_figures(args.compare_to) if args.compare_to else None
    if args.compare_to and given is None:
        raise SystemExit(f"{args.compare_to}: no detection_scan figures in it")
    found = (args.compare_to, given) if args.compare_to and given else smaller_run(market["bids"])
    if found is not None:
        source, smaller = found
        ratio = wall / float(smaller["seconds"])
        scale = market["bids"] / float(smaller["bids"])
        targets.append(
            {
                "name": f"scan time ratio to {source.name} ({scale:.1f}x the bids)",
                "value": round(ratio, 2),
                "target": f"<= {MAX_RATIO}",
                "met": ratio <= MAX_RATIO,
            }
        )
        figures["time_ratio"] = round(ratio, 2)
        figures["bids_ratio"] = round(scale, 2)
    summary = {"part": "detection_scan", "figures": figures, "targets": targets, "notes": notes}
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    json.dump(summary, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
