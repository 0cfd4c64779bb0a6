"""The schema extension that enforces the permission table and writes the audit trail.

The document is walked once per query text - cached - to find its root operations and
sensitive fields; its cost is estimated per request, with the request's variable values and
fragments expanded where they are spread. Each root field (alias) takes one unit of the
caller's rate allowance. A denied operation never reaches a resolver. After execution every
operation is appended to the audit trail with its targets and a result hash.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from credit.core.failures import translate
from credit.domain import ids
from credit.security.audit import AuditEvent, AuditLog, result_hash
from credit.security.middleware import AUDITED, CHARGE
from credit.security.permissions import OperationPlan, PermissionTable, check, plan_document

TARGET_ARGS = {"id": None, "uscc": "org", "subjectId": None, "lotId": "lot", "targetId": None}
RESULT_ID_KEYS = frozenset({"id", "supplierId", "subjectId"})


def _forbidden(code: str, field: str, message: str) -> ExecutionResult:
    error = GraphQLError(message, extensions={"code": code, "field": field})
    return ExecutionResult(data=None, errors=[error])


def _operations(
    document: DocumentNode, operation_name: str | None
) -> list[OperationDefinitionNode]:
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return [d for d in found if d.name is not None and d.name.value == operation_name]
    return found


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _root_fields(document: DocumentNode, operation_name: str | None = None) -> list[FieldNode]:
    """The root fields of the operation, also those inside fragments and inline fragments."""
    fragments = _fragments(document)
    fields: list[FieldNode] = []
    seen: set[str] = set()

    def collect(selections: SelectionSetNode) -> None:
        for node in selections.selections:
            if isinstance(node, FieldNode):
                fields.append(node)
            elif isinstance(node, InlineFragmentNode):
                collect(node.selection_set)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                if (fragment := fragments.get(node.name.value)) is not None:
                    collect(fragment.selection_set)

    for operation in _operations(document, operation_name):
        collect(operation.selection_set)
    return fields


def _operation_count(document: DocumentNode, operation_name: str | None) -> int:
    """Root fields that run (fields of one response key merge into one run)."""
    return len(
        {
            (node.alias or node.name).value
            for node in _root_fields(document, operation_name)
            if not node.name.value.startswith("__")
        }
    )


_LIST_SIZE_ARGS = ("first", "limit")
DEFAULT_LIST_SIZE = 20


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None = None,
) -> int:
    """Every field costs the product of the page sizes above it: a `first`/`limit` argument
    (literal, variable or the variable's default), else DEFAULT_LIST_SIZE for a list. A
    fragment counts wherever it is spread, at the size there."""
    total = 0
    for operation in _operations(document, operation_name):
        root = schema.get_root_type(operation.operation)
        if root is not None:
            walk = _CostWalk(schema, _fragments(document), operation, variables)
            total += walk.cost(operation.selection_set, root)
    return total


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
    ) -> None:
        self.schema, self.fragments = schema, fragments
        self.values = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        } | dict(variables or {})
        self.memo: dict[str, int] = {}  # a fragment's cost per unit (sizes multiply outside)

    def size(self, node: FieldNode, field_type: GraphQLOutputType) -> int:
        for arg in node.arguments or ():
            if arg.name.value in _LIST_SIZE_ARGS:
                value = (
                    self.values.get(arg.value.name.value)
                    if isinstance(arg.value, VariableNode)
                    else value_from_ast_untyped(arg.value)
                )
                if isinstance(value, int) and not isinstance(value, bool):
                    return max(1, value)
        return DEFAULT_LIST_SIZE if is_list_type(get_nullable_type(field_type)) else 1

    def cost(self, selections: SelectionSetNode, parent: GraphQLNamedType) -> int:
        found = 0
        for node in selections.selections:
            if isinstance(node, FieldNode):
                definition = getattr(parent, "fields", {}).get(node.name.value)
                found += 1
                if definition is not None and node.selection_set is not None:
                    inner = self.cost(node.selection_set, get_named_type(definition.type))
                    found += self.size(node, definition.type) * inner
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                named = self.schema.get_type(condition.name.value) if condition else parent
                found += self.cost(node.selection_set, named or parent)
            elif isinstance(node, FragmentSpreadNode):
                found += self.fragment(node.name.value, parent)
        return found

    def fragment(self, name: str, parent: GraphQLNamedType) -> int:
        if name not in self.memo and (fragment := self.fragments.get(name)) is not None:
            self.memo[name] = 0  # a cycle (refused by validation anyway) adds nothing
            named = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[name] = self.cost(fragment.selection_set, named or parent)
        return self.memo.get(name, 0)


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
                if kind:
                    raw = ids.uid(kind, raw)
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
            _mark_audited(ec.context)  # the event is written below, after execution
            plan = self.plans.get(ec.query or "", document, ec.variables, ec.operation_name)
            denial = check(plan, self.table, principal)
            if denial is None and plan.cost <= self.max_cost:  # each root field takes a unit
                count = _operation_count(document, ec.operation_name) - 1
                wait = await _charge(ec.context, count)
                if wait > 0:
                    ec.result = _rate_limited(ec.context, wait)
                    outcome = "denied"
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
            await self.audit.commit(event, token)
        except Exception as exc:
            down = translate(exc)  # the database is away: say so, as the resolvers would
            answer = (
                _forbidden(down.code, "(request)", down.message)
                if down is not None
                else _forbidden(
                    "AUDIT_UNAVAILABLE", "(request)", "the audit trail could not be written"
                )
            )
            # In place: strawberry answers with the result object it already holds.
            if isinstance(result, ExecutionResult):
                result.data, result.errors = None, answer.errors
            else:
                ec.result = answer


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


def _state(context: Any) -> Any:
    request = getattr(context, "request", None)
    return getattr(request, "state", None)


def _mark_audited(context: Any) -> None:
    """Tell the HTTP gate this request's audit event is this operation's own."""
    if (state := _state(context)) is not None:
        setattr(state, AUDITED, True)


async def _charge(context: Any, count: int) -> float:
    """Take `count` more units of the caller's rate allowance (the HTTP request took one;
    shared by every instance): 0 if allowed, else the seconds to wait. Outside HTTP (no gate)
    nothing is charged."""
    charge = getattr(_state(context), CHARGE, None)
    return float(await charge(count)) if count > 0 and charge is not None else 0.0


def _rate_limited(context: Any, wait: float) -> ExecutionResult:
    seconds = math.ceil(wait)
    response = getattr(context, "response", None)
    if response is not None:  # the HTTP answer says so too, as the gate's own 429 does
        response.status_code = 429
        response.headers["retry-after"] = str(seconds)
    error = GraphQLError(
        "too many operations for your rate limit; each root field counts; retry later",
        extensions={"code": "RATE_LIMITED", "field": "(query)", "retryAfter": seconds},
    )
    return ExecutionResult(data=None, errors=[error])


class PlanCache:
    """Plans by query text (bounded LRU), shared by every request of one schema."""

    def __init__(self, table: PermissionTable, size: int = 512) -> None:
        self.table, self.size = table, size
        self.schema: GraphQLSchema | None = None  # set once the schema is built
        self._plans: OrderedDict[str, OperationPlan] = OrderedDict()

    def get(
        self,
        query: str,
        document: DocumentNode,
        variables: dict[str, Any] | None = None,
        operation: str | None = None,
    ) -> OperationPlan:
        """The cached plan, its cost estimated for this request's variables: the cost
        depends on their values, so it is worked out each time (fragments once per request)."""
        assert self.schema is not None
        plan = self._cached(query, document)
        return replace(plan, cost=estimate_cost(self.schema, document, variables, operation))

    def _cached(self, query: str, document: DocumentNode) -> OperationPlan:
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
