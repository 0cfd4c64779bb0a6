// knownAt (issue 15): when a record was first received, and when its current lifecycle state
// (status, retraction, suspension) was recorded. Intake keeps both from now on; records received
// before this migration get their last receipt time, the best that is known of them.
MATCH (n:Entity) WHERE n.first_received_at IS NULL AND n.received_at IS NOT NULL
CALL (n) { SET n.first_received_at = n.received_at } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n:Entity) WHERE n.status_recorded_at IS NULL AND n.received_at IS NOT NULL
  AND (n:Violation OR n:ExternalListing)
  AND (n.status IS NOT NULL OR n.retracted_on IS NOT NULL)
CALL (n) { SET n.status_recorded_at = n.received_at } IN TRANSACTIONS OF 10000 ROWS;
