"""Valid Chinese identifiers for synthetic data, made one way for the demo market, the planted
markets and the test factories: what they generate must pass the same checks the intake runs
(credit/domain/identifiers.py), so a generator that drifts fails there, not silently."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric
from stdnum.cn import uscc as gb32100

from credit.domain.identifiers import organization_code_check

# GB 32100 characters (no I, O, S, V, Z)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(kind: str, region: str, body: str, org_check: str | None = None) -> str:
    """18 characters: registration kind (e.g. "91" an enterprise), 6-digit region, the 8
    characters of the GB 11714 organisation code and its check character (`org_check` to
    make a wrong one on purpose), then the GB 32100 check character."""
    stem = kind + region + body + (org_check or organization_code_check(body))
    return stem + str(gb32100.calc_check_digit(stem))


def identity_number(region: str, birth: date, sequence: int) -> str:
    """GB 11643: 6-digit region of birth registration, birth date, 3-digit sequence (odd for
    men, even for women), check character."""
    stem = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return stem + str(ric.calc_check_digit(stem + "0"))
