"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- participation (Regs Art. 18, Art. 22 para 2), name matches, list freshness (art18) --------

# A lot's project and method, and its bids that stand: bidder (organisation or natural person)
# and consortium members.
LOT_PARTICIPANTS: LiteralString = """
MATCH (l:Entity {uid: $lot})<-[:HAS_LOT]-(pr:Project)
OPTIONAL MATCH (l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(s:Entity)
WHERE b.status <> 'WITHDRAWN'
CALL (b) {
  OPTIONAL MATCH (m:Organization)-[:CONSORTIUM_MEMBER_OF]->(b)
  RETURN collect(m.uid) AS members
}
RETURN pr.uid AS project, pr.method AS method, b.uid AS bid, s.uid AS supplier, members
ORDER BY supplier, bid
"""

# The ties pointing at each party that Art. 18 reads, in force on the day, and the services
# each party provided for the project (Art. 18 para 2).
PARTICIPATION_TIES: LiteralString = """
UNWIND $uids AS uid
MATCH (t:Entity {uid: uid})
RETURN uid,
       [(x:Entity)-[r:LEGAL_REP_OF|RESPONSIBLE_FOR|OWNS|CONTROLS|MANAGES]->(t)
        WHERE coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
        | {source: x.uid, person: x:Person, type: type(r), uid: r.uid, share: r.share}] AS ties,
       [(t)-[r:PROVIDED_SERVICE]->(:Entity {uid: $project}) | r.service] AS services
"""

# Open name-match candidates that propose a listing (still standing on the day) for a subject.
OPEN_NAME_MATCHES: LiteralString = """
UNWIND $uids AS uid
MATCH (c:MatchCandidate {org: uid, status: 'OPEN'})
MATCH (l:Entity {uid: c.listing})
WHERE l.listed_on <= $as_of AND coalesce(l.retracted_on, $as_of) >= $as_of
  AND coalesce(l.valid_until, $as_of) >= $as_of
RETURN uid, c.id AS candidate, c.score AS score, l.uid AS listing, l.list AS list,
       l.subject_name AS listed_name, l.source AS source, l.authority AS authority,
       toString(l.listed_on) AS listed_on
ORDER BY uid, candidate
"""

# How fresh each external list is: the last entry received per (list, source), read from the
# index on (list, source, received_at) alone.
LIST_FRESHNESS: LiteralString = """
MATCH (l:ExternalListing)
WHERE l.list IS NOT NULL AND l.source IS NOT NULL AND l.received_at IS NOT NULL
RETURN l.list AS list, l.source AS source, toString(max(l.received_at)) AS last_received,
       count(*) AS entries
ORDER BY list, source
"""
