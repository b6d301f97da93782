"""``python -m reeducate``: the same command as the ``reeducate`` console script."""

from reeducate.cli import app

app(prog_name="reeducate")
