"""R003 Short submission period.

Signals a tender period so short that few bidders can prepare bids. Flags an ``ocid`` (value
``1.0``) if ``tender/tenderPeriod`` lasts fewer whole days than the threshold (default 15,
overridable per ``tender/procurementMethodDetails``), optionally only for some
``tender/procurementMethod`` values. Re-implements cardinal-rs ``src/indicators/r003.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    Calculator,
    R003Settings,
    Settings,
    State,
    get_dict,
    get_str,
    matches_procurement_method,
    num_days,
    parse_pipe_separated_value,
    parse_rfc3339_ns,
)


class R003(Calculator):
    def __init__(self, settings: Settings) -> None:
        setting = settings.R003 or R003Settings()
        self.threshold = setting.threshold
        self.procurement_methods = parse_pipe_separated_value(setting.procurement_methods)
        self.procurement_method_details = dict(setting.procurement_method_details or {})

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        tender = get_dict(release, "tender")
        if tender is None or not matches_procurement_method(tender, self.procurement_methods):
            return
        tender_period = get_dict(tender, "tenderPeriod")
        start_date = get_str(tender_period, "startDate")
        end_date = get_str(tender_period, "endDate")
        if start_date is None or end_date is None:
            return
        start = parse_rfc3339_ns(start_date)
        end = parse_rfc3339_ns(end_date)
        if start is None or end is None:
            return
        details = get_str(tender, "procurementMethodDetails")
        if details is not None and details in self.procurement_method_details:
            threshold = self.procurement_method_details[details]
        else:
            threshold = self.threshold
        if num_days(start, end) < threshold:
            state.set_result(OCID, ocid, "R003", 1.0)
