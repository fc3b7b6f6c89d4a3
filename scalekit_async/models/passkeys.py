"""Passkey models: users' WebAuthn credentials and the signals to keep devices in sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import attrs

__all__ = [
    "AllAcceptedCredentialsOptions",
    "DeletedPasskey",
    "Passkey",
    "PasskeyAuthenticator",
    "PasskeyAuthenticatorFlags",
    "PasskeyClientInfo",
    "PasskeyList",
    "PasskeyUserAgent",
    "UnknownCredentialOptions",
]


@attrs.frozen(kw_only=True)
class PasskeyAuthenticator:
    """The authenticator that holds a passkey (model, name and icons)."""

    aaguid: str = ""
    name: str = ""
    attachment: str = ""
    icon_dark: str = ""
    icon_light: str = ""


@attrs.frozen(kw_only=True)
class PasskeyAuthenticatorFlags:
    """What the authenticator reported at registration (presence, verification, backup)."""

    user_present: bool = False
    user_verified: bool = False
    backup_eligible: bool = False
    backup_state: bool = False


@attrs.frozen(kw_only=True)
class PasskeyUserAgent:
    """The browser and device a passkey was registered from."""

    raw: str = ""
    url: str = ""
    browser: str = ""
    browser_version: str = ""
    os: str = ""
    os_version: str = ""
    device_type: str = ""
    device_model: str = ""


@attrs.frozen(kw_only=True)
class PasskeyClientInfo:
    """Where (network and place) a passkey was registered from."""

    ip: str = ""
    region: str = ""
    region_subdivision: str = ""
    city: str = ""


@attrs.frozen(kw_only=True)
class Passkey:
    """A user's WebAuthn credential (``auth.webauthn.WebAuthnCredential``).

    `id` is the Scalekit id used to rename or delete it; `credential_id` is the
    authenticator's raw credential id, base64-encoded.
    """

    id: str = ""
    user_id: str = ""
    credential_id: str = ""
    attestation_type: str = ""
    authenticator: PasskeyAuthenticator | None = None
    transports: tuple[str, ...] = ()
    authenticator_flags: PasskeyAuthenticatorFlags | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_agent: PasskeyUserAgent | None = None
    client_info: PasskeyClientInfo | None = None
    display_name: str | None = None


@attrs.frozen(kw_only=True)
class AllAcceptedCredentialsOptions:
    """The argument of the browser's ``PublicKeyCredential.signalAllAcceptedCredentials``."""

    rp_id: str = ""
    user_id: str = ""
    all_accepted_credential_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class UnknownCredentialOptions:
    """The argument of the browser's ``PublicKeyCredential.signalUnknownCredential``."""

    rp_id: str = ""
    credential_id: str = ""


@attrs.frozen(kw_only=True)
class DeletedPasskey:
    """The answer to deleting a passkey; pass the options on to the browser."""

    success: bool = False
    unknown_credential_options: UnknownCredentialOptions | None = None


@attrs.frozen(kw_only=True)
class PasskeyList:
    """A user's passkeys, and the signal that keeps their devices in sync.

    Both halves come from one API call. Iterate it (or read `credentials`) for
    the passkeys; pass `all_accepted_credentials_options` to the browser's
    ``PublicKeyCredential.signalAllAcceptedCredentials`` so it hides passkeys
    deleted elsewhere.
    """

    credentials: tuple[Passkey, ...] = ()
    all_accepted_credentials_options: AllAcceptedCredentialsOptions = attrs.Factory(
        AllAcceptedCredentialsOptions
    )

    def __iter__(self) -> Iterator[Passkey]:
        return iter(self.credentials)

    def __len__(self) -> int:
        return len(self.credentials)
