"""Routes: an HTTP method and a grpc-gateway path template, compiled once.

A `Route` turns caller-supplied values into a path where each value is exactly
one percent-encoded segment, so an id such as ``"a/../b?x#y"`` can never reach
another route. The template's own characters (``/``, ``:verb``) stay literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import attrs

__all__ = [
    "AUTHORIZE_PATH",
    "JWKS",
    "LOGOUT_PATH",
    "TOKEN",
    "Route",
    "operation",
    "operations_of",
    "segment",
]

F = TypeVar("F", bound=Callable[..., Any])

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def segment(name: str, value: object) -> str:
    """Percent-encode *value* as exactly one path segment.

    Raises:
        TypeError: *value* is not a string.
        ValueError: *value* is empty, ``.`` or ``..``, or contains control characters.

    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if value in {"", ".", ".."}:
        raise ValueError(f"{name} must be a non-empty id, got {value!r}")
    if any(ch < " " or ch == "\x7f" for ch in value):
        raise ValueError(f"{name} must not contain control characters")
    return quote(value, safe="")


@attrs.frozen
class Route:
    """One API operation's method and path template, e.g. ``GET /api/v1/organizations/{id}``.

    The template is parsed once; `path()` only encodes and joins.
    """

    method: str
    template: str
    replayable: bool = True
    """False for operations that must never be repeated after an unknown outcome
    (e.g. tool execution), even when the retry policy retries writes."""
    alternate: bool = False
    """True for a second HTTP binding of an operation whose method sends to the
    first (the API serves both; the SDK names and documents both)."""
    reads_only: bool = False
    """True for an operation that changes nothing although its method is not
    idempotent (a POST whose body is a search filter): it is retried like a GET."""
    idempotent: bool = attrs.field(init=False, repr=False, eq=False)
    """Whether a repeat cannot repeat a side effect (by its method, or `reads_only`)."""
    _parts: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    _names: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        pieces = _FIELD.split(self.template)
        object.__setattr__(self, "_parts", tuple(pieces[0::2]))
        object.__setattr__(self, "_names", tuple(pieces[1::2]))
        object.__setattr__(self, "idempotent", self.reads_only or self.method in _IDEMPOTENT)

    @property
    def params(self) -> tuple[str, ...]:
        """The names of the template's path parameters, in order."""
        return self._names

    def path(self, *values: object) -> str:
        """Fill the template's parameters, in order, each as one encoded segment."""
        if len(values) != len(self._names):
            raise TypeError(f"{self} takes {len(self._names)} path values, got {len(values)}")
        if not values:
            return self.template
        out = [self._parts[0]]
        for name, value, tail in zip(self._names, values, self._parts[1:], strict=True):
            out.append(segment(name, value))
            out.append(tail)
        return "".join(out)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def operation(*routes: Route) -> Callable[[F], F]:
    """Mark a namespace method as the SDK's one method for *routes*.

    A method serves several routes when one operation has several bindings
    (``PATCH /api/v1/roles:set_defaults`` and ``PATCH /api/v1/roles/default``)
    or when an optional scope picks the route (environment or organization
    roles). The README's operations table and the contract test are built
    from these marks, so a route without a method cannot go unnoticed.
    """

    def mark(method: F) -> F:
        method.__scalekit_routes__ = routes  # type: ignore[attr-defined]
        return method

    return mark


def operations_of(method: object) -> tuple[Route, ...]:
    """The routes an `operation`-marked method serves (empty for any other callable)."""
    routes = getattr(method, "__scalekit_routes__", ())
    return tuple(r for r in routes if isinstance(r, Route))


# The OAuth and OpenID Connect endpoints of an environment.
TOKEN = Route("POST", "/oauth/token")
"""The token endpoint: client credentials and every user grant."""
JWKS = Route("GET", "/keys")
"""The environment's signing keys."""
AUTHORIZE_PATH = "/oauth/authorize"
"""Hosted login (a browser redirect, never called by the SDK)."""
LOGOUT_PATH = "/oidc/logout"
"""RP-initiated logout (a browser redirect, never called by the SDK)."""
