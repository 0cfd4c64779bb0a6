"""The full scan on Dask distributed: the same flags as the single-process scan, with no
process holding the whole bid history.

Lot phase: pages of lots go to the workers in chunks; each worker reads its lots' facts from
Neo4j itself (it gets connection settings and lot ids, never facts), runs the lot detectors
and returns the findings; the driver writes them page by page in uid order, moving the run's
cursor as the single-process scan does, so an interrupted scan resumes where it stopped.

History phase, partitioned by region the way cartels are bounded:
- Markets. The co-bidding communities are defined per region and period (the purchaser's
  division, the detector's `period_years`); one task per region reads that region's lots and
  finds its communities, which are exactly the single-process scan's.
- Homes. Every bidder gets a home region: the region of the purchasers it bid with most
  often. One task per home reads the whole history of its suppliers (every lot they bid for
  or won, wherever) and the whole-graph counts of their buyers and markets, and runs the other
  history detectors with the home's suppliers as focus. A supplier's own figures are then
  exact; what a task cannot see is a group with members outside its home.
- Second pass. Each home task also returns the pairs of its suppliers with anyone who bid
  for at least `m` of the same lots (m: the smallest `min_lots` of the pair patterns) and
  each supplier's regular purchasers and wins there. From those the driver knows, for every
  finding, the suppliers that decide it (its `need`, below); a finding is kept from a task
  only if its need lies inside that task's suppliers. The suppliers with a pair across homes,
  each with its neighbours, and the pairs of a purchaser's regular bidder and frequent winner
  from different homes, are the seeds of a second pass, packed into tasks no larger than the
  largest home and scanned the same way: that pass finds the groups that cross partitions.

Why `need` suffices: a rotation ring is a clique of pairs and every larger ring containing it
lies among the suppliers paired with all of its members; a cover-bidding flag is a winner with
all its covers, each paired with it; a fixed price offset is a pair (and the pairs with the
same lots); the other patterns are one supplier, or a pair at one purchaser. A history
detector not in RULES has no known partition: the distributed scan refuses it by name and
`--cluster none` scans in one process.
"""

from __future__ import annotations

import os
import resource
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from neo4j import GraphDatabase

from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.detection.detector import Phase, Reads
from credit.detection.detectors.cobidding_community import region_of
from credit.detection.facts import Facts, History, LotFacts
from credit.detection.flag_store import LotResults
from credit.detection.flags import Finding
from credit.detection.gather import (
    all_lots,
    bidders,
    buyer_stats,
    load_successors,
    market_sizes,
    purchaser_lots,
    supplier_history,
)
from credit.detection.registry import DetectionSettings
from credit.detection.scan import (
    Progress,
    ScanReport,
    ScanRun,
    _needs,
    _run,
    lot_results,
    read_ahead,
    write_history,
    write_pages,
)
from credit.domain.errors import DomainError

NO_REGION = "-"


class Rule(StrEnum):
    """What decides a history finding, so a partition knows whether it saw all of it."""

    MARKET = "market"  # the region and period: computed per region, nothing crosses
    GROUP = "group"  # the finding's own suppliers (one supplier, or a pair at a purchaser)
    CLIQUE = "clique"  # its suppliers and everyone paired with all of them (larger groups)
    WINNER = "winner"  # the winner named in its facts and everyone paired with it


RULES: Mapping[str, Rule] = {
    "COBIDDING_COMMUNITY": Rule.MARKET,
    "BUYER_CAPTURE": Rule.GROUP,
    "SUCCESSOR_OF_DEBARRED": Rule.GROUP,
    "BID_SUPPRESSION": Rule.GROUP,
    "BID_ROTATION": Rule.CLIQUE,
    "REGULAR_PRICE_DIFFERENCE": Rule.CLIQUE,
    "COVER_BIDDING": Rule.WINNER,
}
PAIRED = ("BID_ROTATION", "COVER_BIDDING", "REGULAR_PRICE_DIFFERENCE")


class PartitionError(DomainError):
    """A scan the cluster cannot partition (a history detector without a partition rule)."""


@dataclass(frozen=True)
class Connection:
    """How a worker reaches Neo4j: settings, not data."""

    uri: str
    user: str
    password: str
    database: str

    @classmethod
    def of(cls, settings: Settings) -> Connection:
        uri, user, password = settings.connection()
        return cls(uri, user, password, settings.neo4j_database)


@lru_cache(maxsize=4)
def _store(conn: Connection) -> GraphStore:
    """One driver per worker process and database."""
    driver = GraphDatabase.driver(
        conn.uri,
        auth=(conn.user, conn.password),
        user_agent="procurement-credit/0.1 scan-worker",
        notifications_min_severity="OFF",
    )
    return GraphStore(driver, conn.database)


@dataclass(frozen=True)
class Usage:
    """What one task cost on its worker: wall time, and the worker process's peak RSS so far."""

    task: str
    worker: str
    seconds: float
    peak_mb: float
    lots: int
    suppliers: int = 0
    cpu_seconds: float = 0.0  # the worker process's CPU time over the task


def _usage(task: str, started: float, lots: int, suppliers: int = 0, cpu: float = 0.0) -> Usage:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Usage(
        task=task,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        seconds=round(time.perf_counter() - started, 3),
        peak_mb=round(peak_kb / 1024, 1),
        lots=lots,
        suppliers=suppliers,
        cpu_seconds=round(time.process_time() - cpu, 3),
    )


# --- tasks (run on the workers) ----------------------------------------------------------------


@dataclass(frozen=True)
class LotChunk:
    pages: list[LotResults]
    usage: Usage


def lot_task(conn: Connection, settings: DetectionSettings, pages: list[list[str]]) -> LotChunk:
    """The lot detectors on some pages of lots; each page's results keep only the lots their
    findings name, so little goes back to the driver."""
    started, cpu = time.perf_counter(), time.process_time()
    store = _store(conn)
    detectors = settings.enabled(Phase.LOT)
    out = []
    for page, facts in read_ahead(store, pages, _needs(detectors)):
        results = lot_results(page, facts, detectors, settings)
        named = {u for f in results.findings for u in (f.lot, *f.lots) if u}
        out.append(
            replace(results, known={u: x.light() for u, x in results.known.items() if u in named})
        )
    return LotChunk(out, _usage("lots", started, sum(len(p) for p in pages), cpu=cpu))


@dataclass(frozen=True)
class HistoryResult:
    findings: list[Finding]
    lots: dict[str, LotFacts]  # the lots the findings name
    pairs: list[tuple[str, str]]  # (focus supplier, anyone) bidding for >= m of the same lots
    regulars: list[tuple[str, str, int, int]]  # (supplier, purchaser, decided lots bid, won)
    usage: Usage


def home_task(
    conn: Connection,
    settings: DetectionSettings,
    key: str,
    suppliers: list[str],
    listed: list[str],
    min_pair: int,
) -> HistoryResult:
    """The history detectors other than the market ones, with `suppliers` as focus, over
    their whole history; `listed` are those of them the successor detector reads."""
    started, cpu = time.perf_counter(), time.process_time()
    store = _store(conn)
    detectors = [d for d in settings.enabled(Phase.HISTORY) if RULES.get(d.id) != Rule.MARKET]
    needs = _needs(detectors)
    focus = frozenset(suppliers)
    lots = supplier_history(store, suppliers)
    purchasers = {x.purchaser for x in lots.values() if x.purchaser}
    buyers = {b for x in lots.values() for b in x.buyers}
    history = History(
        lots, frozenset(buyers), market_sizes(store, purchasers), buyer_stats(store, buyers)
    )
    successors = load_successors(store, listed) if Reads.DEBARMENTS in needs else []
    findings = _run(detectors, Facts(history=history, successors=successors, focus=focus), settings)
    enabled = {d.id for d in detectors}
    return HistoryResult(
        findings=findings,
        lots=_named(findings, lots),
        pairs=list(_pairs(history, focus, min_pair)) if enabled & set(PAIRED) else [],
        regulars=(
            list(_regulars(history, focus, settings)) if "BID_SUPPRESSION" in enabled else []
        ),
        usage=_usage(f"home {key}", started, len(lots), len(suppliers), cpu),
    )


def market_task(
    conn: Connection, settings: DetectionSettings, key: str, purchasers: list[str], digits: int
) -> HistoryResult:
    """The market detectors over every lot of one region's purchasers."""
    started, cpu = time.perf_counter(), time.process_time()
    store = _store(conn)
    detectors = [d for d in settings.enabled(Phase.HISTORY) if RULES.get(d.id) == Rule.MARKET]
    lots = {
        u: x
        for u, x in purchaser_lots(store, purchasers).items()
        if region_key(x.purchaser, digits) == key
    }
    findings = _run(detectors, Facts(history=History(lots)), settings)
    return HistoryResult(
        findings,
        _named(findings, lots),
        [],
        [],
        _usage(f"market {key}", started, len(lots), cpu=cpu),
    )


def _named(findings: Iterable[Finding], lots: Mapping[str, LotFacts]) -> dict[str, LotFacts]:
    return {u: lots[u] for f in findings for u in f.lots if u in lots}


def _pairs(history: History, focus: frozenset[str], least: int) -> Iterator[tuple[str, str]]:
    """Each focus supplier with those who bid for at least `least` of its lots: its whole
    history is here, so the counts are exact. One supplier at a time keeps the memory small."""
    for supplier in sorted(focus):
        met: Counter[str] = Counter()
        for uid in history.by_supplier.get(supplier, ()):
            met.update(s for s in history.lots[uid].suppliers if s != supplier)
        yield from ((supplier, other) for other, n in sorted(met.items()) if n >= least)


def _regulars(
    history: History, focus: frozenset[str], settings: DetectionSettings
) -> Iterator[tuple[str, str, int, int]]:
    """(supplier, purchaser, decided lots it bid for, lots it won) for focus suppliers that
    could be the bidder (bids often enough) or the partner (won often enough) of a bid
    suppression at that purchaser."""
    config: Any = settings.of("BID_SUPPRESSION")
    present: Counter[tuple[str, str]] = Counter()
    won: Counter[tuple[str, str]] = Counter()
    for lot in history.lots.values():
        if not lot.purchaser or not lot.winner:
            continue
        for s in lot.ranks:
            if s in focus:
                present[(s, lot.purchaser)] += 1
        if lot.winner in focus:
            won[(lot.winner, lot.purchaser)] += 1
    for key in sorted(present.keys() | won.keys()):
        bid, wins = present[key], won[key]
        if bid >= config.min_regular * config.min_other_lots or wins >= config.min_lots:
            yield key[0], key[1], bid, wins


# --- the driver ------------------------------------------------------------------------------


def region_key(purchaser: str | None, digits: int) -> str:
    """The partition of a purchaser: the first `digits` of its administrative division (2: a
    province, 4: a city, 6: a district, as the co-bidding communities use)."""
    division = region_of(purchaser)
    return division[:digits] if division else NO_REGION


@dataclass
class Plan:
    homes: dict[str, str] = field(default_factory=dict)  # supplier -> home region
    listed: set[str] = field(default_factory=set)  # suppliers (the successor detector's)
    purchasers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bids: dict[str, int] = field(default_factory=dict)  # supplier -> its bids: its history's size


def plan(store: GraphStore, digits: int) -> Plan:
    """Each bidder's home: the region it bid in most (ties: the first region code)."""
    found = Plan()
    for page in bidders(store):
        for uid, supplier, purchasers in page:
            regions = Counter(region_key(p, digits) for p in purchasers)
            for p in purchasers:
                found.purchasers[region_key(p, digits)].add(p)
            found.homes[uid] = (
                min(regions, key=lambda r: (-regions[r], r)) if regions else NO_REGION
            )
            found.bids[uid] = len(purchasers)
            if supplier:
                found.listed.add(uid)
    return found


@dataclass
class PartitionStats:
    """What the history phase did, for `credit detect` and the benchmark."""

    homes: int = 0
    markets: int = 0
    crossing_suppliers: int = 0
    second_pass_suppliers: int = 0
    second_pass_tasks: int = 0
    second_pass_findings: int = 0  # kept from the second pass and from no home
    usage: list[Usage] = field(default_factory=list)


class Neighbours:
    """The pairs the home tasks found, as closed neighbourhoods."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.of: dict[str, set[str]] = defaultdict(set)
        for a, b in pairs:
            self.of[a].add(b)
            self.of[b].add(a)

    def closed(self, supplier: str) -> set[str]:
        return {supplier, *self.of.get(supplier, ())}

    def need(self, f: Finding) -> set[str]:
        rule = RULES[f.pattern]
        if rule is Rule.CLIQUE:
            return set(f.suppliers).union(*[set.intersection(*map(self.closed, f.suppliers))])
        if rule is Rule.WINNER:
            return self.closed(str(f.facts["winner"]))
        return set(f.suppliers)


def _check_rules(settings: DetectionSettings) -> None:
    unknown = [d.id for d in settings.enabled(Phase.HISTORY) if d.id not in RULES]
    if unknown:
        raise PartitionError(
            "cluster",
            "no_partition",
            f"the history detector(s) {', '.join(unknown)} have no partition rule; "
            "scan with --cluster none",
        )


def _min_pair(settings: DetectionSettings) -> int:
    enabled = {d.id for d in settings.enabled(Phase.HISTORY)}
    configs: list[Any] = [settings.of(p) for p in PAIRED if p in enabled]
    return max(1, min((int(c.min_lots) for c in configs), default=1))


def crossing(
    plan: Plan,
    neighbours: Neighbours,
    regulars: Iterable[tuple[str, str, int, int]],
    settings: DetectionSettings,
) -> list[set[str]]:
    """The seeds of the second pass, each a set that holds the need of the findings it is
    for: a supplier paired across homes with its neighbours (every ring, cover or offset it
    is in needs no more), and a regular bidder of a purchaser with the frequent winners there
    that live in another home (a suppression pair needs only itself)."""
    homes = plan.homes
    seeds: list[set[str]] = [
        neighbours.closed(a)
        for a, others in sorted(neighbours.of.items(), key=lambda x: (homes.get(x[0], ""), x[0]))
        if any(homes.get(b) != homes.get(a) for b in others)
    ]
    enabled = {d.id for d in settings.enabled(Phase.HISTORY)}
    if "BID_SUPPRESSION" in enabled:
        config: Any = settings.of("BID_SUPPRESSION")
        regular: dict[str, set[str]] = defaultdict(set)
        winning: dict[str, set[str]] = defaultdict(set)
        for supplier, purchaser, bid, won in regulars:
            if bid >= config.min_regular * config.min_other_lots:
                regular[purchaser].add(supplier)
            if won >= config.min_lots:
                winning[purchaser].add(supplier)
        for purchaser, winners in sorted(winning.items()):
            for bidder in sorted(regular.get(purchaser, ())):
                apart = {w for w in winners if homes.get(w) != homes.get(bidder)}
                if apart:
                    seeds.append({bidder, *apart})
    return seeds


def packed(seeds: Iterable[set[str]], size: Mapping[str, int], cap: int) -> list[set[str]]:
    """Seeds packed into focus sets whose suppliers made at most `cap` bids between them (a
    larger seed alone), so no second-pass task reads more history than the largest home: a
    task keeps the findings whose need it holds, and each finding's need is inside a seed."""
    tasks: list[set[str]] = []
    current: set[str] = set()
    weight = 0
    for seed in seeds:
        extra = sum(size.get(s, 0) for s in seed - current)
        if current and weight + extra > cap:
            tasks.append(current)
            current, weight = set(), 0
            extra = sum(size.get(s, 0) for s in seed)
        current |= seed
        weight += extra
    if current:
        tasks.append(current)
    return tasks


class DaskEngine:
    """The scan's phases on a Dask cluster (`client`); workers reach Neo4j through `conn`."""

    def __init__(
        self,
        client: Any,
        conn: Connection,
        digits: int = 2,
        pages_per_task: int = 4,
        layout: Callable[[GraphStore, int], Plan] | None = None,
    ) -> None:
        self.client = client
        self.conn = conn
        self.digits = digits
        # any assignment of suppliers to homes gives the same findings; `plan` keeps most
        # groups inside one home, so the second pass stays small
        self.layout = layout or plan
        self.pages_per_task = pages_per_task
        self.stats = PartitionStats()

    def _window(self) -> int:
        return max(2, 2 * len(self.client.scheduler_info().get("workers", {})))

    def lot_phase(self, run: ScanRun, cursor: str, batch: int) -> dict[str, LotFacts]:
        """Chunks of pages out to the workers, a few ahead; results written in page order."""
        write_pages(run, self._lot_pages(run, cursor, batch))
        return {}

    def _lot_pages(self, run: ScanRun, cursor: str, batch: int) -> Iterator[LotResults]:
        pending: deque[Any] = deque()
        for chunk in _chunks(all_lots(run.store, after=cursor, size=batch), self.pages_per_task):
            pending.append(self.client.submit(lot_task, self.conn, run.settings, chunk, pure=False))
            if len(pending) >= self._window():
                yield from self._chunk_pages(pending.popleft())
        while pending:
            yield from self._chunk_pages(pending.popleft())

    def _chunk_pages(self, future: Any) -> list[LotResults]:
        done: LotChunk = future.result()
        self.stats.usage.append(done.usage)
        return done.pages

    def history_phase(self, run: ScanRun, known: dict[str, LotFacts]) -> None:
        findings, lots = self.history_findings(run.store, run.settings, run.progress)
        write_history(run, findings, lots)

    def history_findings(
        self, store: GraphStore, settings: DetectionSettings, progress: Progress | None = None
    ) -> tuple[list[Finding], dict[str, LotFacts]]:
        """Every history finding of the single-process scan, from partitions and the second
        pass, and the lots they name."""
        _check_rules(settings)
        layout = self.layout(store, self.digits)
        least = _min_pair(settings)
        by_home: dict[str, list[str]] = defaultdict(list)
        for supplier, home in sorted(layout.homes.items()):
            by_home[home].append(supplier)
        detectors = settings.enabled(Phase.HISTORY)
        submit = self.client.submit
        homes = {
            key: submit(
                home_task,
                self.conn,
                settings,
                key,
                members,
                sorted(set(members) & layout.listed),
                least,
                pure=False,
            )
            for key, members in sorted(by_home.items())
            if any(RULES.get(d.id) != Rule.MARKET for d in detectors)
        }
        markets = [
            submit(market_task, self.conn, settings, key, sorted(buyers), self.digits, pure=False)
            for key, buyers in sorted(layout.purchasers.items())
            if key != NO_REGION and any(RULES.get(d.id) == Rule.MARKET for d in detectors)
        ]
        self.stats.homes, self.stats.markets = len(homes), len(markets)
        total = len(homes) + len(markets)
        kept: dict[str, Finding] = {}
        lots: dict[str, LotFacts] = {}
        for future in markets:
            result: HistoryResult = future.result()
            self._take(result, kept, lots, lambda f: True)
            if progress:
                progress("history", 1, total)
        results: dict[str, HistoryResult] = {}
        for key, future in homes.items():
            results[key] = future.result()
            if progress:
                progress("history", 1, total)
        neighbours = Neighbours(p for r in results.values() for p in r.pairs)
        for key, result in results.items():
            self._take(result, kept, lots, _inside(neighbours, set(by_home[key])))
        seeds = crossing(
            layout, neighbours, (x for r in results.values() for x in r.regulars), settings
        )
        largest = max((sum(layout.bids.get(s, 0) for s in m) for m in by_home.values()), default=1)
        tasks = packed(seeds, layout.bids, largest)
        self.stats.crossing_suppliers = sum(
            1
            for a, others in neighbours.of.items()
            if any(layout.homes.get(b) != layout.homes.get(a) for b in others)
        )
        self.stats.second_pass_suppliers = len(set().union(*tasks))
        self.stats.second_pass_tasks = len(tasks)
        second = [
            (
                focus,
                submit(
                    home_task,
                    self.conn,
                    settings,
                    f"second pass {n}",
                    sorted(focus),
                    sorted(focus & layout.listed),
                    least,
                    pure=False,
                ),
            )
            for n, focus in enumerate(tasks, start=1)
        ]
        before = len(kept)
        for focus, future in second:
            self._take(future.result(), kept, lots, _inside(neighbours, focus))
        self.stats.second_pass_findings = len(kept) - before
        return sorted(kept.values(), key=lambda f: f.uid), lots

    def _take(
        self,
        result: HistoryResult,
        kept: dict[str, Finding],
        lots: dict[str, LotFacts],
        whole: Callable[[Finding], bool],
    ) -> None:
        self.stats.usage.append(result.usage)
        for f in result.findings:
            if f.uid not in kept and whole(f):
                kept[f.uid] = f
                lots.update((u, result.lots[u]) for u in f.lots if u in result.lots)


def _inside(neighbours: Neighbours, focus: set[str]) -> Callable[[Finding], bool]:
    """Whether a task with this focus saw everything that decides a finding."""
    return lambda f: neighbours.need(f) <= focus


def _chunks(pages: Iterable[list[str]], size: int) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for page in pages:
        chunk.append(page)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def local_cluster(workers: int) -> Any:
    """A Dask cluster of `workers` processes on this machine, one thread each (the detectors
    are pure Python: threads would share one interpreter lock)."""
    from distributed import LocalCluster

    return LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: other clusters may hold the default one
        memory_limit=0,  # measured, not capped: a capped worker is restarted mid-task
    )


def scan_on_cluster(
    store: GraphStore,
    settings: DetectionSettings,
    cluster: str,
    workers: int,
    digits: int,
    progress: Progress | None = None,
    batch: int = 500,
    restart: bool = False,
) -> tuple[ScanReport, PartitionStats]:
    """`credit detect --all` on a local cluster (`cluster` "local") or a running one (its
    scheduler's address); the workers reach Neo4j with this process's connection settings."""
    from distributed import Client

    from credit.core.settings import get_settings
    from credit.detection.scan import scan_all

    _check_rules(settings)
    conn = Connection.of(get_settings())
    local = local_cluster(workers) if cluster == "local" else None
    try:
        with Client(local if local is not None else cluster) as client:  # type: ignore[no-untyped-call]
            engine = DaskEngine(client, conn, digits)
            report = scan_all(store, settings, progress, batch, restart, engine=engine)
    finally:
        if local is not None:
            local.close()
    return report, engine.stats
