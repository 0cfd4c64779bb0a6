"""Running the detectors: one lot at bid opening, or the whole graph in batches.

Lot mode gathers the lot's bids and ties, the whole history of its bidders and the counts the
per-buyer detectors need over its buyers' lots, in a handful of queries, runs every enabled
detector and writes the flags: its cost follows the bidders' history, not the buyers' size.
The full scan pages through lots by uid (the cursor is kept in a (:DetectionRun) node, so an
interrupted scan resumes where it stopped), pulling facts for a batch of lots at once; then it
runs the history detectors over the light bid history. Work is linear in the number of bids.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from credit.core.store import GraphStore
from credit.detection.detector import AnyDetector, Phase, Reads
from credit.detection.detectors.bid_screens import Screen, screen
from credit.detection.facts import Facts, History, LotFacts, Tie
from credit.detection.flag_store import (
    LotResults,
    StoredFlag,
    WriteReport,
    now,
    retire_history_flags,
    write_findings,
    write_lot_results,
)
from credit.detection.flags import Finding
from credit.detection.gather import (
    all_lots,
    all_suppliers,
    count_lots,
    load_history,
    load_kin,
    load_lots,
    load_memberships,
    load_successors,
    load_ties,
    lot_bidder_memberships,
    lot_bidder_successors,
    lot_bidder_ties,
    lot_buyer_stats,
    lot_history,
    lot_markets,
    lot_reviewer_kin,
)
from credit.detection.registry import DetectionSettings
from credit.domain.errors import DomainError
from graph import detection_queries as dq

Progress = Callable[[str, int, int], object]  # phase, items just done, phase total
T = TypeVar("T")


FORBIDDEN_LOT = "you may see the flags of lots you run only"


class DetectionError(DomainError):
    """A lot that cannot be scanned as asked (unknown, or not the caller's)."""


def _needs(detectors: Iterable[AnyDetector]) -> set[Reads]:
    return {r for d in detectors for r in d.reads}


def _run(
    detectors: Sequence[AnyDetector], facts: Facts, settings: DetectionSettings
) -> list[Finding]:
    return [f for d in detectors for f in d.run(facts, settings.of(d.id))]


def _patterns(detectors: Iterable[AnyDetector]) -> list[str]:
    return [d.id for d in detectors]


# Reads that need not wait for one another, each on its own session: a lot check's reads go out
# together (it waits for the slowest, not their sum), and the scan reads its next page of lots
# while the detectors work on this one.
_READS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="detect-read")


def _page_facts(
    store: GraphStore, page: list[str], needs: set[Reads], seen: dict[str, list[Tie]]
) -> tuple[list[str], Facts]:
    """A page of lots with their facts; a bidder's ties are read on its first lot of the scan
    and kept in `seen` for the next (a supplier bids in lots on many pages)."""
    lots = load_lots(store, page, details=True)
    suppliers = {s for lot in lots for s in lot.suppliers}
    experts = {r.expert for lot in lots for r in lot.reviews}
    ties: dict[str, list[Tie]] = {}
    if needs & {Reads.TIES, Reads.REVIEWS}:
        wanted = {s for s in suppliers if s not in seen}
        found = load_ties(store, wanted)
        seen.update((s, found.get(s, [])) for s in wanted)
        ties = {s: seen[s] for s in suppliers if seen[s]}
    return page, Facts(
        lots=lots,
        ties=ties,
        kin=load_kin(store, experts) if Reads.REVIEWS in needs else {},
        memberships=load_memberships(store, suppliers) if Reads.GROUPS in needs else {},
    )


def read_ahead(
    store: GraphStore, pages: Iterable[list[str]], needs: set[Reads]
) -> Iterator[tuple[list[str], Facts]]:
    """Each page of lots with its facts, the next page read while the caller works on this
    one: the scan's reads and its detectors overlap instead of taking turns. Two page reads
    may overlap: they only look bidders up in the ties cache and add them, never iterate it."""
    seen: dict[str, list[Tie]] = {}
    ahead: Future[tuple[list[str], Facts]] | None = None
    for page in pages:
        future = _READS.submit(_page_facts, store, page, needs, seen)
        if ahead is not None:
            yield ahead.result()
        ahead = future
    if ahead is not None:
        yield ahead.result()


@dataclass
class LotRun:
    lot: str
    findings: list[Finding]
    flags: list[StoredFlag]
    screen: Screen | None
    report: WriteReport
    seconds: float


def detect_lot(
    store: GraphStore,
    lot_uid: str,
    settings: DetectionSettings,
    may_see: Callable[[Sequence[str]], bool] | None = None,
    history: bool = False,
) -> LotRun:
    """The enabled lot detectors on one lot, as at bid opening; with `history` also the
    history patterns among its bidders, computed on their whole history and the counts over
    its buyers' lots so that they agree with a full scan. Those cost the bidders' history
    (hundreds of lots), where the lot's own patterns cost the lot: at bid opening they are
    the scan's to keep. Every read starts from the lot, so they all go out at once; `may_see`
    (the lot's buyers) is asked before anything is written."""
    started = time.perf_counter()
    detectors = settings.enabled() if history else settings.enabled(Phase.LOT)
    # a detector of both phases (regular price differences) reads history in its history phase
    needs = _needs(detectors) if history else _needs(detectors) - {Reads.HISTORY}

    def read(wanted: bool, fn: Callable[[GraphStore, str], T]) -> Future[T] | None:
        return _READS.submit(fn, store, lot_uid) if wanted else None

    past = read(Reads.HISTORY in needs, lot_history)
    markets = read(Reads.HISTORY in needs, lot_markets)
    stats = read(Reads.HISTORY in needs, lot_buyer_stats)
    ties = read(bool(needs & {Reads.TIES, Reads.REVIEWS}), lot_bidder_ties)
    kin = read(Reads.REVIEWS in needs, lot_reviewer_kin)
    successors = read(Reads.DEBARMENTS in needs, lot_bidder_successors)
    memberships = read(Reads.GROUPS in needs, lot_bidder_memberships)
    found = load_lots(store, [lot_uid], details=True)
    if not found:
        raise DetectionError("lotId", "not_found", f"no lot {lot_uid}")
    lot = found[0]
    if may_see is not None and not may_see(lot.buyers):
        raise DetectionError("lotId", "forbidden", FORBIDDEN_LOT)
    facts = Facts(
        lots=[lot],
        ties=ties.result() if ties else {},
        kin=kin.result() if kin else {},
        history=(
            History(past.result(), frozenset(lot.buyers), markets.result(), stats.result())
            if past and markets and stats
            else None
        ),
        successors=successors.result() if successors else (),
        focus=frozenset(lot.suppliers),
        memberships=memberships.result() if memberships else {},
    )
    findings = _run(detectors, facts, settings)
    scores = screen(lot)
    results = LotResults(
        lots=[lot.uid],
        patterns=_patterns(settings.enabled(Phase.LOT)),
        findings=findings,
        known={**(facts.history.lots if facts.history else {}), lot.uid: lot},
        screens=[scores] if scores else [],
        version=settings.version,
    )
    report, flags = write_lot_results(store, results, now(), read_back=lot.uid)
    return LotRun(
        lot=lot.uid,
        findings=findings,
        flags=flags,
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


@dataclass
class ScanRun:
    """One scan as its phases see it, in this process or on a cluster: the graph, the
    settings, the report they add to and whom to tell how far they are."""

    store: GraphStore
    settings: DetectionSettings
    report: ScanReport
    progress: Progress | None = None

    def advance(self, phase: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(phase, done, total)


class Engine(Protocol):
    """Where the scan's two phases run: this process (`LocalEngine`) or a cluster
    (credit/detection/distributed.py). Either writes the same flags."""

    def lot_phase(self, run: ScanRun, cursor: str, batch: int) -> dict[str, LotFacts]:
        """The lot detectors on every lot after `cursor`, `batch` lots a page, written page
        by page (`write_pages`); the light facts of the lots it read, if it kept them."""
        ...

    def history_phase(self, run: ScanRun, known: dict[str, LotFacts]) -> None:
        """The history detectors over every lot, written by `write_history`."""
        ...


class LocalEngine:
    """Both phases in this process, the history detectors over the whole bid history at once."""

    def lot_phase(self, run: ScanRun, cursor: str, batch: int) -> dict[str, LotFacts]:
        """Return the light facts of the lots it read, so the history phase need not read
        them again."""
        detectors = run.settings.enabled(Phase.LOT)
        seen: dict[str, LotFacts] = {}

        def pages() -> Iterator[LotResults]:
            lots = all_lots(run.store, after=cursor, size=batch)
            for page, facts in read_ahead(run.store, lots, _needs(detectors)):
                seen.update((x.uid, x.light()) for x in facts.lots)
                yield lot_results(page, facts, detectors, run.settings)

        write_pages(run, pages())
        return seen

    def history_phase(self, run: ScanRun, known: dict[str, LotFacts]) -> None:
        """The lots the lot phase of this process read come from `known`, the rest (a
        resumed scan) from the graph."""
        store = run.store
        detectors = run.settings.enabled(Phase.HISTORY)
        needs = _needs(detectors)
        total = count_lots(store)
        lots: dict[str, LotFacts] = {}
        if Reads.HISTORY in needs:
            for page in all_lots(store):
                missing = [uid for uid in page if uid not in known]
                lots.update((uid, known[uid]) for uid in page if uid in known)
                if missing:
                    lots.update(load_history(store, missing).lots)
                run.advance("history", len(page), total)
        known.clear()
        successors = []
        if Reads.DEBARMENTS in needs:
            for page in all_suppliers(store):
                successors += load_successors(store, page)
        history = History(lots)
        findings = _run(detectors, Facts(history=history, successors=successors), run.settings)
        write_history(run, findings, lots)


def scan_all(
    store: GraphStore,
    settings: DetectionSettings,
    progress: Progress | None = None,
    batch: int = 500,
    restart: bool = False,
    engine: Engine | None = None,
) -> ScanReport:
    """Scan the whole graph; resumes an unfinished scan unless `restart`."""
    engine = engine or LocalEngine()
    started = time.perf_counter()
    if restart:
        store.write(dq.RUN_ABANDON, now=now())
    open_runs = store.read(dq.RUN_OPEN)
    resumed = bool(open_runs)
    found = (
        open_runs[0]["r"]
        if resumed
        else store.write(
            dq.RUN_START, id=f"scan:{uuid.uuid4().hex}", now=now(), version=settings.version
        )[0]["r"]
    )
    report = ScanReport(run=found["id"], resumed=resumed, lots=int(found["lots"]))
    run = ScanRun(store, settings, report, progress)
    phase = found["phase"]
    known: dict[str, LotFacts] = {}
    if phase == "lots":
        known = engine.lot_phase(run, str(found["cursor"]), batch)
        phase = "history"
        record_progress(run, phase, "")
    if phase == "history":
        engine.history_phase(run, known)
    store.write(dq.RUN_FINISH, id=report.run, now=now(), flags=report.findings, lots=report.lots)
    report.seconds = time.perf_counter() - started
    return report


def record_progress(run: ScanRun, phase: str, cursor: str) -> None:
    """The run's cursor, so that an interrupted scan resumes after the last page written."""
    report = run.report
    run.store.write(
        dq.RUN_PROGRESS,
        id=report.run,
        phase=phase,
        cursor=cursor,
        lots=report.lots,
        flags=report.findings,
        now=now(),
    )


def lot_results(
    page: list[str], facts: Facts, detectors: Sequence[AnyDetector], settings: DetectionSettings
) -> LotResults:
    """The lot detectors on one page of lots, with the lots' bid screens."""
    lots = facts.lots
    return LotResults(
        lots=page,
        patterns=_patterns(detectors),
        findings=_run(detectors, facts, settings),
        known={x.uid: x for x in lots},
        screens=[s for x in lots if (s := screen(x)) is not None],
        version=settings.version,
    )


def write_pages(run: ScanRun, pages: Iterable[LotResults]) -> None:
    """The lot phase's pages, in uid order: each page's flags, retirements and screens,
    then the run's cursor past it (an interrupted scan resumes after the last page)."""
    total = count_lots(run.store)
    run.advance("lots", run.report.lots, total)
    for results in pages:
        written, _ = write_lot_results(run.store, results, now())
        run.report.flags.add(written)
        run.report.lots += len(results.lots)
        run.report.findings += len(results.findings)
        record_progress(run, "lots", results.lots[-1])
        run.advance("lots", len(results.lots), total)


def write_history(run: ScanRun, findings: Sequence[Finding], lots: Mapping[str, LotFacts]) -> None:
    """The history findings as flags, in one transaction; history flags no longer found are
    retired (only a full scan sees the whole history)."""
    at = now()
    report, settings = run.report, run.settings
    report.flags.add(write_findings(run.store, findings, lots, settings.version, at))
    report.flags.retired += retire_history_flags(
        run.store, _patterns(settings.enabled(Phase.HISTORY)), [f.uid for f in findings], at
    )
    report.findings += len(findings)
