"""R048 Heterogeneous supplier.

Signals a supplier (possibly a shell company) supplying unusually many kinds of items: flags a
supplier of active single-supplier awards in at least ``minimum_contracting_processes``
(default 20) contracting processes (value: its number of distinct item classification
prefixes of ``digits`` characters, default 2) if that number is at least the upper fence
(``Q3 + 1.5 * IQR``, or ``threshold``). Re-implements cardinal-rs ``src/indicators/r048.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    TENDERER,
    Calculator,
    R048Settings,
    Settings,
    State,
    get_dict,
    get_list,
    get_str,
    upper_fence,
)


class R048(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.setting = settings.R048 or R048Settings()

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        digits = self.setting.digits
        observed: set[str] = set()
        for award in get_list(release, "awards") or []:
            items = get_list(award, "items")
            suppliers = get_list(award, "suppliers")
            if (
                get_str(award, "status") != "active"
                or items is None
                or suppliers is None
                or len(suppliers) != 1
            ):
                continue
            supplier_id = get_str(suppliers[0], "id")
            if supplier_id is None:
                continue
            for item in items:
                classification_id = get_str(get_dict(item, "classification"), "id")
                if classification_id is None:
                    continue
                count, codes = state.r048_classifications.setdefault(supplier_id, ([0], set()))
                # A supplier is counted at most once per contracting process.
                if supplier_id not in observed:
                    observed.add(supplier_id)
                    count[0] += 1
                codes.add(classification_id[:digits])

    def finalize(self, state: State) -> None:
        lengths = {
            supplier_id: float(len(codes))
            for supplier_id, (count, codes) in state.r048_classifications.items()
            if count[0] >= self.setting.minimum_contracting_processes
        }
        state.r048_classifications.clear()
        threshold = self.setting.threshold
        fence = upper_fence(
            state, "R048", lengths.values(), None if threshold is None else float(threshold)
        )
        for supplier_id, length in lengths.items():
            if length >= fence:
                state.set_result(TENDERER, supplier_id, "R048", length)
