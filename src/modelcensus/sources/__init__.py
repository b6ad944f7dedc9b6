"""One module per upstream: fetch → raw snapshot → parse into typed records."""
