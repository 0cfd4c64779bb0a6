"""The detection commands of `credit`: detect (one lot or the whole graph), flags export,
simulate and evaluate. Imports are inside the commands, so `credit --help` stays fast."""

from __future__ import annotations

import json
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from credit.domain import ids

flags_app = typer.Typer(help="Collusion and conflict flags")

SettingsOption = Annotated[
    Path | None,
    typer.Option("--settings", help="detection settings file (default: the packaged one)"),
]


def _settings(path: Path | None) -> Any:
    from credit.detection.registry import SettingsError, load_settings

    try:
        return load_settings(path)
    except SettingsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--settings") from None


def _uscc(uid: str) -> str:
    return ids.key("org", uid)


def detect(
    lot: Annotated[
        str | None, typer.Option("--lot", help="a lot id: run the lot detectors on it")
    ] = None,
    history: Annotated[
        bool,
        typer.Option(help="with --lot: also the history patterns among the lot's bidders"),
    ] = False,
    all_lots: Annotated[
        bool, typer.Option("--all", help="scan the whole graph (resumable)")
    ] = False,
    restart: Annotated[bool, typer.Option(help="with --all: start over, not resume")] = False,
    batch: Annotated[int, typer.Option(help="with --all: lots per batch")] = 500,
    settings_file: SettingsOption = None,
    cluster: Annotated[
        str,
        typer.Option(
            help="with --all: 'local' starts a Dask cluster on this machine, 'none' scans in "
            "this process, anything else is the address of a running Dask scheduler"
        ),
    ] = "local",
    workers: Annotated[
        int, typer.Option(min=1, help="with --cluster local: worker processes")
    ] = max(1, os.cpu_count() or 1),
    region_digits: Annotated[
        int,
        typer.Option(
            min=2, max=6, help="with a cluster: digits of the division that make a region"
        ),
    ] = 2,
) -> None:
    """Run the collusion and conflict detectors on one lot or on the whole graph."""
    from credit.core.wiring import get_store
    from credit.detection.scan import DetectionError, detect_lot, scan_all
    from credit.observability.progress import Progress

    if (lot is None) == (not all_lots):
        raise typer.BadParameter("give exactly one of --lot ID and --all")
    settings = _settings(settings_file)
    store = get_store()
    if lot is not None:
        uid = ids.uid("lot", lot)
        try:
            result = detect_lot(store, uid, settings, history=history)
        except DetectionError as exc:
            typer.echo(exc.describe(), err=True)
            raise typer.Exit(1) from None
        for f in result.flags:
            typer.echo(
                f"{f.pattern:<26} {f.confidence:.2f} {f.status.value:<9} "
                f"{','.join(_uscc(s) for s in f.suppliers)}  {f.message}"
            )
        if result.screen is not None:
            s = result.screen
            typer.echo(
                f"screens: bids {s.bids} cv {s.cv} rd {s.rd} kurtosis {s.kurtosis} "
                f"skewness {s.skewness} spread {s.spread}"
            )
        typer.echo(f"{len(result.flags)} flag(s) for {uid} in {result.seconds * 1000:.0f} ms")
        return
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in bars:
            for bar in bars.values():
                bar.close()
            bars[phase] = Progress(f"detect {phase}", total, "lot", initial=done)
        else:
            bars[phase].update(done)

    if cluster == "none":
        report = scan_all(store, settings, progress=progress, batch=batch, restart=restart)
    else:
        from credit.detection.distributed import PartitionError, scan_on_cluster

        try:
            report, stats = scan_on_cluster(
                store, settings, cluster, workers, region_digits, progress, batch, restart
            )
        except PartitionError as exc:
            typer.echo(exc.describe(), err=True)
            raise typer.Exit(1) from None
        typer.echo(
            f"history on {stats.homes} home and {stats.markets} market partitions; second "
            f"pass over {stats.second_pass_suppliers} suppliers in {stats.second_pass_tasks} "
            f"task(s) kept {stats.second_pass_findings} crossing finding(s)",
            err=True,
        )
    for bar in bars.values():
        bar.close()
    w = report.flags
    typer.echo(
        f"{'resumed' if report.resumed else 'scanned'} {report.lots} lots: {report.findings} "
        f"findings, {w.created} new flags, {w.changed} with changed evidence, {w.reopened} "
        f"reopened, {w.retired} retired, in {report.seconds:.1f}s ({report.run})"
    )


class EvalRoute(StrEnum):
    OURS = "ours"
    OCDS = "ocds"
    BOTH = "both"


class ExportFormat(StrEnum):
    JSONL = "jsonl"


@flags_app.command("export")
def flags_export(
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSONL,
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
    include_retired: Annotated[bool, typer.Option(help="also flags no longer found")] = False,
    status: Annotated[str | None, typer.Option(help="OPEN, CONFIRMED or DISMISSED")] = None,
) -> None:
    """One flag per line: pattern, ocid, lot, suppliers (USCC), confidence, basis and more.
    People are masked as for a caller without the supervisor role: a reviewer's id is a
    pseudonym, and a flag about a person (kinship, employment) says its title only."""
    from credit.core.settings import get_settings
    from credit.core.wiring import get_store
    from credit.detection.flag_store import FlagStatus, export
    from credit.security import visibility as vis

    try:
        wanted = FlagStatus(status.upper()) if status else None
    except ValueError:
        raise typer.BadParameter("OPEN, CONFIRMED or DISMISSED", param_hint="--status") from None
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    key = vis.pseudonym_key(get_settings().effective_secret())
    count = 0
    try:
        for f in export(get_store(), current_only=not include_retired, status=wanted):
            names_person = vis.about_person([*f.others, *f.evidence.get("nodes", [])])
            line = {
                "id": f.uid,
                "pattern": f.pattern,
                "ocid": f.ocid,
                "lot": f.lot_key,
                "suppliers": [_uscc(s) for s in f.suppliers],
                "confidence": f.confidence,
                "basis": f.basis,
                "status": f.status.value,
                "current": f.current,
                "lots": [ids.key("lot", x) for x in f.lots],
                "others": [_uscc(o) for o in vis.mask_person_ids(list(f.others), None, key)],
                "message": vis.flag_text(f.title, 1, 1, names_person) or f.message,
                "first_seen": f.first_seen.isoformat(),
                "last_seen": f.last_seen.isoformat(),
            }
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out:
            handle.close()
    if out:
        typer.echo(f"wrote {count} flag(s) to {out}")


def simulate(
    seed: Annotated[int, typer.Option()],
    out: Annotated[Path, typer.Option(file_okay=False)],
    suppliers: Annotated[int, typer.Option()] = 600,
) -> None:
    """Write a simulated market with planted cases of every pattern, and its truth.jsonl."""
    from credit.markets.simulate import simulate as build

    records, cases = build(seed, out, suppliers)
    typer.echo(f"seed {seed}: {records} records and {cases} true cases in {out}")


def evaluate(
    directories: Annotated[list[Path], typer.Argument(exists=True, file_okay=False)],
    force: Annotated[
        bool, typer.Option(help="allow a database other than a local test one")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="also write the table (Markdown) here")
    ] = None,
    settings_file: SettingsOption = None,
    null_lots: Annotated[
        int,
        typer.Option(
            min=0, help="lots of a market without collusion for the accidental-flag rate (0: skip)"
        ),
    ] = 20_000,
    route: Annotated[
        EvalRoute,
        typer.Option(
            help="ours: our record format; ocds: OCDS releases + BODS statements written from "
            "the market and read by the open-data readers; both: one table each"
        ),
    ] = EvalRoute.BOTH,
) -> None:
    """Load each simulated market into the configured database (emptied first), scan it and
    print precision, recall and F1 per pattern, over all the markets together, and next to
    them the accidental flags per 100,000 lots of a market without collusion (price patterns).
    With the OCDS route the market is first written as OCDS + BODS (DIR/ocds/)."""
    from credit.core.settings import get_settings
    from credit.core.wiring import get_intake, get_mapper, get_store
    from credit.detection.evaluate import (
        CARRIED_BY,
        Route,
        accidental_flags,
        combine,
        evaluate_market,
        table,
    )
    from credit.detection.registry import DETECTORS

    config = get_settings()
    if not force and (config.neo4j_uri or config.instance == "main"):
        typer.echo(
            "evaluate empties the database it loads into: it runs on a local instance other "
            "than main (set CREDIT_INSTANCE) unless you pass --force",
            err=True,
        )
        raise typer.Exit(2)
    settings = _settings(settings_file)
    routes = [Route(route.value)] if route is not EvalRoute.BOTH else list(Route)
    accidental = accidental_flags(settings, null_lots) if null_lots else None
    order = [d.id for d in DETECTORS]
    sections = []
    for way in routes:
        runs = []
        for directory in directories:
            started = time.monotonic()
            scores = evaluate_market(
                get_store(), get_intake(), get_mapper(), directory, settings, way
            )
            runs.append(scores)
            hits = sum(s.matched for s in scores.values())
            typer.echo(
                f"{directory} ({way.value}): {hits} of {sum(s.truth for s in scores.values())} "
                f"true cases found, {sum(s.flagged for s in scores.values())} flags, "
                f"{time.monotonic() - started:.0f}s",
                err=True,
            )
        title = "our record format" if way is Route.OURS else "OCDS 1.1 + BODS 0.4"
        carried = CARRIED_BY if way is Route.OCDS else None
        sections.append(f"## Route: {title}\n\n{table(combine(runs), order, accidental, carried)}")
    text = "\n".join(sections)
    typer.echo(text)
    if report is not None:
        command = f"credit evaluate --route {route.value} " + " ".join(str(d) for d in directories)
        report.write_text(
            f"Detection evaluation on {len(directories)} simulated market(s), settings "
            f"{settings.version}.\n\n```\n{command}\n```\n\n{text}",
            encoding="utf-8",
        )


def register(app: typer.Typer) -> None:
    """Add the detection commands to the `credit` command."""
    app.command()(detect)
    app.add_typer(flags_app, name="flags")
    app.command()(simulate)
    app.command()(evaluate)
