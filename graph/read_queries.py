"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- reads -----------------------------------------------------------------------------------

NODE_BY_UID: LiteralString = """
MATCH (n:Entity {uid: $uid})
RETURN n {.*} AS props, labels(n) AS labels
"""

NODES_BY_UID: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN n {.*} AS props, labels(n) AS labels
"""

NODES_PAGE: LiteralString = """
MATCH (n:Entity)
WHERE n.uid STARTS WITH $prefix AND n.uid > $after
  AND ($label IS NULL OR $label IN labels(n))
RETURN n {.*} AS props, labels(n) AS labels
ORDER BY n.uid
LIMIT $limit
"""

# Neighbours of several nodes along one relationship type and direction, for DataLoaders:
# one query serves a whole GraphQL list instead of one per parent.
OUT_NEIGHBOURS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})-[r:$($type)]->(m:Entity)
RETURN uid AS parent, m {.*} AS props, labels(m) AS labels
ORDER BY parent, m.uid
"""

IN_NEIGHBOURS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})<-[r:$($type)]-(m:Entity)
RETURN uid AS parent, m {.*} AS props, labels(m) AS labels
ORDER BY parent, m.uid
"""

VIOLATIONS_PAGE: LiteralString = """
MATCH (v:Violation)-[:AGAINST]->(s:Entity)
WHERE ($subject IS NULL OR s.uid = $subject)
  AND ($status IS NULL OR v.status = $status)
  AND v.uid > $after
RETURN v {.*} AS props, labels(v) AS labels, s.uid AS subject
ORDER BY v.uid
LIMIT $limit
"""

SEARCH_FULLTEXT: LiteralString = """
CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: $window})
YIELD node, score
WHERE any(label IN labels(node) WHERE label IN $labels)
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, node.uid
SKIP $skip
LIMIT $limit
"""

SEARCH_CONTAINS: LiteralString = """
MATCH (node:Entity)
WHERE any(label IN labels(node) WHERE label IN $labels)
  AND (node.name CONTAINS $query OR node.uscc = $query)
WITH node, CASE WHEN node.uscc = $query OR node.name = $query THEN 2.0
                WHEN node.name STARTS WITH $query THEN 1.5 ELSE 1.0 END AS score
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, size(node.name), node.uid
SKIP $skip
LIMIT $limit
"""

# One hop of a breadth-first neighbourhood walk; the caller bounds depth and fan-out.
EXPAND: LiteralString = """
UNWIND $frontier AS uid
MATCH (n:Entity {uid: uid})-[r]-(m:Entity)
WHERE $types IS NULL OR type(r) IN $types
WITH r, n, m
LIMIT $limit
RETURN elementId(r) AS id, type(r) AS type, startNode(r).uid AS start, endNode(r).uid AS end,
       r {.*} AS rprops, m {.*} AS props, labels(m) AS labels
"""

COUNT_ENTITIES: LiteralString = "MATCH (n:Entity) RETURN count(n) AS n"

# Emptying the graph but for the migration history and the heads (GraphStore.wipe), in two
# auto-commit statements that commit every 10,000 rows as they go: the relationships first, so
# no transaction holds all of a hub's at once whatever its degree, then the nodes (10,000 nodes
# with all their relationships in one transaction ran out of memory on a 512 MB heap).
WIPE_RELATIONSHIPS: LiteralString = """
MATCH (a)-[r]->(b)
WHERE NOT ((a:Migration OR a:FeedHead OR a:AuditHead)
           AND (b:Migration OR b:FeedHead OR b:AuditHead))
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""

WIPE_NODES: LiteralString = """
MATCH (n) WHERE NOT (n:Migration OR n:FeedHead OR n:AuditHead)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""

RESET_HEADS: LiteralString = """
MATCH (h) WHERE h:FeedHead OR h:AuditHead
SET h.seq = 0, h.hash = CASE WHEN h:AuditHead THEN $genesis ELSE null END
"""
