"""Cypher for the metrics a scrape reads from the graph (credit/observability/metrics.py)."""

from __future__ import annotations

from typing import LiteralString

METRICS_STATE: LiteralString = """
OPTIONAL MATCH (h:FeedHead {id: 1})
WITH coalesce(h.seq, 0) AS feed_head
OPTIONAL MATCH (r:DetectionRun)
WITH feed_head, r ORDER BY r.started_at DESC LIMIT 1
CALL () { MATCH (l:Lot) RETURN count(l) AS lots }
RETURN feed_head, coalesce(r.lots, 0) AS scan_lots, lots,
       r IS NOT NULL AND r.finished_at IS NULL AS scan_running
"""

METRICS_WEBHOOKS: LiteralString = """
MATCH (w:WebhookSubscription) WHERE coalesce(w.active, true)
OPTIONAL MATCH (d:WebhookDelivery {subscription: w.id, ok: false})
RETURN w.id AS id, coalesce(w.cursor, 0) AS cursor, coalesce(w.attempts, 0) AS attempts,
       count(d) AS failures
ORDER BY id
"""
