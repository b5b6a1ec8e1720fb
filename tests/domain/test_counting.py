"""Counting what a filter set selects: Intercom's total when it evaluates the filters whole, else
the pushed query's contacts read and evaluated here, or an estimate from the first ones."""

from __future__ import annotations

from typing import Any

from app.domain.filters.counting import CountMethod, count_selected
from app.domain.filters.language import FilterSet
from app.domain.mapping.config import MappedAttribute, RunConfig
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target
from tests.fakes.intercom import FakeWorkspace, contact

USERS = {"field": "role", "operator": "=", "value": "user"}
MAPPING = (
    MappedAttribute(
        attribute="email",
        property="email",
        conversion=Conversion.TEXT,
        target=Target.EMAIL,
        attribute_type="string",
    ),
    MappedAttribute(
        attribute="name",
        property="full_name",
        conversion=Conversion.TEXT,
        target=Target.NAME,
        attribute_type="string",
    ),
)


def config(filters: dict[str, Any]) -> RunConfig:
    return RunConfig(mapping=MAPPING, filters=FilterSet.model_validate(filters))


NAMED = {"groups": [[{"property": "full_name", "operator": "is_set"}]]}


async def test_a_filter_intercom_cannot_evaluate_is_counted_here_emails_or_not() -> None:
    workspace = FakeWorkspace(
        contacts=[
            contact("u1", name="Ana"),
            contact("u2", name="Bo", email=None),  # selected: a sync skips it, a count counts it
            contact("u3"),
            contact("u4", name="Cy", email="not an email"),
            contact("l1", name="Di", role="lead"),
        ]
    )

    counted = await count_selected(workspace, USERS, config(NAMED), timezone=None)

    assert (counted.count, counted.method, counted.upper_bound) == (3, CountMethod.LOCAL, 4)
    assert counted.exact


async def test_without_local_conditions_intercom_counts() -> None:
    workspace = FakeWorkspace(contacts=[contact("u1"), contact("u2"), contact("l1", role="lead")])

    counted = await count_selected(workspace, USERS, config({"groups": []}), timezone=None)

    assert (counted.count, counted.method) == (2, CountMethod.INTERCOM)
    assert workspace.pages_served == 0


async def test_beyond_the_read_limit_the_first_contacts_read_give_an_estimate() -> None:
    # Every other user has a name: half of the 30 users, read 6 of them (two pages of three).
    users = [contact(f"u{i:02d}", name="Ann" if i % 2 else None) for i in range(30)]
    workspace = FakeWorkspace(contacts=users)

    counted = await count_selected(workspace, USERS, config(NAMED), timezone=None, read_limit=6)

    assert (counted.count, counted.method, counted.upper_bound) == (15, CountMethod.ESTIMATED, 30)
    assert not counted.exact
    assert workspace.pages_served == 2
