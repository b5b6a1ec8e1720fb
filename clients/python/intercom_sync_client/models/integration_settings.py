from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.on_deleted_in_intercom import OnDeletedInIntercom
from ..models.on_unsubscribed_in_intercom import OnUnsubscribedInIntercom
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_out import EventOut


T = TypeVar("T", bound="IntegrationSettings")


@_attrs_define
class IntegrationSettings:
    """
    Attributes:
        on_deleted_in_intercom (OnDeletedInIntercom | Unset):
        on_unsubscribed_in_intercom (OnUnsubscribedInIntercom | Unset):
        event_on_survey_unsubscribe (EventOut | Unset): An event sent to the Intercom contact when something happens to
            its customer here.
        event_on_customer_deleted (EventOut | Unset): An event sent to the Intercom contact when something happens to
            its customer here.
    """

    on_deleted_in_intercom: OnDeletedInIntercom | Unset = UNSET
    on_unsubscribed_in_intercom: OnUnsubscribedInIntercom | Unset = UNSET
    event_on_survey_unsubscribe: EventOut | Unset = UNSET
    event_on_customer_deleted: EventOut | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        on_deleted_in_intercom: str | Unset = UNSET
        if not isinstance(self.on_deleted_in_intercom, Unset):
            on_deleted_in_intercom = self.on_deleted_in_intercom.value

        on_unsubscribed_in_intercom: str | Unset = UNSET
        if not isinstance(self.on_unsubscribed_in_intercom, Unset):
            on_unsubscribed_in_intercom = self.on_unsubscribed_in_intercom.value

        event_on_survey_unsubscribe: dict[str, Any] | Unset = UNSET
        if not isinstance(self.event_on_survey_unsubscribe, Unset):
            event_on_survey_unsubscribe = self.event_on_survey_unsubscribe.to_dict()

        event_on_customer_deleted: dict[str, Any] | Unset = UNSET
        if not isinstance(self.event_on_customer_deleted, Unset):
            event_on_customer_deleted = self.event_on_customer_deleted.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if on_deleted_in_intercom is not UNSET:
            field_dict["on_deleted_in_intercom"] = on_deleted_in_intercom
        if on_unsubscribed_in_intercom is not UNSET:
            field_dict["on_unsubscribed_in_intercom"] = on_unsubscribed_in_intercom
        if event_on_survey_unsubscribe is not UNSET:
            field_dict["event_on_survey_unsubscribe"] = event_on_survey_unsubscribe
        if event_on_customer_deleted is not UNSET:
            field_dict["event_on_customer_deleted"] = event_on_customer_deleted

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_out import EventOut  # noqa: PLC0415

        d = dict(src_dict)
        _on_deleted_in_intercom = d.pop("on_deleted_in_intercom", UNSET)
        on_deleted_in_intercom: OnDeletedInIntercom | Unset
        if isinstance(_on_deleted_in_intercom, Unset):
            on_deleted_in_intercom = UNSET
        else:
            on_deleted_in_intercom = OnDeletedInIntercom(_on_deleted_in_intercom)

        _on_unsubscribed_in_intercom = d.pop("on_unsubscribed_in_intercom", UNSET)
        on_unsubscribed_in_intercom: OnUnsubscribedInIntercom | Unset
        if isinstance(_on_unsubscribed_in_intercom, Unset):
            on_unsubscribed_in_intercom = UNSET
        else:
            on_unsubscribed_in_intercom = OnUnsubscribedInIntercom(_on_unsubscribed_in_intercom)

        _event_on_survey_unsubscribe = d.pop("event_on_survey_unsubscribe", UNSET)
        event_on_survey_unsubscribe: EventOut | Unset
        if isinstance(_event_on_survey_unsubscribe, Unset):
            event_on_survey_unsubscribe = UNSET
        else:
            event_on_survey_unsubscribe = EventOut.from_dict(_event_on_survey_unsubscribe)

        _event_on_customer_deleted = d.pop("event_on_customer_deleted", UNSET)
        event_on_customer_deleted: EventOut | Unset
        if isinstance(_event_on_customer_deleted, Unset):
            event_on_customer_deleted = UNSET
        else:
            event_on_customer_deleted = EventOut.from_dict(_event_on_customer_deleted)

        integration_settings = cls(
            on_deleted_in_intercom=on_deleted_in_intercom,
            on_unsubscribed_in_intercom=on_unsubscribed_in_intercom,
            event_on_survey_unsubscribe=event_on_survey_unsubscribe,
            event_on_customer_deleted=event_on_customer_deleted,
        )

        return integration_settings
