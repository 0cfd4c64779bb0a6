// Every record belongs to the source that first wrote it (issue 14): only that source amends
// or retracts it. Existing records are owned by the source of their provenance.
CREATE INDEX conflicting_value_record IF NOT EXISTS FOR (v:ConflictingValue) ON (v.record);
MATCH (n:Entity) WHERE n.owner_source IS NULL AND n.source IS NOT NULL
CALL (n) { SET n.owner_source = n.source } IN TRANSACTIONS OF 10000 ROWS;
MATCH ()-[x]->() WHERE x.uid IS NOT NULL AND x.content_hash IS NOT NULL AND x.owner_source IS NULL
CALL (x) { SET x.owner_source = x.source } IN TRANSACTIONS OF 10000 ROWS;
