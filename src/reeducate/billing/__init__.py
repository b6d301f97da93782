"""Billing rules, pure (no database, no web): the code catalogue, timed units by the payer's rule,
modifiers and NCCI edits, the evaluation's complexity, NPIs, and X12 claims and eligibility.

The clinic layer calls these with what a visit recorded; every rule names where it comes from.
"""
