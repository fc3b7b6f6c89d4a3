from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given, strategies as st

from scalekit_async import RetryPolicy
from scalekit_async._retry import RetryBudget, backoff_delay, parse_retry_after


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "1"}, 1.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "garbage", "retry-after": "3"}, 3.0),
        ({"retry-after": "-5"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "99999999999"}, 99999999999.0),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after({"retry-after": later}, now=now.timestamp()) == 30.0
    earlier = format_datetime(datetime(2026, 1, 1, 11, 0, 0, tzinfo=UTC), usegmt=True)
    assert parse_retry_after({"retry-after": earlier}, now=now.timestamp()) == 0.0


@given(st.integers(min_value=0, max_value=1000), st.floats(min_value=0, max_value=0.999999))
def test_backoff_is_capped_and_jittered_within_half_to_full(retry: int, rand: float) -> None:
    policy = RetryPolicy()
    delay = backoff_delay(retry, policy, rand)
    ceiling = min(8.0, 0.5 * 2**retry)
    assert ceiling * 0.5 <= delay <= ceiling


def test_backoff_grows() -> None:
    policy = RetryPolicy()
    assert [backoff_delay(n, policy, 0.999) for n in range(5)] == pytest.approx(
        [0.5, 1.0, 2.0, 4.0, 8.0], rel=1e-3
    )


@pytest.mark.parametrize(
    ("status", "idempotent", "writes", "expected"),
    [
        (429, False, False, True),
        (429, True, False, True),
        (503, True, False, True),
        (500, False, False, False),
        (500, False, True, True),
        (408, True, False, True),
        (408, False, False, False),
        (400, True, True, False),
        (401, True, True, False),
        (403, True, True, False),
        (404, True, True, False),
        (409, True, True, False),
        (501, True, True, False),
    ],
)
def test_retry_table(status: int, idempotent: bool, writes: bool, expected: bool) -> None:
    policy = RetryPolicy(retry_writes=writes)
    assert policy.should_retry_status(status, idempotent=idempotent) is expected


def test_unreplayable_writes_are_never_repeated_even_when_writes_retry() -> None:
    policy = RetryPolicy(retry_writes=True)
    assert policy.should_retry_status(503, idempotent=False, replayable=True)
    assert not policy.should_retry_status(503, idempotent=False, replayable=False)
    assert policy.should_retry_status(429, idempotent=False, replayable=False)
    assert not policy.may_repeat(idempotent=False, replayable=False)


def test_budget_limits_retries_to_a_fraction_of_calls() -> None:
    now = [0.0]
    budget = RetryBudget(ratio=0.25, floor=0.0, clock=lambda: now[0])
    spent = sum(budget.try_spend() for _ in range(100))
    assert spent == 10  # the initial allowance
    for _ in range(40):
        budget.on_call()
    assert sum(budget.try_spend() for _ in range(100)) == 10


def test_budget_refills_with_time() -> None:
    now = [0.0]
    budget = RetryBudget(ratio=0.0, floor=2.0, clock=lambda: now[0])
    while budget.try_spend():
        pass
    now[0] += 1.0
    assert budget.try_spend()
    assert budget.try_spend()
    assert not budget.try_spend()


def test_policy_validates() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
