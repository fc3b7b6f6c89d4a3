"""Importing the package leaves out what most programs never use, and loads it on first use.

The 71 webhook event classes (`scalekit_async.models.events`) are defined on the
first access to an event name, `parse_event` or a webhook verification; PyJWT and
cryptography are imported when the JWKS cache is made (token validation); cattrs
with the first client's converter. Each
check runs in a fresh interpreter: this test process has imported everything.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

HEAVY = ("jwt", "cryptography", "scalekit_async.models.events", "scalekit_async._jwks")

PRELUDE = f"""
import sys

HEAVY = {HEAVY!r}


def loaded():
    return sorted(m for m in HEAVY if m in sys.modules)
"""


def run(code: str) -> None:
    """Run *code* in a fresh interpreter; its asserts are the test."""
    script = PRELUDE + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_importing_the_package_loads_no_events_no_jwt_no_cryptography() -> None:
    run(
        """
        import scalekit_async
        import scalekit_async.models

        assert loaded() == [], loaded()
        assert not any(m == "jwt" or m.startswith(("jwt.", "cryptography")) for m in sys.modules)
        """
    )


def test_cattrs_loads_with_the_first_client_not_with_the_package() -> None:
    run(
        """
        import scalekit_async as sk

        assert "cattrs" not in sys.modules
        client = sk.ScalekitClient("https://x.example.com", "id", "secret-0123456789")
        assert "cattrs" in sys.modules
        assert client.converter.structure({"id": "org_1"}, sk.Organization).id == "org_1"
        """
    )


@pytest.mark.parametrize(
    "access",
    [
        "scalekit_async.OrganizationCreatedEvent",
        "scalekit_async.models.UserLoginEvent",
        "scalekit_async.models.events.EVENT_TYPES",
        "scalekit_async.parse_event",
        "scalekit_async.WebhookEvent",
    ],
)
def test_an_event_name_defines_the_events(access: str) -> None:
    run(
        f"""
        import scalekit_async

        assert loaded() == []
        value = {access}
        assert loaded() == ["scalekit_async.models.events"], loaded()
        module = sys.modules["scalekit_async.models.events"]
        name = "{access}".rpartition(".")[2]
        assert value is getattr(module, name)
        """
    )


def test_from_import_of_an_event_gets_the_real_class() -> None:
    run(
        """
        from scalekit_async import OrganizationCreatedEvent, parse_event
        from scalekit_async.models import OrganizationCreatedEvent as FromModels
        from scalekit_async.models.events import EVENT_TYPES

        assert OrganizationCreatedEvent is FromModels
        assert EVENT_TYPES["organization.created"] is OrganizationCreatedEvent
        event = parse_event({"id": "evt_1", "type": "organization.created", "data": {"id": "o"}})
        assert type(event) is OrganizationCreatedEvent
        assert event.data.id == "o"
        assert "jwt" not in sys.modules
        """
    )


def test_parse_event_and_webhook_verification_define_the_events() -> None:
    run(
        """
        import base64, hashlib, hmac, json, time

        import scalekit_async as sk

        key = b"0123456789abcdef"
        secret = "whsec_" + base64.b64encode(key).decode()
        body = json.dumps({"id": "evt_1", "type": "user.login", "data": {}}).encode()
        stamp = str(int(time.time()))
        mac = hmac.new(key, f"evt_1.{stamp}.".encode() + body, hashlib.sha256).digest()
        headers = {
            "webhook-id": "evt_1",
            "webhook-timestamp": stamp,
            "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        }
        assert loaded() == []
        event = sk.verify_webhook_payload(secret, headers, body)
        assert loaded() == ["scalekit_async.models.events"], loaded()
        assert type(event).__name__ == "UserLoginEvent"
        assert isinstance(event, sk.UserAuthEvent)
        """
    )


def test_the_jwks_cache_imports_jwt_and_cryptography() -> None:
    run(
        """
        import scalekit_async as sk

        client = sk.ScalekitClient(
            "https://acme.scalekit.test", "skc_1234567890", "test_secret_0123456789abcdef"
        )
        auth = client.auth
        assert loaded() == [], loaded()
        cache = auth.jwks
        assert type(cache) is sk.JwksCache
        assert "jwt" in sys.modules and "cryptography" in sys.modules
        assert "scalekit_async.models.events" not in sys.modules
        """
    )


def test_the_jwks_cache_class_is_importable_by_name() -> None:
    run(
        """
        from scalekit_async import JwksCache

        assert JwksCache.__module__ == "scalekit_async._jwks"
        assert "jwt" in sys.modules
        """
    )


def test_star_import_and_every_exported_name() -> None:
    run(
        """
        import scalekit_async
        import scalekit_async.models as models

        namespace = {}
        exec("from scalekit_async import *", namespace)
        for module in (scalekit_async, models):
            assert len(module.__all__) == len(set(module.__all__)), module.__name__
            for name in module.__all__:
                assert getattr(module, name) is not None, (module.__name__, name)
        missing = set(scalekit_async.__all__) - set(namespace)
        assert not missing, missing
        assert namespace["OrganizationCreatedEvent"] is models.OrganizationCreatedEvent
        assert set(dir(scalekit_async)) >= set(scalekit_async.__all__)
        """
    )


def test_unknown_names_still_raise_attribute_error() -> None:
    run(
        """
        import scalekit_async
        import scalekit_async.models as models

        for module in (scalekit_async, models):
            try:
                module.NoSuchModel
            except AttributeError:
                pass
            else:
                raise AssertionError(module.__name__)
        assert not hasattr(scalekit_async, "NoSuchModel")
        assert loaded() == [], loaded()
        """
    )


def test_the_event_names_are_listed_once_and_exported_without_loading_events() -> None:
    """`events.__all__` is built from `_event_names`; both packages list its names."""
    run(
        """
        import scalekit_async
        import scalekit_async.models as models
        from scalekit_async.models._event_names import EVENT_NAMES

        assert set(EVENT_NAMES) <= set(models.__all__) <= set(scalekit_async.__all__)
        assert loaded() == []
        from scalekit_async.models import events

        assert events.__all__ == list(EVENT_NAMES)
        assert models.events is events
        """
    )


def test_every_public_name_of_events_is_listed_in_event_names() -> None:
    """A class added to `events` but not to `_event_names` would not be exported."""
    from scalekit_async.models import events
    from scalekit_async.models._event_names import EVENT_NAMES

    defined = {
        name
        for name, value in vars(events).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == events.__name__
        and callable(value)
    }
    assert defined == set(EVENT_NAMES)


def test_a_namespace_and_its_module_load_on_first_use() -> None:
    run(
        """
        import scalekit_async as sk

        assert "scalekit_async.resources.organizations" not in sys.modules
        client = sk.ScalekitClient("https://x.test", "skc_1", "secret-of-at-least-16-chars")
        assert "scalekit_async.resources.organizations" not in sys.modules
        organizations = client.organizations
        assert "scalekit_async.resources.organizations" in sys.modules
        assert client.organizations is organizations  # made once per client
        assert "scalekit_async.resources.users" not in sys.modules
        assert type(client.with_options(timeout=5).users).__name__ == "Users"
        from scalekit_async.resources import Roles  # the package still exports every name

        assert Roles.__name__ == "Roles"
        """
    )


def test_the_model_families_and_client_auth_load_on_first_use() -> None:
    """Defining attrs classes is most of the import cost: no family loads until asked for."""
    run(
        """
        import scalekit_async as sk

        families = lambda: sorted(  # noqa: E731
            m for m in sys.modules
            if m.startswith("scalekit_async.models.") and not m.split(".")[-1].startswith("_")
        )
        assert families() == [], families()
        assert "scalekit_async._oidc" not in sys.modules
        org = sk.Organization  # one family, and only it
        assert org.__module__ == "scalekit_async.models.organizations"
        assert families() == ["scalekit_async.models.organizations"], families()
        from scalekit_async.models import ApiToken  # a from-import loads its family too

        assert ApiToken.__module__ == "scalekit_async.models.api_tokens"
        assert sk.ClientToken.__module__ == "scalekit_async._oidc"
        client = sk.ScalekitClient("https://x.example", "skc_1", "s" * 32)
        assert client.auth is client.auth  # made once per client (and per view)
        assert client.with_options(timeout=5).auth is not client.auth
        """
    )


def test_each_model_family_exports_exactly_what_names_lists() -> None:
    """A model added to a family but not to `_names.FAMILIES` would not be exported."""
    import pkgutil
    from importlib import import_module

    from scalekit_async import models
    from scalekit_async.models._names import FAMILIES

    modules = {m.name for m in pkgutil.iter_modules(models.__path__) if not m.name.startswith("_")}
    assert modules == set(FAMILIES), "a family module missing from (or stale in) FAMILIES"
    for family, names in FAMILIES.items():
        module = import_module(f"scalekit_async.models.{family}")
        assert tuple(module.__all__) == tuple(names), f'FAMILIES["{family}"] = {module.__all__}'
