"""The one id type: a bare key and its `kind:` form name the same record."""

from __future__ import annotations

from credit.domain import ids
from credit.domain.ids import Uid


def test_bare_and_prefixed_keys_are_one_id() -> None:
    assert ids.uid("lot", "ZFCG-1") == "lot:ZFCG-1"
    assert ids.uid("lot", "lot:ZFCG-1") == "lot:ZFCG-1"
    assert ids.key("lot", "lot:ZFCG-1") == "ZFCG-1"
    assert ids.key("lot", "ZFCG-1") == "ZFCG-1"


def test_only_the_own_kind_is_removed() -> None:
    """`org:lot:X` is an organisation whose key happens to start with `lot:`."""
    assert ids.uid("org", "lot:X") == "org:lot:X"
    assert ids.key("lot", "lot:lot:X") == "lot:X"


def test_parse_needs_a_kind_and_a_key() -> None:
    assert Uid.parse("person:ab12") == Uid("person", "ab12")
    assert str(Uid.parse("project:P-1:2")) == "project:P-1:2"
    assert Uid.parse("no-kind") is None
    assert Uid.parse(":x") is None
    assert Uid.parse("lot:") is None
