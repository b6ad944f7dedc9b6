"""The organization registry (reviewed data files) and the resolver: name → organization → country."""

from modelcensus.orgs.registry import (
    OrgRecord,
    Registry,
    RegionGroup,
    Resolution,
    load_region_groups,
    load_registry,
    normalise_org_name,
)

__all__ = [
    "OrgRecord",
    "Registry",
    "RegionGroup",
    "Resolution",
    "load_region_groups",
    "load_registry",
    "normalise_org_name",
]
