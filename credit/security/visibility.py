"""Row- and field-level visibility: which procurement unit's lots a caller sees, and how a
field that can carry a person's data or supervisors' review notes reaches a caller without the
role to see it as stored. Pure functions of the principal, the data and the permission table
(credit/security/permissions.toml); credit/api/types.py applies them to every resolver at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from credit.security.permissions import FieldRule, Mask, PermissionTable, Principal, Role

# How a unit-bound node reaches its project: (relationship, outgoing from the node, next kind).
# A project belongs to its purchaser (PURCHASED_BY) and the agency running it (RUN_BY).
UNIT_PATH: Mapping[str, tuple[str, bool, str]] = {
    "bid": ("FOR_LOT", True, "lot"),
    "award": ("AWARD_OF", True, "lot"),
    "contract": ("UNDER_AWARD", True, "award"),
    "lot": ("HAS_LOT", False, "project"),
}
PROJECT = "project"
PERSON_PREFIX = "person:"
PSEUDONYM_PREFIX = "anon:"
_PERSON_ID = re.compile(r"person:[0-9A-Za-z_\-]+")


def kind_of(uid: str) -> str:
    return uid.split(":", 1)[0]


def unit_bound(uid: str) -> bool:
    """Whether a node belongs to a procurement unit (a lot, its project, bids, awards)."""
    kind = kind_of(uid)
    return kind == PROJECT or kind in UNIT_PATH


@dataclass(frozen=True)
class Units:
    """The organisations (org uids) a procurement belongs to."""

    purchaser: str | None
    agency: str | None

    def __contains__(self, org: object) -> bool:
        return org is not None and org in (self.purchaser, self.agency)


def sees_all(table: PermissionTable, p: Principal | None) -> bool:
    return p is not None and p.has_any(table.rows.see_all)


def own_unit(p: Principal) -> str | None:
    """The caller's unit as an org uid (its USCC claim)."""
    return f"org:{p.organization}" if p.organization else None


def sees_units(table: PermissionTable, p: Principal | None, units: Units | None) -> bool:
    """A purchaser sees the procurements it buys, an agency those it runs; supervisors all.
    Something that belongs to no unit (units None) is seen by the see-all roles only."""
    if sees_all(table, p):
        return True
    if p is None or units is None or (mine := own_unit(p)) is None:
        return False
    return (Role.PURCHASER in p.roles and mine == units.purchaser) or (
        Role.AGENCY in p.roles and mine == units.agency
    )


def unit_lot_scope(p: Principal) -> Units:
    """Whose procurements are the caller's own "my lots": its unit as purchaser (a purchaser)
    and as agency (an agency). A caller without a unit has none; supervisors see every lot
    elsewhere, not as "theirs"."""
    mine = own_unit(p)
    return Units(
        purchaser=mine if Role.PURCHASER in p.roles else None,
        agency=mine if Role.AGENCY in p.roles else None,
    )


def may_act(
    table: PermissionTable, p: Principal, purchaser_uscc: str | None, agency_uscc: str | None
) -> bool:
    """The same rule for callers of operations that name a procurement by its parties' USCCs."""
    return sees_units(
        table,
        p,
        Units(
            f"org:{purchaser_uscc}" if purchaser_uscc else None,
            f"org:{agency_uscc}" if agency_uscc else None,
        ),
    )


def flag_scope(table: PermissionTable, p: Principal) -> str | None:
    """None: every flag. Otherwise the org uid whose lots' flags the caller may list ("" for
    none: a purchaser token without an organisation sees no flags)."""
    return None if sees_all(table, p) else own_unit(p) or ""


def flag_visible(table: PermissionTable, p: Principal, buyers: Iterable[str]) -> bool:
    scope = flag_scope(table, p)
    return scope is None or scope in set(buyers)


# --- field masks ------------------------------------------------------------------------------


def rule_for(table: PermissionTable, key: str, p: Principal | None) -> FieldRule | None:
    """The rule to apply to Type.field for this caller; None when it sees the value as stored."""
    rule = table.fields.get(key)
    if rule is None or (p is not None and p.has_any(rule.roles)):
        return None
    return rule


def masked_name(name: str | None) -> str | None:
    """A person's name as public disclosures show it: the surname, then one star a character."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def pseudonym_key(secret: str) -> bytes:
    """The pseudonyms' key, derived from the deployment secret (never the secret itself)."""
    return hashlib.sha256(f"visibility\n{secret}".encode()).digest()


def pseudonym(uid: str, p: Principal | None, key: bytes) -> str:
    """A person's id as this caller's unit sees it: stable within the unit (the same expert is
    the same in two answers), unrelated across units, and never resolvable to the person."""
    viewer = (p.organization or p.subject) if p else "-"
    digest = hmac.new(key, f"{viewer}\n{uid}".encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:24]


def mask_person_ids(value: Any, p: Principal | None, key: bytes) -> Any:
    """Every person id in a value (a string, a list, a JSON tree) replaced by its pseudonym."""
    if isinstance(value, str):
        return _PERSON_ID.sub(lambda m: pseudonym(m.group(0), p, key), value)
    if isinstance(value, list | tuple):
        return [mask_person_ids(v, p, key) for v in value]
    if isinstance(value, dict):
        return {k: mask_person_ids(v, p, key) for k, v in value.items()}
    return value


def omitted(value: Any) -> Any:
    return [] if isinstance(value, list | tuple) else None


def redacted(
    table: PermissionTable, props: Mapping[str, Any], kinds: Iterable[str], p: Principal | None
) -> dict[str, Any]:
    """A generic property map without the properties [redact] keeps from this caller."""
    hidden = {
        prop
        for kind in kinds
        if (r := table.redact.get(kind)) and not (p and p.has_any(r.roles))
        for prop in r.properties
    }
    return {k: v for k, v in props.items() if k not in hidden}


def about_person(uids: Iterable[str]) -> bool:
    return any(u.startswith(PERSON_PREFIX) for u in uids)


def flag_text(title: str, own_lots: int, all_lots: int, names_person: bool) -> str | None:
    """What a flag's message says to a caller who sees only part of it: None (as stored) when
    it is whole and names no person; else its title, and how many of its lots are the caller's."""
    if not names_person and own_lots == all_lots:
        return None
    if own_lots == all_lots:
        return title
    return f"{title} ({own_lots} of {all_lots} lots are yours; the rest belong to other units)"


__all__ = ["Mask", "Units"]
