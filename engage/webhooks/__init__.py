"""Webhooks: signed notices of public events, delivered to subscribers' web addresses."""
