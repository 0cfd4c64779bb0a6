"""Every Cypher statement the application runs, by name. Parameters only, never string-built.

Labels and relationship types that vary per row are passed as parameters through Cypher 5.26
dynamic labels (`$(...)`), which Neo4j validates as names, so input cannot change a statement.
"""

from typing import LiteralString

# --- intake ----------------------------------------------------------------------------------

UPSERT_HUBS: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
ON CREATE SET n += row.props, n.received_at = datetime(), n:$(row.labels)
"""

# A record belongs to the source that first wrote it (`owner_source`). It changes when its
# owner sends different content with a version not older; records of our own sources
# ($editable) may be corrected in place, others need a higher version, so intake stays
# idempotent on (source, external id, version). Every row comes back: `owner` names another
# source that owns the record (nothing was written; the caller refuses it or, for a shared
# entity, contributes), `changed` says whether it was written. The ownership test is part of
# this statement, so no writer can slip in between a check and the write. The owner's own
# relationships are replaced; those another source contributed stay, as do contributed roles.
UPSERT_NODES: LiteralString = """
UNWIND $rows AS row
MERGE (n:Entity {uid: row.uid})
WITH n, row, n.content_hash IS NULL AS created, coalesce(n.owner_source, n.source) AS owner,
     {status: n.status, retracted_on: n.retracted_on, version: n.version} AS previous,
     [coalesce(n.status, ''), coalesce(toString(n.retracted_on), ''),
      coalesce(toString(n.suspended_on), ''),
      coalesce(toString(n.suspension_lifted_on), '')] AS lifecycle
WITH n, row, created, previous, lifecycle,
     CASE WHEN created OR owner IS NULL OR owner = row.prov.source THEN null ELSE owner END
       AS foreign
CALL (n, row, created, foreign, lifecycle) {
  WITH n, row, created, foreign, lifecycle
  WHERE foreign IS NULL
    AND (created
         OR (n.content_hash <> row.hash
             AND (coalesce(n.version, 0) < row.prov.version
                  OR (n.version = row.prov.version AND row.prov.source IN $editable))))
  WITH n, row, created, lifecycle, coalesce(n.contributed_roles, []) AS kept
  SET n.first_received_at = coalesce(n.first_received_at, n.received_at, datetime())
  SET n += row.props, n += row.prov, n.content_hash = row.hash, n.received_at = datetime(),
      n.owner_source = coalesce(n.owner_source, row.prov.source)
  SET n.roles = CASE WHEN row.props.roles IS NULL THEN n.roles
                     ELSE row.props.roles + [r IN kept WHERE NOT r IN row.props.roles] END
  SET n:$(row.labels)
  REMOVE n:$([l IN row.drop_labels WHERE NOT toUpper(l) IN kept])
  // knownAt: when the current status, retraction or suspension was recorded
  SET n.status_recorded_at = CASE
    WHEN n.status IS NULL AND n.retracted_on IS NULL AND n.suspended_on IS NULL THEN null
    WHEN created OR lifecycle <> [coalesce(n.status, ''), coalesce(toString(n.retracted_on), ''),
         coalesce(toString(n.suspended_on), ''), coalesce(toString(n.suspension_lifted_on), '')]
      THEN n.received_at
    ELSE n.status_recorded_at END
  WITH n, row
  CALL (n, row) {
    MATCH (n)-[old]-()
    WHERE old.owner = row.uid AND coalesce(old.source, row.prov.source) = row.prov.source
    DELETE old
  }
  RETURN count(*) AS wrote
}
RETURN row.uid AS uid, created, previous, wrote > 0 AS changed, foreign AS owner
"""

# Another source's record of a shared entity (organisation, person): it fills what the node
# lacks, adds to lists (roles, specialties) and labels, and never changes or removes a value
# set before; each differing value is kept as a :ConflictingValue with its provenance.
CONTRIBUTE_NODES: LiteralString = """
UNWIND $rows AS row
MATCH (n:Entity {uid: row.uid})
WITH n, row, coalesce(n.owner_source, n.source) AS owner
WHERE owner <> row.prov.source
WITH n, row, owner,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NULL] AS filled,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NOT NULL
        AND valueType(n[k]) STARTS WITH 'LIST'
        AND any(x IN row.props[k] WHERE NOT x IN n[k])] AS grown,
     [k IN keys(row.props) WHERE row.props[k] IS NOT NULL AND n[k] IS NOT NULL
        AND NOT valueType(n[k]) STARTS WITH 'LIST' AND n[k] <> row.props[k]] AS conflicting,
     [l IN row.labels WHERE NOT l IN labels(n)] AS labelled
WITH n, row, owner, filled, grown, labelled,
     [k IN conflicting | {field: k, value: toString(row.props[k]), owner_value: toString(n[k])}]
       AS conflicts,
     [x IN coalesce(row.props.roles, []) WHERE NOT x IN coalesce(n.roles, [])] AS new_roles
FOREACH (k IN filled | SET n[k] = row.props[k])
FOREACH (k IN grown | SET n[k] = n[k] + [x IN row.props[k] WHERE NOT x IN n[k]])
SET n.contributed_roles = CASE WHEN new_roles = [] THEN n.contributed_roles
                               ELSE coalesce(n.contributed_roles, []) + new_roles END
SET n:$(labelled)
FOREACH (c IN conflicts |
  MERGE (v:ConflictingValue {record: row.uid, field: c.field, source: row.prov.source,
                             value: c.value})
  ON CREATE SET v.owner_source = owner, v.owner_value = c.owner_value,
                v.external_id = row.prov.external_id, v.version = row.prov.version,
                v.received_at = datetime())
RETURN row.uid AS uid, owner, filled + grown + labelled AS added, conflicts
"""

CREATE_EDGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
CREATE (a)-[x:$(row.type)]->(b)
SET x = row.props, x.received_at = datetime()
"""

# A contributor's relationships (another phone, another address) are added where the entity
# has no such relationship yet; returns the records that gained one.
CONTRIBUTE_EDGES: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
WITH a, b, row
WHERE NOT EXISTS { (a)-[:$(row.type)]->(b) }
CREATE (a)-[x:$(row.type)]->(b)
SET x = row.props, x.received_at = datetime()
RETURN DISTINCT row.props.owner AS uid
"""

# Relationship records (ties, reviews) belong to their first source like nodes do.
UPSERT_EDGE_RECORDS: LiteralString = """
UNWIND $rows AS row
MATCH (a:Entity {uid: row.start})
MATCH (b:Entity {uid: row.end})
MERGE (a)-[x:$(row.type) {uid: row.uid}]->(b)
WITH x, row, x.content_hash IS NULL AS created, coalesce(x.owner_source, x.source) AS owner
WITH x, row, created,
     CASE WHEN created OR owner IS NULL OR owner = row.prov.source THEN null ELSE owner END
       AS foreign
CALL (x, row, created, foreign) {
  WITH x, row, created, foreign
  WHERE foreign IS NULL
    AND (created
         OR (x.content_hash <> row.hash
             AND (coalesce(x.version, 0) < row.prov.version
                  OR (x.version = row.prov.version AND row.prov.source IN $editable))))
  SET x += row.props, x += row.prov, x.content_hash = row.hash, x.received_at = datetime(),
      x.owner_source = coalesce(x.owner_source, row.prov.source)
  RETURN count(*) AS wrote
}
RETURN row.uid AS uid, wrote > 0 AS changed, foreign AS owner
"""

# Values other sources gave for a record's fields that differ from its owner's, for review.
CONFLICTING_VALUES: LiteralString = """
MATCH (v:ConflictingValue {record: $record})
RETURN v {.*} AS v
ORDER BY v.field, v.received_at, v.source
LIMIT $limit
"""

# The stored owner and version of a record, for a supervisor's amendment (whose write is
# conditional on the version it read).
RECORD_OWNER: LiteralString = """
MATCH (n:Entity {uid: $uid}) WHERE n.content_hash IS NOT NULL
RETURN coalesce(n.owner_source, n.source) AS owner, n.version AS version
"""

EDGE_RECORD_OWNER: LiteralString = """
MATCH ()-[x:$($type) {uid: $uid}]->()
RETURN coalesce(x.owner_source, x.source) AS owner, x.version AS version
"""

EXISTING_UIDS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN n.uid AS uid
"""

# --- reads -----------------------------------------------------------------------------------

NODE_BY_UID: LiteralString = """
MATCH (n:Entity {uid: $uid})
RETURN n {.*} AS props, labels(n) AS labels
"""

NODES_BY_UID: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})
RETURN n {.*} AS props, labels(n) AS labels
"""

NODES_PAGE: LiteralString = """
MATCH (n:Entity)
WHERE n.uid STARTS WITH $prefix AND n.uid > $after
  AND ($label IS NULL OR $label IN labels(n))
RETURN n {.*} AS props, labels(n) AS labels
ORDER BY n.uid
LIMIT $limit
"""

# Neighbours of several nodes along one relationship type and direction, for DataLoaders:
# one query serves a whole GraphQL list instead of one per parent.
OUT_NEIGHBOURS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})-[r:$($type)]->(m:Entity)
RETURN uid AS parent, m {.*} AS props, labels(m) AS labels
ORDER BY parent, m.uid
"""

IN_NEIGHBOURS: LiteralString = """
UNWIND $uids AS uid
MATCH (n:Entity {uid: uid})<-[r:$($type)]-(m:Entity)
RETURN uid AS parent, m {.*} AS props, labels(m) AS labels
ORDER BY parent, m.uid
"""

VIOLATIONS_PAGE: LiteralString = """
MATCH (v:Violation)-[:AGAINST]->(s:Entity)
WHERE ($subject IS NULL OR s.uid = $subject)
  AND ($status IS NULL OR v.status = $status)
  AND v.uid > $after
RETURN v {.*} AS props, labels(v) AS labels, s.uid AS subject
ORDER BY v.uid
LIMIT $limit
"""

SEARCH_FULLTEXT: LiteralString = """
CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: $window})
YIELD node, score
WHERE any(label IN labels(node) WHERE label IN $labels)
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, node.uid
SKIP $skip
LIMIT $limit
"""

SEARCH_CONTAINS: LiteralString = """
MATCH (node:Entity)
WHERE any(label IN labels(node) WHERE label IN $labels)
  AND (node.name CONTAINS $query OR node.uscc = $query)
WITH node, CASE WHEN node.uscc = $query OR node.name = $query THEN 2.0
                WHEN node.name STARTS WITH $query THEN 1.5 ELSE 1.0 END AS score
RETURN node {.*} AS props, labels(node) AS labels, score
ORDER BY score DESC, size(node.name), node.uid
SKIP $skip
LIMIT $limit
"""

# One hop of a breadth-first neighbourhood walk; the caller bounds depth and fan-out.
EXPAND: LiteralString = """
UNWIND $frontier AS uid
MATCH (n:Entity {uid: uid})-[r]-(m:Entity)
WHERE $types IS NULL OR type(r) IN $types
WITH r, n, m
LIMIT $limit
RETURN elementId(r) AS id, type(r) AS type, startNode(r).uid AS start, endNode(r).uid AS end,
       r {.*} AS rprops, m {.*} AS props, labels(m) AS labels
"""

COUNT_ENTITIES: LiteralString = "MATCH (n:Entity) RETURN count(n) AS n"

WIPE_BATCH: LiteralString = """
MATCH (n) WHERE NOT (n:Migration OR n:FeedHead OR n:AuditHead)
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted
"""

RESET_HEADS: LiteralString = """
MATCH (h) WHERE h:FeedHead OR h:AuditHead
SET h.seq = 0, h.hash = CASE WHEN h:AuditHead THEN $genesis ELSE null END
"""

# --- audit trail -----------------------------------------------------------------------------

# Appending takes three steps in one transaction: the events and their CONCERNS links first,
# then the write lock on the head (which serialises appenders, so the chain stays linear), then
# the sequence and hashes. The head is always the last lock an appender takes, so an appender
# inside a write transaction and the batch writer cannot deadlock each other.
AUDIT_STAGE: LiteralString = """
UNWIND $rows AS row
CREATE (e:AuditEvent)
SET e = row
WITH e, row
CALL (e, row) {
  UNWIND row.targets AS target
  MATCH (n:Entity {uid: target})
  CREATE (e)-[:CONCERNS]->(n)
}
"""

AUDIT_LOCK_HEAD: LiteralString = """
MATCH (h:AuditHead {id: 1})
SET h.locked_at = datetime()
RETURN h.seq AS seq, h.hash AS hash
"""

AUDIT_SEAL: LiteralString = """
UNWIND $rows AS row
MATCH (e:AuditEvent {id: row.id})
SET e.seq = row.seq, e.prev_hash = row.prev_hash, e.hash = row.hash
WITH count(*) AS sealed
MATCH (h:AuditHead {id: 1})
SET h.seq = $seq, h.hash = $hash
"""

AUDIT_PAGE: LiteralString = """
MATCH (e:AuditEvent) WHERE e.seq > $after
RETURN e {.*} AS e
ORDER BY e.seq
LIMIT $limit
"""

AUDIT_HEAD: LiteralString = "MATCH (h:AuditHead {id: 1}) RETURN h.seq AS seq"

AUDIT_SEARCH: LiteralString = """
CALL (*) {
  MATCH (e:AuditEvent)-[:CONCERNS]->(:Entity {uid: $target}) WHERE $target IS NOT NULL
  RETURN e
  UNION
  MATCH (e:AuditEvent) WHERE $target IS NULL
  RETURN e
}
WITH e
WHERE ($actor IS NULL OR e.actor = $actor)
  AND ($operation IS NULL OR e.operation = $operation)
  AND ($since IS NULL OR e.at >= $since)
  AND ($before IS NULL OR e.seq < $before)
RETURN e {.*} AS e
ORDER BY e.seq DESC
LIMIT $limit
"""

# --- API keys --------------------------------------------------------------------------------

API_KEY_CREATE: LiteralString = """
CREATE (k:ApiKey {id: $id, name: $name, role: $role, source: $source,
                  organization: $organization, hash: $hash, created_at: datetime()})
"""

API_KEY_BY_ID: LiteralString = """
MATCH (k:ApiKey {id: $id})
RETURN k {.*} AS k
"""

API_KEY_REVOKE: LiteralString = """
MATCH (k:ApiKey {id: $id}) WHERE k.revoked_at IS NULL
SET k.revoked_at = datetime()
RETURN k.id AS id
"""

# --- credit: facts for scoring and eligibility -------------------------------------------------

# The fields of each kind of credit record that the rules read (credit.assessment._record),
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

# --- change feed (outbox) ---------------------------------------------------------------------

# What a published change needs to be described in the exchange format, read inside the
# writing transaction so the event shows exactly what was committed.
FEED_RECORD_STATE: LiteralString = """
UNWIND $uids AS uid
MATCH (r:Entity {uid: uid})
OPTIONAL MATCH (r)-[:AGAINST|LISTS]->(s:Entity)
RETURN uid, r {.*} AS record, labels(r) AS labels, s {.uid, .name, .uscc, .id_masked} AS subject,
       labels(s) AS subject_labels
"""

# The head's write lock serialises publishers until commit, so sequence numbers are gap-free
# and follow commit order: a reader that has seen N has seen everything before N.
FEED_APPEND: LiteralString = """
MATCH (h:FeedHead {id: 1})
SET h.seq = h.seq + size($events)
WITH h.seq - size($events) AS start
UNWIND range(0, size($events) - 1) AS i
WITH start + i + 1 AS seq, $events[i] AS e
CREATE (c:Change {seq: seq, id: e.id, kind: e.kind, record: e.record, subject: e.subject,
                  payload: e.payload, at: datetime($at)})
"""

FEED_PAGE: LiteralString = """
MATCH (c:Change) WHERE c.seq > $after
RETURN c {.*} AS c
ORDER BY c.seq
LIMIT $limit
"""

FEED_EXPIRING: LiteralString = """
MATCH (v:Violation)
WHERE v.publication_end < $as_of AND v.expired_published IS NULL
  AND v.status IN ['ACTIVE', 'UNDER_APPEAL']
RETURN v.uid AS uid
ORDER BY uid
LIMIT $limit
"""

FEED_MARK_EXPIRED: LiteralString = """
UNWIND $uids AS uid
MATCH (v:Entity {uid: uid})
SET v.expired_published = $as_of
"""

# --- webhooks --------------------------------------------------------------------------------

WEBHOOK_CREATE: LiteralString = """
CREATE (w:WebhookSubscription {id: $id, url: $url, secret: $secret, owner: $owner,
        cursor: 0, attempts: 0, active: true, created_at: datetime(), next_attempt_at: datetime()})
"""

WEBHOOKS_DUE: LiteralString = """
MATCH (w:WebhookSubscription)
WHERE w.active AND w.next_attempt_at <= $now
RETURN w {.*} AS w
ORDER BY w.id
"""

# A batch is delivered under a lease (credit/sync/webhooks.py): taken only while the cursor is
# still where the deliverer read it, the subscription due and no other lease running; the lock is
# taken first (the dummy SET) so two deliverers on any hosts cannot both see it free.
WEBHOOK_CLAIM: LiteralString = """
MATCH (w:WebhookSubscription {id: $id})
SET w.locked_at = datetime()
WITH w
WHERE w.active AND w.cursor = $cursor AND w.next_attempt_at <= $now
  AND (w.lease_until IS NULL OR w.lease_until <= $now)
SET w.lease = $lease, w.lease_until = $until
RETURN w.id AS id
"""

WEBHOOK_DELIVERED: LiteralString = """
MATCH (w:WebhookSubscription {id: $id}) WHERE w.lease = $lease
SET w.lease = null, w.lease_until = null,
    w.cursor = $cursor, w.attempts = 0, w.last_error = null, w.last_status = $status,
    w.delivered_at = $now, w.next_attempt_at = $now
CREATE (d:WebhookDelivery {subscription: $id, first_seq: $first, last_seq: $last,
        status: $status, ok: true, at: $now})
"""

WEBHOOK_FAILED: LiteralString = """
MATCH (w:WebhookSubscription {id: $id}) WHERE w.lease = $lease
SET w.lease = null, w.lease_until = null,
    w.attempts = $attempts, w.last_error = $error, w.last_status = $status,
    w.next_attempt_at = $next_at
CREATE (d:WebhookDelivery {subscription: $id, first_seq: $first, last_seq: $last,
        status: $status, ok: false, error: $error, attempt: $attempts, at: $now})
"""

WEBHOOKS_LIST: LiteralString = """
MATCH (w:WebhookSubscription)
WHERE $owner IS NULL OR w.owner = $owner
RETURN w {.id, .url, .owner, .cursor, .attempts, .active, .last_error, .last_status,
          .delivered_at, .next_attempt_at, .created_at} AS w
ORDER BY w.id
"""

# --- name matching of external listings ---------------------------------------------------------

UNMATCHED_LISTINGS: LiteralString = """
UNWIND $uids AS uid
MATCH (l:Entity {uid: uid}) WHERE l:ExternalListing
  AND l.subject_uscc IS NULL AND l.subject_name IS NOT NULL AND NOT (l)-[:LISTS]->()
RETURN l.uid AS uid, l.subject_name AS name, l.source AS source
"""

MATCH_DECISIONS: LiteralString = """
MATCH (d:MatchDecision {source: $source, name_key: $name_key})
RETURN d.org AS org, d.accepted AS accepted
"""

MATCH_PROPOSE: LiteralString = """
UNWIND $rows AS row
MATCH (l:Entity {uid: row.listing})
MATCH (o:Entity {uid: row.org})
MERGE (c:MatchCandidate {id: row.id})
ON CREATE SET c.listing = row.listing, c.org = row.org, c.score = row.score, c.status = 'OPEN',
              c.name_key = row.name_key, c.source = row.source, c.created_at = datetime()
MERGE (c)-[:PROPOSES_LISTING]->(l)
MERGE (c)-[:PROPOSES_ORG]->(o)
"""

MATCH_CANDIDATES: LiteralString = """
MATCH (c:MatchCandidate)
WHERE ($status IS NULL OR c.status = $status) AND c.id > $after
MATCH (l:Entity {uid: c.listing}), (o:Entity {uid: c.org})
RETURN c {.*} AS c, l.subject_name AS listed_name, l.list AS list, o.name AS org_name,
       o.uscc AS org_uscc
ORDER BY c.id
LIMIT $limit
"""

MATCH_DECIDE: LiteralString = """
MATCH (c:MatchCandidate {id: $id}) WHERE c.status = 'OPEN'
SET c.status = CASE WHEN $accept THEN 'ACCEPTED' ELSE 'REJECTED' END,
    c.decided_by = $by, c.decided_at = datetime(), c.reason = $reason
MERGE (d:MatchDecision {source: c.source, name_key: c.name_key, org: c.org})
SET d.accepted = $accept, d.decided_by = $by, d.decided_at = datetime(), d.reason = $reason
RETURN c.listing AS listing, c.org AS org
"""

MATCH_LINK: LiteralString = """
MATCH (l:Entity {uid: $listing}), (o:Entity {uid: $org})
MERGE (l)-[r:LISTS]->(o)
ON CREATE SET r.matched_by = $by, r.source = l.source, r.external_id = l.external_id,
              r.version = l.version, r.received_at = datetime()
SET l.subject_uscc = o.uscc
"""

# --- participation (Regs Art. 18, Art. 22 para 2), name matches, list freshness (art18) --------

# A lot's project and method, and its bids that stand: bidder (organisation or natural person)
# and consortium members.
LOT_PARTICIPANTS: LiteralString = """
MATCH (l:Entity {uid: $lot})<-[:HAS_LOT]-(pr:Project)
OPTIONAL MATCH (l)<-[:FOR_LOT]-(b:Bid)<-[:SUBMITTED]-(s:Entity)
WHERE b.status <> 'WITHDRAWN'
CALL (b) {
  OPTIONAL MATCH (m:Organization)-[:CONSORTIUM_MEMBER_OF]->(b)
  RETURN collect(m.uid) AS members
}
RETURN pr.uid AS project, pr.method AS method, b.uid AS bid, s.uid AS supplier, members
ORDER BY supplier, bid
"""

# The ties pointing at each party that Art. 18 reads, in force on the day, and the services
# each party provided for the project (Art. 18 para 2).
PARTICIPATION_TIES: LiteralString = """
UNWIND $uids AS uid
MATCH (t:Entity {uid: uid})
RETURN uid,
       [(x:Entity)-[r:LEGAL_REP_OF|RESPONSIBLE_FOR|OWNS|CONTROLS|MANAGES]->(t)
        WHERE coalesce(r.valid_from, $as_of) <= $as_of AND coalesce(r.valid_to, $as_of) >= $as_of
        | {source: x.uid, person: x:Person, type: type(r), uid: r.uid, share: r.share}] AS ties,
       [(t)-[r:PROVIDED_SERVICE]->(:Entity {uid: $project}) | r.service] AS services
"""

# Open name-match candidates that propose a listing (still standing on the day) for a subject.
OPEN_NAME_MATCHES: LiteralString = """
UNWIND $uids AS uid
MATCH (c:MatchCandidate {org: uid, status: 'OPEN'})
MATCH (l:Entity {uid: c.listing})
WHERE l.listed_on <= $as_of AND coalesce(l.retracted_on, $as_of) >= $as_of
  AND coalesce(l.valid_until, $as_of) >= $as_of
RETURN uid, c.id AS candidate, c.score AS score, l.uid AS listing, l.list AS list,
       l.subject_name AS listed_name, l.source AS source, l.authority AS authority,
       toString(l.listed_on) AS listed_on
ORDER BY uid, candidate
"""

# How fresh each external list is: the last entry received per (list, source), read from the
# index on (list, source, received_at) alone.
LIST_FRESHNESS: LiteralString = """
MATCH (l:ExternalListing)
WHERE l.list IS NOT NULL AND l.source IS NOT NULL AND l.received_at IS NOT NULL
RETURN l.list AS list, l.source AS source, toString(max(l.received_at)) AS last_received,
       count(*) AS entries
ORDER BY list, source
"""


# --- check records: signatures and the append-only Merkle log (credit/checks) ---------------

# The log head's write lock serialises filings until commit, like the change feed's head, so
# log indices are gap-free and a committed index below the head's size is always readable.
# The signing key is recorded once, so older keys stay listed for verification after rotation.
CHECK_RECORD_FILE: LiteralString = """
MERGE (h:CheckLogHead {id: 1}) ON CREATE SET h.size = 0
SET h.size = h.size + 1
WITH h.size - 1 AS idx
CREATE (c:CheckRecord {id: $id, kind: $kind, content: $content, content_hash: $hash,
                       content_sm3: $sm3, signature: $signature, key_id: $key_id,
                       algorithm: $algorithm, log_index: idx, leaf_hash: $leaf_hash,
                       requested_by: $requested_by, requested_at: $requested_at,
                       subject_uids: $subjects, decision: $decision})
MERGE (k:CheckSigningKey {key_id: $key_id})
  ON CREATE SET k.algorithm = $algorithm, k.public_key = $public_key,
                k.first_used = datetime($requested_at)
RETURN idx AS log_index
"""

CHECK_LOG_SIZE: LiteralString = """
OPTIONAL MATCH (h:CheckLogHead {id: 1})
RETURN coalesce(h.size, 0) AS size
"""

CHECK_LOG_LEAVES: LiteralString = """
MATCH (c:CheckRecord)
WHERE c.log_index < $size
RETURN c.log_index AS i, c.leaf_hash AS leaf
ORDER BY i
"""

CHECK_LOG_LATEST_ROOT: LiteralString = """
MATCH (r:CheckLogRoot)
RETURN r {.*} AS root
ORDER BY r.tree_size DESC, r.timestamp DESC
LIMIT 1
"""

CHECK_LOG_ROOT_CREATE: LiteralString = """
CREATE (r:CheckLogRoot {tree_size: $tree_size, root_hash: $root_hash, timestamp: $timestamp,
                        algorithm: $algorithm, key_id: $key_id, signature: $signature})
"""

CHECK_SIGNING_KEYS: LiteralString = """
MATCH (k:CheckSigningKey)
RETURN k.key_id AS key_id, k.algorithm AS algorithm, k.public_key AS public_key,
       toString(k.first_used) AS first_used
ORDER BY k.first_used, k.key_id
"""

CHECK_SIGNING_KEY: LiteralString = """
MATCH (k:CheckSigningKey {key_id: $key_id})
RETURN k.key_id AS key_id, k.algorithm AS algorithm, k.public_key AS public_key
"""

CHECK_SIGNING_KEY_MERGE: LiteralString = """
MERGE (k:CheckSigningKey {key_id: $key_id})
  ON CREATE SET k.algorithm = $algorithm, k.public_key = $public_key, k.first_used = datetime()
"""

CHECK_RECORD_WITH_KEY: LiteralString = """
MATCH (c:CheckRecord {id: $id})
OPTIONAL MATCH (k:CheckSigningKey {key_id: c.key_id})
RETURN c {.*} AS c, k.public_key AS public_key
"""

# A procurement unit's lots (as purchaser or agency): upcoming bid deadlines first, soonest
# first, then past ones, latest first (credit/api/units.py, the pages' "my lots").
UNIT_LOTS: LiteralString = """
MATCH (p:Project)-[:HAS_LOT]->(l:Lot)
WHERE ($purchaser IS NOT NULL AND EXISTS { (p)-[:PURCHASED_BY]->(:Organization {uid: $purchaser}) })
   OR ($agency IS NOT NULL AND EXISTS { (p)-[:RUN_BY]->(:Organization {uid: $agency}) })
WITH l, coalesce(l.bid_deadline >= $now, false) AS upcoming
RETURN l {.*} AS props, labels(l) AS labels
ORDER BY upcoming DESC,
         CASE WHEN upcoming THEN l.bid_deadline END ASC,
         l.bid_deadline DESC, l.uid
SKIP $skip
LIMIT $limit
"""

# --- limits shared by several API instances (credit/security/limits.py) -------------------------

# Take up to $want units (at least $need, else none) from a token bucket, refilled at $rate per
# millisecond up to $burst on the database's clock (one clock for every host). The dummy SET takes
# the node's write lock before its level is read, so concurrent takers queue and none is lost.
RATE_BUCKET_TAKE: LiteralString = """
MERGE (b:RateBucket {key: $key})
  ON CREATE SET b.tokens = toFloat($burst), b.at = timestamp()
SET b.locked_at = timestamp()
WITH b, timestamp() AS now
WITH b, now, b.tokens + (now - b.at) * $rate AS refilled
WITH b, now, CASE WHEN refilled > $burst THEN toFloat($burst) ELSE refilled END AS level
WITH b, now, level,
     CASE WHEN level >= $want THEN $want WHEN level >= $need THEN toInteger(floor(level)) ELSE 0 END
       AS granted
SET b.tokens = level - granted, b.at = now
RETURN granted, level
"""
