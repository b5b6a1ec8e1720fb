from __future__ import annotations

from app.errors import AppError, InvalidInput


class SignatureInvalid(AppError):
    status = 401
    code = "signature_invalid"
    title = "The notification's signature does not verify"
    # Not a bearer token: an HMAC of the body in X-Hub-Signature, keyed with the app's secret.
    challenge = 'X-Hub-Signature realm="intercom-webhooks"'

    def __init__(self) -> None:
        super().__init__(
            "X-Hub-Signature must be sha1=<HMAC-SHA1 of the raw body, keyed with the Intercom "
            "app's client secret>; nothing was stored."
        )


class WebhooksNotConfigured(AppError):
    status = 503
    code = "webhooks_not_configured"
    title = "Webhooks cannot be verified"

    def __init__(self) -> None:
        super().__init__(
            "INTERCOM_CLIENT_SECRET is not set: no notification can be verified, so none is "
            "accepted."
        )


class NotificationInvalid(InvalidInput):
    code = "notification_invalid"
    title = "Not an Intercom notification"
