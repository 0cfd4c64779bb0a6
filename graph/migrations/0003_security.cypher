// Access control and the audit trail.
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT audit_event_seq IF NOT EXISTS FOR (e:AuditEvent) REQUIRE e.seq IS UNIQUE;
CREATE CONSTRAINT audit_event_id IF NOT EXISTS FOR (e:AuditEvent) REQUIRE e.id IS UNIQUE;
CREATE INDEX audit_event_actor IF NOT EXISTS FOR (e:AuditEvent) ON (e.actor);
