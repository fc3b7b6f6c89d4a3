"""Value types and enums shared by several resource families."""

from __future__ import annotations

from .._enums import OpenEnum

__all__ = ["RegionCode", "TimeUnit"]


class RegionCode(OpenEnum):
    """Where an organization's data lives."""

    REGION_CODE_UNSPECIFIED = "REGION_CODE_UNSPECIFIED"
    US = "US"
    EU = "EU"


class TimeUnit(OpenEnum):
    """The unit of a session timeout."""

    TIME_UNIT_UNSPECIFIED = "TIME_UNIT_UNSPECIFIED"
    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"
