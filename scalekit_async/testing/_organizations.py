"""The fake's Organizations endpoints, backed by `FakeScalekit.organizations`.

``fake.organizations`` maps an organization id to its ``organizations.Organization``
wire JSON (indexed by ``external_id``). An organization's session policy is kept
in ``fake.session_policies`` and its user-management settings in
``fake.user_management_settings``, both by organization id: the PATCH of the
settings stores what it was given (a ``null`` limit removes the limit) and the
GET answers it (``{}`` before any PATCH). A search matches its query against the
display name, the id and the external id, ignoring case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._constants import LINK_PREFIX, ORGANIZATION_PREFIX, PORTAL_URL, USER_SEARCH_MAX_PAGE_SIZE
from ._events import emit
from ._http import ApiError, FakeRequest, Reply, as_mapping
from ._paging import page
from ._state import FakeState

__all__ = ["install"]

_FEATURES = {"sso", "dir_sync"}
_SEARCH_MAX_PAGE_SIZE = USER_SEARCH_MAX_PAGE_SIZE  # both searches take at most 30 a page
_MAX_ORGANIZATION_ID = 32


def _search_query(request: FakeRequest) -> str:
    """The ``query`` of a search (3 to 100 characters), lower-cased, or a 400."""
    query = request.param("query") or ""
    if not 3 <= len(query) <= 100:
        raise ApiError(
            400,
            "invalid query",
            violations=(("query", "value length must be between 3 and 100 runes"),),
        )
    raw = request.param("page_size")
    if raw and raw.isdigit() and int(raw) > _SEARCH_MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid page_size",
            violations=(
                ("page_size", f"value must be less than or equal to {_SEARCH_MAX_PAGE_SIZE}"),
            ),
        )
    return query.lower()


def _check_organization_id(org_id: str) -> None:
    if not org_id.startswith("org_") or len(org_id) > _MAX_ORGANIZATION_ID:
        raise ApiError(
            400,
            "invalid organization_id",
            violations=(("organization_id", "value must be an organization id (org_...)"),),
        )


def _validate(body: Mapping[str, Any], *, creating: bool) -> None:
    violations: list[tuple[str, str]] = []
    if creating or "display_name" in body:
        name = body.get("display_name")
        if not isinstance(name, str) or not 1 <= len(name) <= 200:
            violations.append(("display_name", "value length must be between 1 and 200 runes"))
    for key in ("external_id", "slug", "logo_url", "region_code"):
        if body.get(key) is not None and not isinstance(body[key], str):
            violations.append((key, "must be a string"))
    metadata = body.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, Mapping)
        or len(metadata) > 10
        or not all(isinstance(v, str) for v in metadata.values())
    ):
        violations.append(("metadata", "at most 10 string key-value pairs"))
    logo = body.get("logo_url")
    if logo is not None and (not isinstance(logo, str) or not logo.startswith("https://")):
        violations.append(("logo_url", "must be an https URL"))
    if violations:
        raise ApiError(400, "invalid request", violations=tuple(violations))


def install(fake: FakeState) -> None:
    """Route the Organizations operations on *fake*."""
    orgs = fake.organizations
    policies = fake.session_policies
    user_settings = fake.user_management_settings

    def forget(org_id: str) -> None:
        policies.pop(org_id, None)
        user_settings.pop(org_id, None)

    fake.deletion_hooks.append(forget)

    def find(org_id: str) -> dict[str, Any]:
        org = orgs.get(org_id)
        if org is None:
            raise ApiError(404, f"organization {org_id} not found")
        return org

    def by_external(external_id: str) -> dict[str, Any] | None:
        org_id = orgs.id_for_external_id(external_id)
        return None if org_id is None else orgs[org_id]

    def check_external_unique(external_id: object, own_id: str | None = None) -> None:
        if isinstance(external_id, str) and external_id:
            other = by_external(external_id)
            if other is not None and other["id"] != own_id:
                raise ApiError(409, "organization with this external_id already exists")

    def create(request: FakeRequest) -> Reply:
        body = as_mapping(request.json())
        _validate(body, creating=True)
        check_external_unique(body.get("external_id"))
        now = fake.now()
        org: dict[str, Any] = {
            "id": fake.new_id(ORGANIZATION_PREFIX),
            "display_name": body["display_name"],
            "region_code": body.get("region_code") or "US",
            "metadata": dict(body.get("metadata") or {}),
            "create_time": now,
            "update_time": now,
            "settings": {
                "features": [
                    {"name": "sso", "enabled": False},
                    {"name": "dir_sync", "enabled": False},
                ]
            },
        }
        for key in ("external_id", "slug", "logo_url"):
            if body.get(key) is not None:
                org[key] = body[key]
        orgs[org["id"]] = org
        emit(fake, "organization.created", org)
        return Reply.json(201, {"organization": org})

    def get(request: FakeRequest, id: str) -> Reply:
        return Reply.json(200, {"organization": find(id)})

    def get_external(request: FakeRequest, external_id: str) -> Reply:
        org = by_external(external_id)
        if org is None:
            raise ApiError(404, f"organization with external_id {external_id} not found")
        return Reply.json(200, {"organization": org})

    def update(request: FakeRequest, id: str) -> Reply:
        org = find(id)
        body = as_mapping(request.json())
        _validate(body, creating=False)
        check_external_unique(body.get("external_id"), own_id=id)
        for key in ("display_name", "external_id", "slug", "logo_url", "metadata"):
            if key not in body:
                continue
            if body[key] is None or (key == "slug" and body[key] == ""):  # "" clears a slug
                org.pop(key, None)
                if key == "metadata":
                    org["metadata"] = {}
            else:
                org[key] = body[key]
        orgs.reindex(id)
        org["update_time"] = fake.now()
        emit(fake, "organization.updated", org)
        return Reply.json(200, {"organization": org})

    def delete(request: FakeRequest, id: str) -> Reply:
        org = find(id)
        del orgs[id]
        for hook in fake.deletion_hooks:
            hook(id)
        emit(fake, "organization.deleted", org)
        return Reply.json(200, {})

    def list_(request: FakeRequest) -> Reply:
        external_id = request.param("external_id")
        if external_id:
            items = [orgs[i] for i in orgs.ids_for_external_id(external_id)]
        else:
            items = list(orgs.values())
        return Reply.json(200, page(request, items, "organizations"))

    def search(request: FakeRequest) -> Reply:
        query = _search_query(request)
        fields = ("display_name", "id", "external_id")
        found = [
            org
            for org in orgs.values()
            if any(isinstance(org.get(k), str) and query in org[k].lower() for k in fields)
        ]
        return Reply.json(
            200, page(request, found, "organizations", max_size=_SEARCH_MAX_PAGE_SIZE)
        )

    def portal_link(request: FakeRequest, id: str) -> Reply:
        find(id)
        unknown = [f for f in request.params("features") if f not in _FEATURES]
        if unknown:
            raise ApiError(400, "unknown feature", violations=(("features", ", ".join(unknown)),))
        link_id = fake.new_id(LINK_PREFIX)
        return Reply.json(
            200,
            {
                "link": {
                    "id": link_id,
                    "location": f"{PORTAL_URL}/magicLink/{link_id}",
                    "expire_time": fake.now(),
                }
            },
        )

    def settings(request: FakeRequest, id: str) -> Reply:
        org = find(id)
        body = as_mapping(request.json())
        features = body.get("features")
        if not isinstance(features, list):
            raise ApiError(400, "invalid request", violations=(("features", "must be a list"),))
        current = {f["name"]: f for f in org["settings"]["features"]}
        for feature in features:
            if not isinstance(feature, Mapping) or not isinstance(feature.get("name"), str):
                raise ApiError(400, "invalid request", violations=(("features", "bad feature"),))
            current[feature["name"]] = {
                "name": feature["name"],
                "enabled": bool(feature.get("enabled")),
            }
        org["settings"] = {"features": list(current.values())}
        org["update_time"] = fake.now()
        emit(fake, "organization.updated", org)
        return Reply.json(200, {"organization": org})

    def get_policy(request: FakeRequest, organization_id: str) -> Reply:
        find(organization_id)
        policy = policies.setdefault(organization_id, {"policy_source": "APPLICATION"})
        return Reply.json(200, {"policy": policy})

    def update_policy(request: FakeRequest, organization_id: str) -> Reply:
        find(organization_id)
        body = as_mapping(request.json())
        policy = policies.setdefault(organization_id, {"policy_source": "APPLICATION"})
        for key, value in body.items():
            if value is None:
                policy.pop(key, None)
            else:
                policy[key] = value
        return Reply.json(200, {"policy": policy})

    def user_management(request: FakeRequest, organization_id: str) -> Reply:
        find(organization_id)
        body = as_mapping(request.json())
        settings_ = body.get("settings")
        if not isinstance(settings_, Mapping):
            raise ApiError(400, "invalid request", violations=(("settings", "is required"),))
        user_settings[organization_id] = {k: v for k, v in settings_.items() if v is not None}
        return Reply.json(200, {"settings": user_settings[organization_id]})

    def get_user_management(request: FakeRequest, organization_id: str) -> Reply:
        _check_organization_id(organization_id)
        find(organization_id)
        return Reply.json(200, {"settings": dict(user_settings.get(organization_id, {}))})

    add = fake.router.add
    add("GET", "/api/v1/organizations", list_)
    add("GET", "/api/v1/organizations:search", search)
    add("POST", "/api/v1/organizations", create)
    add("GET", "/api/v1/organizations:external/{external_id}", get_external)
    add("GET", "/api/v1/organizations/{id}", get)
    add("PATCH", "/api/v1/organizations/{id}", update)
    add("DELETE", "/api/v1/organizations/{id}", delete)
    add("PUT", "/api/v1/organizations/{id}/portal_links", portal_link)
    add("PATCH", "/api/v1/organizations/{id}/settings", settings)
    add("GET", "/api/v1/organizations/{organization_id}/session-policy", get_policy)
    add("PATCH", "/api/v1/organizations/{organization_id}/session-policy", update_policy)
    add(
        "PATCH",
        "/api/v1/organizations/{organization_id}/settings/usermanagement",
        user_management,
    )
    add(
        "GET",
        "/api/v1/organizations/{organization_id}/settings/usermanagement",
        get_user_management,
    )
