"""Every Cypher statement the application runs, by name. Parameters only, never string-built.

Labels and relationship types that vary per row are passed as parameters through Cypher 5.26
dynamic labels (`$(...)`), which Neo4j validates as names, so input cannot change a statement.
"""

from typing import LiteralString

# --- intake ----------------------------------------------------------------------------------

UPSERT_HUBS: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
ON CREATE SET n += row.props, n.received_at = datetime(), n:$(row.labels)
"""

UPSERT_NODES: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
WITH n, row
WHERE n.content_hash IS NULL
   OR (n.content_hash <> row.hash AND coalesce(n.version, 0) <= row.prov.version)
SET n += row.props, n += row.prov, n.content_hash = row.hash, n.received_at = datetime()
SET n:$(row.labels)
REMOVE n:$(row.drop_labels)
WITH n, row
CALL (n, row) {
  MATCH (n)-[old]-() WHERE old.owner = row.uid
  DELETE old
}
RETURN row.uid AS uid
"""

CREATE_EDGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
CREATE (a)-[x:$(row.type)]->(b)
SET x = row.props, x.received_at = datetime()
"""

UPSERT_EDGE_RECORDS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
MERGE (a)-[x:$(row.type) {uid: row.uid}]->(b)
WITH x, row
WHERE x.content_hash IS NULL
   OR (x.content_hash <> row.hash AND coalesce(x.version, 0) <= row.prov.version)
SET x += row.props, x += row.prov, x.content_hash = row.hash, x.received_at = datetime()
RETURN row.uid AS uid
"""

EXISTING_UIDS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN n.uid AS uid
"""

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

WIPE_BATCH: LiteralString = """
MATCH (n) WHERE NOT n:Migration
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted
"""

# --- audit trail -----------------------------------------------------------------------------

# Taking the write lock on the head serialises appenders, so the chain stays linear.
AUDIT_LOCK_HEAD: LiteralString = """
MERGE (h:AuditHead {id: 1})
ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked_at = datetime()
RETURN h.seq AS seq, h.hash AS hash
"""

AUDIT_INSERT: LiteralString = """
UNWIND $rows AS row
CREATE (e:AuditEvent)
SET e = row
WITH e, row
CALL (e, row) {
  UNWIND row.targets AS target
  MATCH (n:Entity {uid: target})
  CREATE (e)-[:CONCERNS]->(n)
}
WITH count(*) AS written
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

# --- API keys --------------------------------------------------------------------------------

API_KEY_CREATE: LiteralString = """
CREATE (k:ApiKey {id: $id, name: $name, role: $role, source: $source, hash: $hash,
                  created_at: datetime()})
"""

API_KEY_BY_ID: LiteralString = """
MATCH (k:ApiKey {id: $id})
RETURN k {.*} AS k
"""

API_KEY_REVOKE: LiteralString = """
MATCH (k:ApiKey {id: $id}) WHERE k.revoked_at IS NULL
SET k.revoked_at = datetime()
RETURN k.id AS id
"""
