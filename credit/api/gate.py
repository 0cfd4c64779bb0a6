"""HTTP routes outside GraphQL (the feed's bulk pull, the UI's session exchange) pass the same
two checks as a GraphQL operation: the permission table's `[routes]` entry, and one audit event."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from credit.security.audit import AuditEvent, AuditLog, result_hash
from credit.security.permissions import PermissionTable, Principal


def authorise_and_audit(
    request: Request,
    table: PermissionTable,
    audit: AuditLog,
    route: str,
    payload: Any,
    targets: tuple[str, ...] = (),
) -> Principal:
    """The caller the security middleware authenticated, if `route` ("METHOD /path") allows
    one of its roles (403 otherwise, denied by default when the route has no entry). Either
    way the call is audited, with a hash of `payload` (what the request asked for)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # the middleware lets no unauthenticated call through; be sure
        raise HTTPException(401, {"code": "UNAUTHENTICATED", "message": "sign in first"})
    allowed = principal.has_any(table.routes.get(route, frozenset()))
    audit.record(
        AuditEvent(
            actor=principal.subject,
            actor_name=principal.name,
            roles=tuple(sorted(principal.roles)),
            credential=principal.credential,
            operation=route,
            targets=targets,
            outcome="ok" if allowed else "denied",  # refusals are on the trail too, as in GraphQL
            result_hash=result_hash(payload),
        )
    )
    if not allowed:
        raise HTTPException(403, {"code": "FORBIDDEN", "message": f"may not call {route}"})
    return principal
