// Collusion and conflict-of-interest detection: flags (one per pattern, scope and parties),
// their reviews, violation drafts, per-lot bid screens and resumable scan runs.
CREATE CONSTRAINT flag_uid IF NOT EXISTS FOR (f:Flag) REQUIRE f.uid IS UNIQUE;
CREATE INDEX flag_status IF NOT EXISTS FOR (f:Flag) ON (f.status);
CREATE INDEX flag_pattern IF NOT EXISTS FOR (f:Flag) ON (f.pattern);
CREATE INDEX flag_lot IF NOT EXISTS FOR (f:Flag) ON (f.lot);
CREATE INDEX flag_confidence IF NOT EXISTS FOR (f:Flag) ON (f.confidence);
CREATE CONSTRAINT flag_review_uid IF NOT EXISTS FOR (r:FlagReview) REQUIRE r.uid IS UNIQUE;
CREATE CONSTRAINT violation_draft_uid IF NOT EXISTS FOR (d:ViolationDraft) REQUIRE d.uid IS UNIQUE;
CREATE CONSTRAINT bid_screen_lot IF NOT EXISTS FOR (s:BidScreen) REQUIRE s.lot IS UNIQUE;
CREATE CONSTRAINT detection_run_id IF NOT EXISTS FOR (r:DetectionRun) REQUIRE r.id IS UNIQUE;
