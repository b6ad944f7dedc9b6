"""Every figure the census answers, as Ibis expressions of :mod:`modelcensus.metrics` run by an engine: the census of
models (:mod:`.models`), the Hub (:mod:`.hub`), definitions and the frontier (:mod:`.catalog`), vintages and the
listing lag (:mod:`.vintages`), coverage and estimates (:mod:`.coverage`), the overview (:mod:`.overview`), all
reading through one :class:`~modelcensus.figures.reader.Reader`."""
