"""Deliveries: e-mail, SMS and webhooks written to an outbox in the request's
transaction and sent later by a worker (docs/deliveries.md)."""
