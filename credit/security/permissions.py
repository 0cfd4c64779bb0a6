"""Who may do what: the principal, the declarative permission table, and the check that
walks a GraphQL document once per (query, roles) before anything runs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from pydantic import BaseModel, ConfigDict, ValidationError

TABLE_FILE = Path(__file__).resolve().parent / "permissions.toml"


class Role(StrEnum):
    PURCHASER = "PURCHASER"
    AGENCY = "AGENCY"
    SUPERVISOR = "SUPERVISOR"
    SYNC_CLIENT = "SYNC_CLIENT"
    ADMIN = "ADMIN"
    SUPPLIER = "SUPPLIER"  # a supplier reading its own report (credit/public/supplier.py)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person (JWT) or an external system (API key)."""

    subject: str
    name: str
    roles: frozenset[Role]
    credential: str  # token id (jti) or API-key id: what the audit trail names
    kind: str = "user"
    source: str | None = None  # SYNC_CLIENT: the only intake source it may write
    organization: str | None = None  # USCC of the purchaser or agency a user works for

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)


class Mask(StrEnum):
    """How a field reaches a caller without the role to see it as stored (visibility.py)."""

    REFUSE = "refuse"  # the whole query is refused before anything runs
    OMIT = "omit"  # null, or an empty list
    NAME = "name"  # a person's name as its surname and stars
    PERSON_IDS = "person_ids"  # person ids replaced by the caller's unit's pseudonyms
    REDACT = "redact"  # generic property maps lose the properties [redact] names
    UNIT_IDS = "unit_ids"  # ids of other units' lots and projects dropped
    FLAG_TEXT = "flag_text"  # a flag about a person or cut to the caller's lots: title only


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: frozenset[Role]
    mask: Mask
    carries: str  # what the value can hold: name, identity, kinship, review, unit, ...


class RowRules(BaseModel):
    """Objects of a procurement unit reach other units' callers nowhere (visibility.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    see_all: frozenset[Role] = frozenset({Role.SUPERVISOR})
    types: frozenset[str] = frozenset()
    arguments: frozenset[str] = frozenset()  # root-field arguments that name a lot


class _Redaction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    properties: tuple[str, ...] = ()
    roles: frozenset[Role]
    hide_nodes: bool = False


class PermissionTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    operations: dict[str, frozenset[Role]]
    fields: dict[str, FieldRule] = {}
    public: dict[str, str] = {}  # fields judged not to carry personal data, with the reason
    rows: RowRules = RowRules()
    routes: dict[str, frozenset[Role]] = {}  # HTTP routes outside GraphQL, "METHOD /path"
    redact: dict[str, _Redaction] = {}

    def hides_node(self, labels: tuple[str, ...], p: Principal) -> bool:
        return any(
            (rule := self.redact.get(label)) and rule.hide_nodes and not p.has_any(rule.roles)
            for label in labels
        )


@lru_cache(maxsize=1)
def load_table(path: Path = TABLE_FILE) -> PermissionTable:
    try:
        return PermissionTable.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (ValidationError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"{path.name}: invalid permission table: {exc}") from exc


@dataclass
class OperationPlan:
    """What a document asks for: root operations, sensitive fields, an estimated cost."""

    root_fields: list[str] = field(default_factory=list)
    sensitive: set[str] = field(default_factory=set)
    cost: int = 0


_LIST_SIZE_ARGS = ("first", "limit")
DEFAULT_LIST_SIZE = 20


def plan_document(
    schema: GraphQLSchema, document: DocumentNode, table: PermissionTable
) -> OperationPlan:
    """Walk the document with type information (fragments included) once."""
    plan = OperationPlan()
    type_info = TypeInfo(schema)
    multipliers: list[int] = [1]
    root_types = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}

    class Walker(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is None:
                return
            key = f"{parent.name}.{node.name.value}"
            if parent.name in root_types:
                plan.root_fields.append(key)
            if (rule := table.fields.get(key)) and rule.mask is Mask.REFUSE:
                plan.sensitive.add(key)
            size = 1
            for arg in node.arguments or ():
                if arg.name.value in _LIST_SIZE_ARGS and hasattr(arg.value, "value"):
                    size = max(1, int(getattr(arg.value, "value", 1) or 1))
            field_type = type_info.get_type()
            is_list = field_type is not None and "[" in str(field_type)
            if is_list and size == 1:
                size = DEFAULT_LIST_SIZE
            plan.cost += multipliers[-1]
            multipliers.append(multipliers[-1] * size if get_named_type(field_type) else 1)

        def leave_field(self, *_: Any) -> None:
            multipliers.pop()

    visit(document, TypeInfoVisitor(type_info, Walker()))
    return plan


@dataclass(frozen=True)
class Denial:
    field: str
    message: str


def check(plan: OperationPlan, table: PermissionTable, principal: Principal) -> Denial | None:
    for key in plan.root_fields:
        allowed = table.operations.get(key)
        if allowed is None:
            return Denial(key, f"{key} has no entry in the permission table; denied by default")
        if not principal.has_any(allowed):
            return Denial(key, f"role {'/'.join(sorted(principal.roles))} may not call {key}")
    for key in sorted(plan.sensitive):
        roles = table.fields[key].roles
        if not principal.has_any(roles):
            return Denial(key, f"{key} is personal data shown to {', '.join(sorted(roles))} only")
    return None
