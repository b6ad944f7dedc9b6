"""What's new as an Atom 1.0 feed (RFC 4287): one entry per model that entered the census, dated the day it entered.

Built with :mod:`xml.etree.ElementTree` from the same report as ``/api/new`` (:func:`~modelcensus.outputs.common.
new_query.new_report`): every text a source gave (a model's name, a record's id) is escaped by the serializer, never
pasted into markup. Each entry links to the model's page (``rel="alternate"``) and to each of its source records in
the JSON API (``rel="related"``), and names its countries as categories.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import modelcensus as mc
from modelcensus.records import country_name

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
COUNTRY_SCHEME = "urn:iso:std:iso:3166:-1:alpha-2"
NO_DATE = "1970-01-01"
"""The feed's ``updated`` when the store holds no dated snapshot (Atom requires one)."""


def _timestamp(day: str | None) -> str:
    """An ISO date as an RFC 3339 date-time, as Atom requires (the day a snapshot's data describes, at 00:00 UTC)."""
    return f"{day or NO_DATE}T00:00:00Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _summary(item: dict[str, Any]) -> str:
    """An entry's text: when and how the model entered, when it was published, its countries and records."""
    sources = ", ".join(item["entered_with"]) or "a source"
    if item["new_to_source"]:
        how = f"{sources} added it after its snapshot of {item['previous_snapshot']}, which did not list it"
    else:
        how = f"it came with the first stored snapshot of {sources} that could hold it"
    countries = ", ".join(country_name(c) for c in item["countries"]) or "no country known"
    published = f"Published {item['published_on']}. " if item["published_on"] else ""
    gone = "" if item["listed_now"] else " No snapshot in force now lists it."
    records = "; ".join(r["ref"] for r in item["records"])
    return (
        f"Entered the census on {item['entered_on']} (the data date of the first stored snapshot that listed it: "
        f"{how}). {published}Countries: {countries}. Records: {records}.{gone}"
    )


def atom_feed(report: dict[str, Any], *, base: str, self_url: str, page_url: str, place: str | None) -> bytes:
    """The Atom document of a :func:`~modelcensus.outputs.common.new_query.new_report`; ``base`` the server's root
    URL (entry links are absolute), ``self_url`` the feed's own URL (its id), ``page_url`` the ``/new`` page,
    ``place`` the country or region filter in words (None: every country)."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    where = f" of {place}" if place else ""
    _add(feed, "id", self_url)
    _add(feed, "title", f"modelcensus: models new to the census{where}")
    _add(feed, "subtitle", report["comparison"])
    dates = [item["entered_on"] for item in report["items"]] + [c["data_date"] for c in report["compared"]]
    _add(feed, "updated", _timestamp(max(dates) if dates else None))
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _add(feed, "author")
    _add(author, "name", "modelcensus")
    _add(feed, "generator", "modelcensus", version=mc.__version__)
    for item in report["items"]:
        entry = _add(feed, "entry")
        page = f"{base}/models/{quote(item['id'], safe='')}"
        _add(entry, "id", page)
        _add(entry, "title", item["name"])
        _add(entry, "updated", _timestamp(item["entered_on"]))
        _add(entry, "link", rel="alternate", type="text/html", href=page)
        for record in item["records"]:
            listed = record["first_listed"]
            if record["last_listed"] != listed:
                listed = f"{listed} to {record['last_listed']}"
            _add(
                entry,
                "link",
                rel="related",
                type="application/json",
                href=f"{base}/api/models/{quote(record['ref'], safe='')}",
                title=f"{record['source']} record {record['source_id']} (listed {listed})",
            )
        for code in item["countries"]:
            _add(entry, "category", term=code, scheme=COUNTRY_SCHEME, label=country_name(code))
        _add(entry, "summary", _summary(item), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
