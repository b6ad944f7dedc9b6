"""The one request model: what a count (:class:`CountRequest`) and a models list (:class:`ModelsRequest`) ask
for, validated once for the CLI, the API and the library.

The CLI builds them from its options (``CountRequest.model_validate``), the API takes them as query parameters
(FastAPI reads a pydantic model's fields as the query's parameters and documents each), the library passes them
to ``count_figure``. A request that cannot be answered fails here, naming the parameter at fault: the API answers
422 with it as the field, the CLI (through :func:`request_error`) a one-line message.

The words (rules, attributions, units, dimensions, metrics) are :mod:`modelcensus.vocabulary`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from modelcensus.errors import QueryError, quoted
from modelcensus.orgs import requested_region
from modelcensus.records import requested_country
from modelcensus.vocabulary import (
    CAC_DIMENSIONS,
    CAC_FILTERS,
    CAC_GROUPED,
    GROUPED_DIMENSIONS,
    HUB_ATTRIBUTIONS,
    HUB_DIMENSIONS,
    HUB_FILTERS,
    HUB_GROUPED,
    MODEL_ATTRIBUTIONS,
    MODEL_DIMENSIONS,
    MODEL_FILTERS,
    PLACE_FILTERS,
    TABULAR_NAME,
    Attribution,
    CacRecordType,
    CountSource,
    Derivatives,
    Dimension,
    HubMetric,
    OpenWeights,
    Rule,
    Unit,
    list_name,
)

TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""Free text (a definition's name, a domain, a pipeline tag) holds no control characters."""

T = TypeVar("T")


def _date_of(parameter: str) -> Callable[[object], object]:
    """A date given as ``YYYY-MM-DD`` text; other text is an error naming ``parameter``."""

    def parse(value: object) -> object:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError(
                    "value_error", f"{parameter} must be a date (YYYY-MM-DD), not {value!r}"
                ) from None
        return value

    return parse


def _in_range(value: date | None) -> None:
    if value is not None and not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        raise QueryError(f"since must be a date from 1900 to 2100, not {value.isoformat()}", parameter="since")


def check_dimensions(by: Sequence[str]) -> None:
    """A breakdown names each dimension once (``open-weights`` and ``open_weights`` are one)."""
    names = [b.replace("-", "_") for b in by]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QueryError(f"by {repeated[0]} is given twice; name each dimension once", parameter="by")


def _field(check: Callable[[T], object]) -> Callable[[T], T]:
    """``check`` as a field validator: its :class:`QueryError` becomes the field's error, in its own words."""

    def validate(value: T) -> T:
        try:
            check(value)
        except QueryError as exc:
            raise PydanticCustomError("value_error", str(exc)) from None
        return value

    return validate


def _one_or_many(value: object) -> object:
    """One country given as text is a list of one (the library's ``country="CN"``)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _countries(values: tuple[str, ...]) -> None:
    for value in values:
        requested_country(value)


def _source(value: object) -> object:
    """A built-in source as its member; any other text must be a tabular list's name (checked against the store
    when the figure runs)."""
    if isinstance(value, str) and not isinstance(value, CountSource):
        value = list_name(value)
        if value in tuple(CountSource):
            return CountSource(value)
        if not TABULAR_NAME.fullmatch(value):
            raise PydanticCustomError(
                "value_error",
                f"source must be one of {', '.join(CountSource)} or the name of a tabular list "
                f"(lower-case letters, digits, _, . and -), not {value!r}",
            )
    return value


Year = Annotated[int | None, Field(ge=1900, le=2100)]
Text = Annotated[str | None, Field(max_length=200, pattern=TEXT_PATTERN)]
CountryText = Annotated[str, Field(max_length=100, pattern=TEXT_PATTERN)]
AsOf = Annotated[date | None, BeforeValidator(_date_of("as_of"))]
Countries = Annotated[
    tuple[CountryText, ...], BeforeValidator(_one_or_many), AfterValidator(_field(_countries)), Field(max_length=50)
]
"""One country or several (ISO codes or names; ``none``: with no country), each checked: an unknown one is an error."""
Region = Annotated[Text, AfterValidator(_field(lambda r: r is None or requested_region(r)))]
"""A region group (eu27, greater-china, g7, …), checked."""
COUNTRY_TEXT = "ISO code or name; repeat for several; none for those with no country"


def invalid(parameter: str, message: str, value: object) -> ValidationError:
    """A validation error of one parameter (what a request's own checks raise, so it carries the field)."""
    error = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(parameter,), input=value)
    return ValidationError.from_exception_data("request", [error])


def request_error(error: ValidationError) -> QueryError:
    """A request's validation error as the package's :class:`QueryError`, naming the first parameter at fault."""
    first = error.errors(include_url=False)[0]
    parameter = str(first["loc"][0]) if first["loc"] else None
    given = first.get("input")
    if first["type"] == "value_error":
        message = first["msg"].removeprefix("Value error, ")
    elif first["type"] == "enum":
        message = f"{parameter} must be {first['ctx']['expected']}, not {quoted(given)}"
    elif first["msg"].startswith("Input should"):  # pydantic's own words: "Input should be a valid integer"
        message = f"{parameter}{first['msg'].removeprefix('Input')}, not {quoted(given)}"
    else:
        message = f"{parameter} is not valid ({first['msg'][:1].lower()}{first['msg'][1:]}): {quoted(given)}"
    return QueryError(message, parameter=parameter)


def _misplaced(names: Sequence[str], where: str, *, negated: bool = True) -> str:
    """``notable, frontier do not apply to a definition``; ``metric applies to source huggingface only``."""
    many = len(names) > 1
    verb = ("do not apply" if many else "does not apply") if negated else ("apply" if many else "applies")
    return f"{', '.join(names)} {verb} {where}"


class _Request(BaseModel):
    """What a count and a models list share: the population, its period and filters, whose country, when."""

    model_config = ConfigDict(frozen=True)

    source: Annotated[CountSource | str, BeforeValidator(_source), Field(max_length=64)] = Field(
        CountSource.EPOCH,
        description="epoch (models), huggingface (Hub repos), cac (China's CAC register: filings, each a service, "
        "not a model), tabular (every stored tabular list) or the name of one tabular list (see /api/sources).",
    )
    definition: Text = Field(None, description="Count under a named definition (see /api/definitions).")
    unit: Unit | None = Field(None, description="With a definition: family, release or variant.")
    year: Year = Field(None, description="Only models published in this year.")
    since: Year = Field(None, description="Only models published in or after this year.")
    until: Year = Field(None, description="Only models published in or before this year.")
    notable: bool | None = Field(None, description="Only notable (or only non-notable) models.")
    frontier: bool | None = Field(None, description="Only frontier (or only non-frontier) models.")
    large_scale: bool | None = Field(
        None, description="Only large-scale models (>= 1e23 FLOP or in Epoch's large-scale file)."
    )
    open_weights: OpenWeights | None = Field(None, description="yes, no or unknown.")
    domain: Text = Field(None, description="Only models of this domain (e.g. Language).")
    country: Countries = Field(
        (),
        description=f"Only models (units, Hub repos) of this country under the attribution: {COUNTRY_TEXT}. models: "
        "the group of a figure's row.",
    )
    region: Region = Field(
        None, description="Only models of a region group (eu27, greater-china, g7, …) under the attribution."
    )
    attribution: Attribution | None = Field(
        None,
        description="epoch: as-published (the source's country field, default) or resolved (registry). "
        "huggingface: resolved (the publishing organization, default) or lineage (the root base model's developer). "
        "cac: as-published (the register's country, China; default) or resolved (the provider's organization).",
    )
    record_type: CacRecordType | None = Field(
        None, description="cac: filing (备案, default) or registration (登记); the two lists are never added together."
    )
    as_of: AsOf = Field(
        None,
        description="Read the census as it was on this date (YYYY-MM-DD): the newest export of each source dated on "
        "or before it.",
    )

    def filters(self) -> dict[str, Any]:
        """The period, place and Epoch AI's filters, as the census's figures take them (``as_of`` included)."""
        names = ("year", "since", "until", *MODEL_FILTERS, *PLACE_FILTERS, "as_of")
        return {name: getattr(self, name) for name in names}

    def place(self) -> dict[str, Any]:
        """The country filter alone (``country``, ``region``), for the figures that take no other."""
        return {name: getattr(self, name) for name in PLACE_FILTERS}

    @property
    def tabular(self) -> bool:
        """Whether the source is a tabular list (or ``tabular``: every one)."""
        return self.source not in tuple(CountSource) or self.source == CountSource.TABULAR

    def _check_common(self, not_for_definition: tuple[str, ...]) -> None:
        if self.country and self.region is not None:
            raise invalid("region", "give either country or region, not both", self.region)
        if self.source == CountSource.CAC and self.definition is None and self.region is not None:
            raise invalid("region", "region does not apply to CAC filings (the register's are China's)", self.region)
        if self.year is not None and (self.since is not None or self.until is not None):
            raise invalid("year", "give either year, or since/until, not both", self.year)
        if self.since is not None and self.until is not None and self.since > self.until:
            raise invalid("since", f"since ({self.since}) is after until ({self.until})", self.since)
        if self.definition is not None and self.tabular:
            raise invalid("source", "give either a definition or a tabular list as source, not both", self.source)
        if self.definition is None and not self.tabular and self.unit is not None:
            raise invalid("unit", "unit applies with definition or a tabular list", self.unit)
        if self.definition is not None or self.tabular:
            given = [name for name in not_for_definition if getattr(self, name) is not None]
            where = "to a definition" if self.definition is not None else "to a tabular list"
            if given:
                raise invalid(given[0], _misplaced(given, where), getattr(self, given[0]))
            if self.attribution == Attribution.LINEAGE and self.tabular:
                raise invalid("attribution", "a tabular list is attributed as-published or resolved", self.attribution)
            return
        if self.source in (CountSource.EPOCH, CountSource.CAC) and self.attribution not in (None, *MODEL_ATTRIBUTIONS):
            raise invalid("attribution", "attribution lineage applies to Hugging Face repos", self.attribution)
        if self.source != CountSource.CAC and self.record_type is not None:
            raise invalid("record_type", "record_type applies to source cac only", self.record_type)
        if self.source == CountSource.HUGGINGFACE and self.attribution not in (None, *HUB_ATTRIBUTIONS):
            raise invalid("attribution", "Hugging Face repos are attributed resolved or lineage", self.attribution)


class CountRequest(_Request):
    """A count: by a named definition, over Hub repos, over the CAC register's filings, or over Epoch AI's models
    (``modelcensus count``, ``/api/count``). ``None``: the default of the chosen path."""

    by: Annotated[tuple[Dimension, ...], AfterValidator(_field(check_dimensions))] = Field(
        (Dimension.COUNTRY,),
        description="country, region, organization, sector, domain, year, month or open_weights (Hub repos: "
        "country, region, organization, base_family, year, month, pipeline_tag, derivative; CAC filings, one of: "
        "country, province, organization, year, month); repeat to cross one grouping with the others.",
    )
    metric: HubMetric | None = Field(None, description="Hub: models (repos), downloads (30-day) or likes.")
    derivatives: Derivatives | None = Field(
        None, description="Hub: include (default), exclude (originals only) or only."
    )
    pipeline_tag: Text = Field(None, description="Hub: only repos of this pipeline tag.")
    rule: Rule = Field(Rule.FULL, description="Counting rule: full, fractional or primary.")

    @model_validator(mode="after")
    def _check(self) -> CountRequest:
        """Reject what the chosen path does not take, naming the parameter."""
        self._check_common((*MODEL_FILTERS, *HUB_FILTERS, *CAC_FILTERS))
        if self.definition is not None or self.tabular:
            if self.by != (Dimension.COUNTRY,):
                what = "under a definition" if self.definition is not None else "of a tabular list"
                raise invalid("by", f"a count {what} is by country", list(self.by))
            return self
        if self.source == CountSource.CAC and self.country:
            raise invalid("country", "country does not apply to a count of CAC filings (group by it)", self.country)
        misplaced: tuple[str, ...]
        dimensions: tuple[Dimension, ...]
        grouped: tuple[Dimension, ...]
        if self.source == CountSource.HUGGINGFACE:
            misplaced, dimensions, grouped = MODEL_FILTERS, HUB_DIMENSIONS, HUB_GROUPED
            where, what = "to source epoch, not to Hugging Face repos", "Hugging Face repos"
        elif self.source == CountSource.CAC:
            misplaced, dimensions, grouped = (*MODEL_FILTERS, *HUB_FILTERS), CAC_DIMENSIONS, CAC_GROUPED
            where, what = "to source epoch or huggingface, not to CAC filings", "CAC filings"
            if len(self.by) > 1:
                raise invalid("by", "CAC filings are counted by one dimension at a time", list(self.by))
        else:
            misplaced, dimensions, grouped = HUB_FILTERS, MODEL_DIMENSIONS, GROUPED_DIMENSIONS
            where, what = "to source huggingface only", "Epoch AI's models"
        given = [name for name in misplaced if getattr(self, name) is not None]
        if given:
            raise invalid(given[0], _misplaced(given, where, negated=False), getattr(self, given[0]))
        unknown = [d for d in self.by if d not in dimensions]
        if unknown:
            message = f"cannot group {what} by {unknown[0]!s}; choose from {', '.join(dimensions)}"
            raise invalid("by", message, list(self.by))
        if len([d for d in self.by if d in grouped]) > 1:
            raise invalid("by", f"group by at most one of {', '.join(grouped)} at a time", list(self.by))
        return self


class ModelsRequest(_Request):
    """The models behind a figure (``modelcensus models``, ``/api/models``): a count's filters plus the group
    (``country``, ``organization``, ``year``)."""

    organization: Text = Field(
        None,
        description="Organization name in any spelling the registry resolves (阿里巴巴, Alibaba Group Holding "
        "Limited): its models and its subsidiaries'; a name the registry does not know matches as a substring of "
        "published names; an ambiguous one is an error listing the organizations it could be. cac: a registry name "
        "or id (its filings and those of the organizations below it) or text of the filed provider's name; none for "
        "unresolved providers.",
    )
    province: Text = Field(None, description="cac: a province (ISO 3166-2:CN code, English or Chinese name); none.")
    month: Annotated[str | None, Field(pattern=r"^(\d{4}-(0[1-9]|1[0-2])|none)$")] = Field(
        None, description="cac: the month of the filing date (YYYY-MM); none for undated filings."
    )

    @model_validator(mode="after")
    def _check(self) -> ModelsRequest:
        epoch_only = ("organization", *MODEL_FILTERS, "as_of")
        self._check_common(epoch_only)
        cac_only = ("province", "month", *CAC_FILTERS)
        if self.source != CountSource.CAC or self.definition is not None:
            given = [name for name in cac_only if getattr(self, name) is not None]
            if given:
                raise invalid(given[0], _misplaced(given, "to source cac only", negated=False), getattr(self, given[0]))
        if self.definition is None and self.source == CountSource.HUGGINGFACE:
            given = [name for name in epoch_only if getattr(self, name) is not None]
            if given:
                raise invalid(given[0], _misplaced(given, "to Hugging Face repos"), getattr(self, given[0]))
        if self.definition is None and self.source == CountSource.CAC:
            given = [name for name in MODEL_FILTERS if getattr(self, name) is not None]
            if given:
                raise invalid(given[0], _misplaced(given, "to CAC filings"), getattr(self, given[0]))
            if len(self.country) > 1:
                raise invalid("country", "CAC filings are listed for one country at a time", list(self.country))
        return self


class CacFilingsRequest(ModelsRequest):
    """The filings behind a CAC figure (``/api/cac/filings``): a models request whose source is the CAC register."""

    source: CountSource = Field(CountSource.CAC, description="cac (the only source of CAC filings).")


class PlaceRequest(BaseModel):
    """The country filter of the figures that take no other request (``/api/trend``, ``/api/vintages``,
    ``/api/lag``): the same parameters, checked the same way, as a count's."""

    model_config = ConfigDict(frozen=True)

    country: Countries = Field(
        (), description=f"Only models (Hub repos) of this country under the attribution: {COUNTRY_TEXT}."
    )
    region: Region = Field(
        None,
        description="Only models (Hub repos) of a region group (eu27, greater-china, g7, …) under the attribution.",
    )

    @model_validator(mode="after")
    def _check(self) -> PlaceRequest:
        if self.country and self.region is not None:
            raise invalid("region", "give either country or region, not both", self.region)
        return self

    def place(self) -> dict[str, Any]:
        """``country`` and ``region`` as the figures take them (None: not given)."""
        return {"country": list(self.country) or None, "region": self.region}


class NewRequest(PlaceRequest):
    """What's new (``modelcensus new``, ``/api/new``, ``/feeds/new.atom``): the models that entered the census after
    a date, of a country or region."""

    since: Annotated[date | None, BeforeValidator(_date_of("since")), AfterValidator(_field(_in_range))] = Field(
        None,
        description="The models that entered the census after this date (YYYY-MM-DD): their first stored snapshot "
        "is dated after it. Default: the date of the previous snapshot (the models the newest snapshot date brought).",
    )
    definition: Text = Field(
        None, description="The census: a named definition (see /api/definitions); default all-sources (every source)."
    )
    attribution: Attribution | None = Field(
        None, description="Whose country: as-published, resolved or lineage (default: the definition's)."
    )

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`Census.new_models <modelcensus.census.Census.new_models>`."""
        chosen = {"definition": self.definition, "attribution": self.attribution}
        return {"since": self.since, **self.place(), **{k: v for k, v in chosen.items() if v is not None}}
