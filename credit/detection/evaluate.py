"""Precision, recall and F1 of the detectors against a simulated market's ground truth.

A flag matches a true case of the same pattern and lot (or both without a lot) when their
parties (suppliers and other parties) overlap with a Jaccard index of at least one half; each
true case is matched once. Only current flags count.

Recall has a price: the price patterns (a progression, identical prices) also arise by
accident. `accidental_flags` measures it on a market without collusion, lots drawn as
`credit simulate` draws its background lots, and the table shows it next to recall.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.detection.facts import BidFact, Facts, LotFacts
from credit.detection.flag_store import StoredFlag, export
from credit.detection.registry import DETECTORS, DetectionSettings
from credit.detection.scan import scan_all
from credit.formats import Conversion, bods, leave_known_organizations, ocds, read_records
from credit.formats.export_ocds import RELEASES, REMAINDER, STATEMENTS
from credit.formats.export_ocds import export as export_ocds
from credit.intake.mapping import Mapper, key_uid, org_uid
from credit.intake.pipeline import Intake, read_jsonl

MIN_OVERLAP = 0.5
# In-lot price patterns whose accidental rate is measured on a market without collusion.
PRICE_PATTERNS = ("REGULAR_PRICE_DIFFERENCE", "IDENTICAL_PRICES")
PER_LOTS = 100_000


@dataclass(frozen=True)
class Case:
    pattern: str
    lot: str | None
    parties: frozenset[str]


@dataclass
class Score:
    pattern: str
    truth: int = 0
    flagged: int = 0
    matched: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.truth if self.truth else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def truth_cases(path: Path, mapper: Mapper) -> list[Case]:
    """The truth file's cases in graph ids (identity numbers hashed as on intake)."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        parties = {org_uid(s) for s in row["suppliers"]}
        for other in row["others"]:
            ((kind, value),) = other.items()
            if kind == "group":
                parties.add(key_uid("group", value))
            else:
                parties.add(org_uid(value) if kind == "org" else mapper.person_uid_for(value))
        lot = key_uid("lot", row["lot"]) if row["lot"] else None
        cases.append(Case(row["pattern"], lot, frozenset(parties)))
    return cases


def flag_cases(flags: Iterable[StoredFlag]) -> list[Case]:
    return [Case(f.pattern, f.lot, frozenset({*f.suppliers, *f.others})) for f in flags]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def score(
    truth: Sequence[Case], flagged: Sequence[Case], patterns: Iterable[str]
) -> dict[str, Score]:
    scores = {p: Score(p) for p in patterns}
    open_cases: dict[tuple[str, str | None], list[Case]] = defaultdict(list)
    for case in truth:
        scores.setdefault(case.pattern, Score(case.pattern)).truth += 1
        open_cases[(case.pattern, case.lot)].append(case)
    for flag in sorted(flagged, key=lambda c: (c.pattern, c.lot or "", sorted(c.parties))):
        s = scores.setdefault(flag.pattern, Score(flag.pattern))
        s.flagged += 1
        candidates = open_cases[(flag.pattern, flag.lot)]
        best = max(candidates, key=lambda c: _jaccard(c.parties, flag.parties), default=None)
        if best is not None and _jaccard(best.parties, flag.parties) >= MIN_OVERLAP:
            candidates.remove(best)
            s.matched += 1
    return scores


class EvaluationError(RuntimeError):
    pass


class Route(StrEnum):
    """How a planted market reaches the graph: our record format, or OCDS releases plus BODS
    statements read by the open-data readers (credit.formats.export_ocds writes them)."""

    OURS = "ours"
    OCDS = "ocds"


# What carries each pattern's facts on the OCDS + BODS route ("ext": credit.formats.ocds_ext).
CARRIED_BY = {
    "SAME_CONTROLLER": "BODS seniorManagingOfficial",
    "DIRECT_HOLDING": "BODS shareholding, otherInfluenceOrControl",
    "COMMON_CONTROLLER": "BODS otherInfluenceOrControl, shareholding",
    "SAME_PREPARER": "OCDS bid ext `preparer`",
    "SAME_AGENT": "OCDS bid ext `agent`",
    "SHARED_CONTACT": "OCDS parties[].contactPoint (+ ext `identifier`)",
    "SAME_DEPOSIT_ACCOUNT": "OCDS bid ext `deposit`; BODS for the holder's ties",
    "SAME_DEVICE": "OCDS bid ext `submissionDevices`, `fileFingerprint`",
    "STAFF_CROSSOVER": "OCDS ext `preparer`, `projectTeam`, contactPoint `identifier`; "
    "BODS seniorManagingOfficial; employment not expressible in OCDS/BODS (our records)",
    "GROUP_INSTRUCTION": "not expressible in OCDS/BODS: membership of a group (our records)",
    "REGULAR_PRICE_DIFFERENCE": "OCDS bids.details[].value",
    "IDENTICAL_PRICES": "OCDS bids.details[].value",
    "BID_SCREEN": "OCDS bids.details[].value",
    "EXPERT_CONFLICT": "not expressible in OCDS/BODS: review panels, employment, kinship "
    "(our records); BODS for shareholdings and board seats",
    "BID_ROTATION": "OCDS bids, awards",
    "COVER_BIDDING": "OCDS bids, awards",
    "BID_SUPPRESSION": "OCDS bids, awards, buyer",
    "BUYER_CAPTURE": "OCDS awards, buyer",
    "SUCCESSOR_OF_DEBARRED": "BODS (the people behind); penalty decisions: our records",
    "COBIDDING_COMMUNITY": "OCDS bids, awards, buyer",
    "MIXED_DOCUMENTS": "OCDS bids.details[].documents, tender.documents (`hash`, `pageStart`)",
}


def _load(intake: Intake, conversion: Conversion, what: str) -> None:
    """Through the intake as `credit ingest` does: organisations already in the graph are
    left as they are; any rejected record or unreadable document stops the evaluation."""
    leave_known_organizations(conversion, intake.store.existing_uids)
    report = intake.run(conversion.items)
    problems = [*(conversion.report.errors if conversion.report else []), *report.errors]
    if problems:
        raise EvaluationError(f"{what}: {len(problems)} problem(s), first: {problems[0]}")


def load_market(intake: Intake, directory: Path, route: Route) -> dict[str, str]:
    """Load a simulated market by `route` into an emptied graph; return how its lot ids map
    to the graph's (the OCDS reader keys a lot by its ocid and lot id)."""
    intake.store.wipe()
    if route is Route.OURS:
        _load(intake, read_records(directory / "records.jsonl"), "records.jsonl")
        return {}
    written = export_ocds(read_jsonl_records(directory / "records.jsonl"))
    out = directory / "ocds"
    written.write(out)
    _load(intake, bods.read(out / STATEMENTS), STATEMENTS)
    _load(intake, ocds.read(out / RELEASES), RELEASES)
    _load(intake, read_records(out / REMAINDER), REMAINDER)
    return written.lots


def read_jsonl_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(text) for _, text in read_jsonl(path)]


def evaluate_market(
    store: GraphStore,
    intake: Intake,
    mapper: Mapper,
    directory: Path,
    settings: DetectionSettings,
    route: Route = Route.OURS,
) -> dict[str, Score]:
    """Empty the database, load the market by `route` through the normal intake, scan it,
    score it against the truth (its lots named as the route names them)."""
    lots = load_market(intake, directory, route)
    scan_all(store, settings, restart=True)
    truth = [
        Case(c.pattern, key_uid("lot", lots[c.lot.removeprefix("lot:")]), c.parties)
        if c.lot and lots
        else c
        for c in truth_cases(directory / "truth.jsonl", mapper)
    ]
    return score(truth, flag_cases(export(store)), [d.id for d in DETECTORS])


def _null_lot(number: int, prices: Sequence[Decimal]) -> LotFacts:
    opened = datetime(2024, 1, 1, tzinfo=UTC)
    bids = tuple(
        BidFact(f"null-{number}-{k}", f"supplier-{k}", price, "CNY", "VALID", opened)
        for k, price in enumerate(prices)
    )
    key = f"NULL-{number}"
    return LotFacts(key, key, key, key, None, None, None, None, date(2024, 1, 1), None, bids)


def accidental_flags(
    settings: DetectionSettings, lots: int = 20_000, seed: int = 0
) -> dict[str, float]:
    """Expected flags per 100,000 lots of a market without collusion, per price pattern: lots
    drawn as `credit simulate` draws its background lots (bidder counts, budgets, prices
    rounded to 100 yuan, the yuan or the cent), run through the pattern's in-lot detector."""
    from credit.markets.simulate import background_quotes

    rng = random.Random(seed)  # noqa: S311 - a simulated market, not a secret
    market = [_null_lot(n, background_quotes(rng)) for n in range(lots)]
    rates = {}
    for detector in DETECTORS:
        if detector.id not in PRICE_PATTERNS or not settings.of(detector.id).enabled:
            continue
        found = detector.detect(Facts(lots=market), settings.of(detector.id))
        flagged = sum(1 for f in found if f.lot is not None)
        rates[detector.id] = flagged * PER_LOTS / lots
    return rates


def combine(runs: Iterable[dict[str, Score]]) -> dict[str, Score]:
    total: dict[str, Score] = {}
    for run in runs:
        for pattern, s in run.items():
            t = total.setdefault(pattern, Score(pattern))
            t.truth += s.truth
            t.flagged += s.flagged
            t.matched += s.matched
    return total


def table(
    scores: dict[str, Score],
    order: Sequence[str],
    accidental: dict[str, float] | None = None,
    carried: dict[str, str] | None = None,
) -> str:
    """A Markdown table, detectors in registry order; with `accidental`, a column of the
    expected accidental flags per 100,000 lots of a market without collusion; with `carried`,
    a column saying what carries each pattern's facts on the route."""

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    extra = accidental is not None
    lines = [
        "| pattern | true cases | flags | matched | precision | recall | F1 |"
        + (" accidental / 100k lots |" if extra else "")
        + (" carried by |" if carried is not None else ""),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        + (" ---: |" if extra else "")
        + (" --- |" if carried is not None else ""),
    ]
    for pattern in order:
        s = scores.get(pattern, Score(pattern))
        row = (
            f"| {pattern} | {s.truth} | {s.flagged} | {s.matched} | {cell(s.precision)} | "
            f"{cell(s.recall)} | {cell(s.f1)} |"
        )
        if accidental is not None:
            rate = accidental.get(pattern)
            row += f" {'—' if rate is None else f'{rate:.0f}'} |"
        if carried is not None:
            row += f" {carried.get(pattern, '—')} |"
        lines.append(row)
    return "\n".join(lines) + "\n"
