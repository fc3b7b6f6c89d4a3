"""The post-login target check: only a same-origin relative path survives (no open redirect)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

__all__ = ["MAX_TARGET_LENGTH", "safe_return_path"]

MAX_TARGET_LENGTH = 2048
MAX_DECODING_ROUNDS = 3  # "%25252F" needs three rounds to show its "/"


def _plain_path(text: str) -> bool:
    """One decoding level of a candidate: a path on this origin, nothing that leaves it."""
    if not text.startswith("/") or text.startswith("//"):
        return False
    # No control characters: URL parsers strip TAB, CR and LF, so "/\t/evil" becomes "//evil".
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text):
        return False
    if "\\" in text:  # browsers read "/\evil" as "//evil"
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def _printable_ascii(text: str) -> bool:
    """The raw target: printable ASCII without spaces (anything else arrives percent-encoded)."""
    return all(0x20 < ord(ch) < 0x7F for ch in text)


def safe_return_path(value: object) -> str | None:
    r"""*value* if it is a safe post-login target (a path on this origin), else `None`.

    Accepted: a string of printable ASCII starting with a single ``/``, with
    no backslash, no control character, no scheme and no authority, also
    after each of up to three rounds of percent-decoding (so ``/%2F%2Fevil.example`` and
    ``/%5Cevil.example`` are refused too), at most 2048 characters. A query
    and a fragment may follow the path.

    Refused, for example: ``https://evil.example``, ``//evil.example``,
    ``/\evil.example``, ``javascript:alert(1)``, ``/%2F%2Fevil.example``,
    ``/%09/evil.example`` (a TAB), ``relative/path``.

    The session core also prefixes the configured ``app_url`` to whatever
    passes, so a redirect always names this application's own origin.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET_LENGTH:
        return None
    if not _printable_ascii(value):
        return None
    candidate = value
    for _ in range(MAX_DECODING_ROUNDS + 1):
        if not _plain_path(candidate):
            return None
        try:
            decoded = unquote(candidate, errors="strict")
        except UnicodeDecodeError:
            return None
        if decoded == candidate:
            return value
        candidate = decoded
    return None  # still decoding after three rounds: refuse rather than guess
