"""R038 Excessive disqualified bids.

Signals a buyer, procuring entity or tenderer with an unusually high ratio of disqualified bids
to submitted bids: flags each whose ratio is at least the upper fence (``Q3 + 1.5 * IQR`` over
its group, or ``threshold``), if it has at least ``minimum_contracting_processes`` (default 2)
or, for tenderers, ``minimum_submitted_bids`` (default 2). Re-implements cardinal-rs
``src/indicators/r038.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    BUYER,
    PROCURING_ENTITY,
    TENDERER,
    Calculator,
    R038Settings,
    Settings,
    State,
    add_fraction,
    get_dict,
    get_list,
    get_str,
    get_submitted_bids,
    upper_fence,
)


class R038(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.setting = settings.R038 or R038Settings()

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        submitted_bids = get_submitted_bids(release)
        if not submitted_bids:
            return
        disqualified = 0
        for bid in submitted_bids:
            increment = 1 if get_str(bid, "status") == "disqualified" else 0
            disqualified += increment
            for tenderer in get_list(bid, "tenderers") or []:
                if (tenderer_id := get_str(tenderer, "id")) is not None:
                    add_fraction(state.r038_tenderer, tenderer_id, increment, 1)
        count = len(submitted_bids)
        if (buyer_id := get_str(get_dict(release, "buyer"), "id")) is not None:
            add_fraction(state.r038_buyer, buyer_id, disqualified, count)
        procuring_entity = get_dict(get_dict(release, "tender"), "procuringEntity")
        if (procuring_entity_id := get_str(procuring_entity, "id")) is not None:
            add_fraction(state.r038_procuring_entity, procuring_entity_id, disqualified, count)

    def _flag(
        self, state: State, fractions: dict[str, list[int]], minimum: int, group: str
    ) -> None:
        ratios = {
            key: numerator / denominator
            for key, (numerator, denominator) in fractions.items()
            if denominator >= minimum
        }
        fractions.clear()
        if not ratios:
            return
        fence = upper_fence(state, "R038", ratios.values(), self.setting.threshold, f"{group}_")
        if fence > 0.0:
            for key, ratio in ratios.items():
                if ratio >= fence:
                    state.set_result(group, key, "R038", ratio)

    def finalize(self, state: State) -> None:
        minimum = self.setting.minimum_contracting_processes
        self._flag(state, state.r038_buyer, minimum, BUYER)
        self._flag(state, state.r038_procuring_entity, minimum, PROCURING_ENTITY)
        self._flag(state, state.r038_tenderer, self.setting.minimum_submitted_bids, TENDERER)
