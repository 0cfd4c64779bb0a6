"""GraphQL types that show a domain object field for field: a type is its field list, the
values are copied from the object by name, and the type writes down only the fields whose
name or type differ (its `differences`), so a new field is one line, not two."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self, TypeVar

T = TypeVar("T")

# A field's difference from its source: the source's name for it, or how it is made from the
# source (a conversion, or a value from elsewhere in it).
Differences = Mapping[str, str | Callable[[Any], Any]]


def mirror(cls: type[T], source: Any, /, **values: Any) -> T:
    """An instance of the strawberry type `cls` with each field taken from `source` (an object's
    attribute or a mapping's key of the same name) unless `values` gives it. A field the
    source lacks keeps its default; a mapping's missing optional value is None; a tuple becomes
    a list (a GraphQL list, as the visibility masks expect)."""
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    unknown = set(values) - {f.name for f in fields}
    assert not unknown, f"{cls.__name__} has no field {sorted(unknown)}"
    shown: dict[str, Any] = {}
    for f in fields:
        if f.name in values:
            value = values[f.name]
        elif isinstance(source, Mapping):
            if f.name not in source and _has_default(f):
                continue
            value = source.get(f.name)
        elif hasattr(source, f.name) or not _has_default(f):
            value = getattr(source, f.name)
        else:
            continue
        shown[f.name] = list(value) if isinstance(value, tuple) else value  # GraphQL lists
    return cls(**shown)


def differing(differences: Differences, named: Any, made: Any) -> dict[str, Any]:
    """The values of the differing fields: a renamed one read from `named`, a made one from
    `made` (the same object, or the node whose properties `named` are)."""
    return {
        field: _read(named, how) if isinstance(how, str) else how(made)
        for field, how in differences.items()
    }


def _read(source: Any, name: str) -> Any:
    return source[name] if isinstance(source, Mapping) else getattr(source, name)


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


class Mirror:
    """A strawberry type that shows one domain object: `Type.of(obj)`."""

    differences: ClassVar[Differences] = {}

    @classmethod
    def of(cls, source: Any) -> Self:
        return mirror(cls, source, **differing(cls.differences, source, source))
