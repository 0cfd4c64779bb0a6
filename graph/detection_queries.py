"""Every Cypher statement of collusion and conflict detection, by name. Parameters only.

Facts are pulled for many lots or parties at once (`UNWIND`), the detectors compute in Python,
and flags are written in batches. Same conventions as the other graph/*_queries.py modules.
"""

from typing import LiteralString

# --- facts -----------------------------------------------------------------------------------

# Lots with their project, buyers, priced bids and award; with `$details` also each bid's
# shared identifiers (preparer, agent, contact, phone, e-mail, deposit account and its
# holders, devices, project team with each member's role), the contact's and the deposit
# holder's names as given, the lot's reviews, and each bid's document section fingerprints
# (whether a tender's documents hold the same section; how many suppliers' bids carry it,
# counted up to 100). Without details this is the light row of
# the bid history.
# Temporal values come as ISO text: the driver's zoned-datetime decoding dominated the cost.
_LOT_FACTS_BODY: LiteralString = """
MATCH (l:Entity {uid: uid})<-[:HAS_LOT]-(p:Project)
CALL (p) {
  OPTIONAL MATCH (p)-[:PURCHASED_BY]->(buyer:Organization)
  OPTIONAL MATCH (p)-[:RUN_BY]->(agency:Organization)
  RETURN buyer.uid AS purchaser, agency.uid AS agency
}
CALL (l) {
  MATCH (l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(s:Organization)
  CALL (b) {
    MATCH (b)-[r:PREPARED_BY|AGENT|CONTACT|CONTACT_PHONE|CONTACT_EMAIL|DEPOSIT_FROM|CREATED_ON
               |TEAM_MEMBER]->(h:Entity)
    WHERE $details
    RETURN collect({rel: type(r), uid: h.uid, kind: coalesce(r.role, h.kind), value: h.value,
                    holders: [(h)<-[:HOLDS_ACCOUNT]-(o:Organization|Person) | o.uid]}) AS ids
  }
  CALL (b) {
    MATCH (b)-[r:HAS_SECTION]->(h:Section)
    WHERE $details
    RETURN collect({uid: h.uid, hash: h.value, kind: r.kind, title: r.title, page: r.page,
                    size: r.size, tender: EXISTS { (h)<-[:HAS_SECTION]-(:Project) },
                    carriers: COUNT { MATCH (h)<-[:HAS_SECTION]-(:Bid)<-[:SUBMITTED]-(o)
                                      WITH DISTINCT o LIMIT 100 RETURN o }}) AS sections
  }
  RETURN collect({bid: b.uid, supplier: s.uid, price: b.price_exact,
                  currency: b.price_currency, status: b.status,
                  submitted_at: toString(b.submitted_at), fingerprint: b.file_fingerprint,
                  contact_name: CASE WHEN $details THEN b.contact_name END,
                  holder_name: CASE WHEN $details THEN b.deposit_holder_name END,
                  supplier_name: CASE WHEN $details THEN s.name END,
                  ids: ids, sections: sections}) AS bids
}
CALL (l) {
  MATCH (a:Award)-[:AWARD_OF]->(l)
  MATCH (a)-[:WON_BY]->(w:Organization)
  RETURN collect({award: a.uid, winner: w.uid, awarded_on: toString(a.awarded_on)}) AS awards
}
CALL (l) {
  MATCH (e:Entity)-[r:REVIEWED]->(l)
  WHERE $details
  RETURN collect({expert: e.uid, review: r.uid, reviewed_on: toString(r.reviewed_on)}) AS reviews
}
RETURN uid, l.key AS key, toString(l.bid_deadline) AS deadline, l.budget_exact AS budget,
       p.uid AS project, p.key AS project_key, p.ocid AS ocid, p.method AS method,
       p.category AS category, toString(p.published_on) AS published_on, purchaser, agency,
       bids, awards, reviews
"""

LOT_FACTS: LiteralString = "UNWIND $lots AS uid" + _LOT_FACTS_BODY

# Ties that point at each party: the people and companies behind it (legal representative,
# responsible person, controller, owners, directors, supervisors, employees, employers). One
# row per party with its ties as plain lists and dates as text: per-record and temporal
# decoding in the driver cost more than the query itself.
_PARTY_TIES_BODY: LiteralString = """
MATCH (t:Entity {uid: uid})
RETURN uid AS target,
       [(x:Entity)-[r:LEGAL_REP_OF|RESPONSIBLE_FOR|CONTROLS|OWNS|MANAGES|DIRECTOR_OF
                   |SUPERVISOR_OF|EMPLOYED_BY]->(t)
        | [x.uid, x:Person, type(r), r.uid, r.share, toString(r.valid_from),
           toString(r.valid_to)]]
       + [(x:Expert)-[r:WORKS_FOR]->(t) | [x.uid, true, type(r), null, null, null, null]]
       AS ties
"""
PARTY_TIES: LiteralString = "UNWIND $uids AS uid" + _PARTY_TIES_BODY

# Lot mode starts from the lot: its bidders, its reviewers, so that every read of a check
# can go out at once instead of waiting for the lot's own facts.
_BIDDERS_OF_LOT: LiteralString = """
MATCH (:Entity {uid: $lot})<-[:FOR_LOT]-(:Bid)<-[:SUBMITTED]-(bidder:Organization)
WITH DISTINCT bidder.uid AS uid"""
_REVIEWERS_OF_LOT: LiteralString = """
MATCH (reviewer:Entity)-[:REVIEWED]->(:Entity {uid: $lot})
WITH DISTINCT reviewer.uid AS uid"""
LOT_BIDDER_TIES: LiteralString = _BIDDERS_OF_LOT + _PARTY_TIES_BODY

# Kinship of reviewers, in either direction.
_KINSHIP_BODY: LiteralString = """
MATCH (e:Entity {uid: uid})-[k:RELATIVE_OF]-(p:Person)
RETURN uid AS person, p.uid AS relative, k.kinship AS kinship, k.uid AS uid,
       startNode(k).uid AS source, k.valid_from AS valid_from, k.valid_to AS valid_to
"""
KINSHIP: LiteralString = "UNWIND $uids AS uid" + _KINSHIP_BODY
LOT_REVIEWER_KINSHIP: LiteralString = _REVIEWERS_OF_LOT + _KINSHIP_BODY

# For each candidate supplier, banned suppliers that share a person or company behind them.
_SUCCESSOR_LINKS_BODY: LiteralString = """
MATCH (n:Entity {uid: uid})<-[r1:LEGAL_REP_OF|RESPONSIBLE_FOR|CONTROLS|OWNS]-(x:Entity)
      -[r2:LEGAL_REP_OF|RESPONSIBLE_FOR|CONTROLS|OWNS]->(d:Organization)<-[:AGAINST]-(v:Violation)
WHERE d <> n AND 'PROCUREMENT_BAN' IN v.penalty_types AND v.ban_end IS NOT NULL
RETURN uid AS successor, n.registered_on AS registered_on, x.uid AS via, x:Person AS person,
       {type: type(r1), tie: r1.uid, share: r1.share, valid_from: r1.valid_from,
        valid_to: r1.valid_to} AS new_tie,
       {type: type(r2), tie: r2.uid, share: r2.share, valid_from: r2.valid_from,
        valid_to: r2.valid_to} AS banned_tie,
       d.uid AS banned, v.uid AS violation, v.decided_on AS decided_on,
       v.ban_start AS ban_start, v.ban_end AS ban_end, v.status AS status
"""
SUCCESSOR_LINKS: LiteralString = "UNWIND $uids AS uid" + _SUCCESSOR_LINKS_BODY
LOT_BIDDER_SUCCESSORS: LiteralString = _BIDDERS_OF_LOT + _SUCCESSOR_LINKS_BODY

# The groups and associations each party is a member of (Regs Art. 74 item 4), with periods.
_MEMBERSHIPS_BODY: LiteralString = """
MATCH (:Entity {uid: uid})-[r:MEMBER_OF]->(g:Group)
RETURN uid AS org, g.uid AS group, g.kind AS kind, r.uid AS uid,
       toString(r.valid_from) AS valid_from, toString(r.valid_to) AS valid_to
"""
MEMBERSHIPS: LiteralString = "UNWIND $uids AS uid" + _MEMBERSHIPS_BODY
LOT_BIDDER_MEMBERSHIPS: LiteralString = _BIDDERS_OF_LOT + _MEMBERSHIPS_BODY

# The lots a lot-mode check needs for history: every lot the lot's bidders bid for or won,
# with their light facts (LOT_FACTS without details) in the same round trip (`$details`
# false). What the per-buyer detectors count over the rest of the lot's purchaser's and
# agency's lots comes from BUYER_STATS_OF_LOT, so a large buyer costs a count, not its history.
_LOTS_OF_PARTIES: LiteralString = """
MATCH (s:Entity {uid: uid})
WITH s
CALL (s) {
  MATCH (s)-[:SUBMITTED]->(:Bid)-[:FOR_LOT]->(l:Lot)
  RETURN l.uid AS uid
  UNION
  MATCH (s)<-[:WON_BY]-(:Award)-[:AWARD_OF]->(l:Lot)
  RETURN l.uid AS uid
}
WITH DISTINCT uid"""
_NEIGHBOURHOOD_OF_LOT: LiteralString = _BIDDERS_OF_LOT + _LOTS_OF_PARTIES
HISTORY_OF_LOT: LiteralString = _NEIGHBOURHOOD_OF_LOT + _LOT_FACTS_BODY
# The same for a set of suppliers (a partition of the distributed scan): their whole history.
HISTORY_OF_SUPPLIERS: LiteralString = "UNWIND $uids AS uid" + _LOTS_OF_PARTIES + _LOT_FACTS_BODY

# How many lots of each trade each purchaser put out: the market a supplier bids in.
_MARKET_SIZES_BODY: LiteralString = """
MATCH (:Entity {uid: uid})<-[:PURCHASED_BY]-(p:Project)-[:HAS_LOT]->(l:Lot)
RETURN uid AS buyer, p.category AS category, count(l) AS lots
"""
# The markets of the purchasers of a lot's history (the lots of HISTORY_OF_LOT).
MARKETS_OF_LOT: LiteralString = (
    _NEIGHBOURHOOD_OF_LOT
    + """
MATCH (:Entity {uid: uid})<-[:HAS_LOT]-(:Project)-[:PURCHASED_BY]->(purchaser:Organization)
WITH DISTINCT purchaser.uid AS uid"""
    + _MARKET_SIZES_BODY
)

# The counts History.buyer_stats gives for the lot's purchaser and agency, over all their lots:
# per buyer, the lots it put out (as purchaser or agency, once per role) with a winner and a
# priced bid, and, as purchaser, what fixes the day of each lot with a winner (its deadline,
# else its bids' submission times, else the publication day; as LOT_FACTS gives them).
_BUYER_STATS_BODY: LiteralString = """
MATCH (buyer)<-[role:PURCHASED_BY|RUN_BY]-(p:Project)-[:HAS_LOT]->(l:Lot)
WHERE EXISTS { (l)<-[:AWARD_OF]-(:Award)-[:WON_BY]->(:Organization) }
WITH buyer, role, p, l,
     EXISTS {
       (l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(:Organization)
       WHERE b.status IS NULL OR b.status <> 'WITHDRAWN'
     } AS priced
RETURN buyer.uid AS buyer, count(CASE WHEN priced THEN 1 END) AS awarded,
       collect(CASE WHEN type(role) = 'PURCHASED_BY' THEN
         [toString(l.bid_deadline), toString(p.published_on),
          CASE WHEN l.bid_deadline IS NULL
            THEN [(l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(:Organization) | toString(b.submitted_at)]
            ELSE [] END]
       END) AS decided
"""
BUYER_STATS_OF_LOT: LiteralString = (
    """
MATCH (:Entity {uid: $lot})<-[:HAS_LOT]-(:Project)-[:PURCHASED_BY|RUN_BY]->(buyer:Organization)
WITH DISTINCT buyer"""
    + _BUYER_STATS_BODY
)
# The same counts for given buyers (the buyers of a partition's history).
BUYER_STATS: LiteralString = (
    """
UNWIND $uids AS uid
MATCH (buyer:Entity {uid: uid})
WITH DISTINCT buyer"""
    + _BUYER_STATS_BODY
)
# The market sizes of given purchasers.
MARKET_SIZES: LiteralString = "UNWIND $uids AS uid" + _MARKET_SIZES_BODY

# The distributed scan's plan: each organisation that bid (or is a supplier, which the
# successor detector reads even without bids), page by page, with the purchaser of each of its
# bids; the driver puts it in the region where it bids most.
BIDDERS_PAGE: LiteralString = """
MATCH (s:Entity)
WHERE s.uid STARTS WITH 'org:' AND s.uid > $after
  AND (s:Supplier OR EXISTS { (s)-[:SUBMITTED]->(:Bid) })
WITH s ORDER BY s.uid LIMIT $limit
RETURN s.uid AS uid, s:Supplier AS supplier,
       [(s)-[:SUBMITTED]->(:Bid)-[:FOR_LOT]->(:Lot)<-[:HAS_LOT]-(:Project)-[:PURCHASED_BY]
        ->(p:Organization) | p.uid] AS purchasers
"""

# The lots of given purchasers with their light facts (a region's market, for the detectors
# that read a whole region and period).
LOTS_OF_PURCHASERS: LiteralString = (
    """
UNWIND $uids AS buyer
MATCH (:Entity {uid: buyer})<-[:PURCHASED_BY]-(:Project)-[:HAS_LOT]->(l:Lot)
WITH DISTINCT l.uid AS uid"""
    + _LOT_FACTS_BODY
)

LOTS_PAGE: LiteralString = """
MATCH (l:Entity)
WHERE l.uid STARTS WITH 'lot:' AND l.uid > $after
RETURN l.uid AS uid
ORDER BY uid
LIMIT $limit
"""

COUNT_LOTS: LiteralString = "MATCH (l:Lot) RETURN count(l) AS n"

SUPPLIERS_PAGE: LiteralString = """
MATCH (s:Entity)
WHERE s.uid STARTS WITH 'org:' AND s.uid > $after AND s:Supplier
RETURN s.uid AS uid
ORDER BY uid
LIMIT $limit
"""

# --- flags -----------------------------------------------------------------------------------

# Upsert on the flag's identity. A new flag opens; a known one keeps its review unless its
# evidence changed, and a dismissed flag whose evidence changed opens again.
FLAGS_UPSERT: LiteralString = """
UNWIND $rows AS row
MERGE (f:Flag {uid: row.uid})
ON CREATE SET f.status = 'OPEN', f.first_seen = $now
WITH f, row, f.evidence_hash IS NULL AS created,
     f.evidence_hash IS NOT NULL AND f.evidence_hash <> row.evidence_hash AS changed
WITH f, row, created, changed, changed AND f.status = 'DISMISSED' AS reopened
SET f += row.props, f.evidence_hash = row.evidence_hash, f.last_seen = $now, f.current = true
SET f.status = CASE WHEN reopened THEN 'OPEN' ELSE f.status END,
    f.evidence_changed_at = CASE WHEN changed THEN $now ELSE f.evidence_changed_at END,
    f.reopened_at = CASE WHEN reopened THEN $now ELSE f.reopened_at END
WITH f, row, created, changed, reopened
CALL (f, row, created, changed) {
  WITH f, row WHERE created OR changed
  OPTIONAL MATCH (f)-[old:FLAGS|CONCERNS_LOT]->()
  DELETE old
  WITH DISTINCT f, row
  CALL (f, row) {
    UNWIND row.suppliers AS s
    MATCH (o:Entity {uid: s})
    MERGE (f)-[:FLAGS]->(o)
  }
  CALL (f, row) {
    UNWIND row.lots AS lot
    MATCH (n:Entity {uid: lot})
    MERGE (f)-[:CONCERNS_LOT]->(n)
  }
}
RETURN row.uid AS uid, created, changed, reopened
"""

# Flags of the scanned lots that this run no longer finds stop being current (never deleted).
FLAGS_RETIRE_LOTS: LiteralString = """
UNWIND $lots AS lot
MATCH (f:Flag {lot: lot})
WHERE f.current AND f.pattern IN $patterns AND NOT f.uid IN $seen
SET f.current = false, f.retired_at = $now
RETURN count(f) AS retired
"""

# History flags (no single lot) that a full scan no longer finds.
FLAGS_RETIRE_HISTORY: LiteralString = """
MATCH (f:Flag)
WHERE f.lot IS NULL AND f.current AND f.pattern IN $patterns AND NOT f.uid IN $seen
SET f.current = false, f.retired_at = $now
RETURN count(f) AS retired
"""

SCREENS_STORE: LiteralString = """
UNWIND $rows AS row
MERGE (s:BidScreen {lot: row.lot})
SET s += row, s.computed_at = $now
"""

SCREEN_OF_LOT: LiteralString = """
MATCH (s:BidScreen {lot: $lot})
RETURN s {.*} AS s
"""

FLAG_BY_UID: LiteralString = """
MATCH (f:Flag {uid: $uid})
RETURN f {.*} AS f
"""

FLAGS_OF_LOT: LiteralString = """
MATCH (:Entity {uid: $lot})<-[:CONCERNS_LOT]-(f:Flag)
WHERE f.current OR NOT $current_only
RETURN f {.*} AS f
ORDER BY f.confidence DESC, f.uid
"""

# The review queue's filter (a parameter left null does not filter), shared by its page and
# its count so that "N in all" counts what the pages show.
_FLAGS_FILTERED: LiteralString = """
MATCH (f:Flag)
WHERE ($pattern IS NULL OR f.pattern = $pattern)
  AND ($status IS NULL OR f.status = $status)
  AND ($lot IS NULL OR $lot IN f.lots)
  AND ($supplier IS NULL OR $supplier IN f.suppliers)
  AND ($buyer IS NULL OR $buyer IN f.buyers)
  AND ($min_confidence IS NULL OR f.confidence >= $min_confidence)
  AND (f.current OR NOT $current_only)
"""

# The review queue: most confident first, with a (confidence, uid) keyset cursor.
FLAGS_PAGE: LiteralString = (
    _FLAGS_FILTERED
    + """  AND ($after_confidence IS NULL OR f.confidence < $after_confidence
       OR (f.confidence = $after_confidence AND f.uid > $after_uid))
RETURN f {.*} AS f
ORDER BY f.confidence DESC, f.uid
LIMIT $limit
"""
)

# How many flags the review queue's filter matches in all.
FLAGS_COUNT: LiteralString = _FLAGS_FILTERED + "RETURN count(f) AS total\n"

FLAGS_EXPORT: LiteralString = """
MATCH (f:Flag)
WHERE f.uid > $after AND (f.current OR NOT $current_only)
  AND ($status IS NULL OR f.status = $status)
RETURN f {.*} AS f
ORDER BY f.uid
LIMIT $limit
"""

# The purchaser and agency of a lot, for "a purchaser sees the lots it runs".
LOT_BUYERS: LiteralString = """
MATCH (l:Entity {uid: $lot})<-[:HAS_LOT]-(p:Project)
OPTIONAL MATCH (p)-[:PURCHASED_BY]->(b:Organization)
OPTIONAL MATCH (p)-[:RUN_BY]->(a:Organization)
RETURN l:Lot AS is_lot, [x IN [b.uid, a.uid] WHERE x IS NOT NULL] AS buyers
"""

# What the last scan knows about a lot's bidders at bid opening: current, undismissed flags
# of no single lot (rotation rings, cover bidding, successors of debarred suppliers...) naming
# any of them, with only those of its bidders they name; nothing of other lots or prices.
STANDING_OF_LOT: LiteralString = """
MATCH (:Entity {uid: $lot})<-[:FOR_LOT]-(:Bid)<-[:SUBMITTED]-(bidder:Organization)
WITH DISTINCT bidder
MATCH (f:Flag)-[:FLAGS]->(bidder)
WHERE f.current AND f.lot IS NULL AND f.status <> 'DISMISSED'
WITH f, collect(bidder.uid) AS bidders
RETURN f.uid AS uid, f.pattern AS pattern, f.title AS title, f.basis AS basis,
       f.confidence AS confidence, f.status AS status, f.last_seen AS last_seen,
       size(f.suppliers) AS parties, bidders
ORDER BY f.confidence DESC, f.uid
"""

# A supervisor's decision, kept as its own node (history), and the flag's current status.
FLAG_REVIEW: LiteralString = """
MATCH (f:Flag {uid: $uid})
CREATE (r:FlagReview {uid: $review, decision: $decision, reason: $reason, reviewer: $reviewer,
                      reviewer_name: $reviewer_name, at: $now, previous_status: f.status,
                      evidence_hash: f.evidence_hash})
CREATE (r)-[:REVIEW_OF]->(f)
SET f.status = $status, f.reviewed_by = $reviewer, f.reviewed_by_name = $reviewer_name,
    f.reviewed_at = $now, f.review_reason = $reason
RETURN f {.*} AS f
"""

FLAG_REVIEWS: LiteralString = """
UNWIND $uids AS uid
MATCH (r:FlagReview)-[:REVIEW_OF]->(:Flag {uid: uid})
RETURN uid AS flag, r {.*} AS r
ORDER BY r.at DESC
"""

# Prefilled, never-binding drafts: a supervisor completes one with recordViolation.
DRAFTS_CREATE: LiteralString = """
UNWIND $rows AS row
MATCH (f:Flag {uid: row.flag})
MERGE (d:ViolationDraft {uid: row.uid})
ON CREATE SET d = row, d.status = 'DRAFT', d.created_at = $now
MERGE (d)-[:DRAFTED_FROM]->(f)
WITH d, row
MATCH (s:Entity {uid: row.subject})
MERGE (d)-[:DRAFT_AGAINST]->(s)
RETURN d {.*} AS d
"""

DRAFTS_OF_FLAGS: LiteralString = """
UNWIND $uids AS uid
MATCH (d:ViolationDraft)-[:DRAFTED_FROM]->(:Flag {uid: uid})
RETURN uid AS flag, d {.*} AS d
ORDER BY d.uid
"""

# --- scan runs -------------------------------------------------------------------------------

RUN_OPEN: LiteralString = """
MATCH (r:DetectionRun) WHERE r.finished_at IS NULL
RETURN r {.*} AS r
ORDER BY r.started_at DESC
LIMIT 1
"""

RUN_START: LiteralString = """
CREATE (r:DetectionRun {id: $id, started_at: $now, phase: 'lots', cursor: '', lots: 0,
                        flags: 0, settings_version: $version})
RETURN r {.*} AS r
"""

RUN_PROGRESS: LiteralString = """
MATCH (r:DetectionRun {id: $id})
SET r.phase = $phase, r.cursor = $cursor, r.lots = $lots, r.flags = $flags,
    r.updated_at = $now
"""

RUN_FINISH: LiteralString = """
MATCH (r:DetectionRun {id: $id})
SET r.phase = 'done', r.finished_at = $now, r.flags = $flags, r.lots = $lots
"""

RUN_ABANDON: LiteralString = """
MATCH (r:DetectionRun) WHERE r.finished_at IS NULL
SET r.finished_at = $now, r.phase = 'abandoned'
"""
