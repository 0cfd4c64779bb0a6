"""R018 Single bid received.

Signals a lack of competition: flags an ``ocid`` (value ``1.0``) if ``tender/numberOfTenderers``
is the integer 1, for ``tender/procurementMethod`` in ``open|selective`` by default.
Re-implements cardinal-rs ``src/indicators/r018.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    Calculator,
    Settings,
    State,
    get,
    get_dict,
    matches_procurement_method,
    parse_pipe_separated_value,
)

DEFAULT_PROCUREMENT_METHODS = "open|selective"


class R018(Calculator):
    def __init__(self, settings: Settings) -> None:
        value = settings.R018.procurement_methods if settings.R018 is not None else None
        self.procurement_methods = parse_pipe_separated_value(value, DEFAULT_PROCUREMENT_METHODS)

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        tender = get_dict(release, "tender")
        if tender is None or not matches_procurement_method(tender, self.procurement_methods):
            return
        number = get(tender, "numberOfTenderers")
        # serde_json `as_u64()`: only non-negative integers (not floats, not booleans).
        if isinstance(number, int) and not isinstance(number, bool) and number == 1:
            state.set_result(OCID, ocid, "R018", 1.0)
