from __future__ import annotations

import uuid

from app.errors import AppError, Conflict, NotFound


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
            errors=[{"field": "access_token", "message": message}],
        )


class IntegrationNeedsReauth(Conflict):
    code = "integration_reauth_required"
    title = "The integration must be reconnected"

    def __init__(self, integration_id: uuid.UUID) -> None:
        super().__init__(
            f"Intercom refused the stored token of integration {integration_id}; connect the "
            "same workspace again (access token or OAuth) before syncing.",
            integration_id=str(integration_id),
        )
