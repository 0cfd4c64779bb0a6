"""What detectors read: lots with their bids, the ties behind parties, the bid history and
the links to banned suppliers. Plain, immutable values built by `gather`; tests can build
them from records through the real graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property


class Dated:
    """A tie, membership or kinship in force from `valid_from` to `valid_to` (None: open)."""

    __slots__ = ()
    valid_from: date | None
    valid_to: date | None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def overlaps(self, start: date, end: date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )


@dataclass(frozen=True, slots=True)
class Identifier:
    """A node a bid points at: its preparer, agent, contact person, contact phone or e-mail,
    deposit account (with the organisations or people that hold it), a device (MAC, IP,
    document author, platform machine code, signing certificate) or a member of its project
    team (`kind` is then the member's role)."""

    rel: str
    uid: str
    kind: str | None = None
    value: str | None = None
    holders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SectionFact:
    """A section or attachment fingerprint of a bid's documents (`uid` is its hub node):
    whether any tender's documents hold it, and how many suppliers' bids carry it anywhere
    (counted up to 100), so that boilerplate can be told from another bidder's material."""

    uid: str
    hash: str
    kind: str
    title: str | None = None
    page: int | None = None
    size: int | None = None
    tender: bool = False
    carriers: int = 0


@dataclass(frozen=True, slots=True)
class BidFact:
    uid: str
    supplier: str
    price: Decimal
    currency: str
    status: str
    submitted_at: datetime
    fingerprint: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    contact_name: str | None = None  # the contact as open data names one (OCDS contactPoint)
    holder_name: str | None = None  # the deposit account holder's name on the payment
    supplier_name: str | None = None
    sections: tuple[SectionFact, ...] = ()

    @property
    def priced(self) -> bool:
        """A withdrawn bid has no price in the contest; its identifiers still count."""
        return self.status != "WITHDRAWN"


@dataclass(frozen=True, slots=True)
class ReviewFact:
    expert: str
    review: str
    reviewed_on: date


@dataclass(frozen=True)
class LotFacts:
    uid: str
    key: str
    project: str
    project_key: str
    ocid: str | None
    purchaser: str | None
    agency: str | None
    category: str | None
    day: date  # the bid deadline, else the last submission, else the publication day
    budget: Decimal | None
    bids: tuple[BidFact, ...]
    winner: str | None = None
    award: str | None = None
    reviews: tuple[ReviewFact, ...] = ()

    @cached_property
    def suppliers(self) -> tuple[str, ...]:
        return tuple(sorted({b.supplier for b in self.bids}))

    def light(self) -> LotFacts:
        """The lot as the bid history holds it: no identifiers, no reviews."""
        return replace(
            self,
            bids=tuple(
                replace(b, identifiers=(), sections=()) if b.identifiers or b.sections else b
                for b in self.bids
            ),
            reviews=(),
        )

    @property
    def buyers(self) -> tuple[str, ...]:
        return tuple(b for b in (self.purchaser, self.agency) if b)

    @cached_property
    def priced(self) -> tuple[BidFact, ...]:
        """Non-withdrawn bids in the lot's usual currency, cheapest first."""
        bids = [b for b in self.bids if b.priced]
        if not bids:
            return ()
        counts: dict[str, int] = defaultdict(int)
        for b in bids:
            counts[b.currency] += 1
        currency = max(sorted(counts), key=counts.__getitem__)
        return tuple(sorted((b for b in bids if b.currency == currency), key=_order))

    @cached_property
    def contenders(self) -> tuple[BidFact, ...]:
        """Each supplier's cheapest priced bid, cheapest first: the contest as ranked."""
        seen: set[str] = set()
        bids = []
        for bid in self.priced:
            if bid.supplier not in seen:
                seen.add(bid.supplier)
                bids.append(bid)
        return tuple(bids)

    @cached_property
    def ranks(self) -> Mapping[str, int]:
        """Supplier -> rank among the contenders (1 = cheapest)."""
        return {b.supplier: i for i, b in enumerate(self.contenders, start=1)}


def _order(bid: BidFact) -> tuple[Decimal, str]:
    return bid.price, bid.uid


@dataclass(frozen=True, slots=True)
class Tie(Dated):
    """A relationship from a person or company to a party, with its period of validity."""

    type: str
    source: str
    target: str
    person: bool
    uid: str | None = None
    share: float | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Membership(Dated):
    """An organisation's membership of a group or association (MEMBER_OF), with its period."""

    org: str
    group: str
    kind: str | None
    uid: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Kin(Dated):
    person: str
    relative: str
    kinship: str
    source: str
    uid: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class SuccessorLink:
    """A supplier and a banned supplier with the same person or company behind them."""

    successor: str
    registered_on: date | None
    via: str
    via_person: bool
    new_tie: Tie
    banned_tie: Tie
    banned: str
    violation: str
    decided_on: date
    ban_start: date
    ban_end: date
    status: str


@dataclass(frozen=True, slots=True)
class BuyerStats:
    """What the per-buyer detectors count over all of a buyer's lots, so that a lot-mode check
    can read these numbers instead of the buyer's whole history."""

    decided_days: tuple[date, ...] = ()  # the days of its lots as purchaser with a winner
    awarded: int = 0  # its lots (as purchaser or as agency) with a winner and a priced bid


@dataclass(frozen=True)
class History:
    """Lots with their priced bids and winner, indexed by supplier and by buyer. Per buyer
    statistics need all of a buyer's lots: `buyers` names the buyers whose lots are all here
    or counted in `stats` (None: every buyer's, as in a full scan)."""

    lots: Mapping[str, LotFacts]
    buyers: frozenset[str] | None = None
    # lots per (category, purchaser) over the whole graph; None: count them in `lots`
    markets: Mapping[tuple[str | None, str], int] | None = None
    # the complete buyers' counts over the whole graph; None: count them in `lots`
    stats: Mapping[str, BuyerStats] | None = None

    def complete(self, buyer: str) -> bool:
        return self.buyers is None or buyer in self.buyers

    @cached_property
    def _market_sizes(self) -> Mapping[tuple[str | None, str], int]:
        if self.markets is not None:
            return self.markets
        sizes: dict[tuple[str | None, str], int] = defaultdict(int)
        for lot in self.lots.values():
            if lot.purchaser:
                sizes[(lot.category, lot.purchaser)] += 1
        return sizes

    def market_size(self, category: str | None, purchasers: Iterable[str]) -> int:
        """How many lots of this trade the given purchasers have put out."""
        return sum(self._market_sizes.get((category, p), 0) for p in set(purchasers))

    def buyer_stats(self, buyer: str) -> BuyerStats:
        if self.stats is not None:
            return self.stats.get(buyer, BuyerStats())
        return self._counted_stats.get(buyer, BuyerStats())

    @cached_property
    def _counted_stats(self) -> Mapping[str, BuyerStats]:
        days: dict[str, list[date]] = defaultdict(list)
        awarded: dict[str, int] = defaultdict(int)
        for lot in self.ordered:
            if lot.purchaser and lot.winner:
                days[lot.purchaser].append(lot.day)
            for buyer in lot.buyers:
                awarded[buyer] += bool(lot.winner and lot.contenders)
        return {
            b: BuyerStats(tuple(days.get(b, ())), awarded[b]) for b in days.keys() | awarded.keys()
        }

    @cached_property
    def by_supplier(self) -> Mapping[str, tuple[str, ...]]:
        index: dict[str, list[str]] = defaultdict(list)
        for lot in self.ordered:
            for supplier in lot.suppliers:
                index[supplier].append(lot.uid)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def by_buyer(self) -> Mapping[str, tuple[str, ...]]:
        index: dict[str, list[str]] = defaultdict(list)
        for lot in self.ordered:
            for buyer in lot.buyers:
                index[buyer].append(lot.uid)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def ordered(self) -> tuple[LotFacts, ...]:
        """Lots in time order (then by id), so evidence lists read as a timeline."""
        return tuple(sorted(self.lots.values(), key=lambda lot: (lot.day, lot.uid)))

    def of(self, uids: Iterable[str]) -> list[LotFacts]:
        return sorted((self.lots[u] for u in uids), key=lambda lot: (lot.day, lot.uid))


@dataclass(frozen=True)
class Facts:
    """Everything one run of the detectors may read. `focus`, when set, limits history
    findings to groups of those suppliers (lot mode: the lot's bidders), whose whole history
    `history` then holds."""

    lots: Sequence[LotFacts] = ()
    ties: Mapping[str, Sequence[Tie]] = field(default_factory=dict)
    kin: Mapping[str, Sequence[Kin]] = field(default_factory=dict)
    history: History | None = None
    successors: Sequence[SuccessorLink] = ()
    focus: frozenset[str] | None = None
    memberships: Mapping[str, Sequence[Membership]] = field(default_factory=dict)

    def in_focus(self, suppliers: Iterable[str]) -> bool:
        return self.focus is None or all(s in self.focus for s in suppliers)

    def ties_of(self, party: str, day: date) -> list[Tie]:
        return [t for t in self.ties.get(party, ()) if t.in_force(day)]
