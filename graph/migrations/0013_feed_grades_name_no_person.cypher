// Issue 14 finding 10: a grade change names no natural person (credit/legal/texts.toml
// PIPL-25-NO-PUBLICATION), and grade records carry `subject_kind`. Stored GRADE_CHANGED payloads
// (JSON written with sorted keys, so `subject_id` is the last key) are brought to that form: an
// expert's loses its name and masked identity number, an organisation's gains its kind. Each
// change keeps its id and sequence; a receiver that reads again gets the redacted form.
MATCH (c:Change {kind: 'GRADE_CHANGED'})
WHERE c.subject STARTS WITH 'person:' AND NOT c.payload CONTAINS '"subject_kind"'
SET c.payload = split(c.payload, '"subject": {')[0] + '"subject": null, "subject_id": "' + c.subject + '", "subject_kind": "person"}';
MATCH (c:Change {kind: 'GRADE_CHANGED'})
WHERE NOT c.payload CONTAINS '"subject_kind"'
SET c.payload = left(c.payload, size(c.payload) - 1) + ', "subject_kind": "organization"}';
