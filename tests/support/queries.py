"""Proves that a page's SQL query count does not grow with the data."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def count_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(
    client: Client, url: str, grow: Callable[[], object], *, at_most: int | None = None
) -> int:
    """Count the page's queries, let `grow()` add data, count again: both must be equal.

    The first request warms caches (session, content types) so both measured ones compare alike.
    Returns the count so a test can also pin it.
    """
    client.get(url)
    before, _ = count_queries(client, url)
    grow()
    after, sql = count_queries(client, url)
    assert after == before, (
        f"{url}: {before} requêtes avant, {after} après l'ajout de données.\n" + "\n".join(sql)
    )
    if at_most is not None:
        assert after <= at_most, f"{url}: {after} requêtes (au plus {at_most} attendues)"
    return after
