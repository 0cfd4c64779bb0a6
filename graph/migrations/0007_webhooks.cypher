// Webhook subscriptions and their delivery log.
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:WebhookSubscription) REQUIRE w.id IS UNIQUE;
CREATE INDEX webhook_delivery_subscription IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.subscription);
