"""What the OCDS and BODS tests share: landing a converted file the way `credit ingest` does,
reading a conversion report as counts, and JSON that reaches the converters' branches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from credit.formats import Conversion, leave_known_organizations
from credit.intake.pipeline import Intake, IntakeReport


def land(intake: Intake, conversion: Conversion) -> IntakeReport:
    leave_known_organizations(conversion, intake.store.existing_uids)
    return intake.run(conversion.items)


def counts(conversion: Conversion) -> dict[str, tuple[int, int]]:
    """Kind -> (seen, mapped)."""
    report = conversion.report
    assert report is not None
    return {kind: (report.seen[kind], report.mapped[kind]) for kind in report.seen}


def json_values(keys: Sequence[str], words: Sequence[str]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON whose object keys are a format's field names and whose strings are often
    its codes, so that fuzzing gets past the first type check into the mapping itself."""
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**30), max_value=10**30)
        | st.floats()
        | st.sampled_from(list(words))
        | st.text(max_size=4)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(list(keys)), inner, max_size=6)
        ),
        max_leaves=40,
    )
