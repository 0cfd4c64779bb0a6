"""The ``credit indicators`` command: cardinal's ``indicators`` command line.

Reads the file (or standard input for ``-``) as bytes, line by line, and prints one compact
JSON object as cardinal does, with ``Meta`` unless ``--no-meta``. Warnings go to standard error
as cardinal's logger prints them.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from credit.detection.cardinal import Meta, read_lines, report
from credit.detection.cardinal.parallel import report_file
from credit.detection.cardinal.settings import SettingsError, load_settings


def _warn(message: str) -> None:
    sys.stderr.write(f" WARN  credit > {message}\n")


def _round4(value: float) -> float | None:
    """cardinal's ``Meta`` rounding: ``(v * 10_000).round() / 10_000`` with Rust's ``round``
    (half away from zero); a non-finite value serialises as ``null``."""
    scaled = value * 10_000.0
    if not math.isfinite(scaled):
        return None if not math.isfinite(value) else value
    whole = math.floor(abs(scaled))
    if abs(scaled) - whole >= 0.5:
        whole += 1
    return math.copysign(whole, scaled) / 10_000.0


def meta_json(meta: Meta) -> dict[str, dict[str, float | None]]:
    return {code: {key: _round4(v) for key, v in values.items()} for code, values in meta.items()}


def run_indicators(
    file: str,
    settings_path: Path | None,
    *,
    no_meta: bool = False,
    count: bool = False,
    jobs: int | None = None,
) -> int:
    """Run and print; the exit status (2 for a bad argument, as cardinal's argument parser)."""
    try:
        settings = load_settings(settings_path) if settings_path is not None else None
    except SettingsError as exc:
        sys.stderr.write(f"error: invalid value for '--settings <SETTINGS>': {exc}\n")
        return 2
    if file == "-":
        found = report(read_lines(sys.stdin.buffer, _warn), settings, _warn)
    else:
        path = Path(file)
        if path.is_dir():
            sys.stderr.write(f"error: {file}: Is a directory, not a file\n")
            return 2
        if not path.is_file():
            sys.stderr.write(f"error: {file}: No such file or directory\n")
            return 2
        found = report_file(path, settings, _warn, jobs)
    output: dict[str, Any] = dict(found.results)
    if not no_meta:
        output["Meta"] = meta_json(found.meta)
    sys.stdout.buffer.write(orjson.dumps(output) + b"\n")
    sys.stdout.flush()
    if count:
        for group, keys in found.results.items():
            sys.stderr.write(f"{group}: {len(keys)}\n")
    return 0


def indicators(
    file: Annotated[
        str, typer.Argument(help='OCDS compiled releases, one JSON object a line; "-" for stdin')
    ],
    settings: Annotated[
        Path | None,
        typer.Option("--settings", "-s", help="cardinal's INI settings file"),
    ] = None,
    no_meta: Annotated[
        bool, typer.Option("--no-meta", help='leave out the "Meta" key (quartiles, fences)')
    ] = False,
    count: Annotated[
        bool, typer.Option("--count", "-c", help="print the number of results per group")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="processes (default: the CPUs)")
    ] = None,
) -> None:
    """Open Contracting red-flag indicators (cardinal-rs definitions) over OCDS compiled
    releases; prints the results as cardinal does, with "Meta" unless --no-meta. With
    --settings, the indicators whose sections the file has run with its settings; without,
    all run with cardinal's defaults. A line of invalid JSON is skipped with a warning."""
    raise typer.Exit(run_indicators(file, settings, no_meta=no_meta, count=count, jobs=jobs))


def main() -> None:
    """``credit indicators`` without loading the rest of ``credit`` (the API, the database
    driver): its start-up time counts against cardinal's, a few milliseconds."""
    app = typer.Typer(add_completion=False)
    app.command()(indicators)
    app(args=sys.argv[2:], prog_name="credit indicators")
