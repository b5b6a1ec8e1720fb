"""The service's Prometheus metrics (docs/operations.md says which matter and why).

Each process counts its own work: the API its requests and the webhooks it stores (`/metrics`),
a worker its syncs, Intercom calls and jobs (its own port, `WORKER_METRICS_PORT`). Prometheus
adds them up. What lives in the database (backlogs) is read by the API at each scrape.

Labels take a bounded set of values only (a status, an outcome, a known topic): a label made
of input (an id, an unknown topic a forger sends) would grow the registry without end."""

from __future__ import annotations

import prometheus_client
from prometheus_client import Counter, Gauge, Histogram

# No `_created` series beside each counter: they double what Prometheus stores, for a time a
# restart of the process already shows.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]

NAMESPACE = "intercom_sync"

SYNCS_STARTED = Counter(
    "syncs_started",
    "Sync runs started (requested by a person or by the auto-sync schedule), by trigger.",
    ["trigger"],
    namespace=NAMESPACE,
)
SYNCS_FINISHED = Counter(
    "syncs_finished",
    "Sync runs ended, by status: finished, failed or cancelled.",
    ["status"],
    namespace=NAMESPACE,
)
CONTACTS_PROCESSED = Counter(
    "contacts_processed",
    "Contacts a sync wrote or passed over, by outcome: new, updated, unchanged, skipped, "
    "failed, removed (gone from Intercom or from the list).",
    ["outcome"],
    namespace=NAMESPACE,
)
INTERCOM_REQUESTS = Counter(
    "intercom_requests",
    "Requests sent to Intercom, by HTTP status (`transport_error` when none came back).",
    ["status"],
    namespace=NAMESPACE,
)
INTERCOM_REQUEST_SECONDS = Histogram(
    "intercom_request_seconds",
    "Time Intercom took to answer a request.",
    namespace=NAMESPACE,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
INTERCOM_RATE_LIMITED = Counter(
    "intercom_rate_limited",
    "429 answers from Intercom (the shared rate budget should keep these rare).",
    namespace=NAMESPACE,
)
RATE_BUDGET_WAIT_SECONDS = Counter(
    "rate_budget_wait_seconds",
    "Time calls waited for the workspace's shared Intercom rate budget.",
    namespace=NAMESPACE,
)
RATE_BUDGET_EXHAUSTED = Counter(
    "rate_budget_exhausted",
    "Calls refused by the rate budget (its window is spent for longer than a call may wait): "
    "their work is deferred.",
    namespace=NAMESPACE,
)
LEASE_TAKEOVERS = Counter(
    "lease_takeovers",
    "Leased work whose worker stopped renewing its lease and that another job took over, by "
    "kind: sync, sync_partition, webhook, event.",
    ["work"],
    namespace=NAMESPACE,
)
WEBHOOK_NOTIFICATIONS = Counter(
    "webhook_notifications",
    "Intercom webhook notifications, by topic and outcome. Received (API): stored, duplicate, "
    "ignored (a topic not handled), refused (bad signature or body). Worked (worker): "
    "processed, retried, gave_up, unusable.",
    ["topic", "outcome"],
    namespace=NAMESPACE,
)
BACKLOG_ITEMS = Gauge(
    "backlog_items",
    "Work waiting in the database, by queue: outbox (jobs to queue), intercom_events (events "
    "to send to Intercom), webhook_notifications (to process). Read by the API at each scrape.",
    ["queue"],
    namespace=NAMESPACE,
)
BACKLOG_OLDEST_SECONDS = Gauge(
    "backlog_oldest_seconds",
    "Age of the oldest item waiting in each queue (0 when empty).",
    ["queue"],
    namespace=NAMESPACE,
)
