"""A small closed-loop HTTP load generator, run as its own process so it is not the system
under test. Prints one JSON object: count, errors, wall time, throughput, median and p99.

One query with one set of variables, or (--requests FILE: a JSON list of {"variables",
"token"}) the same query over many subjects, each with its own credential, taken in turn."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

Request = tuple[bytes, dict[str, str]]


def request(query: str, variables: dict[str, Any], token: str) -> Request:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return json.dumps({"query": query, "variables": variables}).encode(), headers


def run(url: str, requests: list[Request], total: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                body, headers = requests[i % len(requests)]
                started = time.perf_counter()
                response = client.post(url, content=body, headers=headers)
                elapsed = time.perf_counter() - started
                ok = response.status_code == 200 and b'"errors"' not in response.content
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "count": len(latencies),
        "errors": errors,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "throughput_rps": round(len(latencies) / wall, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
    }


def in_own_process(url: str, query: str, *options: str) -> Any:
    """Run this load generator as its own process (not the system under test); its result."""
    argv = [sys.executable, __file__, url, "--query", query, *options]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--query", required=True)
    parser.add_argument("--variables", default="{}")
    parser.add_argument("--token", default="")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", help="JSON list of {variables, token}, taken in turn")
    args = parser.parse_args()
    if args.requests:
        with open(args.requests, encoding="utf-8") as handle:
            subjects = json.load(handle)
        requests = [request(args.query, r["variables"], r.get("token", "")) for r in subjects]
    else:
        requests = [request(args.query, json.loads(args.variables), args.token)]
    run(args.url, requests, args.warmup, 1)
    json.dump(run(args.url, requests, args.count, args.concurrency), sys.stdout)


if __name__ == "__main__":
    main()
