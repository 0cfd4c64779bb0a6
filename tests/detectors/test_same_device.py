"""SAME_DEVICE: bid files from one device (MAC, IP, platform machine code, CA certificate),
one document author, or the very same file; generic authors and the trading centre's own
addresses are no evidence."""

from __future__ import annotations

from credit.detection.detectors.same_device import DETECTOR
from credit.detection.facts import Identifier, LotFacts
from tests.detectors.build import bid, facts, golden, lot, org, run


def device(kind: str, value: str) -> Identifier:
    return Identifier("CREATED_ON", f"device:{kind}:{value}", kind=kind, value=value)


def pair(key: str, a: Identifier | None, b: Identifier | None = None, **more: str) -> LotFacts:
    second = b or a
    return lot(
        key,
        [
            bid(1, 10, lot=key, ids=[a] if a else [], fingerprint=more.get("f1")),
            bid(2, 11, lot=key, ids=[second] if second else [], fingerprint=more.get("f2")),
            bid(3, 12, lot=key),
        ],
    )


def test_each_kind_of_device_weighs_as_set_and_the_same_file_most() -> None:
    lots = [
        pair(f"L{k}", device(k, "v")) for k in ("MAC", "IP", "AUTHOR", "MACHINE_CODE", "CA_CERT")
    ]
    lots.append(pair("LF", None, f1="sha:1", f2="sha:1"))
    found = run(DETECTOR, facts(*lots))
    assert [(f.lot, f.confidence) for f in found] == [
        ("lot:LMAC", 0.9),
        ("lot:LIP", 0.7),
        ("lot:LAUTHOR", 0.6),
        ("lot:LMACHINE_CODE", 0.9),
        ("lot:LCA_CERT", 0.95),
        ("lot:LF", 0.95),
    ]
    assert all(f.suppliers == (org(1), org(2)) for f in found)
    golden("same_device", found)


def test_generic_authors_exempt_addresses_and_unknown_kinds_are_no_evidence() -> None:
    lots = [
        pair("L1", device("AUTHOR", " administrator ")),
        pair("L2", device("AUTHOR", "微软用户")),
        pair("L3", device("IP", "10.20.30.40")),
        pair("L4", device("IP", "2001:db8::1")),
        pair("L5", device("SERIAL", "x")),
        pair("L6", Identifier("PREPARED_BY", "device:MAC:v", kind="MAC", value="v")),
        pair("L7", None, f1="sha:1", f2="sha:2"),
    ]
    ranges = ("10.20.0.0/16", "2001:db8::/32")
    assert run(DETECTOR, facts(*lots), exempt_ip_ranges=ranges) == []


def test_an_address_outside_the_ranges_or_not_an_address_still_counts() -> None:
    ranges = ("10.20.0.0/16", "2001:db8::/32")
    lots = [
        pair("L1", device("IP", "10.21.0.1")),
        pair("L2", device("IP", "not-an-ip")),
        pair("L3", device("IP", "::ffff:10.20.30.40")),
    ]
    found = run(DETECTOR, facts(*lots), exempt_ip_ranges=ranges)
    assert [f.lot for f in found] == ["lot:L1", "lot:L2", "lot:L3"]
    assert found[0].message == "2 bidders of lot L1 share the same IP address"


def test_a_mark_after_ones_that_are_no_evidence_still_counts() -> None:
    skipped = [
        Identifier("PREPARED_BY", "person:P1"),
        device("AUTHOR", "Administrator"),
        device("IP", "10.20.30.40"),
        device("MAC", "aa"),
    ]
    l1 = lot("L1", [bid(1, 10, ids=skipped), bid(2, 11, ids=[device("MAC", "aa")])])
    found = run(DETECTOR, facts(l1), exempt_ip_ranges=("10.20.0.0/16",))
    assert [f.message for f in found] == ["2 bidders of lot L1 share the same MAC address"]


def test_a_kind_a_deployment_adds_is_named_as_it_is_spelled() -> None:
    l1 = pair("L1", device("SERIAL", "x"))
    (found,) = run(DETECTOR, facts(l1), kinds={"SERIAL": 0.5})
    assert (found.message, found.confidence) == ("2 bidders of lot L1 share SERIAL", 0.5)
