"""Cypher of one feature, by name (split from the one queries file; see graph/README)."""

from typing import LiteralString

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
