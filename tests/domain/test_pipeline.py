"""The sync pipeline's rules, pure: no database, no Intercom."""

from __future__ import annotations

import uuid

import pytest

from app.domain.customers.sources import BatchWrite
from app.domain.mapping.config import MappedAttribute, RunConfig, standard_config
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target
from app.domain.syncs import pipeline
from app.domain.syncs.report import Report
from tests.fakes.intercom import contact

INTEGRATION = uuid.uuid4()
# The standard attributes, and two custom ones: "k" as text, "n" as a number.
CONFIG = RunConfig(
    mapping=(
        *standard_config().mapping,
        MappedAttribute(
            attribute="custom_attributes.k",
            property="k",
            conversion=Conversion.TEXT,
            target=Target.PROPERTIES,
        ),
        MappedAttribute(
            attribute="custom_attributes.n",
            property="n",
            conversion=Conversion.NUMBER,
            target=Target.PROPERTIES,
        ),
    )
)


def test_a_user_beats_a_lead_then_the_most_recent_then_the_smallest_id_within_a_batch() -> None:
    batch = pipeline.prepare(
        [
            contact("l-new", role="lead", email="a@x.io", updated_at=9),
            contact("u-old", role="user", email="A@x.io", updated_at=1),
            contact("u-new", role="user", email="a@x.io ", updated_at=5),
            contact("b2", role="lead", email="b@x.io", updated_at=5),
            contact("b1", role="lead", email="b@x.io", updated_at=5),
        ],
        CONFIG,
    )
    assert {email: s.intercom_contact_id for email, s in batch.winners_by_email.items()} == {
        "a@x.io": "u-new",
        "b@x.io": "b1",
    }
    assert len(batch.sources) == 5


def test_the_same_contact_twice_in_a_batch_keeps_the_most_recent_copy() -> None:
    batch = pipeline.prepare(
        [contact("c1", name="new", updated_at=9), contact("c1", name="old", updated_at=1)],
        CONFIG,
    )
    assert [s.name for s in batch.sources] == ["new"]
    assert batch.report.skipped_reasons == {pipeline.DUPLICATE_CONTACT: 1}
    assert batch.report.fetched == 2


@pytest.mark.parametrize(
    ("fields", "outcome", "reason"),
    [
        ({"email": None}, "skipped", "no_email"),
        ({"email": "nope"}, "skipped", "invalid_email"),
        ({"email": "a" * 330 + "@x.io"}, "failed", "value_too_long:email"),
        # 320 characters as sent, 330 once lower-cased: "İ" lower-cases to two characters.
        ({"email": "İ" * 10 + "a" * 300 + "@x.io"}, "failed", "value_too_long:email"),
        ({"name": "n" * 301}, "failed", "value_too_long:name"),
        ({"phone": "1" * 65}, "failed", "value_too_long:phone"),
        ({"name": "a\x00b"}, "failed", "invalid_text:name"),
        ({"phone": "\ud800"}, "failed", "invalid_text:phone"),
        ({"custom_attributes": {"k": "a\x00b"}}, "failed", "invalid_text:properties.k"),
        ({"custom_attributes": {"k": "\ud800"}}, "failed", "invalid_text:properties.k"),
        ({"custom_attributes": {"k": ["ok", {"deep": "a"}]}}, "failed", "conversion_failed:k"),
        ({"custom_attributes": {"k": "x" * 70_000}}, "failed", "value_too_long:properties"),
        ({"custom_attributes": {"n": 10**30}}, "failed", "conversion_failed:n"),
        ({"custom_attributes": {"n": "12"}}, "failed", "conversion_failed:n"),
    ],
)
def test_a_contact_that_cannot_be_stored_is_counted_with_its_reason(
    fields: dict[str, object], outcome: str, reason: str
) -> None:
    batch = pipeline.prepare([contact("c1", **fields), contact("c2")], CONFIG)
    report = batch.report
    assert (report.skipped_reasons if outcome == "skipped" else report.failed_reasons) == {
        reason: 1
    }
    assert [s.intercom_contact_id for s in batch.sources] == ["c2"]


def test_classify_reads_the_database_answer_as_created_updated_unchanged_and_duplicates() -> None:
    batch = pipeline.prepare(
        [
            contact("new", email="new@x.io"),
            contact("changed", email="changed@x.io"),
            contact("same", email="same@x.io"),
            contact("loser", email="same@x.io", role="lead"),
        ],
        CONFIG,
    )
    ids = {email: uuid.uuid4() for email in ("new@x.io", "changed@x.io", "same@x.io")}
    written = BatchWrite(
        customer_by_email=ids,
        created={ids["new@x.io"]},
        changed={ids["changed@x.io"]},
        winners={
            ids["new@x.io"]: (INTEGRATION, "new"),
            ids["changed@x.io"]: (INTEGRATION, "changed"),
            ids["same@x.io"]: (INTEGRATION, "same"),
        },
    )
    report = pipeline.classify(batch, INTEGRATION, written)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert report.skipped_reasons == {pipeline.DUPLICATE_EMAIL: 1}
    assert report.reconciles
    # Classifying again (a retried transaction) starts from the batch, not from the last result.
    assert pipeline.classify(batch, INTEGRATION, written) == report


def test_reports_add_up_and_reconcile() -> None:
    total = Report()
    total.add(Report(fetched=3, created=1, unchanged=1, failed_reasons={"x": 1}))
    total.add(Report(fetched=2, updated=1, skipped_reasons={"no_email": 1}))
    assert (total.fetched, total.skipped, total.failed) == (5, 1, 1)
    assert total.reconciles
