"""Client settings: the one place environment variables are read."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from ._errors import ConfigurationError
from ._redact import MIN_SECRET_LENGTH

__all__ = ["Credentials", "Secret"]

ENV_URL = "SCALEKIT_ENVIRONMENT_URL"
ENV_CLIENT_ID = "SCALEKIT_CLIENT_ID"
ENV_CLIENT_SECRET = "SCALEKIT_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret


class Secret:
    """A string that never shows itself in a repr, str or log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def normalize_url(url: str) -> str:
    """Return the environment URL without a trailing slash, refusing one without a scheme.

    ``127.0.0.1:8765`` is refused rather than guessed: ``https://`` would fail a
    plain-HTTP emulator a timeout later, ``http://`` would send a secret in clear.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(
            f"environment_url must start with https:// (or http:// for a local emulator), "
            f"got {url[:200]!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError("environment_url must not have a query or fragment")
    return url.rstrip("/")


@attrs.frozen
class Credentials:
    """Where the API is and who the client is; the secret is wrapped in `Secret`."""

    environment_url: str
    client_id: str
    client_secret: Secret

    @classmethod
    def resolve(
        cls,
        environment_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Take each value from the argument, else from its ``SCALEKIT_*`` variable."""
        source = os.environ if env is None else env
        given = {
            "environment_url": environment_url,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        for name, value in given.items():
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(f"{name} must be a str, not {type(value).__name__}")
            if value is not None and not value.strip():
                # An explicit empty value is a mistake (an unset variable interpolated
                # into a config file), never a request to read the environment instead.
                raise ConfigurationError(f"{name} is empty; pass a value or leave it out")
        url = environment_url if environment_url is not None else source.get(ENV_URL)
        cid = client_id if client_id is not None else source.get(ENV_CLIENT_ID)
        secret = client_secret if client_secret is not None else source.get(ENV_CLIENT_SECRET)
        missing = [
            name
            for name, value in ((ENV_URL, url), (ENV_CLIENT_ID, cid), (ENV_CLIENT_SECRET, secret))
            if not value
        ]
        if missing:
            raise ConfigurationError(
                "missing " + ", ".join(missing) + ": pass them to ScalekitClient or set them"
            )
        assert url
        assert cid
        assert secret
        if len(secret) < MIN_SECRET_LENGTH:
            # Real client secrets are far longer; a short one is a placeholder or a typo,
            # and could not be told apart from ordinary words when redacting.
            raise ConfigurationError(
                f"client_secret is {len(secret)} characters long; a Scalekit client secret "
                f"has at least {MIN_SECRET_LENGTH} (copy it whole from the dashboard)"
            )
        return cls(normalize_url(url), cid, Secret(secret))
