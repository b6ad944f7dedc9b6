"""Outputs: CLI (and later API, dashboard, report), all reading through the Census facade."""
