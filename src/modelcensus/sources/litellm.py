"""Source ``litellm``: BerriAI/litellm's provider catalogue ``model_prices_and_context_window.json`` (MIT).

The catalogue maps a deployment key (``"azure/gpt-4o"``, ``"bedrock/us-east-1/…"``) to prices, limits
and capability flags. It is a deployment and pricing view, not a census: one model appears once per
provider that serves it, and nothing in it says who developed a model, where, or when. So records
carry ``organization=None``; the serving provider (``litellm_provider``) is kept as
``attributes["provider"]`` and must never be read as the developer. The key ``sample_spec`` documents
the schema and is not a model.
"""

from __future__ import annotations

from modelcensus.errors import InputFormatError
from modelcensus.records import CatalogRecord, clean_text, load_json, number_field, parse_date

SOURCE = "litellm"
URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
LICENSE = "MIT"
CREDIT = "BerriAI/litellm"
SAMPLE_KEY = "sample_spec"

# Raw key → attribute name (units in the name) and kind of value.
_TEXT_FIELDS = {"litellm_provider": "provider", "mode": "mode"}
_INT_FIELDS = ("max_input_tokens", "max_output_tokens")
_COST_FIELDS = {
    "input_cost_per_token": "input_cost_usd_per_token",
    "output_cost_per_token": "output_cost_usd_per_token",
}
_SIGNATURE_KEYS = frozenset({"litellm_provider", "mode", "max_tokens", "max_input_tokens", "input_cost_per_token"})


def model_name(key: str) -> str:
    """The model part of a deployment key: its last path segment (``"azure/gpt-4o"`` → ``"gpt-4o"``)."""
    segment = key.rstrip("/").rsplit("/", 1)[-1]
    return clean_text(segment) or key


def _record(key: str, spec: object, location: str, line: int) -> CatalogRecord:
    if not isinstance(spec, dict):
        raise InputFormatError(
            f"entry {key!r} is {type(spec).__name__}, not an object", file=location, line=line, column=key
        )
    attributes: dict[str, object] = {}
    for raw, attribute in _TEXT_FIELDS.items():
        value = spec.get(raw)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputFormatError(f"{key!r}: not a string", file=location, line=line, column=raw)
        text = clean_text(value)
        if text is not None:
            attributes[attribute] = text
    for raw in _INT_FIELDS:
        number = number_field(spec.get(raw), location, line, raw)
        if number is not None:
            attributes[raw] = int(number) if number.is_integer() else number
    for raw, attribute in _COST_FIELDS.items():
        number = number_field(spec.get(raw), location, line, raw)
        if number is not None:
            attributes[attribute] = number
    deprecation = spec.get("deprecation_date")
    if deprecation is not None:
        try:
            if not isinstance(deprecation, str):
                raise ValueError(f"found {type(deprecation).__name__}")
            day = parse_date(deprecation)
        except ValueError as exc:
            raise InputFormatError(
                f"{key!r}: not a date ({exc})", file=location, line=line, column="deprecation_date"
            ) from exc
        if day is not None:
            attributes["deprecation_date"] = day.isoformat()
    for raw, value in spec.items():
        if raw.startswith("supports_") and value is not None:
            if not isinstance(value, bool):
                raise InputFormatError(f"{key!r}: not true/false", file=location, line=line, column=raw)
            attributes[raw] = value
    return CatalogRecord(source=SOURCE, source_id=key, name=model_name(key), attributes=attributes, line=line)


def parse(data: bytes, location: str) -> list[CatalogRecord]:
    """One record per deployment key (``sample_spec`` skipped), in file order.

    ``line`` (on records and errors) is the 1-based position of the key in the file's object.
    """
    catalogue = load_json(data, location)
    if not isinstance(catalogue, dict):
        raise InputFormatError(
            f"expected an object of model keys, found {type(catalogue).__name__}; is this litellm's catalogue?",
            file=location,
        )
    records: list[CatalogRecord] = []
    for line, (key, spec) in enumerate(catalogue.items(), start=1):
        if key == SAMPLE_KEY:
            continue
        if not key.strip():
            raise InputFormatError("empty model key", file=location, line=line)
        records.append(_record(key, spec, location, line))
    return records


def looks_like(data: bytes) -> bool:
    """True for litellm's catalogue: an object whose entries carry litellm's provider/limit/cost keys."""
    try:
        catalogue = load_json(data, "")
    except Exception:
        return False
    if not isinstance(catalogue, dict):
        return False
    specs = [v for k, v in list(catalogue.items())[:50] if k != SAMPLE_KEY]
    if not specs or not all(isinstance(v, dict) for v in specs):
        return False
    return sum(1 for v in specs if isinstance(v, dict) and _SIGNATURE_KEYS & v.keys()) * 2 > len(specs)
