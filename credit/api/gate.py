"""HTTP routes outside GraphQL (the feed's bulk pull, the UI's session exchange) pass the same
two checks as a GraphQL operation: the permission table's `[routes]` entry, and one audit event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException, Request

from credit.domain.errors import DomainError
from credit.security.audit import AuditEvent, AuditLog, result_hash
from credit.security.middleware import AUDITED
from credit.security.permissions import PermissionTable, Principal


def authorise_and_audit(
    request: Request,
    table: PermissionTable,
    audit: AuditLog,
    route: str,
    payload: Any,
    targets: tuple[str, ...] = (),
    problems: Sequence[DomainError] = (),
) -> Principal:
    """The caller the security middleware authenticated, if `route` ("METHOD /path") allows
    one of its roles (403 otherwise, denied by default when the route has no entry), and then
    only if its parameters are valid (`problems`, found by the route: 400 on the first). The
    order keeps a caller who may not call the route from learning what it accepts. Either way
    the call is audited, with a hash of `payload` (what the request asked for)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # the middleware lets no unauthenticated call through; be sure
        raise HTTPException(401, {"code": "UNAUTHENTICATED", "message": "sign in first"})
    allowed = principal.has_any(table.routes.get(route, frozenset()))
    outcome = "denied" if not allowed else "error" if problems else "ok"
    audit.record(
        AuditEvent(
            actor=principal.subject,
            actor_name=principal.name,
            roles=tuple(sorted(principal.roles)),
            credential=principal.credential,
            operation=route,
            targets=targets,
            outcome=outcome,  # refusals are on the trail too, as in GraphQL
            result_hash=result_hash(payload),
        )
    )
    setattr(request.state, AUDITED, True)
    if not allowed:
        raise HTTPException(403, {"code": "FORBIDDEN", "message": f"may not call {route}"})
    if problems:
        raise problems[0]  # answered by the app's one translation (credit/api/errors.py)
    return principal
