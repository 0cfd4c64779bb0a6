"""SAME_DEPOSIT_ACCOUNT: bid deposits of different bidders paid from the same account, from
accounts of one holder under different numbers (the same holder, or the same holder name on
the payment), or one bidder's deposit paid from an account another bidder holds or one held by
a person tied to another bidder (its legal representative, an employee, an owner).

Why it signals collusion: whoever pays the deposits finances the bids and controls them;
independent bidders pay from their own accounts. Order 87 Art. 37 item 6 deems bids whose
deposits come from the same unit's or person's account collusive; a second account of the same
holder is still that holder's money. A bidder's deposit paid by its own legal representative is
its own affair, and a person's name alone on a slip is not compared (names repeat).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import partial

from credit.detection import basis
from credit.detection.common import Mark, identifier_mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import rekeyed
from credit.detection.facts import BidFact, Facts
from credit.detection.flags import Edge, Finding
from credit.detection.planting import Bid, Lot, Person, Plant, Planting, Wave, shared_bids

PERSON = "person:"


class Settings(DetectorSettings):
    confidence: float = 0.95
    holder_confidence: float = 0.9  # accounts of one holder under different numbers
    name_confidence: float = 0.8  # only the holder's name on the payment is the same
    tied_confidence: float = 0.85  # a person's account, the person tied to another bidder
    relations: tuple[str, ...] = (
        "LEGAL_REP_OF",
        "RESPONSIBLE_FOR",
        "EMPLOYED_BY",
        "OWNS",
        "CONTROLS",
        "DIRECTOR_OF",
        "SUPERVISOR_OF",
    )  # the ties of that person that count


def _name(value: str | None) -> str | None:
    key = re.sub(r"[\s()（）.,，·\-]+", "", value or "").casefold()
    return key or None


def _marks(
    bid: BidFact,
    settings: Settings,
    tied: Mapping[str, list[tuple[str, str]]],
    by_name: Mapping[str | None, str],
) -> Iterator[Mark]:
    for i in bid.identifiers:
        if i.rel != "DEPOSIT_FROM":
            continue
        account = identifier_mark(bid, i, "the same deposit account", settings.confidence)
        yield account
        for holder in i.holders:
            yield rekeyed(
                account,
                f"holder:{holder}",
                "deposit accounts of one holder",
                settings.holder_confidence,
            )
            links = [(o, kind) for o, kind in tied.get(holder, ()) if o != bid.supplier]
            if links:
                yield Mark(
                    key=f"tied:{holder}|{bid.uid}",
                    label="a deposit from the account of a person tied to another bidder",
                    weight=settings.tied_confidence,
                    nodes=(*account.nodes, *(o for o, _ in links)),
                    edges=(*account.edges, *(Edge(k, holder, o) for o, k in links)),
                    parties=tuple(o for o, _ in links),
                )
        name = _name(bid.holder_name)
        if name and not any(h.startswith(PERSON) for h in i.holders):
            owner = by_name.get(name)
            yield rekeyed(
                account,
                f"holdername:{name}",
                "deposit accounts in one holder's name",
                settings.name_confidence,
                (owner,) if owner else (),
            )


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    wanted = set(settings.relations)
    for lot in facts.lots:
        by_name = {_name(b.supplier_name): b.supplier for b in lot.bids if b.supplier_name}
        tied: dict[str, list[tuple[str, str]]] = {}
        for bidder in lot.suppliers:
            for tie in facts.ties_of(bidder, lot.day):
                if tie.person and tie.type in wanted:
                    tied.setdefault(tie.source, []).append((bidder, tie.type))
        yield from shared_marks(
            DETECTOR.id, lot, partial(_marks, settings=settings, tied=tied, by_name=by_name)
        )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def _one_account(lot: Lot, ring: list[Bid], kind: str) -> None:
    for bid in ring[1:]:
        bid.extra["deposit_account"] = ring[0].supplier.account


def _paid_by(bid: Bid, rep: Person) -> None:
    bid.extra |= {
        "deposit_account": f"6217-{rep.id_number}",
        "deposit_holder": {"person": rep.id_number},
        "deposit_holder_name": rep.name,
    }


def deposits(m: Planting) -> None:
    """Deposits from one holder's accounts under different numbers, or from the legal
    representative of another bidder (Order 87 Art. 37 item 6); near-miss: each bidder's
    deposit paid by its own legal representative."""
    rng = m.rng
    lot = m.free_lot()
    a, b = rng.sample(lot.bids, 2)
    a.status = b.status = "VALID"
    how = rng.choice(("holder", "name", "rep"))
    if how == "rep":
        _paid_by(a, b.supplier.rep)
    else:
        payer = rng.choice([o for o in m.suppliers if o not in lot.suppliers])
        for k, bid in enumerate((a, b), start=1):
            bid.extra["deposit_account"] = f"{payer.account}-{k}"
            if how == "holder":
                bid.extra["deposit_holder"] = {"org": payer.uscc}
            bid.extra["deposit_holder_name"] = payer.name
    m.record(DETECTOR.id, lot, (a.supplier, b.supplier))
    lot = m.free_lot()
    for bid in lot.bids:
        rep = bid.supplier.rep
        _paid_by(bid, rep)
        for t in m.ties:  # unless the person also heads another bidder by now
            if (
                t.source is rep
                and t.kind in ("LEGAL_REP_OF", "RESPONSIBLE_FOR")
                and t.target in lot.suppliers
                and t.target is not bid.supplier
                and t.overlaps(lot.day, lot.day)
            ):
                m.record(DETECTOR.id, lot, (bid.supplier, t.target))


# pragma: no mutate end


DETECTOR = Detector(
    id="SAME_DEPOSIT_ACCOUNT",
    order=70,
    title="Deposits paid from the same account or holder",
    basis=basis.ART37_6,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(
        Plant(Wave.CASES, shared_bids("SAME_DEPOSIT_ACCOUNT", _one_account)),
        Plant(Wave.DEPOSITS, deposits),
    ),
)
