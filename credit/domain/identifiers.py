"""National identifiers: validated on intake, and identity numbers never kept in clear.

Organisations are keyed by the USCC when Chinese, else by `SCHEME-id` with an org-id.guide
scheme code (`UA-EDR-00032945`, `GB-COH-01234567`): the key of an open-data party from any
country, checked by the scheme's own rule where one is known.

Validation is memoised: one intake file names the same parties in many records.

USCC (GB 32100-2015) and resident identity numbers (GB 11643) are checked with python-stdnum.
stdnum does not check the organisation code embedded in a USCC (GB 11714), so that one
weighted-sum check lives here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

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


class _BirthDate(InvalidComponent):
    """An identity number whose birth date is not a real date (stdnum says only "component")."""


# stdnum's complaint -> our rule and message; the first class the complaint is an instance of.
_Rules = tuple[tuple[type[ValidationError], str, str], ...]
_USCC_RULES: _Rules = (
    (InvalidLength, "uscc.length", "a USCC has exactly 18 characters"),
    (InvalidChecksum, "uscc.check_character", "the 18th character does not match GB 32100-2015"),
    (
        ValidationError,
        "uscc.alphabet",
        "a USCC has 8 leading digits and then only 0-9 and A-Z without I, O, S, V, Z",
    ),
)
_RIC_RULES: _Rules = (
    (InvalidLength, "id_number.length", "an identity number has 18 characters"),
    (InvalidChecksum, "id_number.check_digit", "the check digit does not match GB 11643"),
    (_BirthDate, "id_number.birth_date", "the birth date in the number is not a real date"),
    (InvalidComponent, "id_number.region", "the first six digits are not a known region code"),
    (ValidationError, "id_number.format", "17 digits followed by a digit or X are required"),
)


def _compact(validate: Callable[[str], str], value: str, rules: _Rules) -> str:
    """The compact number stdnum's `validate` returns, or IdentifierError naming our rule."""
    try:
        return validate(value)
    except ValidationError as exc:
        rule, message = next((r, m) for kind, r, m in rules if isinstance(exc, kind))
        raise IdentifierError(rule, message) from exc


def _ric_validate(value: str) -> str:
    try:
        number: str = ric.validate(value)
    except InvalidComponent as exc:
        try:
            ric.get_birth_date(value)
        except ValidationError:
            raise _BirthDate() from exc
        raise
    return number


@lru_cache(maxsize=200_000)
def validate_uscc(value: str) -> str:
    """Return the compact USCC or raise IdentifierError naming the broken rule."""
    number = _compact(uscc.validate, value, _USCC_RULES)
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
    return _compact(_ric_validate, value, _RIC_RULES)


def hash_identity_number(number: str, secret: str) -> str:
    """Salted (keyed) hash: stable within a deployment, useless without its secret."""
    digest = hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def mask_identity_number(number: str) -> str:
    """Show the region and the last four characters only, as disclosure rules expect."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


USCC_SCHEME = "CN-USCC"
# org-id.guide list codes: a two-letter country (or XI/XM/XE... for international lists),
# a hyphen and the list's own letters and digits.
_SCHEME = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,12}$")
_KEY = re.compile(r"^([A-Z]{2}-[A-Z0-9]{2,12})-(.+)$")
_GENERIC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,79}$")
# The schemes whose identifier form is known: (pattern, what the rule says). UA-EDR carries the
# 8-digit EDRPOU code of a legal entity, and for a sole trader (ФОП) the 10-digit taxpayer
# number, which ProZorro publishes under the same scheme.
_SCHEME_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "UA-EDR": (re.compile(r"^(\d{8}|\d{10})$"), "8 digits (EDRPOU), or 10 for a sole trader"),
    "AM-TIN": (re.compile(r"^\d{8}$"), "8 digits (ՀՎՀՀ)"),
    "GB-COH": (re.compile(r"^[A-Z0-9]{8}$"), "8 letters or digits (Companies House number)"),
    "MD-IDNO": (re.compile(r"^\d{13}$"), "13 digits"),
    "GE-GNCTR": (re.compile(r"^\d{9}$"), "9 digits"),
}


def org_key(scheme: str, identifier: str) -> str:
    """The organisation key for an identifier in a scheme: the USCC itself for `CN-USCC`
    (check character verified), else `SCHEME-id` checked by the scheme's rule."""
    scheme = scheme.strip().upper()
    identifier = identifier.strip()
    if scheme == USCC_SCHEME:
        return validate_uscc(identifier.upper())
    if not scheme:
        raise IdentifierError("org_key.scheme", "an organisation identifier needs its scheme")
    if not _SCHEME.match(scheme):
        raise IdentifierError(
            "org_key.scheme",
            f"{scheme!r} is not an org-id.guide scheme code (like UA-EDR, GB-COH or CN-USCC)",
        )
    rule = _SCHEME_RULES.get(scheme)
    if rule is not None:
        if scheme == "GB-COH":
            identifier = identifier.upper()
        if not rule[0].match(identifier):
            raise IdentifierError("org_key.id", f"a {scheme} identifier is {rule[1]}")
    elif not _GENERIC_ID.match(identifier):
        raise IdentifierError(
            "org_key.id",
            "an identifier has 1-80 letters, digits, '.', '_', '/' or '-', starting with a "
            "letter or digit",
        )
    return f"{scheme}-{identifier}"


@lru_cache(maxsize=200_000)
def validate_org_key(value: str) -> str:
    """An organisation key as written in records and API arguments: a bare USCC, or
    `SCHEME-id` (a `CN-USCC-` prefix is read as the bare USCC). Returns the canonical key."""
    value = value.strip()
    match = _KEY.match(value.upper())
    if match is None:
        if "-" in value:
            raise IdentifierError(
                "org_key.scheme",
                "an organisation key is a USCC or SCHEME-id with an org-id.guide scheme code "
                "(like UA-EDR-00032945)",
            )
        return validate_uscc(value)
    scheme = match.group(1)
    return org_key(scheme, value[len(scheme) + 1 :])


def key_scheme(key: str) -> str:
    """The scheme of a canonical organisation key (a bare USCC is `CN-USCC`)."""
    match = _KEY.match(key)
    return match.group(1) if match else USCC_SCHEME


def is_uscc_key(key: str) -> bool:
    """Whether a canonical organisation key (or an `org:` uid) is a Chinese USCC."""
    return key_scheme(key.removeprefix("org:")) == USCC_SCHEME
