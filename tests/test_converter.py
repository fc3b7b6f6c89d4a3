from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, strategies as st

from scalekit_async import Organization, RegionCode
from scalekit_async._converter import format_timestamp, make_converter, parse_timestamp
from scalekit_async.models import OrganizationFeature, OrganizationSettings, SessionPolicy


@pytest.mark.parametrize(
    ("text", "micro"),
    [
        ("2024-05-20T12:07:51Z", 0),
        ("2024-05-20T12:07:51.680Z", 680000),
        ("2024-05-20T12:07:51.680123Z", 680123),
        ("2024-06-19T11:11:58.823707848Z", 823707),
    ],
)
def test_timestamps_with_0_to_9_fraction_digits_become_aware(text: str, micro: int) -> None:
    value = parse_timestamp(text)
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    assert value.microsecond == micro


def test_offsets_are_kept_and_naive_means_utc() -> None:
    assert parse_timestamp("2024-01-01T10:00:00+02:00").utcoffset() == timedelta(hours=2)
    assert parse_timestamp("2024-01-01T10:00:00").tzinfo is UTC


def test_format_timestamp_is_rfc3339_utc() -> None:
    value = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(value) == "2024-01-01T11:00:00Z"


def test_unknown_keys_are_ignored_and_missing_take_defaults() -> None:
    org = make_converter().structure({"id": "org_1", "brand_new_field": {"x": 1}}, Organization)
    assert org.id == "org_1"
    assert org.display_name == ""
    assert org.metadata == {}
    assert org.external_id is None


def test_unknown_enum_values_are_kept() -> None:
    org = make_converter().structure({"id": "o", "region_code": "MARS"}, Organization)
    assert org.region_code == "MARS"
    assert isinstance(org.region_code, RegionCode)
    assert not org.region_code.known
    known = make_converter().structure({"region_code": "US"}, Organization).region_code
    assert known is RegionCode.US
    assert known.known


def test_int64_strings_become_ints() -> None:
    policy = make_converter().structure({"absolute_session_timeout": "86400"}, SessionPolicy)
    assert policy.absolute_session_timeout == 86400


def test_null_collections_are_empty() -> None:
    org = make_converter().structure(
        {"metadata": None, "settings": {"features": None}}, Organization
    )
    assert org.metadata == {}
    assert org.settings == OrganizationSettings(features=())


@pytest.mark.parametrize(
    "payload",
    [
        {"id": 5},
        {"display_name": ["x"]},
        {"settings": {"features": [{"enabled": "yes"}]}},
        {"metadata": ["not", "a", "map"]},
        {"create_time": "yesterday"},
    ],
)
def test_wrong_types_are_rejected(payload: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        make_converter().structure(payload, Organization)


def test_each_converter_is_independent() -> None:
    first, second = make_converter(), make_converter()
    first.register_structure_hook(RegionCode, lambda v, _: RegionCode.EU)
    assert second.structure({"region_code": "US"}, Organization).region_code is RegionCode.US


texts = st.text(max_size=20)
timestamps = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
organizations = st.builds(
    Organization,
    id=texts,
    display_name=texts,
    external_id=st.none() | texts,
    region_code=st.none() | st.sampled_from(list(RegionCode)) | texts.map(RegionCode),
    metadata=st.dictionaries(texts, texts, max_size=5),
    slug=st.none() | texts,
    logo_url=st.none() | texts,
    settings=st.none()
    | st.builds(
        OrganizationSettings,
        features=st.lists(st.builds(OrganizationFeature, name=texts, enabled=st.booleans())).map(
            tuple
        ),
    ),
    create_time=st.none() | timestamps,
    update_time=st.none() | timestamps,
)


@given(organizations)
def test_round_trip(org: Organization) -> None:
    conv = make_converter()
    assert conv.structure(conv.unstructure(org), Organization) == org


@given(organizations, st.dictionaries(st.text(min_size=1).map(lambda k: "x_" + k), st.integers()))
def test_round_trip_tolerates_extra_keys(org: Organization, extra: dict[str, int]) -> None:
    conv = make_converter()
    wire = {**conv.unstructure(org), **extra}
    assert conv.structure(wire, Organization) == org


def test_models_are_frozen() -> None:
    org = Organization(id="o")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        org.id = "p"  # type: ignore[misc]


def test_null_in_a_field_that_cannot_be_none_keeps_its_default() -> None:
    org = make_converter().structure(
        {"id": None, "display_name": None, "metadata": None}, Organization
    )
    assert org.id == ""
    assert org.display_name == ""
    assert org.metadata == {}


def test_naive_and_garbage_timestamps_in_models() -> None:
    conv = make_converter()
    org = conv.structure({"create_time": "2024-01-01T10:00:00"}, Organization)
    assert org.create_time is not None
    assert org.create_time.tzinfo is UTC
    with pytest.raises(ValueError):
        conv.structure({"create_time": "not a time"}, Organization)


@attrs.frozen(kw_only=True)
class Checked:
    name: str = attrs.field(default="", converter=str.strip)
    size: int = attrs.field(validator=attrs.validators.ge(0))
    child: "Checked | None" = None


def test_models_with_converters_validators_and_required_fields_use_their_init() -> None:
    conv = make_converter()
    value = conv.structure({"name": "  x  ", "size": "3", "child": {"size": 1}}, Checked)
    assert value == Checked(name="x", size=3, child=Checked(size=1))
    with pytest.raises(TypeError):
        conv.structure({"name": "x"}, Checked)  # size is required
    with pytest.raises(ValueError):
        conv.structure({"size": -1}, Checked)


def test_a_non_object_is_refused() -> None:
    with pytest.raises(TypeError, match="expected an object"):
        make_converter().structure(["not", "an", "object"], Organization)
