"""The organization registry (reviewed data files) and the resolver: name → organization → country."""

from modelcensus.orgs.registry import (
    OrgRecord,
    RegionGroup,
    Registry,
    Resolution,
    load_region_groups,
    load_registry,
    normalise_org_name,
    requested_places,
    requested_region,
)

__all__ = [
    "OrgRecord",
    "RegionGroup",
    "Registry",
    "Resolution",
    "load_region_groups",
    "load_registry",
    "normalise_org_name",
    "requested_places",
    "requested_region",
]
