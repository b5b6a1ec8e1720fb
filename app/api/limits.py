"""A cap on request bodies, enforced before anything reads them.

FastAPI reads and parses a route's JSON body before it solves any dependency, authentication
included, and offers no hook in between: an anonymous client could make the API hold as much
JSON as it cared to send (four 31 MB posts took it from 181 MB to 1.48 GB). So this cap, not
authentication, is what bounds the memory a request can cost.

Why not FastAPI's own `max_body_size`: when the declared length is too large it still runs the
endpoint of a route that reads no body (a sync started for nothing) and answers a plain-text
413; here nothing runs, and the answer is a problem document like every other error.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import http_error

# Our largest body is an integration to connect: well under 1 KB.
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"The request body is larger than {limit} bytes.")


class BodySizeLimit:
    """413 when Content-Length is over the limit, before the app runs; for a streamed (chunked)
    body, as soon as the bytes received pass it, so that no more is read or held."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI lets an HTTPException from reading the body through to the
                    # exception handlers, which answer the same problem as `_refuse`.
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        await self.app(scope, receive_limited, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await http_error(Request(scope), BodyTooLarge(self.max_body_bytes))
        await response(scope, receive, send)
