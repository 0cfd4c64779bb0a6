"""GraphQL types that show a domain object field for field: a type is its field list, the
values are copied from the object by name, and the type writes down only the fields whose
name or type differ (its `differences`), so a new field is one line, not two."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Self, TypeVar

T = TypeVar("T")


def mirror(cls: type[T], source: Any, /, **differences: Any) -> T:
    """An instance of the strawberry type `cls` with each field taken from `source` (an object's
    attribute or a mapping's key of the same name) unless `differences` gives it. A field the
    source lacks keeps its default; a mapping's missing optional value is None; a tuple becomes
    a list (a GraphQL list, as the visibility masks expect)."""
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    unknown = set(differences) - {f.name for f in fields}
    assert not unknown, f"{cls.__name__} has no field {sorted(unknown)}"
    values: dict[str, Any] = {}
    for f in fields:
        if f.name in differences:
            value = differences[f.name]
        elif isinstance(source, Mapping):
            if f.name not in source and _has_default(f):
                continue
            value = source.get(f.name)
        elif hasattr(source, f.name) or not _has_default(f):
            value = getattr(source, f.name)
        else:
            continue
        values[f.name] = list(value) if isinstance(value, tuple) else value  # GraphQL lists
    return cls(**values)


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


class Mirror:
    """A strawberry type that shows one domain object: `Type.of(obj)`."""

    @classmethod
    def of(cls, source: Any) -> Self:
        return mirror(cls, source, **cls.differences(source))

    @staticmethod
    def differences(source: Any) -> dict[str, Any]:
        """The fields whose name or type differ from the source's, by field name."""
        return {}
