"""The row rules every resolver asks (credit/security/rows.py), on principals built directly:
which unit's lots, flags, check records, subscriptions and intake source a caller reaches.
The same rules over HTTP: tests/test_attacks_visibility.py, test_detect_api.py,
test_oversight_api.py, test_attacks_gateway.py."""

from __future__ import annotations

import pytest

from credit.domain.errors import DomainError
from credit.security.permissions import Principal, Role, load_table
from credit.security.rows import Rows
from credit.security.visibility import Units

BUYER, AGENT, OTHER = "91110000000000001X", "91110000000000002X", "91110000000000003X"


def rows(*roles: Role, org: str | None = None, source: str | None = None) -> Rows:
    principal = Principal("u1", "U", frozenset(roles), "t1", source=source, organization=org)
    return Rows(load_table(), principal)


LOT = Units(f"org:{BUYER}", f"org:{AGENT}")


def test_a_purchaser_reaches_the_lots_and_flags_of_its_own_unit_only() -> None:
    buyer, other = rows(Role.PURCHASER, org=BUYER), rows(Role.PURCHASER, org=OTHER)
    assert buyer.sees_units(LOT) and not other.sees_units(LOT)
    assert not buyer.sees_units(None)  # of no unit: see-all roles only
    assert buyer.sees_flag([f"org:{BUYER}"]) and not other.sees_flag([f"org:{BUYER}"])
    assert buyer.flag_scope() == f"org:{BUYER}"
    assert rows(Role.PURCHASER).flag_scope() == ""  # no organisation: no flags
    assert not buyer.sees_all and buyer.lot_scope() == Units(f"org:{BUYER}", None)


def test_an_agency_reaches_the_lots_it_runs_and_not_as_a_purchaser() -> None:
    agency = rows(Role.AGENCY, org=AGENT)
    assert agency.sees_units(LOT)
    assert not agency.sees_units(Units(f"org:{AGENT}", None))
    assert agency.lot_scope() == Units(None, f"org:{AGENT}")


def test_a_supervisor_sees_every_unit_and_acts_for_none() -> None:
    supervisor = rows(Role.SUPERVISOR, org=BUYER)
    assert supervisor.sees_all and supervisor.sees_units(None)
    assert supervisor.flag_scope() is None and supervisor.unit is None
    supervisor.require_own("lotId", OTHER, None)
    assert rows(Role.PURCHASER, org=BUYER).unit == BUYER


def test_acting_on_another_units_procurement_is_refused_naming_the_field() -> None:
    rows(Role.PURCHASER, org=BUYER).require_own("drawId", BUYER, AGENT)
    rows(Role.AGENCY, org=AGENT).require_own("drawId", BUYER, AGENT)
    with pytest.raises(DomainError) as refused:
        rows(Role.PURCHASER, org=OTHER).require_own("drawId", BUYER, AGENT)
    assert (refused.value.field, refused.value.rule) == ("drawId", "not_yours")
    with pytest.raises(DomainError):
        rows(Role.AGENCY, org=AGENT).require_own("projectId", BUYER, None)


def test_check_records_subscriptions_and_sources_are_the_callers_own() -> None:
    buyer = rows(Role.PURCHASER, org=BUYER)
    assert buyer.reads_check_record("u1") and not buyer.reads_check_record("u2")
    assert rows(Role.SUPERVISOR).reads_check_record("u2")
    assert buyer.webhook_owner() == "u1" and rows(Role.ADMIN).webhook_owner() is None
    client = rows(Role.SYNC_CLIENT, source="court")
    assert client.intake_source() == "court" and buyer.intake_source() == "-"
    assert rows(Role.SUPERVISOR).intake_source() is None
    client.require_source("court")
    with pytest.raises(DomainError) as refused:
        client.require_source("tax")
    assert (refused.value.field, refused.value.rule) == ("source", "source.forbidden")
