"""Errors the domain raises; the API renders them as RFC 9457 problems. No web framework here."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"
    # The `WWW-Authenticate` challenge a 401 carries (RFC 9110 §11.6.1): what to send instead.
    challenge: ClassVar[str] = "Bearer"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = "Resource not found"

    def __init__(self, resource: str, resource_id: object) -> None:
        super().__init__(f"{resource} {resource_id} was not found.", resource=resource)


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class InvalidInput(AppError):
    """Input that passed schema validation but breaks a rule; names the field at fault."""

    status = 422
    code = "invalid_input"
    title = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


class InvalidFields(AppError):
    """Input that breaks several rules at once: `errors` names every field at fault."""

    status = 422
    code = "invalid_input"
    title = "Invalid input"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first['field']}: {first['message']}{more}", errors=errors)


class PreconditionFailed(AppError):
    """A write named a version (If-Match) that is no longer the current one: someone else saved
    in between. The client reads again and reapplies its change."""

    status = 412
    code = "version_mismatch"
    title = "The resource changed since it was read"

    def __init__(self, resource: str, current_version: int) -> None:
        super().__init__(
            f"Someone saved the {resource} since you read it; read it again (version "
            f"{current_version}) and reapply your change.",
            current_version=current_version,
        )


def ensure_version(resource: str, current: int, expected: int | None) -> None:
    """`expected`: the version an If-Match named, or None when the write did not send one."""
    if expected is not None and expected != current:
        raise PreconditionFailed(resource, current)
