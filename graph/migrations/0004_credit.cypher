// Check records (immutable eligibility results) and grade history.
CREATE CONSTRAINT check_record_id IF NOT EXISTS FOR (c:CheckRecord) REQUIRE c.id IS UNIQUE;
CREATE INDEX check_record_requester IF NOT EXISTS FOR (c:CheckRecord) ON (c.requested_by);
CREATE INDEX grade_change_subject IF NOT EXISTS FOR (g:GradeChange) ON (g.subject);
