"""A lot's flags as its purchaser sees them at bid opening: the lot detectors run on it (or
the stored flags when not run), its bid screens, and the last scan's standing flags about its
bidders. The workflow the API's lotFlags answers with; who sees which part is the caller's
rows rule (credit/security/rows.py), passed in as `may_see`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from credit.core.store import GraphStore
from credit.detection import flag_store
from credit.detection.detectors.bid_screens import Screen
from credit.detection.flag_store import Standing, StoredFlag
from credit.detection.registry import DetectionSettings
from credit.detection.scan import FORBIDDEN_LOT, DetectionError, detect_lot
from credit.domain import ids


@dataclass(frozen=True)
class LotFlags:
    lot: str
    flags: list[StoredFlag]
    screen: Screen | None
    ran: bool  # whether the detectors ran for this answer
    seconds: float | None
    standing: list[Standing]


def lot_flags(
    store: GraphStore,
    lot_id: str,
    settings: DetectionSettings,
    may_see: Callable[[Sequence[str]], bool],
    run: bool = True,
    history: bool = False,
) -> LotFlags:
    """With `run` the lot detectors run first, as at bid opening (with `history` also the
    history patterns among its bidders); else the flags the last run stored. A lot that is
    unknown, or whose buyers `may_see` refuses, raises DetectionError before anything is
    written."""
    lot = ids.uid("lot", lot_id)
    seconds = None
    if run:
        result = detect_lot(store, lot, settings, may_see, history)
        flags, screen, seconds = result.flags, result.screen, result.seconds
    else:
        buyers = flag_store.lot_buyers(store, lot)
        if buyers is None:
            raise DetectionError("lotId", "not_found", f"nothing is known under {lot_id!r}")
        if not may_see(buyers):
            raise DetectionError("lotId", "forbidden", FORBIDDEN_LOT)
        flags = flag_store.flags_of_lot(store, lot)
        screen = flag_store.screen_of(store, lot)
    # the caller may see this lot (checked above): of the scan's flags about its bidders it
    # sees what the purchaser needs at bid opening
    standing = flag_store.standing_of_lot(store, lot)
    return LotFlags(lot, flags, screen, run, seconds, standing)
