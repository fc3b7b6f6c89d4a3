"""Redaction: credentials never leave the SDK inside an error.

A token endpoint, a proxy or a debug gateway may quote the request it received
(the posted form, the ``Authorization`` header) in its error answer. The
request engine runs every error it raises through `Redactor.scrub`, so the
client secret, access and refresh tokens, authorization codes and PKCE
verifiers are replaced by ``***`` in the message, the attributes, the
arguments and the whole ``__cause__``/``__context__`` chain.

Only whole values are replaced: a value counts where it stands on its own,
delimited by characters that cannot be part of a token (quotes, spaces, ``=``,
``&``, ``:``...), as it does in a form field, a header, a JSON string or a
URL. A word of prose that happens to contain the secret is left alone, which
is why secrets shorter than `MIN_SECRET_LENGTH` are refused up front.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["MIN_SECRET_LENGTH", "REDACTED", "Redactor"]

REDACTED = "***"
MIN_SECRET_LENGTH = 16
"""Shorter client secrets are refused: too easy to guess, and too likely to occur in prose."""

# Characters that may be part of a token (base64url, JWT dots, opaque ids): a match
# bordered by one of these is a fragment of a longer value, not the value itself.
_TOKEN_CHARS = r"A-Za-z0-9_\-.~+/"  # noqa: S105 - a character class, not a secret
_ATTRIBUTES = ("message", "body", "details", "description", "error", "reason", "strerror")


@lru_cache(maxsize=256)
def _pattern(value: str) -> re.Pattern[str]:
    spellings = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![{_TOKEN_CHARS}])(?:{alternatives})(?![{_TOKEN_CHARS}=])")


class Redactor:
    """Replaces known credential values with ``***`` in text, data and exceptions.

    It holds no values itself: callers pass the values to hide each time,
    so a credential is remembered no longer than the caller keeps it.
    """

    __slots__ = ()

    def text(self, text: str, values: Iterable[str]) -> str:
        """*text* with every whole occurrence of each value replaced."""
        for value in values:
            if value:
                text = _pattern(value).sub(REDACTED, text)
        return text

    def data(self, data: Any, values: tuple[str, ...]) -> Any:
        """A copy of JSON-like *data* with every string run through `text`."""
        kind = type(data)
        if kind is str:
            return self.text(data, values)
        if kind is list or kind is tuple:
            return kind(self.data(v, values) for v in data)
        if kind is dict:
            return {k: self.data(v, values) for k, v in data.items()}
        return data  # anything else (a named tuple, a request object) is not rebuilt

    def scrub(self, error: BaseException, values: Iterable[str]) -> None:
        """Remove *values* from *error* and every exception it was caused by, in place."""
        secrets = tuple(v for v in values if v)
        if not secrets:
            return
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self._scrub_one(current, secrets)
            nxt = current.__cause__ or current.__context__
            current = nxt

    def _scrub_one(self, error: BaseException, secrets: tuple[str, ...]) -> None:
        for name in _ATTRIBUTES:
            value = getattr(error, name, None)
            if isinstance(value, str | list | tuple | dict):
                try:
                    setattr(error, name, self.data(value, secrets))
                except AttributeError:  # a read-only attribute of a foreign exception
                    continue
        error.args = tuple(self.data(a, secrets) for a in error.args)
