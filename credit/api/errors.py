"""Errors a client can act on: a stable code plus the field and the rule that was broken."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError

from credit.core.failures import UNAVAILABLE as UNAVAILABLE  # re-exported: the HTTP layer reads it
from credit.core.failures import translate
from credit.domain.errors import DomainError
from credit.intake.pipeline import IntakeError
from credit.labels import error_label

# A domain error's code for clients, by its rule; any other rule is the caller's input.
CODES = {"not_found": "NOT_FOUND", "forbidden": "FORBIDDEN"}
STATUS = {"not_found": 404, "forbidden": 403}


def refused(exc: DomainError, error: GraphQLError | None = None) -> GraphQLError:
    """The one translation of a domain error for GraphQL (at the place of `error`, if given)."""
    code = CODES.get(exc.rule, "BAD_USER_INPUT")
    return GraphQLError(
        exc.describe(),
        nodes=error.nodes if error else None,
        path=error.path if error else None,
        extensions=_labelled({"code": code, "field": exc.field, "rule": exc.rule}),
    )


def http_refusal(_request: Request, exc: Exception) -> JSONResponse:
    """The one translation of a domain error for HTTP routes: the status by rule, and the
    same code, field, rule and message as in GraphQL."""
    assert isinstance(exc, DomainError)
    body = {
        "code": CODES.get(exc.rule, "BAD_USER_INPUT"),
        "field": exc.field,
        "rule": exc.rule,
        "message": exc.describe(),
    }
    return JSONResponse({"detail": body}, status_code=STATUS.get(exc.rule, 400))


def bad_input(field: str, rule: str, message: str) -> GraphQLError:
    return refused(DomainError(field, rule, message))


def rejected_record(errors: list[IntakeError]) -> GraphQLError:
    first = errors[0]
    return GraphQLError(
        f"{first.field}: {first.rule}: {first.message}",
        extensions={
            "code": "BAD_USER_INPUT",
            "field": first.field,
            "rule": first.rule,
            "errors": [{"field": e.field, "rule": e.rule, "message": e.message} for e in errors],
        },
    )


def not_found(field: str, value: str) -> GraphQLError:
    return bad_input(field, "not_found", f"nothing is known under {value!r}")


def _labelled(extensions: dict[str, str]) -> dict[str, str]:
    """With the catalogue's sentence for a person ("label"), when it has one."""
    label = error_label(extensions["field"], extensions["rule"])
    return {**extensions, "label": label} if label else extensions


def translated(error: GraphQLError) -> GraphQLError:
    """A resolver's error with its translation (code, message) when it has one, else as is."""
    if (error.extensions or {}).get("code"):
        return error
    if isinstance(error.original_error, DomainError):
        return refused(error.original_error, error)
    translation = translate(error.original_error)
    if translation is None:
        return error
    return GraphQLError(
        translation.message,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": translation.code, "retryAfter": translation.retry_after},
    )
