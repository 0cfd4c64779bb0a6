"""Cypher for operations: what a backup records and a restore checks."""

from __future__ import annotations

from typing import LiteralString

LABEL_COUNTS: LiteralString = """
MATCH (n) UNWIND labels(n) AS label
RETURN label, count(*) AS count ORDER BY label
"""

RELATIONSHIP_COUNTS: LiteralString = """
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS count ORDER BY type
"""

FEED_STATE: LiteralString = """
OPTIONAL MATCH (h:FeedHead {id: 1})
OPTIONAL MATCH (c:Change)
RETURN coalesce(h.seq, 0) AS head, count(c) AS changes,
       coalesce(min(c.seq), 0) AS first, coalesce(max(c.seq), 0) AS last
"""

MIGRATION_HEAD: LiteralString = """
OPTIONAL MATCH (m:Migration) RETURN coalesce(max(m.version), 0) AS version
"""

# --- the soak test's choice of subjects (bench/soak.py) -------------------------------------

SOAK_SUPPLIERS: LiteralString = """
MATCH (s:Supplier) RETURN s.uscc AS uscc ORDER BY s.uid LIMIT $limit
"""

SOAK_BIG_LOTS: LiteralString = """
MATCH (l:Lot)<-[:FOR_LOT]-(b:Bid)
WITH l, count(b) AS bidders WHERE bidders >= $min_bidders
MATCH (l)<-[:HAS_LOT]-(:Project)-[:PURCHASED_BY]->(p:Organization)
RETURN l.uid AS lot, p.uscc AS purchaser, bidders ORDER BY bidders DESC, l.uid LIMIT $limit
"""

SOAK_OPEN_FLAGS: LiteralString = """
MATCH (f:Flag {status: 'OPEN'}) RETURN f.uid AS id ORDER BY f.uid LIMIT $limit
"""
