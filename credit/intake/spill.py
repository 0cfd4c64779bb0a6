"""The bulk load's staging graph on disk (issue 21: a national first load in flat memory).

A `SpillMap` is a mapping whose entries live in a table of one SQLite file (Python's own
engine: nothing to install or start) and pass through a bounded write-back cache. An entry a
caller reads or writes stays in memory, so it can be changed in place as a dict's values can,
until a `flush()` finds the cache holding more than `keep` entries: then every entry read or
written since the last write-out goes to the file in one transaction, in key order, and the
cache starts empty. An entry changed by many batches (a hub, a record and its versions) is
therefore written once per cache cycle, not once per batch. The file is scratch: no journal, no
fsync (a failed load is simply run again on an empty database).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, LiteralString, TypeVar

V = TypeVar("V")
_MISSING: Any = object()
KEEP = 200_000  # cached entries kept across flushes (hot hubs, the batch's neighbours)
CACHE_MB = 256  # SQLite's own page cache


def connect(path: Path, cache_mb: int = CACHE_MB) -> sqlite3.Connection:
    """A scratch database for one load; the intake's writer thread and its caller take turns
    on it (never at once: the intake drains its writer before it reads), hence one lock."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in (
        "PRAGMA page_size = 16384",  # values of a few hundred bytes to a few KB
        "PRAGMA journal_mode = OFF",
        "PRAGMA synchronous = OFF",
        "PRAGMA locking_mode = EXCLUSIVE",
        "PRAGMA temp_store = FILE",
        f"PRAGMA cache_size = {-1024 * int(cache_mb)}",
    ):
        db.execute(pragma)
    return db


_SQL: dict[str, LiteralString] = {  # $t: the map's table, a name given in our code
    # a rowid table: the values are too large for WITHOUT ROWID's single tree
    "create": "CREATE TABLE IF NOT EXISTS $t (k TEXT PRIMARY KEY, v BLOB)",
    "get": "SELECT v FROM $t WHERE k = ?",
    "has": "SELECT 1 FROM $t WHERE k = ?",
    "put": "INSERT OR REPLACE INTO $t (k, v) VALUES (?, ?)",
    "drop": "DELETE FROM $t WHERE k = ?",
    "all": "SELECT k, v FROM $t",
    "count": "SELECT count(*) FROM $t",
}


def _dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class SpillMap(Generic[V]):
    """str -> V, stored pickled (through `encode`/`decode`, which may turn V into plain tuples
    that pickle faster) in table `name`."""

    def __init__(
        self,
        db: sqlite3.Connection,
        name: LiteralString,
        encode: Callable[[V], Any] = lambda v: v,
        decode: Callable[[Any], V] = lambda v: v,
        keep: int = KEEP,
    ) -> None:
        self._db, self._encode, self._decode, self._keep = db, encode, decode, keep
        sql = {op: text.replace("$t", name) for op, text in _SQL.items()}
        db.execute(sql["create"])
        self._get, self._has, self._put = sql["get"], sql["has"], sql["put"]
        self._drop, self._all, self._count = sql["drop"], sql["all"], sql["count"]
        self._cache: dict[str, V] = {}
        self._touched: set[str] = set()  # read or written since the last write-out
        self._deleted: set[str] = set()
        self._absent: set[str] = set()  # looked up, and neither stored nor cached

    def _load(self, key: str) -> V:
        found = self._cache.get(key, _MISSING)
        if found is not _MISSING:
            self._touched.add(key)
            return found  # type: ignore[no-any-return]
        if key in self._deleted or key in self._absent:
            return _MISSING  # type: ignore[no-any-return]
        row = self._db.execute(self._get, (key,)).fetchone()
        if row is None:
            self._absent.add(key)
            return _MISSING  # type: ignore[no-any-return]
        stored = pickle.loads(row[0])  # noqa: S301 (written by this load)
        value = self._cache[key] = self._decode(stored)
        self._touched.add(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._load(key)
        return default if value is _MISSING else value

    def __getitem__(self, key: str) -> V:
        value = self._load(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: V) -> None:
        self._cache[key] = value
        self._touched.add(key)
        self._deleted.discard(key)
        self._absent.discard(key)

    def setdefault(self, key: str, default: V) -> V:
        value = self._load(key)
        if value is _MISSING:
            self[key] = value = default
        return value

    def __delitem__(self, key: str) -> None:
        if self._load(key) is _MISSING:
            raise KeyError(key)
        del self._cache[key]
        self._touched.discard(key)
        self._deleted.add(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self._cache:
            return True
        if key in self._deleted or key in self._absent:
            return False
        if self._db.execute(self._has, (key,)).fetchone() is None:
            self._absent.add(key)
            return False
        return True

    def flush(self, everything: bool = False) -> None:
        """The end of a batch: write out once the cache is full (or `everything`)."""
        if len(self._absent) > self._keep:
            self._absent.clear()
        if not everything and len(self._cache) <= self._keep:
            return
        if self._touched or self._deleted:
            cache, encode = self._cache, self._encode
            self._db.execute("BEGIN")
            self._db.executemany(self._drop, ((k,) for k in sorted(self._deleted)))
            rows = ((k, _dumps(encode(cache[k]))) for k in sorted(self._touched))
            self._db.executemany(self._put, rows)
            self._db.execute("COMMIT")
        self._touched.clear()
        self._deleted.clear()
        self._cache.clear()

    def __len__(self) -> int:
        self.flush(everything=True)
        return int(self._db.execute(self._count).fetchone()[0])

    def items(self) -> Iterator[tuple[str, V]]:
        """Every entry, from the file (written out first), one at a time."""
        self.flush(everything=True)
        cursor = self._db.cursor()  # its own cursor: a caller may look things up meanwhile
        for key, blob in cursor.execute(self._all):
            yield key, self._decode(pickle.loads(blob))  # noqa: S301 (written by this load)

    def values(self) -> Iterator[V]:
        for _, value in self.items():
            yield value


class SpillCounter(SpillMap[int]):
    """A Counter on disk: a missing key counts 0, and a count back at 0 is removed."""

    def __getitem__(self, key: str) -> int:
        value = self._load(key)
        return 0 if value is _MISSING else value

    def __setitem__(self, key: str, value: int) -> None:
        if value:
            super().__setitem__(key, value)
        elif key in self:
            del self[key]
