"""The statements written out in SQL (cls_platform.rows.results) sent in one round trip, each
with its parameters bound by PostgreSQL, and prepared once a connection sent the same text a
third time: a group's page keeps one text for every group, and each page still shows its own
group's pilots when the plan is reused."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cls_platform.rows import results
from tests.factories import ContactFactory, ContractFactory, WorkGroupFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only"
)


def prepared() -> list[str]:
    rows = connection.connection.execute("SELECT statement FROM pg_prepared_statements")
    return [statement for (statement,) in rows.fetchall()]


@postgresql_only
def test_each_group_page_shows_its_own_pilots_once_its_statements_are_prepared(
    login_as, coordinator
):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    groups = []
    for n in range(4):
        group = WorkGroupFactory(contract=contract, name=f"Groupe {n}")
        group.pilots.set([ContactFactory(territory=territory, last_name=f"Pilote-du-groupe-{n}")])
        groups.append(group)
    client = login_as(coordinator)
    for _round in range(2):
        for n, group in enumerate(groups):
            response = client.get(
                reverse("workgroups:group_detail", args=[territory.slug, group.pk])
            )
            text = response.content.decode()
            assert response.status_code == 200
            assert f"Pilote-du-groupe-{n}" in text
            others = [f"Pilote-du-groupe-{m}" for m in range(4) if m != n]
            assert not any(name in text for name in others)
    # One text for every group, the group's id a parameter: prepared, whatever the group.
    successor = "LEFT JOIN partners_contact s ON s.id = c.successor_id"  # the pilots' statement
    pilots = [s for s in prepared() if successor in s and "p.workgroup_id IN ($1)" in s]
    assert pilots, prepared()


@postgresql_only
def test_a_batch_is_one_logged_query_and_keeps_percent_signs_without_parameters():
    with CaptureQueriesContext(connection) as ctx:
        rows = results(["SELECT '100 %'", ("SELECT %s + 1", [41])])
    assert rows == [[("100 %",)], [(42,)]]
    assert len(ctx.captured_queries) == 1


@postgresql_only
def test_an_error_in_a_batch_is_djangos_and_leaves_the_connection_usable():
    with pytest.raises(DatabaseError), transaction.atomic():
        results(["SELECT 1", "SELECT * FROM no_such_table"])
    assert results(["SELECT 2"]) == [[(2,)]]
