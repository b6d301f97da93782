"""The errors a signal engine raises for input it cannot use, worded for the person who gave it."""

from __future__ import annotations


class RecordingError(ValueError):
    """A recording that cannot be read or analysed; the message says what is wrong and what to do."""


class CohortError(ValueError):
    """A cohort that cannot be run as given (a manifest without paths, a cluster out of reach or without
    reeducate); the message says what is wrong and what to do. One bad recording is never this: it is a row
    with its error."""
