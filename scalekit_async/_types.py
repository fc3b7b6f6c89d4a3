"""Small shared types: the "not given" sentinel and JSON aliases."""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar

__all__ = ["NOT_GIVEN", "JSON", "NotGiven", "NotGivenOr"]

JSON: TypeAlias = Any
"""A decoded JSON value."""

_T = TypeVar("_T")


class NotGiven(enum.Enum):
    """The type of `NOT_GIVEN`: marks a keyword argument the caller did not pass.

    Update calls send only the keys a caller passes, so "not given" must differ
    from `None` (which is sent as JSON `null`).
    """

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""The sentinel default of optional keyword arguments in request methods."""

NotGivenOr: TypeAlias = _T | Literal[NotGiven.NOT_GIVEN]
"""A value of type `_T`, or `NOT_GIVEN`."""


def given(**fields: object) -> dict[str, Any]:
    """Return the keyword arguments whose value is not `NOT_GIVEN`, in order."""
    out = {}  # a plain loop: a comprehension is a function call of its own (every call site)
    for key, value in fields.items():
        if value is not NOT_GIVEN:
            out[key] = value
    return out
