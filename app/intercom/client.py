"""Intercom REST client: one `httpx.AsyncClient` per process, one `WorkspaceClient` per token.

`_request()` is the single place that maps responses to typed errors and retries transient
failures, so that every endpoint method stays a one-liner.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import structlog
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from app import metrics
from app.intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomInvalidRequest,
    IntercomNotFound,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
    IntercomUnexpectedResponse,
)
from app.intercom.models import (
    Accepted,
    ContactList,
    ContactRef,
    ContactSegmentList,
    DataAttribute,
    DataAttributeList,
    ErrorList,
    IntercomModel,
    Me,
    Segment,
    SegmentList,
)
from app.intercom.paging import Checkpoint, PartitionedReader, parse_query
from app.intercom.query import Query
from app.intercom.ratelimit import MAX_INLINE_WAIT_S, BudgetExhausted, Priority, RateBudget

log = structlog.get_logger(__name__)

API_VERSION = "2.14"
# INTERCOM.md §2.1/§11.6: documented defaults are wrong, 150 is the maximum; always send it.
MAX_PER_PAGE = 150
REGION_BASE_URLS = {
    "US": "https://api.intercom.io",
    "EU": "https://api.eu.intercom.io",
    "AU": "https://api.au.intercom.io",
}

ModelT = TypeVar("ModelT", bound=IntercomModel)


def base_url_for(region: str | None, override: str | None = None) -> str:
    if override:
        return override.rstrip("/")
    return REGION_BASE_URLS.get((region or "US").upper(), REGION_BASE_URLS["US"])


def new_http_client(timeout_s: float = 30.0) -> httpx.AsyncClient:
    timeout = httpx.Timeout(timeout_s, connect=5.0)
    # Keep-alive for as many connections as a sync reads partitions at once (at most 64), so
    # that concurrent pages never open and close connections.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=64)
    return httpx.AsyncClient(timeout=timeout, limits=limits, headers={"Accept": "application/json"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    max_total_s: float = 60.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, IntercomRateLimited) and exc.reset_at is not None:
            # X-RateLimit-Reset is an epoch second: wait for the window, plus jitter so that
            # waiting clients do not all return in the same millisecond.
            return max(0.0, exc.reset_at - time.time()) + random.uniform(0.05, 0.5)
        if isinstance(exc, IntercomServerError) and exc.retry_after_s is not None:
            # The server said when it can take the call again: sooner would be wasted on it,
            # so the jitter only adds.
            return exc.retry_after_s + random.uniform(0.0, 0.25)
        backoff = wait_exponential_jitter(multiplier=self.backoff_initial_s, max=self.backoff_max_s)
        return float(backoff(state))

    def should_retry(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if exc is None:
            return False
        if isinstance(exc, IntercomServerError) and exc.retry_after_s is not None:
            # A Retry-After the policy cannot honour (past its total wait, or longer than a
            # wait is slept inline) surfaces the error at once, with `retry_after_s`, so the
            # caller defers the job rather than hold a worker or retry too early.
            elapsed = state.seconds_since_start or 0.0
            allowed = min(MAX_INLINE_WAIT_S, self.max_total_s - elapsed)
            return exc.retry_after_s <= allowed
        return _is_transient(exc)


class IntercomClient:
    """Process-wide entry point; hands out clients bound to one workspace's token. With a
    budget, every call of every process on a workspace draws from one shared rate budget."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url_override: str | None = None,
        retry: RetryPolicy | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        self._http = http
        self._base_url_override = base_url_override
        self._retry = retry or RetryPolicy()
        self._budget = budget

    def workspace(
        self, token: str, region: str | None = None, *, app_id: str | None = None
    ) -> WorkspaceClient:
        """`app_id` names the workspace's budget; before it is known (connecting), the token's
        hash does."""
        base_url = base_url_for(region, self._base_url_override)
        budget_key = app_id or "token-" + hashlib.sha256(token.encode()).hexdigest()[:16]
        return WorkspaceClient(self._http, token, base_url, self._retry, self._budget, budget_key)


@dataclass
class Usage:
    """What a client asked of Intercom: requests sent (retries included), and the time spent
    waiting for the shared rate budget before sending them."""

    requests: int = 0
    budget_wait_s: float = 0.0


class WorkspaceClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str,
        base_url: str,
        retry: RetryPolicy,
        budget: RateBudget | None = None,
        budget_key: str = "",
    ) -> None:
        self._http = http
        self._base_url = base_url
        self._retry = retry
        self._budget = budget
        self._budget_key = budget_key
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Intercom-Version": API_VERSION,
        }
        self.usage = Usage()

    # -- endpoints -----------------------------------------------------------------------

    async def me(self) -> Me:
        return await self._request("GET", "/me", model=Me)

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]:
        params = {"include_count": "true"} if include_count else None
        result = await self._request("GET", "/segments", params=params, model=SegmentList)
        return result.segments

    async def list_data_attributes(self, *, include_archived: bool = False) -> list[DataAttribute]:
        params = {"model": "contact"}
        if include_archived:
            params["include_archived"] = "true"
        result = await self._request(
            "GET", "/data_attributes", params=params, model=DataAttributeList
        )
        return result.data

    async def contact_exists(self, contact_id: str) -> bool:
        """Whether the contact is still there: deleted, archived and merged-away contacts
        answer 404 (INTERCOM.md §9). An id that cannot be sent is an IntercomError: nobody can
        tell."""
        if not contact_id or not contact_id.isprintable():
            raise IntercomError(f"cannot ask Intercom about contact id {contact_id!r}")
        try:
            await self._request("GET", f"/contacts/{quote(contact_id, safe='')}", model=ContactRef)
        except IntercomNotFound:
            return False
        return True

    async def contact_segment_ids(self, contact_id: str) -> set[str]:
        """The ids of the saved segments the contact is in (what a webhook cannot tell)."""
        if not contact_id or not contact_id.isprintable():
            raise IntercomError(f"cannot ask Intercom about contact id {contact_id!r}")
        result = await self._request(
            "GET", f"/contacts/{quote(contact_id, safe='')}/segments", model=ContactSegmentList
        )
        return {segment.id for segment in result.data}

    async def create_event(
        self,
        *,
        event_name: str,
        created_at: int,
        contact_id: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """POST /events for one contact, by its Intercom id (which leads need, INTERCOM.md §5).
        Intercom drops a repeat with the same name, contact and `created_at`."""
        body: dict[str, Any] = {
            "event_name": event_name,
            "created_at": created_at,
            "id": contact_id,
        }
        if metadata:
            body["metadata"] = dict(metadata)
        await self._request("POST", "/events", json=body, model=Accepted, priority=Priority.BULK)

    async def count_contacts(self, query: Mapping[str, Any]) -> int:
        body = {"query": query, "pagination": {"per_page": 1}}
        page = await self._request("POST", "/contacts/search", json=body, model=ContactList)
        return page.total_count

    async def search_page(
        self,
        query: Mapping[str, Any],
        starting_after: str | None = None,
        *,
        per_page: int = MAX_PER_PAGE,
        priority: Priority = Priority.BULK,
    ) -> ContactList:
        """One page of a search; the cursor travels in the body (INTERCOM.md §11.4)."""
        pagination: dict[str, Any] = {"per_page": per_page}
        if starting_after:
            pagination["starting_after"] = starting_after
        body = {"query": query, "pagination": pagination}
        return await self._request(
            "POST", "/contacts/search", json=body, model=ContactList, priority=priority
        )

    def reader(
        self,
        query: Mapping[str, Any] | Query,
        *,
        timezone: str | None,
        concurrency: int = 8,
        max_partition_size: int = 1500,
        checkpoint: Checkpoint | None = None,
        custom_attribute_types: Mapping[str, str] | None = None,
    ) -> PartitionedReader:
        """Every contact of `query`, read by concurrent `created_at` partitions (paging.py).
        `custom_attribute_types` (name: data type) checks the values of custom attributes."""
        return PartitionedReader(
            fetch=self.search_page,
            query=parse_query(query, custom_attribute_types),
            timezone=timezone or "UTC",
            concurrency=concurrency,
            max_partition_size=max_partition_size,
            checkpoint_in=checkpoint,
        )

    async def search_contact_pages(
        self, query: Mapping[str, Any], *, starting_after: str | None = None
    ) -> AsyncIterator[ContactList]:
        """Pages of a search, one cursor after the other."""
        cursor = starting_after
        while True:
            page = await self.search_page(query, cursor)
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return

    async def list_contact_pages(
        self, *, starting_after: str | None = None
    ) -> AsyncIterator[ContactList]:
        cursor = starting_after
        while True:
            params: dict[str, Any] = {"per_page": MAX_PER_PAGE}
            if cursor:
                params["starting_after"] = cursor
            page = await self._request(
                "GET", "/contacts", params=params, model=ContactList, priority=Priority.BULK
            )
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return

    # -- plumbing ------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        model: type[ModelT],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> ModelT:
        retrying = AsyncRetrying(
            retry=self._retry.should_retry,
            wait=self._retry.wait,
            stop=(
                stop_after_attempt(self._retry.attempts) | stop_after_delay(self._retry.max_total_s)
            ),
            reraise=True,
            before_sleep=_log_retry,
        )
        async for attempt in retrying:
            with attempt:
                response = await self._send(
                    method, path, params=params, json=json, priority=priority
                )
                _raise_for_error(response)
                try:
                    return model.parse_json(response.content)
                except ValidationError as exc:
                    raise IntercomUnexpectedResponse(
                        f"Unexpected response from Intercom {method} {path}: {exc.error_count()} "
                        "invalid fields",
                        status=response.status_code,
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        priority: Priority,
    ) -> httpx.Response:
        grant = None
        if self._budget is not None:
            asked = time.monotonic()
            try:
                grant = await self._budget.acquire(self._budget_key, priority)
            except BudgetExhausted as exc:
                metrics.RATE_BUDGET_EXHAUSTED.inc()
                raise IntercomRateLimited(
                    "Intercom rate limit reached; retry later", reset_at=exc.reset_at
                ) from exc
            finally:
                waited = time.monotonic() - asked
                self.usage.budget_wait_s += waited
                metrics.RATE_BUDGET_WAIT_SECONDS.inc(waited)
        self.usage.requests += 1
        sent = time.monotonic()
        try:
            response = await self._http.request(
                method, self._base_url + path, params=params, json=json, headers=self._headers
            )
        except httpx.TransportError as exc:
            metrics.INTERCOM_REQUESTS.labels("transport_error").inc()
            raise IntercomTransportError(f"{type(exc).__name__} calling Intercom {path}") from exc
        metrics.INTERCOM_REQUEST_SECONDS.observe(time.monotonic() - sent)
        metrics.INTERCOM_REQUESTS.labels(str(response.status_code)).inc()
        if response.status_code == 429:
            metrics.INTERCOM_RATE_LIMITED.inc()
        if self._budget is not None and grant is not None:
            headers = response.headers
            await self._budget.observe(
                self._budget_key,
                grant,
                remaining=_int_header(headers, "X-RateLimit-Remaining"),
                reset=_int_header(headers, "X-RateLimit-Reset"),
                limit=_int_header(headers, "X-RateLimit-Limit"),
                rate_limited=response.status_code == 429,
            )
        return response


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and value.isdigit() else None


def _retry_after_s(headers: httpx.Headers) -> float | None:
    """`Retry-After` in seconds from now: RFC 9110 §10.2.3 allows delay-seconds or an HTTP
    date. Unreadable values are ignored (the policy's own backoff applies)."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, IntercomRateLimited):
        # A window that resets far away is raised to the job ("retry later"), not slept inline.
        return exc.reset_at is None or exc.reset_at - time.time() <= MAX_INLINE_WAIT_S
    return isinstance(exc, IntercomServerError | IntercomTransportError)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else None
    log.warning(
        "intercom.retry",
        attempt=state.attempt_number,
        error=type(exc).__name__,
        status=getattr(exc, "status", None),
        wait_s=wait,
    )


def _error_message(response: httpx.Response) -> tuple[str | None, str]:
    try:
        errors = ErrorList.model_validate_json(response.content).errors
    except ValidationError:
        # Proxies in front of Intercom answer some 5xx with HTML.
        return None, f"HTTP {response.status_code}"
    if not errors:
        return None, f"HTTP {response.status_code}"
    first = errors[0]
    return first.code, first.message or first.code


def _raise_for_error(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    code, message = _error_message(response)
    if status == 429:
        reset = response.headers.get("X-RateLimit-Reset")
        reset_at = float(reset) if reset and reset.isdigit() else None
        raise IntercomRateLimited(message, reset_at=reset_at)
    if status in (401, 403):
        raise IntercomAuthError(message, status=status, code=code)
    if status == 404:
        raise IntercomNotFound(message, status=status, code=code)
    if status >= 500:
        # INTERCOM.md §8 lists `service_unavailable`/`retry_after`; a 503 (from Intercom or a
        # proxy in front of it) may say when to come back.
        raise IntercomServerError(
            message, status=status, code=code, retry_after_s=_retry_after_s(response.headers)
        )
    if status in (400, 409, 422):
        raise IntercomInvalidRequest(message, status=status, code=code)
    raise IntercomError(message, status=status, code=code)
