"""Two notifications of one contact never decide at once: a late update of a contact (as it was
before its deletion) processed while the delete's transaction is still open waits for it, then
sees the contact gone, instead of creating its customer again once the delete committed (an
end-to-end test saw that happen when the update read the tombstones first). Notifications of
other contacts do not wait: the integration is only share-locked."""

# ruff: noqa: F811  (the `world` fixture is test_runner's, imported)

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.models import Customer, Integration, Segment, WebhookNotification
from app.domain.outbox import service as outbox
from app.domain.webhooks import processing
from app.domain.webhooks.processing import WebhookPorts, WebhookSettings
from app.intercom.models import Contact
from tests.domain.test_runner import World, run_queued, start, world  # noqa: F401
from tests.fakes.intercom import FakeGateway, contact


async def test_a_late_update_waits_for_the_delete_of_its_contact_then_changes_nothing(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    world.workspace.contacts = [contact("u1", updated_at=1_000)]
    await start(world, world.users)
    await run_queued(world)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(settings={"on_deleted_in_intercom": "delete"})
        )
        await session.execute(
            update(Segment)
            .where(Segment.id == world.users)
            .values(auto_sync=True, mapping_confirmed_at=func.now())
        )
    ports = WebhookPorts(
        sessionmaker=sessionmaker,
        queue=world.queue,
        intercom=FakeGateway(world.workspace),
        cipher=SecretBox(settings.encryption_keys),
        settings=WebhookSettings(),
    )

    def notification(topic: str, created_at: int) -> WebhookNotification:
        return WebhookNotification(
            notification_id=topic, app_id="app", topic=topic, intercom_created_at=created_at
        )

    async def apply(
        session: AsyncSession, topic: str, created_at: int, item: Contact | None
    ) -> str:
        return await processing._apply_to(
            ports,
            session,
            world.account,
            world.integration_id,
            notification(topic, created_at),
            "u1",
            item,
            None,
            set(),
        )

    async def late_update() -> str:
        async with outbox.unit_of_work(sessionmaker, world.queue) as session:
            as_it_was = contact("u1", updated_at=1_000, name="Back from the dead")
            return await apply(session, "contact.user.updated", 1_000, as_it_was)

    async with sessionmaker() as earlier:
        await earlier.begin()
        await apply(earlier, "contact.deleted", 1_005, None)
        updating = asyncio.create_task(late_update())
        await asyncio.sleep(0.3)

        assert not updating.done(), "the update decided while the delete was not committed"
        await earlier.commit()
    outcome = await updating
    async with sessionmaker() as session:
        left = await session.scalar(
            select(func.count()).where(Customer.account_id == world.account.id)
        )
    assert "gone since" in outcome
    assert left == 0
