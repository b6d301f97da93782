"""What every `reeducate` sub-command prints to: the console, the error console, and the refusal that
names what was wrong (exit status 2)."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


def refuse(message: str) -> NoReturn:
    """Print the problem and how to fix it, then exit with status 2 (bad input)."""
    errors.print(f"[red]Error:[/red] {message}", highlight=False)
    raise typer.Exit(code=2)
