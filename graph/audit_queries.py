"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- audit trail -----------------------------------------------------------------------------

# Appending takes two statements in one transaction: the events and their CONCERNS links
# first, then (in the same statement, once every event is staged) the write lock on the head,
# which serialises appenders so the chain stays linear; then the sequence and hashes. The head
# is always the last lock an appender takes, so an appender inside a write transaction and the
# batch writer cannot deadlock each other.
AUDIT_STAGE_AND_LOCK_HEAD: LiteralString = """
UNWIND $rows AS row
CREATE (e:AuditEvent)
SET e = row
WITH e, row
CALL (e, row) {
  UNWIND row.targets AS target
  MATCH (n:Entity {uid: target})
  CREATE (e)-[:CONCERNS]->(n)
}
WITH count(e) AS staged
MATCH (h:AuditHead {id: 1})
SET h.locked_at = datetime()
RETURN h.seq AS seq, h.hash AS hash
"""

AUDIT_SEAL: LiteralString = """
UNWIND $rows AS row
MATCH (e:AuditEvent {id: row.id})
SET e.seq = row.seq, e.prev_hash = row.prev_hash, e.hash = row.hash
WITH count(*) AS sealed
MATCH (h:AuditHead {id: 1})
SET h.seq = $seq, h.hash = $hash
"""

AUDIT_PAGE: LiteralString = """
MATCH (e:AuditEvent) WHERE e.seq > $after
RETURN e {.*} AS e
ORDER BY e.seq
LIMIT $limit
"""

AUDIT_HEAD: LiteralString = "MATCH (h:AuditHead {id: 1}) RETURN h.seq AS seq"

AUDIT_SEARCH: LiteralString = """
CALL (*) {
  MATCH (e:AuditEvent)-[:CONCERNS]->(:Entity {uid: $target}) WHERE $target IS NOT NULL
  RETURN e
  UNION
  MATCH (e:AuditEvent) WHERE $target IS NULL
  RETURN e
}
WITH e
WHERE ($actor IS NULL OR e.actor = $actor)
  AND ($operation IS NULL OR e.operation = $operation)
  AND ($since IS NULL OR e.at >= $since)
  AND ($before IS NULL OR e.seq < $before)
RETURN e {.*} AS e
ORDER BY e.seq DESC
LIMIT $limit
"""
