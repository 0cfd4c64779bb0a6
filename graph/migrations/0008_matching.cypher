// Proposed and decided name matches of external listings that came without a USCC.
CREATE CONSTRAINT match_candidate_id IF NOT EXISTS FOR (c:MatchCandidate) REQUIRE c.id IS UNIQUE;
CREATE INDEX match_decision_key IF NOT EXISTS FOR (d:MatchDecision) ON (d.source, d.name_key);
