"""Errors a client can act on: a stable code plus the field and the rule that was broken."""

from __future__ import annotations

from graphql import GraphQLError

from credit.failures import UNAVAILABLE as UNAVAILABLE  # re-exported: the HTTP layer reads it
from credit.failures import translate
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
