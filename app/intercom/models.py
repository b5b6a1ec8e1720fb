"""Typed shapes of Intercom API 2.14 responses (../shared/INTERCOM.md §2.3, §3, §4, §8).

Unknown fields are ignored so that additions on Intercom's side never break a sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

Region = Literal["US", "EU", "AU"]


class IntercomModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def parse_json(cls, raw: bytes) -> Self:
        """How the client reads a response body into this model."""
        return cls.model_validate_json(raw)


class Accepted(IntercomModel):
    """A 202 with an empty body (POST /events, INTERCOM.md §5): nothing to read."""

    @classmethod
    def parse_json(cls, raw: bytes) -> Accepted:
        return cls()


class App(IntercomModel):
    id_code: str
    name: str
    region: str = "US"
    timezone: str | None = None


class Me(IntercomModel):
    type: str
    id: str
    email: str | None = None
    name: str | None = None
    app: App


class Location(IntercomModel):
    country: str | None = None
    region: str | None = None
    city: str | None = None
    country_code: str | None = None
    continent_code: str | None = None


class AddressableItem(IntercomModel):
    id: str
    type: str | None = None
    name: str | None = None


class AddressableList(IntercomModel):
    """`tags`, `companies`, `notes`: at most 10 items inline (INTERCOM.md §2.3)."""

    data: list[AddressableItem] = Field(default_factory=list)
    url: str | None = None
    total_count: int = 0
    has_more: bool = False


class Avatar(IntercomModel):
    type: str | None = None
    image_url: str | None = None


class Contact(IntercomModel):
    """A contact as lists and searches return it, for syncs: every scalar field of INTERCOM.md
    §2.3, its location and custom attributes. The nested lists (tags, companies, notes: at most
    10 inline, complete only from their own endpoints) and social profiles are left out: they
    are most of the cost of parsing a page (measured: 4x slower with them). See ContactDetail.
    """

    id: str
    type: str = "contact"
    workspace_id: str | None = None
    external_id: str | None = None
    role: Literal["user", "lead"]
    email: str | None = None
    email_domain: str | None = None
    phone: str | None = None
    name: str | None = None
    owner_id: int | None = None
    has_hard_bounced: bool = False
    marked_email_as_spam: bool = False
    unsubscribed_from_emails: bool = False
    created_at: int | None = None
    updated_at: int | None = None
    signed_up_at: int | None = None
    last_seen_at: int | None = None
    last_replied_at: int | None = None
    last_contacted_at: int | None = None
    last_email_opened_at: int | None = None
    last_email_clicked_at: int | None = None
    language_override: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    browser_language: str | None = None
    os: str | None = None
    formatted_phone: str | None = None
    android_app_name: str | None = None
    android_app_version: str | None = None
    android_device: str | None = None
    android_os_version: str | None = None
    android_sdk_version: str | None = None
    android_last_seen_at: int | None = None
    ios_app_name: str | None = None
    ios_app_version: str | None = None
    ios_device: str | None = None
    ios_os_version: str | None = None
    ios_sdk_version: str | None = None
    ios_last_seen_at: int | None = None
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    location: Location | None = None


class ContactDetail(Contact):
    """A contact with its nested lists, as `GET /contacts/{id}` returns it."""

    avatar: Avatar | None = None
    social_profiles: dict[str, Any] | None = None
    tags: AddressableList | None = None
    notes: AddressableList | None = None
    companies: AddressableList | None = None


class ContactRef(IntercomModel):
    """Only what says a contact answered: its existence, not its shape."""

    type: str | None = None


class MalformedContact(IntercomModel):
    """A list item that is not a valid contact (a missing id, a role of the wrong type): the
    sync fails that one record with a reason instead of failing the whole page."""

    id: str = ""  # "" when the item had no usable id
    problem: str


def _tolerant_contact(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        raw_id = value.get("id") if isinstance(value, dict) else None
        fields = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        return MalformedContact(
            id=str(raw_id)[:64] if isinstance(raw_id, str | int) else "",
            problem=f"invalid fields: {', '.join(fields)[:200]}",
        )


ListedContact = Annotated[Contact | MalformedContact, Field(union_mode="left_to_right")]
if TYPE_CHECKING:
    _TolerantContact = ListedContact
else:
    # A wrap validator sees each item as a Python dict: twice the cost of parsing the JSON
    # straight into contacts, so it is only the fallback for a page that holds a bad item.
    _TolerantContact = Annotated[Contact, WrapValidator(_tolerant_contact)]


class NextPage(IntercomModel):
    page: int | None = None
    per_page: int | None = None
    starting_after: str | None = None


class CursorPages(IntercomModel):
    type: str = "pages"
    page: int | None = None
    per_page: int | None = None
    total_pages: int | None = None
    next: NextPage | None = None


class ContactList(IntercomModel):
    type: str = "list"
    data: list[ListedContact]
    total_count: int
    pages: CursorPages | None = None

    @classmethod
    def parse_json(cls, raw: bytes) -> Self:
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            # A bad item (MalformedContact needs a `problem`, so no item matches it here):
            # read the page again, item by item, so only that item fails.
            return cast(Self, _TolerantContactList.model_validate_json(raw))

    @property
    def next_cursor(self) -> str | None:
        # INTERCOM.md §11.8: a missing, null or empty cursor ends the walk.
        if self.pages is None or self.pages.next is None:
            return None
        return self.pages.next.starting_after or None


class _TolerantContactList(ContactList):
    data: list[_TolerantContact]


class Segment(IntercomModel):
    type: str = "segment"
    id: str
    name: str
    created_at: int | None = None
    updated_at: int | None = None
    # "contact" means leads: legacy naming (INTERCOM.md §3).
    person_type: str
    count: int | None = None


class SegmentList(IntercomModel):
    type: str = "segment.list"
    segments: list[Segment]


class ContactSegmentList(IntercomModel):
    """GET /contacts/{id}/segments: the saved segments the contact is in now."""

    type: str = "list"
    data: list[Segment]


class DataAttribute(IntercomModel):
    type: str = "data_attribute"
    id: int | None = None  # custom attributes only
    model: str | None = None
    name: str
    full_name: str
    label: str
    description: str | None = None
    # string | integer | float | boolean | date, and newer values such as "datetime"
    # (INTERCOM.md §4): kept as a string so an unknown type never breaks a read.
    data_type: str
    options: list[str] | None = None
    api_writable: bool | None = None
    messenger_writable: bool | None = None
    ui_writable: bool | None = None
    custom: bool = False
    archived: bool = False
    created_at: int | None = None
    updated_at: int | None = None
    admin_id: str | None = None


class DataAttributeList(IntercomModel):
    type: str = "list"
    data: list[DataAttribute]


class ErrorItem(IntercomModel):
    code: str
    message: str | None = None
    field: str | None = None


class ErrorList(IntercomModel):
    type: str = "error.list"
    request_id: str | None = None
    errors: list[ErrorItem] = Field(default_factory=list)
