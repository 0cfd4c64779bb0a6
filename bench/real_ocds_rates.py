"""Flags per pattern per 1,000 lots on real open data (OCDS releases with bids, parties kept
under their own identifier schemes) next to a planted market from `credit simulate`.

Each market is loaded into an emptied local database with `credit ingest`, scanned with
`credit detect --all --restart` and read back with `credit flags export`; lots and contested
lots (two or more bids) are counted from the records that were ingested. A market is
`NAME=FILE[,FILE...]` of OCDS files, or `NAME=DIR` of a `credit simulate` output.

  CREDIT_INSTANCE=test CREDIT_NEO4J_PORT=7703 .venv/bin/python bench/real_ocds_rates.py \\
      prozorro=tests/fixtures/ocds/prozorro-sample-releases.jsonl \\
      armenia=/tmp/armenia/1.json,... planted=/tmp/sim/seed-101 [--out FILE.md] [--keep DIR]

It refuses the `main` instance and any configured NEO4J_URI: it empties the database.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from credit.core.settings import get_settings
from credit.core.wiring import get_store
from credit.formats import READERS
from credit.intake.pipeline import read_jsonl

CLI = [sys.executable, "-m", "credit.cli"]


def _run(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1: some records rejected, reported in the output
        raise SystemExit(f"credit {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def _lots(records: list[dict[str, Any]]) -> tuple[int, int]:
    """Lots, and lots with two or more bids (where in-lot patterns can fire)."""
    lots = {r["id"] for r in records if r.get("type") == "lot"}
    bids = Counter(r["lot"] for r in records if r.get("type") == "bid")
    return len(lots), sum(1 for lot in lots if bids[lot] >= 2)


def _market(spec: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Ingest one market into the emptied database; its name, ingest commands and records."""
    name, _, paths = spec.partition("=")
    get_store().wipe()
    target = Path(paths)
    if target.is_dir():
        records = [json.loads(r) for _, r in read_jsonl(target / "records.jsonl")]
        _run("ingest", str(target / "records.jsonl"))
        return name, [f"credit ingest {target / 'records.jsonl'}"], records
    files = paths.split(",")
    records = [r for f in files for _, r in READERS["ocds"](Path(f), name).items]
    _run("ingest", "--format", "ocds", "--source", name, *files)
    return name, [f"credit ingest --format ocds --source {name} {' '.join(files)}"], records


def main(argv: list[str]) -> None:
    config = get_settings()
    if config.neo4j_uri or config.instance == "main":
        raise SystemExit("this bench empties the database: use a local instance other than main")
    out = keep = None
    if "--out" in argv:
        at = argv.index("--out")
        out, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    if "--keep" in argv:  # a folder for each market's exported flags, to read them one by one
        at = argv.index("--keep")
        keep, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    rows: dict[str, dict[str, Any]] = {}
    commands: list[str] = []
    for spec in argv:
        name, ingested, records = _market(spec)
        _run("detect", "--all", "--restart")
        with tempfile.TemporaryDirectory() as tmp:
            flags_file = Path(tmp) / "flags.jsonl"
            _run("flags", "export", "--out", str(flags_file))
            exported = flags_file.read_text(encoding="utf-8")
            flags = [json.loads(line) for line in exported.splitlines() if line]
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}-flags.jsonl").write_text(exported, encoding="utf-8")
        lots, contested = _lots(records)
        orgs = Counter(
            r["identifier"]["scheme"] if "identifier" in r else "CN-USCC"
            for r in records
            if r.get("type") == "organization"
        )
        rows[name] = {
            "lots": lots,
            "contested": contested,
            "bids": sum(1 for r in records if r.get("type") == "bid"),
            "schemes": dict(orgs),
            "flags": Counter(str(f["pattern"]) for f in flags),
        }
        commands += [*ingested, "credit detect --all --restart", "credit flags export --out F"]
        print(f"{name}: {lots} lots ({contested} contested), {len(flags)} flags", file=sys.stderr)
    text = table(rows)
    print(text)
    if out is not None:
        out.write_text(text + "\n```sh\n" + "\n".join(commands) + "\n```\n", encoding="utf-8")


def table(rows: dict[str, dict[str, Any]]) -> str:
    """Flags per 1,000 lots per pattern, one column a market (raw counts in brackets)."""
    names = list(rows)
    patterns = sorted({p for row in rows.values() for p in row["flags"]})
    lines = [
        "| pattern | " + " | ".join(names) + " |",
        "| --- |" + " ---: |" * len(names),
        "| lots (contested: 2+ bids) | "
        + " | ".join(f"{rows[n]['lots']} ({rows[n]['contested']})" for n in names)
        + " |",
        "| bids | " + " | ".join(str(rows[n]["bids"]) for n in names) + " |",
        "| organisations by scheme | "
        + " | ".join(
            ", ".join(f"{s} {c}" for s, c in sorted(rows[n]["schemes"].items())) for n in names
        )
        + " |",
    ]
    for pattern in patterns:
        cells = []
        for n in names:
            count, lots = rows[n]["flags"][pattern], rows[n]["lots"]
            cells.append(f"{1000 * count / lots:.1f} ({count})" if lots else "—")
        lines.append(f"| {pattern} | " + " | ".join(cells) + " |")
    total = [sum(rows[n]["flags"].values()) for n in names]
    lines.append(
        "| all patterns | "
        + " | ".join(
            f"{1000 * t / rows[n]['lots']:.1f} ({t})" if rows[n]["lots"] else "—"
            for t, n in zip(total, names, strict=True)
        )
        + " |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
