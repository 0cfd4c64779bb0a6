"""Opaque, versioned cursors. A cursor names the list it belongs to, so a cursor from another
list (or a hand-made one) is refused instead of silently giving a wrong page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from credit.api.errors import bad_input

T = TypeVar("T")
S = TypeVar("S")
_VERSION = "c1"


def encode_cursor(scope: str, value: str) -> str:
    raw = f"{_VERSION}|{scope}|{value}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, scope: str, field: str = "after") -> str | None:
    if cursor is None:
        return None
    try:
        if len(cursor) > 512:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, cursor_scope, value = raw.split("|", 2)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input(field, "cursor.malformed", "not a cursor this API issued") from None
    if version != _VERSION or cursor_scope != scope:
        raise bad_input(field, "cursor.foreign", f"this cursor belongs to another list ({scope})")
    return value


MAX_POSITION = 2**53 - 1  # positions (sequence numbers, offsets) stay exact in any client


def position_problem(value: str) -> str | None:
    """Why `value` is not a position this API puts in a cursor (ASCII digits, in range)."""
    if not value.isascii() or not value.isdigit():
        return "not a cursor this API issued"
    if len(value) > 16 or int(value) > MAX_POSITION:
        return f"position beyond {MAX_POSITION}"
    return None


def decode_position(cursor: str | None, scope: str, field: str = "after") -> int | None:
    """A cursor that carries a position (a sequence number or an offset), checked before
    it reaches an int() or a query's SKIP: a forged one is refused naming field and rule."""
    value = decode_cursor(cursor, scope, field)
    if value is None:
        return None
    if (problem := position_problem(value)) is not None:
        raise bad_input(field, "cursor.malformed", problem)
    return int(value)


def page_size(first: int, maximum: int, field: str = "first") -> int:
    if not 1 <= first <= maximum:
        raise bad_input(field, "range", f"first is between 1 and {maximum}")
    return first


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def connection(
    found: Sequence[S], size: int, scope: str, key: Callable[[S], str], node: Callable[[S], T]
) -> Connection[T]:
    """A page built from `size + 1` fetched items: the extra one only tells there is more."""
    edges = [Edge(cursor=encode_cursor(scope, key(item)), node=node(item)) for item in found[:size]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None
        ),
    )
