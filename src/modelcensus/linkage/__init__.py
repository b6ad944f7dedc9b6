"""One model, many names: the deterministic rules (:mod:`.rules`), the name keys they compare (:mod:`.names`),
the vetoes that keep different models apart (:mod:`.vetoes`) and the probabilistic stage (:mod:`.splink`)."""

from modelcensus.linkage.models import CanonicalModel, Tally
from modelcensus.linkage.rules import (
    LINKAGE_VERSION,
    MONTHS,
    SourceRecord,
    clean_name,
    developer_by_name,
    developer_of,
    hub_id_in_link,
    link,
    match_name,
    month_marks,
    name_key,
    named_date,
    snapshot_key,
    snapshot_marks,
    token_key,
    unit_key,
)

__all__ = [
    "LINKAGE_VERSION",
    "MONTHS",
    "CanonicalModel",
    "SourceRecord",
    "Tally",
    "clean_name",
    "developer_by_name",
    "developer_of",
    "hub_id_in_link",
    "link",
    "match_name",
    "month_marks",
    "name_key",
    "named_date",
    "snapshot_key",
    "snapshot_marks",
    "token_key",
    "unit_key",
]
