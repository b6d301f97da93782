"""Reeducate: an open platform for neuromuscular reeducation clinics."""

__version__ = "0.1.0"
