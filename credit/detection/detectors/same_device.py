"""SAME_DEVICE: bid files of different bidders made on the same device (MAC or IP address, the
e-bidding platform's machine code), signed with the same CA certificate, by the same document
author, or the very same file.

Why it signals collusion: independent bidders write and upload their files on their own
machines; files of "competitors" from one computer or one author were made together. Order 87
Art. 37 items 1 and 4 (one preparer; abnormally consistent documents). Generic authors that
office software fills in ("Administrator", "User") say nothing and are ignored, and so are
IP addresses in the ranges the settings list (a trading centre's own terminals and gateways,
through which many bidders upload).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from pydantic import Field, IPvAnyNetwork

from credit.detection import basis
from credit.detection.common import Mark, identifier_mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import BidFact, Facts
from credit.detection.flags import Finding
from credit.detection.planting import Bid, Lot, Plant, Planting, Wave, shared_bids


class Settings(DetectorSettings):
    confidence: float = 0.95  # the very same bid file
    # device kind -> confidence of a shared one; MACHINE_CODE is the e-bidding client's hardware
    # fingerprint, CA_CERT the digital certificate (CA lock) that signed the bid file
    kinds: dict[str, float] = Field(
        default_factory=lambda: {
            "MAC": 0.9,
            "IP": 0.7,
            "AUTHOR": 0.6,
            "MACHINE_CODE": 0.9,
            "CA_CERT": 0.95,
        }
    )
    generic_authors: tuple[str, ...] = (
        "Administrator",
        "Admin",
        "User",
        "Owner",
        "Windows User",
        "Microsoft Office User",
        "微软用户",
        "Windows 用户",
        "用户",
        "作者",
        "Lenovo",
        "HP",
    )
    # IP ranges of the trading centres' own terminals and gateways (CIDR): bids uploaded through
    # them share an address without sharing a device, so an address in these ranges is no evidence
    exempt_ip_ranges: tuple[IPvAnyNetwork, ...] = ()


_LABELS = {
    "MAC": "the same MAC address",
    "IP": "the same IP address",
    "AUTHOR": "the same document author",
    "MACHINE_CODE": "the same bidding-platform machine code",
    "CA_CERT": "the same CA certificate signing the bid",
}


def _exempt(value: str | None, ranges: tuple[IPvAnyNetwork, ...]) -> bool:
    """Whether an IP address lies in one of the ranges that are not evidence."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return False
    return any(address.version == r.version and address in r for r in ranges)


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    generic = {a.casefold() for a in settings.generic_authors}

    def marks(bid: BidFact) -> Iterator[Mark]:
        for i in bid.identifiers:
            if i.rel != "CREATED_ON" or i.kind not in settings.kinds:
                continue
            if i.kind == "AUTHOR" and (i.value or "").strip().casefold() in generic:
                continue
            if i.kind == "IP" and _exempt(i.value, settings.exempt_ip_ranges):
                continue
            yield identifier_mark(bid, i, _LABELS.get(i.kind, i.kind), settings.kinds[i.kind])
        if bid.fingerprint:
            yield Mark(
                key=f"file:{bid.fingerprint}",
                label="the same bid file",
                weight=settings.confidence,
            )

    for lot in facts.lots:
        yield from shared_marks(DETECTOR.id, lot, marks)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def _device(lot: Lot, ring: list[Bid], kind: str) -> None:
    lead = ring[0].supplier
    for bid in ring[1:]:
        if kind == "FILE":
            bid.extra["file_fingerprint"] = f"file-{lot.id}"
            ring[0].extra["file_fingerprint"] = f"file-{lot.id}"
        else:
            value = {"MAC": lead.mac, "IP": lead.ip, "AUTHOR": f"author-{lead.uscc}"}
            bid.extra["devices"] = [{"kind": kind, "value": value[kind]}]
            ring[0].extra["devices"] = [{"kind": kind, "value": value[kind]}]


def near_miss(m: Planting) -> None:
    """A generic document author."""
    lot = m.free_lot()
    for bid in m.rng.sample(lot.bids, 2):
        bid.extra["devices"] = [{"kind": "AUTHOR", "value": "Administrator"}]


def platform(m: Planting) -> None:
    """Bids from one platform machine or signed with one CA certificate."""
    lot = m.free_lot()
    a, b = m.rng.sample(lot.bids, 2)
    a.status = b.status = "VALID"
    kind = m.rng.choice(("MACHINE_CODE", "CA_CERT"))
    value = f"MC-{a.supplier.mac}" if kind == "MACHINE_CODE" else f"CA-{a.supplier.uscc}"
    for bid in (a, b):
        bid.extra["devices"] = [{"kind": kind, "value": value}]
    m.record(DETECTOR.id, lot, (a.supplier, b.supplier))


# pragma: no mutate end


DETECTOR = Detector(
    id="SAME_DEVICE",
    order=80,
    title="Bid files from the same device, certificate, author or file",
    basis=basis.DEVICE,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(
        Plant(Wave.CASES, shared_bids("SAME_DEVICE", _device)),
        Plant(Wave.NEAR_MISSES, near_miss),
        Plant(Wave.DEPOSITS, platform),
    ),
)
