"""What linkage reads in a model's name: the spelling-free keys, snapshot dates, sizes and checkpoint forms.

Every function here reads one name (or one record) and is deterministic; the passes that compare records
are in :mod:`modelcensus.linkage`.

- :func:`clean_name` writes typographic punctuation the ASCII way (NFKC, then ``‐ ‑ ‒ – — − · ・ •`` as
  ``-`` and the no-break and thin spaces as a space), so ``MiMo‑VL‑7B‑RL`` and ``DALL·E 3`` read as
  ``MiMo-VL-7B-RL`` and ``DALL-E 3``.
- :func:`name_key` removes spelling only; :func:`token_key` sorts the tokens and writes dates one way;
  :func:`snapshot_key` also drops the snapshot marks; :func:`release_key` also drops sizes and
  post-training words (what a size- and date-qualified repo id shares with the release's name).
- :func:`snapshot_marks` are the snapshot months a record names (in its id, its Hub repo or the slug its
  source gives as canonical); :func:`checkpoint_form` says whether a record is a base or a post-trained
  checkpoint, when its names say so.
- Vendor aliases that no spelling rule can see (``gpt-4-1106-preview`` is GPT-4 Turbo) come from the
  reviewed ``data/model_name_aliases.csv``, each with its reason.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from modelcensus.vocabulary import Unit, choose

_HF_URL = re.compile(r"huggingface\.co/([A-Za-z0-9][\w.-]*/[\w.-]+)")
# Typographic dashes, dots and bullets that stand for a hyphen in a model name, and the spaces NFKC
# keeps apart from a plain space.
_TYPOGRAPHIC = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00b7\u30fb\uff65\u2022\u2027\u22c5\u2219"}
    | {c: " " for c in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000"}
)
# A parenthesised alias in another script or spelling ("(文心大模型4.5)", "(Tülu 3)"): never part of the key.
_FOREIGN_ALIAS = re.compile(r"\([^)]*[^\x00-\x7f][^)]*\)")


def clean_name(name: str) -> str:
    """NFKC, typographic hyphens, dots and bullets as ``-``, no-break and thin spaces as a space."""
    return unicodedata.normalize("NFKC", name).translate(_TYPOGRAPHIC).strip()


@lru_cache(maxsize=131072)  # every pass asks again for the same names
def name_key(name: str, keep_dots: bool = False) -> str:
    """The spelling-free key of a model name: case, the vendor prefix (``z-ai/``, ``AI21: ``), aliases in
    parentheses and separators (space, ``_``, ``.`` become ``-``) go; versions, sizes, tiers and dates stay.

    ``keep_dots`` keeps version and size dots (``qwen2.5-1.5b``) for parsers that must tell a version
    from a size; the linkage key turns them into dashes like every other separator.
    """
    text = clean_name(name)
    text = re.sub(r":(free|beta|extended|floor|nitro)$", "", text)  # OpenRouter's routing variants of one model
    if ": " in text:
        text = text.split(": ", 1)[1]
    if "/" in text:
        vendor, _, rest = text.rpartition("/")
        # a vendor prefix (``openai/gpt-4o``, ``Qwen/Qwen3-8B``) goes; a slash inside a name (``ViT-G/14``,
        # ``CLIP ViT-L/14``: a patch size) is part of it
        text = rest if " " not in vendor and re.search(r"[A-Za-z]", rest) else text.replace("/", "-")
    text = _FOREIGN_ALIAS.sub(" ", text)
    # parentheses holding a digit carry a version, date or size ("(Mar 2025)", "(72B)"): keep them;
    # others are aliases ("(FAIR)") and go
    text = re.sub(r"\(([^)]*)\)", lambda m: f" {m.group(1)} " if re.search(r"\d", m.group(1)) else " ", text)
    text = text.casefold().replace("+", " plus ")
    text = re.sub(r"[\s_]+" if keep_dots else r"[\s_.]+", "-", text)
    text = re.sub(r"[^\w+.-]" if keep_dots else r"[^\w+-]", "", text)
    return re.sub(r"-+", "-", text).strip("-")


# Suffixes that mark a post-training, packaging or dated-snapshot variant of a release (at the end).
_VARIANT_SUFFIX = re.compile(
    r"(-(instruct|chat|it|base|hf|sft|dpo|rlhf|preview|exp|latest|thinking|reasoning|turbo"
    r"|gguf|ggml|awq|gptq|exl2|mlx|onnx|fp8|fp16|bf16|int4|int8|4bit|8bit|q[2-8](-k(-[msl])?)?"
    r"|\d{4}-\d{2}-\d{2}|\d{8}|\d{4}))+$"
)
# Sizes: 72b, 1.5b, 350m, a3b (active), 8x7b (experts), e4b (effective).
_SIZE = re.compile(r"-(\d+(\.\d+)?[bmkt]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b|e\d+b)(?=-|$)")


def unit_key(name: str, unit: str) -> str:
    """The key of a model name at a counting unit: ``variant`` (the name as is), ``release`` (without
    post-training, packaging or snapshot suffixes) or ``family`` (a release without its size)."""
    if choose(Unit, unit, "unit") == Unit.VARIANT:
        return name_key(name)
    dotted = name_key(name, keep_dots=True)
    release = _VARIANT_SUFFIX.sub("", dotted) or dotted
    if unit == Unit.FAMILY:
        release = _SIZE.sub("", release).strip("-") or release
    return release.replace(".", "-")


@dataclass(frozen=True)
class SourceRecord:
    """What linkage needs of one record."""

    source: str
    source_id: str
    name: str
    developer: str | None = None
    """The developer's registry id when known (the top-most parent is used to compare)."""
    hub_id: str | None = None
    """A Hub repo id this record names exactly (OpenRouter's hugging_face_id, Epoch's Link)."""
    countries: tuple[str, ...] = ()
    """The countries of the developing organization itself (not of its parent)."""
    published_on: date | None = None
    """When the source says the model came out (Epoch's publication date, OpenRouter's ``created``)."""
    parameters: float | None = None
    """The parameter count the source gives (Epoch's), to tell which size of a family a record is."""
    aliases: tuple[str, ...] = ()
    """Other ids the source gives the record (OpenRouter's ``canonical_slug``, often dated)."""
    stated: tuple[str, ...] = ()
    """The countries the source itself states for the record (a tabular list's country column or its one country):
    a record stated to be of other countries than another's is another model (see ``rules._compatible``)."""


RELEASE_DATE_SOURCES = frozenset({"epoch"})
"""Sources whose date is the model's release; the others' dates are when a catalogue listed it (OpenRouter's
``created``) or come from the name."""


@lru_cache(maxsize=1)
def _name_patterns() -> list[tuple[re.Pattern[str], str]]:
    path = resources.files("modelcensus.data").joinpath("model_name_developers.csv")
    with path.open(encoding="utf-8") as handle:
        return [(re.compile(r["pattern"], re.IGNORECASE), r["developer"]) for r in csv.DictReader(handle)]


def developer_by_name(name: str) -> str | None:
    """The developer a model's name gives away (``claude-…`` → Anthropic), from a reviewed data file."""
    key = name_key(name)
    for pattern, developer in _name_patterns():
        if pattern.search(key):
            return developer
    return None


def hub_id_in_link(link: str | None) -> str | None:
    """The Hub repo a Hugging Face URL points at (``https://huggingface.co/zai-org/GLM-4.5`` → ``zai-org/GLM-4.5``)."""
    if not link:
        return None
    match = _HF_URL.search(link)
    if not match:
        return None
    repo = match.group(1)
    return None if repo.split("/")[0] in {"datasets", "spaces", "papers", "docs", "blog"} else repo


@lru_cache(maxsize=1)
def _aliases() -> list[tuple[str, re.Pattern[str], str]]:
    path = resources.files("modelcensus.data").joinpath("model_name_aliases.csv")
    with path.open(encoding="utf-8") as handle:
        return [(r["source"], re.compile(r["pattern"]), r["name"]) for r in csv.DictReader(handle)]


def alias_patterns(source: str) -> list[str]:
    """The patterns of the reviewed vendor aliases that apply to a source's names (matched against name keys)."""
    return [pattern.pattern for only, pattern, _ in _aliases() if not only or only == source]


def vendor_alias(source: str, name: str) -> str:
    """The name a vendor's alias stands for (``gpt-4-1106-preview`` → ``gpt-4-turbo-1106-preview``), from
    the reviewed ``data/model_name_aliases.csv``; the name itself when no entry applies."""
    key = name_key(name)
    for only, pattern, replacement in _aliases():
        if only and only != source:
            continue
        if pattern.fullmatch(key):
            return pattern.sub(replacement, key)
    return name


def source_name(record: SourceRecord) -> str:
    """The id where a source's id is its most precise name (OpenRouter's ``vendor/slug``: its display name
    drops the vendor; LMArena's api name; Hub repo ids), else the name."""
    return record.source_id if record.source in ("openrouter", "lmarena", "huggingface") else record.name


def match_name(record: SourceRecord) -> str:
    """The name a record is matched on: :func:`source_name`, with a reviewed vendor alias written out, or
    OpenRouter's display name where it adds only numbers to the slug (``mistralai/mistral-large-2512`` is
    ``Mistral Large 3 2512``, ``moonshotai/kimi-k2`` is ``Kimi K2 0711``)."""
    return _match_name(record.source, source_name(record), record.name)


@lru_cache(maxsize=65536)
def _match_name(source: str, name: str, display: str) -> str:
    if source == "openrouter" and display != name:
        slug, shown = set(token_key(name).split("-")), set(token_key(display).split("-"))
        if slug < shown and all(re.fullmatch(r"\d+", t) for t in shown - slug):
            return display
    return vendor_alias(source, name)


MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


def month_marks(key: str) -> str:
    """Dates in a name key written one way: a snapshot month ``2024@08`` from ``2024-08-06``, ``20240806``,
    ``aug-2024``, ``202408`` and Cohere's ``08-2024``; a year-less ``MM-DD`` (``exp-03-25``) as ``0325``
    like the ``MMDD`` of ``gpt-4-0314``."""
    key = re.sub(r"(?<![\d])(20\d{2})-?(0[1-9]|1[0-2])-?([0-3]\d)(?![\d])", r"\1@\2", key)
    key = re.sub(r"(?<![\d@])(20[2-3]\d)(0[1-9]|1[0-2])(?![\d])", r"\1@\2", key)
    key = re.sub(r"(?<![\d@])(0[1-9]|1[0-2])-(20[12]\d)(?![\d])", r"\2@\1", key)
    key = re.sub(r"(?<=-)(0[1-9]|1[0-2])-([0-2]\d|3[01])(?=-|$)", r"\1\2", key)
    return re.sub(
        r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-(\d{4})\b",
        lambda m: f"{m.group(2)}@{MONTHS[m.group(1)]:02d}",
        key,
    )


@lru_cache(maxsize=1)
def _prefixes() -> dict[str, tuple[str, str]]:
    """``data/model_name_prefixes.csv``: a lab's prefix (``c4ai``) or a base family's name (``llama``),
    with the developer it belongs to."""
    path = resources.files("modelcensus.data").joinpath("model_name_prefixes.csv")
    with path.open(encoding="utf-8") as handle:
        return {r["prefix"]: (r["developer"], r["kind"]) for r in csv.DictReader(handle)}


def prefix_words() -> frozenset[str]:
    """The labs' prefixes and base families' names of ``data/model_name_prefixes.csv`` (words a key may drop)."""
    return frozenset(_prefixes())


def lineage_name(name: str, developer: str | None) -> str | None:
    """A derivative's name without the base family it names first (``llama-3.1-tulu-3-70b`` → ``tulu-3-70b``,
    ``Llama Nemotron Ultra 253B`` → ``nemotron-ultra-253b``) when its developer is not that family's; None
    when the name starts with no such base."""
    key = name_key(name)
    if developer and key.startswith(f"{developer}-"):
        key = key[len(developer) + 1 :]
    match = re.match(r"^([a-z]+)\d*(-\d+)*-(?=[a-z])", key)
    if not match or not developer:
        return None
    owner = _prefixes().get(match.group(1))
    if owner is None or owner[1] != "base" or owner[0] == developer:
        return None
    return key[match.end() :]


def compact_key(name: str) -> str:
    """Letters and digits only, with a version's ``v`` dropped: ``stable-diffusion-v35-large`` and
    ``Stable Diffusion 3.5 Large`` are both ``stablediffusion35large``."""
    text = re.sub(r"[^a-z0-9]", "", name_key(name))
    return re.sub(r"v(?=\d)", "", text)


# Tokens that say nothing about which model a record is: the full-precision packaging of the release
# (NVIDIA's ``-BF16`` repos hold the released weights).
_PACKAGING = frozenset({"bf16"})


@lru_cache(maxsize=65536)
def token_key(name: str, developer: str | None = None) -> str:
    """A looser key: the name key's tokens, with dates written one way (:func:`month_marks`), letters split
    from the digits that follow them, in sorted order (``Qwen2.5 Instruct (72B)`` and
    ``qwen-2.5-72b-instruct`` agree). A version's ``.0`` (``2.0`` is ``2``) and a last ``v1``/``v1.0``
    (the first version) go, and so do a lab's prefix (``c4ai-``, ``Luma``: ``data/model_name_prefixes.csv``), the
    developer's one-word id when a name repeats it (``amazon-nova-pro-v1.0``), ``bf16`` and a
    ``no-thinking`` setting. Post-training
    words (instruct, chat, base) stay: they tell releases apart."""
    key = month_marks(name_key(name))
    prefix = key.split("-", 1)[0]
    if _prefixes().get(prefix, ("", ""))[1] == "lab" and "-" in key:
        key = key.split("-", 1)[1]
    key = re.sub(r"(?<=.)-v?1-0$", "", key)  # a last 1.0 is the first version: stable-diffusion-xl-base-1.0
    key = re.sub(r"(?<=\d)-0(?=-[a-z]|$)", "", key)  # 2.0 is 2, v1.0 is v1
    key = re.sub(r"(?<=.)-v1$", "", key)  # a last v1 is the first version: nova-premier-v1 is Nova Premier
    key = re.sub(r"-no-thinking(?=-|$)", "", key)  # a hybrid model served with its thinking off is that model
    tokens = re.sub(r"(?<=[a-z])(?=\d)", "-", key).split("-")
    drop = developer if developer and "-" not in developer and len(tokens) > 2 else None
    return "-".join(sorted(t for t in tokens if t and t != drop and t not in _PACKAGING))


_SNAPSHOT_TOKEN = re.compile(r"^(\d{4}@\d{2}|\d{4}|0\d{2}|preview|exp|latest|hf)$")


@lru_cache(maxsize=65536)
def snapshot_key(name: str, developer: str | None = None) -> str:
    """The token key without snapshot marks: dates (``2024-12-17``, ``0314``, ``03-2025``), ``-001``,
    ``preview``/``exp``/``latest``, ``-hf`` and a ``-v0.x`` version. ``o1`` and ``o1-2024-12-17``,
    ``gemini-2.0-flash`` and ``gemini-2.0-flash-001`` share it."""
    base = re.sub(r"-v0(-\d+)?$", "", name_key(name))
    tokens = token_key(base, developer).split("-")
    return "-".join(t for t in tokens if not _SNAPSHOT_TOKEN.match(t))


_POST_TRAINING = frozenset({"instruct", "it", "chat"})
_TUNED = _POST_TRAINING | {"sft", "dpo", "rlhf"}
_SIZE_TOKEN = re.compile(r"^(\d+(\.\d+)?[bmt]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b|e\d+b|\d+e)$")


@lru_cache(maxsize=65536)
def release_key(name: str, developer: str | None = None) -> str:
    """The snapshot key without sizes (``24b``, ``a3b``, ``128e``) and post-training words: what a repo id
    that carries a size and a date (``Voxtral-Small-24B-2507``) shares with the release's name
    (``Voxtral Small``)."""
    kept = [t for t in name_key(name, keep_dots=True).split("-") if not _SIZE_TOKEN.match(t)]
    tokens = snapshot_key("-".join(kept).replace(".", "-"), developer).split("-")
    return "-".join(t for t in tokens if t not in _POST_TRAINING and t != "base")


def sizes_in(name: str) -> list[float]:
    """The total sizes a name gives, in parameters (``Voxtral-Small-24B`` → 24e9); active (``a3b``),
    effective (``e4b``) and per-expert sizes (``17b-128e``) are no total."""
    scale = {"m": 1e6, "b": 1e9, "t": 1e12}
    key = name_key(name, keep_dots=True)
    sizes = []
    for m in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)([bmt])(?=-|$)(?!-\d+e(?:-|$))", key):
        sizes.append(float(m.group(1)) * scale[m.group(2)])
    for m in re.finditer(r"(?<![\w.])(\d+)x(\d+(?:\.\d+)?)b(?=-|$)", key):
        sizes.append(float(m.group(1)) * float(m.group(2)) * 1e9)
    return sizes


SIZE_FACTOR = 1.6
"""A size in a name and a parameter count agree within this factor: ``Voxtral-Mini-3B`` counts 4.7B with
its audio encoder, while a family's next size is usually twice the last (4B, 8B)."""


def size_agrees(parameters: float | None, name: str) -> bool | None:
    """Whether a parameter count and the sizes a name gives agree (within :data:`SIZE_FACTOR`), or None
    when one of them is unknown."""
    sizes = sizes_in(name)
    if not parameters or not sizes:
        return None
    return any(1 / SIZE_FACTOR <= size / parameters <= SIZE_FACTOR for size in sizes)


def _months(record: SourceRecord, names: Iterable[str]) -> set[str]:
    marks: set[str] = set()
    for name in names:
        marks |= _name_months(name, record.developer)
    return marks


@lru_cache(maxsize=65536)
def _name_months(name: str, developer: str | None) -> frozenset[str]:
    marks = set()
    for t in token_key(name, developer).split("-"):
        if re.match(r"^\d{4}@\d{2}$", t):
            marks.add(t)
        elif re.match(r"^(2[3-9])(0[1-9]|1[0-2])$", t):
            marks.add(f"20{t[:2]}@{t[2:]}")
    return frozenset(marks)


def month_number(mark: str) -> int:
    year, month = mark.split("@")
    return int(year) * 12 + int(month)


def snapshot_marks(record: SourceRecord) -> set[str]:
    """The snapshot months a record names (:func:`_snapshot_marks`)."""
    return set(_snapshot_marks(record))


@lru_cache(maxsize=65536)
def _snapshot_marks(record: SourceRecord) -> frozenset[str]:
    """The snapshot months a record names (``2024@12`` from ``o1-2024-12-17``, ``2024@10`` from Mistral's
    ``-2410``), in its id or name, or else in the Hub repo or canonical slug its source gives for it when
    that month agrees (within a month) with the record's own date; year-less ``MMDD`` marks give none."""
    own = _months(record, [match_name(record)])
    if own:
        return frozenset(own)
    other = _months(record, [*record.aliases, *([record.hub_id] if record.hub_id else [])])
    if record.published_on is None:
        return frozenset(other)
    dated = record.published_on.year * 12 + record.published_on.month
    return frozenset(m for m in other if abs(month_number(m) - dated) <= 1)


def named_date(record: SourceRecord, year: int) -> tuple[date | None, tuple[int, int] | None]:
    """The launch date a snapshot's name gives: a full date (``gpt-4o-2024-05-13``), a month
    (``-2407``, Mistral's YYMM), or a year-less ``MMDD`` read in ``year`` (``gpt-4-0314``, ``exp-03-25``)."""
    name = match_name(record)
    full = re.search(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?([0-3]\d)(?!\d)", name)
    if full:
        try:
            return date(int(full.group(1)), int(full.group(2)), int(full.group(3))), None
        except ValueError:
            return None, None
    marks = _months(record, [name])
    if len(marks) == 1:
        y, m = next(iter(marks)).split("@")
        return None, (int(y), int(m))
    short = re.search(r"-(0[1-9]|1[0-2])-?([0-3]\d)(?=-|$|:)", name)
    if short:
        try:
            return date(year, int(short.group(1)), int(short.group(2))), None
        except ValueError:
            return None, None
    return None, None


def month_day(record: SourceRecord) -> tuple[int, int] | None:
    """A year-less ``MMDD`` (or ``MM-DD``) snapshot suffix of a name (``gpt-4-0314``, ``exp-03-25``)."""
    return _month_day(match_name(record), record.developer)


@lru_cache(maxsize=65536)
def _month_day(name: str, developer: str | None) -> tuple[int, int] | None:
    if _name_months(name, developer):
        return None
    match = re.search(r"-(0[1-9]|1[0-2])-?([0-2]\d|3[01])(?=-|$|:)", name)
    if match is None or re.search(r"(?<!\d)20\d\d-?" + re.escape(match.group(0).lstrip("-")), name):
        return None
    return int(match.group(1)), int(match.group(2))


def checkpoint_form(record: SourceRecord, hub_base: frozenset[str]) -> str | None:
    """``base`` or ``tuned`` when a record's names say which checkpoint it is, else None. Its own name or
    the Hub repo its source names for it saying ``base`` (or being a repo in ``hub_base``: a bare repo
    beside which the Hub lists the same model ``-Instruct``), or ``instruct``/``it``/``chat``/``sft``…"""
    names = [match_name(record)] + ([record.hub_id] if record.hub_id else [])
    forms = set()
    for name in names:
        tokens = set(name_key(name).split("-"))
        if "base" in tokens:
            forms.add("base")
        elif tokens & _TUNED:
            forms.add("tuned")
    repo = record.source_id if record.source == "huggingface" else record.hub_id
    if repo and repo.casefold() in hub_base:
        forms.add("base")
    return next(iter(forms)) if len(forms) == 1 else None


def bare_hub_repos(repos: Iterable[str]) -> frozenset[str]:
    """Hub repos with no post-training word beside which the Hub (or a source naming Hub repos) lists the
    same model with one (``mistralai/Mistral-7B-v0.1`` beside ``mistralai/Mistral-7B-Instruct-v0.1``):
    those are base checkpoints."""
    keys: dict[tuple[str, str], list[str]] = {}
    tuned: set[tuple[str, str]] = set()
    for repo in {r.casefold() for r in repos}:
        org, _, name = repo.partition("/")
        tokens = token_key(name).split("-")
        plain = [t for t in tokens if t not in _TUNED]
        key = (org, "-".join(plain))
        if len(plain) < len(tokens):
            tuned.add(key)
        else:
            keys.setdefault(key, []).append(repo)
    return frozenset(r for key, rs in keys.items() if key in tuned for r in rs)
