"""Deterministic workspaces: the same seed and size always give the same contacts."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Ethan",
    "Zoé",
    "Chloé",
    "Amélie",
    "Jürgen",
    "Søren",
    "Björn",
    "Łukasz",
    "Zoë",
    "José",
    "Inés",
    "François",
    "Siobhán",
    "美咲",
    "陽翔",
    "伟",
    "芳",
    "민준",
    "서연",
    "محمد",
    "فاطمة",
    "דוד",
    "נועה",
    "Анна",
    "Дмитрий",
    "Ngozi",
    "Kwame",
    "Priya",
    "Arjun",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Brown",
    "García",
    "Müller",
    "Dubois",
    "Rossi",
    "Nowak",
    "O'Brien",
    "Andersson",
    "Østergaard",
    "Fernández",
    "Núñez",
    "佐藤",
    "王",
    "김",
    "الحسن",
    "כהן",
    "Иванов",
    "Okafor",
    "Mensah",
    "Patel",
    "Nguyễn",
    "Kowalczyk",
]
EMOJI_SUFFIXES = ["", "", "", "", "", "", "", "", " 🚀", " 🌟", " 🦄"]
DOMAINS = ["example.com", "acme.io", "globex.net", "initech.co", "umbrella.org", "hooli.xyz"]
LOCATIONS: list[tuple[str | None, str | None, str | None]] = [
    ("United States", "California", "San Francisco"),
    ("United States", "New York", "New York"),
    ("United States", "Texas", None),
    ("Ireland", "Dublin", "Dublin"),
    ("France", "Île-de-France", "Paris"),
    ("Germany", "Bavaria", "München"),
    ("Japan", "Tokyo", "東京"),
    ("Brazil", "São Paulo", "São Paulo"),
    ("Israel", None, "תל אביב"),
    ("Egypt", "Cairo", "القاهرة"),
    (None, None, None),
]
PLANS = ["Free Trial", "Starter", "Pro", "Enterprise"]
TAG_NAMES = [
    "VIP",
    "Beta",
    "Churn risk",
    "Newsletter",
    "Partner",
    "Event 2025",
    "Webinar",
    "Enterprise lead",
    "Support heavy",
    "Early adopter",
    "Referral",
    "Trial extended",
]
COMPANY_NAMES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
]

# A bulk import: many contacts created on one calendar day (INTERCOM.md §11.1 pitfalls).
BULK_IMPORT_DAY = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)
HISTORY_START = datetime(2019, 1, 1, tzinfo=UTC)
HISTORY_END = datetime(2026, 10, 31, tzinfo=UTC)

CUSTOM_ATTRIBUTES: list[dict[str, Any]] = [
    {"name": "plan", "label": "Plan", "data_type": "string", "options": PLANS},
    {"name": "seats", "label": "Seats", "data_type": "integer"},
    {"name": "mrr", "label": "Monthly revenue", "data_type": "float"},
    {"name": "beta_tester", "label": "Beta tester", "data_type": "boolean"},
    {"name": "renewal_date", "label": "Renewal date", "data_type": "date"},
    {"name": "account_manager", "label": "Account manager", "data_type": "string"},
]
# Listed only with include_archived=true, and not searchable.
ARCHIVED_ATTRIBUTES: list[dict[str, Any]] = [
    {"name": "legacy_score", "label": "Legacy score", "data_type": "integer"},
]
STANDARD_ATTRIBUTES: list[tuple[str, str, str]] = [
    ("name", "Name", "string"),
    ("email", "Email", "string"),
    ("phone", "Phone", "string"),
    ("external_id", "User ID", "string"),
    ("role", "Role", "string"),
    ("created_at", "Signed up", "date"),
    ("signed_up_at", "Signed up at", "date"),
    ("updated_at", "Last updated", "date"),
    ("last_seen_at", "Last seen", "date"),
    ("unsubscribed_from_emails", "Unsubscribed from emails", "boolean"),
    ("owner_id", "Owner", "integer"),
    ("language_override", "Language override", "string"),
    ("location.country", "Country", "string"),
    ("location.region", "Region", "string"),
    ("location.city", "City", "string"),
    ("browser_language", "Browser language", "string"),
    ("os", "OS", "string"),
]


@dataclass
class SegmentDef:
    id: str
    name: str
    person_type: str  # "user" or "contact" (= leads), INTERCOM.md §3
    rule: dict[str, Any]  # a search filter; membership = role AND rule
    created_at: int
    updated_at: int


@dataclass
class WorkspaceData:
    index: int
    app_id: str
    name: str
    region: str
    timezone: str
    access_token: str
    client_id: str
    client_secret: str
    admin_id: str
    admin_email: str
    contacts: list[dict[str, Any]] = field(default_factory=list)
    segments: list[SegmentDef] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


WORKSPACE_PROFILES = [
    ("Demo Workspace", "US", "America/Los_Angeles"),
    ("Demo EU Workspace", "EU", "Europe/Dublin"),
    ("Demo AU Workspace", "AU", "Australia/Sydney"),
]


def _hex_id(rng: random.Random, length: int = 24) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _token(seed: int, index: int) -> str:
    # Intercom tokens look like base64 of "tok:..." (INTERCOM.md §1.1); opaque to clients.
    raw = (
        f"tok:sandbox:{seed}:{index}:{hashlib.sha256(f'{seed}/{index}'.encode()).hexdigest()[:24]}"
    )
    return base64.b64encode(raw.encode()).decode().rstrip("=")


def dense_day_count(total: int) -> int:
    return min(total // 4, max(500, total // 20))


def build_workspace(seed: int, index: int, contacts: int) -> WorkspaceData:
    rng = random.Random(f"{seed}:{index}")
    name, region, timezone = WORKSPACE_PROFILES[index % len(WORKSPACE_PROFILES)]
    app_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
    workspace = WorkspaceData(
        index=index,
        app_id=app_id,
        name=name if index < len(WORKSPACE_PROFILES) else f"{name} {index}",
        region=region,
        timezone=timezone,
        access_token=_token(seed, index),
        client_id=f"sandbox-client-{app_id}",
        client_secret=hashlib.sha256(f"secret:{seed}:{index}".encode()).hexdigest()[:40],
        admin_id=str(rng.randint(1_000_000, 9_999_999)),
        admin_email=f"admin{index}@sandbox.example",
    )
    workspace.tags = [
        {"type": "tag", "id": str(rng.randint(100_000, 999_999)), "name": tag} for tag in TAG_NAMES
    ]
    workspace.companies = [
        {"type": "company", "id": _hex_id(rng), "name": company} for company in COMPANY_NAMES
    ]
    workspace.contacts = [
        _contact(rng, workspace, position, contacts) for position in range(contacts)
    ]
    _add_cross_role_duplicates(rng, workspace)
    workspace.segments = _segments(rng)
    return workspace


def _created_at(rng: random.Random, position: int, total: int) -> int:
    if position < dense_day_count(total):
        # Spread over eight hours of the bulk-import day.
        return int(BULK_IMPORT_DAY.timestamp()) + rng.randint(0, 8 * 3600)
    start, end = int(HISTORY_START.timestamp()), int(HISTORY_END.timestamp())
    return rng.randint(start, end)


def new_contact(
    rng: random.Random, workspace: WorkspaceData, position: int, created_at: int, role: str
) -> dict[str, Any]:
    """A contact as the sandbox stores it: Intercom's fields plus private `tag_ids` and
    `company_ids` (rendered as addressable lists)."""
    return _contact(rng, workspace, position, 0, created_at=created_at, role=role)


def _contact(
    rng: random.Random,
    workspace: WorkspaceData,
    position: int,
    total: int,
    *,
    created_at: int | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    role = role or ("user" if rng.random() < 0.7 else "lead")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name: str | None = f"{first} {last}{rng.choice(EMOJI_SUFFIXES)}"
    if role == "lead" and rng.random() < 0.3:
        name = None
    domain = rng.choice(DOMAINS)
    # The position makes every email unique within the workspace (duplicates are added below).
    address = f"contact{position}.{rng.randint(10, 99)}@{domain}"
    email: str | None = address
    roll = rng.random()
    if roll < 0.05 or (role == "lead" and roll < 0.25):
        email = None
    elif roll < 0.10:
        email = address.upper() if rng.random() < 0.5 else f"  {address} "
    if created_at is None:
        created_at = _created_at(rng, position, total)
    updated_at = created_at + rng.randint(0, 90 * 86400)
    signed_up_at = created_at + rng.randint(0, 3600) if role == "user" else None
    last_seen = updated_at - rng.randint(0, 86400) if rng.random() < 0.8 else None
    country, region, city = rng.choice(LOCATIONS)
    tags = rng.sample(workspace.tags, k=rng.choice([0, 0, 0, 1, 2, 3, 12]))
    companies = (
        rng.sample(workspace.companies, k=rng.choice([0, 0, 1, 1, 2, 11])) if role == "user" else []
    )
    custom: dict[str, Any] = {
        "plan": rng.choice(PLANS) if role == "user" else None,
        "seats": rng.randint(1, 500) if role == "user" else None,
        "mrr": round(rng.uniform(0, 5000), 2) if role == "user" and rng.random() < 0.8 else None,
        "beta_tester": rng.random() < 0.2,
        "renewal_date": created_at + 365 * 86400 if role == "user" else None,
        "account_manager": rng.choice(["Ana", "Ben", "Chen", None]),
    }
    return {
        "type": "contact",
        "id": _hex_id(rng),
        "workspace_id": workspace.app_id,
        "external_id": f"ext-{position}" if role == "user" and rng.random() < 0.9 else None,
        "role": role,
        "email": email,
        "phone": f"+1 555 {rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else None,
        "name": name,
        "owner_id": int(workspace.admin_id) if rng.random() < 0.3 else None,
        "has_hard_bounced": rng.random() < 0.02,
        "marked_email_as_spam": rng.random() < 0.01,
        "unsubscribed_from_emails": rng.random() < 0.1,
        "created_at": created_at,
        "updated_at": updated_at,
        "signed_up_at": signed_up_at,
        "last_seen_at": last_seen,
        "last_replied_at": None,
        "last_contacted_at": None,
        "last_email_opened_at": None,
        "last_email_clicked_at": None,
        "language_override": rng.choice([None, None, "en", "fr", "ja"]),
        "browser": rng.choice(["chrome", "firefox", "safari", None]),
        "browser_version": None,
        "browser_language": rng.choice(["en", "fr", "de", "ja", None]),
        "os": rng.choice(["OS X 14", "Windows 11", "Android", "iOS", None]),
        "location": {"type": "location", "country": country, "region": region, "city": city},
        "custom_attributes": custom,
        "tag_ids": [tag["id"] for tag in tags],
        "company_ids": [company["id"] for company in companies],
    }


def _add_cross_role_duplicates(rng: random.Random, workspace: WorkspaceData) -> None:
    """A few leads share a user's email (a visitor who later signed up under a new contact)."""
    users = [c for c in workspace.contacts if c["role"] == "user" and c["email"]]
    leads = [c for c in workspace.contacts if c["role"] == "lead"]
    for lead in rng.sample(leads, k=min(len(leads), max(1, len(leads) // 50))):
        if users:
            lead["email"] = rng.choice(users)["email"].strip().lower()


def _segments(rng: random.Random) -> list[SegmentDef]:
    def seg(name: str, person_type: str, rule: dict[str, Any]) -> SegmentDef:
        created = rng.randint(int(HISTORY_START.timestamp()), int(HISTORY_END.timestamp()))
        return SegmentDef(_hex_id(rng), name, person_type, rule, created, created + 86400)

    return [
        seg(
            "Paying customers",
            "user",
            {
                "field": "custom_attributes.plan",
                "operator": "IN",
                "value": ["Pro", "Enterprise"],
            },
        ),
        seg(
            "Free trial",
            "user",
            {
                "field": "custom_attributes.plan",
                "operator": "=",
                "value": "Free Trial",
            },
        ),
        seg(
            "US or Ireland users",
            "user",
            {
                "operator": "OR",
                "value": [
                    {"field": "location.country", "operator": "=", "value": "United States"},
                    {"field": "location.country", "operator": "=", "value": "Ireland"},
                ],
            },
        ),
        seg(
            "Leads in France",
            "contact",
            {
                "field": "location.country",
                "operator": "=",
                "value": "France",
            },
        ),
        seg(
            "Beta testers (leads)",
            "contact",
            {
                "field": "custom_attributes.beta_tester",
                "operator": "=",
                "value": True,
            },
        ),
        seg(
            "Huge accounts",
            "user",
            {
                "field": "custom_attributes.seats",
                "operator": ">",
                "value": 100_000,
            },
        ),
    ]


def now() -> int:
    return int(datetime.now(UTC).timestamp())
