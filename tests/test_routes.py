from urllib.parse import unquote

import pytest
from hypothesis import given, strategies as st

from scalekit_async._routes import Route, segment

ROUTE = Route("GET", "/api/v1/organizations/{organization_id}/connections/{id}:enable")


@given(st.text(min_size=1).filter(lambda s: s not in {".", ".."} and s.isprintable()))
def test_any_id_becomes_exactly_one_segment(value: str) -> None:
    encoded = segment("id", value)
    assert "/" not in encoded
    assert "?" not in encoded
    assert "#" not in encoded
    assert ":" not in encoded
    assert unquote(encoded) == value


def test_template_literals_and_verb_suffix_stay() -> None:
    path = ROUTE.path("org 1", "a/../b?x#y")
    assert path == "/api/v1/organizations/org%201/connections/a%2F..%2Fb%3Fx%23y:enable"


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_ids_that_would_change_the_route_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="non-empty id"):
        ROUTE.path("org_1", bad)


def test_control_characters_are_rejected() -> None:
    with pytest.raises(ValueError, match="control"):
        ROUTE.path("org_1", "a\r\nb")


@pytest.mark.parametrize("bad", [None, 1, b"org", ["x"]])
def test_non_string_ids_are_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        ROUTE.path(bad, "x")


def test_wrong_number_of_values() -> None:
    with pytest.raises(TypeError, match="takes 2 path values"):
        ROUTE.path("only-one")


def test_idempotency_follows_the_method() -> None:
    assert Route("GET", "/x").idempotent
    assert Route("PUT", "/x").idempotent
    assert Route("DELETE", "/x").idempotent
    assert not Route("POST", "/x").idempotent
    assert not Route("PATCH", "/x").idempotent
