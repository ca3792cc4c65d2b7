"""Notifications to people with accounts, and their choice of how (or whether) to receive each kind."""
