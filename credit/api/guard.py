"""The schema extension that enforces the permission table and writes the audit trail.

The document is walked once per (query text, roles) - cached - to find its root operations,
sensitive fields and estimated cost; a denied operation never reaches a resolver. After
execution every operation is appended to the audit trail with its targets and a result hash.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from credit.intake.mapping import key_uid, org_uid
from credit.security.audit import AuditEvent, AuditLog, result_hash
from credit.security.permissions import OperationPlan, PermissionTable, check, plan_document

TARGET_ARGS = {"id": None, "uscc": "org", "subjectId": None, "lotId": "lot", "targetId": None}
RESULT_ID_KEYS = frozenset({"id", "supplierId", "subjectId"})


def _forbidden(code: str, field: str, message: str) -> ExecutionResult:
    error = GraphQLError(message, extensions={"code": code, "field": field})
    return ExecutionResult(data=None, errors=[error])


def _root_fields(document: DocumentNode) -> list[FieldNode]:
    fields = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            fields += [s for s in definition.selection_set.selections if isinstance(s, FieldNode)]
    return fields


def _targets(document: DocumentNode, variables: dict[str, Any] | None, data: Any) -> list[str]:
    found: list[str] = []
    for node in _root_fields(document):
        for arg in node.arguments or ():
            if arg.name.value not in TARGET_ARGS:
                continue
            value: ValueNode = arg.value
            raw = (
                (variables or {}).get(value.name.value)
                if isinstance(value, VariableNode)
                else (value_from_ast_untyped(value))
            )
            if isinstance(raw, str) and raw:
                kind = TARGET_ARGS[arg.name.value]
                if kind and not raw.startswith(f"{kind}:"):
                    raw = org_uid(raw) if kind == "org" else key_uid(kind, raw)
                found.append(raw)
        _result_ids((data or {}).get(node.alias.value if node.alias else node.name.value), found, 3)
    return sorted(set(found))[:200]


def _result_ids(value: Any, found: list[str], depth: int) -> None:
    """Ids of what the caller was shown (a lot check names every bidder), a few levels deep."""
    if depth == 0:
        return
    if isinstance(value, list):
        for item in value[:500]:
            _result_ids(item, found, depth)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in RESULT_ID_KEYS and isinstance(item, str):
                found.append(item)
            elif key == "ids" and isinstance(item, list):
                found += [i for i in item if isinstance(i, str)]
            elif isinstance(item, dict | list):
                _result_ids(item, found, depth - 1)


class AccessGuard(SchemaExtension):
    def __init__(self, plans: PlanCache, audit: AuditLog, max_cost: int) -> None:
        super().__init__()
        self.plans = plans
        self.table = plans.table
        self.audit = audit
        self.max_cost = max_cost

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        principal = getattr(ec.context, "principal", None)
        document = ec.graphql_document
        outcome = "ok"
        plan: OperationPlan | None = None
        if principal is None or document is None:
            ec.result = _forbidden("UNAUTHENTICATED", "(request)", "authentication required")
            outcome = "denied"
        else:
            plan = self.plans.get(ec.query or "", document)
            denial = check(plan, self.table, principal)
            if denial is not None:
                ec.result = _forbidden("FORBIDDEN", denial.field, denial.message)
                outcome = "denied"
            elif plan.cost > self.max_cost:
                ec.result = _forbidden(
                    "COST_LIMIT", "(query)", f"estimated cost {plan.cost} is over {self.max_cost}"
                )
                outcome = "denied"
        if principal is None or document is None:
            yield
            return
        base = AuditEvent(
            actor=principal.subject,
            actor_name=principal.name,
            roles=tuple(sorted(principal.roles)),
            credential=principal.credential,
            operation=",".join(plan.root_fields) if plan else "",
            targets=tuple(_targets(document, ec.variables, None)),
            outcome=outcome,
            result_hash="",
            reason=_reason(document, ec.variables),
        )
        # A query's own bookkeeping writes (check records) are covered by its request event,
        # durable before the answer leaves; a mutation's writes each carry theirs.
        writes = any(f.startswith("Mutation.") for f in base.operation.split(","))
        scope, token = self.audit.scope(base if writes else None)
        try:
            yield
        finally:
            self.audit.end_scope(token)
        result = ec.result
        data = getattr(result, "data", None)
        errors = getattr(result, "errors", None)
        if outcome == "ok" and errors:
            outcome = "error"
        written = scope.touched if scope else []
        event = replace(
            base,
            targets=tuple(dict.fromkeys([*_targets(document, ec.variables, data), *written])),
            outcome=outcome,
            result_hash=result_hash({"data": data, "errors": [str(e) for e in errors or []]}),
        )
        try:  # durable before the answer leaves; no trail, no answer
            await self.audit.commit(event)
        except Exception:
            ec.result = _forbidden(
                "AUDIT_UNAVAILABLE", "(request)", "the audit trail could not be written"
            )


def _reason(document: DocumentNode, variables: dict[str, Any] | None) -> str:
    """The `reason` argument of the operation's root fields (an amendment's, a review's)."""
    for node in _root_fields(document):
        for arg in node.arguments or ():
            if arg.name.value == "reason":
                value = arg.value
                raw = (
                    (variables or {}).get(value.name.value)
                    if isinstance(value, VariableNode)
                    else value_from_ast_untyped(value)
                )
                if isinstance(raw, str):
                    return raw[:2000]
    return ""


class PlanCache:
    """Plans by query text (bounded LRU), shared by every request of one schema."""

    def __init__(self, table: PermissionTable, size: int = 512) -> None:
        self.table, self.size = table, size
        self.schema: GraphQLSchema | None = None  # set once the schema is built
        self._plans: OrderedDict[str, OperationPlan] = OrderedDict()

    def get(self, query: str, document: DocumentNode) -> OperationPlan:
        plan = self._plans.get(query)
        if plan is None:
            assert self.schema is not None
            plan = plan_document(self.schema, document, self.table)
            self._plans[query] = plan
            if len(self._plans) > self.size:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(query)
        return plan
