"""The ``reeducate`` command: one module per sub-command group, output.py for what they share."""

from reeducate.cli.clinic import app

__all__ = ["app"]
