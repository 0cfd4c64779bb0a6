"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- intake ----------------------------------------------------------------------------------

UPSERT_HUBS: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
ON CREATE SET n += row.props, n.received_at = datetime(), n:$(row.labels)
"""

# A record belongs to the source that first wrote it (`owner_source`). It changes when its
# owner sends different content with a version not older; records of our own sources
# ($editable) may be corrected in place, others need a higher version, so intake stays
# idempotent on (source, external id, version). Every row comes back: `owner` names another
# source that owns the record (nothing was written; the caller refuses it or, for a shared
# entity, contributes), `changed` says whether it was written. The ownership test is part of
# this statement, so no writer can slip in between a check and the write. The owner's own
# relationships are replaced; those another source contributed stay, as do contributed roles.
UPSERT_NODES: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
WITH n, row, n.content_hash IS NULL AS created, coalesce(n.owner_source, n.source) AS owner,
     {status: n.status, retracted_on: n.retracted_on, version: n.version} AS previous,
     [coalesce(n.status, ''), coalesce(toString(n.retracted_on), ''),
      coalesce(toString(n.suspended_on), ''),
      coalesce(toString(n.suspension_lifted_on), '')] AS lifecycle
WITH n, row, created, previous, lifecycle,
     CASE WHEN created OR owner IS NULL OR owner = row.prov.source THEN null ELSE owner END
       AS foreign
CALL (n, row, created, foreign, lifecycle) {
  WITH n, row, created, foreign, lifecycle
  WHERE foreign IS NULL
    AND (created
         OR (n.content_hash <> row.hash
             AND (coalesce(n.version, 0) < row.prov.version
                  OR (n.version = row.prov.version AND row.prov.source IN $editable))))
  WITH n, row, created, lifecycle, coalesce(n.contributed_roles, []) AS kept
  SET n.first_received_at = coalesce(n.first_received_at, n.received_at, datetime())
  SET n += row.props, n += row.prov, n.content_hash = row.hash, n.received_at = datetime(),
      n.owner_source = coalesce(n.owner_source, row.prov.source)
  SET n.roles = CASE WHEN row.props.roles IS NULL THEN n.roles
                     ELSE row.props.roles + [r IN kept WHERE NOT r IN row.props.roles] END
  SET n:$(row.labels)
  REMOVE n:$([l IN row.drop_labels WHERE NOT toUpper(l) IN kept])
  // knownAt: when the current status, retraction or suspension was recorded
  SET n.status_recorded_at = CASE
    WHEN n.status IS NULL AND n.retracted_on IS NULL AND n.suspended_on IS NULL THEN null
    WHEN created OR lifecycle <> [coalesce(n.status, ''), coalesce(toString(n.retracted_on), ''),
         coalesce(toString(n.suspended_on), ''), coalesce(toString(n.suspension_lifted_on), '')]
      THEN n.received_at
    ELSE n.status_recorded_at END
  WITH n, row
  CALL (n, row) {
    MATCH (n)-[old]-()
    WHERE old.owner = row.uid AND coalesce(old.source, row.prov.source) = row.prov.source
    DELETE old
  }
  RETURN count(*) AS wrote
}
RETURN row.uid AS uid, created, previous, wrote > 0 AS changed, foreign AS owner
"""

# Another source's record of a shared entity (organisation, person): it fills what the node
# lacks, adds to lists (roles, specialties) and labels, and never changes or removes a value
# set before; each differing value is kept as a :ConflictingValue with its provenance.
CONTRIBUTE_NODES: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {uid: row.uid})
WITH n, row, coalesce(n.owner_source, n.source) AS owner
WHERE owner <> row.prov.source
WITH n, row, owner,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NULL] AS filled,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NOT NULL
        AND valueType(n[k]) STARTS WITH 'LIST'
        AND any(x IN row.props[k] WHERE NOT x IN n[k])] AS grown,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NOT NULL
        AND NOT valueType(n[k]) STARTS WITH 'LIST' AND n[k] <> row.props[k]] AS conflicting,
     [l IN row.labels WHERE NOT l IN labels(n)] AS labelled
WITH n, row, owner, filled, grown, labelled,
     [k IN conflicting | {field: k, value: toString(row.props[k]), owner_value: toString(n[k])}]
       AS conflicts,
     [x IN coalesce(row.props.roles, []) WHERE NOT x IN coalesce(n.roles, [])] AS new_roles
FOREACH (k IN filled | SET n[k] = row.props[k])
FOREACH (k IN grown | SET n[k] = n[k] + [x IN row.props[k] WHERE NOT x IN n[k]])
SET n.contributed_roles = CASE WHEN new_roles = [] THEN n.contributed_roles
                               ELSE coalesce(n.contributed_roles, []) + new_roles END
SET n:$(labelled)
FOREACH (c IN conflicts |
  MERGE (v:ConflictingValue {record: row.uid, field: c.field, source: row.prov.source,
                             value: c.value})
  ON CREATE SET v.owner_source = owner, v.owner_value = c.owner_value,
                v.external_id = row.prov.external_id, v.version = row.prov.version,
                v.received_at = datetime())
RETURN row.uid AS uid, owner, filled + grown + labelled AS added, conflicts
"""

CREATE_EDGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
CREATE (a)-[x:$(row.type)]->(b)
SET x = row.props, x.received_at = datetime()
"""

# A contributor's relationships (another phone, another address) are added where the entity
# has no such relationship yet; returns the records that gained one.
CONTRIBUTE_EDGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
WITH a, b, row
WHERE NOT EXISTS { (a)-[:$(row.type)]->(b) }
CREATE (a)-[x:$(row.type)]->(b)
SET x = row.props, x.received_at = datetime()
RETURN DISTINCT row.props.owner AS uid
"""

# Relationship records (ties, reviews) belong to their first source like nodes do.
UPSERT_EDGE_RECORDS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
MERGE (a)-[x:$(row.type) {uid: row.uid}]->(b)
WITH x, row, x.content_hash IS NULL AS created, coalesce(x.owner_source, x.source) AS owner
WITH x, row, created,
     CASE WHEN created OR owner IS NULL OR owner = row.prov.source THEN null ELSE owner END
       AS foreign
CALL (x, row, created, foreign) {
  WITH x, row, created, foreign
  WHERE foreign IS NULL
    AND (created
         OR (x.content_hash <> row.hash
             AND (coalesce(x.version, 0) < row.prov.version
                  OR (x.version = row.prov.version AND row.prov.source IN $editable))))
  SET x += row.props, x += row.prov, x.content_hash = row.hash, x.received_at = datetime(),
      x.owner_source = coalesce(x.owner_source, row.prov.source)
  RETURN count(*) AS wrote
}
RETURN row.uid AS uid, wrote > 0 AS changed, foreign AS owner
"""

# Values other sources gave for a record's fields that differ from its owner's, for review.
CONFLICTING_VALUES: LiteralString = """
MATCH (v:ConflictingValue {record: $record})
RETURN v {.*} AS v
ORDER BY v.field, v.received_at, v.source
LIMIT $limit
"""

# The stored owner and version of a record, for a supervisor's amendment (whose write is
# conditional on the version it read).
RECORD_OWNER: LiteralString = """
MATCH (n:Entity {uid: $uid}) WHERE n.content_hash IS NOT NULL
RETURN coalesce(n.owner_source, n.source) AS owner, n.version AS version
"""

EDGE_RECORD_OWNER: LiteralString = """
MATCH ()-[x:$($type) {uid: $uid}]->()
RETURN coalesce(x.owner_source, x.source) AS owner, x.version AS version
"""

EXISTING_UIDS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN n.uid AS uid
"""
