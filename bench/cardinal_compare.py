"""`credit indicators` against cardinal-rs's `ocdscardinal indicators`, side by side.

Generates a large file of OCDS compiled releases (seeded; bids, awards, items, parties and
planning text so that the size per process is like real data), then runs both commands with one
settings file that enables all eleven indicators, `--rounds` times each in turn, and reports the
best time of each (the machine is shared; the best round is the least disturbed) and their ratio.
Both outputs are checked to be equal (results exactly; Meta to cardinal's 4 decimals).

cardinal-rs is not published on crates.io. Build it from its source repository, outside this
project tree, with a Rust toolchain:

  git clone https://github.com/open-contracting/cardinal-rs /work/cardinal-build/src
  cd /work/cardinal-build/src && cargo build --release --no-default-features --bin ocdscardinal

and pass `--cardinal /work/cardinal-build/src/target/release/ocdscardinal` (also found on PATH
or in $CARDINAL). Without the binary, the comparison is skipped, saying so, and only our time
is measured.

  .venv/bin/python bench/cardinal_compare.py --processes 48000 [--rounds 3] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SETTINGS = "\n".join(f"[{code}]" for code in (
    "R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"
)) + "\n"  # fmt: skip

METHODS = ("open", "open", "open", "selective", "limited")
DETAILS = ("Licitación Pública", "Comparación de Precios", "Compras Menores", "Sorteo de Obras")
STATUSES = ("valid",) * 8 + ("disqualified", "pending")
_FILLER = (
    "supply of office equipment and consumables for the regional administration offices "
    "including delivery installation maintenance and training of staff during the warranty"
)
WORDS = _FILLER.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _org(index: int, prefix: str) -> dict[str, Any]:
    return {"id": f"{prefix}-{index}", "name": f"{prefix} organisation {index}"}


def release(rng: random.Random, number: int, tenderers: int, buyers: int) -> dict[str, Any]:
    """One compiled release with what the eleven indicators read, and the bulk real data has."""
    ocid = f"ocds-bench-{number:08d}"
    buyer = _org(rng.randrange(buyers), "DO-UC")
    day = 1 + rng.randrange(27)
    start = f"2024-{1 + rng.randrange(12):02d}-{day:02d}T09:00:00Z"
    end = f"2024-{1 + rng.randrange(12):02d}-{1 + rng.randrange(27):02d}T09:00:00Z"
    bidders = rng.sample(range(tenderers), k=1 + min(rng.randrange(8), tenderers - 1))
    base = rng.uniform(1e4, 1e7)
    bids: list[dict[str, Any]] = []
    for position, bidder in enumerate(bidders):
        amount = round(base * rng.uniform(0.85, 1.3), 2)
        if rng.random() < 0.02:
            amount = round(base, 2)  # identical prices now and then (R028)
        bids.append(
            {
                "id": f"{ocid}-bid-{position}",
                "status": rng.choice(STATUSES),
                "date": end if rng.random() < 0.95 else "2025-01-01T00:00:00Z",
                "value": {"amount": amount, "currency": "DOP" if rng.random() < 0.99 else "USD"},
                "tenderers": [_org(bidder, "DO-RPE")],
            }
        )
    valid = [bid for bid in bids if bid["status"] == "valid"]
    winner = min(valid, key=lambda bid: bid["value"]["amount"]) if valid else bids[0]
    items = [
        {
            "id": str(item),
            "description": _text(rng, 12),
            "classification": {"scheme": "UNSPSC", "id": f"{rng.randrange(10, 99)}{item:06d}"},
            "quantity": rng.randrange(1, 100),
            "unit": {"name": "unit", "value": {"amount": round(base / 10, 2), "currency": "DOP"}},
        }
        for item in range(1 + rng.randrange(4))
    ]
    awards = [
        {
            "id": f"{ocid}-award",
            "status": rng.choice(("active",) * 9 + ("pending",)),
            "date": end,
            "value": winner["value"],
            "suppliers": winner["tenderers"],
            "items": items,
        }
    ]
    organisations: list[tuple[dict[str, Any], list[str]]] = [(buyer, ["buyer", "procuringEntity"])]
    organisations += [(bid["tenderers"][0], ["tenderer"]) for bid in bids]
    parties = [
        {
            **org,
            "roles": roles,
            "address": {"streetAddress": _text(rng, 5), "locality": "Santo Domingo"},
            "contactPoint": {"name": _text(rng, 2), "email": "x@example.org"},
        }
        for org, roles in organisations
    ]
    return {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": end,
        "buyer": buyer,
        "parties": parties,
        "planning": {"rationale": _text(rng, 60), "budget": {"description": _text(rng, 30)}},
        "tender": {
            "id": ocid,
            "title": _text(rng, 8),
            "description": _text(rng, 40),
            "status": "complete" if rng.random() < 0.97 else "cancelled",
            "procuringEntity": buyer,
            "procurementMethod": rng.choice(METHODS),
            "procurementMethodDetails": rng.choice(DETAILS),
            "awardCriteria": "priceOnly",
            "tenderPeriod": {"startDate": start, "endDate": end},
            "items": items,
        },
        "bids": {"details": bids},
        "awards": awards,
    }


def generate(path: Path, processes: int, seed: int) -> None:
    rng = random.Random(seed)
    tenderers = max(50, processes // 10)
    buyers = max(10, processes // 100)
    with path.open("w", encoding="utf-8") as out:
        for number in range(processes):
            out.write(json.dumps(release(rng, number, tenderers, buyers), ensure_ascii=False))
            out.write("\n")


def _cardinal(given: str | None) -> str | None:
    candidate = given or os.environ.get("CARDINAL") or shutil.which("ocdscardinal")
    default = Path("/work/cardinal-build/src/target/release/ocdscardinal")
    if candidate is None and default.exists():
        candidate = str(default)
    return candidate if candidate and Path(candidate).exists() else None


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds (all threads or processes) and standard output."""
    cpu, started = _cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started, _cpu() - cpu, done.stdout


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    meta_ours, meta_theirs = ours.pop("Meta", {}), theirs.pop("Meta", {})
    if ours != theirs:
        return False
    return all(
        value == meta_theirs.get(code, {}).get(key)
        for code, values in meta_ours.items()
        for key, value in values.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=48_000)  # about 274 MB
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cardinal", help="path to the ocdscardinal binary")
    parser.add_argument("--file", type=Path, help="use this file instead of generating one")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = args.file or Path(tmp) / "releases.jsonl"
        if args.file is None:
            generate(data, args.processes, args.seed)
        settings = Path(tmp) / "settings.ini"
        settings.write_text(SETTINGS, encoding="utf-8")
        size = data.stat().st_size
        credit = [str(Path(sys.executable).parent / "credit"), "indicators"]
        ours_command = [*credit, "--settings", str(settings), str(data)]
        binary = _cardinal(args.cardinal)
        theirs_command = (
            [binary, "indicators", "--settings", str(settings), str(data)] if binary else None
        )

        ours_times, theirs_times, ours_cpu, theirs_cpu = [], [], [], []
        ours_out = theirs_out = b""
        for _ in range(args.rounds):
            elapsed, cpu, ours_out = _timed(ours_command)
            ours_times.append(elapsed)
            ours_cpu.append(cpu)
            if theirs_command:
                elapsed, cpu, theirs_out = _timed(theirs_command)
                theirs_times.append(elapsed)
                theirs_cpu.append(cpu)

    figures: dict[str, Any] = {
        "file_bytes": size,
        "processes": args.processes if args.file is None else None,
        "credit_seconds": min(ours_times),
        "credit_cpu_seconds": min(ours_cpu),
        "command": " ".join(ours_command[1:]),
    }
    print(
        f"file: {size / 1e6:.0f} MB; credit indicators: best {min(ours_times):.2f} s "
        f"({min(ours_cpu):.2f} s CPU)"
    )
    if theirs_command:
        same = _same(json.loads(ours_out), json.loads(theirs_out))
        ratio = min(ours_times) / min(theirs_times)
        cpu_ratio = min(ours_cpu) / min(theirs_cpu)
        figures |= {
            "cardinal_seconds": min(theirs_times),
            "cardinal_cpu_seconds": min(theirs_cpu),
            "ratio": ratio,
            "cpu_ratio": cpu_ratio,
            "same_output": same,
        }
        print(
            f"ocdscardinal indicators: best {min(theirs_times):.2f} s; "
            f"ratio {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU"
        )
        print("outputs equal" if same else "OUTPUTS DIFFER")
    else:
        print(
            "cardinal comparison skipped: no ocdscardinal binary (build cardinal-rs from its "
            "source repository, see this file's docstring, and pass --cardinal)"
        )
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
