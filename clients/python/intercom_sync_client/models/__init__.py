"""Contains all the data models used in inputs/outputs"""

from .account_campaigns import AccountCampaigns
from .account_read import AccountRead
from .attribute_page import AttributePage
from .attribute_read import AttributeRead
from .auto_sync_quota import AutoSyncQuota
from .campaign_count import CampaignCount
from .combination import Combination
from .condition import Condition
from .conversion import Conversion
from .count_method import CountMethod
from .customer_contact import CustomerContact
from .customer_detail import CustomerDetail
from .customer_detail_properties import CustomerDetailProperties
from .customer_event_read import CustomerEventRead
from .customer_list import CustomerList
from .customer_page import CustomerPage
from .customer_read import CustomerRead
from .customer_read_properties import CustomerReadProperties
from .duplicates import Duplicates
from .event_out import EventOut
from .field_error import FieldError
from .filter_set import FilterSet
from .filters_read import FiltersRead
from .healthz_response_healthz import HealthzResponseHealthz
from .integration_create import IntegrationCreate
from .integration_disconnected import IntegrationDisconnected
from .integration_page import IntegrationPage
from .integration_read import IntegrationRead
from .integration_settings import IntegrationSettings
from .integration_update import IntegrationUpdate
from .intercom_event_page import IntercomEventPage
from .intercom_usage import IntercomUsage
from .last_sync_status import LastSyncStatus
from .mapping_entry_read import MappingEntryRead
from .mapping_entry_write import MappingEntryWrite
from .mapping_property_create import MappingPropertyCreate
from .mapping_read import MappingRead
from .mapping_update import MappingUpdate
from .o_auth_callback import OAuthCallback
from .o_auth_start import OAuthStart
from .o_auth_started import OAuthStarted
from .on_deleted_in_intercom import OnDeletedInIntercom
from .on_unsubscribed_in_intercom import OnUnsubscribedInIntercom
from .operator import Operator
from .placement_read import PlacementRead
from .preview_contact import PreviewContact
from .preview_contact_properties import PreviewContactProperties
from .preview_read import PreviewRead
from .problem import Problem
from .property_create import PropertyCreate
from .property_kind import PropertyKind
from .property_page import PropertyPage
from .property_proposal import PropertyProposal
from .property_read import PropertyRead
from .property_type import PropertyType
from .property_update import PropertyUpdate
from .reason import Reason
from .refresh_read import RefreshRead
from .refresh_status import RefreshStatus
from .segment_create import SegmentCreate
from .segment_kind import SegmentKind
from .segment_page import SegmentPage
from .segment_read import SegmentRead
from .segment_read_count_method_type_0 import SegmentReadCountMethodType0
from .segment_settings_read import SegmentSettingsRead
from .segment_settings_update import SegmentSettingsUpdate
from .segment_sort import SegmentSort
from .segment_source import SegmentSource
from .segment_update import SegmentUpdate
from .suggestion_list import SuggestionList
from .suggestion_read import SuggestionRead
from .sync_counters import SyncCounters
from .sync_counters_failed_reasons import SyncCountersFailedReasons
from .sync_counters_removed_reasons import SyncCountersRemovedReasons
from .sync_counters_samples import SyncCountersSamples
from .sync_counters_samples_additional_property import SyncCountersSamplesAdditionalProperty
from .sync_counters_skipped_reasons import SyncCountersSkippedReasons
from .sync_events_response_200 import SyncEventsResponse200
from .sync_events_response_200_event import SyncEventsResponse200Event
from .sync_failure_page import SyncFailurePage
from .sync_failure_read import SyncFailureRead
from .sync_page import SyncPage
from .sync_progress import SyncProgress
from .sync_read import SyncRead
from .sync_report_summary import SyncReportSummary
from .sync_start import SyncStart
from .sync_status import SyncStatus
from .sync_summary import SyncSummary
from .sync_trigger import SyncTrigger
from .sync_warning import SyncWarning
from .target import Target
from .webhook_ack import WebhookAck

__all__ = (
    "AccountCampaigns",
    "AccountRead",
    "AttributePage",
    "AttributeRead",
    "AutoSyncQuota",
    "CampaignCount",
    "Combination",
    "Condition",
    "Conversion",
    "CountMethod",
    "CustomerContact",
    "CustomerDetail",
    "CustomerDetailProperties",
    "CustomerEventRead",
    "CustomerList",
    "CustomerPage",
    "CustomerRead",
    "CustomerReadProperties",
    "Duplicates",
    "EventOut",
    "FieldError",
    "FilterSet",
    "FiltersRead",
    "HealthzResponseHealthz",
    "IntegrationCreate",
    "IntegrationDisconnected",
    "IntegrationPage",
    "IntegrationRead",
    "IntegrationSettings",
    "IntegrationUpdate",
    "IntercomEventPage",
    "IntercomUsage",
    "LastSyncStatus",
    "MappingEntryRead",
    "MappingEntryWrite",
    "MappingPropertyCreate",
    "MappingRead",
    "MappingUpdate",
    "OAuthCallback",
    "OAuthStart",
    "OAuthStarted",
    "OnDeletedInIntercom",
    "OnUnsubscribedInIntercom",
    "Operator",
    "PlacementRead",
    "PreviewContact",
    "PreviewContactProperties",
    "PreviewRead",
    "Problem",
    "PropertyCreate",
    "PropertyKind",
    "PropertyPage",
    "PropertyProposal",
    "PropertyRead",
    "PropertyType",
    "PropertyUpdate",
    "Reason",
    "RefreshRead",
    "RefreshStatus",
    "SegmentCreate",
    "SegmentKind",
    "SegmentPage",
    "SegmentRead",
    "SegmentReadCountMethodType0",
    "SegmentSettingsRead",
    "SegmentSettingsUpdate",
    "SegmentSort",
    "SegmentSource",
    "SegmentUpdate",
    "SuggestionList",
    "SuggestionRead",
    "SyncCounters",
    "SyncCountersFailedReasons",
    "SyncCountersRemovedReasons",
    "SyncCountersSamples",
    "SyncCountersSamplesAdditionalProperty",
    "SyncCountersSkippedReasons",
    "SyncEventsResponse200",
    "SyncEventsResponse200Event",
    "SyncFailurePage",
    "SyncFailureRead",
    "SyncPage",
    "SyncProgress",
    "SyncRead",
    "SyncReportSummary",
    "SyncStart",
    "SyncStatus",
    "SyncSummary",
    "SyncTrigger",
    "SyncWarning",
    "Target",
    "WebhookAck",
)
