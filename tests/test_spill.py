"""The bulk load's staging maps on disk (credit/intake/spill.py): they behave as dicts whose
values may be changed in place until the next flush, whether an entry is cached or comes
back from the file, and the counter drops what falls back to 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.intake.spill import SpillCounter, SpillMap, connect


@pytest.mark.parametrize("keep", [1000, 0])
def test_a_spill_map_reads_back_what_was_written_and_changed_in_place(
    tmp_path: Path, keep: int
) -> None:
    db = connect(tmp_path / "s.sqlite")
    values: SpillMap[dict[str, int]] = SpillMap(db, "t", keep=keep)
    values["a"] = {"n": 1}
    values.setdefault("b", {"n": 2})["n"] += 1
    assert "a" in values and "z" not in values and values.get("z") is None
    values.flush()
    values["a"]["n"] = 10  # changed in place, kept by the next flush
    del values["b"]
    values.flush()
    assert values["a"] == {"n": 10}
    assert "b" not in values and values.get("b", "gone") == "gone"
    with pytest.raises(KeyError):
        values["b"]
    with pytest.raises(KeyError):
        del values["b"]
    values["b"] = {"n": 5}  # back after a delete
    assert dict(values.items()) == {"a": {"n": 10}, "b": {"n": 5}}
    assert len(values) == 2


def test_a_lookup_of_a_missing_key_does_not_hide_a_later_write(tmp_path: Path) -> None:
    values: SpillMap[int] = SpillMap(connect(tmp_path / "s.sqlite"), "t", keep=0)
    assert "x" not in values
    values["x"] = 1
    assert "x" in values and values["x"] == 1
    values.flush()
    assert "x" in values and values["x"] == 1


def test_a_spill_map_stores_through_its_encoding(tmp_path: Path) -> None:
    db = connect(tmp_path / "s.sqlite")
    sets: SpillMap[set[str]] = SpillMap(db, "t", encode=sorted, decode=set, keep=0)
    sets["a"] = {"y", "x"}
    sets.flush()
    assert sets["a"] == {"x", "y"}
    assert [row[0] for row in db.execute("SELECT k FROM t")] == ["a"]


@pytest.mark.parametrize("keep", [1000, 0])
def test_a_spill_counter_counts_from_zero_and_forgets_zero(tmp_path: Path, keep: int) -> None:
    db = connect(tmp_path / "s.sqlite")
    counts = SpillCounter(db, "c", keep=keep)
    counts["p"] += 1
    counts["p"] += 1
    counts.flush()
    assert counts["p"] == 2 and counts["q"] == 0
    counts["p"] -= 2
    counts.flush()
    assert counts["p"] == 0 and len(counts) == 0
    assert db.execute("SELECT count(*) FROM c").fetchone()[0] == 0
