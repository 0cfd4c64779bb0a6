"""A small closed-loop HTTP load generator, run as its own process so it is not the system
under test. Prints one JSON object: count, errors, wall time, throughput, median and p99."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time

import httpx


def run(
    url: str, body: bytes, headers: dict[str, str], total: int, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=60, headers=headers) as client:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                started = time.perf_counter()
                response = client.post(url, content=body)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--query", required=True)
    parser.add_argument("--variables", default="{}")
    parser.add_argument("--token", default="")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    body = json.dumps({"query": args.query, "variables": json.loads(args.variables)}).encode()
    headers = {"content-type": "application/json"}
    if args.token:
        headers["authorization"] = f"Bearer {args.token}"
    run(args.url, body, headers, args.warmup, 1)
    json.dump(run(args.url, body, headers, args.count, args.concurrency), sys.stdout)


if __name__ == "__main__":
    main()
