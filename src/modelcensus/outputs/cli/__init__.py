"""The command line, organised by noun: `modelcensus --help`. :mod:`.app` holds the Typer app."""
