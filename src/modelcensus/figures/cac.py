"""Figures of the CAC register: filings per country, province, organization, year or month; the cumulative series
beside the published totals; the published totals themselves; the filings behind each figure; the providers the
registry does not resolve.

The unit is a filing: a service (a provider and its model), not a model. Filings (备案) and registrations (登记)
are counted apart (``record_type``), never added together. Each figure is an Ibis expression of
:mod:`modelcensus.metrics.cac`; pandas only labels it, fills the months of a series and lines the published
totals up beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from modelcensus.errors import QueryError
from modelcensus.figures.figure import Figure, Provenance
from modelcensus.figures.reader import Part
from modelcensus.metrics.cac import (
    SOURCE,
    TOTALS_SOURCE,
    CacFilters,
    count_filings,
    filings,
    filings_behind,
    monthly,
    totals,
    undated,
    unresolved,
)
from modelcensus.metrics.core import RULE_TEXT
from modelcensus.records import as_date, country_code, country_name, is_missing
from modelcensus.sources.cac_layout import jurisdictions
from modelcensus.sources.cac_totals import RELIABILITY
from modelcensus.vocabulary import Attribution, CacRecordType, choose

UNIT_TEXT = "a filing: a service (a provider and the model it runs), not a model"
COUNTRY_TEXT = {
    Attribution.AS_PUBLISHED: "the register's own country: every service it lists is filed in China (CN)",
    Attribution.RESOLVED: "the countries of the registry organization the provider resolves to",
}
NULL_GROUP = {
    "country": "(provider not resolved)",
    "province": "(no province)",
    "organization": "(provider not resolved)",
    "year": "(no date)",
    "month": "(no date)",
}
SERIES_COLUMNS = [
    "month",
    "new",
    "cumulative",
    "highest_sequence",
    "published_total",
    "published_kind",
    "published_as_of",
    "published_reliability",
    "published_source",
    "published_text",
    "coverage",
]


def _province_names(code: str) -> tuple[str, str | None]:
    """A province group (ISO code, or a jurisdiction's English name, or the cell as written) → English, Chinese."""
    known = jurisdictions().get(code.casefold())
    if known is None:
        return code, None
    return known.name_en or code, known.name_zh


def _text(value: Any) -> str | None:
    return None if value is None or is_missing(value) else str(value)


class CacFigures(Part):
    """The CAC register's figures, with their provenance."""

    def _filters(self, record_type: str, as_of: date | str | None, **period: int | None) -> CacFilters:
        return CacFilters(
            record_type=choose(CacRecordType, record_type, "record_type"),
            as_of=self.reader.filters(as_of=as_of).as_of,
            **period,
        )

    def _provenance(self, f: CacFilters, **fields: Any) -> Provenance:
        sources = [SOURCE, TOTALS_SOURCE] if fields.pop("with_totals", False) else [SOURCE]
        return Provenance(
            definition=f.describe(),
            as_of=f.as_of,
            snapshots=tuple(self.reader.snapshots_in_force(sources, f.as_of)),
            **fields,
        )

    def count_cac(
        self,
        by: str | Sequence[str] = "country",
        *,
        record_type: str = CacRecordType.FILING,
        rule: str = "full",
        attribution: str = Attribution.AS_PUBLISHED,
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        as_of: date | str | None = None,
    ) -> Figure:
        """CAC filings (or registrations) per country, province, organization, year or month.

        Columns: ``group`` (ISO 3166-1 code for countries, ISO 3166-2:CN for provinces where one exists, the
        registry id for organizations; null for the row of filings without one), ``group_name``, ``name_zh``
        (provinces), ``count``, ``filings``, ``denominator`` (every filing counted), ``share``."""
        dims = [by] if isinstance(by, str) else list(by)
        if len(dims) != 1:
            raise QueryError("CAC filings are counted by one dimension at a time", parameter="by")
        dim = str(dims[0]).replace("-", "_")
        f = self._filters(record_type, as_of, year=year, since=since, until=until)
        frame = self.reader.execute(count_filings(self.tables, dim, f, rule, attribution))
        frame = frame.astype({"group": object}).where(frame.notna(), None) if len(frame) else frame
        names: list[str] = []
        chinese: list[str | None] = []
        for group in frame["group"]:
            text = _text(group)
            zh = None
            if text is None:
                name = NULL_GROUP[dim] if dim != "country" or attribution == Attribution.RESOLVED else "(no country)"
            elif dim == "country":
                name = country_name(text)
            elif dim == "province":
                name, zh = _province_names(text)
            elif dim == "organization":
                name = self.registry.orgs[text].name if text in self.registry.orgs else text
            else:
                name = text
            names.append(name)
            chinese.append(zh)
        frame.insert(1, "group_name", names)
        if dim == "province":
            frame.insert(2, "name_zh", chinese)
        if rule != "fractional":
            frame["count"] = frame["count"].round().astype("int64")
        frame = frame.astype({"filings": "int64", "denominator": "int64"})
        provenance = self._provenance(
            f,
            by=(dim,),
            rule=rule,
            rule_text=RULE_TEXT[rule].replace("model", "filing"),
            attribution=attribution,
            unit=UNIT_TEXT,
            denominator=f"every {f.record_type} of the register in force"
            + (" (a filing counts once per country of its provider's organization)" if dim == "country" else ""),
            note=COUNTRY_TEXT[Attribution(attribution)] if dim == "country" else None,
        )
        return Figure(frame.reset_index(drop=True), provenance)

    def cac_series(self, *, record_type: str = CacRecordType.FILING, as_of: date | str | None = None) -> Figure:
        """The register month by month beside its published totals.

        Columns: ``month``, ``new`` (filings dated that month), ``cumulative`` (dated filings stored up to it),
        ``highest_sequence`` (the highest sequence number dated up to it: the register held at least that many),
        then the most reliable published total dated in that month (``published_total``, ``published_kind``
        cumulative or at least, ``published_as_of``, ``published_reliability``, ``published_source``,
        ``published_text``) and ``coverage`` (cumulative / published). Undated filings are in no month: the
        provenance's note counts them."""
        f = self._filters(record_type, as_of)
        months = self.reader.execute(monthly(self.tables, f))
        missing = int(self.reader.scalar(undated(self.tables, f)))
        published = self._published(f)
        frame = _series(months, published, f.as_of)
        stored = int(months["new"].sum()) + missing if len(months) else missing
        note = (
            f"{stored} {f.record_type}s stored, {missing} of them undated (in no month); the cumulative series counts "
            "only the rows stored, which may be part of the register: the published totals are the register's size"
        )
        provenance = self._provenance(
            f,
            with_totals=True,
            unit=UNIT_TEXT,
            denominator="the published total of the month (coverage = cumulative / published)",
            note=note,
            stated_when_empty=("note",),
        )
        return Figure(frame, provenance)

    def _published(self, f: CacFilters) -> pd.DataFrame:
        """The published totals of the list (``filed`` or ``registered``), one column set."""
        rows = self.reader.execute(totals(self.tables, f.as_of))
        prefix = "filed" if f.record_type == CacRecordType.FILING else "registered"
        return pd.DataFrame(
            {
                "as_of": [as_date(v) for v in rows["as_of"]],
                "total": rows[prefix],
                "kind": rows[f"{prefix}_kind"],
                "text": rows[f"{prefix}_text"],
                "reliability": rows["reliability"],
                "source": [
                    " ".join(p for p in (_text(a), _text(b)) if p)
                    for a, b in zip(rows["publisher"], rows["url"], strict=True)
                ],
            }
        )

    def cac_totals(self, *, as_of: date | str | None = None) -> Figure:
        """The published totals, each with its source and reliability, beside what the store holds on its date.

        Columns: ``as_of``, ``as_of_text``, ``precision``, ``filed``, ``filed_kind``, ``filed_text``,
        ``registered``…, ``new_filed``, ``new_registered``, ``reliability``, ``approximate``, ``statement``,
        ``publisher``, ``url``, ``found_via``, ``notes``, ``line``, then ``stored_filed``/``stored_registered``
        (dated filings stored on or before the date) and ``highest_filed_sequence``/``highest_registration_sequence``
        (the highest sequence number so dated: the register held at least that many)."""
        when = self.reader.filters(as_of=as_of).as_of
        frame = self.reader.execute(totals(self.tables, when)).drop(columns=["export_id"])
        frame["as_of"] = [as_date(v) for v in frame["as_of"]]
        for kind, stored, highest in (
            (CacRecordType.FILING, "stored_filed", "highest_filed_sequence"),
            (CacRecordType.REGISTRATION, "stored_registered", "highest_registration_sequence"),
        ):
            rows = self.reader.execute(
                filings(self.tables, CacFilters(kind, as_of=when)).select("filed_on", "sequence")
            )
            days = [as_date(v) for v in rows["filed_on"]]
            dated = [(d, s) for d, s in zip(days, rows["sequence"], strict=True) if d is not None]
            frame[stored] = [sum(1 for d, _ in dated if d <= day) for day in frame["as_of"]]
            frame[highest] = [
                max((int(s) for d, s in dated if d <= day and not is_missing(s)), default=None)
                for day in frame["as_of"]
            ]
            frame[highest] = frame[highest].astype("Int64")
        provenance = Provenance(
            definition="published totals of China's CAC register of generative-AI services (filings and registrations)",
            as_of=when,
            unit=UNIT_TEXT,
            snapshots=tuple(self.reader.snapshots_in_force([TOTALS_SOURCE, SOURCE], when)),
            note="reliability: "
            + ", ".join(RELIABILITY)
            + " (most to least reliable); see modelcensus.sources.cac_totals",
        )
        return Figure(frame.reset_index(drop=True), provenance)

    def cac_filings(
        self,
        *,
        country: str | None = None,
        province: str | None = None,
        organization: str | None = None,
        month: str | None = None,
        record_type: str = CacRecordType.FILING,
        attribution: str = Attribution.AS_PUBLISHED,
        year: int | None = None,
        since: int | None = None,
        until: int | None = None,
        as_of: date | str | None = None,
        limit: int | None = None,
    ) -> Figure:
        """The filings behind a figure of :meth:`count_cac`: its group's (``none`` for the null row), with each
        provider's resolution (organization, method, score) and the model family and canonical models a filing is
        linked to (:mod:`modelcensus.linkage.cac`)."""
        f = self._filters(record_type, as_of, year=year, since=since, until=until)
        org_ids, entity_text = self._organization(organization)
        rows = filings_behind(
            self.tables,
            f,
            attribution=attribution,
            country=_none_or(country, _country),
            province=_none_or(province, str),
            org_ids=org_ids,
            entity_text=entity_text,
            month=_none_or(month, _month),
        )
        frame = self.reader.execute(rows if limit is None else rows.limit(limit))
        frame = self._describe_filings(frame)
        provenance = self._provenance(
            f,
            attribution=attribution,
            country=country,
            organization=organization,
            unit=UNIT_TEXT,
            stated_when_empty=("country", "organization"),
        )
        return Figure(frame, provenance)

    def _organization(self, organization: str | None) -> tuple[tuple[str, ...] | None, str | None]:
        """An organization as a user names it: ``none`` (unresolved providers), a registry id or a name the registry
        resolves (that organization and those below it), and the text itself, found in filed provider names."""
        if organization is None:
            return None, None
        text = organization.strip()
        if text.casefold() in {"none", "(provider not resolved)", "unresolved"}:
            return (), None
        org = self.registry.orgs.get(text) or self.registry.resolve(text).org
        if org is None:
            return None, text
        below = {o.id for o in self.registry.orgs.values() if _under(self.registry.orgs, o.id, org.id)}
        return tuple(sorted(below | {org.id})), text

    def _describe_filings(self, frame: pd.DataFrame) -> pd.DataFrame:
        links = self.reader.execute(self.population_tables.census_cac_links)
        families: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
        for r in links.itertuples(index=False):
            key = (str(r.export_id), str(r.filing_key))
            family, check, models = families.get(key, (str(r.family), str(r.developer_check), []))
            if not is_missing(r.canonical_name):
                models.append(str(r.canonical_name))
            families[key] = (family, check, models)
        orgs = self.registry.orgs
        found = [families.get((str(e), str(k))) for e, k in zip(frame["export_id"], frame["filing_key"], strict=True)]
        out = pd.DataFrame(
            {
                "record_type": frame["record_type"],
                "sequence": frame["sequence"].astype("Int64"),
                "sequence_label": frame["sequence_label"],
                "filing_number": frame["filing_number"],
                "filed_on": [as_date(v) for v in frame["filed_on"]],
                "province": frame["province"],
                "province_zh": frame["province_zh"],
                "model_name": frame["model_name"],
                "entity": frame["entity"],
                "entity_label": frame["entity_label"],
                "organization": [orgs[o].name if _text(o) in orgs else None for o in frame["org_id"]],
                "org_id": frame["org_id"],
                "method": frame["method"],
                "score": frame["score"],
                "countries": [list(orgs[o].countries) if _text(o) in orgs else [] for o in frame["org_id"]],
                "family": [x[0] if x else None for x in found],
                "family_check": [x[1] if x else None for x in found],
                "linked_models": [sorted(set(x[2])) if x else [] for x in found],
                "country": frame["country"],
                "list_title": frame["list_title"],
                "file": frame["file"],
                "sheet": frame["sheet"],
                "line": frame["line"].astype("Int64"),
                "note": frame["note"],
                "id": "cac:" + frame["filing_key"].astype(str),
            }
        )
        return out.reset_index(drop=True)

    def cac_unresolved(self, *, record_type: str = CacRecordType.FILING, as_of: date | str | None = None) -> Figure:
        """Providers of filings in force that the registry does not resolve (never guessed), with the resolver's
        method (``unresolved``, ``ambiguous``) and their filings, most first."""
        f = self._filters(record_type, as_of)
        frame = self.reader.execute(unresolved(self.tables, f))
        frame["entity_label"] = [v or None for v in frame["entity_label"]]
        return Figure(frame, self._provenance(f, unit=UNIT_TEXT))


def _under(orgs: dict[str, Any], org_id: str, ancestor: str) -> bool:
    seen: set[str] = set()
    current: str | None = org_id
    while current and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = orgs[current].parent if current in orgs else None
    return False


def _none_or(value: str | None, convert: Any) -> str | None:
    """A group as a request names it: None (no filter), ``none`` (the null row: ``""``), else converted."""
    if value is None:
        return None
    if value.strip().casefold() in {"none", "(no country)", "(no province)", "(no date)", "unknown"}:
        return ""
    return str(convert(value.strip()))


def _country(value: str) -> str:
    if len(value) == 2 and value.isalpha():
        return value.upper()
    code = country_code(value)
    if isinstance(code, str):
        return code
    raise QueryError(f"unknown country {value!r}: give an ISO 3166-1 alpha-2 code (CN) or a name", parameter="country")


def _month(value: str) -> str:
    try:
        return date.fromisoformat(value + "-01").strftime("%Y-%m")
    except ValueError:
        raise QueryError(f"month must be YYYY-MM, not {value!r}", parameter="month") from None


def _series(months: pd.DataFrame, published: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """The monthly series with the most reliable published cumulative total of each month beside it."""
    usable = published[published["total"].notna() & published["kind"].isin(["cumulative", "at least"])].copy()
    if len(usable):
        usable["month"] = [d.strftime("%Y-%m") for d in usable["as_of"]]
        usable["rank_"] = [
            RELIABILITY.index(r) if r in RELIABILITY else len(RELIABILITY) for r in usable["reliability"]
        ]
        usable["exact_"] = [0 if k == "cumulative" else 1 for k in usable["kind"]]
        usable = usable.sort_values(["month", "rank_", "exact_", "as_of"], ascending=[True, True, True, False])
        usable = usable.drop_duplicates("month")
    known = sorted(set(months["month"].astype(str)) | set(usable["month"] if len(usable) else []))
    if not known:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    first = pd.Period(known[0], "M")
    last = pd.Period(known[-1], "M")
    if as_of is not None:
        last = min(last, pd.Period(as_of.strftime("%Y-%m"), "M"))
    axis = [str(p) for p in pd.period_range(first, last, freq="M")]
    new = months.set_index("month")["new"].astype(int).to_dict() if len(months) else {}
    highest = months.set_index("month")["highest_sequence"].to_dict() if len(months) else {}
    beside = usable.set_index("month").to_dict("index") if len(usable) else {}
    rows = []
    cumulative = 0
    top: int | None = None
    for month in axis:
        cumulative += int(new.get(month, 0))
        seq = highest.get(month)
        if seq is not None and not is_missing(seq):
            top = max(top or 0, int(seq))
        pub = beside.get(month)
        total = int(pub["total"]) if pub else None
        rows.append(
            {
                "month": month,
                "new": int(new.get(month, 0)),
                "cumulative": cumulative,
                "highest_sequence": top,
                "published_total": total,
                "published_kind": pub["kind"] if pub else None,
                "published_as_of": pub["as_of"] if pub else None,
                "published_reliability": pub["reliability"] if pub else None,
                "published_source": pub["source"] if pub else None,
                "published_text": pub["text"] if pub else None,
                "coverage": round(cumulative / total, 4) if total else None,
            }
        )
    frame = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    return frame.astype({"highest_sequence": "Int64", "published_total": "Int64"})
