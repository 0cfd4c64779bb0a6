"""The benchmark suite (issue #8): one command builds a market at a scale, warms the database up,
runs every part as its own process and writes bench/results/<date>-<scale>.json and .md.

  .venv/bin/python bench/run.py --scale S            (what `make bench SCALE=S` runs)
  .venv/bin/python bench/run.py --suppliers 2000     (a small custom scale, for development)

Scales: S = 50,000 suppliers and 500,000 bids, M = 2S, L = 200,000 suppliers and 2,000,000 bids; a
custom scale has 10 bids a supplier too. The market is our generator (credit/markets/demo.py)
written as JSON Lines (`credit demo --out`); its first nine tenths are built with `credit load
--bulk` (neo4j-admin's importer) and its last tenth with `credit ingest` on top, so the build
itself measures both first-load paths at the run's scale (issue 21: `bulk_build` and
`online_build`); `--build online` ingests all of it (`credit demo`), as before. It goes on the
`bench` Neo4j instance (`--instance`; the launcher's defaults for it, overridable with
CREDIT_NEO4J_PORT/_HEAP/_PAGECACHE/_PLUGINS). A marker node records which market the instance
holds, so a second run at the same scale skips the build. The intake comparison and the bulk build
empty their database, so they run on a scratch instance of their own (NAMEintake on the next port
beside instance NAME). The instance gets APOC, which the @neo4j/graphql comparison needs
(CREDIT_NEO4J_PLUGINS; the launcher restarts an instance running without it). A part that is
missing, fails or times out is recorded as such in the results, with the end of its output; the
others still run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / ".local" / "bench-logs"
BIN = Path(sys.executable).parent
CREDIT = str(BIN / "credit")
SEED = 20151
SCALES = {"S": 50_000, "M": 100_000, "L": 200_000}
BIDS_PER_SUPPLIER = 10
INTAKE_SUPPLIERS = 3000  # the intake comparison's own market (about 100,000 records)
# The bulk_load part builds its market twice (bulk, then online) on the scratch instance to
# compare the graphs; the bench market's own build measures the bulk load at the run's scale.
BULK_SUPPLIERS = 20_000
SCRATCH = "benchintake:7691"  # the bench instance's scratch, which the intake parts empty
TAIL_SHARE = 0.1  # the market's last tenth goes through the online intake, on top of the bulk


@dataclass(frozen=True)
class Part:
    name: str
    owner: str
    scratch: bool = False  # runs on the scratch instance, which it empties
    most_suppliers: int = 0  # a scratch part's market: the run's scale, at most this many


PARTS = (
    Part("eligibility_compare", "COMPARE"),
    Part("lot_check", "DETECT"),
    Part("detection_scan", "DETECT"),
    Part("scan_distributed", "SCALE"),
    Part("scores", "SCALE"),
    Part("intake_compare", "SCALE", scratch=True, most_suppliers=INTAKE_SUPPLIERS),
    Part("bulk_load", "SCALE", scratch=True, most_suppliers=BULK_SUPPLIERS),
)

MARKER_READ = "MATCH (m:BenchDataset) RETURN m {.*} AS m"
MARKER_WRITE = "MERGE (m:BenchDataset {id: 1}) SET m = $props, m.id = 1"
WARM_UP = (  # touch every node, relationship and property once, so the page cache is hot
    "MATCH (n) RETURN count(n) AS n, sum(size(keys(n))) AS p",
    "MATCH ()-[r]->() RETURN count(r) AS n, sum(size(keys(r))) AS p",
)


def _log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _env(instance: str, port: int | None = None) -> dict[str, str]:
    env = dict(os.environ, CREDIT_INSTANCE=instance, PYTHONUNBUFFERED="1")
    env.pop("NEO4J_URI", None)  # the suite runs on its own local instances
    if port is not None:
        env["CREDIT_NEO4J_PORT"] = str(port)
    return env


@dataclass
class Outcome:
    returncode: int | None  # None: timed out
    seconds: float
    peak_rss_mb: float
    tail: str


def run_measured(
    argv: list[str], env: dict[str, str], log: Path, timeout: float | None = None
) -> Outcome:
    """Run a command in its own process group; its peak memory comes from wait4 (the largest
    resident set of the process and the children it waited for)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGTERM)
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = None
                break
            time.sleep(0.2)
    text = log.read_text(encoding="utf-8", errors="replace")
    return Outcome(
        proc.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024, text[-3000:]
    )


def _check(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def scratch_beside(name: str) -> str:
    """The scratch instance of a custom instance is its own, on the next port not the default
    of a named instance, so runs on two instances never empty each other's."""
    if name == "bench":
        return SCRATCH
    from graph.launcher import INSTANCE_DEFAULTS, instance

    taken = {d.port for d in INSTANCE_DEFAULTS.values()} | {int(SCRATCH.split(":")[1])}
    port = instance(name, ROOT / ".local").port + 1
    while port in taken:
        port += 1
    return f"{name}intake:{port}"


def start_instance(env: dict[str, str]) -> str:
    uri = _check([CREDIT, "neo4j", "start"], env).splitlines()[-1]
    _check([CREDIT, "migrate"], env)
    return uri


def dataset_key(suppliers: int) -> dict[str, Any]:
    """What identifies a market: its size, seed and the generator's source."""
    digest = hashlib.sha256()
    for part in sorted((ROOT / "credit" / "markets").glob("*.py")):
        digest.update(part.read_bytes())
    generator = digest.hexdigest()[:16]
    return {
        "suppliers": suppliers,
        "bids_target": suppliers * BIDS_PER_SUPPLIER,
        "seed": SEED,
        "generator": generator,
    }


def ensure_dataset(
    suppliers: int, env: dict[str, str], tag: str, build: str, market: Path | None = None
) -> dict[str, Any]:
    """Build the market unless the instance already holds exactly this one."""
    from credit.core.wiring import get_store

    store = get_store()
    key = dataset_key(suppliers)
    rows = store.read(MARKER_READ)
    if rows and all(rows[0]["m"].get(k) == v for k, v in key.items()):
        _log(f"dataset already built: {rows[0]['m']}")
        return {**rows[0]["m"], "built_now": False}
    if store.count_entities():
        _log("emptying the instance (it holds another dataset)")
        store.wipe()
    props = {
        **key,
        **(build_split(key, env, tag, market) if build == "split" else build_online(key, env, tag)),
    }
    store = get_store()  # the bulk build restarted the database
    counts = {
        r["type"]: r["n"]
        for r in store.read(
            "MATCH (n:Entity) WHERE n.record_type IS NOT NULL "
            "RETURN n.record_type AS type, count(*) AS n"
        )
    }
    props |= {
        "bids": counts.get("bid", 0),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    store.write(MARKER_WRITE, props=props)
    _log(f"dataset built in {props['build_seconds']:.0f}s: {props['summary']}")
    return {**props, "built_now": True}


def _demo(key: dict[str, Any]) -> list[str]:
    argv = [CREDIT, "demo", "--suppliers", str(key["suppliers"]), "--seed", str(key["seed"])]
    return [*argv, "--bids", str(key["bids_target"])]


def _measured(argv: list[str], env: dict[str, str], log: Path) -> Outcome:
    _log(f"running {shlex.join(argv)}")
    outcome = run_measured(argv, env, log)
    if outcome.returncode != 0:
        raise SystemExit(f"{shlex.join(argv[:3])} failed ({outcome.returncode}):\n{outcome.tail}")
    return outcome


def build_online(key: dict[str, Any], env: dict[str, str], tag: str) -> dict[str, Any]:
    """The whole market through the online intake (`credit demo`)."""
    outcome = _measured(_demo(key), env, LOGS / f"{tag}-build.log")
    summary = outcome.tail.strip().splitlines()[-1]
    return {
        "build": "online",
        "summary": summary,
        "build_seconds": round(outcome.seconds, 1),
        "build_peak_rss_mb": round(outcome.peak_rss_mb),
    }


def build_split(
    key: dict[str, Any], env: dict[str, str], tag: str, given: Path | None = None
) -> dict[str, Any]:
    """The market's first nine tenths through `credit load --bulk`, its last tenth through
    `credit ingest` on top (the records come kind by kind, parties first, so the tail's
    references are all in the bulk-built graph): the same graph as the online build (tested
    in tests/test_bulk_load.py), with both paths measured at this scale. `given`: the market
    already written by `credit demo --out` with this key's suppliers, seed and bids."""
    LOGS.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{tag}-market-", dir=LOGS))
    market, head, tail = (folder / f"{n}.jsonl" for n in ("market", "head", "tail"))
    generated = None
    try:
        if given is None:
            argv = [*_demo(key), "--out", str(market)]
            generated = _measured(argv, env, LOGS / f"{tag}-generate.log").seconds
        else:
            market = given
        with market.open("rb") as handle:
            total = sum(1 for _ in handle)
        cut = total - round(total * TAIL_SHARE)
        with market.open("rb") as src, head.open("wb") as first, tail.open("wb") as last:
            for number, line in enumerate(src):
                (first if number < cut else last).write(line)
        if given is None:
            market.unlink()
        bulk = _measured([CREDIT, "load", "--bulk", str(head)], env, LOGS / f"{tag}-bulk.log")
        online = _measured([CREDIT, "ingest", str(tail)], env, LOGS / f"{tag}-online.log")
    finally:
        for path in (head, tail) if given else (market, head, tail):
            path.unlink(missing_ok=True)
        folder.rmdir()
    bulk_line = next(x for x in reversed(bulk.tail.splitlines()) if x.startswith("bulk load:"))
    online_line = next(x for x in reversed(online.tail.splitlines()) if " received, " in x)
    return {
        "build": "split",
        "summary": f"{bulk_line}; then {online_line}",
        "build_seconds": round(bulk.seconds + online.seconds, 1),
        "build_peak_rss_mb": round(max(bulk.peak_rss_mb, online.peak_rss_mb)),
        "generate_seconds": None if generated is None else round(generated, 1),
        "records": total,
        "bulk_records": cut,
        "bulk_seconds": round(bulk.seconds, 1),
        "bulk_peak_rss_mb": round(bulk.peak_rss_mb),
        "bulk_line": bulk_line,
        "online_records": total - cut,
        "online_seconds": round(online.seconds, 1),
        "online_peak_rss_mb": round(online.peak_rss_mb),
        "online_line": online_line,
    }


def _built_part(script: str, seconds: float, peak: float, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "owner": "SCALE",
        "script": script,
        "status": "ok",
        "seconds": seconds,
        "peak_rss_mb": peak,
        "result": result,
    }


def build_parts(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The bench market's build in this run, as parts of their own (issue 21): the bulk build
    of its first nine tenths (projected to L: the steps that grow with the input scaled by the
    record count, the restart and the migrations once) and the online build of the rest on
    top, each against its target. An online-only build gives the online part alone. They come
    from the marker's record of the build, so a later run on the same market reports them too
    (a run stopped before it wrote its results loses no build)."""
    from bulk_load import (
        _BULK,
        _CPU,
        _ONLINE,
        L_SUPPLIERS,
        ONLINE_BEFORE_RECORDS_PER_S,
        ONLINE_TARGET_RECORDS_PER_S,
        TARGET_L_SECONDS,
    )

    parts: dict[str, dict[str, Any]] = {}
    suppliers = dataset["suppliers"]
    split = dataset.get("build") == "split"
    if split:
        bulk = _BULK.search(dataset["bulk_line"])
        assert bulk is not None, dataset["bulk_line"]
        records, total, validate, csv, imported, restart, migrate = (
            float(g) for g in bulk.groups()
        )
        whole_l = dataset["records"] * L_SUPPLIERS / suppliers
        projected = (validate + csv + imported) * whole_l / records + restart + migrate
        figures: dict[str, Any] = {
            "records": int(records),
            "seconds": total,
            "records_per_s": round(records / total),
            "validate_and_map_s": validate,
            "csv_s": csv,
            "neo4j_admin_import_s": imported,
            "stop_and_start_s": restart,
            "migrations_s": migrate,
            "peak_rss_mb": dataset["bulk_peak_rss_mb"],
            "projected_l_records": round(whole_l),
            "projected_l_seconds": round(projected),
        }
        cpu = _CPU.search(dataset["bulk_line"])
        if cpu is not None:
            names = ("cpu_validate_and_map_s", "cpu_csv_s", "cpu_import_s")
            figures |= dict(zip(names, map(float, cpu.groups()), strict=True))
        basis = (
            "measured on its first nine tenths"
            if suppliers == L_SUPPLIERS
            else f"projected from {suppliers:,} suppliers"
        )
        parts["bulk_build"] = _built_part(
            "credit load --bulk (bench/run.py's market, first nine tenths)",
            dataset["bulk_seconds"],
            dataset["bulk_peak_rss_mb"],
            {
                "part": "bulk_build",
                "figures": figures,
                "targets": [
                    {
                        "name": f"bulk build of L ({round(whole_l):,} records), seconds ({basis}: "
                        "the growing steps scaled by records, restart and migrations once)",
                        "value": round(projected),
                        "target": f"<= {TARGET_L_SECONDS}",
                        "met": projected <= TARGET_L_SECONDS,
                    }
                ],
                "notes": [dataset["bulk_line"]],
            },
        )
    line = dataset.get("online_line") or dataset.get("summary", "")
    online = _ONLINE.search(line)
    if online is not None:
        done, seconds = int(online.group(1)), float(online.group(3))
        rate = done / seconds
        where = "its last tenth, on the bulk-built rest" if split else "all of it"
        parts["online_build"] = _built_part(
            "credit ingest (bench/run.py's market)",
            dataset.get("online_seconds", dataset["build_seconds"]),
            dataset.get("online_peak_rss_mb", dataset["build_peak_rss_mb"]),
            {
                "part": "online_build",
                "figures": {"records": done, "seconds": seconds, "records_per_s": round(rate)},
                "targets": [
                    {
                        "name": f"online build of the bench market ({suppliers:,} suppliers, "
                        f"{where}), records/s (issue 21.2: 3x the "
                        f"{ONLINE_BEFORE_RECORDS_PER_S} measured at L)",
                        "value": round(rate),
                        "target": f">= {ONLINE_TARGET_RECORDS_PER_S}",
                        "met": rate >= ONLINE_TARGET_RECORDS_PER_S,
                    }
                ],
                "notes": [line],
            },
        )
    return parts


def warm_up() -> float:
    from credit.core.wiring import get_store

    started = time.perf_counter()
    for cypher in WARM_UP:
        get_store().read(cypher)
    return time.perf_counter() - started


def run_part(
    part: Part,
    env: dict[str, str],
    scratch_env: dict[str, str],
    tag: str,
    timeout: float,
    suppliers: int,
    extra: list[str],
) -> dict[str, Any]:
    script = ROOT / "bench" / f"{part.name}.py"
    entry: dict[str, Any] = {"owner": part.owner, "script": f"bench/{part.name}.py"}
    if not script.exists():
        return {**entry, "status": "missing"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        argv = [sys.executable, str(script), "--out", str(out), *extra]
        if part.scratch:
            argv += ["--wipe", "--suppliers", str(min(suppliers, part.most_suppliers))]
        entry["command"] = shlex.join(argv).replace(str(out), "OUT.json")
        _log(f"part {part.name}: {entry['command']}")
        outcome = run_measured(
            argv, scratch_env if part.scratch else env, LOGS / f"{tag}-{part.name}.log", timeout
        )
        entry |= {"seconds": round(outcome.seconds, 1), "peak_rss_mb": round(outcome.peak_rss_mb)}
        if outcome.returncode is None:
            return {**entry, "status": "timeout", "output_tail": outcome.tail}
        if outcome.returncode != 0 or not out.exists():
            return {
                **entry,
                "status": "failed",
                "returncode": outcome.returncode,
                "output_tail": outcome.tail,
            }
        try:
            result = json.loads(out.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            return {**entry, "status": "failed", "error": f"bad JSON: {exc}"}
    _log(f"part {part.name}: done in {outcome.seconds:.0f}s")
    return {**entry, "status": "ok", "result": result}


def _version(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024**2, 1),
        "os": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def versions() -> dict[str, Any]:
    import neo4j
    from neo4j._codec.packstream import v1

    from credit.core.wiring import get_store

    server = get_store().read(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name, versions[0] AS version, edition"
    )
    graphql_pkg = ROOT / "bench" / "neo4j-graphql" / "node_modules" / "@neo4j" / "graphql"
    graphql = None
    if (graphql_pkg / "package.json").exists():
        graphql = json.loads((graphql_pkg / "package.json").read_text())["version"]
    return {
        "python": platform.python_version(),
        "neo4j_driver": neo4j.__version__,
        "neo4j_rust_extension": getattr(v1, "_rust_pack", None) is not None,
        "neo4j_server": " ".join(f"{r['name']} {r['version']} {r['edition']}" for r in server),
        "node": _version(["node", "--version"]),
        "neo4j_graphql": graphql,
    }


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    m, v, d = results["machine"], results["versions"], results["dataset"]
    lines = [
        f"# Benchmarks {results['date']}, scale {results['scale']}",
        "",
        *(f"Command: `{c}`" for c in results["commands"]),
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM ({m['os']}); "
        f"load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}",
        "",
        f"Versions: Python {v['python']}, neo4j driver {v['neo4j_driver']} (Rust extension "
        f"{'on' if v['neo4j_rust_extension'] else 'off'}), {v['neo4j_server']}, "
        f"Node {v['node'] or 'n/a'}, @neo4j/graphql {v['neo4j_graphql'] or 'n/a'}",
        "",
        f"Dataset: {d['suppliers']:,} suppliers, {d.get('bids', 0):,} bids (seed {d['seed']}, "
        f"generator {d['generator']}); {d.get('summary', '')}; build "
        f"{d.get('build_seconds', 0):,.0f} s, peak memory {d.get('build_peak_rss_mb', 0):,} MB"
        f"{' (built in this run)' if d.get('built_now') else ' (built earlier)'}. "
        f"Warm-up {results['warm_up_seconds']:.0f} s.",
        "",
        "| part | figure | value | target | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, part in results["parts"].items():
        if part["status"] != "ok":
            lines.append(f"| {name} | **{part['status'].upper()}** | see JSON | | missed |")
            continue
        for t in part["result"].get("targets", []):
            met = "met" if t["met"] else "**missed**"
            lines.append(f"| {name} | {t['name']} | {t['value']} | {t['target']} | {met} |")
    missed = [t for t in results.get("targets", []) if not t["met"]] + [
        {"part": name, "name": part["status"]}
        for name, part in results["parts"].items()
        if part["status"] != "ok"
    ]
    if missed:
        end = results.get("load_average_at_end", [])
        named = "; ".join(f"{t['part']}: {t['name']}" for t in missed)
        lines += [
            "",
            f"Missed: {named}. Each part's "
            "notes below say why; the machine is shared, so wall times move with its load "
            f"(load average at the end {', '.join(f'{x:.1f}' for x in end)}).",
        ]
    lines += ["", "| part | status | seconds | peak memory (MB) |", "| --- | --- | --- | --- |"]
    for name, part in results["parts"].items():
        lines.append(
            f"| {name} | {part['status']} | {part.get('seconds', '')} | "
            f"{part.get('peak_rss_mb', '')} |"
        )
    for name, part in results["parts"].items():
        figures = part.get("result", {}).get("figures", {})
        shown = [f"{k}: {v}" for k, v in figures.items() if not isinstance(v, dict | list)]
        notes = part.get("result", {}).get("notes", [])
        if shown or notes:
            lines += ["", f"### {name}", "", *(f"- {f}" for f in shown), *(f"- {n}" for n in notes)]
        elif part["status"] != "ok":
            tail = part.get("output_tail") or part.get("error") or ""
            lines += ["", f"### {name}: {part['status']}", "", "```", tail[-1500:].strip(), "```"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _earlier_parts(out: Path, dataset: dict[str, Any]) -> dict[str, Any]:
    """A run of some parts adds to the same day's results on the same market, so one part can
    be rerun without measuring the others again; a different market starts afresh."""
    if not out.exists():
        return {}
    earlier: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    market = ("suppliers", "seed", "generator", "built_at")
    if any(earlier.get("dataset", {}).get(k) != dataset.get(k) for k in market):
        return {}
    return earlier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--suppliers", type=int, help="a custom scale (development)")
    parser.add_argument("--instance", default="bench", help="the Neo4j instance to build on")
    parser.add_argument(
        "--parts", help="comma-separated subset of: " + ", ".join(p.name for p in PARTS)
    )
    parser.add_argument(
        "--build",
        choices=("split", "online"),
        default="split",
        help="build the market with the bulk load and the online intake (split) or online only",
    )
    parser.add_argument(
        "--market",
        type=Path,
        help="the market already written by `credit demo --out` for this scale (same suppliers, "
        f"seed {SEED} and 10 bids a supplier), instead of generating it again",
    )
    parser.add_argument(
        "--part-arg",
        action="append",
        default=[],
        type=lambda text: tuple(text.split("=", 1)),
        metavar="PART=ARGS",
        help="more arguments for one part, e.g. scan_distributed='--workers 2 1 --skip-single'",
    )
    parser.add_argument("--part-timeout", type=float, default=4 * 3600, help="seconds")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    parser.add_argument(
        "--scratch",
        help=f"name:port of the instance the intake parts empty (default: {SCRATCH} beside "
        "the bench instance, NAMEintake on the next port beside instance NAME)",
    )
    args = parser.parse_args()

    suppliers = args.suppliers or SCALES[args.scale]
    scale = f"custom{suppliers}" if args.suppliers else args.scale
    today = datetime.now(UTC).date().isoformat()
    tag = f"{today}-{scale}"
    os.environ["CREDIT_INSTANCE"] = args.instance  # this process's own reads (marker, warm-up)
    os.environ.pop("NEO4J_URI", None)
    wanted = set(args.parts.split(",")) if args.parts else {p.name for p in PARTS}
    if "eligibility_compare" in wanted and "CREDIT_NEO4J_PLUGINS" not in os.environ:
        # @neo4j/graphql needs APOC on whatever instance is named, not only on `bench`; the
        # launcher restarts an instance already running without it.
        os.environ["CREDIT_NEO4J_PLUGINS"] = "apoc"
    env = _env(args.instance)
    settings = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("CREDIT_NEO4J_")]
    command = shlex.join([*settings, Path(sys.executable).name, *sys.argv])

    _log(f"starting instance {args.instance}")
    start_instance(env)
    dataset = ensure_dataset(suppliers, env, tag, args.build, args.market)
    _log("warming up")
    warm = warm_up()
    out = args.out_dir / f"{tag}.json"
    earlier = _earlier_parts(out, dataset) if args.parts else {}
    results: dict[str, Any] = {
        "date": today,
        "scale": scale,
        "commands": [*earlier.get("commands", []), command],
        "machine": machine(),
        "versions": versions(),
        "dataset": dataset,
        "warm_up_seconds": round(warm, 1),
        "parts": dict(earlier.get("parts", {})),
    }
    for name, built in build_parts(dataset).items():
        results["parts"].setdefault(name, built)  # a run on an earlier market keeps its own
    scratch_name, scratch_port = (args.scratch or scratch_beside(args.instance)).split(":")
    scratch_env = _env(scratch_name, int(scratch_port))
    if {"intake_compare", "bulk_load"} & set(wanted):
        _log(f"starting scratch instance {scratch_name} for the intake comparisons")
        start_instance(scratch_env)
    for part in PARTS:
        if part.name in wanted:
            results["parts"][part.name] = run_part(
                part,
                env,
                scratch_env,
                tag,
                args.part_timeout,
                suppliers,
                [
                    a
                    for name, given in args.part_arg
                    if name == part.name
                    for a in shlex.split(given)
                ],
            )
    results["targets"] = [
        {"part": name, **t}
        for name, part in results["parts"].items()
        for t in part.get("result", {}).get("targets", [])
    ]
    results["failed_parts"] = [n for n, p in results["parts"].items() if p["status"] != "ok"]
    results["load_average_at_end"] = os.getloadavg()
    results["versions"] = versions()  # after the parts: the hot path's installs @neo4j/graphql
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    write_markdown(args.out_dir / f"{tag}.md", results)
    _log(f"wrote {out} and {out.with_suffix('.md')}")
    if results["failed_parts"]:
        _log(f"parts that did not finish: {', '.join(results['failed_parts'])}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
