"""GROUP_INSTRUCTION: bidders of one lot that are members of the same group (集团) or
association (协会, 商会) at the time of the lot.

Why it signals collusion: Regs Art. 74 item 4 names as malicious collusion the members of one
group, association or chamber of commerce taking part in concert at the organisation's
request. Membership shows the channel, not the instruction, so a flag is a lead for the
supervisor (a group more than an association, whose members are many and independent);
memberships that ended before, or began after, the lot's day do not count, and a consortium's
joint bid is one bid, not members bidding against each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from pydantic import Field

from credit.detection import basis
from credit.detection.common import bid_edges
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts
from credit.detection.flags import Edge, Finding, finding
from credit.detection.planting import START, Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.6
    # group kind -> confidence of two members on one lot: membership alone is a lead, not
    # proof that the organisation instructed them (Art. 74 item 4)
    kinds: dict[str, float] = Field(default_factory=lambda: {"GROUP": 0.6, "ASSOCIATION": 0.4})


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        members: dict[str, set[str]] = defaultdict(set)
        kinds: dict[str, str] = {}
        for bidder in lot.suppliers:
            for m in facts.memberships.get(bidder, ()):
                if m.kind in settings.kinds and m.in_force(lot.day):
                    members[m.group].add(bidder)
                    kinds[m.group] = m.kind
        for group, who in sorted(members.items()):
            if len(who) < 2:
                continue
            kind = kinds[group]
            bids = [b for b in lot.bids if b.supplier in who]
            yield finding(
                DETECTOR.id,
                lot.uid,
                who,
                settings.kinds[kind],
                f"{len(who)} bidders of lot {lot.key} are members of one {kind.lower()}",
                others=(group,),
                nodes=[b.uid for b in bids],
                edges=[*(Edge("MEMBER_OF", s, group) for s in who), *bid_edges(lot, bids)],
                facts={"group": group, "kind": kind},
            )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """Members of one group or association meet on a lot (Regs Art. 74 item 4); near-miss: a
    member who left the group before meeting another member. The market derives the truth."""
    gid = m.group(m.rng.choice(("GROUP", "GROUP", "ASSOCIATION")))
    e, g = m.pair()
    since = m.day(START, date(2024, 6, 30))
    m.member(e, gid, since, None)
    m.member(g, gid, since, None)
    m.meet([e, g], m.day(since + timedelta(days=1)))
    gid = m.group("GROUP")
    h, k = m.pair()
    left = m.day(START, date(2023, 6, 30))
    m.member(h, gid, START, None)
    m.member(k, gid, START, left)
    m.meet([h, k], m.day(left + timedelta(days=30)))


# pragma: no mutate end


DETECTOR = Detector(
    id="GROUP_INSTRUCTION",
    order=100,
    title="Members of one group or association bid for the same lot",
    basis=basis.ART74_GROUP,
    reads=frozenset({Reads.LOTS, Reads.GROUPS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.STAFF, plant),),
)
