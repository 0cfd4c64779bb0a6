"""SHARED_CONTACT: the contact person (or the contact phone or e-mail) named in different bids
is the same.

Why it signals collusion: the purchaser's questions about several "competing" bids reach one
person, who evidently handles them all. Order 87 Art. 37 item 3 deems such bids collusive.
Open data (an OCDS party's contactPoint) names the contact without an identity number: the same
name with the same phone or e-mail is the same person; the same name alone is not (common
names repeat). Companies that merely share a building (one address, different contacts) are
not flagged: an address is not a contact.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from credit.detection import basis
from credit.detection.common import Mark, identifier_mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import rekeyed
from credit.detection.facts import BidFact, Facts
from credit.detection.flags import Finding
from credit.detection.planting import Bid, Lot, Plant, Planting, Wave, shared_bids


class Settings(DetectorSettings):
    confidence: float = 0.9
    phone_confidence: float = 0.8  # a phone alone: a shared switchboard is likelier than a person
    email_confidence: float = 0.85  # an e-mail alone: a shared office mailbox is possible


_LABELS = {
    "CONTACT": "the same contact person",
    "CONTACT_PHONE": "the same contact phone",
    "CONTACT_EMAIL": "the same contact e-mail",
}
_NAMED = {
    "CONTACT_PHONE": "the same contact person (name and phone)",
    "CONTACT_EMAIL": "the same contact person (name and e-mail)",
}


def _name_key(name: str | None) -> str | None:
    """A contact's name compared without spaces, dots or case (王 伟 = 王伟, J. Smith = j smith),
    as a digest: the flag's facts list the keys and need not spell a person's name."""
    key = re.sub(r"[\s.·•\-]+", "", name or "").casefold()
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else None


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    weights = {
        "CONTACT": settings.confidence,
        "CONTACT_PHONE": settings.phone_confidence,
        "CONTACT_EMAIL": settings.email_confidence,
    }

    def marks(bid: BidFact) -> Iterator[Mark]:
        name = _name_key(bid.contact_name)
        for i in bid.identifiers:
            if i.rel not in weights:
                continue
            yield identifier_mark(bid, i, _LABELS[i.rel], weights[i.rel])
            if name and i.rel in _NAMED:
                mark = identifier_mark(bid, i, _NAMED[i.rel], settings.confidence)
                yield rekeyed(mark, f"contact:{name}|{i.uid}")

    for lot in facts.lots:
        yield from shared_marks(DETECTOR.id, lot, marks)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def _contact(lot: Lot, ring: list[Bid], kind: str) -> None:
    lead = ring[0].supplier
    for bid in ring[1:]:
        bid.extra["contact"] = {"person": lead.staff.id_number}
        bid.extra["contact_phone"] = lead.phone


def near_miss(m: Planting) -> None:
    """Neighbours at one address with their own contacts."""
    h, k = m.pair()
    k.address = h.address
    m.meet([h, k])


# pragma: no mutate end


DETECTOR = Detector(
    id="SHARED_CONTACT",
    order=60,
    title="The same contact person, phone or e-mail in different bids",
    basis=basis.ART37_3,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(
        Plant(Wave.CASES, shared_bids("SHARED_CONTACT", _contact)),
        Plant(Wave.NEAR_MISSES, near_miss),
    ),
)
