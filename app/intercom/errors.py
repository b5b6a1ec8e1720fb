"""Typed errors of the Intercom adapter, so callers never look at status codes."""

from __future__ import annotations


class IntercomError(Exception):
    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class IntercomAuthError(IntercomError):
    """The token is invalid, revoked or lacks a scope (401/403): retrying cannot help."""


class IntercomNotFound(IntercomError):
    pass


class IntercomRateLimited(IntercomError):
    def __init__(self, message: str, *, reset_at: float | None, status: int = 429) -> None:
        super().__init__(message, status=status, code="rate_limit_exceeded")
        self.reset_at = reset_at


class IntercomInvalidRequest(IntercomError):
    """Intercom refused the request as malformed (400/422), e.g. an invalid search query."""


class IntercomServerError(IntercomError):
    """5xx. `retry_after_s` is the server's `Retry-After`, when it sent one: raised with it, the
    wait was longer than the retry policy sleeps, and the caller can defer the work that long."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after_s = retry_after_s


class IntercomTransportError(IntercomError):
    """Timeout, refused or dropped connection: no HTTP answer at all."""


class IntercomUnexpectedResponse(IntercomError):
    """A success status with a body of the wrong shape: retrying would get the same body."""
