"""Input checks shared by the API client, OAuth client and API resource namespaces.

Custom claims and a client's token lifetime have one wire shape in
``clients.OrganizationClient``, ``clients.CreateClient``/``UpdateClient`` and
``clients.ResourceClient``: every namespace builds them here, so the rules are
written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..models.api_clients import CustomClaim

__all__ = ["CLAIM_KEY_MAX_LEN", "Claims", "claims_body", "int64_seconds"]

Claims = Mapping[str, str] | Iterable[CustomClaim]
"""Custom claims as a mapping of key to value, or as `CustomClaim` objects."""

CLAIM_KEY_MAX_LEN = 128
"""The longest custom claim key the API takes."""


def claims_body(
    value: object, *, max_key_len: int | None = CLAIM_KEY_MAX_LEN
) -> list[dict[str, str]]:
    """Custom claims (a mapping or `CustomClaim` objects) as the API's list of key/value pairs.

    *max_key_len* `None`: the key length is left to the server (organization API
    clients, whose messages state no limit).
    """
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("custom_claims must be a mapping of str to str or CustomClaim objects")
    else:
        pairs = []
        for claim in value:
            if not isinstance(claim, CustomClaim):
                raise TypeError(
                    f"custom_claims items must be CustomClaim, not {type(claim).__name__}"
                )
            pairs.append((claim.key, claim.value))
    for key, val in pairs:
        if not isinstance(key, str) or not isinstance(val, str):
            raise TypeError("custom claim keys and values must be str")
        if max_key_len is not None and not 1 <= len(key) <= max_key_len:
            raise ValueError(f"custom claim keys must be 1 to {max_key_len} characters")
    return [{"key": key, "value": val} for key, val in pairs]


def int64_seconds(name: str, value: object) -> str:
    """A non-negative number of seconds as the JSON string of an int64."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (seconds), not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return str(value)
