// The change feed (outbox) and the single heads that order it and the audit trail.
CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE;
CREATE CONSTRAINT change_id IF NOT EXISTS FOR (c:Change) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT feed_head_id IF NOT EXISTS FOR (h:FeedHead) REQUIRE h.id IS UNIQUE;
CREATE CONSTRAINT audit_head_id IF NOT EXISTS FOR (h:AuditHead) REQUIRE h.id IS UNIQUE;
MERGE (h:FeedHead {id: 1}) ON CREATE SET h.seq = 0;
MERGE (h:AuditHead {id: 1}) ON CREATE SET h.seq = 0, h.hash = '0000000000000000000000000000000000000000000000000000000000000000';
CREATE INDEX violation_publication_end IF NOT EXISTS FOR (v:Violation) ON (v.publication_end);
