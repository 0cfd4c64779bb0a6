"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- API keys --------------------------------------------------------------------------------

API_KEY_CREATE: LiteralString = """
CREATE (k:ApiKey {id: $id, name: $name, role: $role, source: $source,
                  organization: $organization, hash: $hash, created_at: datetime()})
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
