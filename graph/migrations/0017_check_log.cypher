// Signed check records in an append-only Merkle log (credit/checks): a gap-free log index per
// record, assigned under the head's lock; the signing keys ever used; the signed tree heads.
CREATE CONSTRAINT check_log_head_id IF NOT EXISTS FOR (h:CheckLogHead) REQUIRE h.id IS UNIQUE;
CREATE CONSTRAINT check_record_log_index IF NOT EXISTS FOR (c:CheckRecord) REQUIRE c.log_index IS UNIQUE;
CREATE CONSTRAINT check_signing_key_id IF NOT EXISTS FOR (k:CheckSigningKey) REQUIRE k.key_id IS UNIQUE;
CREATE INDEX check_log_root_size IF NOT EXISTS FOR (r:CheckLogRoot) ON (r.tree_size);
MERGE (h:CheckLogHead {id: 1}) ON CREATE SET h.size = 0;
