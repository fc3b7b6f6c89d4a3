"""``client.passkeys``: list, rename and remove users' passkeys (WebAuthn credentials)."""

from __future__ import annotations

from collections.abc import Mapping

from .._routes import Route, operation
from ..models.passkeys import DeletedPasskey, Passkey, PasskeyList
from ._base import Resource

__all__ = ["Passkeys"]

_LIST = Route("GET", "/api/v1/webauthn/credentials")
_UPDATE = Route("PATCH", "/api/v1/webauthn/credentials/{credential_id}")
_DELETE = Route("DELETE", "/api/v1/webauthn/credentials/{credential_id}")


class Passkeys(Resource):
    """Manage the passkeys your users registered."""

    __slots__ = ()

    @operation(_LIST)
    async def list(self, *, user_id: str) -> PasskeyList:
        """The passkeys of the user *user_id*, and the ids to sync their devices with.

        The API lists passkeys per user, all at once (no pages), so `user_id`
        is required and the result is one `PasskeyList`: iterate it for the
        passkeys, and hand its `all_accepted_credentials_options` to the
        browser's ``PublicKeyCredential.signalAllAcceptedCredentials``.
        """
        data = await self._engine.call(_LIST, params={"user_id": _user_id(user_id)})
        if isinstance(data, Mapping):
            data = {k: v for k, v in data.items() if v is not None}
        return self._engine.structure(data, PasskeyList)

    @operation(_UPDATE)
    async def update(self, id: str, *, display_name: str) -> Passkey:
        """Rename the passkey *id* (its Scalekit `id`) so users can tell their devices apart."""
        if not isinstance(display_name, str):
            raise TypeError(f"display_name must be a str, not {type(display_name).__name__}")
        if not display_name:
            raise ValueError("display_name must not be empty")
        data = await self._engine.call(_UPDATE, id, body={"display_name": display_name})
        return self._engine.unwrap(data, "credential", Passkey)

    @operation(_DELETE)
    async def delete(self, id: str) -> DeletedPasskey:
        """Remove the passkey *id* (its Scalekit `id`, not its WebAuthn `credential_id`).

        Pass ``result.unknown_credential_options`` to the browser's
        ``PublicKeyCredential.signalUnknownCredential`` so the device forgets it too.
        """
        data = await self._engine.call(_DELETE, id)
        return self._engine.structure(data, DeletedPasskey)


def _user_id(user_id: str) -> str:
    if not isinstance(user_id, str):
        raise TypeError(f"user_id must be a str, not {type(user_id).__name__}")
    if not user_id:
        raise ValueError("user_id must be a non-empty id")
    return user_id
