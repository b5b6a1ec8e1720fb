from __future__ import annotations

import uuid

from app.errors import AppError, Conflict, InvalidInput, NotFound


class IntegrationNotFound(NotFound):
    def __init__(self, integration_id: uuid.UUID) -> None:
        super().__init__("Integration", integration_id)


class IntegrationLimitReached(Conflict):
    code = "integration_limit_reached"
    title = "Integration limit reached"


class WorkspaceAlreadyConnected(Conflict):
    code = "workspace_already_connected"
    title = "Workspace already connected"


class IntercomTokenRejected(AppError):
    status = 422
    code = "intercom_token_rejected"
    title = "Intercom rejected the access token"

    def __init__(self, message: str) -> None:
        super().__init__(
            f"Intercom did not accept the access token: {message}",
            errors=[{"field": "body.access_token", "message": message}],
        )


class IntegrationNeedsReauth(Conflict):
    code = "integration_reauth_required"
    title = "The integration must be reconnected"

    def __init__(self, integration_id: uuid.UUID) -> None:
        super().__init__(
            f"Intercom refused the stored token of integration {integration_id}; connect the "
            "same workspace again (access token or OAuth) before syncing or refreshing it.",
            integration_id=str(integration_id),
        )


class OAuthNotConfigured(AppError):
    status = 503
    code = "oauth_not_configured"
    title = "OAuth connect is not configured"

    def __init__(self) -> None:
        super().__init__(
            "This deployment has no Intercom OAuth app (INTERCOM_CLIENT_ID, "
            "INTERCOM_CLIENT_SECRET, OAUTH_REDIRECT_URIS); connect with an access token instead."
        )


class OAuthRedirectNotAllowed(InvalidInput):
    code = "oauth_redirect_not_allowed"
    title = "Redirect not allowed"

    def __init__(self) -> None:
        super().__init__("body.redirect_uri", "is not one of the redirects this product allows")


class OAuthStateInvalid(InvalidInput):
    """Not a state this service signed (tampered, truncated, another deployment's)."""

    code = "oauth_state_invalid"
    title = "Invalid OAuth state"

    def __init__(self) -> None:
        super().__init__("body.state", "is not a valid OAuth state")


class OAuthStateUnknown(InvalidInput):
    """Signed by us, but not for this account (or its row is gone). Told apart from nothing
    else, so that it says nothing of other accounts."""

    code = "oauth_state_unknown"
    title = "Unknown OAuth state"

    def __init__(self) -> None:
        super().__init__("body.state", "was not issued to this account; start the connect again")


class OAuthStateExpired(InvalidInput):
    code = "oauth_state_expired"
    title = "Expired OAuth state"

    def __init__(self) -> None:
        super().__init__("body.state", "has expired; start the connect again")


class OAuthStateUsed(InvalidInput):
    code = "oauth_state_used"
    title = "OAuth state already used"

    def __init__(self) -> None:
        super().__init__("body.state", "was already used; start the connect again")


class OAuthCodeRejected(InvalidInput):
    code = "oauth_code_rejected"
    title = "Intercom refused the OAuth code"

    def __init__(self) -> None:
        # Intercom's codes are single use and live about 5 minutes (INTERCOM.md §1.2).
        super().__init__(
            "body.code", "Intercom refused the code (invalid, already used or expired)"
        )


class OAuthClientRejected(AppError):
    status = 502
    code = "intercom_oauth_client_rejected"
    title = "Intercom refused this deployment's OAuth client"

    def __init__(self) -> None:
        super().__init__(
            "Intercom refused the OAuth client id or secret; check INTERCOM_CLIENT_ID and "
            "INTERCOM_CLIENT_SECRET. Nothing was changed."
        )
