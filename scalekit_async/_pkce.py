"""PKCE (RFC 7636) with the S256 method: a random code verifier and its challenge.

A public or confidential client sends the *challenge* in the authorization
URL and the *verifier* with the code exchange, so a stolen authorization code
is useless without the verifier that only the client that started the login
holds. Only S256 is offered: the ``plain`` method protects nothing when the
URL leaks.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

import attrs

__all__ = ["PkcePair", "code_challenge", "generate_pkce"]

VERIFIER_MIN = 43
VERIFIER_MAX = 128
DEFAULT_VERIFIER_LENGTH = 64
# RFC 7636 §4.1: ALPHA / DIGIT / "-" / "." / "_" / "~"
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


@attrs.frozen
class PkcePair:
    """A PKCE code verifier and its S256 challenge.

    Put `challenge` in the authorization URL, keep `verifier` server-side
    (for example in the login session) and send it with the code exchange.
    The verifier never appears in a repr.
    """

    verifier: str = attrs.field(repr=False)
    challenge: str
    method: str = "S256"


def check_verifier(verifier: object) -> str:
    """Return *verifier* if it is a valid RFC 7636 code verifier.

    Raises:
        TypeError: it is not a string.
        ValueError: it is not 43-128 characters of ``[A-Za-z0-9-._~]``.

    """
    if not isinstance(verifier, str):
        raise TypeError(f"code_verifier must be a str, not {type(verifier).__name__}")
    if _VERIFIER.fullmatch(verifier) is None:
        raise ValueError(
            f"code_verifier must be {VERIFIER_MIN}-{VERIFIER_MAX} characters "
            "of A-Z a-z 0-9 - . _ ~ (RFC 7636)"
        )
    return verifier


def check_challenge(challenge: object) -> str:
    """Return *challenge* if it has the shape of an S256 challenge (43 base64url characters).

    Raises:
        TypeError: it is not a string.
        ValueError: it is not 43 characters of ``[A-Za-z0-9-_]``.

    """
    if not isinstance(challenge, str):
        raise TypeError(f"code_challenge must be a str, not {type(challenge).__name__}")
    if _CHALLENGE.fullmatch(challenge) is None:
        raise ValueError(
            "code_challenge must be an S256 challenge: 43 base64url characters "
            "(use generate_pkce() or code_challenge(verifier))"
        )
    return challenge


def code_challenge(verifier: str) -> str:
    """The S256 challenge of *verifier*: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(check_verifier(verifier).encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_pkce(length: int = DEFAULT_VERIFIER_LENGTH) -> PkcePair:
    """Generate a fresh verifier of *length* characters (43-128) and its S256 challenge.

    The verifier draws from the full unreserved alphabet with `secrets`, so a
    64-character verifier carries about 386 bits of entropy.
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int, not {type(length).__name__}")
    if not VERIFIER_MIN <= length <= VERIFIER_MAX:
        raise ValueError(f"length must be between {VERIFIER_MIN} and {VERIFIER_MAX}, got {length}")
    verifier = "".join(secrets.choice(UNRESERVED) for _ in range(length))
    return PkcePair(verifier=verifier, challenge=code_challenge(verifier))
