"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- name matching of external listings ---------------------------------------------------------

UNMATCHED_LISTINGS: LiteralString = """
UNWIND $uids AS uid
MATCH (l:Entity {uid: uid}) WHERE l:ExternalListing
  AND l.subject_uscc IS NULL AND l.subject_name IS NOT NULL AND NOT (l)-[:LISTS]->()
RETURN l.uid AS uid, l.subject_name AS name, l.source AS source
"""

MATCH_DECISIONS: LiteralString = """
MATCH (d:MatchDecision {source: $source, name_key: $name_key})
RETURN d.org AS org, d.accepted AS accepted
"""

MATCH_PROPOSE: LiteralString = """
UNWIND $rows AS row
MATCH (l:Entity {uid: row.listing})
MATCH (o:Entity {uid: row.org})
MERGE (c:MatchCandidate {id: row.id})
ON CREATE SET c.listing = row.listing, c.org = row.org, c.score = row.score, c.status = 'OPEN',
              c.name_key = row.name_key, c.source = row.source, c.created_at = datetime()
MERGE (c)-[:PROPOSES_LISTING]->(l)
MERGE (c)-[:PROPOSES_ORG]->(o)
"""

MATCH_CANDIDATES: LiteralString = """
MATCH (c:MatchCandidate)
WHERE ($status IS NULL OR c.status = $status) AND c.id > $after
MATCH (l:Entity {uid: c.listing}), (o:Entity {uid: c.org})
RETURN c {.*} AS c, l.subject_name AS listed_name, l.list AS list, o.name AS org_name,
       o.uscc AS org_uscc
ORDER BY c.id
LIMIT $limit
"""

MATCH_DECIDE: LiteralString = """
MATCH (c:MatchCandidate {id: $id}) WHERE c.status = 'OPEN'
SET c.status = CASE WHEN $accept THEN 'ACCEPTED' ELSE 'REJECTED' END,
    c.decided_by = $by, c.decided_at = datetime(), c.reason = $reason
MERGE (d:MatchDecision {source: c.source, name_key: c.name_key, org: c.org})
SET d.accepted = $accept, d.decided_by = $by, d.decided_at = datetime(), d.reason = $reason
RETURN c.listing AS listing, c.org AS org
"""

MATCH_LINK: LiteralString = """
MATCH (l:Entity {uid: $listing}), (o:Entity {uid: $org})
MERGE (l)-[r:LISTS]->(o)
ON CREATE SET r.matched_by = $by, r.source = l.source, r.external_id = l.external_id,
              r.version = l.version, r.received_at = datetime()
SET l.subject_uscc = o.uscc
"""
