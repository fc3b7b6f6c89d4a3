"""``client.passwordless``: sign users in with a magic link or a one-time code by email."""

from __future__ import annotations

from collections.abc import Mapping

from .._routes import Route, operation
from .._types import NOT_GIVEN, NotGivenOr, given
from ..models.passwordless import (
    PasswordlessTemplate,
    SentPasswordlessEmail,
    VerifiedPasswordlessEmail,
)
from ._base import Resource

__all__ = ["Passwordless"]

_SEND = Route("POST", "/api/v1/passwordless/email/send")
_VERIFY = Route("POST", "/api/v1/passwordless/email/verify")
_RESEND = Route("POST", "/api/v1/passwordless/email/resend")

_RESERVED_VARIABLES = frozenset(
    {"otp", "expiry_time_relative", "link", "expire_time", "expiry_time"}
)
_MAX_VARIABLES = 30


class Passwordless(Resource):
    """Send, resend and verify passwordless emails (magic links and one-time codes)."""

    __slots__ = ()

    @operation(_SEND)
    async def send(
        self,
        *,
        email: str,
        template: NotGivenOr[PasswordlessTemplate | str] = NOT_GIVEN,
        magiclink_auth_uri: NotGivenOr[str] = NOT_GIVEN,
        state: NotGivenOr[str] = NOT_GIVEN,
        expires_in: NotGivenOr[int] = NOT_GIVEN,
        template_variables: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
    ) -> SentPasswordlessEmail:
        """Email a one-time code and/or magic link to *email*.

        `magiclink_auth_uri` is where a magic link lands (with ``link_token``
        appended); `state` comes back unchanged from `verify`; `expires_in`
        is in seconds (the API's default is 300).
        """
        _check_str("email", email)
        if not email:
            raise ValueError("email must not be empty")
        for name, value in (
            ("template", template),
            ("magiclink_auth_uri", magiclink_auth_uri),
            ("state", state),
        ):
            if value is not NOT_GIVEN:
                _check_str(name, value)
        if expires_in is not NOT_GIVEN and (
            isinstance(expires_in, bool) or not isinstance(expires_in, int)
        ):
            raise TypeError(f"expires_in must be an int (seconds), not {type(expires_in).__name__}")
        if isinstance(expires_in, int) and expires_in <= 0:
            raise ValueError(f"expires_in must be positive, got {expires_in}")
        body = given(
            email=email,
            template=template,
            magiclink_auth_uri=magiclink_auth_uri,
            state=state,
            expires_in=expires_in,
            template_variables=(
                NOT_GIVEN if template_variables is NOT_GIVEN else _variables(template_variables)
            ),
        )
        data = await self._engine.call(_SEND, body=body)
        return self._engine.structure(data, SentPasswordlessEmail)

    @operation(_RESEND)
    async def resend(self, *, auth_request_id: str) -> SentPasswordlessEmail:
        """Send a fresh code/link for an earlier request (the old one stops working)."""
        _check_str("auth_request_id", auth_request_id)
        if not auth_request_id:
            raise ValueError("auth_request_id must not be empty")
        data = await self._engine.call(_RESEND, body={"auth_request_id": auth_request_id})
        return self._engine.structure(data, SentPasswordlessEmail)

    @operation(_VERIFY)
    async def verify(
        self,
        *,
        code: NotGivenOr[str] = NOT_GIVEN,
        link_token: NotGivenOr[str] = NOT_GIVEN,
        auth_request_id: NotGivenOr[str] = NOT_GIVEN,
    ) -> VerifiedPasswordlessEmail:
        """Check a one-time `code` (with its `auth_request_id`) or a magic-link `link_token`.

        Exactly one of `code` and `link_token` must be given. A wrong or
        expired credential raises `BadRequestError`.
        """
        if (code is NOT_GIVEN) == (link_token is NOT_GIVEN):
            raise ValueError("verify() takes exactly one of code= and link_token=")
        for name, value in (
            ("code", code),
            ("link_token", link_token),
            ("auth_request_id", auth_request_id),
        ):
            if value is not NOT_GIVEN:
                _check_str(name, value)
                if not value:
                    raise ValueError(f"{name} must not be empty")
        if code is not NOT_GIVEN and auth_request_id is NOT_GIVEN:
            raise ValueError("verifying a code needs the auth_request_id that send() returned")
        body = given(code=code, link_token=link_token, auth_request_id=auth_request_id)
        data = await self._engine.call(_VERIFY, body=body)
        return self._engine.structure(data, VerifiedPasswordlessEmail)


def _check_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")


def _variables(value: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError("template_variables must be a mapping of str to str")
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            raise TypeError("template_variables keys and values must be str")
    reserved = sorted(_RESERVED_VARIABLES.intersection(value))
    if reserved:
        raise ValueError(f"template_variables may not set reserved names: {', '.join(reserved)}")
    if len(value) > _MAX_VARIABLES:
        raise ValueError(f"template_variables holds at most {_MAX_VARIABLES} pairs")
    return dict(value)
