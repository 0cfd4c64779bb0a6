"""Detection speed on the database's market: a full scan, then one-lot detection (as at bid
opening) on a sample of lots, each next to a baseline measured in the same run: the one
batched read of the lot's own facts, which any per-lot check must make anyway.

Run on a non-main instance holding a market, e.g.
  CREDIT_INSTANCE=detect credit demo --suppliers 3000
  CREDIT_INSTANCE=detect .venv/bin/python bench/detection_speed.py --label demo-3000
Writes bench/results/<date>-detection-<label>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from credit.detection.gather import load_lots
from credit.detection.registry import default_settings
from credit.detection.scan import detect_lot, scan_all
from credit.services import get_store

RESULTS = Path(__file__).resolve().parent / "results"


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--lots", type=int, default=200, help="lots timed in lot mode")
    args = parser.parse_args()
    store, settings = get_store(), default_settings()
    size = store.read(
        "MATCH (s:Supplier) WITH count(s) AS suppliers MATCH (l:Lot) WITH suppliers, "
        "count(l) AS lots MATCH (b:Bid) RETURN suppliers, lots, count(b) AS bids"
    )[0]
    if not size["lots"]:
        raise SystemExit("load a market first (credit demo --suppliers N)")
    scan = scan_all(store, settings, restart=True)
    all_lots = [r["uid"] for r in store.read("MATCH (l:Lot) RETURN l.uid AS uid ORDER BY uid")]
    sample = all_lots[:: max(1, len(all_lots) // args.lots)][: args.lots]
    for uid in sample[:10]:  # warm the query plans and caches
        detect_lot(store, uid, settings)
    lot_mode, baseline = [], []
    for uid in sample:
        baseline.append(_timed(partial(load_lots, store, [uid], details=True)))
        lot_mode.append(_timed(partial(detect_lot, store, uid, settings)))
    result = {
        "label": args.label,
        "date": date.today().isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "market": dict(size),
        "full_scan": {
            "seconds": round(scan.seconds, 1),
            "findings": scan.findings,
            "bids_per_second": round(size["bids"] / scan.seconds),
        },
        "lot_mode": _summary(lot_mode),
        "baseline_lot_facts_read": _summary(baseline),
        "lots_timed": len(sample),
    }
    result["lot_mode_vs_baseline_median"] = round(
        result["lot_mode"]["median_ms"] / result["baseline_lot_facts_read"]["median_ms"], 1
    )
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{result['date']}-detection-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    m, lot, base = result["market"], result["lot_mode"], result["baseline_lot_facts_read"]
    stem.with_suffix(".md").write_text(
        f"# Detection speed: {args.label} ({result['date']}, {result['machine']})\n\n"
        f"Market: {m['suppliers']} suppliers, {m['lots']} lots, {m['bids']} bids.\n\n"
        "| measure | median | p99 | max |\n| --- | ---: | ---: | ---: |\n"
        f"| one lot, every detector (lot mode) | {lot['median_ms']} ms | {lot['p99_ms']} ms | "
        f"{lot['max_ms']} ms |\n"
        f"| baseline: the lot's facts read alone | {base['median_ms']} ms | {base['p99_ms']} ms "
        f"| {base['max_ms']} ms |\n\n"
        f"Full scan: {result['full_scan']['seconds']} s "
        f"({result['full_scan']['bids_per_second']} bids/s), "
        f"{result['full_scan']['findings']} findings.\n",
        encoding="utf-8",
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
