"""R035 All except winning bid disqualified.

Signals manipulated evaluation: if all awards are final, exactly one tenderer has valid bids, it
is the only supplier of the active awards, and at least ``threshold`` (default 1) other
tenderers were disqualified, flags the ``ocid`` (value: that count) and the winner (``0.0``).
Re-implements cardinal-rs ``src/indicators/r035.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    TENDERER,
    Calculator,
    IntegerThreshold,
    Settings,
    State,
    get_complete_awards_and_bids_if_all_awards_final,
    get_list,
    get_str,
)

DEFAULT_THRESHOLD = 1


class R035(Calculator):
    def __init__(self, settings: Settings) -> None:
        threshold = (settings.R035 or IntegerThreshold()).threshold
        self.threshold = DEFAULT_THRESHOLD if threshold is None else max(threshold, 1)

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        supplier_ids: set[str] = set()
        valid_ids: set[str] = set()
        disqualified_ids: set[str] = set()
        found = get_complete_awards_and_bids_if_all_awards_final(release)
        if found is not None:
            complete_awards, details = found
            for award in complete_awards:
                for supplier in get_list(award, "suppliers") or []:
                    if (supplier_id := get_str(supplier, "id")) is not None:
                        supplier_ids.add(supplier_id)
            for bid in details:
                status = get_str(bid, "status")
                tenderers = get_list(bid, "tenderers")
                if status is None or tenderers is None:
                    continue
                if status == "valid":
                    target = valid_ids
                elif status == "disqualified":
                    target = disqualified_ids
                else:
                    continue
                target.update(i for t in tenderers if (i := get_str(t, "id")) is not None)
        if len(valid_ids) == 1 and valid_ids == supplier_ids:
            difference = len(disqualified_ids - valid_ids)
            if difference >= self.threshold:
                state.set_result(OCID, ocid, "R035", float(difference))
                state.set_result(TENDERER, next(iter(valid_ids)), "R035", 0.0)
