"""Open string enums: known wire values as members, unknown values kept, not rejected.

Scalekit adds enum values over time; a client that rejects an unknown value
breaks the day the server adds one. `OpenEnum` members compare equal to their
wire strings, and an unknown string becomes a pseudo-member of the same class
(its `known` is false), so structuring never fails on a new value.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["OpenEnum"]


class OpenEnum(enum.StrEnum):
    """A `StrEnum` that accepts any string as a value."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        """Whether this value is one this SDK version knows by name."""
        return self._name_ in type(self).__members__
