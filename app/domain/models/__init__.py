"""Every table, imported here so that metadata (and Alembic) sees them all."""

from app.domain.models.accounts import Account, ApiKey
from app.domain.models.customers import (
    ContactTombstone,
    Customer,
    CustomerSource,
    CustomerTag,
    CustomProperty,
)
from app.domain.models.events import EventStatus, IntercomEvent
from app.domain.models.integrations import Integration, IntercomAttribute, OAuthState
from app.domain.models.outbox import OutboxMessage
from app.domain.models.segments import Segment, SegmentKind, SegmentMember
from app.domain.models.syncs import (
    PartitionStatus,
    SyncFailure,
    SyncPartition,
    SyncRun,
    SyncStatus,
    SyncTrigger,
)
from app.domain.models.webhooks import NotificationStatus, WebhookNotification

__all__ = [
    "Account",
    "ApiKey",
    "ContactTombstone",
    "CustomProperty",
    "Customer",
    "CustomerSource",
    "CustomerTag",
    "EventStatus",
    "Integration",
    "IntercomAttribute",
    "IntercomEvent",
    "NotificationStatus",
    "OAuthState",
    "OutboxMessage",
    "PartitionStatus",
    "Segment",
    "SegmentKind",
    "SegmentMember",
    "SyncFailure",
    "SyncPartition",
    "SyncRun",
    "SyncStatus",
    "SyncTrigger",
    "WebhookNotification",
]
