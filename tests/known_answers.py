"""Known answers: the figures the real shared data (``../shared/data``) must give, in one place.

Each figure says what it is, which file it comes from and why it is that value (how it was counted without the
census: by the ``csv`` or ``json`` module, or from the file's own documentation in ``PROVENANCE.md``). Tests
import them from here; a figure that changes is a change of the data or of a counting rule, and is reviewed
here, once. Paths are relative to the shared data folder.
"""

from __future__ import annotations

from datetime import date

# -- Epoch AI, the export of 2026-03-30 (epoch_ai/2026-03-30_cset_zip/) ---------------------------------------

EPOCH_EXPORT_DATE = date(2026, 3, 30)
"""The data date of the newest Epoch export: ``created`` of its four files in datapackage.json."""

EPOCH_ROWS = {"all": 3237, "notable": 981, "large_scale": 491, "frontier": 137}
"""Data rows of each file of the export (all_ai_models.csv, notable_ai_models.csv, large_scale_ai_models.csv,
frontier_ai_models.csv), as PROVENANCE.md documents them and ``csv.DictReader`` counts them."""

EPOCH_MODELS = 3305
"""Models of the export after the four files are merged by name (printed by ``ingest epoch`` as "3,305
models"): the 3,237 rows of all_ai_models.csv, less a few near-duplicate rows merged, plus the notable,
large-scale and frontier models that all_ai_models.csv lacks (see :data:`NOTABLE_NOT_IN_ALL_AT_LEAST`)."""

NOTABLE_MODELS = 981
"""Notable models of the export: the 981 rows of notable_ai_models.csv, each a distinct model."""

NOTABLE_NOT_IN_ALL_AT_LEAST = 50
"""notable_ai_models.csv names models all_ai_models.csv lacks (PROVENANCE.md: "the notable file is not exactly
`all` filtered on `Notability criteria`"): at least 50 of its names are not in all_ai_models.csv."""

NOTABLE_BY_COUNTRY = {2024: {"US": 57, "CN": 31}, 2023: {"US": 86, "CN": 23}}
"""Notable models of a year by country of the organization, as published, full counting (a model counts once
for each country: the AI Index convention): the rows of notable_ai_models.csv whose ``Publication date``
starts with the year and whose ``Country (of organization)`` contains "United States of America" / "China"
(csv module: 57 / 31 of 2024's 98 rows, 86 / 23 of 2023's 119). The AI Index 2025 claimed 40 / 15 for 2024 on an
older vintage (see :data:`NOTABLE_2024_AT_VINTAGE`)."""

NOTABLE_2024_MODELS = 98
"""Notable models of 2024 in the export (all countries, and none): the denominator of the shares above; 98 rows
of notable_ai_models.csv carry a 2024 publication date."""

ALL_2024_US_RANGE = (396, 401)
ALL_2024_CN_RANGE = (352, 356)
"""All models of 2024 with a US / Chinese organization (all_ai_models.csv, as published, full counting). The raw
rows give 398 / 354 (csv module, substring of ``Country (of organization)``); merging near-duplicate rows (the
same model listed twice with slightly different names) moves that by a few, within these documented ranges."""

ALL_2024_US_MODELS = 399
"""What the census counts for the US in 2024 (in :data:`ALL_2024_US_RANGE`): ``stats --by country``'s models."""

# -- Epoch AI, the six vintages (epoch_ai/vintages/ and the 2026-03-30 export) -----------------------------------

VINTAGE_DATES = (
    date(2024, 10, 18),
    date(2024, 11, 25),
    date(2024, 12, 24),
    date(2025, 2, 24),
    date(2025, 5, 20),
    date(2026, 3, 30),
)
"""The stored Epoch vintages, oldest first: each file's ``created`` in datapackage.json (the date starting its
name). The 2025-05-20 notable and large-scale files are one vintage; the 2026-03-30 export is the sixth."""

NOTABLE_2024_AT_VINTAGE = {"US": (16, 25, 32, 39, 48, 57), "CN": (7, 10, 9, 10, 24, 31)}
"""Notable models of 2024 by country at each vintage of :data:`VINTAGE_DATES`: the table of PROVENANCE.md ("2024
notable US / CN (Country contains)"), counted there with the csv module on each vintage's own file. Epoch
back-fills, Chinese models especially: China 7 → 31. The AI Index 2025's 40 / 15 (examples/claims.yaml) lies
between the vintages of 2025-02-24 (39 / 10) and 2025-05-20 (48 / 24)."""

AS_OF_EARLY_2025 = "2025-03-01"
"""The AI Index claims' ``as_of`` (examples/claims.yaml): the vintage in force then is the one of 2025-02-24."""

NOTABLE_2024_US_AS_OF_EARLY_2025 = NOTABLE_2024_AT_VINTAGE["US"][3]
"""US notable models of 2024 read as of 2025-03-01: the 2025-02-24 vintage's 39."""

# -- Hugging Face Hub (hf_hub_starscreener/huggingface-trending_2026-05-04.json) --------------------------------

HUB_REPOS = 1000
"""Repos of the trending listing: its ``count`` and the length of its ``models`` list."""

HUB_DOWNLOADS = 1_153_768_795
"""The sum of the 30-day ``downloads`` of the listing's 1,000 repos (json module): the denominator of every Hub
downloads figure on the full data."""

HUB_DERIVATIVES = 535
"""Repos of the listing the census takes for derivatives (a ``base_model:`` tag naming another repo); PROVENANCE.md
counts 536 items with a ``base_model:`` tag: one names itself as its base, so it is an original."""

HUB_DERIVATIVES_RANGE = (520, 536)
"""Distinct derivative repos in the stored lineage edges: at most the 536 tagged items, and no fewer than 520."""

HUB_RELATIONS_AT_LEAST = {"quantized": 200, "finetune": 150, "adapter": 30, "merge": 20}
"""Lineage edges of each relation, more than: counted from the ``base_model:<relation>:`` tags of the listing."""

# -- catalogues -----------------------------------------------------------------------------------------------------

OPENROUTER_MODELS = {
    "openrouter-models_2026-05-01.json": (371, 181),
    "openrouter-models_2026-02-27.json": (344, 187),
}
"""Models of each OpenRouter file and how many carry a ``hugging_face_id`` (PROVENANCE.md: 371 and 344 models;
the json module counts the filled ids)."""

LMARENA_TEXT_CATEGORIES = 29
LMARENA_TEXT_FULL = 282
LMARENA_TEXT_CHINESE = 258
"""lmarena_arena_catalog/leaderboard-text.json: 29 categories; 282 models in ``full`` and 258 in ``chinese``
(PROVENANCE.md says 258 in ``full``: that is the size of ``chinese``; the json module counts 282)."""

LMARENA_OTHER_FULL = {
    "leaderboard-text-style-control.json": 283,
    "leaderboard-vision.json": 87,
    "leaderboard-vision-style-control.json": 87,
    "leaderboard-image.json": 34,
}
"""Models in the ``full`` category of the other leaderboards of lmarena_arena_catalog/ (json module)."""

LMARENA_SCATTERPLOT = 141
"""Models of lmarena_arena_catalog/scatterplot-data.json (PROVENANCE.md: 141 models)."""

LMARENA_HISTORY_DATES = (date(2023, 5, 8), date(2025, 2, 27), 98)
LMARENA_HISTORY_MODELS_AT_MOST = 227
"""lmarena_history_nakasyou/result.csv: 98 dated rows from 2023-05-08 to 2025-02-27, 227 model columns
(PROVENANCE.md); a model absent (0.0) on every date yields no rating, so at most 227 models are rated."""

LITELLM_RECORDS = 4877
LITELLM_PROVIDERS = 154
LITELLM_WITHOUT_PROVIDER = 99
LITELLM_DEPRECATED = 924
"""litellm/model_prices_and_context_window_backup.json: 4,878 keys less ``sample_spec`` (PROVENANCE.md); 155
``litellm_provider`` values less sample_spec's own give 154, and 99 keys have none; 925 ``deprecation_date``
fields less sample_spec's placeholder give 924 (json module)."""

CHINA_LIST_MODELS = 51
"""china_llm_lists/hqwu_awesome_chinese_llm_models.csv: 51 rows (PROVENANCE.md), every one read."""

# -- the shared folder as ``build`` finds it ------------------------------------------------------------------------

EPOCH_EXPORT_FILES = [1, 1, 1, 1, 2, 4]
"""Files of each Epoch export found in the shared folder, sorted: four one-file vintages, the 2025-05-20
notable + large-scale pair, and the 2026-03-30 export's four files (six exports: :data:`VINTAGE_DATES`)."""

FRONTIER_GAP_DATES_AT_LEAST = 90
"""Dates of the US–China frontier gap, at least: the 98 dated rows of the LMArena history plus the current
leaderboard's 2025-12-11 (99 on the full build, where both countries have a rated model on every date)."""
