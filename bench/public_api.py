"""Throughput of the public API (GET /public/records) with caching on, side by side in one run:
a list page and a record page, each without and with If-None-Match (a 304), and the same two
pages from a second server whose answer cache is off (CREDIT_PUBLIC_MAX_AGE=0: every request
queries the graph) as the baseline.

Each server is the real app (uvicorn, one worker, its own process); each target is driven by a
closed-loop client in its own process (keep-alive connections, one per thread). The public rate
limit is raised for the run (it is per client address, and the client is one address).

Run: .venv/bin/python bench/public_api.py [--seconds 5] [--concurrency 8] [--out FILE.json]
on the database the usual CREDIT_INSTANCE / CREDIT_NEO4J_PORT variables name; with no public
record there it first builds a demo market (`credit demo --suppliers 300`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(cache: bool, log_dir: Path) -> Iterator[int]:
    port = _free_port()
    env = os.environ | {
        "CREDIT_PUBLIC_RATE_PER_MINUTE": "100000000",
        "CREDIT_PUBLIC_RATE_BURST": "100000000",
        "CREDIT_PUBLIC_AUDIT_LOG": str(log_dir / f"public-audit-{port}.jsonl"),
        "CREDIT_PUBLIC_MAX_AGE": "60" if cache else "0",
    }
    process = subprocess.Popen(
        [PY, "-m", "uvicorn", "--factory", "credit.api.app:create_app", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request(
                    "GET", "/health/live"
                )
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"accept": "application/json", **(headers or {})})
    response = connection.getresponse()
    response.read()
    return response


def drive(
    port: int, path: str, etag: str | None, seconds: float, concurrency: int
) -> dict[str, Any]:
    """Closed loop: each thread sends the request again as soon as the answer is in."""
    headers = {"accept": "application/json"} | ({"if-none-match": etag} if etag else {})
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen: dict[int, int] = {}
        while time.monotonic() < stop:
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[index].append(time.perf_counter() - start)
            seen[response.status] = seen.get(response.status, 0) + 1
        with lock:
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    began = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    flat = sorted(x for chunk in latencies for x in chunk)
    return {
        "requests": len(flat),
        "requests_per_s": round(len(flat) / wall, 1),
        "median_ms": round(statistics.median(flat) * 1000, 2),
        "p99_ms": round(flat[int(len(flat) * 0.99) - 1] * 1000, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def in_own_process(port: int, path: str, etag: str | None, seconds: float, concurrency: int) -> Any:
    args = [PY, __file__, "--client", str(port), path, etag or "", str(seconds), str(concurrency)]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def ensure_market(port: int) -> str:
    """A record id of the public view; builds the demo market if there is none."""
    body = json.loads(_get_body(port, "/public/records"))
    if not body["records"]:
        subprocess.run(
            [PY, "-m", "credit.cli", "demo", "--suppliers", "300", "--if-empty"],
            cwd=ROOT,
            check=True,
        )
        body = json.loads(_get_body(port, "/public/records"))
    if not body["records"]:
        raise SystemExit("no public record in this database to measure")
    record_id: str = body["records"][0]["id"]
    return record_id


def _get_body(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"accept": "application/json"})
    data = connection.getresponse().read()
    return data


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        at, where, given, seconds, concurrency = sys.argv[2:7]
        print(json.dumps(drive(int(at), where, given or None, float(seconds), int(concurrency))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        cached = stack.enter_context(server(True, Path(scratch)))
        uncached = stack.enter_context(server(False, Path(scratch)))
        record = ensure_market(cached)
        pages = {"list": "/public/records?page=1", "record": f"/public/records/{record}"}
        for name, path in pages.items():
            etag = _get(cached, path).getheader("etag")
            targets: tuple[tuple[str, int, str | None], ...] = (
                (f"{name}, cache on", cached, None),
                (f"{name}, cache on, If-None-Match (304)", cached, etag),
                (f"{name}, cache off (baseline)", uncached, None),
            )
            for label, port, tag in targets:
                measured = in_own_process(port, path, tag, options.seconds, options.concurrency)
                results.append({"target": label, "path": path, **measured})
    report = {
        "command": " ".join(["bench/public_api.py", *sys.argv[1:]]),
        "concurrency": options.concurrency,
        "seconds": options.seconds,
        "cpus": os.cpu_count(),
        "results": results,
    }
    if options.out:
        options.out.write_text(json.dumps(report, indent=2) + "\n")
    print("| target | requests/s | median ms | p99 ms | statuses |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['target']} | {r['requests_per_s']} | {r['median_ms']} | {r['p99_ms']} "
            f"| {r['statuses']} |"
        )


if __name__ == "__main__":
    main()
