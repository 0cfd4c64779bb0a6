"""Cypher for the public disclosure (credit/public): the records the law publishes, read as of
a day. Which records are public is decided in credit/public/rules.py; these statements apply
the same conditions (a test checks that the list and the single record agree)."""

from __future__ import annotations

from typing import LiteralString

# The candidates in the public view on $today: penalties not repaired or overturned, decided by
# $today, in their publication period (publication_end, or by default decided on or after
# $default_from) or under a ban in force; and entries on the government-procurement
# serious-dishonesty list that are neither expired nor retracted. `listed` says whether the
# record is on that list today. $q (lower case) matches a name part or a whole USCC.
PUBLIC_RECORDS: LiteralString = """
CALL () {
  MATCH (r:Violation)-[:AGAINST]->(s:Entity)
  WHERE r.status IN ['ACTIVE', 'UNDER_APPEAL'] AND r.decided_on <= $today
    AND (s:Organization OR s:Person)
  WITH r, s,
       r.ban_start IS NOT NULL AND r.ban_start <= $today AND r.ban_end >= $today
         AND any(t IN coalesce(r.penalty_types, []) WHERE t IN $ban_types) AS listed
  WHERE listed OR r.publication_end >= $today
     OR (r.publication_end IS NULL AND r.decided_on >= $default_from)
  RETURN r, s, listed
  UNION ALL
  MATCH (r:ExternalListing)
  WHERE r.list IN $lists AND r.listed_on <= $today
    AND (r.valid_until IS NULL OR r.valid_until >= $today)
    AND (r.retracted_on IS NULL OR r.retracted_on > $today)
  OPTIONAL MATCH (r)-[:LISTS]->(s:Entity)
  RETURN r, s, true AS listed
}
WITH r, s, listed
WHERE ($list IS NULL OR ($list = 'serious_dishonesty' AND listed)
       OR ($list = 'penalty' AND r:Violation))
  AND ($q IS NULL OR s.uscc = toUpper($q)
       OR toLower(coalesce(s.name, r.subject_name, '')) CONTAINS $q)
WITH r, s, listed
ORDER BY coalesce(r.decided_on, r.listed_on) DESC, r.uid
WITH collect({r: r, s: s, listed: listed}) AS rows
RETURN size(rows) AS total,
       [row IN rows[$skip..$skip + $limit] |
        {record: properties(row.r), labels: labels(row.r),
         subject: CASE WHEN row.s IS NULL THEN null ELSE {uid: row.s.uid, name: row.s.name,
                  uscc: row.s.uscc, id_masked: row.s.id_masked} END,
         subject_labels: CASE WHEN row.s IS NULL THEN [] ELSE labels(row.s) END,
         listed: row.listed}] AS page
"""

# One penalty or list entry by id, whatever its state (the rules say whether it is public).
PUBLIC_RECORD: LiteralString = """
MATCH (r:Entity {uid: $uid})
WHERE r:Violation OR r:ExternalListing
OPTIONAL MATCH (r)-[:AGAINST|LISTS]->(s:Entity)
RETURN r {.*} AS record, labels(r) AS labels, s {.uid, .name, .uscc, .id_masked} AS subject,
       labels(s) AS subject_labels
LIMIT 1
"""

# The data version: the change feed's head (every published change of a penalty or listing
# moves it) and when its last change was written.
PUBLIC_VERSION: LiteralString = """
MATCH (h:FeedHead {id: 1})
OPTIONAL MATCH (c:Change {seq: h.seq})
RETURN h.seq AS seq, c.at AS at
"""

# A supplier's own organisation, by USCC (the SUPPLIER role's report).
SUPPLIER_ORG: LiteralString = """
MATCH (o:Organization {uscc: $uscc})
RETURN o.uid AS uid, o.name AS name, labels(o) AS labels
"""

# Its violations (every state: the supplier sees its own history) for the repair dates.
SUPPLIER_VIOLATIONS: LiteralString = """
MATCH (r:Violation)-[:AGAINST]->(:Entity {uid: $uid})
RETURN r {.*} AS record
ORDER BY r.decided_on DESC, r.uid
"""

# Flags that concern it, once a supervisor confirmed them (open or dismissed ones are not its).
SUPPLIER_CONFIRMED_FLAGS: LiteralString = """
MATCH (f:Flag)-[:FLAGS]->(:Entity {uid: $uid})
WHERE f.status = 'CONFIRMED'
RETURN f.uid AS uid, f.pattern AS pattern, f.basis AS basis, f.confidence AS confidence,
       f.reviewed_at AS reviewed_at
ORDER BY f.reviewed_at DESC, f.uid
"""
