"""``client.passkeys``: list, rename and remove users' passkeys (WebAuthn credentials)."""

from __future__ import annotations

from collections.abc import Mapping

from .._pagination import AsyncPaginator
from .._routes import Route
from ..models.passkeys import AllAcceptedCredentialsOptions, DeletedPasskey, Passkey
from ._base import Resource

__all__ = ["Passkeys"]

_LIST = Route("GET", "/api/v1/webauthn/credentials")
_UPDATE = Route("PATCH", "/api/v1/webauthn/credentials/{credential_id}")
_DELETE = Route("DELETE", "/api/v1/webauthn/credentials/{credential_id}")


class Passkeys(Resource):
    """Manage the passkeys your users registered."""

    __slots__ = ()

    def list(self, *, user_id: str) -> AsyncPaginator[Passkey]:
        """List a user's passkeys (one page holds them all): await it or ``async for``."""
        return self._list_all(
            _LIST, key="credentials", item=Passkey, params={"user_id": _user_id(user_id)}
        )

    async def accepted_credentials(self, *, user_id: str) -> AllAcceptedCredentialsOptions:
        """The ids of every passkey a user still has, to sync their devices.

        Pass the result to the browser's ``PublicKeyCredential.signalAllAcceptedCredentials``
        so it hides passkeys deleted elsewhere (it is the same API call as `list`).
        """
        data = await self._engine.call(_LIST, params={"user_id": _user_id(user_id)})
        if not isinstance(data, Mapping) or data.get("all_accepted_credentials_options") is None:
            return AllAcceptedCredentialsOptions()
        return self._engine.unwrap(
            data, "all_accepted_credentials_options", AllAcceptedCredentialsOptions
        )

    async def update(self, credential_id: str, *, display_name: str) -> Passkey:
        """Rename a passkey (by its Scalekit `id`) so users can tell their devices apart."""
        if not isinstance(display_name, str):
            raise TypeError(f"display_name must be a str, not {type(display_name).__name__}")
        if not display_name:
            raise ValueError("display_name must not be empty")
        data = await self._engine.call(_UPDATE, credential_id, body={"display_name": display_name})
        return self._engine.unwrap(data, "credential", Passkey)

    async def delete(self, credential_id: str) -> DeletedPasskey:
        """Remove a passkey (by its Scalekit `id`).

        Pass ``result.unknown_credential_options`` to the browser's
        ``PublicKeyCredential.signalUnknownCredential`` so the device forgets it too.
        """
        data = await self._engine.call(_DELETE, credential_id)
        return self._engine.structure(data, DeletedPasskey)


def _user_id(user_id: str) -> str:
    if not isinstance(user_id, str):
        raise TypeError(f"user_id must be a str, not {type(user_id).__name__}")
    if not user_id:
        raise ValueError("user_id must be a non-empty id")
    return user_id
