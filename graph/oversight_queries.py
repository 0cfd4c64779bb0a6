"""Cypher of the oversight workflows (expert draws, inspections, complaints, ratings).
Parameters only, never string-built; entities are looked up through the Entity.uid index."""

from typing import LiteralString

# --- expert draws ------------------------------------------------------------------------------

# The lot's project parties and its bidders (consortium members count as bidders).
LOT_PARTIES: LiteralString = """
MATCH (l:Entity {uid: $lot})<-[:HAS_LOT]-(p:Project)
OPTIONAL MATCH (p)-[:PURCHASED_BY]->(b:Organization)
OPTIONAL MATCH (p)-[:RUN_BY]->(a:Organization)
CALL (l) {
  MATCH (l)<-[:FOR_LOT]-(bid:Bid)<-[:SUBMITTED|CONSORTIUM_MEMBER_OF]-(s:Organization)
  WHERE bid.status <> 'WITHDRAWN'
  RETURN collect(DISTINCT s.uid) AS bidders
}
RETURN p.uid AS project, b.uid AS purchaser, b.uscc AS purchaser_uscc, a.uid AS agency,
       a.uscc AS agency_uscc, bidders
"""

EXPERT_POOL: LiteralString = """
MATCH (e:Expert)
WHERE e.active AND any(s IN e.specialties WHERE s IN $specialties)
RETURN e.uid AS uid
ORDER BY uid
"""

# What recusal needs of each person: ties to organisations, and kin who represent one.
PERSON_TIES: LiteralString = """
UNWIND $uids AS uid
MATCH (p:Entity {uid: uid})
CALL (p) {
  MATCH (p)-[r:EMPLOYED_BY|DIRECTOR_OF|SUPERVISOR_OF|CONTROLS|OWNS|WORKS_FOR]->(o:Organization)
  RETURN collect({kind: type(r), org: o.uid, valid_from: r.valid_from, valid_to: r.valid_to,
                  share: r.share}) AS ties
}
CALL (p) {
  MATCH (p)-[k:RELATIVE_OF]-(rel:Person)-[r:LEGAL_REP_OF|RESPONSIBLE_FOR]->(o:Organization)
  WHERE coalesce(k.valid_from, $as_of) <= $as_of AND coalesce(k.valid_to, $as_of) >= $as_of
    AND coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
  RETURN collect(DISTINCT {relative: rel.uid, org: o.uid}) AS kin
}
RETURN uid, ties, kin
"""

DRAW_COMMIT: LiteralString = """
MATCH (l:Entity {uid: $lot})
CREATE (d:ExpertDraw {id: $id, lot: $lot, specialties: $specialties, size: $size,
                      seed: $seed, seed_hash: $seed_hash, status: 'COMMITTED',
                      committed_by: $by, committed_at: datetime()})
CREATE (d)-[:DRAW_FOR]->(l)
RETURN d {.*} AS d
"""

DRAW_BY_ID: LiteralString = """
MATCH (d:ExpertDraw {id: $id})
RETURN d {.*} AS d
"""

DRAW_REVEAL: LiteralString = """
MATCH (d:ExpertDraw {id: $id}) WHERE d.status = 'COMMITTED'
SET d.status = 'DRAWN', d.as_of = $as_of, d.pool = $pool, d.exclusions = $exclusions,
    d.panel = $panel, d.declined = [], d.drawn_by = $by, d.drawn_at = datetime()
RETURN d {.*} AS d
"""

DRAW_REPLACE: LiteralString = """
MATCH (d:ExpertDraw {id: $id}) WHERE d.status IN ['DRAWN', 'REVIEWING'] AND $expert IN d.panel
SET d.declined = d.declined + $expert, d.panel = $panel
RETURN d {.*} AS d
"""

# The recusal check at the start of the review: withdrawn members join the declined, the panel
# is what the ranking gives then. Only once, and only if no replacement happened meanwhile.
DRAW_START_REVIEW: LiteralString = """
MATCH (d:ExpertDraw {id: $id}) WHERE d.status = 'DRAWN' AND d.declined = $before
SET d.status = 'REVIEWING', d.declined = $declined, d.panel = $panel,
    d.withdrawals = $withdrawals, d.review_as_of = $as_of, d.review_bidders = $bidders,
    d.review_started_by = $by, d.review_started_at = datetime()
RETURN d {.*} AS d
"""

# --- complaints --------------------------------------------------------------------------------

COMPLAINT_CASE_SET: LiteralString = """
MATCH (c:Entity {uid: $complaint})
MERGE (k:ComplaintCase {complaint: $complaint})
SET k += $props, k.updated_at = datetime()
MERGE (k)-[:CASE_OF]->(c)
"""

COMPLAINT_CASE: LiteralString = """
MATCH (c:Entity {uid: $complaint}) WHERE c:Complaint
MATCH (c)-[:FILED_BY]->(o:Organization)
MATCH (c)-[:ABOUT]->(l:Entity)
OPTIONAL MATCH (k:ComplaintCase {complaint: $complaint})
RETURN c {.*} AS complaint, o.uscc AS complainant, l.uid AS lot, k {.*} AS steps
"""

OPEN_COMPLAINTS: LiteralString = """
MATCH (c:Complaint) WHERE c.outcome = 'PENDING' AND c.uid > $after
RETURN c.uid AS uid
ORDER BY uid
LIMIT $limit
"""

# --- ratings -----------------------------------------------------------------------------------

PROJECT_PARTIES: LiteralString = """
MATCH (p:Entity {uid: $project}) WHERE p:Project
OPTIONAL MATCH (p)-[:PURCHASED_BY]->(b:Organization)
OPTIONAL MATCH (p)-[:RUN_BY]->(a:Organization)
RETURN b.uscc AS purchaser_uscc, a.uscc AS agency_uscc
"""

EXPERT_REVIEWED_PROJECT: LiteralString = """
MATCH (:Entity {uid: $expert})-[:REVIEWED]->(l:Lot)<-[:HAS_LOT]-(:Entity {uid: $project})
RETURN count(l) > 0 AS reviewed
"""

# --- inspections -------------------------------------------------------------------------------

# Agencies and suppliers with their risk signals. Flags are another module's; without any the
# counts are 0. Complaints count while pending or once upheld: about lots an agency ran, or
# lots a supplier won.
INSPECTION_CANDIDATES: LiteralString = """
MATCH (o:Organization) WHERE o:Agency OR o:Supplier
CALL (o) {
  OPTIONAL MATCH (f:Flag)-[:FLAGS]->(o)
  WHERE coalesce(f.current, true)
  RETURN count(DISTINCT CASE WHEN f.status = 'OPEN' THEN f END) AS sup_open,
         count(DISTINCT CASE WHEN f.status = 'CONFIRMED' THEN f END) AS sup_confirmed
}
CALL (o) {
  OPTIONAL MATCH (f:Flag)-[:CONCERNS_LOT]->(:Lot)<-[:HAS_LOT]-(:Project)-[:RUN_BY]->(o)
  WHERE coalesce(f.current, true)
  RETURN count(DISTINCT CASE WHEN f.status = 'OPEN' THEN f END) AS ag_open,
         count(DISTINCT CASE WHEN f.status = 'CONFIRMED' THEN f END) AS ag_confirmed
}
CALL (o) {
  OPTIONAL MATCH (c:Complaint)-[:ABOUT]->(l:Lot)
  WHERE c.outcome IN ['PENDING', 'UPHELD']
    AND (EXISTS { (l)<-[:HAS_LOT]-(:Project)-[:RUN_BY]->(o) }
         OR EXISTS { (l)<-[:AWARD_OF]-(:Award)-[:WON_BY]->(o) })
  RETURN count(DISTINCT c) AS complaints
}
CALL (o) {
  OPTIONAL MATCH (i:Inspection {target: o.uid})
  RETURN max(i.as_of) AS last_inspected
}
RETURN o.uid AS uid, CASE WHEN o:Agency THEN 'agency' ELSE 'supplier' END AS kind,
       o.credit_grade AS grade,
       CASE WHEN o:Agency THEN ag_open ELSE sup_open END AS open_flags,
       CASE WHEN o:Agency THEN ag_confirmed ELSE sup_confirmed END AS confirmed_flags,
       complaints, last_inspected
ORDER BY uid
"""

PLAN_CREATE: LiteralString = """
CREATE (p:InspectionPlan {id: $id, as_of: $as_of, seed: $seed, algorithm: $algorithm,
                          inputs: $inputs, created_by: $by, created_at: datetime()})
WITH p
UNWIND $targets AS t
MATCH (o:Entity {uid: t.target})
CREATE (i:Inspection {id: t.id, plan: $id, target: t.target, kind: t.kind, weight: t.weight,
                      forced: t.forced, inspectors: t.inspectors, exclusions: t.exclusions,
                      as_of: $as_of, status: 'PLANNED'})
CREATE (p)-[:PLANS]->(i)-[:INSPECTS]->(o)
"""

PLAN_BY_ID: LiteralString = """
MATCH (p:InspectionPlan {id: $id})
CALL (p) {
  MATCH (p)-[:PLANS]->(i:Inspection)-[:INSPECTS]->(o:Organization)
  RETURN collect(i {.*, name: o.name, uscc: o.uscc}) AS inspections
}
RETURN p {.*} AS plan, inspections
"""

INSPECTION_RESULT: LiteralString = """
MATCH (i:Inspection {id: $id}) WHERE i.status = 'PLANNED'
SET i.status = 'COMPLETED', i.result = $result, i.findings = $findings,
    i.completed_on = $completed_on, i.recorded_by = $by
RETURN i.plan AS plan
"""
