// Indexes for the lookups the API makes.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Organization|Person|Project|Lot) ON EACH [n.name]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}};
CREATE INDEX project_ocid IF NOT EXISTS FOR (n:Project) ON (n.ocid);
CREATE INDEX violation_status IF NOT EXISTS FOR (n:Violation) ON (n.status);
CREATE INDEX violation_decided_on IF NOT EXISTS FOR (n:Violation) ON (n.decided_on);
CREATE INDEX bid_submitted_at IF NOT EXISTS FOR (n:Bid) ON (n.submitted_at);
CREATE INDEX listing_list IF NOT EXISTS FOR (n:ExternalListing) ON (n.list);
CREATE INDEX entity_provenance IF NOT EXISTS FOR (n:Entity) ON (n.source, n.external_id);
CREATE INDEX tie_legal_rep_uid IF NOT EXISTS FOR ()-[r:LEGAL_REP_OF]-() ON (r.uid);
CREATE INDEX tie_responsible_uid IF NOT EXISTS FOR ()-[r:RESPONSIBLE_FOR]-() ON (r.uid);
CREATE INDEX tie_owns_uid IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.uid);
CREATE INDEX tie_controls_uid IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.uid);
CREATE INDEX tie_manages_uid IF NOT EXISTS FOR ()-[r:MANAGES]-() ON (r.uid);
CREATE INDEX tie_director_uid IF NOT EXISTS FOR ()-[r:DIRECTOR_OF]-() ON (r.uid);
CREATE INDEX tie_supervisor_uid IF NOT EXISTS FOR ()-[r:SUPERVISOR_OF]-() ON (r.uid);
CREATE INDEX tie_employed_uid IF NOT EXISTS FOR ()-[r:EMPLOYED_BY]-() ON (r.uid);
CREATE INDEX tie_relative_uid IF NOT EXISTS FOR ()-[r:RELATIVE_OF]-() ON (r.uid);
CREATE INDEX tie_member_uid IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.uid);
CREATE INDEX tie_service_uid IF NOT EXISTS FOR ()-[r:PROVIDED_SERVICE]-() ON (r.uid);
CREATE INDEX review_uid IF NOT EXISTS FOR ()-[r:REVIEWED]-() ON (r.uid);
