// Open name-match candidates by organisation (a check asks for its bidders' open candidates),
// and the freshness of each external list per source, read from the index alone.
CREATE INDEX match_candidate_org IF NOT EXISTS FOR (c:MatchCandidate) ON (c.org, c.status);
CREATE INDEX listing_freshness IF NOT EXISTS FOR (n:ExternalListing) ON (n.list, n.source, n.received_at);
