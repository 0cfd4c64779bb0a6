"""What each GraphQL operation did, seen from inside the schema: its errors translated (a
database outage is UNAVAILABLE, credit/api/errors.py) before production masking sees them,
its name in the logs and the audit context, and its count, latency and error codes."""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from credit.api.errors import translated
from credit.observability import metrics
from credit.observability.logs import OPERATION

MAX_FIELDS_IN_LABEL = 3


def code_of(error: GraphQLError) -> str:
    """The error's code; an uncoded error is a defect (INTERNAL) when a resolver raised it,
    else the document did not parse or validate."""
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    return "INTERNAL" if error.original_error is not None else "GRAPHQL_VALIDATION_FAILED"


class Observe(SchemaExtension):
    """Runs last of the schema's extensions, so it sees errors before MaskErrors does."""

    def _label(self) -> str:
        """ "query lotEligibility,lotFlags": the operation type and its root fields (those the
        schema has, so a client cannot grow the metric's labels), not the client's name."""
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is None:
            return "(invalid)"
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            o
            for o in operations
            if ctx.operation_name is None or (o.name and o.name.value == ctx.operation_name)
        ]
        if len(chosen) != 1:
            return "(invalid)"
        operation = chosen[0]
        root = ctx.schema._schema.get_root_type(operation.operation)
        known = root.fields if root is not None else {}
        names = sorted(
            {
                s.name.value
                for s in operation.selection_set.selections
                if isinstance(s, FieldNode) and s.name.value in known
            }
        )
        if not names:
            return "(invalid)"
        shown = ",".join(names[:MAX_FIELDS_IN_LABEL])
        more = ",…" if len(names) > MAX_FIELDS_IN_LABEL else ""
        return f"{operation.operation.value} {shown}{more}"

    def on_execute(self) -> Iterator[None]:
        OPERATION.set(self.execution_context.operation_name or self._label())
        yield

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        if errors:
            errors[:] = [translated(e) for e in errors]
        label = self._label()
        metrics.GRAPHQL_OPERATIONS.labels(
            operation=label, outcome="error" if errors else "ok"
        ).inc()
        metrics.GRAPHQL_LATENCY.labels(operation=label).observe(time.perf_counter() - started)
        metrics.count_errors(code_of(e) for e in errors)
