"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

# --- credit: facts for scoring and eligibility -------------------------------------------------

# The fields of each kind of credit record that the rules read (credit.standing.service._record),
# temporal values as ISO text: the driver's temporal decoding cost more than the query itself.
_VIOLATION_FIELDS: LiteralString = """v {.uid, .category, .severity, .penalty_types,
  .fine_exact, .fine_currency, .status, .basis, .decision_number, .authority,
  received_at: toString(coalesce(v.first_received_at, v.received_at)),
  status_recorded_at: toString(v.status_recorded_at), decided_on: toString(v.decided_on),
  ban_start: toString(v.ban_start), ban_end: toString(v.ban_end),
  publication_end: toString(v.publication_end), status_date: toString(v.status_date),
  suspended_on: toString(v.suspended_on),
  suspension_lifted_on: toString(v.suspension_lifted_on)}"""

# The credit-relevant records of a subject `s` (shared by SUBJECT_RECORDS and SUPPLIER_FACTS).
_RECORDS_OF_S: LiteralString = (
    """
CALL (s) {
  OPTIONAL MATCH (v:Violation)-[:AGAINST]->(s)
  RETURN collect("""
    + _VIOLATION_FIELDS
    + """) AS violations
}
CALL (s) {
  OPTIONAL MATCH (l:ExternalListing)-[:LISTS]->(s)
  RETURN collect(l {.uid, .list, .reference, .authority,
    received_at: toString(coalesce(l.first_received_at, l.received_at)),
    status_recorded_at: toString(l.status_recorded_at), listed_on: toString(l.listed_on),
    valid_until: toString(l.valid_until), retracted_on: toString(l.retracted_on)}) AS listings
}
CALL (s) {
  OPTIONAL MATCH (c:Contract)-[:UNDER_AWARD]->(:Award)-[:WON_BY]->(s)
  RETURN collect(c {.uid, .acceptance,
    received_at: toString(coalesce(c.first_received_at, c.received_at)),
    accepted_on: toString(c.accepted_on), signed_on: toString(c.signed_on)}) AS contracts
}
CALL (s) {
  OPTIONAL MATCH (e:Evaluation)-[:RATES]->(s)
  RETURN collect(e {.uid, .score,
    received_at: toString(coalesce(e.first_received_at, e.received_at)),
    rated_on: toString(e.rated_on)}) AS evaluations
}
CALL (s) {
  OPTIONAL MATCH (c:Complaint)-[:FILED_BY]->(s)
  RETURN collect(c {.uid, .outcome, .decision_number,
    received_at: toString(coalesce(c.first_received_at, c.received_at)),
    decided_on: toString(c.decided_on), filed_on: toString(c.filed_on)}) AS complaints
}
"""
)

# Every credit-relevant record of each subject, one round trip for a whole lot's bidders.
SUBJECT_RECORDS: LiteralString = (
    """
UNWIND $uids AS uid
MATCH (s:Entity {uid: uid})
"""
    + _RECORDS_OF_S
    + """
RETURN uid, s {.uscc, .name} AS subject, labels(s) AS labels, violations, listings, contracts,
       evaluations, complaints
"""
)

# Suppliers `o` tied to an organisation `s` through the people or companies behind it (ties in
# force on the as-of date), with those suppliers' violations, for the network rules (shared by
# SUBJECT_NETWORK and SUPPLIER_FACTS).
_NETWORK_OF_S: LiteralString = (
    """
CALL (s) {
  MATCH (s)<-[r1:LEGAL_REP_OF|RESPONSIBLE_FOR|CONTROLS]-(p)
        -[r2:LEGAL_REP_OF|RESPONSIBLE_FOR|CONTROLS]->(o:Supplier)
  WHERE o <> s
    AND coalesce(r1.valid_from, $as_of) <= $as_of AND coalesce(r1.valid_to, $as_of) >= $as_of
    AND coalesce(r2.valid_from, $as_of) <= $as_of AND coalesce(r2.valid_to, $as_of) >= $as_of
  RETURN o, p.uid AS via,
         CASE WHEN type(r1) = 'LEGAL_REP_OF' AND type(r2) = 'LEGAL_REP_OF'
              THEN 'SHARED_LEGAL_REP' ELSE 'SAME_CONTROLLER' END AS kind
  UNION
  MATCH (s)<-[r:CONTROLS|OWNS|MANAGES]-(o:Organization)
  WHERE (type(r) <> 'OWNS' OR r.share > 0.5)
    AND coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
  RETURN o, o.uid AS via, 'CONTROLLED_BY' AS kind
  UNION
  MATCH (s)-[r:CONTROLS|OWNS|MANAGES]->(o:Organization)
  WHERE (type(r) <> 'OWNS' OR r.share > 0.5)
    AND coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
  RETURN o, s.uid AS via, 'CONTROLS' AS kind
}
CALL (o) {
  OPTIONAL MATCH (v:Violation)-[:AGAINST]->(o)
  RETURN collect("""
    + _VIOLATION_FIELDS
    + """) AS violations
}
"""
)

SUBJECT_NETWORK: LiteralString = (
    """
UNWIND $uids AS uid
MATCH (s:Entity {uid: uid}) WHERE s:Organization
"""
    + _NETWORK_OF_S
    + """
RETURN uid, kind, via, o.uid AS other, o.name AS other_name, violations
ORDER BY uid, other, kind, via
"""
)

# Everything an eligibility check reads of its suppliers (SUBJECT_RECORDS and SUBJECT_NETWORK
# for organisations) in one round trip: the hot path of supplierEligibility and lotEligibility.
SUPPLIER_FACTS: LiteralString = (
    """
UNWIND $uids AS uid
MATCH (s:Entity {uid: uid}) WHERE s:Organization
"""
    + _RECORDS_OF_S
    + """
CALL (s) {
"""
    + _NETWORK_OF_S
    + """
  RETURN collect({kind: kind, via: via, other: o.uid, other_name: o.name,
                  violations: violations}) AS network
}
RETURN uid, s {.uscc, .name} AS subject, violations, listings, contracts, evaluations,
       complaints, network
"""
)

# The bidders of a lot with what Regs Art. 18 needs: responsible people, direct holdings and
# prior services for the project; plus consortium members and the procurement method.
LOT_BIDDERS: LiteralString = """
MATCH (l:Entity {uid: $lot})<-[:HAS_LOT]-(pr:Project)
MATCH (l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(s:Organization)
WHERE b.status <> 'WITHDRAWN'
CALL (b) {
  OPTIONAL MATCH (m:Organization)-[:CONSORTIUM_MEMBER_OF]->(b)
  RETURN collect(m.uid) AS members
}
CALL (s) {
  OPTIONAL MATCH (p:Person)-[r:LEGAL_REP_OF|RESPONSIBLE_FOR]->(s)
  WHERE coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
  RETURN collect(DISTINCT p.uid) AS responsible
}
CALL (s) {
  OPTIONAL MATCH (s)-[r:OWNS|CONTROLS|MANAGES]->(o:Organization)
  WHERE (type(r) <> 'OWNS' OR r.share > 0.5)
    AND coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
  RETURN collect(DISTINCT o.uid) AS holds
}
CALL (s, pr) {
  OPTIONAL MATCH (s)-[r:PROVIDED_SERVICE]->(pr)
  RETURN collect(DISTINCT r.service) AS services
}
RETURN pr.method AS method, pr.uid AS project, b.uid AS bid, s.uid AS supplier, members,
       responsible, holds, services
ORDER BY supplier, bid
"""

BID_OF_SUPPLIER_IN_LOT: LiteralString = """
MATCH (:Entity {uid: $supplier})-[:SUBMITTED]->(b:Bid)-[:FOR_LOT]->(:Entity {uid: $lot})
OPTIONAL MATCH (m:Organization)-[:CONSORTIUM_MEMBER_OF]->(b)
RETURN b.uid AS bid, collect(m.uid) AS members
ORDER BY bid
LIMIT 1
"""

# --- credit: check records and stored scores -------------------------------------------------

COUNT_SCORED: LiteralString = """
MATCH (n:Entity) WHERE n:Supplier OR n:Agency OR n:Expert RETURN count(n) AS n
"""

SCORE_SUBJECTS_PAGE: LiteralString = """
MATCH (n:Entity)
WHERE n.uid > $after AND (n:Supplier OR n:Agency OR n:Expert)
RETURN n.uid AS uid
ORDER BY n.uid
LIMIT $limit
"""

# Store the current score; when the grade changes, keep a GradeChange (the change feed
# publishes it). History is never overwritten: each change is its own node.
SCORES_STORE: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {uid: row.uid})
WITH n, row, n.credit_grade AS previous
SET n.credit_score = row.score, n.credit_grade = row.grade, n.credit_as_of = row.as_of,
    n.credit_policy = row.policy
WITH n, row, previous
WHERE previous IS NULL OR previous <> row.grade
CREATE (g:GradeChange {uid: 'grade:' + row.uid + ':' + toString(row.as_of) + ':' + randomUUID(),
                       subject: row.uid, previous: previous, grade: row.grade,
                       score: row.score, as_of: row.as_of, policy: row.policy,
                       recorded_at: datetime()})
CREATE (g)-[:GRADE_OF]->(n)
RETURN row.uid AS uid, previous, row.grade AS grade, row.score AS score, row.as_of AS as_of,
       row.policy AS policy, n {.uid, .name, .uscc, .id_masked} AS subject, labels(n) AS labels
"""
