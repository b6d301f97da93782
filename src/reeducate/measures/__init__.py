"""Standardised outcome measures: definitions as data, scoring, interpretation, change (pure)."""
