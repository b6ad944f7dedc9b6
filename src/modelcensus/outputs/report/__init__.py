"""The report: ``index.html``, ``report.md`` and charts as PNG/SVG, built from the census facade."""
