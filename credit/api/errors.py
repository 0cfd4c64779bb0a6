"""Errors a client can act on: a stable code plus the field and the rule that was broken."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
)

from credit.intake.pipeline import IntakeError
from credit.labels import error_label


def bad_input(field: str, rule: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"{field}: {rule}: {message}",
        extensions=_labelled({"code": "BAD_USER_INPUT", "field": field, "rule": rule}),
    )


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
    return GraphQLError(
        f"{field}: not_found: nothing is known under {value!r}",
        extensions=_labelled({"code": "NOT_FOUND", "field": field, "rule": "not_found"}),
    )


def _labelled(extensions: dict[str, str]) -> dict[str, str]:
    """With the catalogue's sentence for a person ("label"), when it has one."""
    label = error_label(extensions["field"], extensions["rule"])
    return {**extensions, "label": label} if label else extensions


# -- failures of what is around the API, translated for clients -----------------------------


@dataclass(frozen=True)
class Translation:
    """How a failure that is not the client's fault is answered: a stable code, a message that
    says what to do, the HTTP status, and when to retry (seconds; None: no Retry-After)."""

    code: str
    message: str
    status: int
    retry_after: int | None


UNAVAILABLE = Translation(
    "UNAVAILABLE", "the database is unavailable for a moment; retry shortly", 503, 5
)

# The one table: an exception of these classes (anywhere in the chain of causes) is answered
# with its translation instead of a 500 and a trace. The driver raises ServiceUnavailable or
# SessionExpired when Neo4j is down or restarting, DatabaseUnavailable while the database is
# starting, and a pool timeout when every connection waits on a database that does not answer.
TRANSLATIONS: tuple[tuple[tuple[type[BaseException], ...], Translation], ...] = (
    (
        (
            ServiceUnavailable,
            SessionExpired,
            DatabaseUnavailable,
            ConnectionAcquisitionTimeoutError,
        ),
        UNAVAILABLE,
    ),
)


def translate(exc: BaseException | None) -> Translation | None:
    """The translation of `exc` (or of what caused it), or None for anything else."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for classes, translation in TRANSLATIONS:
            if isinstance(exc, classes):
                return translation
        exc = exc.__cause__ or exc.__context__
    return None


def translated(error: GraphQLError) -> GraphQLError:
    """A resolver's error with its translation (code, message) when it has one, else as is."""
    if (error.extensions or {}).get("code"):
        return error
    translation = translate(error.original_error)
    if translation is None:
        return error
    return GraphQLError(
        translation.message,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": translation.code, "retryAfter": translation.retry_after},
    )
