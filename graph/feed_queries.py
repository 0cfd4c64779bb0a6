"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- change feed (outbox) ---------------------------------------------------------------------

# What a published change needs to be described in the exchange format, read inside the
# writing transaction so the event shows exactly what was committed.
FEED_RECORD_STATE: LiteralString = """
UNWIND $uids AS uid
MATCH (r:Entity {uid: uid})
OPTIONAL MATCH (r)-[:AGAINST|LISTS]->(s:Entity)
RETURN uid, r {.*} AS record, labels(r) AS labels, s {.uid, .name, .uscc, .id_masked} AS subject,
       labels(s) AS subject_labels
"""

# The head's write lock serialises publishers until commit, so sequence numbers are gap-free
# and follow commit order: a reader that has seen N has seen everything before N.
FEED_APPEND: LiteralString = """
MATCH (h:FeedHead {id: 1})
SET h.seq = h.seq + size($events)
WITH h.seq - size($events) AS start
UNWIND range(0, size($events) - 1) AS i
WITH start + i + 1 AS seq, $events[i] AS e
CREATE (c:Change {seq: seq, id: e.id, kind: e.kind, record: e.record, subject: e.subject,
                  payload: e.payload, at: datetime($at)})
"""

FEED_PAGE: LiteralString = """
MATCH (c:Change) WHERE c.seq > $after
RETURN c {.*} AS c
ORDER BY c.seq
LIMIT $limit
"""

FEED_EXPIRING: LiteralString = """
MATCH (v:Violation)
WHERE v.publication_end < $as_of AND v.expired_published IS NULL
  AND v.status IN ['ACTIVE', 'UNDER_APPEAL']
RETURN v.uid AS uid
ORDER BY uid
LIMIT $limit
"""

FEED_MARK_EXPIRED: LiteralString = """
UNWIND $uids AS uid
MATCH (v:Entity {uid: uid})
SET v.expired_published = $as_of
"""
