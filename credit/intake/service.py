"""The ingest workflow, one for every channel (the CLI's files, GraphQL's records, other
systems' lists): validate and write through the intake, then let name-only listings of other
systems wait for a supervisor's confirmed match."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from credit.intake.pipeline import Intake, IntakeReport, Progress
from credit.sync import matching


@dataclass(frozen=True)
class Ingested:
    report: IntakeReport
    matches: matching.Outcome | None  # for listings of other systems' lists only


def ingest(
    intake: Intake,
    items: Iterable[tuple[int, Any]],
    *,
    allowed_source: str | None = None,
    progress: Progress | None = None,
    external: bool = False,
) -> Ingested:
    """Ingest numbered records; with `allowed_source`, other sources' records are refused.
    `external`: the records are listings of another system (courts, tax, other regions),
    whose name-only entries get match proposals once written."""
    report = intake.run(items, progress=progress, allowed_source=allowed_source)
    if not external:
        return Ingested(report, None)
    listings = [u for u in report.accepted_uids.values() if u.startswith("listing:")]
    return Ingested(report, matching.propose(intake.store, listings))
