"""The JSON shapes of the API (``/openapi.json`` publishes them): every route's answer is one of these.

Rows that carry a breakdown's crossed dimensions (``year``, ``open_weights``, …) allow extra keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modelcensus.vocabulary import Attribution, HubMetric, Rule, Unit, Verdict

Scalar = str | int | float | bool | None


class Health(BaseModel):
    status: str = Field(description="ok when the store can be opened")
    generation: list[int] = Field(description="(inode, mtime ns) of the store file being served")


class CountRow(BaseModel):
    """One group of ``modelcensus count --format json`` (Epoch models, Hub repos, or a definition's units)."""

    model_config = ConfigDict(extra="allow")

    group: Scalar = Field(description="ISO 3166-1 alpha-2 for countries; null for the no-country row")
    group_name: str
    count: float | None = Field(description="the figure (models, repos, downloads or likes; fractional allowed)")
    share: float | None = Field(description="count / denominator")
    denominator: float | None
    models: int | None = Field(None, description="Epoch: distinct models in the group")
    units: int | None = Field(None, description="definition: distinct units in the group")
    value: float | None = Field(None, description="Hub: the metric's value")
    repos: int | None = Field(None, description="Hub: repos in the group")
    reason: str | None = Field(None, description="Hub: why a row is unattributed")
    repos_with_country_share: float | None = Field(None, description="Hub: the figure's repos attributed to a country")
    downloads_with_country_share: float | None = Field(
        None, description="Hub: the figure's downloads attributed to a country"
    )
    repos_with_organization_share: float | None = Field(
        None, description="Hub: the figure's repos attributed to an organization"
    )
    downloads_with_organization_share: float | None = Field(
        None, description="Hub: the figure's downloads attributed to an organization"
    )
    org_id: str | None = Field(None, description="by organization: the registry id the row's name resolves to")
    organization: str | None = Field(
        None, description="by organization: the registry's name of that organization (the same on every page)"
    )
    countries: list[str] | None = Field(
        None, description="by organization: the organization's own countries (registry), not its models'"
    )
    models_with_subsidiaries: int | None = Field(
        None,
        description="by organization: distinct models of the organization or of one the registry places below it "
        "(what its page counts)",
    )
    metric: HubMetric | None = None
    rule: Rule | None = None
    attribution: Attribution | None = None


class ModelItem(BaseModel):
    """A record behind a figure; ``id`` opens it with ``/api/models/{id}``."""

    id: str = Field(description="a canonical model id, or a record reference source:source_id")
    source: str = Field(description="epoch, huggingface, … (linked: a canonical model of several sources)")
    source_id: str
    name: str
    year: int | None = None
    published_on: str | None = None
    countries: list[str] = Field(description="the countries the figure attributed it to")
    organizations: list[str] | None = None
    open_weights: str | None = None
    notable: bool | None = None
    unit: str | None = Field(None, description="definition counts: the unit key it is counted under")


class ModelPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ModelItem]
    next: str | None = Field(
        None, description="the cursor of the next page (pass it as after=), or null on the last page"
    )


class SourceRecordOut(BaseModel):
    source: str
    source_id: str
    name: str
    developer: str | None
    countries: list[str]
    hub_id: str | None
    published_on: str | None


class EvidenceOut(BaseModel):
    left: str
    right: str
    rule: str
    detail: str


class SnapshotOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    source: str
    role: str | None
    location: str | None
    retrieved_at: str | None
    sha256: str | None
    data_date: str | None
    license: str | None
    credit: str | None


class FactValueOut(BaseModel):
    """One source's value of a fact about a model, with the record and the file it came from."""

    value: float
    source: str
    source_id: str = Field(description="the record that lists the value")
    credit: str = Field(description="who publishes the source")
    data_date: str | None = Field(description="the date of the source's export (vintage) read")
    file: str | None = Field(description="the name of the file the value was read from")
    category: str | None = Field(None, description="a rating: LMArena's category (text/full: the text arena overall)")
    arena: str | None = Field(None, description="a rating: the arena in words")
    rated_on: str | None = Field(None, description="a rating: the day the board gave it")
    low: float | None = Field(None, description="a rating: the lower end of its 95% interval")
    high: float | None = Field(None, description="a rating: the upper end of its 95% interval")


class FactOut(BaseModel):
    unit: str
    values: list[FactValueOut] = Field(description="empty: no source in the census lists it")


class ModelFactsOut(BaseModel):
    parameters: FactOut
    training_compute: FactOut
    rating: FactOut


class CanonicalModelOut(BaseModel):
    id: str
    name: str
    records: list[SourceRecordOut]
    evidence: list[EvidenceOut] = Field(description="the rule and detail that linked each pair of records")
    facts: ModelFactsOut = Field(
        description="parameters, training compute (FLOP) and arena ratings, each value with its source record"
    )
    provenance: list[SnapshotOut] = Field(description="the current snapshots of the records' sources")


class SourceRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    source: str
    role: str | None
    location: str | None
    retrieved_at: str | None
    sha256: str | None
    bytes: int | None
    rows: int | None
    license: str | None
    credit: str | None
    data_date: str | None = Field(description="when the file's data was true; null: unknown")
    date_method: str = Field(
        description="--dated, datapackage, data, file name, http last-modified, retrieved, unknown"
    )
    date_detail: str = Field(description="which column, resource or name gave the date")
    export_date: str | None = Field(description="the date of the export (vintage) the file belongs to")
    export_id: str
    current: bool


class DefinitionOut(BaseModel):
    name: str
    description: str
    sources: list[str]
    filters: dict[str, Any]
    unit: Unit
    rule: Rule
    attribution: Attribution


class SensitivityRow(BaseModel):
    definition: str
    rule: Rule
    unit: Unit
    figure: float | None
    denominator: float | None
    comparable: bool = Field(description="of the claim's kind (Hub derivatives never widen a release claim's range)")


class AtVintageOut(BaseModel):
    as_of: str = Field(description="the date the claim's data refers to")
    export_date: str | None = Field(description="the newest export of the definition's sources then; null: none")
    figure: float | None
    next_export_date: str | None = Field(description="the first later date with a new export (the next vintage)")
    next_figure: float | None


class NowOut(BaseModel):
    export_date: str | None
    figure: float | None
    denominator: float | None = None


class CoverageOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    listed: float | None = Field(description="what the sources list (a share for share claims)")
    estimate: float | None = Field(description="including what no source lists; null when withheld")
    ci_low: float | None
    ci_high: float | None
    method: str
    sources: list[str]
    trusted: bool | None = None
    reason: str | None = Field(None, description="why the estimate is withheld")


class ClaimOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    claim: str
    verdict: Verdict
    figure: float | None = Field(description="at the claim's vintage (now, for a claim without as_of)")
    figure_text: str = Field(description="the figure as readers write it (914, 26.0%)")
    denominator: float | None
    at_vintage: AtVintageOut | None
    now: NowOut
    coverage: CoverageOut | None
    explanation: str
    evidence: list[str]
    sensitivity: list[SensitivityRow]


class VintageRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    export_id: str
    export_date: str | None
    roles: list[str] = Field(description="the export's files: all, notable, large_scale, frontier")
    covers: bool = Field(description="whether the vintage's files hold the whole population asked for")
    group: Scalar
    group_name: str
    count: float | None
    models: int | None
    denominator: float | None
    share: float | None


class YearStatusOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    group: Scalar
    group_name: str
    year: int
    listed: float
    complete: bool
    lag_months: float | None = Field(description="months from the end of the year to the vintage; null: not over")
    share_listed: float | None
    estimate: float | None
    estimate_low: float | None
    estimate_high: float | None
    basis: str


class LagOut(BaseModel):
    basis: str = Field(description="what the listing-lag curve rests on (vintages, reference years)")
    years: list[YearStatusOut]
    observations: list[dict[str, Any]] = Field(description="year, vintage, months after the year, share listed")


class EstimateRow(BaseModel):
    group: str | None = Field(description="ISO code; null for all models (first row) and for no country")
    group_name: str
    listed: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    sources: list[str]
    trusted: bool
    reason: str | None
    left_out: dict[str, str] = Field(
        default_factory=dict,
        description="each tabular list the estimate did not use, with why (a list is used when its mapping "
        "declares world_sample: true, or when named as a source)",
    )


class LinkErrorRow(BaseModel):
    kind: str = Field(description="none (as linked), missed links or false links")
    rate: float = Field(description="the share of links missed or made falsely (0.01 to 0.10)")
    listed: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    change: float | None = Field(description="the estimate's change from the one as linked, as a fraction")
    trusted: bool
    reason: str | None


class FrontierRow(BaseModel):
    rated_on: str
    group: str
    model: str
    rating: float | None
    rating_low: float | None
    rating_high: float | None


class GapRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    rated_on: str
    gap: float | None = Field(description="best US rating minus best Chinese rating")


class FrontierOut(BaseModel):
    category: str
    frontier: list[FrontierRow] = Field(description="= modelcensus frontier --format json")
    gap: list[GapRow] = Field(description="= modelcensus frontier --gap --format json (US − CN)")


class TrendRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    date: str
    group: Scalar
    group_name: str
    value: float | None
    repos: int | None
    denominator: float | None
    share: float | None
    repos_with_country_share: float | None = Field(None, description="that date's repos attributed to a country")
    downloads_with_country_share: float | None = Field(
        None, description="that date's downloads attributed to a country"
    )
    repos_with_organization_share: float | None = Field(
        None, description="that date's repos attributed to an organization"
    )
    downloads_with_organization_share: float | None = Field(
        None, description="that date's downloads attributed to an organization"
    )


class ErrorOut(BaseModel):
    detail: str


class CacSeriesRow(BaseModel):
    """A month of the CAC register beside its published total (``modelcensus cac series --format json``)."""

    month: str = Field(description="YYYY-MM of the filing date")
    new: int = Field(description="filings (or registrations) stored with a date in the month")
    cumulative: int = Field(description="dated filings stored up to the month's end")
    highest_sequence: int | None = Field(
        description="the highest sequence number so dated: the register held at least as many"
    )
    published_total: int | None = Field(description="the most reliable published total dated in the month")
    published_kind: str | None = Field(description="cumulative, or at least (a bound: 490+)")
    published_as_of: str | None
    published_reliability: str | None = Field(description="official, register, reported or third-party")
    published_source: str | None
    published_text: str | None = Field(description="the published cell as written")
    coverage: float | None = Field(description="cumulative / published_total")


class CacTotalRow(BaseModel):
    """A published total of the CAC register with its source and reliability (``modelcensus cac totals``)."""

    model_config = ConfigDict(extra="allow")

    as_of: str
    as_of_text: str | None
    precision: str = Field(description="day, or month (a month alone: its last day)")
    filed: int | None
    filed_kind: str | None = Field(description="cumulative, at least, combined (filed and registered), increment")
    registered: int | None
    reliability: str = Field(description="official, register, reported or third-party")
    approximate: bool
    publisher: str | None
    url: str | None
    stored_filed: int = Field(description="dated filings stored on or before as_of")
    stored_registered: int


class CacFilingRow(BaseModel):
    """A filing behind a CAC figure (``/api/cac/filings``; ``modelcensus models --source cac --format json``)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="cac:<filing key>: the filing number, else the list and sequence number")
    record_type: str = Field(description="filing (备案) or registration (登记)")
    sequence: int | None
    filing_number: str | None
    filed_on: str | None
    province: str | None
    model_name: str | None = Field(description="the service or model as filed (文心一言)")
    entity: str = Field(description="the provider as filed: a legal entity's name")
    organization: str | None = Field(description="the registry organization it resolves to (null: unresolved)")
    org_id: str | None
    method: str = Field(description="how it resolved: exact, alias-part, fuzzy, label: …, or unresolved/ambiguous")
    score: float
    family: str | None = Field(description="the model family the service runs (reviewed alias data), if known")
    linked_models: list[str] = Field(description="canonical models of other sources of that family")
    file: str | None
    line: int | None


class CacFilingPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CacFilingRow]


class CacUnresolvedRow(BaseModel):
    entity: str
    entity_label: str | None
    method: str
    filings: int


class NewRecord(BaseModel):
    ref: str = Field(description="source:source_id, as /api/models/{ref} takes it")
    source: str
    source_id: str
    name: str
    first_listed: str = Field(description="the data date of the first stored snapshot that listed the record")
    last_listed: str = Field(description="the data date of the last stored snapshot that listed it")
    listed_now: bool = Field(description="whether a snapshot in force now lists it")


class NewItem(BaseModel):
    id: str = Field(description="the canonical model: its page is /models/{id}")
    name: str
    entered_on: str = Field(description="the data date of the first stored snapshot that listed the model")
    published_on: str | None = Field(description="its earliest record's publication date")
    year: int | None
    countries: list[str] = Field(description="ISO codes of its records' countries under the attribution")
    entered_with: list[str] = Field(description="the sources whose snapshot of entered_on listed it")
    new_to_source: bool = Field(
        description="an earlier stored snapshot of its source would have held it and did not list it (the source "
        "added it after previous_snapshot); false: it came with the first stored snapshot of its source that could "
        "hold it"
    )
    previous_snapshot: str | None = Field(description="the date of that earlier snapshot")
    listed_now: bool
    records: list[NewRecord]


class ComparedSnapshot(BaseModel):
    source: str
    export_id: str
    data_date: str
    roles: list[str] = Field(description="the roles of the export's files (Epoch: all, notable, …)")
    side: str = Field(description="before: dated on or before since; after: dated after it")
    models_entered: int = Field(description="how many of the models listed entered with this snapshot")


class NewCountry(BaseModel):
    group: str | None = Field(description="ISO code; null: the models with no country")
    group_name: str
    models: int = Field(description="new models of the country (a model of two countries counts for each)")


class NewPage(BaseModel):
    since: str | None = Field(description="the models entered after this date; null: every model")
    default_since: bool = Field(description="since was not given: the date of the previous snapshot was taken")
    comparison: str = Field(description="which snapshots are compared, in words")
    compared: list[ComparedSnapshot]
    total: int
    by_country: list[NewCountry]
    limit: int | None
    offset: int
    items: list[NewItem]
    provenance: dict[str, Any]
