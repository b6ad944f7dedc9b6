"""The JSON API (FastAPI): :mod:`.app` serves the routes, :mod:`.models` types their answers."""
