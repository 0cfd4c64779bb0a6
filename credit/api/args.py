"""Arguments that name something, read once for every resolver: an identifier checked by its
rule (a bad one is refused naming the argument), an organisation by USCC or SCHEME-id, and
the "exactly one of uscc and id" choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from credit.api.errors import bad_input
from credit.domain.identifiers import IdentifierError, validate_org_key
from credit.intake.mapping import org_uid

T = TypeVar("T")


def checked(check: Callable[[str], T], field: str, value: str) -> T:
    """`check(value)`, its IdentifierError refused as bad input naming `field`."""
    try:
        return check(value)
    except IdentifierError as exc:
        raise bad_input(field, exc.rule, str(exc)) from None


def org(uscc: str) -> str:
    """A USCC, or SCHEME-id for an organisation identified in another org-id.guide scheme."""
    return org_uid(checked(validate_org_key, "uscc", uscc))


def one_of(uscc: str | None, id: object | None) -> None:
    """An organisation or person is named by exactly one of its USCC and its id."""
    if (uscc is None) == (id is None):
        raise bad_input("uscc", "one_of", "give exactly one of uscc and id")
