"""Running the detectors: one lot at bid opening, or the whole graph in batches.

Lot mode gathers the lot's bids and ties, and the whole history of its bidders and buyers, in a
handful of queries, runs every enabled detector and writes the flags. The full scan pages
through lots by uid (the cursor is kept in a (:DetectionRun) node, so an interrupted scan
resumes where it stopped), pulling facts for a batch of lots at once; then it loads the light
bid history once and runs the history detectors. Work is linear in the number of bids.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from credit.detection.detector import AnyDetector, Phase, Reads
from credit.detection.detectors.bid_screens import Screen, screen
from credit.detection.facts import Facts, History, LotFacts
from credit.detection.flag_store import (
    StoredFlag,
    WriteReport,
    flags_of_lot,
    now,
    retire_history_flags,
    retire_lot_flags,
    store_screens,
    write_findings,
)
from credit.detection.flags import Finding
from credit.detection.gather import (
    all_lots,
    all_suppliers,
    count_lots,
    load_history,
    load_kin,
    load_lots,
    load_successors,
    load_ties,
    neighbourhood,
)
from credit.detection.registry import DetectionSettings
from credit.store import GraphStore
from graph import detection_queries as dq

Progress = Callable[[str, int, int], object]  # phase, items just done, phase total


class DetectionError(ValueError):
    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


def _needs(detectors: Iterable[AnyDetector]) -> set[Reads]:
    return {r for d in detectors for r in d.reads}


def _run(
    detectors: Sequence[AnyDetector], facts: Facts, settings: DetectionSettings
) -> list[Finding]:
    return [f for d in detectors for f in d.run(facts, settings.of(d.id))]


def _patterns(detectors: Iterable[AnyDetector]) -> list[str]:
    return [d.id for d in detectors]


def _lot_facts(store: GraphStore, lots: Sequence[LotFacts], needs: set[Reads]) -> Facts:
    suppliers = {s for lot in lots for s in lot.suppliers}
    experts = {r.expert for lot in lots for r in lot.reviews}
    return Facts(
        lots=lots,
        ties=load_ties(store, suppliers) if needs & {Reads.TIES, Reads.REVIEWS} else {},
        kin=load_kin(store, experts) if Reads.REVIEWS in needs else {},
    )


@dataclass
class LotRun:
    lot: str
    findings: list[Finding]
    flags: list[StoredFlag]
    screen: Screen | None
    report: WriteReport
    seconds: float


def detect_lot(store: GraphStore, lot_uid: str, settings: DetectionSettings) -> LotRun:
    """Every enabled detector on one lot: its own patterns and the history patterns among
    its bidders (computed on their whole history, so they agree with a full scan)."""
    started = time.perf_counter()
    found = load_lots(store, [lot_uid], details=True)
    if not found:
        raise DetectionError("lotId", "not_found", f"no lot {lot_uid}")
    lot = found[0]
    detectors = settings.enabled()
    needs = _needs(detectors)
    base = _lot_facts(store, [lot], needs)
    suppliers = list(lot.suppliers)
    history: History | None = None
    if Reads.HISTORY in needs:
        history = load_history(store, neighbourhood(store, suppliers, lot.buyers), lot.buyers)
    facts = Facts(
        lots=[lot],
        ties=base.ties,
        kin=base.kin,
        history=history,
        successors=load_successors(store, suppliers) if Reads.DEBARMENTS in needs else (),
        focus=frozenset(suppliers),
    )
    findings = _run(detectors, facts, settings)
    at = now()
    known = {**(history.lots if history else {}), lot.uid: lot}
    report = write_findings(store, findings, known, settings.version, at)
    lot_patterns = _patterns(settings.enabled(Phase.LOT))
    seen = [f.uid for f in findings]
    report.retired += retire_lot_flags(store, [lot.uid], lot_patterns, seen, at)
    scores = screen(lot)
    store_screens(store, [scores] if scores else [], at)
    return LotRun(
        lot=lot.uid,
        findings=findings,
        flags=flags_of_lot(store, lot.uid),
        screen=scores,
        report=report,
        seconds=time.perf_counter() - started,
    )


@dataclass
class ScanReport:
    run: str
    resumed: bool
    lots: int = 0
    findings: int = 0
    flags: WriteReport = field(default_factory=WriteReport)
    seconds: float = 0.0


def scan_all(
    store: GraphStore,
    settings: DetectionSettings,
    progress: Progress | None = None,
    batch: int = 200,
    restart: bool = False,
) -> ScanReport:
    """Scan the whole graph; resumes an unfinished scan unless `restart`."""
    started = time.perf_counter()
    if restart:
        store.write(dq.RUN_ABANDON, now=now())
    open_runs = store.read(dq.RUN_OPEN)
    resumed = bool(open_runs)
    run = (
        open_runs[0]["r"]
        if resumed
        else store.write(
            dq.RUN_START, id=f"scan:{uuid.uuid4().hex}", now=now(), version=settings.version
        )[0]["r"]
    )
    report = ScanReport(run=run["id"], resumed=resumed, lots=int(run["lots"]))
    phase = run["phase"]
    if phase == "lots":
        _lot_phase(store, settings, report, str(run["cursor"]), batch, progress)
        phase = "history"
        _progress(store, report, phase, "")
    if phase == "history":
        _history_phase(store, settings, report, progress)
    store.write(dq.RUN_FINISH, id=report.run, now=now(), flags=report.findings, lots=report.lots)
    report.seconds = time.perf_counter() - started
    return report


def _progress(store: GraphStore, report: ScanReport, phase: str, cursor: str) -> None:
    store.write(
        dq.RUN_PROGRESS,
        id=report.run,
        phase=phase,
        cursor=cursor,
        lots=report.lots,
        flags=report.findings,
        now=now(),
    )


def _lot_phase(
    store: GraphStore,
    settings: DetectionSettings,
    report: ScanReport,
    cursor: str,
    batch: int,
    progress: Progress | None,
) -> None:
    detectors = settings.enabled(Phase.LOT)
    needs = _needs(detectors)
    patterns = _patterns(detectors)
    total = count_lots(store)
    if progress:
        progress("lots", report.lots, total)
    for page in all_lots(store, after=cursor, size=batch):
        lots = load_lots(store, page, details=True)
        findings = _run(detectors, _lot_facts(store, lots, needs), settings)
        at = now()
        report.flags.add(
            write_findings(store, findings, {x.uid: x for x in lots}, settings.version, at)
        )
        report.flags.retired += retire_lot_flags(
            store, page, patterns, [f.uid for f in findings], at
        )
        store_screens(store, [s for x in lots if (s := screen(x)) is not None], at)
        report.lots += len(page)
        report.findings += len(findings)
        _progress(store, report, "lots", page[-1])
        if progress:
            progress("lots", len(page), total)


def _history_phase(
    store: GraphStore, settings: DetectionSettings, report: ScanReport, progress: Progress | None
) -> None:
    detectors = settings.enabled(Phase.HISTORY)
    needs = _needs(detectors)
    total = count_lots(store)
    lots: dict[str, LotFacts] = {}
    if Reads.HISTORY in needs:
        for page in all_lots(store):
            lots.update(load_history(store, page).lots)
            if progress:
                progress("history", len(page), total)
    successors = []
    if Reads.DEBARMENTS in needs:
        for page in all_suppliers(store):
            successors += load_successors(store, page)
    history = History(lots)
    findings = _run(detectors, Facts(history=history, successors=successors), settings)
    at = now()
    report.flags.add(write_findings(store, findings, lots, settings.version, at))
    report.flags.retired += retire_history_flags(
        store, _patterns(detectors), [f.uid for f in findings], at
    )
    report.findings += len(findings)
