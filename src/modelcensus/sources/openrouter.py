"""Source ``openrouter``: the model list of OpenRouter's ``/api/v1/models`` (the data is OpenRouter's).

OpenRouter is a routing marketplace: it lists the models it serves, not every model that exists, so
its records are a catalogue view (what is offered through an API, at what price, since when) that the
census links to models of other sources. The parser accepts the raw response (``{"data": [...]}``)
and the bare list that saved copies often hold.

Naming rule: OpenRouter prefixes display names with the vendor (``"AI21: Jamba Large 1.7"``). The
prefix is removed from ``name`` and kept as ``organization``; without a prefix, the organization is
the vendor part of the id (``"qwen"`` of ``"qwen/qwen-2.5-72b-instruct"``). Both are the names
OpenRouter uses, resolved to real organizations later by the registry, never here.

Open weights: ``YES`` when OpenRouter links the model to a Hugging Face repository
(``hugging_face_id``), otherwise ``UNKNOWN``: OpenRouter serves many open models without a link, so a
missing link is no evidence of closed weights.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from modelcensus.errors import InputFormatError
from modelcensus.records import CatalogRecord, clean_text, load_json, text_field
from modelcensus.vocabulary import OpenWeights

SOURCE = "openrouter"
URL = "https://openrouter.ai/api/v1/models"
LICENSE = "OpenRouter API terms"
CREDIT = "OpenRouter"

# A display-name vendor prefix: a short run without a colon, then ": " (``"Z.ai: GLM 4.5"``).
_VENDOR_PREFIX = re.compile(r"^([^:]{1,60}):\s+(\S.*)$")
_SIGNATURE_KEYS = frozenset({"pricing", "context_length", "architecture", "canonical_slug", "top_provider"})


def _items(payload: object, location: str) -> list[object]:
    if isinstance(payload, dict):
        data = payload.get("data")
        if not isinstance(data, list):
            raise InputFormatError(
                "expected the /api/v1/models response (an object with a 'data' list) or a bare list of models",
                file=location,
                column="data",
            )
        return data
    if isinstance(payload, list):
        return payload
    raise InputFormatError(f"expected a JSON object or list of models, found {type(payload).__name__}", file=location)


def _price(value: object, location: str, line: int, column: str) -> float | None:
    """A per-token USD price; OpenRouter publishes ``"-1"`` for routers whose price varies (→ None)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(type(value).__name__)
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputFormatError(f"price is not a number ({exc})", file=location, line=line, column=column) from exc
    if not math.isfinite(number):
        raise InputFormatError("price is not finite", file=location, line=line, column=column)
    return None if number < 0 else number


def _published_on(item: dict[str, object], location: str, line: int) -> datetime | None:
    created = item.get("created")
    if created is None:
        return None
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise InputFormatError("'created' is not a unix timestamp", file=location, line=line, column="created")
    try:
        return datetime.fromtimestamp(created, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InputFormatError(
            f"'created' is out of range ({exc})", file=location, line=line, column="created"
        ) from exc


def _strings(value: object, location: str, line: int, column: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFormatError("expected a list of strings", file=location, line=line, column=column)
    return list(value)


def _record(item: object, location: str, line: int) -> CatalogRecord:
    if not isinstance(item, dict):
        raise InputFormatError(f"model entry is {type(item).__name__}, not an object", file=location, line=line)
    model_id = text_field(item, "id", location, line, required=True)
    display = text_field(item, "name", location, line, required=True)
    assert model_id is not None and display is not None
    vendor_slug = model_id.split("/", 1)[0] if "/" in model_id else None
    match = _VENDOR_PREFIX.match(display)
    name, organization = (match.group(2), clean_text(match.group(1))) if match else (display, vendor_slug)
    hf_id = text_field(item, "hugging_face_id", location, line)
    created = _published_on(item, location, line)

    attributes: dict[str, object] = {}
    for key in ("canonical_slug", "knowledge_cutoff"):
        text = text_field(item, key, location, line)
        if text is not None:
            attributes[key] = text
    context = item.get("context_length")
    if context is not None:
        if isinstance(context, bool) or not isinstance(context, int):
            raise InputFormatError("not an integer", file=location, line=line, column="context_length")
        attributes["context_length"] = context
    architecture = item.get("architecture")
    if architecture is not None:
        if not isinstance(architecture, dict):
            raise InputFormatError("not an object", file=location, line=line, column="architecture")
        modality = text_field(architecture, "modality", location, line)
        if modality is not None:
            attributes["modality"] = modality
        for key in ("input_modalities", "output_modalities"):
            values = _strings(architecture.get(key), location, line, f"architecture.{key}")
            if values is not None:
                attributes[key] = values
    pricing = item.get("pricing")
    if pricing is not None:
        if not isinstance(pricing, dict):
            raise InputFormatError("not an object", file=location, line=line, column="pricing")
        for key in ("prompt", "completion"):
            raw = pricing.get(key)
            price = _price(raw, location, line, f"pricing.{key}")
            if price is not None:
                attributes[f"{key}_price_usd_per_token"] = price
            elif raw not in (None, ""):
                attributes["price_varies"] = True
    return CatalogRecord(
        source=SOURCE,
        source_id=model_id,
        name=name,
        organization=organization,
        published_on=created.date() if created else None,
        hf_id=hf_id,
        open_weights=OpenWeights.YES if hf_id else OpenWeights.UNKNOWN,
        attributes=attributes,
        line=line,
    )


def parse(data: bytes, location: str) -> list[CatalogRecord]:
    """One record per listed model, in the listing's order.

    ``line`` (on records and errors) is the 1-based position of the model in the list.
    """
    items = _items(load_json(data, location), location)
    return [_record(item, location, index) for index, item in enumerate(items, start=1)]


def looks_like(data: bytes) -> bool:
    """True for an OpenRouter model listing: items with a ``vendor/slug`` id and OpenRouter's keys."""
    try:
        items = _items(load_json(data, ""), "")
    except Exception:
        return False
    sample = [item for item in items[:20] if isinstance(item, dict)]
    if not sample:
        return False
    return all(
        isinstance(item.get("id"), str) and "/" in item["id"] and bool(_SIGNATURE_KEYS & item.keys()) for item in sample
    )
