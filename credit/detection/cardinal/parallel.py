"""cardinal's indicators over a large file on several cores, with the sequential result.

Like cardinal (rayon's fold/reduce), the file is cut into byte ranges at line ends; each worker
process parses and folds its range into its own ``State``, and the states are summed before the
indicators' ``finalize``. Two things would differ from one sequential pass, and are made equal:
the "first observed currency" (found first by a short sequential scan, then fixed for all
workers) and the line numbers in warnings (each worker's are shifted by the lines before it).
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from credit.detection.cardinal import (
    Report,
    Settings,
    State,
    _calculators,
    _codes,
    finish,
    fold_releases,
    read_lines,
)
from credit.detection.cardinal._common import Calculator, PriceComparisonCalculator

# Below this, one process is quicker than starting others.
MIN_PARALLEL_BYTES = 16 << 20

# (line number within the range, or None for warnings about a release's content; message)
Warning = tuple[int | None, str]


def _lines(handle: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    handle.seek(start)
    position = start
    for line in handle:
        if position >= end:
            return
        position += len(line)
        yield line


def _fold_range(
    path: str, start: int, end: int, settings: Settings, codes: list[str]
) -> tuple[State, int, list[Warning]]:
    warnings: list[Warning] = []
    count = 0

    def line_warn(message: str) -> None:
        warnings.append((count, message))

    def content_warn(message: str) -> None:
        warnings.append((None, message))

    state = State(warn=content_warn)
    calculators = _calculators(settings, codes)
    with open(path, "rb") as handle:

        def counted() -> Iterator[bytes]:
            nonlocal count
            for line in _lines(handle, start, end):
                count += 1
                yield line

        fold_releases(state, read_lines(counted(), line_warn), settings, calculators)
    state.warn = None
    return state, count, warnings


def _merge(into: State, other: State) -> None:
    """cardinal's reduce: results and per-key sums."""
    for group, keys in other.results.items():
        target = into.results.setdefault(group, {})
        for key, values in keys.items():
            target.setdefault(key, {}).update(values)
    into.second_lowest_bid_ratios.update(other.second_lowest_bid_ratios)
    into.winner_and_lowest_non_winner.update(other.winner_and_lowest_non_winner)
    for name in ("r025_tenderer", "r038_buyer", "r038_procuring_entity", "r038_tenderer"):
        mine, theirs = getattr(into, name), getattr(other, name)
        for key, (numerator, denominator) in theirs.items():
            fraction = mine.setdefault(key, [0, 0])
            fraction[0] += numerator
            fraction[1] += denominator
    for key, (count, codes) in other.r048_classifications.items():
        mine_count, mine_codes = into.r048_classifications.setdefault(key, ([0], set()))
        mine_count[0] += count[0]
        mine_codes |= codes


def _first_currency(path: Path, settings: Settings, codes: list[str]) -> str | None:
    """The currency a sequential pass would observe first (only price indicators set it)."""
    calculators: list[Calculator] = [
        calculator
        for calculator in _calculators(settings, codes)
        if isinstance(calculator, PriceComparisonCalculator)
    ]
    if settings.currency is not None or not calculators:
        return settings.currency
    state = State()
    with path.open("rb") as handle:
        releases = read_lines(handle)
        for release in releases:
            fold_releases(state, [release], settings, calculators)
            if state.currency is not None:
                return state.currency
    return None


def _ranges(path: Path, jobs: int) -> list[tuple[int, int]]:
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as handle:
        for k in range(1, jobs):
            handle.seek(max(size * k // jobs, cuts[-1]))
            handle.readline()
            cuts.append(min(handle.tell(), size))
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def report_file(
    path: Path,
    settings: Settings | None,
    warn: Callable[[str], None] | None = None,
    jobs: int | None = None,
    min_parallel_bytes: int = MIN_PARALLEL_BYTES,
) -> Report:
    """Results and ``Meta`` for a file, folded by ``jobs`` processes (default: the CPUs)
    if it has at least ``min_parallel_bytes``."""
    chosen, codes = _codes(settings)
    workers = jobs or len(os.sched_getaffinity(0))
    if workers <= 1 or path.stat().st_size < min_parallel_bytes:
        ranges = [(0, path.stat().st_size)]
    else:
        ranges = _ranges(path, workers)
    if len(ranges) > 1:
        chosen = dataclasses.replace(chosen, currency=_first_currency(path, chosen, codes))
        context = multiprocessing.get_context("fork")
        with context.Pool(len(ranges)) as pool:
            parts = pool.starmap(_fold_range, [(str(path), a, b, chosen, codes) for a, b in ranges])
    else:
        parts = [_fold_range(str(path), 0, ranges[0][1], chosen, codes)]
    state = State(warn=warn)
    offset = 0
    for part, count, warnings in parts:
        _merge(state, part)
        if warn is not None:
            for number, message in warnings:
                if number is None:
                    warn(message)
                else:
                    warn(message.replace(f"Line {number} ", f"Line {number + offset} ", 1))
        offset += count
    state.currency = chosen.currency
    return finish(state, _calculators(chosen, codes))
