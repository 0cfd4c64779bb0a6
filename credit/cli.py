"""The `credit` command: local Neo4j, migrations, intake, demo data and the API server."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from credit.core.settings import get_settings
from credit.detection.cardinal.cli import indicators as cardinal_indicators
from credit.detection.cli import register as register_detection
from credit.formats import READERS
from credit.observability.progress import Progress
from credit.operations import database
from credit.security.permissions import Role

app = typer.Typer(help="Procurement credit-record system", no_args_is_help=True)


def _group(name: str, text: str) -> typer.Typer:
    """A group of subcommands, `credit <name> ...`."""
    group = typer.Typer(help=text)
    app.add_typer(group, name=name)
    return group


neo4j_app = _group("neo4j", "The local Neo4j instance (for development and tests)")
schema_app = _group("schema", "Published contracts in schema/")
token_app = _group("token", "Bearer tokens for people (operators issue them)")
apikey_app = _group("apikey", "API keys for external systems")
audit_app = _group("audit", "The audit trail")
webhooks_app = _group("webhooks", "Webhook delivery of the change feed")
feed_app = _group("feed", "The change feed")

# What `ingest` and `load` read.
InputFiles = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]
InputFormat = Annotated[str, typer.Option("--format", help=f"input format: {', '.join(READERS)}")]
InputSource = Annotated[
    str | None, typer.Option(help="source of converted records (default: the format)")
]


def main() -> None:
    """The `credit` command: a failure of the environment is one line with its fix and its own
    exit code (credit/core/failures.py); `--debug` (or CREDIT_DEBUG=1) shows tracebacks instead."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("CREDIT_DEBUG") == "1"
    sys.argv = [arg for arg in sys.argv if arg != "--debug"]
    if not debug:  # the driver logs every retry; the one line below says it all
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        app()
    except Exception as exc:
        if debug:
            raise
        line, code = _failure(exc)
        typer.echo(f"credit: {line}", err=True)
        raise SystemExit(code) from None


def _failure(exc: Exception) -> tuple[str, int]:
    from pydantic import ValidationError

    from credit.core.failures import EX_CONFIG, EX_DATAERR, EX_SOFTWARE, describe
    from credit.domain.errors import DomainError

    if isinstance(exc, DomainError):  # the one translation of a refused input for the CLI
        return exc.describe(), EX_DATAERR
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        problems = "; ".join(_settings_problem(e["loc"], e["msg"]) for e in exc.errors())
        return f"settings do not load: {problems}", EX_CONFIG
    try:
        settings = get_settings()
        uri, user, _ = settings.connection()
        local = not settings.neo4j_uri
    except Exception:  # then `exc` itself is the settings' problem
        uri, user, local = "(unknown)", "neo4j", True
    found = describe(exc, uri, user, local)
    if found is not None:
        return " ".join(str(found).split()), found.exit_code
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"unexpected error: {type(exc).__name__}: {text} (rerun with --debug)", EX_SOFTWARE


def _settings_problem(loc: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")  # our validators name the variable
    return f"{'.'.join(map(str, loc))}: {message}" if loc else message


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j (at once if it is already up) and print its Bolt URI."""
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    started = time.monotonic()
    uri = database.start(log=lambda m: typer.echo(m, err=True))
    typer.echo(uri)
    typer.echo(f"ready in {time.monotonic() - started:.1f}s", err=True)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    typer.echo("stopped" if database.stop() else "not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    state, uri = database.status()
    typer.echo(f"{state} {uri}")
    raise typer.Exit(0 if state == "running" else 3)


@app.command()
def migrate() -> None:
    """Apply the graph migrations that are not yet applied."""
    done = database.migrate()
    for m in done:
        typer.echo(f"applied {m.version:04d}_{m.name}")
    typer.echo(f"{len(done)} migration(s) applied; schema is current")


@app.command()
def ingest(
    files: InputFiles,
    fmt: InputFormat = "jsonl",
    source: InputSource = None,
) -> None:
    """Ingest files (our JSON Lines, OCDS or BODS); exit 1 if any record was rejected."""
    from credit.core.wiring import get_intake
    from credit.formats import OptionError, leave_known_organizations
    from credit.intake.service import ingest as ingest_items

    if fmt not in READERS:
        raise typer.BadParameter(f"choose one of {', '.join(READERS)}", param_hint="--format")
    intake = get_intake()
    status = 0
    for path in files:
        started = time.monotonic()
        try:
            conversion = READERS[fmt](path, source)
        except OptionError as exc:
            raise typer.BadParameter(str(exc), param_hint="--source") from exc
        leave_known_organizations(conversion, intake.store.existing_uids)
        total = len(conversion.items)
        with Progress(f"ingest {path.name}", total, "rec") as bar:
            done = ingest_items(
                intake, conversion.items, progress=bar.update, external=fmt == "external"
            )
        report = done.report
        if done.matches is not None:  # name-only entries wait for a supervisor's match
            matches = done.matches
            typer.echo(f"name matches: {matches.proposed} proposed, {matches.linked} linked")
        elapsed = time.monotonic() - started
        for error in [*report.errors, *report.conflicts]:
            origin = conversion.origins.get(error.line)
            typer.echo(f"{error} [{origin}]" if origin else str(error), err=True)
        rate = report.received / elapsed if elapsed else 0.0
        typer.echo(f"{path}: {report.summary()} in {elapsed:.1f}s ({rate:.0f} records/s)")
        if conversion.report is not None:
            for line in conversion.report.lines():
                typer.echo(f"  {line}")
            status = max(status, 1 if conversion.report.errors else 0)
        status = max(status, report.exit_code)
    raise typer.Exit(status)


@app.command()
def model(
    out: Annotated[Path, typer.Option(help="where to write the model's documentation")] = Path(
        "docs/model.md"
    ),
) -> None:
    """Write the record model's documentation from its one description."""
    from credit.domain.model import document
    from credit.security.permissions import load_table

    table = load_table()
    redacted = {k: (list(v.properties), [str(r) for r in v.roles]) for k, v in table.redact.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document(redacted), encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command()
def load(
    files: InputFiles,
    bulk: Annotated[bool, typer.Option("--bulk", help="build with neo4j-admin's importer")] = False,
    fmt: InputFormat = "jsonl",
    source: InputSource = None,
    work_dir: Annotated[
        Path | None, typer.Option(help="keep the importer's CSV files here (default: temporary)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="processes that validate and write files (default: the CPUs)"),
    ] = None,
) -> None:
    """First load of an empty database through Neo4j's importer, validated as `credit ingest`
    validates (offline: stops and restarts the local instance); exit 1 if any record was
    rejected."""
    import tempfile

    from credit.core.db import get_driver
    from credit.core.store import GraphStore
    from credit.core.wiring import get_mapper
    from credit.intake.bulk import (
        BulkRefused,
        CsvFiles,
        bulk_load,
        default_workers,
        target_problem,
    )

    if not bulk:
        raise typer.BadParameter("only --bulk loads exist; `credit ingest` adds to a database")
    if fmt not in READERS:
        raise typer.BadParameter(f"choose one of {', '.join(READERS)}", param_hint="--format")
    inst = database.local_instance_for("load --bulk")
    settings = get_settings()

    def echo(message: str) -> None:
        typer.echo(message, err=True)

    database.start_instance(inst, log=echo)
    store = GraphStore(get_driver(), settings.neo4j_database)
    refused = target_problem(store)
    if refused is not None:
        typer.echo(f"credit: {refused}", err=True)
        raise typer.Exit(1)

    def run_import(csv: CsvFiles) -> dict[str, float]:
        options = csv.options(folder / "import.report")
        return database.import_offline(inst, csv.nodes, csv.relationships, options, echo)

    with tempfile.TemporaryDirectory(dir=work_dir.parent if work_dir else None) as tmp:
        folder = work_dir or Path(tmp)
        with Progress("validate", None, "rec") as bar:
            try:
                result = bulk_load(
                    files,
                    fmt,
                    source,
                    store,
                    get_mapper(),
                    settings.ingest_batch_size,
                    folder,
                    run_import,
                    echo,
                    progress=bar.update,
                    workers=workers or default_workers(),
                )
            except BulkRefused as exc:
                typer.echo(f"credit: {exc}", err=True)
                raise typer.Exit(1) from None
    for item in result.files:
        for error in [*item.report.errors, *item.report.conflicts]:
            origin = item.origins.get(error.line)
            typer.echo(f"{error} [{origin}]" if origin else str(error), err=True)
        typer.echo(f"{item.path}: {item.report.summary()}")
        for line in item.conversion_lines:
            typer.echo(f"  {line}")
    total = result.seconds["total"]
    typer.echo(
        f"bulk load: {result.records} records, {result.nodes} entities, {result.relationships} "
        f"relationships, {result.changes} feed changes in {total:.1f}s "
        f"({result.records / total if total else 0:.0f} records/s; validate and map "
        f"{result.seconds['validate_and_map']:.1f}s, CSV {result.seconds['write_csv']:.1f}s, "
        f"neo4j-admin import {result.seconds['import']:.1f}s, stop and start "
        f"{result.seconds['stop'] + result.seconds['start']:.1f}s, migrations "
        f"{result.seconds['migrate']:.1f}s; CPU validate and map "
        f"{result.cpu_seconds['validate_and_map']:.1f}s, "
        f"CSV {result.cpu_seconds['write_csv']:.1f}s, import {result.cpu_seconds['import']:.1f}s)"
    )
    raise typer.Exit(result.exit_code)


@app.command()
def demo(
    suppliers: int = 3000,
    seed: int = 20151,
    bids: Annotated[
        int | None, typer.Option(help="about this many bids (scales the projects)")
    ] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty")] = False,
    out: Annotated[Path | None, typer.Option(help="write the records here instead")] = None,
) -> None:
    """Build a plausible synthetic market and ingest it through the normal intake."""
    from credit.core.wiring import get_intake, get_store
    from credit.markets.demo import generate

    if if_empty and out is None and get_store().count_entities() > 0:
        typer.echo("database already has data; demo not loaded")
        return
    if out is not None:  # streamed: an L market's records as objects need about 17 GB
        import json

        written = 0
        with out.open("w", encoding="utf-8") as handle:
            for rec in generate(suppliers=suppliers, seed=seed, bids=bids):
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
                written += 1
        typer.echo(f"wrote {written} records to {out}")
        return
    records = list(generate(suppliers=suppliers, seed=seed, bids=bids))  # counted: for the ETA
    started = time.monotonic()
    with Progress("demo", len(records), "rec") as bar:
        report = get_intake().run(enumerate(records, start=1), progress=bar.update)
    elapsed = time.monotonic() - started
    for error in report.errors[:20]:
        typer.echo(str(error), err=True)
    typer.echo(
        f"demo: {report.summary()} in {elapsed:.1f}s ({report.received / elapsed:.0f} records/s)"
    )
    raise typer.Exit(report.exit_code)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql); JSON log lines on stderr, Prometheus
    metrics at /metrics added up over all --workers."""
    import socket

    import uvicorn

    from credit.core.failures import port_taken

    with socket.socket() as probe:  # say who holds the port, not uvicorn's bare errno
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise port_taken(port, "stop it or serve on another --port") from exc
    # Before any worker imports prometheus_client: every process writes its samples here and
    # a scrape adds them up; samples of an earlier run would count twice, so it starts empty.
    settings = get_settings()
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics_dir = Path(given or settings.local_dir / f"metrics-{settings.instance}-{port}")
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    os.environ.setdefault("CREDIT_LOG_FORMAT", "json")
    os.environ.setdefault("CREDIT_NEO4J_RETRY_SECONDS", "5")  # UNAVAILABLE soon, not in 30 s
    if workers == 1:  # the app is built here: a database problem is said before serving
        from credit.core.wiring import get_store

        get_store()

    uvicorn.run(
        "credit.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,  # each process logs JSON lines (credit/observability/logs.py)
        access_log=False,  # our own access line carries the request id
        # The client address (limits, audit) is the peer's, or the one a trusted proxy forwards.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


@app.command()
def score(
    all_subjects: Annotated[bool, typer.Option("--all", help="every supplier, agency, expert")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="YYYY-MM-DD: the legal state that day; default today in China"
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            help="ISO date-time: only what was received and recorded by then (China time "
            "without an offset); default everything known now",
        ),
    ] = None,
) -> None:
    """Compute and store scores as of a day; grade changes are kept for the change feed."""
    from datetime import date, datetime

    from credit.core.wiring import get_store
    from credit.domain import periods
    from credit.policy import load_policy
    from credit.standing.service import count_scored, score_all

    if not all_subjects:
        raise typer.BadParameter("only --all is supported; use creditProfile for one subject")
    try:
        day = date.fromisoformat(as_of) if as_of else periods.today()
    except ValueError:
        raise typer.BadParameter(f"--as-of: date: {as_of!r} is not YYYY-MM-DD") from None
    try:
        instant = periods.as_china_time(datetime.fromisoformat(known_at)) if known_at else None
    except ValueError:
        raise typer.BadParameter(f"--known-at: date-time: {known_at!r} is not ISO 8601") from None
    store = get_store()
    total = count_scored(store)
    policy = load_policy(get_settings().policy_file).on(day)
    started = time.monotonic()
    with Progress("score", total, "subject") as bar:
        scored, changed = score_all(store, policy, day, progress=bar.update, known_at=instant)
    elapsed = time.monotonic() - started
    typer.echo(
        f"scored {scored} subjects as of {day}"
        + (f" known at {instant.isoformat()}" if instant else "")
        + f" under policy {policy.version}: "
        f"{changed} grade changes in {elapsed:.1f}s ({scored / max(elapsed, 1e-9):.0f} subjects/s)"
    )


app.command("indicators")(cardinal_indicators)


@schema_app.command("export")
def schema_export(
    out_dir: Annotated[Path, typer.Option()] = Path("schema"),
) -> None:
    """Write the GraphQL SDL and the record-format JSON Schema."""
    from credit.operations.contracts import write_contracts

    for path in write_contracts(out_dir):
        typer.echo(f"wrote {path}")


def _parse_ttl(text: str) -> timedelta:
    units = {"m": 60, "h": 3600, "d": 86400}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise typer.BadParameter("use a number with m, h or d, e.g. 8h", param_hint="--ttl")
    return timedelta(seconds=int(text[:-1]) * units[text[-1]])


def _unit(value: str | None) -> str | None:
    """The --org option: a user's unit is named by a valid USCC, or the scoping it drives fails."""
    from credit.domain.identifiers import IdentifierError, validate_uscc

    if value is None:
        return None
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise typer.BadParameter(f"{exc.rule}: {exc}", param_hint="--org") from None


@token_app.command("create")
def token_create(
    role: Annotated[list[Role], typer.Option(help="repeat for several roles")],
    name: Annotated[str, typer.Option()],
    ttl: Annotated[str, typer.Option(help="lifetime: 30m, 8h, 7d")] = "8h",
    org: Annotated[str | None, typer.Option(help="USCC of the user's unit", callback=_unit)] = None,
    person_id: Annotated[
        str | None,
        typer.Option("--id", help="the person's id (user:...) when renewing; new if omitted"),
    ] = None,
) -> None:
    """Print a signed token for a person with the given roles. The person is identified by
    the id (printed on stderr; pass it with --id to renew), the name is only for display."""
    from credit.security.auth import AuthError, create_token, new_user_id

    subject = person_id or new_user_id()
    try:
        token = create_token(
            get_settings(), role, name, _parse_ttl(ttl), organization=org, subject=subject
        )
    except AuthError as exc:
        raise typer.BadParameter(str(exc), param_hint="--id") from None
    typer.echo(token)
    typer.echo(f"id: {subject}", err=True)


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()] = Role.SYNC_CLIENT,
    source: Annotated[str | None, typer.Option(help="the intake source it may write")] = None,
    org: Annotated[str | None, typer.Option(help="USCC of the user's unit", callback=_unit)] = None,
) -> None:
    """Create an API key; it is shown once and stored only as a hash."""
    from credit.core.wiring import get_store
    from credit.security.auth import create_api_key

    key_id, key = create_api_key(get_store(), name, role, source, organization=org)
    typer.echo(f"id: {key_id}")
    typer.echo(f"key: {key}")
    typer.echo("store the key now: it cannot be shown again", err=True)


@apikey_app.command("revoke")
def apikey_revoke(key_id: str) -> None:
    from credit.core.wiring import get_store
    from credit.security.auth import revoke_api_key

    if not revoke_api_key(get_store(), key_id):
        typer.echo(f"no active key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@feed_app.command("expire")
def feed_expire(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Publish VIOLATION_EXPIRED for records whose publication period has ended."""
    from datetime import date

    from credit.core.wiring import get_store
    from credit.sync.feed import expire

    day = date.fromisoformat(as_of) if as_of else date.today()
    typer.echo(f"{expire(get_store(), day)} expiries published as of {day}")


@webhooks_app.command("run")
def webhooks_run(
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit")] = False,
    interval: Annotated[float, typer.Option(help="seconds between passes")] = 2.0,
) -> None:
    """Deliver the change feed to webhook subscribers (retries with backoff; at least once).
    While Neo4j is down it pauses, keeping every subscription's cursor, and resumes by itself."""
    from credit.core.wiring import get_store
    from credit.sync.webhooks import Attempt, run

    def report(attempt: Attempt) -> None:
        if attempt.first_seq is not None:
            outcome = attempt.error or f"HTTP {attempt.status}"
            typer.echo(
                f"{attempt.subscription}: changes {attempt.first_seq}-{attempt.last_seq}: {outcome}"
            )

    def say(line: str) -> None:
        typer.echo(line, err=True)

    os.environ.setdefault("CREDIT_NEO4J_RETRY_SECONDS", "5")  # pause soon, and say so
    run(get_store(), get_settings().effective_secret(), interval, once, report, say)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 if an event was altered or removed."""
    from credit.core.wiring import get_store
    from credit.security.audit import verify_chain

    report = verify_chain(get_store())
    if report.intact:
        typer.echo(f"audit chain intact: {report.events} events")
        return
    typer.echo(f"audit chain broken at event {report.first_broken_seq}: {report.problem}")
    raise typer.Exit(1)


@contextlib.contextmanager
def _dump_progress(inst: database.Instance, target: Path) -> Iterator[None]:
    """Megabytes dumped so far (the dump grows in a scratch folder beside the target), against
    the size of the database's files as the estimate of the whole."""
    import threading

    store_files = (inst.home / "data" / "databases" / "neo4j").rglob("*")
    total = sum(f.stat().st_size for f in store_files if f.is_file()) >> 20
    done = threading.Event()

    def watch() -> None:
        with Progress("backup", max(total, 1), "MB") as bar:
            while not done.wait(0.5):
                written = 0
                for dumped in target.parent.glob("tmp*/neo4j.dump"):
                    with contextlib.suppress(OSError):  # moved into place meanwhile
                        written += dumped.stat().st_size >> 20
                if written > bar.done:
                    bar.update(written - bar.done)

    watcher = threading.Thread(target=watch, name="backup-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(timeout=2)


@app.command()
def backup(file: Annotated[Path, typer.Argument(dir_okay=False)]) -> None:
    """Dump the local Neo4j to FILE (offline: stops and restarts it) with FILE.json beside it."""
    from credit.core.wiring import get_store
    from credit.operations.backup import BackupError
    from credit.operations.backup import backup as run_backup

    inst = database.local_instance_for("backup")
    started = time.monotonic()
    try:
        with _dump_progress(inst, file):
            manifest = run_backup(get_store(), inst, file, log=lambda m: typer.echo(m, err=True))
    except BackupError as exc:
        typer.echo(f"credit: {exc}", err=True)
        raise typer.Exit(1) from None
    nodes = sum(manifest["labels"].values())
    typer.echo(
        f"backed up {file} ({manifest['bytes']:,} bytes, sha256 {manifest['sha256'][:12]}…): "
        f"feed at {manifest['feed_head']}, {manifest['audit_head']} audit events, {nodes:,} "
        f"labels on nodes, in {time.monotonic() - started:.1f}s"
    )


@app.command()
def restore(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Replace the local Neo4j's data with FILE (offline) and check it against FILE.json."""
    from credit.core.wiring import get_store
    from credit.operations.backup import BackupError
    from credit.operations.backup import restore as run_restore

    inst = database.local_instance_for("restore")
    started = time.monotonic()
    try:
        problems = run_restore(get_store, inst, file, log=lambda m: typer.echo(m, err=True))
    except BackupError as exc:
        typer.echo(f"credit: {exc}", err=True)
        raise typer.Exit(1) from None
    for problem in problems:
        typer.echo(f"restore check failed: {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(
        f"restored {file}: counts match its manifest, audit chain intact, feed gap-free "
        f"({time.monotonic() - started:.1f}s)"
    )


draw_app = typer.Typer(help="Verifiable expert draws")
app.add_typer(draw_app, name="draw")


@draw_app.command("verify")
def draw_verify(file: Path) -> None:
    """Recompute a published draw's panel from its seed and pool; exit 1 if it doesn't match."""
    from credit.oversight.draws import DrawDocument, verify

    try:
        doc = DrawDocument.from_json(file.read_text(encoding="utf-8"))
    except (ValueError, TypeError) as exc:
        typer.echo(f"{file}: not a draw document: {exc}")
        raise typer.Exit(1) from None
    problems = verify(doc)
    for problem in problems:
        typer.echo(f"FAILED {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo(
        f"verified {doc.draw_id}: seed matches its hash, panel of {len(doc.panel)} recomputed "
        f"from a pool of {len(doc.pool)} ({len(doc.exclusions)} exclusions)"
    )


@draw_app.command("export")
def draw_export(draw_id: str, out: Annotated[Path, typer.Option()]) -> None:
    """Write a drawn (revealed) draw as its JSON document."""
    from credit.core.wiring import get_store
    from credit.oversight.service import get_draw
    from credit.standing.service import AssessmentError

    try:
        state = get_draw(get_store(), draw_id)
    except AssessmentError as exc:
        typer.echo(str(exc))
        raise typer.Exit(1) from None
    if state.document is None:
        typer.echo(f"{draw_id} is {state.status}: its seed is not revealed yet")
        raise typer.Exit(1)
    out.write_text(state.document.to_json(), encoding="utf-8")
    typer.echo(f"wrote {out}")


check_app = typer.Typer(help="Signed check records: evidence anyone can verify offline")
app.add_typer(check_app, name="check")
app.add_typer(check_app, name="checks", hidden=True)  # `credit checks publish-root` reads well


@check_app.command("export")
def check_export(record_id: str, out: Annotated[Path, typer.Option()]) -> None:
    """Write a check record as a self-contained evidence file (record, signature, key,
    inclusion proof, signed tree head)."""
    from credit.checks import evidence
    from credit.checks import log as check_log
    from credit.checks.signing import get_signer
    from credit.core.wiring import get_store
    from credit.standing.service import read_check_record

    store = get_store()
    record = read_check_record(store, record_id)
    if record is None or record.log_index is None or record.key_id is None:
        typer.echo(f"{record_id}: no signed check record with this id")
        raise typer.Exit(1)
    proof = check_log.inclusion(store, get_signer(), record.log_index)
    key = check_log.public_key(store, record.key_id)
    head_key = check_log.public_key(store, proof.tree_head.key_id) or get_signer().public
    assert key is not None, "a filed record's key is recorded with it"
    bundle = evidence.export(record, key, head_key, proof)
    out.write_text(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {out}")


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (where C libraries write) for a single-threaded command."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@check_app.command("verify")
def check_verify(
    file: Path,
    keys: Annotated[
        Path | None,
        typer.Option(help="the saved key list of GET /.well-known/credit-check-keys to pin"),
    ] = None,
) -> None:
    """Verify an exported check record offline; one line per check, exit 1 if any fails."""
    from credit.checks import evidence

    try:
        bundle = json.loads(file.read_text(encoding="utf-8"))
        trusted = json.loads(keys.read_text(encoding="utf-8"))["keys"] if keys else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        typer.echo(f"FAILED read: {exc}")
        raise typer.Exit(1) from None
    with _quiet_stderr():  # GmSSL prints a C trace on a failed verification; our line says it
        outcomes = evidence.verify(bundle, trusted)
    for outcome in outcomes:
        typer.echo(outcome.line())
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


@check_app.command("publish-root")
def check_publish_root() -> None:
    """Sign the check-record log's tree head and publish it on the change feed (daily)."""
    from credit.checks import log as check_log
    from credit.checks.signing import get_signer
    from credit.core.wiring import get_store

    try:
        root = check_log.publish_root(get_store(), get_signer())
    except check_log.LogIntegrityError as exc:
        typer.echo(f"refused: {exc}")
        raise typer.Exit(1) from None
    typer.echo(
        f"published root {root.root_hash} of {root.tree_size} check records "
        f"(consistency proof of {len(root.consistency_proof)} nodes from "
        f"{root.previous_tree_size if root.previous_tree_size is not None else 'nothing'})"
    )


@check_app.command("keygen")
def check_keygen(out: Annotated[Path, typer.Option()]) -> None:
    """Make an SM2 check-signing key file for CREDIT_CHECK_SIGNING_KEY_FILE (never overwrites)."""
    from credit.checks.signing import Signer

    signer = Signer.generate()
    try:
        signer.write(out)
    except FileExistsError:
        typer.echo(f"{out} exists: not overwritten")
        raise typer.Exit(1) from None
    typer.echo(f"wrote {out}: key {signer.key_id}")


# --- public extract files (issue 20; credit/public/export.py) ---------------------------------
export_app = typer.Typer(help="Extract files")
app.add_typer(export_app, name="export")


@export_app.command("public")
def export_public(
    out: Annotated[Path, typer.Option(help="the folder for the files and manifest.json")],
    format: Annotated[
        list[str] | None, typer.Option(help="csv, jsonl or ftm; repeat for several (default all)")
    ] = None,
    base_url: Annotated[
        str, typer.Option(envvar="CREDIT_PUBLIC_BASE_URL", help="where /public is served")
    ] = "http://127.0.0.1:8000",
) -> None:
    """The public view of today as CSV, JSON Lines and FollowTheMoney entities, with a manifest."""
    from credit.core.wiring import get_store
    from credit.domain.periods import today
    from credit.public.export import FORMATS, export

    try:
        manifest = export(get_store(), out, format or list(FORMATS), today(), base_url)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for entry in manifest["files"]:
        count = entry.get("records", entry.get("entities"))
        typer.echo(f"{entry['name']}: {count} ({entry['sha256'][:16]}…)")
    typer.echo(f"manifest.json: {manifest['counts']}")


register_detection(app)

if __name__ == "__main__":
    main()
