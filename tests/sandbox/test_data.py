"""The seeded data has what a sync must cope with, deterministically."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from intercom_sandbox.data import build_workspace, dense_day_count
from intercom_sandbox.state import Sandbox, SandboxConfig


def test_the_same_seed_gives_the_same_workspace_and_another_seed_another() -> None:
    assert build_workspace(1, 0, 300) == build_workspace(1, 0, 300)
    assert build_workspace(1, 0, 300).contacts != build_workspace(2, 0, 300).contacts


def test_the_demo_data_has_every_awkward_case() -> None:
    workspace = build_workspace(1, 0, 2000)
    contacts = workspace.contacts
    names = " ".join(c["name"] or "" for c in contacts)
    assert re.search(r"[éüøłñ]", names)  # accented
    assert re.search(r"[\u4e00-\u9fff]", names)  # CJK
    assert re.search(r"[\U0001F300-\U0001FAFF]", names)  # emoji
    assert any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in names)  # RTL
    emails = [c["email"] for c in contacts]
    assert any(e is None for e in emails)
    assert any(e and e != e.strip() for e in emails)
    assert any(e and e.strip() != e.strip().lower() for e in emails)
    users = {c["email"].strip().lower() for c in contacts if c["role"] == "user" and c["email"]}
    leads = {c["email"].strip().lower() for c in contacts if c["role"] == "lead" and c["email"]}
    assert users & leads  # duplicated across a user and a lead
    assert {c["role"] for c in contacts} == {"user", "lead"}
    assert any(c["location"]["country"] is None for c in contacts)
    assert any(c["unsubscribed_from_emails"] for c in contacts)
    assert any(len(c["tag_ids"]) > 10 for c in contacts)
    assert any(len(c["company_ids"]) > 10 for c in contacts)
    custom_types = {type(v).__name__ for c in contacts for v in c["custom_attributes"].values()}
    assert {"str", "int", "float", "bool", "NoneType"} <= custom_types
    years = {datetime.fromtimestamp(c["created_at"]).year for c in contacts}
    assert len(years) >= 7


def test_at_least_500_contacts_share_one_calendar_day_in_the_workspace_timezone() -> None:
    workspace = build_workspace(1, 0, 2000)
    zone = ZoneInfo(workspace.timezone)
    days = Counter(datetime.fromtimestamp(c["created_at"], zone).date() for c in workspace.contacts)
    assert days.most_common(1)[0][1] >= 500 == dense_day_count(2000)


def test_segments_cover_users_and_leads_and_one_is_empty() -> None:
    sandbox = Sandbox(SandboxConfig(contacts=2000, workspaces=1))
    workspace = sandbox.workspaces[0]
    segments = workspace.data.segments
    assert {s.person_type for s in segments} == {"user", "contact"}
    sizes = {s.name: len(workspace.segment_members(s.id)) for s in segments}
    assert sorted(sizes.values())[0] == 0
    assert sum(1 for size in sizes.values() if size > 0) >= 4


def test_workspaces_differ_in_token_app_id_region_and_timezone() -> None:
    sandbox = Sandbox(SandboxConfig(contacts=10, workspaces=3))
    data = [w.data for w in sandbox.workspaces]
    assert len({d.access_token for d in data}) == 3
    assert len({d.app_id for d in data}) == 3
    assert [d.region for d in data] == ["US", "EU", "AU"]
    assert len({d.timezone for d in data}) == 3


def test_an_oauth_code_is_single_use_and_expires() -> None:
    sandbox = Sandbox(SandboxConfig(contacts=10, workspaces=1))
    workspace = sandbox.workspaces[0]
    code = sandbox.issue_oauth_code(workspace, "https://x.example/cb")
    assert sandbox.redeem_oauth_code(code) is workspace
    assert sandbox.redeem_oauth_code(code) is None
    stale = sandbox.issue_oauth_code(workspace, None)
    sandbox.oauth_codes[stale].expires_at = time.time() - 1
    assert sandbox.redeem_oauth_code(stale) is None
