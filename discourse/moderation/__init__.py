"""Moderation: the persistent review queue behind ``discourse triage``."""
