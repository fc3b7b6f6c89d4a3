"""Every Directory operation, once."""

from __future__ import annotations

from datetime import UTC, datetime

from scalekit_async import ScalekitClient
from scalekit_async.testing import FakeScalekit
from scalekit_async.testing._directories import (
    add_directory,
    add_directory_group,
    add_directory_user,
)


async def tour(client: ScalekitClient, fake: FakeScalekit) -> None:
    org = await client.organizations.create(display_name="Directories Tour")
    directory = add_directory(fake, org.id)
    admins = add_directory_group(fake, directory["id"], display_name="Admins")
    add_directory_user(fake, directory["id"], email="ada@example.com", group_ids=[admins["id"]])
    add_directory_user(fake, directory["id"], email="bob@example.com")
    await client.directories.list(organization_id=org.id)
    await client.directories.get(directory["id"], organization_id=org.id)
    await client.directories.enable(directory["id"], organization_id=org.id)
    await client.directories.disable(directory["id"], organization_id=org.id)
    await client.directories.list_users(
        directory["id"],
        organization_id=org.id,
        page_size=30,
        include_detail=True,
        directory_group_id=admins["id"],
        updated_after=datetime(2000, 1, 1, tzinfo=UTC),
    )
    await client.directories.list_groups(
        directory["id"],
        organization_id=org.id,
        page_size=30,
        include_detail=True,
        include_external_groups=False,
        updated_after=datetime(2000, 1, 1, tzinfo=UTC),
    )
    # The operations outside the public spec (preview).
    created = await client.directories.create(
        organization_id=org.id, directory_type="SCIM", directory_provider="OKTA"
    )
    await client.directories.get(created.id, organization_id=org.id)
    await client.directories.delete(created.id, organization_id=org.id)
