"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- limits shared by several API instances (credit/security/limits.py) -------------------------

# Take up to $want units (at least $need, else none) from a token bucket, refilled at $rate per
# millisecond up to $burst on the database's clock (one clock for every host). The dummy SET takes
# the node's write lock before its level is read, so concurrent takers queue and none is lost.
RATE_BUCKET_TAKE: LiteralString = """
MERGE (b:RateBucket {key: $key})
  ON CREATE SET b.tokens = toFloat($burst), b.at = timestamp()
SET b.locked_at = timestamp()
WITH b, timestamp() AS now
WITH b, now, b.tokens + (now - b.at) * $rate AS refilled
WITH b, now, CASE WHEN refilled > $burst THEN toFloat($burst) ELSE refilled END AS level
WITH b, now, level,
     CASE WHEN level >= $want THEN $want WHEN level >= $need THEN toInteger(floor(level)) ELSE 0 END
       AS granted
SET b.tokens = level - granted, b.at = now
RETURN granted, level
"""

# Delete up to $limit of a scope's buckets that have refilled to $burst: a full bucket is what
# MERGE would create, so removing it changes no limit (at worst a take racing the sweep gets
# its lease back). Without this every key ever seen (a client address, a principal) stays.
RATE_BUCKET_SWEEP: LiteralString = """
MATCH (b:RateBucket) WHERE b.key STARTS WITH $prefix
  AND b.tokens + (timestamp() - b.at) * $rate >= $burst
WITH b LIMIT $limit
DELETE b
RETURN count(b) AS deleted
"""
