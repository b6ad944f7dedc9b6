"""The ``modelcensus`` command: the Typer app with every command registered, in the order ``--help`` lists them."""

from modelcensus.outputs.cli import core  # the census commands register first: --help lists them first

# isort: split
from modelcensus.outputs.cli import cac, catalog, export, report, serve, vintages, whatsnew
from modelcensus.outputs.cli.common import app
from modelcensus.outputs.common.heap import entered_as_command

COMMAND_MODULES = (core, catalog, cac, export, report, serve, vintages, whatsnew)
"""Each registers its commands on :data:`app` when imported."""

__all__ = ["COMMAND_MODULES", "app", "main"]


def main() -> None:
    entered_as_command()
    app()
