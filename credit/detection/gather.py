"""From the graph to facts: a bounded number of batched queries, whatever the number of lots,
bids or parties, and nothing but plain values above this module."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, LiteralString, TypeVar

from credit.core.store import GraphStore, day_of
from credit.detection.facts import (
    BidFact,
    BuyerStats,
    Dated,
    History,
    Identifier,
    Kin,
    LotFacts,
    Membership,
    ReviewFact,
    SectionFact,
    SuccessorLink,
    Tie,
)
from graph import detection_queries as dq

T = TypeVar("T")
D = TypeVar("D", bound=Dated)

BATCH = 500


def batches(items: Sequence[str], size: int = BATCH) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- lots ------------------------------------------------------------------------------------


def load_lots(store: GraphStore, uids: Iterable[str], details: bool) -> list[LotFacts]:
    """Lots by uid (unknown ones are left out), with identifiers and reviews if `details`."""
    wanted = list(dict.fromkeys(uids))
    found: list[LotFacts] = []
    for chunk in batches(wanted):
        found += [_lot(row) for row in store.read(dq.LOT_FACTS, lots=chunk, details=details)]
    return found


def _lot(row: Any) -> LotFacts:
    bids = tuple(sorted((_bid(b) for b in row["bids"]), key=lambda b: b.uid))
    awards = sorted(row["awards"], key=lambda a: (a["awarded_on"] or "", a["award"]))
    award = awards[-1] if awards else None  # a re-award replaces the earlier one
    day = lot_day(row["deadline"], [b.submitted_at for b in bids], row["published_on"])
    return LotFacts(
        uid=row["uid"],
        key=row["key"],
        project=row["project"],
        project_key=row["project_key"],
        ocid=row["ocid"],
        purchaser=row["purchaser"],
        agency=row["agency"],
        category=row["category"],
        day=day,
        budget=Decimal(row["budget"]) if row["budget"] is not None else None,
        bids=bids,
        winner=award["winner"] if award else None,
        award=award["award"] if award else None,
        reviews=tuple(
            sorted(
                (
                    ReviewFact(r["expert"], r["review"], day_of(r["reviewed_on"]) or day)
                    for r in row["reviews"]
                ),
                key=lambda r: r.review,
            )
        ),
    )


def lot_day(deadline: Any, submitted: Iterable[datetime], published_on: Any) -> date:
    """The day a lot is judged on: its bid deadline, else its last submission, else the day
    its project was published."""
    day = (
        day_of(deadline)
        or max((at.date() for at in submitted), default=None)
        or day_of(published_on)
    )
    assert day is not None, "a project always has its publication day"
    return day


def _bid(row: Any) -> BidFact:
    return BidFact(
        uid=row["bid"],
        supplier=row["supplier"],
        price=Decimal(row["price"]),
        currency=row["currency"] or "CNY",
        status=row["status"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]),
        fingerprint=row["fingerprint"],
        contact_name=row.get("contact_name"),
        holder_name=row.get("holder_name"),
        supplier_name=row.get("supplier_name"),
        identifiers=tuple(
            sorted(
                (
                    Identifier(
                        rel=i["rel"],
                        uid=i["uid"],
                        kind=i["kind"],
                        value=i["value"],
                        holders=tuple(sorted(i["holders"])),
                    )
                    for i in row["ids"]
                ),
                key=lambda i: (i.rel, i.uid),
            )
        ),
        sections=tuple(
            sorted(
                (
                    SectionFact(
                        uid=x["uid"],
                        hash=x["hash"],
                        kind=x["kind"] or "SECTION",
                        title=x["title"],
                        page=x["page"],
                        size=x["size"],
                        tender=bool(x["tender"]),
                        carriers=int(x["carriers"]),
                    )
                    for x in row.get("sections") or ()
                ),
                key=lambda x: x.uid,
            )
        ),
    )


def load_history(store: GraphStore, uids: Iterable[str]) -> History:
    """The light facts of these lots (a full scan's whole history, a page at a time)."""
    return History({lot.uid: lot for lot in load_lots(store, uids, details=False)})


def lot_history(store: GraphStore, lot_uid: str) -> dict[str, LotFacts]:
    """The history of a lot's bidders, in one round trip: every lot they bid for or won
    (light facts)."""
    rows = store.read(dq.HISTORY_OF_LOT, lot=lot_uid, details=False)
    return {lot.uid: lot for lot in map(_lot, rows)}


def lot_markets(store: GraphStore, lot_uid: str) -> dict[tuple[str | None, str], int]:
    """The market sizes of the purchasers in a lot's history: a partial history cannot count
    them itself."""
    rows = store.read(dq.MARKETS_OF_LOT, lot=lot_uid)
    return {(row["category"], row["buyer"]): int(row["lots"]) for row in rows}


def lot_buyer_stats(store: GraphStore, lot_uid: str) -> dict[str, BuyerStats]:
    """History.buyer_stats for the lot's purchaser and agency, counted in the graph."""
    return _buyer_stats(store.read(dq.BUYER_STATS_OF_LOT, lot=lot_uid))


def _buyer_stats(rows: Iterable[Any]) -> dict[str, BuyerStats]:
    return {
        row["buyer"]: BuyerStats(
            decided_days=tuple(
                sorted(
                    lot_day(deadline, map(datetime.fromisoformat, submitted), published)
                    for deadline, published, submitted in row["decided"]
                )
            ),
            awarded=int(row["awarded"]),
        )
        for row in rows
    }


def supplier_history(store: GraphStore, uids: Iterable[str]) -> dict[str, LotFacts]:
    """Every lot these suppliers bid for or won (light facts): a partition's history."""
    found: dict[str, LotFacts] = {}
    for chunk in batches(sorted(set(uids))):
        for row in store.read(dq.HISTORY_OF_SUPPLIERS, uids=chunk, details=False):
            if row["uid"] not in found:
                found[row["uid"]] = _lot(row)
    return found


def purchaser_lots(store: GraphStore, uids: Iterable[str]) -> dict[str, LotFacts]:
    """Every lot of these purchasers (light facts): a region's market."""
    found: dict[str, LotFacts] = {}
    for chunk in batches(sorted(set(uids))):
        for row in store.read(dq.LOTS_OF_PURCHASERS, uids=chunk, details=False):
            found[row["uid"]] = _lot(row)
    return found


def market_sizes(store: GraphStore, uids: Iterable[str]) -> dict[tuple[str | None, str], int]:
    """Lots per (category, purchaser) for these purchasers, counted over the whole graph."""
    found: dict[tuple[str | None, str], int] = {}
    for chunk in batches(sorted(set(uids))):
        for row in store.read(dq.MARKET_SIZES, uids=chunk):
            found[(row["category"], row["buyer"])] = int(row["lots"])
    return found


def buyer_stats(store: GraphStore, uids: Iterable[str]) -> dict[str, BuyerStats]:
    """History.buyer_stats for these buyers, counted over the whole graph."""
    found: dict[str, BuyerStats] = {}
    for chunk in batches(sorted(set(uids))):
        found |= _buyer_stats(store.read(dq.BUYER_STATS, uids=chunk))
    return found


def _pages(
    store: GraphStore, query: LiteralString, size: int, after: str = ""
) -> Iterator[list[Any]]:
    """A query's rows a page at a time, in uid order after `after` (a keyset cursor)."""
    while rows := store.read(query, after=after, limit=size):
        yield rows
        after = rows[-1]["uid"]


def bidders(store: GraphStore, size: int = BATCH) -> Iterator[list[tuple[str, bool, list[str]]]]:
    """Each organisation that bid or is a supplier, a page at a time: (uid, is a supplier,
    the purchaser of each of its bids)."""
    for rows in _pages(store, dq.BIDDERS_PAGE, size):
        yield [(r["uid"], bool(r["supplier"]), list(r["purchasers"])) for r in rows]


def all_lots(store: GraphStore, after: str = "", size: int = BATCH) -> Iterator[list[str]]:
    """Every lot uid, a page at a time, in uid order (the full scan's resumable cursor)."""
    for rows in _pages(store, dq.LOTS_PAGE, size, after):
        yield [r["uid"] for r in rows]


def all_suppliers(store: GraphStore, size: int = BATCH) -> Iterator[list[str]]:
    for rows in _pages(store, dq.SUPPLIERS_PAGE, size):
        yield [r["uid"] for r in rows]


def count_lots(store: GraphStore) -> int:
    return int(store.read(dq.COUNT_LOTS)[0]["n"])


# --- parties ---------------------------------------------------------------------------------


def _tie(row: Any, target: str) -> Tie:
    return _tie_of(
        target,
        row["source"],
        row["person"],
        row["type"],
        row["tie"],
        row["share"],
        row["valid_from"],
        row["valid_to"],
    )


def _tie_of(
    target: str,
    source: str,
    person: Any,
    kind: str,
    uid: str | None,
    share: Any,
    valid_from: Any,
    valid_to: Any,
) -> Tie:
    """A tie from the columns PARTY_TIES lists (and SUCCESSOR_LINKS names)."""
    return Tie(
        type=kind,
        source=source,
        target=target,
        person=bool(person),
        uid=uid,
        share=float(share) if share is not None else None,
        valid_from=day_of(valid_from),
        valid_to=day_of(valid_to),
    )


def _by_party(
    store: GraphStore,
    query: LiteralString,
    uids: Iterable[str],
    rows_to: Callable[[Iterable[Any]], dict[str, list[T]]],
) -> dict[str, list[T]]:
    """One keyed read over many parties, in batches of BATCH uids."""
    found: dict[str, list[T]] = {}
    for chunk in batches(sorted(set(uids))):
        found |= rows_to(store.read(query, uids=chunk))
    return found


def load_ties(store: GraphStore, uids: Iterable[str]) -> dict[str, list[Tie]]:
    """Party -> the ties pointing at it."""
    return _by_party(store, dq.PARTY_TIES, uids, _ties)


def lot_bidder_ties(store: GraphStore, lot_uid: str) -> dict[str, list[Tie]]:
    """load_ties for the lot's bidders, found from the lot in the same query."""
    return _ties(store.read(dq.LOT_BIDDER_TIES, lot=lot_uid))


def _ties(rows: Iterable[Any]) -> dict[str, list[Tie]]:
    return {
        target: sorted((_tie_of(target, *tie) for tie in ties), key=_tie_order)
        for target, ties in rows
        if ties
    }


def _tie_order(t: Tie) -> tuple[str, str, str, str, str, float]:
    return (t.type, t.source, t.uid or "", str(t.valid_from), str(t.valid_to), t.share or 0.0)


def load_memberships(store: GraphStore, uids: Iterable[str]) -> dict[str, list[Membership]]:
    """Organisation -> the groups and associations it is a member of."""
    return _by_party(store, dq.MEMBERSHIPS, uids, _memberships)


def lot_bidder_memberships(store: GraphStore, lot_uid: str) -> dict[str, list[Membership]]:
    """load_memberships for the lot's bidders, found from the lot in the same query."""
    return _memberships(store.read(dq.LOT_BIDDER_MEMBERSHIPS, lot=lot_uid))


def _memberships(rows: Iterable[Any]) -> dict[str, list[Membership]]:
    return _dated_by(rows, "org", Membership, lambda m: (m.group, m.uid or ""))


def load_kin(store: GraphStore, uids: Iterable[str]) -> dict[str, list[Kin]]:
    return _by_party(store, dq.KINSHIP, uids, _kin)


def lot_reviewer_kin(store: GraphStore, lot_uid: str) -> dict[str, list[Kin]]:
    """load_kin for the lot's reviewers, found from the lot in the same query."""
    return _kin(store.read(dq.LOT_REVIEWER_KINSHIP, lot=lot_uid))


def _kin(rows: Iterable[Any]) -> dict[str, list[Kin]]:
    return _dated_by(rows, "person", Kin, lambda x: (x.relative, x.kinship, x.source, x.uid or ""))


def _dated_by(
    rows: Iterable[Any], key: str, kind: Callable[..., D], order: Callable[[D], Any]
) -> dict[str, list[D]]:
    """Rows whose columns are `kind`'s fields (its period as days or text), grouped by the
    `key` column, each group in `order`."""
    found: defaultdict[str, list[D]] = defaultdict(list)
    for row in rows:
        period = {"valid_from": day_of(row["valid_from"]), "valid_to": day_of(row["valid_to"])}
        found[row[key]].append(kind(**{**row, **period}))
    return {k: sorted(v, key=order) for k, v in found.items()}


def load_successors(store: GraphStore, uids: Iterable[str]) -> list[SuccessorLink]:
    found: list[SuccessorLink] = []
    for chunk in batches(sorted(set(uids))):
        found += _successors(store.read(dq.SUCCESSOR_LINKS, uids=chunk))
    return sorted(found, key=lambda s: (s.successor, s.banned, s.violation, s.via))


def lot_bidder_successors(store: GraphStore, lot_uid: str) -> list[SuccessorLink]:
    """load_successors for the lot's bidders, found from the lot in the same query."""
    found = _successors(store.read(dq.LOT_BIDDER_SUCCESSORS, lot=lot_uid))
    return sorted(found, key=lambda s: (s.successor, s.banned, s.violation, s.via))


def _successors(rows: Iterable[Any]) -> list[SuccessorLink]:
    found: list[SuccessorLink] = []
    for row in rows:
        ban_start, ban_end, decided = (
            day_of(row["ban_start"]),
            day_of(row["ban_end"]),
            day_of(row["decided_on"]),
        )
        if ban_start is None or ban_end is None or decided is None:
            continue
        found.append(
            SuccessorLink(
                successor=row["successor"],
                registered_on=day_of(row["registered_on"]),
                via=row["via"],
                via_person=bool(row["person"]),
                new_tie=_tie(
                    {**row["new_tie"], "source": row["via"], "person": row["person"]},
                    row["successor"],
                ),
                banned_tie=_tie(
                    {**row["banned_tie"], "source": row["via"], "person": row["person"]},
                    row["banned"],
                ),
                banned=row["banned"],
                violation=row["violation"],
                decided_on=decided,
                ban_start=ban_start,
                ban_end=ban_end,
                status=row["status"] or "ACTIVE",
            )
        )
    return found
