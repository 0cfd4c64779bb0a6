"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- check records: signatures and the append-only Merkle log (credit/checks) ---------------

# The log head's write lock serialises filings until commit, like the change feed's head, so
# log indices are gap-free and a committed index below the head's size is always readable.
# The signing key is recorded once, so older keys stay listed for verification after rotation.
CHECK_RECORD_FILE: LiteralString = """
MERGE (h:CheckLogHead {id: 1}) ON CREATE SET h.size = 0
SET h.size = h.size + 1
WITH h.size - 1 AS idx
CREATE (c:CheckRecord {id: $id, kind: $kind, content: $content, content_hash: $hash,
                       content_sm3: $sm3, signature: $signature, key_id: $key_id,
                       algorithm: $algorithm, log_index: idx, leaf_hash: $leaf_hash,
                       requested_by: $requested_by, requested_at: $requested_at,
                       subject_uids: $subjects, decision: $decision})
MERGE (k:CheckSigningKey {key_id: $key_id})
  ON CREATE SET k.algorithm = $algorithm, k.public_key = $public_key,
                k.first_used = datetime($requested_at)
RETURN idx AS log_index
"""

CHECK_LOG_SIZE: LiteralString = """
OPTIONAL MATCH (h:CheckLogHead {id: 1})
RETURN coalesce(h.size, 0) AS size
"""

CHECK_LOG_LEAVES: LiteralString = """
MATCH (c:CheckRecord)
WHERE c.log_index < $size
RETURN c.log_index AS i, c.leaf_hash AS leaf
ORDER BY i
"""

CHECK_LOG_LATEST_ROOT: LiteralString = """
MATCH (r:CheckLogRoot)
RETURN r {.*} AS root
ORDER BY r.tree_size DESC, r.timestamp DESC
LIMIT 1
"""

CHECK_LOG_ROOT_CREATE: LiteralString = """
CREATE (r:CheckLogRoot {tree_size: $tree_size, root_hash: $root_hash, timestamp: $timestamp,
                        algorithm: $algorithm, key_id: $key_id, signature: $signature})
"""

CHECK_SIGNING_KEYS: LiteralString = """
MATCH (k:CheckSigningKey)
RETURN k.key_id AS key_id, k.algorithm AS algorithm, k.public_key AS public_key,
       toString(k.first_used) AS first_used
ORDER BY k.first_used, k.key_id
"""

CHECK_SIGNING_KEY: LiteralString = """
MATCH (k:CheckSigningKey {key_id: $key_id})
RETURN k.key_id AS key_id, k.algorithm AS algorithm, k.public_key AS public_key
"""

CHECK_SIGNING_KEY_MERGE: LiteralString = """
MERGE (k:CheckSigningKey {key_id: $key_id})
  ON CREATE SET k.algorithm = $algorithm, k.public_key = $public_key, k.first_used = datetime()
"""

CHECK_RECORD_WITH_KEY: LiteralString = """
MATCH (c:CheckRecord {id: $id})
OPTIONAL MATCH (k:CheckSigningKey {key_id: c.key_id})
RETURN c {.*} AS c, k.public_key AS public_key
"""

# A procurement unit's lots (as purchaser or agency): upcoming bid deadlines first, soonest
# first, then past ones, latest first (credit/api/units.py, the pages' "my lots").
UNIT_LOTS: LiteralString = """
MATCH (p:Project)-[:HAS_LOT]->(l:Lot)
WHERE ($purchaser IS NOT NULL AND EXISTS { (p)-[:PURCHASED_BY]->(:Organization {uid: $purchaser}) })
   OR ($agency IS NOT NULL AND EXISTS { (p)-[:RUN_BY]->(:Organization {uid: $agency}) })
WITH l, coalesce(l.bid_deadline >= $now, false) AS upcoming
RETURN l {.*} AS props, labels(l) AS labels
ORDER BY upcoming DESC,
         CASE WHEN upcoming THEN l.bid_deadline END ASC,
         l.bid_deadline DESC, l.uid
SKIP $skip
LIMIT $limit
"""
