"""Cypher of the bulk load (credit/intake/bulk.py): whether its target holds data."""

from typing import LiteralString

# A database is empty for a bulk load when it holds nothing but what the migrations create:
# their records, and the feed, audit and check-log heads at their start.
TARGET_CONTENT: LiteralString = """
OPTIONAL MATCH (n)
WHERE NOT (n:Migration OR n:FeedHead OR n:AuditHead OR n:CheckLogHead)
WITH count(n) AS data
OPTIONAL MATCH (h)
WHERE (h:FeedHead OR h:AuditHead) AND h.seq > 0 OR (h:CheckLogHead AND h.size > 0)
RETURN data, count(h) AS heads
"""

# What a comparison of two builds reads (tests/test_bulk_load.py, bench/bulk_load.py).
ENTITY_UIDS: LiteralString = "MATCH (n:Entity) RETURN n.uid AS uid ORDER BY uid"

NODES_WITH_EDGES: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN uid, labels(n) AS labels, properties(n) AS props,
       COLLECT {
         MATCH (n)-[r]->(m)
         RETURN [type(r), m.uid, properties(r)] AS edge
       } AS edges
"""

FEED_EVENTS: LiteralString = """
MATCH (c:Change)
RETURN c.seq AS seq, c.kind AS kind, c.record AS record, c.subject AS subject,
       c.payload AS payload
ORDER BY seq
"""

# The whole graph of intake (entities, the values set aside, every relationship between them),
# for comparing a bulk build with an online one at a small scale (tests/test_bulk_load.py).
GRAPH_NODES: LiteralString = """
MATCH (n) WHERE n:Entity OR n:ConflictingValue
RETURN labels(n) AS labels, properties(n) AS props
"""

GRAPH_RELATIONSHIPS: LiteralString = """
MATCH (a:Entity)-[r]->(b:Entity)
RETURN type(r) AS type, a.uid AS start, b.uid AS end, properties(r) AS props
"""

# Migration 0014 gives every entity without a first receipt its last one; online, the
# migrations run before any data, and shared-identifier hubs (UPSERT_HUBS) never get one. Run
# over an imported graph, the backfill would give the hubs one: the bulk load takes it back,
# so the two builds stay the same. Auto-commit only (CALL ... IN TRANSACTIONS).
HUBS_WITHOUT_FIRST_RECEIPT: LiteralString = """
MATCH (n:Identifier) WHERE n.first_received_at IS NOT NULL AND n.content_hash IS NULL
CALL (n) { REMOVE n.first_received_at } IN TRANSACTIONS OF 10000 ROWS
"""
