"""Which rows one caller may see or act on, in one place: the procurement unit it belongs to,
the lots and flags of its unit (the purchaser-only-its-own-lots rule), its own check records,
webhook subscriptions and intake source. Built once per request from the principal and the
permission table (credit/security/permissions.toml); every resolver asks it, none decides on
its own. The rules themselves are credit/security/visibility.py's; this binds them to a caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from credit.domain.errors import DomainError
from credit.security import visibility as vis
from credit.security.permissions import FieldRule, PermissionTable, Principal, Role

NOT_YOURS = "only its purchaser, its agency or a supervisor"


@dataclass(frozen=True)
class Rows:
    table: PermissionTable
    principal: Principal | None

    @property
    def sees_all(self) -> bool:
        """A see-all role (supervisors): every unit's rows, every flag whole."""
        return vis.sees_all(self.table, self.principal)

    def sees_units(self, units: vis.Units | None) -> bool:
        """Whether the caller sees a procurement of these units (None: of no unit)."""
        return vis.sees_units(self.table, self.principal, units)

    def rule_for(self, key: str) -> FieldRule | None:
        """The mask of Type.field for this caller; None when it sees the value as stored."""
        return vis.rule_for(self.table, key, self.principal)

    def hides(self, label: str) -> bool:
        """Whether nodes of this label are hidden from the caller as a whole (search)."""
        return self.principal is None or self.table.hides_node((label,), self.principal)

    def _caller(self) -> Principal:
        assert self.principal is not None, "the access guard runs before any resolver"
        return self.principal

    @property
    def unit(self) -> str | None:
        """The USCC of the caller's own unit when it acts for it (supervisors act for none)."""
        p = self._caller()
        return None if Role.SUPERVISOR in p.roles else p.organization

    def lot_scope(self) -> vis.Units:
        """Whose procurements are the caller's own lots ("my lots")."""
        return vis.unit_lot_scope(self._caller())

    def flag_scope(self) -> str | None:
        """None: every flag; else the org uid whose lots' flags the caller lists."""
        return vis.flag_scope(self.table, self._caller())

    def sees_flag(self, buyers: Iterable[str]) -> bool:
        """Whether the caller sees a flag or a lot's flags, given the lots' buyers."""
        return vis.flag_visible(self.table, self._caller(), buyers)

    def require_own(self, field: str, purchaser: str | None, agency: str | None) -> None:
        """Purchasers and agencies act on the procurements they run (named by the parties'
        USCCs); supervisors on all. Anyone else is refused, naming `field`."""
        if not vis.may_act(self.table, self._caller(), purchaser, agency):
            raise DomainError(field, "not_yours", NOT_YOURS)

    def reads_check_record(self, requested_by: str) -> bool:
        """Supervisors read every filed check record; others the ones they filed."""
        p = self._caller()
        return Role.SUPERVISOR in p.roles or requested_by == p.subject

    def webhook_owner(self) -> str | None:
        """Whose webhook subscriptions the caller sees: operators all (None), else its own."""
        p = self._caller()
        return None if Role.ADMIN in p.roles else p.subject

    def intake_source(self) -> str | None:
        """The only source the caller's records may carry (None: supervisors write any)."""
        p = self._caller()
        return None if Role.SUPERVISOR in p.roles else p.source or "-"

    def require_source(self, source: str) -> None:
        """An external system pushes its own source's lists only; supervisors any."""
        p = self._caller()
        if Role.SUPERVISOR not in p.roles and p.source != source:
            raise DomainError("source", "source.forbidden", f"this client writes {p.source!r} only")
