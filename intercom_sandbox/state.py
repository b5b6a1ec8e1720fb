"""The sandbox's mutable state: workspaces, their indexes, rate-limit windows and statistics."""

from __future__ import annotations

import bisect
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from intercom_sandbox.data import SegmentDef, WorkspaceData, build_workspace
from intercom_sandbox.search import Predicate, SearchContext, compile_query

INLINE_LIST_LIMIT = 10  # INTERCOM.md §2.3: tags/companies/notes carry at most 10 items inline

SortKey = tuple[int, str]


def sort_key(contact: dict[str, Any]) -> SortKey:
    return (contact["created_at"], contact["id"])


@dataclass
class RateWindow:
    window: int = -1
    used: int = 0
    told_exhausted: bool = False


@dataclass
class Workspace:
    data: WorkspaceData
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    ordered: list[dict[str, Any]] = field(default_factory=list)
    keys: list[SortKey] = field(default_factory=list)
    version: int = 0
    rate: RateWindow = field(default_factory=RateWindow)
    _search_cache: dict[tuple[bytes, int], tuple[list[dict[str, Any]], list[SortKey]]] = field(
        default_factory=dict
    )
    _segment_cache: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self.by_id = {c["id"]: c for c in self.data.contacts}
        self.ordered = sorted(self.data.contacts, key=sort_key)
        self.keys = [sort_key(c) for c in self.ordered]
        self.version += 1
        self._search_cache.clear()
        self._segment_cache.clear()

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

    def search(self, query: Any) -> tuple[list[dict[str, Any]], list[SortKey]]:
        """Matches in list order with their sort keys; cached per query until the data changes."""
        cache_key = (orjson.dumps(query, option=orjson.OPT_SORT_KEYS), self.version)
        cached = self._search_cache.get(cache_key)
        if cached is None:
            predicate: Predicate = compile_query(query, self.context)
            matches = [c for c in self.ordered if predicate(c)]
            cached = (matches, [sort_key(c) for c in matches])
            if len(self._search_cache) > 256:
                self._search_cache.clear()
            self._search_cache[cache_key] = cached
        return cached

    def take_request(self, limit: int) -> tuple[bool, int, int]:
        """Counts one request against the current 10-second window.

        Returns (allowed, remaining, reset_epoch)."""
        now = time.time()
        window = int(now // 10)
        if window != self.rate.window:
            self.rate = RateWindow(window=window)
        reset = (window + 1) * 10
        if self.rate.used >= limit:
            return False, 0, reset
        self.rate.used += 1
        return True, limit - self.rate.used, reset


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    rate_limited: int = 0
    # Requests that arrived in a window the client had already been told was exhausted.
    sent_into_exhausted_window: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total_requests": sum(self.requests.values()),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "rate_limited": self.rate_limited,
            "sent_into_exhausted_window": self.sent_into_exhausted_window,
        }


@dataclass
class SandboxConfig:
    seed: int = 1
    contacts: int = 2000
    workspaces: int = 2
    rate_limit: int = 1667  # per 10-second window: a 10,000/min private app (INTERCOM.md §6)
    latency_ms: float = 0.0
    jitter_ms: float = 0.0


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.stats = Stats()
        self.workspaces: list[Workspace] = []
        self.by_token: dict[str, Workspace] = {}
        self.reset()

    def reset(self, *, seed: int | None = None, contacts: int | None = None) -> None:
        if seed is not None:
            self.config.seed = seed
        if contacts is not None:
            self.config.contacts = contacts
        self.workspaces = [
            Workspace(build_workspace(self.config.seed, index, self.config.contacts))
            for index in range(self.config.workspaces)
        ]
        self.by_token = {w.data.access_token: w for w in self.workspaces}
        self.stats = Stats()

    def workspace_by_app_id(self, app_id: str) -> Workspace | None:
        return next((w for w in self.workspaces if w.data.app_id == app_id), None)


def render_contact(workspace: Workspace, contact: dict[str, Any]) -> dict[str, Any]:
    """The stored contact in Intercom's 2.14 shape."""
    rendered = {k: v for k, v in contact.items() if k not in ("tag_ids", "company_ids")}
    # The 2.14 schema types email and email_domain as non-nullable strings: a contact without
    # an email carries "" (INTERCOM.md leaves the real value UNCONFIRMED).
    email = contact["email"]
    rendered["email"] = email or ""
    rendered["email_domain"] = email.strip().rsplit("@", 1)[1].lower() if email else ""
    rendered["avatar"] = None
    rendered["social_profiles"] = {"type": "list", "data": []}
    tags = [t for t in workspace.data.tags if t["id"] in set(contact["tag_ids"])]
    companies = [c for c in workspace.data.companies if c["id"] in set(contact["company_ids"])]
    cid = contact["id"]
    rendered["tags"] = {
        "type": "list",
        "data": [
            {"type": "tag", "id": t["id"], "url": f"/tags/{t['id']}"}
            for t in tags[:INLINE_LIST_LIMIT]
        ],
        "url": f"/contacts/{cid}/tags",
        "total_count": len(tags),
        "has_more": len(tags) > INLINE_LIST_LIMIT,
    }
    rendered["companies"] = {
        "type": "list",
        "data": [
            {"type": "company", "id": c["id"], "url": f"/companies/{c['id']}"}
            for c in companies[:INLINE_LIST_LIMIT]
        ],
        "url": f"/contacts/{cid}/companies",
        "total_count": len(companies),
        "has_more": len(companies) > INLINE_LIST_LIMIT,
    }
    rendered["notes"] = {
        "type": "list",
        "data": [],
        "url": f"/contacts/{cid}/notes",
        "total_count": 0,
        "has_more": False,
    }
    return rendered


def page_after(
    items: list[dict[str, Any]], keys: list[SortKey], cursor_key: SortKey | None, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """The page of `items` (sorted by sort_key) after `cursor_key`, and its start index.

    A cursor names the last contact seen, not an offset, so contacts created or deleted while a
    client pages never shift the pages it has still to read."""
    start = 0 if cursor_key is None else bisect.bisect_right(keys, cursor_key)
    return items[start : start + per_page], start
