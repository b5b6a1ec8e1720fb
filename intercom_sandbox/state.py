"""The sandbox's mutable state: workspaces and their indexes, mutations, faults, rate-limit windows,
recorded events, OAuth codes and request statistics."""

from __future__ import annotations

import bisect
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from intercom_sandbox.data import (
    PLANS,
    SegmentDef,
    WorkspaceData,
    build_workspace,
    new_contact,
)
from intercom_sandbox.search import Predicate, SearchContext, compile_query

INLINE_LIST_LIMIT = 10  # INTERCOM.md §2.3: tags/companies/notes carry at most 10 items inline
PRIVATE_FIELDS = ("tag_ids", "company_ids", "_indexed_at")
OAUTH_CODE_TTL_S = 300  # INTERCOM.md §1.2: a code expires after about 5 minutes
MUTATION_KINDS = (
    "create",
    "update",
    "delete",
    "archive",
    "merge",
    "unsubscribe",
    "email",
    "signup",
)
ERROR_STATUSES = (500, 502, 503)  # the server errors faults inject

SortKey = tuple[int, str]


def sort_key(contact: dict[str, Any]) -> SortKey:
    return (contact["created_at"], contact["id"])


@dataclass
class RateWindow:
    window: int = -1
    used: int = 0
    told_exhausted: bool = False


@dataclass
class Change:
    """One mutation, as a webhook topic and the item it carries."""

    topic: str
    item: dict[str, Any]


@dataclass
class Workspace:
    data: WorkspaceData
    rng: random.Random = field(default_factory=random.Random)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    ordered: list[dict[str, Any]] = field(default_factory=list)
    keys: list[SortKey] = field(default_factory=list)
    # Gone from list and search: deleted ids answer 404; archived and merged-away ones too.
    deleted: set[str] = field(default_factory=set)
    archived: dict[str, dict[str, Any]] = field(default_factory=dict)
    merged_into: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    # Intercom's de-duplication key of each recorded event, and the repeats it absorbed.
    event_keys: set[tuple[str, str, int]] = field(default_factory=set)
    repeated_events: int = 0
    version: int = 0
    rate: RateWindow = field(default_factory=RateWindow)
    _rendered: dict[str, bytes] = field(default_factory=dict)
    _search_cache: dict[tuple[bytes, int], tuple[list[dict[str, Any]], list[SortKey]]] = field(
        default_factory=dict
    )
    _segment_cache: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"mutations:{self.data.app_id}")
        self.by_id = {c["id"]: c for c in self.data.contacts}
        self.ordered = sorted(self.data.contacts, key=sort_key)
        self.keys = [sort_key(c) for c in self.ordered]

    # -- reads ---------------------------------------------------------------------------

    @property
    def context(self) -> SearchContext:
        return SearchContext(zone=self.data.zone, segment_members=self.segment_members)

    def segment(self, segment_id: str) -> SegmentDef | None:
        return next((s for s in self.data.segments if s.id == segment_id), None)

    def segment_members(self, segment_id: str) -> frozenset[str]:
        key = (segment_id, self.version)
        if key not in self._segment_cache:
            segment = self.segment(segment_id)
            if segment is None:
                members: frozenset[str] = frozenset()
            else:
                role = "user" if segment.person_type == "user" else "lead"
                rule = compile_query(segment.rule, self.context)
                members = frozenset(c["id"] for c in self.ordered if c["role"] == role and rule(c))
            self._segment_cache[key] = members
        return self._segment_cache[key]

    def search(
        self, query: Any, *, index_lag_s: float = 0.0
    ) -> tuple[list[dict[str, Any]], list[SortKey]]:
        """Matches in list order with their sort keys; cached per query until the data changes.

        With an index lag, contacts created less than `index_lag_s` ago are not found yet
        (INTERCOM.md §2.2: new contacts take a while to become searchable)."""
        cache_key = (orjson.dumps(query, option=orjson.OPT_SORT_KEYS), self.version)
        cached = self._search_cache.get(cache_key)
        if cached is None:
            predicate: Predicate = compile_query(query, self.context)
            # Contacts are kept in created_at order, so a created_at range in the query narrows
            # the scan to a slice; the predicate still decides.
            low, high = created_at_bounds(query, self.data.zone)
            start = 0 if low is None else bisect.bisect_left(self.keys, (low, ""))
            end = len(self.ordered) if high is None else bisect.bisect_left(self.keys, (high, ""))
            matches = [c for c in self.ordered[start:end] if predicate(c)]
            cached = (matches, [sort_key(c) for c in matches])
            if len(self._search_cache) > 256:
                self._search_cache.clear()
            self._search_cache[cache_key] = cached
        if index_lag_s <= 0:
            return cached
        horizon = time.time() - index_lag_s
        visible = [c for c in cached[0] if c.get("_indexed_at", 0) <= horizon]
        return visible, [sort_key(c) for c in visible]

    def rendered(self, contact: dict[str, Any]) -> bytes:
        """The contact's JSON in Intercom's shape, cached until the contact changes."""
        cached = self._rendered.get(contact["id"])
        if cached is None:
            cached = orjson.dumps(render_contact(self, contact))
            self._rendered[contact["id"]] = cached
        return cached

    def tags_of(self, contact: dict[str, Any]) -> list[dict[str, Any]]:
        ids = set(contact["tag_ids"])
        return [t for t in self.data.tags if t["id"] in ids]

    def companies_of(self, contact: dict[str, Any]) -> list[dict[str, Any]]:
        ids = set(contact["company_ids"])
        return [c for c in self.data.companies if c["id"] in ids]

    def segments_of(self, contact: dict[str, Any]) -> list[SegmentDef]:
        return [s for s in self.data.segments if contact["id"] in self.segment_members(s.id)]

    def find(
        self,
        *,
        contact_id: str | None = None,
        external_id: str | None = None,
        email: str | None = None,
    ) -> dict[str, Any] | None:
        if contact_id is not None:
            return self.by_id.get(contact_id)
        for contact in self.ordered:
            if external_id is not None and contact["external_id"] == external_id:
                return contact
            if email is not None and (contact["email"] or "").strip().lower() == email.lower():
                if contact["role"] == "user":
                    return contact
        return None

    # -- mutations -----------------------------------------------------------------------

    def _changed(self, contact: dict[str, Any] | None = None) -> None:
        self.version += 1
        if contact is not None:
            self._rendered.pop(contact["id"], None)

    def _insert(self, contact: dict[str, Any]) -> None:
        key = sort_key(contact)
        index = bisect.bisect_left(self.keys, key)
        self.keys.insert(index, key)
        self.ordered.insert(index, contact)
        self.by_id[contact["id"]] = contact
        self._changed(contact)

    def _remove(self, contact: dict[str, Any]) -> None:
        index = bisect.bisect_left(self.keys, sort_key(contact))
        del self.keys[index]
        del self.ordered[index]
        del self.by_id[contact["id"]]
        self._changed(contact)

    def _pick(self, role: str | None = None, contact_id: str | None = None) -> dict[str, Any]:
        if contact_id is not None:
            contact = self.by_id.get(contact_id)
            if contact is None:
                raise KeyError(contact_id)
            return contact
        pool = [c for c in self.ordered if role is None or c["role"] == role]
        if not pool:
            raise KeyError("no contact to mutate")
        return self.rng.choice(pool)

    def mutate(self, kind: str, contact_id: str | None = None) -> Change:
        now = int(time.time())
        if kind == "create":
            role = self.rng.choice(["user", "lead"])
            contact = new_contact(self.rng, self.data, len(self.by_id) + 100_000, now, role)
            contact.update(updated_at=now, last_seen_at=None, _indexed_at=time.time())
            self._insert(contact)
            return Change(f"contact.{role}.created", render_contact(self, contact))
        if kind == "update":
            contact = self._pick(contact_id=contact_id)
            contact["custom_attributes"]["plan"] = self.rng.choice(PLANS)
            contact["name"] = f"{contact['name'] or 'Anonymous'} ✎"
            contact["updated_at"] = max(now, contact["updated_at"] + 1)
            self._changed(contact)
            return Change(f"contact.{contact['role']}.updated", render_contact(self, contact))
        if kind == "unsubscribe":
            contact = self._pick(contact_id=contact_id)
            contact["unsubscribed_from_emails"] = True
            contact["updated_at"] = max(now, contact["updated_at"] + 1)
            self._changed(contact)
            return Change("contact.unsubscribed", render_contact(self, contact))
        if kind == "delete":
            contact = self._pick(contact_id=contact_id)
            self._remove(contact)
            self.deleted.add(contact["id"])
            return Change("contact.deleted", _reference(contact))
        if kind == "archive":
            contact = self._pick(contact_id=contact_id)
            self._remove(contact)
            self.archived[contact["id"]] = contact
            return Change("contact.archived", _reference(contact))
        if kind == "merge":
            lead = self._pick(role="lead", contact_id=contact_id)
            if lead["role"] != "lead":
                raise KeyError("only a lead can be merged into a user")
            user = self._pick(role="user")
            self._remove(lead)
            self.merged_into[lead["id"]] = user["id"]
            for name, value in lead["custom_attributes"].items():
                user["custom_attributes"].setdefault(name, value)
            user["updated_at"] = max(now, user["updated_at"] + 1)
            self._changed(user)
            item = {
                **render_contact(self, user),
                "merged_from": {"type": "contact", "id": lead["id"]},
            }
            return Change("contact.merged", item)
        if kind == "email":
            # A new address: `contact.email.updated`, or `contact.lead.added_email` for a lead
            # that had none (INTERCOM.md §7).
            contact = self._pick(contact_id=contact_id)
            had_email = bool((contact["email"] or "").strip())
            contact["email"] = f"renamed{self.version}.{contact['id'][-8:]}@example.org"
            contact["updated_at"] = max(now, contact["updated_at"] + 1)
            self._changed(contact)
            added = contact["role"] == "lead" and not had_email
            topic = "contact.lead.added_email" if added else "contact.email.updated"
            return Change(topic, render_contact(self, contact))
        if kind == "signup":
            # A lead signs up and becomes a user, keeping its id: `contact.lead.signed_up`.
            lead = self._pick(role="lead", contact_id=contact_id)
            if lead["role"] != "lead":
                raise KeyError("only a lead can sign up")
            lead.update(role="user", signed_up_at=now, updated_at=max(now, lead["updated_at"] + 1))
            self._changed(lead)
            return Change("contact.lead.signed_up", render_contact(self, lead))
        raise ValueError(f"unknown mutation {kind!r}; one of {', '.join(MUTATION_KINDS)}")

    def load(self, created_at: list[int], timezone: str | None = None) -> None:
        """Replaces the contacts with one per timestamp (roles alternate), for tests of how a
        client partitions a workspace by `created_at`."""
        if timezone is not None:
            self.data.timezone = timezone
        rng = random.Random(f"load:{len(created_at)}:{sum(created_at)}")
        contacts = [
            new_contact(rng, self.data, position, stamp, "user" if position % 2 == 0 else "lead")
            for position, stamp in enumerate(created_at)
        ]
        self.data.contacts = contacts
        self.by_id = {c["id"]: c for c in contacts}
        self.ordered = sorted(contacts, key=sort_key)
        self.keys = [sort_key(c) for c in self.ordered]
        self._rendered.clear()
        self.version += 1

    def random_mutation(self) -> Change:
        return self.mutate(self.rng.choice(MUTATION_KINDS))

    # -- rate limit ----------------------------------------------------------------------

    def take_request(self, limit: int, now: float, window_s: int = 10) -> tuple[bool, int, int]:
        """Counts one request against the current window: 10 seconds at Intercom (INTERCOM.md
        §6), shorter in tests. Returns (allowed, remaining, reset_epoch)."""
        window = int(now // window_s)
        if window != self.rate.window:
            self.rate = RateWindow(window=window)
        reset = (window + 1) * window_s
        if self.rate.used >= limit:
            self.rate.told_exhausted = True
            return False, 0, reset
        self.rate.used += 1
        remaining = limit - self.rate.used
        if remaining == 0:
            self.rate.told_exhausted = True
        return True, remaining, reset


@dataclass
class Faults:
    """What goes wrong, and how often. Rates are probabilities per Intercom request."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0  # answered 500, 502 or 503; half of them with an HTML body
    error_status: int = 0  # the status of those errors; 0: one of the three at random
    fail_next: int = 0  # the next N requests get an error, whatever `error_rate`
    # Sent as `Retry-After` (whole seconds) on the 503s above, as Intercom and the proxies in
    # front of it do when overloaded; 0: no header.
    retry_after_s: float = 0.0
    stall_rate: float = 0.0  # answered only after `stall_s`: longer than a client's timeout
    stall_s: float = 30.0
    drop_rate: float = 0.0  # the connection closes mid-response
    revoked: bool = False  # every call answers 401 token_revoked
    search_index_lag_s: float = 0.0

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown fault {name!r}")
            if name == "error_status" and int(value) not in (*ERROR_STATUSES, 0):
                raise ValueError(f"error_status is one of {ERROR_STATUSES}, or 0 for any")
            setattr(self, name, type(getattr(self, name))(value))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    rate_limited: int = 0
    # Requests that arrived in a window the client had already been told was exhausted.
    sent_into_exhausted_window: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    # Per workspace and rate window: how many requests were let through (for budget checks).
    per_window: Counter[str] = field(default_factory=Counter)
    # Search requests per query (canonical JSON), to prove what a client did or did not re-read.
    searches: Counter[str] = field(default_factory=Counter)
    # Contacts sent in list and search pages, per endpoint: a read that fetches each contact
    # once sends exactly as many as there are.
    contacts_returned: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "searches": dict(self.searches),
            "contacts_returned": dict(self.contacts_returned),
            "total_requests": sum(self.requests.values()),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "rate_limited": self.rate_limited,
            "sent_into_exhausted_window": self.sent_into_exhausted_window,
            "faults": dict(self.faults),
            "per_window": dict(self.per_window),
        }


@dataclass
class SandboxConfig:
    seed: int = 1
    contacts: int = 2000
    workspaces: int = 2
    rate_limit: int = 1667  # per 10-second window: a 10,000/min private app (INTERCOM.md §6)
    rate_window_s: int = 10
    faults: Faults = field(default_factory=Faults)
    fault_seed: int = 0
    mutation_rate: float = 0.0  # random mutations per second, per workspace
    webhook_url: str | None = None
    webhook_timeout_s: float = 5.0  # INTERCOM.md §7: answer within 5 s or the delivery fails
    webhook_retry_delay_s: float = 60.0  # … and is retried once, a minute later
    oauth_client_id: str = "sandbox-oauth-client"
    oauth_client_secret: str = "sandbox-oauth-secret"
    record_responses: str | None = None  # a JSON-lines file of every Intercom response


@dataclass
class OAuthCode:
    workspace: Workspace
    expires_at: float
    redirect_uri: str | None


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.stats = Stats()
        self.workspaces: list[Workspace] = []
        self.by_token: dict[str, Workspace] = {}
        self.oauth_codes: dict[str, OAuthCode] = {}
        self.fault_rng = random.Random(config.fault_seed)
        self.on_change: Callable[[Workspace, Change], None] = lambda workspace, change: None
        self.reset()

    @property
    def faults(self) -> Faults:
        return self.config.faults

    def reset(
        self, *, seed: int | None = None, contacts: int | None = None, workspaces: int | None = None
    ) -> None:
        if seed is not None:
            self.config.seed = seed
        if contacts is not None:
            self.config.contacts = contacts
        if workspaces is not None:
            self.config.workspaces = workspaces
        self.workspaces = [
            Workspace(build_workspace(self.config.seed, index, self.config.contacts))
            for index in range(self.config.workspaces)
        ]
        self.by_token = {w.data.access_token: w for w in self.workspaces}
        self.oauth_codes.clear()
        self.stats = Stats()

    def workspace_by_app_id(self, app_id: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.data.app_id == app_id), None)

    def mutate(self, workspace: Workspace, kind: str, contact_id: str | None = None) -> Change:
        change = workspace.mutate(kind, contact_id)
        self.on_change(workspace, change)
        return change

    def issue_oauth_code(self, workspace: Workspace, redirect_uri: str | None) -> str:
        code = secrets.token_urlsafe(16)
        self.oauth_codes[code] = OAuthCode(workspace, time.time() + OAUTH_CODE_TTL_S, redirect_uri)
        return code

    def redeem_oauth_code(self, code: str) -> Workspace | None:
        """Single use: a code is gone once redeemed, and worthless once expired."""
        issued = self.oauth_codes.pop(code, None)
        if issued is None or issued.expires_at < time.time():
            return None
        return issued.workspace


def _reference(contact: dict[str, Any]) -> dict[str, Any]:
    # *.deleted and *.archived topics carry identifying fields only (INTERCOM.md §7).
    return {"type": "contact", "id": contact["id"], "external_id": contact["external_id"]}


def created_at_bounds(query: Any, zone: ZoneInfo) -> tuple[int | None, int | None]:
    """Epoch bounds [low, high) implied by `created_at` filters at the top of an AND (or alone),
    by the day rules: `>` starts the next day, `<` ends before the day, `=` is the day."""
    filters = query.get("value") if query.get("operator") == "AND" else [query]
    low: int | None = None
    high: int | None = None
    for item in filters if isinstance(filters, list) else []:
        if not isinstance(item, dict) or item.get("field") != "created_at":
            continue
        value, operator = item.get("value"), item.get("operator")
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        day = datetime.fromtimestamp(value, zone).date()
        start = int(datetime.combine(day, dt_time(), zone).timestamp())
        next_start = int(datetime.combine(day + timedelta(days=1), dt_time(), zone).timestamp())
        if operator in ("=", ">"):
            candidate = start if operator == "=" else next_start
            low = candidate if low is None else max(low, candidate)
        if operator in ("=", "<"):
            candidate = next_start if operator == "=" else start
            high = candidate if high is None else min(high, candidate)
    return low, high


def render_contact(workspace: Workspace, contact: dict[str, Any]) -> dict[str, Any]:
    """The stored contact in Intercom's 2.14 shape."""
    rendered = {k: v for k, v in contact.items() if k not in PRIVATE_FIELDS}
    # The 2.14 schema types email and email_domain as non-nullable strings: a contact without
    # an email carries "" (INTERCOM.md leaves the real value UNCONFIRMED).
    email = contact["email"]
    rendered["email"] = email or ""
    rendered["email_domain"] = email.strip().rsplit("@", 1)[1].lower() if email else ""
    rendered["avatar"] = None
    rendered["social_profiles"] = {"type": "list", "data": []}
    cid = contact["id"]
    rendered["tags"] = _addressable(
        [
            {"type": "tag", "id": t["id"], "url": f"/tags/{t['id']}"}
            for t in workspace.tags_of(contact)
        ],
        f"/contacts/{cid}/tags",
    )
    rendered["companies"] = _addressable(
        [
            {"type": "company", "id": c["id"], "url": f"/companies/{c['id']}"}
            for c in workspace.companies_of(contact)
        ],
        f"/contacts/{cid}/companies",
    )
    rendered["notes"] = _addressable([], f"/contacts/{cid}/notes")
    return rendered


def _addressable(items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return {
        "type": "list",
        "data": items[:INLINE_LIST_LIMIT],
        "url": url,
        "total_count": len(items),
        "has_more": len(items) > INLINE_LIST_LIMIT,
    }


def page_after(
    items: list[dict[str, Any]], keys: list[SortKey], cursor_key: SortKey | None, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The page of `items` (sorted by sort_key) after `cursor_key`, and its start index.

    A cursor names the last contact seen, not an offset, so contacts created or deleted while a
    client pages never shift the pages it has still to read."""
    start = 0 if cursor_key is None else bisect.bisect_right(keys, cursor_key)
    return items[start : start + per_page], start
