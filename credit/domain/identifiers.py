"""National identifiers: validated on intake, and identity numbers never kept in clear.

Validation is memoised: one intake file names the same parties in many records.

USCC (GB 32100-2015) and resident identity numbers (GB 11643) are checked with python-stdnum.
stdnum does not check the organisation code embedded in a USCC (GB 11714), so that one
weighted-sum check lives here.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from credit.domain.errors import DomainError

_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class IdentifierError(DomainError):
    """A rejected identifier, with the rule it broke (used in intake error reports)."""

    def __init__(self, rule: str, message: str, field: str = "identifier") -> None:
        super().__init__(field, rule, message)


def organization_code_check(body: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(
        _ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@lru_cache(maxsize=200_000)
def validate_uscc(value: str) -> str:
    """Return the compact USCC or raise IdentifierError naming the broken rule."""
    try:
        number: str = uscc.validate(value)
    except InvalidLength as exc:
        raise IdentifierError("uscc.length", "a USCC has exactly 18 characters") from exc
    except InvalidChecksum as exc:
        raise IdentifierError(
            "uscc.check_character", "the 18th character does not match GB 32100-2015"
        ) from exc
    except (InvalidFormat, InvalidComponent, ValidationError) as exc:
        raise IdentifierError(
            "uscc.alphabet",
            "a USCC has 8 leading digits and then only 0-9 and A-Z without I, O, S, V, Z",
        ) from exc
    org_code = number[8:17]
    if not all(c in _ORG_CODE_ALPHABET for c in org_code[:8]) or (
        organization_code_check(org_code[:8]) != org_code[8]
    ):
        raise IdentifierError(
            "uscc.organization_code",
            "characters 9-17 are not a valid GB 11714 organisation code",
        )
    return number


@lru_cache(maxsize=200_000)
def validate_identity_number(value: str) -> str:
    """Return the compact resident identity number or raise IdentifierError."""
    try:
        number: str = ric.validate(value)
    except InvalidLength as exc:
        raise IdentifierError("id_number.length", "an identity number has 18 characters") from exc
    except InvalidChecksum as exc:
        raise IdentifierError(
            "id_number.check_digit", "the check digit does not match GB 11643"
        ) from exc
    except InvalidComponent as exc:
        try:
            ric.get_birth_date(value)
        except ValidationError:
            raise IdentifierError(
                "id_number.birth_date", "the birth date in the number is not a real date"
            ) from exc
        raise IdentifierError(
            "id_number.region", "the first six digits are not a known region code"
        ) from exc
    except (InvalidFormat, ValidationError) as exc:
        raise IdentifierError(
            "id_number.format", "17 digits followed by a digit or X are required"
        ) from exc
    return number


def hash_identity_number(number: str, secret: str) -> str:
    """Salted (keyed) hash: stable within a deployment, useless without its secret."""
    digest = hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def mask_identity_number(number: str) -> str:
    """Show the region and the last four characters only, as disclosure rules expect."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
