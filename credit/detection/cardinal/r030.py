"""R030 Late bid won.

Signals favoritism: flags an ``ocid`` and tenderer (value ``1.0``) if a valid bid dated after
``tender/tenderPeriod/endDate`` (string comparison) was submitted by a supplier of an active
award. Re-implements cardinal-rs ``src/indicators/r030.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    TENDERER,
    Calculator,
    State,
    get_dict,
    get_list,
    get_str,
)


class R030(Calculator):
    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        end_date = get_str(get_dict(get_dict(release, "tender"), "tenderPeriod"), "endDate")
        awards = get_list(release, "awards")
        details = get_list(get_dict(release, "bids"), "details")
        if end_date is None or awards is None or details is None:
            return
        supplier_ids: set[str] = set()
        for award in awards:
            suppliers = get_list(award, "suppliers")
            if get_str(award, "status") == "active" and suppliers is not None:
                supplier_ids.update(
                    i for supplier in suppliers if (i := get_str(supplier, "id")) is not None
                )
        for bid in details:
            date = get_str(bid, "date")
            tenderers = get_list(bid, "tenderers")
            if (
                get_str(bid, "status") == "valid"
                and date is not None
                and tenderers is not None
                and date > end_date
            ):
                for tenderer in tenderers:
                    tenderer_id = get_str(tenderer, "id")
                    if tenderer_id is not None and tenderer_id in supplier_ids:
                        state.set_result(OCID, ocid, "R030", 1.0)
                        state.set_result(TENDERER, tenderer_id, "R030", 1.0)
