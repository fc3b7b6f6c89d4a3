"""Sealed cookies: AES-256-GCM under a list of keys (newest first), split under the 4 KB limit.

A sealed value is ``base64url(version | key id | nonce | ciphertext+tag)`` with
no padding:

- ``version`` is one byte (``0x02``);
- ``key id`` is 4 bytes of SHA-256 over the derived key, so opening picks the
  right key at once (rotation costs nothing) and a value sealed under a key
  that is no longer listed is refused without trying every key;
- ``nonce`` is 12 random bytes, fresh for every seal;
- the plaintext is compact JSON ``{"e": <expiry, unix seconds>, "p": <payload>}``;
- the associated data names the *purpose* (``session``, ``login``, ``record``),
  so a value sealed for one use cannot be replayed as another.

Each key is derived from one secret with HKDF-SHA256. Opening never raises:
a tampered, truncated, expired, oversized or stale-key value opens to `None`,
which the session core treats as "signed out".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .. import ConfigurationError

__all__ = [
    "CHUNK_LIMIT",
    "MIN_SECRET_LENGTH",
    "SessionCipher",
    "chunk_cookie",
    "delete_cookie_header",
    "read_chunked_cookie",
    "set_cookie_header",
]

VERSION = 0x02
KEY_ID_SIZE = 4
NONCE_SIZE = 12
TAG_SIZE = 16
HEADER_SIZE = 1 + KEY_ID_SIZE + NONCE_SIZE
MIN_SECRET_LENGTH = 32
"""The shortest secret accepted, in characters (or bytes): 32 random characters or more."""
MAX_SEALED_LENGTH = 64 * 1024
"""Longer values are refused before any decoding (a cookie header cannot be that long anyway)."""
CHUNK_LIMIT = 3800
"""The longest value one cookie carries: with its name and attributes the header stays < 4096."""
SALT = b"scalekit_async.sessions/v1"
INFO = b"aes-256-gcm cookie key"
AAD_PREFIX = b"scalekit_async.sessions|"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 6265 token characters


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    if not _BASE64URL.fullmatch(text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _secret_bytes(secret: object) -> bytes:
    if isinstance(secret, str):
        data = secret.encode("utf-8")
        length = len(secret)
    elif isinstance(secret, bytes):
        data = secret
        length = len(secret)
    else:
        raise TypeError(f"a session secret must be a str or bytes, not {type(secret).__name__}")
    if length < MIN_SECRET_LENGTH:
        # Never quote the secret, nor its length (which narrows a guess).
        raise ConfigurationError(
            f"a session secret must be at least {MIN_SECRET_LENGTH} characters of random text; "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    return data


def _derive(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(secret)


class SessionCipher:
    """Seals and opens cookie values with AES-256-GCM under a list of keys, newest first.

    The first secret seals; every listed secret opens, so a new secret is
    rolled out by putting it first and the old one second, then dropping the
    old one once no live cookie needs it. Nothing here ever appears in a repr,
    a log line or an error message.

    Args:
        secrets: One secret or several, newest first; each at least 32
            characters of random text (``secrets.token_urlsafe(48)``).

    Raises:
        ConfigurationError: no secret, or one too short.

    """

    __slots__ = ("_keys", "_sealer")

    def __init__(self, secrets: str | bytes | Sequence[str | bytes]) -> None:
        listed: Iterable[object] = [secrets] if isinstance(secrets, str | bytes) else secrets
        keys: dict[bytes, AESGCM] = {}
        first: tuple[bytes, AESGCM] | None = None
        for secret in listed:
            key = _derive(_secret_bytes(secret))
            key_id = hashlib.sha256(key).digest()[:KEY_ID_SIZE]
            aead = AESGCM(key)
            keys.setdefault(key_id, aead)
            if first is None:
                first = (key_id, aead)
        if first is None:
            raise ConfigurationError("at least one session secret is required")
        self._keys = keys
        self._sealer = first

    def __repr__(self) -> str:
        return f"<SessionCipher keys={len(self._keys)}>"

    @property
    def key_count(self) -> int:
        """How many distinct keys open values (the first one also seals)."""
        return len(self._keys)

    @staticmethod
    def _aad(purpose: str) -> bytes:
        return AAD_PREFIX + purpose.encode("utf-8")

    def seal(self, purpose: str, payload: Mapping[str, Any], *, expires_at: float) -> str:
        """Encrypt and authenticate *payload* (JSON-able) for *purpose* until *expires_at*.

        Args:
            purpose: What the value is for; `open` must be given the same.
            payload: A JSON-serializable mapping.
            expires_at: Unix time after which `open` refuses the value.

        Returns:
            The sealed value, base64url without padding.

        """
        key_id, aead = self._sealer
        plaintext = json.dumps(
            {"e": float(expires_at), "p": dict(payload)}, separators=(",", ":"), sort_keys=True
        ).encode("utf-8")
        nonce = os.urandom(NONCE_SIZE)
        sealed = aead.encrypt(nonce, plaintext, self._aad(purpose))
        return _b64encode(bytes([VERSION]) + key_id + nonce + sealed)

    def open(self, purpose: str, value: object, *, now: float) -> dict[str, Any] | None:
        """The payload of a value `seal` produced for *purpose*, or `None`.

        `None` for anything else: not a string, too long, not base64url, another
        version or purpose, a key no longer listed, a tampered or truncated
        value, or one that expired at or before *now*. Never raises.
        """
        if not isinstance(value, str) or not value or len(value) > MAX_SEALED_LENGTH:
            return None
        raw = _b64decode(value)
        if raw is None or len(raw) < HEADER_SIZE + TAG_SIZE or raw[0] != VERSION:
            return None
        aead = self._keys.get(raw[1 : 1 + KEY_ID_SIZE])
        if aead is None:
            return None
        nonce = raw[1 + KEY_ID_SIZE : HEADER_SIZE]
        try:
            plaintext = aead.decrypt(nonce, raw[HEADER_SIZE:], self._aad(purpose))
            document = json.loads(plaintext)
        except (InvalidTag, ValueError):
            return None
        if not isinstance(document, dict):
            return None
        expires_at = document.get("e")
        payload = document.get("p")
        if isinstance(expires_at, bool) or not isinstance(expires_at, int | float):
            return None
        if not now < expires_at or not isinstance(payload, dict):
            return None
        return payload


# -- cookie headers -----------------------------------------------------------------------


def check_cookie_name(name: str) -> str:
    """*name* if it is a valid cookie name (RFC 6265 token), else `ConfigurationError`."""
    if not isinstance(name, str) or not _COOKIE_NAME.fullmatch(name):
        raise ConfigurationError(f"not a valid cookie name: {name!r}")
    return name


def set_cookie_header(
    name: str,
    value: str,
    *,
    path: str = "/",
    secure: bool = True,
    http_only: bool = True,
    same_site: str = "Lax",
    max_age: int | None = None,
    domain: str | None = None,
) -> str:
    """A ``Set-Cookie`` header value (values here are base64url, so never quoted)."""
    parts = [f"{name}={value}", f"Path={path}"]
    if domain:
        parts.append(f"Domain={domain}")
    if max_age is not None:
        parts.append(f"Max-Age={max(0, int(max_age))}")
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    parts.append(f"SameSite={same_site}")
    return "; ".join(parts)


def delete_cookie_header(
    name: str, *, path: str = "/", secure: bool = True, domain: str | None = None
) -> str:
    """A ``Set-Cookie`` header value that removes cookie *name* (same path, domain and prefix)."""
    return (
        set_cookie_header(name, "", path=path, secure=secure, domain=domain, max_age=0)
        + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )


def chunk_name(name: str, index: int) -> str:
    """The cookie that carries chunk *index* (0 is the cookie *name* itself)."""
    return name if index == 0 else f"{name}.{index}"


def chunk_cookie(
    name: str, sealed: str, *, max_chunks: int, limit: int = CHUNK_LIMIT
) -> list[tuple[str, str]] | None:
    """Split *sealed* into cookies of at most *limit* characters each; `None` if it needs more.

    One chunk: the cookie *name* holds the value as is. More: *name* holds
    ``"{count}.{first part}"`` and ``name.1``... the rest (base64url never
    contains a dot, so the two forms cannot be confused).
    """
    if len(sealed) <= limit:
        return [(name, sealed)]
    body = limit - 3  # room for the "N." count prefix
    parts = [sealed[i : i + body] for i in range(0, len(sealed), body)]
    if len(parts) > max_chunks or len(parts) > 9:
        return None
    return [(name, f"{len(parts)}.{parts[0]}")] + [
        (chunk_name(name, i), part) for i, part in enumerate(parts[1:], start=1)
    ]


def read_chunked_cookie(name: str, cookies: Mapping[str, str], *, max_chunks: int) -> str | None:
    """The sealed value written by `chunk_cookie`, reassembled; `None` if absent or malformed."""
    first = cookies.get(name)
    if not first:
        return None
    count_text, dot, rest = first.partition(".")
    if not dot:
        return first
    if not count_text.isdigit() or not 1 < int(count_text) <= min(max_chunks, 9):
        return None
    parts = [rest]
    for index in range(1, int(count_text)):
        part = cookies.get(chunk_name(name, index))
        if not part:
            return None
        parts.append(part)
    return "".join(parts)


def present_chunks(name: str, cookies: Mapping[str, str]) -> list[str]:
    """The names of the chunk cookies of *name* the browser sent (to delete the stale ones)."""
    return [chunk_name(name, i) for i in range(1, 9) if chunk_name(name, i) in cookies]
