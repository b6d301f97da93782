"""A command group that loads on demand.

`reeducate --help` lists a group by its name and help alone; the group's module, and whatever that
module imports, is imported only when one of its commands, or the group's own help, is asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer import _click  # the Click that Typer vendors, as TyperGroup's own signatures use


class LazyGroup(TyperGroup):
    """The group ``name``, described by ``help``, whose commands are those of the Typer app at
    ``target`` ("module:attribute"), imported the first time they are listed or looked up."""

    def __init__(self, *, name: str, help: str, target: str) -> None:
        super().__init__(name=name, help=help, no_args_is_help=True)
        self.target = target

    def list_commands(self, ctx: _click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)

    def _load(self) -> None:
        if not self.commands:
            module, _, attribute = self.target.partition(":")
            self.commands = typer.main.get_group(getattr(import_module(module), attribute)).commands
