"""The soak test (issue 16 item 6): mixed traffic through the real HTTP API for a long while, at a
fixed concurrency, on a demo market of its own.

Operations, each with its own credential as the user who does it: single-supplier eligibility
checks and 20-bidder lot checks (purchasers of the lot's unit), lot flags, searches, network
walks and flag reviews (supervisors), feed pages and intake batches (a sync client writing its
own source). Recorded per operation and per minute: count, errors, p50 and p99; the server's and
Neo4j's resident memory at start and end; afterwards the feed must be gap-free and the audit
chain must verify.

Run: make soak  (or: .venv/bin/python bench/soak.py --minutes 10 --concurrency 16)
Writes bench/results/<date>-soak.json and .md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
INSTANCE = "soak"
SERVER_ENV = {  # the server's own rate limit would otherwise be what we measure
    "CREDIT_RATE_LIMIT_PER_MINUTE": "100000000",
    "CREDIT_RATE_LIMIT_BURST": "1000000",
}

SINGLE = "query($u: String!) { supplierEligibility(uscc: $u) { decision reasons { code } } }"
LOT = (
    "query($l: ID!) { lotEligibility(lotId: $l) { decision bidders { supplierId decision } "
    "conflicts { code } checkRecord { id } } }"
)
LOT_FLAGS = "query($l: ID!) { lotFlags(lotId: $l) { flags { pattern confidence } ran } }"
SEARCH = "query($q: String!) { search(query: $q, first: 10) { nodes { score node { id } } } }"
NETWORK = (
    "query($id: ID!) { neighbourhood(id: $id, depth: 2, limit: 200) "
    "{ nodes { id kind } edges { type } truncated } }"
)
FEED = "query($a: String) { changes(after: $a, first: 100) { items { id seq } endCursor } }"
INGEST = "mutation($r: [JSON!]!) { ingestRecords(records: $r) { received changed rejected } }"
REVIEW = (
    'mutation($id: ID!) { reviewFlag(id: $id, decision: DISMISS, reason: "soak: reviewed") '
    "{ flag { id status } } }"
)
# (operation, weight): the mix a working day might have, eligibility checks most of all.
MIX = (
    ("eligibility", 30),
    ("lot_check", 10),
    ("lot_flags", 10),
    ("search", 15),
    ("network", 10),
    ("feed", 10),
    ("intake", 5),
    ("flag_review", 5),
)
SEARCH_TERMS = ("建设", "科技", "工程", "信息", "医疗", "设备", "服务", "杭州")


def _env() -> dict[str, str]:
    env = {**os.environ, "CREDIT_INSTANCE": INSTANCE, "CREDIT_ENV": "development"}
    env.setdefault("CREDIT_NEO4J_PORT", "7695")
    env.pop("NEO4J_URI", None)
    return env


def _credit(*args: str) -> None:
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "credit"), *args], check=True, env=_env(), cwd=ROOT)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Sample:
    op: str
    minute: int
    seconds: float
    ok: bool
    error: str = ""


@dataclass
class Fixture:
    suppliers: list[str]
    lots: list[tuple[str, str]]  # (lot uid, purchaser USCC)
    flags: list[str]
    tokens: dict[str, str] = field(default_factory=dict)


def _prepare(suppliers: int, min_bidders: int) -> Fixture:
    """Neo4j, migrations, the demo market (once), its flags (once), the credentials."""
    os.environ.update(_env())
    _credit("neo4j", "start")
    _credit("migrate")
    # about ten bids a supplier, as the benchmarks build it: some lots have 20-30 bidders
    _credit("demo", "--suppliers", str(suppliers), "--bids", str(10 * suppliers), "--if-empty")
    from credit.core.settings import get_settings
    from credit.core.wiring import get_store
    from credit.security.auth import create_api_key, create_token
    from credit.security.permissions import Role
    from graph import operations_queries as q

    store = get_store()
    if not store.read(q.SOAK_OPEN_FLAGS, limit=1):
        _credit("detect", "--all")
    fixture = Fixture(
        suppliers=[r["uscc"] for r in store.read(q.SOAK_SUPPLIERS, limit=2000)],
        lots=[
            (r["lot"], r["purchaser"])
            for r in store.read(q.SOAK_BIG_LOTS, min_bidders=min_bidders, limit=50)
        ],
        flags=[r["id"] for r in store.read(q.SOAK_OPEN_FLAGS, limit=5000)],
    )
    if not fixture.lots:
        raise SystemExit(f"the demo market has no lot with {min_bidders} or more bidders")
    settings = get_settings()
    day = timedelta(hours=2)
    for _, purchaser in fixture.lots:
        fixture.tokens[f"purchaser:{purchaser}"] = create_token(
            settings, [Role.PURCHASER], f"采购员 {purchaser}", day, organization=purchaser
        )
    fixture.tokens["supervisor"] = create_token(settings, [Role.SUPERVISOR], "监管员", day)
    _, fixture.tokens["sync"] = create_api_key(store, "soak sync", Role.SYNC_CLIENT, "soak")
    return fixture


class Traffic:
    """The workers' shared state: samples, the feed cursor, the next intake id."""

    def __init__(self, url: str, fixture: Fixture, started: float, seed: int) -> None:
        self.url, self.fixture, self.started = url, fixture, started
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.cursor: str | None = None
        self.batch = 0
        self.flags = list(fixture.flags)
        self.seed = seed

    def request(self, rng: random.Random) -> tuple[str, dict[str, Any], str]:
        ops, weights = zip(*MIX, strict=True)
        op = rng.choices(ops, weights)[0]
        f = self.fixture
        lot, purchaser = rng.choice(f.lots)
        buyer = f.tokens[f"purchaser:{purchaser}"]
        supervisor = f.tokens["supervisor"]
        if op == "eligibility":
            return op, {"query": SINGLE, "variables": {"u": rng.choice(f.suppliers)}}, buyer
        if op == "lot_check":
            return op, {"query": LOT, "variables": {"l": lot}}, buyer
        if op == "lot_flags":
            return op, {"query": LOT_FLAGS, "variables": {"l": lot}}, buyer
        if op == "search":
            return op, {"query": SEARCH, "variables": {"q": rng.choice(SEARCH_TERMS)}}, buyer
        if op == "network":
            node = f"org:{rng.choice(f.suppliers)}"
            return op, {"query": NETWORK, "variables": {"id": node}}, supervisor
        if op == "feed":
            with self.lock:
                cursor = self.cursor
            return op, {"query": FEED, "variables": {"a": cursor}}, f.tokens["sync"]
        if op == "intake":
            with self.lock:
                self.batch += 1
                batch = self.batch
            records = [
                {
                    "type": "external_listing",
                    "id": f"SOAK-{self.seed}-{batch}-{i}",
                    "list": "OTHER_REGION_SERIOUS_DISHONESTY",
                    "subject": rng.choice(f.suppliers),
                    "authority": "外省信用平台",
                    "listed_on": date.today().isoformat(),
                    "source": "soak",
                }
                for i in range(20)
            ]
            return op, {"query": INGEST, "variables": {"r": records}}, f.tokens["sync"]
        with self.lock:
            flag = self.flags.pop() if self.flags else None
        if flag is None:  # every open flag reviewed: a search stands in
            return "search", {"query": SEARCH, "variables": {"q": "建设"}}, buyer
        return op, {"query": REVIEW, "variables": {"id": flag}}, supervisor

    def worker(self, deadline: float, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        with httpx.Client(timeout=120) as client:
            while time.monotonic() < deadline:
                op, body, token = self.request(rng)
                began = time.monotonic()
                error = ""
                try:
                    response = client.post(
                        self.url, json=body, headers={"authorization": f"Bearer {token}"}
                    )
                    payload = response.json()
                    if response.status_code != 200 or payload.get("errors"):
                        error = f"{response.status_code}: {json.dumps(payload)[:300]}"
                except (httpx.HTTPError, ValueError) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    payload = {}
                elapsed = time.monotonic() - began
                if op == "feed" and not error:
                    with self.lock:
                        self.cursor = payload["data"]["changes"]["endCursor"]
                sample = Sample(op, int((began - self.started) // 60), elapsed, not error, error)
                with self.lock:
                    self.samples.append(sample)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise(samples: list[Sample], minutes: int) -> dict[str, Any]:
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_op[s.op].append(s)
    table: dict[str, Any] = {}
    for op, rows in sorted(by_op.items()):
        per_minute = []
        for minute in range(minutes):
            times = [s.seconds * 1000 for s in rows if s.minute == minute and s.ok]
            per_minute.append(
                {
                    "minute": minute + 1,
                    "count": len([s for s in rows if s.minute == minute]),
                    "p50_ms": round(statistics.median(times), 1) if times else None,
                    "p99_ms": round(_percentile(times, 0.99), 1) if times else None,
                }
            )
        first, last = per_minute[0]["p99_ms"], per_minute[-1]["p99_ms"]
        table[op] = {
            "requests": len(rows),
            "errors": len([s for s in rows if not s.ok]),
            "first_errors": sorted({s.error for s in rows if not s.ok})[:3],
            "p99_last_over_first": round(last / first, 2) if first and last else None,
            "per_minute": per_minute,
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--suppliers", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--min-bidders", type=int, default=15, help="lots checked have this many")
    args = parser.parse_args()

    fixture = _prepare(args.suppliers, args.min_bidders)
    port = _port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "credit"), "serve", "--port", str(port)],
        env={**_env(), **SERVER_ENV},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        for _ in range(120):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        neo4j_pid = int(
            (ROOT / ".local" / f"neo4j-{INSTANCE}" / "run" / "credit-neo4j.pid").read_text()
        )
        memory_start = {"server_mb": _rss_mb(server.pid), "neo4j_mb": _rss_mb(neo4j_pid)}
        started = time.monotonic()
        traffic = Traffic(url, fixture, started, args.seed)
        deadline = started + args.minutes * 60
        threads = [
            threading.Thread(target=traffic.worker, args=(deadline, i))
            for i in range(args.concurrency)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        memory_end = {"server_mb": _rss_mb(server.pid), "neo4j_mb": _rss_mb(neo4j_pid)}
    finally:
        server.terminate()
        server.wait(timeout=60)

    from credit.core.wiring import get_store
    from credit.operations.backup import feed_gaps
    from credit.security.audit import verify_chain

    store = get_store()
    chain = verify_chain(store)
    gap = feed_gaps(store)
    operations = summarise(traffic.samples, args.minutes)
    result = {
        "date": date.today().isoformat(),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/soak.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "minutes": args.minutes,
        "concurrency": args.concurrency,
        "suppliers": args.suppliers,
        "wall_seconds": round(wall, 1),
        "requests": len(traffic.samples),
        "errors": sum(op["errors"] for op in operations.values()),
        "memory_start": memory_start,
        "memory_end": memory_end,
        "feed_gap_free": gap is None,
        "feed_problem": gap,
        "audit_chain_intact": chain.intact,
        "audit_events": chain.events,
        "operations": operations,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{result['date']}-soak"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(report(result))
    print(report(result))


def _growth(start: float, end: float) -> str:
    return f"{start:.0f} -> {end:.0f} MB ({(end / start - 1) * 100:+.1f}%)" if start else "n/a"


def report(r: dict[str, Any]) -> str:
    """The results as a table, every figure beside its target."""

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    mem = [
        (name, r["memory_start"][key], r["memory_end"][key])
        for name, key in (("server", "server_mb"), ("Neo4j", "neo4j_mb"))
    ]
    lines = [
        f"# Soak test, {r['date']}",
        "",
        f"`{r['command']}`: {r['minutes']} minutes of mixed traffic at concurrency "
        f"{r['concurrency']} through the HTTP API on a {r['suppliers']:,}-supplier demo market "
        f"({r['machine']['cpus']} CPUs, Python {r['machine']['python']}).",
        "",
        "| figure | value | target | |",
        "| --- | --- | --- | --- |",
        f"| requests | {r['requests']:,} | | |",
        f"| errors | {r['errors']} | 0 | {met(r['errors'] == 0)} |",
        *(
            f"| {name} resident memory | {_growth(a, b)} | growth < 10% | "
            f"{met(bool(a) and b < a * 1.1)} |"
            for name, a, b in mem
        ),
        f"| feed gap-free afterwards | {r['feed_gap_free']} | true | {met(r['feed_gap_free'])} |",
        f"| audit chain verifies ({r['audit_events']:,} events) | {r['audit_chain_intact']} | "
        f"true | {met(r['audit_chain_intact'])} |",
        "",
        "| operation | requests | errors | p50 first min (ms) | p99 first min (ms) | "
        "p50 last min (ms) | p99 last min (ms) | p99 last/first (target <= 1.5) | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for op, o in r["operations"].items():
        first, last = o["per_minute"][0], o["per_minute"][-1]
        ratio = o["p99_last_over_first"]
        lines.append(
            f"| {op} | {o['requests']:,} | {o['errors']} | {first['p50_ms']} | {first['p99_ms']} "
            f"| {last['p50_ms']} | {last['p99_ms']} | {ratio} | "
            f"{met(ratio is not None and ratio <= 1.5)} |"
        )
    lines += ["", "Per minute (p50 / p99 ms):", ""]
    ops = list(r["operations"])
    lines.append("| minute | " + " | ".join(ops) + " |")
    lines.append("| --- |" + " --- |" * len(ops))
    for minute in range(r["minutes"]):
        cells = []
        for op in ops:
            m = r["operations"][op]["per_minute"][minute]
            cells.append(f"{m['count']}: {m['p50_ms']} / {m['p99_ms']}")
        lines.append(f"| {minute + 1} | " + " | ".join(cells) + " |")
    errors = {op: o["first_errors"] for op, o in r["operations"].items() if o["first_errors"]}
    if errors:
        lines += ["", "First errors:", ""]
        lines += [f"- {op}: {e}" for op, es in errors.items() for e in es]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
