"""Hugging Face handles → organizations, for the long tail the registry's reviewed handles do not reach.

A handle (the ``author`` of a Hub repo: ``deepseek-ai``, ``zai-org``, ``bartowski``) resolves through these steps,
in order; the first that decides wins, and each resolution keeps its ``method``, ``score`` (0-100) and ``detail``:

1. ``registry-handle``: the registry's reviewed handles (``hub_handles`` of the organization files and
   ``hub_handles.csv``), organizations, individuals and community groups alike.
2. ``hub-profile`` (a user): the Hub says the account is a user's, so it is an individual, whatever its name
   resembles (known only after a live harvest asked the Hub, see :mod:`modelcensus.sources.hub_profiles`).
3. ``epoch-developer-id``: Epoch AI's ``Hugging Face developer id`` of the models under the handle, with the
   organizations Epoch names for them (resolved by the registry); then
4. ``openrouter-hf-id``: OpenRouter's ``hugging_face_id`` (``org/model``) with the model's vendor. A source's
   evidence counts only when it is consistent (every model under the handle names the organization, or one of its
   parents or subsidiaries) and the handle resembles the organization (more loosely than in step 5: the source
   has narrowed the candidates to a few); a researcher's own account that Epoch lists for a university's models
   does not resemble the university and stays unresolved.
5. ``name-resemblance``: the handle, split into words (``MiniMaxAI`` → mini max ai, ``zai-org`` → zai org) and
   stripped of words that name no one (``-ai``, ``-org``, ``-inc``, ``-research``, ``-lab(s)``, a glued ``ai``),
   against every organization's name, aliases and id normalised the same way: equal keys (100, or 96 once
   stripped); the handle's first words equal to an organization's key and the rest words for a team (``-nlp``,
   ``-research``: 92), or a university's and the rest one short word, a lab (``stanford-oval``: 90); anything else,
   ``meta-math``, only 80, below the bar; a misspelling (a rapidfuzz ratio of keys of six letters or more, with the
   same first letter and lengths at most two letters apart) its ratio. It resolves at 90 or more, three points
   clear of any other organization. A key two unrelated organizations share is a tie (``ambiguous``); keys that
   match only once both the handle and the name are stripped must be six letters or more (``TIGER-Lab`` is not
   Tiger Research). A handle with a word such as ``community``, ``gguf`` or ``mlx`` is somebody else's account
   about the organization, never the organization.
6. ``hub-profile`` (an organization): the full name the Hub gives the organization, resolved like any organization
   name (``registry.resolve``) or by the same resemblance.

Anything else stays unresolved, with the best candidate and its score in ``detail``. Individuals and community
groups never get a country.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from modelcensus.orgs.registry import OrgRecord, Registry, normalise_org_name
from modelcensus.sources.hub_profiles import HubProfile

RESOLVER_VERSION = "2"
"""Bumped when the resolution rules change, so that stores resolve their handles again at the next ingest."""
METHODS = ("registry-handle", "epoch-developer-id", "openrouter-hf-id", "name-resemblance", "hub-profile")
"""The ways a handle resolves, in the order they are tried (``hub-profile`` for a user's account comes second)."""
EVIDENCE_METHODS = {"epoch": "epoch-developer-id", "openrouter": "openrouter-hf-id"}
EVIDENCE_NAMES = {"epoch": "Epoch AI", "openrouter": "OpenRouter"}

SUFFIX_WORDS = frozenset(
    {"ai", "org", "inc", "research", "lab", "labs", "team", "official", "hf", "corp", "llc", "ltd", "co", "group"}
    | {"technologies", "technology", "tech", "io"}
)
"""Words at the end of a handle or a name that name no one: ``deepseek-ai`` is DeepSeek, ``baichuan-inc`` Baichuan."""
GLUED_SUFFIXES = ("research", "labs", "lab", "org", "inc", "ai", "hf")
"""The same words written into the last word (``moonshotai``, ``allenai``): stripped when four letters remain."""
TEAM_WORDS = SUFFIX_WORDS | frozenset(
    {"nlp", "cv", "ml", "llm", "llms", "vision", "audio", "speech", "models", "model", "science", "brain", "cloud"}
    | {"foundation", "multimodal", "mm", "dev", "airesearch", "ailab", "ailabs", "data", "datasets", "open", "oss"}
    | {"lm"}
)
"""Words after an organization's name that make the handle a team of it (``Alibaba-NLP``, ``Helsinki-NLP``)."""
COMMUNITY_WORDS = frozenset(
    {"community", "communities", "fan", "fans", "unofficial", "mirror", "mirrors", "archive", "quants", "quant"}
    | {"gguf", "mlx", "exl2", "awq", "gptq", "onnx", "int4", "int8", "fp8", "imatrix", "hub"}
)
"""Words that make a handle somebody's account about an organization (``mistral-community``), never its own."""
GENERIC_WORDS = frozenset({"university", "of", "the", "institute", "and", "for", "college", "school", "in", "at"})
"""Words dropped from an organization's name for its short key: ``Stanford University`` is also ``stanford``."""
STOP_KEYS = frozenset(
    {"open", "deep", "data", "big", "smart", "next", "new", "neural", "super", "global", "digital", "national"}
    | {"international", "china", "chinese", "american", "european", "language", "machine", "learning", "model"}
    | {"intelligence", "artificial", "science", "technology", "vision", "models", "llm", "hub", "one", "first"}
    | {"alpha", "beta", "star", "sun", "sky", "cloud", "research", "lab", "labs", "team", "center", "centre"}
)
"""Keys too generic to name one organization, however they were reached."""
MIN_KEY = 3
STRIPPED_BOTH_MIN = 6
LAB_WORD_LENGTH = 6
"""A university's name (or acronym) and one short word after it is one of its labs: ``stanford-oval``, ``nyu-mll``."""
ACCEPT_SCORE = 90.0
"""The score a resemblance needs on its own (name-resemblance)."""
EVIDENCE_SCORE = 75.0
"""The score a resemblance needs when a source names the organization for models under the handle."""
FUZZY_LENGTH_GAP = 2
"""A fuzzy match is for a misspelling: same first letter, lengths at most two letters apart (``airesearch`` is not
``lgairesearch``)."""
FUZZY_FLOOR = 80.0
"""Fuzzy scores below this are not even reported as near misses."""
FUZZY_MIN_LENGTH = 6
MARGIN = 3.0

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")


@dataclass(frozen=True)
class HandleEvidence:
    """A source that lists a model under a Hub handle and names the organizations that developed it."""

    handle: str
    source: str
    """``epoch`` (its ``Hugging Face developer id``) or ``openrouter`` (its ``hugging_face_id``)."""
    model: str
    organizations: tuple[str, ...]
    """The developers as the source spells them (resolved through the registry)."""
    vendor: str | None = None
    """OpenRouter: the namespace of its own id (``z-ai`` of ``z-ai/glm-4.6``)."""


@dataclass(frozen=True)
class HandleResolution:
    """How one handle was resolved: ``org`` is None when unresolved, or for an individual the Hub told of."""

    handle: str
    org: OrgRecord | None
    kind: str | None
    method: str
    score: float
    detail: str

    @property
    def resolved(self) -> bool:
        return self.org is not None or self.kind is not None

    @property
    def countries(self) -> tuple[str, ...]:
        """The organization's countries; none for an individual or a community group."""
        return self.org.countries if self.org is not None and self.kind == "organization" else ()


def handle_words(handle: str) -> list[str]:
    """A handle's words: split at separators and case changes, lower-cased (``MiniMaxAI`` → mini, max, ai)."""
    words: list[str] = []
    for part in _SEPARATORS.split(handle.strip()):
        words.extend(w.casefold() for w in _CAMEL.split(part) if w)
    return words


def _strip_words(words: list[str]) -> list[str]:
    out = list(words)
    while len(out) > 1 and out[-1] in SUFFIX_WORDS:
        out.pop()
    return out


def handle_keys(words: list[str]) -> list[str]:
    """The keys a handle is looked up by, most literal first: all its words, then without the words that name no
    one, then without a suffix glued to its last word."""
    keys = ["".join(words)]
    stripped = _strip_words(words)
    keys.append("".join(stripped))
    if len(stripped) == 1:
        last = stripped[0]
        for suffix in GLUED_SUFFIXES:
            if last.endswith(suffix) and len(last) - len(suffix) >= 4:
                keys.append(last[: -len(suffix)])
                break
    return [k for k in dict.fromkeys(keys) if len(k) >= MIN_KEY]


def org_keys(org: OrgRecord) -> tuple[set[str], set[str]]:
    """An organization's keys: its name, aliases and id with spaces and punctuation removed (also without generic
    words: ``university of``); and apart, the keys found only once the words that name no one at the end are
    stripped (``Tiger Research`` → ``tiger``), which a stripped handle must match at six letters or more."""
    full: set[str] = set()
    stripped: set[str] = set()
    for text in (org.name, *org.aliases, org.id.replace("-", " ")):
        words = normalise_org_name(text).split()
        if not words:
            continue
        full.add("".join(words))
        stripped.add("".join(_strip_words(words)))
        short = [w for w in words if w not in GENERIC_WORDS]
        if short and short != words:
            full.add("".join(short))

    def keep(keys: set[str]) -> set[str]:
        return {k for k in keys if len(k) >= MIN_KEY and k.isascii() and k not in STOP_KEYS}

    return keep(full), keep(stripped - full)


class HandleResolver:
    """Resolves Hub handles through the registry, sources' evidence, name resemblance and Hub profiles."""

    def __init__(
        self,
        registry: Registry,
        evidence: Iterable[HandleEvidence] = (),
        profiles: Iterable[HubProfile] = (),
    ) -> None:
        self.registry = registry
        self._keys: dict[str, set[str]] = defaultdict(set)
        self._org_keys: dict[str, set[str]] = {}
        full_keys: set[str] = set()
        for org in registry.orgs.values():
            if org.kind != "organization":
                continue
            full, stripped = org_keys(org)
            self._org_keys[org.id] = full | stripped
            full_keys |= full
            for key in full | stripped:
                self._keys[key].add(org.id)
        self._stripped_only = set(self._keys) - full_keys
        """Keys no organization has but once stripped: a stripped handle key must be long to match one."""
        self._fuzzy_keys = [k for k in self._keys if len(k) >= FUZZY_MIN_LENGTH]
        self._fuzzy_near: dict[tuple[str, int], list[str]] = defaultdict(list)
        """The fuzzy keys by first letter and length: where a misspelling's match can only be."""
        self._near: dict[tuple[str, int], list[str]] = {}
        """The fuzzy keys a key of this first letter and length may be a misspelling of (made once per pair)."""
        for k in self._fuzzy_keys:
            self._fuzzy_near[(k[0], len(k))].append(k)
        self._evidence: dict[tuple[str, str], list[HandleEvidence]] = defaultdict(list)
        for item in evidence:
            self._evidence[(item.handle.strip().casefold(), item.source)].append(item)
        self._profiles = {p.handle.strip().casefold(): p for p in profiles}
        self._memo: dict[str, HandleResolution] = {}

    def resolve(self, handle: str) -> HandleResolution:
        key = handle.strip()
        if key not in self._memo:
            self._memo[key] = self._resolve(key)
        return self._memo[key]

    def _resolve(self, handle: str) -> HandleResolution:
        org = self.registry.resolve_hub(handle)
        if org is not None:
            return HandleResolution(handle, org, org.kind, "registry-handle", 100.0, f"a reviewed handle ({org.file})")
        profile = self._profiles.get(handle.casefold())
        if profile is not None and profile.kind == "user":
            name = f" ({profile.fullname})" if profile.fullname else ""
            return HandleResolution(
                handle, None, "individual", "hub-profile", 100.0, f"the Hub: a user's account{name}"
            )
        misses: list[tuple[float, str]] = []
        for source in EVIDENCE_METHODS:
            found = self._from_evidence(handle, source, misses)
            if found is not None:
                return found
        words = handle_words(handle)
        org_id, score, detail = self._resemble(words)
        if org_id is not None and score >= ACCEPT_SCORE:
            return HandleResolution(
                handle, self.registry.orgs[org_id], "organization", "name-resemblance", score, detail
            )
        misses.append((score, detail))
        if profile is not None and profile.kind == "organization" and profile.fullname:
            found = self._from_profile(handle, profile.fullname, misses)
            if found is not None:
                return found
        score, detail = max(misses, default=(0.0, "no reviewed handle, evidence or resemblance"))
        method = "ambiguous" if detail.startswith("tie") else "unresolved"
        return HandleResolution(handle, None, None, method, score, detail or "no candidate")

    # -- step 5: name resemblance -------------------------------------------------------------------------------

    def _one_of(self, ids: set[str]) -> str | None:
        """The one organization a key names: itself, or among an organization and its own subsidiaries (``google``
        of Google, Google AI and Google Research) the parent of them all."""
        if len(ids) == 1:
            return next(iter(ids))
        tops = [i for i in ids if all(i in self._lineage(j) for j in ids)]
        return tops[0] if len(tops) == 1 else None

    def _resemble(self, words: list[str]) -> tuple[str | None, float, str]:
        """The organization a handle's words resemble, its score and why; (None, best score, why not) otherwise."""
        if not words:
            return None, 0.0, ""
        if COMMUNITY_WORDS & set(words):
            return None, 0.0, f"a community word ({', '.join(sorted(COMMUNITY_WORDS & set(words)))}): not the org"
        keys = handle_keys(words)
        for i, key in enumerate(keys):
            ids = self._keys.get(key, set())
            if i > 0 and key in self._stripped_only and len(key) < STRIPPED_BOTH_MIN:
                continue  # both sides stripped to a short word (``TIGER-Lab``, ``Tiger Research``): too weak
            if ids and self._one_of(ids) is None:
                return None, 0.0, f"tie: {key!r} is a key of {', '.join(sorted(ids))}"
            if ids:
                return self._one_of(ids), 100.0 if i == 0 else 96.0, f"equal names ({key!r})"
        for k in range(len(words) - 1, 0, -1):
            key = "".join(words[:k])
            weak = key in self._stripped_only and len(key) < STRIPPED_BOTH_MIN
            ids = self._keys.get(key, set()) if len(key) >= MIN_KEY and key not in STOP_KEYS and not weak else set()
            if ids and self._one_of(ids) is None:
                return None, 0.0, f"tie: {key!r} is a key of {', '.join(sorted(ids))}"
            if ids:
                rest, org_id = words[k:], self._one_of(ids)
                return org_id, self._prefix_score(org_id, rest), f"first words {key!r}, then {'-'.join(rest)!r}"
        return self._fuzzy(keys[-1] if keys else "")

    def _prefix_score(self, org_id: str | None, rest: list[str]) -> float:
        """The score of a handle that starts with an organization's key: 92 when the rest names a team, 90 when the
        organization is a university and the rest one short word (a lab), else 80."""
        if all(w in TEAM_WORDS for w in rest):
            return 92.0
        org = self.registry.orgs.get(org_id or "")
        if org is not None and org.sector == "academia" and len(rest) == 1 and len(rest[0]) <= LAB_WORD_LENGTH:
            return 90.0
        return 80.0

    def _fuzzy(self, key: str) -> tuple[str | None, float, str]:
        if len(key) < FUZZY_MIN_LENGTH:
            return None, 0.0, ""
        near = self._near.get((key[0], len(key)))
        if near is None:
            near = self._near[(key[0], len(key))] = [
                k
                for n in range(len(key) - FUZZY_LENGTH_GAP, len(key) + FUZZY_LENGTH_GAP + 1)
                for k in self._fuzzy_near.get((key[0], n), ())
            ]
        if not process.extractOne(key, near, scorer=fuzz.ratio, score_cutoff=FUZZY_FLOOR):
            return None, 0.0, ""  # no key a misspelling may be of scores high enough: the full search keeps none
        matches = process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio, limit=8, score_cutoff=FUZZY_FLOOR)
        if not matches:
            return None, 0.0, ""
        matches = [m for m in matches if m[0][0] == key[0] and abs(len(m[0]) - len(key)) <= FUZZY_LENGTH_GAP]
        if not matches:
            return None, 0.0, ""
        best_key, best, _ = matches[0]
        org_id = self._one_of(self._keys[best_key])
        rivals = [s for k, s, _ in matches[1:] if self._one_of(self._keys[k]) != org_id]
        if org_id is None or (rivals and best - max(rivals) < MARGIN):
            return None, float(best), f"tie: {key!r} resembles several organizations"
        return org_id, float(best), f"fuzzy {key!r} ~ {best_key!r} ({best:.0f})"

    def _loose(self, words: list[str], org_id: str) -> float:
        """How much a handle resembles one given organization (the candidates a source names)."""
        if COMMUNITY_WORDS & set(words):
            return 0.0
        keys = handle_keys(words)
        own = self._org_keys.get(org_id, set())
        best = 0.0
        for i, key in enumerate(keys):
            if key in own:
                best = max(best, 100.0 if i == 0 else 96.0)
        for k in range(len(words) - 1, 0, -1):
            if "".join(words[:k]) in own:
                best = max(best, self._prefix_score(org_id, words[k:]))
        compact = "".join(words)
        for key in own:
            if len(key) >= MIN_KEY and compact.startswith(key):
                best = max(best, 78.0)
            best = max(best, float(fuzz.ratio(keys[-1] if keys else compact, key)))
        return best

    # -- steps 3 and 4: evidence of the sources -----------------------------------------------------------------

    def _related(self, a: str, b: str) -> bool:
        return a in self._lineage(b) or b in self._lineage(a)

    def _lineage(self, org_id: str) -> set[str]:
        seen = {org_id}
        org = self.registry.orgs.get(org_id)
        while org is not None and org.parent and org.parent not in seen:
            seen.add(org.parent)
            org = self.registry.orgs.get(org.parent)
        return seen

    def _from_evidence(self, handle: str, source: str, misses: list[tuple[float, str]]) -> HandleResolution | None:
        items = self._evidence.get((handle.casefold(), source), [])
        if not items:  # most handles: no source says anything of them
            return None
        per_model: list[tuple[str, set[str]]] = []
        vendors: set[str] = set()
        compact = "".join(handle_words(handle))
        for item in items:
            ids = {
                res.org.id
                for res in (self.registry.resolve(name) for name in item.organizations)
                if res.org is not None and res.org.kind == "organization"
            }
            if ids:
                per_model.append((item.model, ids))
                if item.vendor and "".join(handle_words(item.vendor)) == compact:
                    vendors |= ids
        if not per_model:
            return None
        words = handle_words(handle)
        candidates = set().union(*(ids for _, ids in per_model))
        scored = sorted((max(95.0 if vendors == {c} else 0.0, self._loose(words, c)), c) for c in candidates)
        scored.reverse()
        best, org_id = scored[0]
        name = EVIDENCE_NAMES[source]
        rivals = [s for s, c in scored[1:] if not self._related(c, org_id)]
        if best < EVIDENCE_SCORE:
            misses.append((best, f"{name} names {self.registry.orgs[org_id].name}, which the handle does not resemble"))
            return None
        if rivals and best - max(rivals) < MARGIN:
            misses.append((best, f"tie: {name} names several organizations the handle resembles"))
            return None
        against = [m for m, ids in per_model if not any(self._related(org_id, c) for c in ids)]
        if against:
            misses.append((best, f"{name} names other organizations for {against[0]}"))
            return None
        org = self.registry.orgs[org_id]
        example = per_model[0][0]
        detail = f"{name} names {org.name} for {len(per_model)} model(s) under this handle (e.g. {example})"
        return HandleResolution(handle, org, "organization", EVIDENCE_METHODS[source], best, detail)

    # -- step 6: the Hub's organization profile -----------------------------------------------------------------

    def _from_profile(self, handle: str, fullname: str, misses: list[tuple[float, str]]) -> HandleResolution | None:
        res = self.registry.resolve(fullname)
        if res.org is not None and res.org.kind == "organization":
            detail = f"the Hub names it {fullname!r}: {res.method} match"
            return HandleResolution(handle, res.org, "organization", "hub-profile", res.score, detail)
        org_id, score, why = self._resemble(handle_words(fullname))
        if org_id is not None and score >= ACCEPT_SCORE:
            detail = f"the Hub names it {fullname!r}: {why}"
            return HandleResolution(handle, self.registry.orgs[org_id], "organization", "hub-profile", score, detail)
        misses.append((score, f"the Hub names it {fullname!r}, which the registry does not know"))
        return None
