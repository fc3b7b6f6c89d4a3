"""The fake's passkey (WebAuthn credential) endpoints, backed by `FakeScalekit.passkeys`.

``fake.passkeys`` maps a passkey's Scalekit id (``cred_...``) to its
``auth.webauthn.WebAuthnCredential`` wire JSON. A passkey belongs to a user of
``fake.users``: while that user is missing, its passkeys are not found.
Seed passkeys with `add_passkey`. The relying party id is `RP_ID`.
"""

from __future__ import annotations

import base64
from typing import Any

from ._constants import CREDENTIAL_PREFIX, CREDENTIAL_RAW_PREFIX, RP_ID
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._state import FakeState

__all__ = ["RP_ID", "add_passkey", "install"]


def add_passkey(fake: FakeState, user_id: str, **fields: Any) -> dict[str, Any]:
    """Seed a passkey of *user_id* (a key of ``fake.users``) and return its JSON.

    Any ``WebAuthnCredential`` field can be given in *fields* (e.g.
    ``display_name="YubiKey"``, ``transports=["usb"]``).
    """
    if user_id not in fake.users:
        raise ValueError(f"no user {user_id!r} in fake.users: seed the user first")
    now = fake.now()
    raw_id = fake.new_id(CREDENTIAL_RAW_PREFIX).encode()
    passkey: dict[str, Any] = {
        "id": fake.new_id(CREDENTIAL_PREFIX),
        "user_id": user_id,
        "credential_id": base64.b64encode(raw_id).decode("ascii"),
        "attestation_type": "none",
        "authenticator": {
            "aaguid": "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
            "name": "iCloud Keychain",
            "attachment": "platform",
            "icon_dark": "",
            "icon_light": "",
        },
        "transports": ["internal", "hybrid"],
        "authenticator_flags": {
            "user_present": True,
            "user_verified": True,
            "backup_eligible": True,
            "backup_state": True,
        },
        "created_at": now,
        "updated_at": now,
        "user_agent": {
            "raw": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15",
            "url": "https://app.example.com/settings/security",
            "browser": "Safari",
            "browser_version": "17.2",
            "os": "macOS",
            "os_version": "14.2",
            "device_type": "desktop",
            "device_model": "",
        },
        "client_info": {
            "ip": "192.0.2.1",
            "region": "United States",
            "region_subdivision": "CA",
            "city": "San Francisco",
        },
    }
    passkey.update(fields)
    fake.passkeys[passkey["id"]] = passkey
    return passkey


def install(fake: FakeState) -> None:
    """Route the passkey operations on *fake*."""
    passkeys = fake.passkeys

    def find(credential_id: str) -> dict[str, Any]:
        passkey = passkeys.get(credential_id)
        if passkey is None or passkey.get("user_id") not in fake.users:
            raise ApiError(404, f"credential {credential_id} not found")
        return passkey

    def list_(request: FakeRequest) -> Reply:
        user_id = request.param("user_id")
        if not user_id:
            # An API client has no "current user" to default to.
            raise ApiError(400, "invalid request", violations=(("user_id", "is required"),))
        if user_id not in fake.users:
            raise ApiError(404, f"user {user_id} not found")
        items = [passkeys[i] for i in passkeys.ids_of_user(user_id)]
        return Reply.json(
            200,
            {
                "credentials": items,
                "all_accepted_credentials_options": {
                    "rp_id": RP_ID,
                    "user_id": user_id,
                    "all_accepted_credential_ids": [p["credential_id"] for p in items],
                },
            },
        )

    def update(request: FakeRequest, credential_id: str) -> Reply:
        passkey = find(credential_id)
        body = as_mapping(request.json())
        violations = [(key, "unknown field") for key in body if key != "display_name"]
        name = body.get("display_name")
        if not isinstance(name, str) or not 1 <= len(name) <= 120:
            violations.append(("display_name", "value length must be between 1 and 120 runes"))
        if violations:
            raise ApiError(400, "invalid request", violations=tuple(violations))
        passkey["display_name"] = name
        passkey["updated_at"] = fake.now()
        return Reply.json(200, {"credential": passkey})

    def delete(request: FakeRequest, credential_id: str) -> Reply:
        passkey = find(credential_id)
        del passkeys[credential_id]
        return Reply.json(
            200,
            {
                "success": True,
                "unknown_credential_options": {
                    "rp_id": RP_ID,
                    "credential_id": passkey["credential_id"],
                },
            },
        )

    add = fake.router.add
    add("GET", "/api/v1/webauthn/credentials", list_)
    add("PATCH", "/api/v1/webauthn/credentials/{credential_id}", update)
    add("DELETE", "/api/v1/webauthn/credentials/{credential_id}", delete)
