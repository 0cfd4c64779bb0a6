"""The browser pages under /ui: the built front end (web/, see its README section) and the
session exchange that lets a person sign in with the access key their administrator issued.

The pages call /graphql with the session's bearer token, so every permission holds exactly as
in the API; nothing here decides what a role may see."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from credit.api.gate import authorise_and_audit
from credit.core.settings import PROJECT_ROOT, Settings
from credit.security.audit import AuditLog
from credit.security.auth import AuthError, create_token
from credit.security.permissions import PermissionTable

SESSION_ROUTE = "POST /auth/session"
# Everything is bundled: scripts, styles, fonts and images come from this origin only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def ui_dir() -> Path:
    """The built pages (`npm run build` in web/); CREDIT_UI_DIR overrides for deployments."""
    return Path(os.environ.get("CREDIT_UI_DIR") or PROJECT_ROOT / "web" / "dist")


def session_router(settings: Settings, table: PermissionTable, audit: AuditLog) -> APIRouter:
    router = APIRouter()

    @router.post("/auth/session")
    def session(request: Request) -> dict[str, object]:
        """Exchange a person's access key (X-API-Key) for a short-lived bearer token of the
        same principal, role and organisation, so the key itself never sits in the browser."""
        ttl = timedelta(minutes=settings.ui_session_minutes)
        principal = authorise_and_audit(
            request, table, audit, SESSION_ROUTE, {"ttl": f"{settings.ui_session_minutes}m"}
        )
        if not principal.credential.startswith("apikey:"):
            raise HTTPException(
                400,
                {
                    "code": "BAD_USER_INPUT",
                    "field": "x-api-key",
                    "message": "sign in with an access key; a token cannot renew itself",
                },
            )
        try:
            token = create_token(
                settings,
                sorted(principal.roles),
                principal.name,
                ttl,
                organization=principal.organization,
                api_key=principal.credential.removeprefix("apikey:"),  # dies with the key
            )
        except AuthError as exc:  # e.g. RS256 without a signing key configured
            raise HTTPException(503, {"code": "UNAVAILABLE", "message": str(exc)}) from None
        return {
            "token": token,
            "expiresAt": (datetime.now(UTC) + ttl).isoformat(),
            "name": principal.name,
            "roles": sorted(principal.roles),
            "organization": principal.organization,
        }

    return router


class _Pages(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
        return response


def mount_ui(app: FastAPI) -> None:
    """Serve the built pages at /ui/, or say how to build them."""
    folder = ui_dir()
    if (folder / "index.html").is_file():

        @app.get("/favicon.ico", include_in_schema=False)
        def favicon() -> Response:
            """Browsers ask for it on their own: an answer, never a 401 in the console."""
            return FileResponse(folder / "favicon.svg", media_type="image/svg+xml")

        app.mount("/ui", _Pages(directory=folder, html=True), name="ui")
        return

    @app.get("/ui", include_in_schema=False)
    @app.get("/ui/{rest:path}", include_in_schema=False)
    def not_built() -> Response:
        return PlainTextResponse("the pages are not built: run `make ui`", status_code=503)
