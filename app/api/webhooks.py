"""Intercom's webhook endpoint: no account credential (Intercom calls it); the signature, keyed
with the app's client secret, is what authenticates a notification."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app import metrics
from app.adapters import Adapters
from app.api.limits import BodyTooLarge
from app.api.problems import problem_responses
from app.domain.webhooks import intake
from app.domain.webhooks.errors import (
    NotificationInvalid,
    SignatureInvalid,
    WebhooksNotConfigured,
)

router = APIRouter(tags=["webhooks"])

WEBHOOK_PATH = "/webhooks/intercom"
SIGNATURE_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Hub-Signature",
    "description": "`sha1=` and the hex HMAC-SHA1 of the raw body, keyed with the Intercom "
    "app's client secret (Intercom sets it on every notification).",
}


def document_signature(schema: dict[str, Any], prefix: str) -> None:
    """Declares the signature the route checks itself (see `receive_webhook`)."""
    components = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    components["intercomSignature"] = SIGNATURE_SCHEME
    schema["paths"][prefix + WEBHOOK_PATH]["post"]["security"] = [{"intercomSignature": []}]


class WebhookAck(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": "notif_2f9c1e0a-7b3d-4c55-9a8e-1d2c3b4a5f60", "duplicate": False}]
        }
    )

    id: str = Field(description="The notification's id, as Intercom sent it.")
    duplicate: bool = Field(
        description="True when this notification was received before: acknowledged, ignored."
    )


@router.head(
    WEBHOOK_PATH,
    response_class=Response,  # no body, and no JSON content type claiming one
    summary="Answer Intercom's check of the webhook URL",
    openapi_extra={"security": []},  # Intercom checks the URL without signing anything
)
async def webhook_url_check() -> Response:
    return Response(status_code=200)


@router.post(
    WEBHOOK_PATH,
    summary="Receive an Intercom webhook notification",
    description="Verifies `X-Hub-Signature` (HMAC-SHA1 of the raw body with the Intercom app's "
    "client secret) before reading anything, stores the notification once by its `id` and "
    "answers at once; the work happens in a job. A redelivered notification is acknowledged "
    "and changes nothing. Topics acted on: `contact.deleted`, `contact.archived` (the "
    "integration's `on_deleted_in_intercom`), `contact.unsubscribed` "
    "(`on_unsubscribed_in_intercom`), `contact.user.created`, `contact.lead.created`, "
    "`contact.user.updated`, `contact.lead.updated`, `contact.lead.signed_up`, "
    "`contact.lead.added_email`, `contact.email.updated` (written for each auto-synced list "
    "that holds the contact, as its sync would), `contact.merged` (the lists move to the "
    "surviving contact, and a customer of the same email stays; the merged one is handled as "
    "deleted), `ping`; any other is stored and ignored.",
    responses=problem_responses(401, 413, 422, 503),
    response_model=WebhookAck,
)
async def receive_webhook(request: Request) -> Response:
    # No dependencies: resolving them was a fifth of the answer's CPU, on the route Intercom
    # calls most. The header is documented by `document_signature`.
    adapters: Adapters = request.app.state.adapters
    x_hub_signature = request.headers.get("x-hub-signature")
    secret = adapters.settings.intercom_client_secret
    if secret is None:
        raise WebhooksNotConfigured
    try:
        body = await request.body()
        if len(body) > intake.MAX_BODY_BYTES:
            raise BodyTooLarge(intake.MAX_BODY_BYTES)  # the 413 of every body over a cap
        if not intake.verify(body, x_hub_signature, secret.get_secret_value()):
            raise SignatureInvalid
        # A connection only now: a forged notification costs none.
        async with adapters.direct.connection() as connection:
            received = await intake.receive(connection, body)
    except (BodyTooLarge, SignatureInvalid, NotificationInvalid):
        metrics.WEBHOOK_NOTIFICATIONS.labels("other", "refused").inc()
        raise
    metrics.WEBHOOK_NOTIFICATIONS.labels(intake.topic_label(received.topic), received.outcome).inc()
    if received.to_process is not None:
        # Intercom waits for the commit, not for the queue: a drain is queued for many at once.
        adapters.webhook_wakeups.wake()
    # Serialized here: the answer Intercom waits for skips the response model's validation.
    ack = {"id": received.notification_id, "duplicate": received.duplicate}
    return Response(orjson.dumps(ack), media_type="application/json")
