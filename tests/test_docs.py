"""The README documents every command and option (after datasette's test_docs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main

from modelcensus.outputs.cli.app import app

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every command of the CLI by its path; a group that runs on its own (``links``) is a command too."""
    out = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            if command.invoke_without_command:
                out.append((path, command))
            out.extend(_commands(command, path))
        else:
            out.append((path, command))
    return out


COMMANDS = _commands(typer.main.get_command(app))
EXPECTED = {
    "build",
    "cac series",
    "cac totals",
    "cac unresolved",
    "check",
    "count",
    "definitions list",
    "definitions show",
    "estimate",
    "export",
    "frontier",
    "hardware",
    "ingest cac",
    "ingest epoch",
    "ingest huggingface",
    "ingest litellm",
    "ingest lmarena",
    "ingest openrouter",
    "ingest tabular",
    "lag",
    "lineage",
    "links",
    "links passes",
    "links show",
    "models",
    "new",
    "orgs disagreements",
    "orgs hub-disagreements",
    "orgs refresh",
    "orgs resolve",
    "orgs unresolved",
    "hub handles",
    "quarantine",
    "report",
    "serve",
    "sources",
    "stats",
    "trend",
    "vintages",
}
"""The CLI's commands: a command added or removed fails here until this list (and the README) says so."""


def test_commands_found() -> None:
    paths = [path for path, _ in COMMANDS]
    assert len(paths) == len(set(paths))
    assert set(paths) == EXPECTED


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_and_options_documented(path: str, command: Any) -> None:
    assert f"modelcensus {path}" in README, f"`modelcensus {path}` is not in the README"
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert re.search(re.escape(opt) + r"(?![\w-])", README), f"{path}: option {opt} not in README"


def test_readme_states_the_two_commands() -> None:
    assert "python3 -m venv .venv && .venv/bin/pip install" in README
    assert "modelcensus build --from ../shared/data" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_line = next(line for line in README.splitlines() if "pytest" in line and "pip install" in line)
    assert test_line.strip().strip("`") in ci
