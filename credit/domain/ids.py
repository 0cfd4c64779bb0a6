"""One id type. Every record is addressed as `kind:key` (`org:<USCC>`, `person:<hash>`,
`lot:<key>`, ...), the form stored as `uid` in the graph. Callers may give the bare key where the
kind is known from the field (a `lotId` argument, `credit detect --lot`), so `uid(kind, value)`
accepts both forms and always prints the stored one; `key(kind, value)` gives the bare key back
for records that name another by key (a complaint's lot)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Uid:
    kind: str
    key: str

    @classmethod
    def of(cls, kind: str, value: str) -> Uid:
        """`value` as an id of `kind`: `X` and `kind:X` are the same record."""
        return cls(kind, value.removeprefix(f"{kind}:"))

    @classmethod
    def parse(cls, value: str) -> Uid | None:
        """A full `kind:key`, or None when `value` names no kind."""
        kind, sep, key = value.partition(":")
        return cls(kind, key) if sep and kind and key else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


def uid(kind: str, value: str) -> str:
    return str(Uid.of(kind, value))


def key(kind: str, value: str) -> str:
    return Uid.of(kind, value).key
