"""``python -m modelcensus`` runs the command-line interface."""

from modelcensus.outputs.cli.app import main

main()
