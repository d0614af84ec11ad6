"""How the suite splits over processes (`make test` runs it with pytest-xdist, `--dist loadgroup`).

Each test module runs whole on one process, so that the data a module seeds once (the demo, a
scale fixture) is seeded once. Every module that holds a test needing the real services (marked
`services`) runs on the same process, one after the other: they share one Redis index, and a
Celery worker started by one of them must not take the tasks, or answer the health probe, of
another. Without xdist the markers are ignored.
"""

from __future__ import annotations

import pytest

SERVICES_GROUP = "services"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    with_services = {
        item.module.__name__
        for item in items
        if item.get_closest_marker("services") is not None and item.module is not None
    }
    for item in items:
        module = item.module.__name__ if item.module is not None else item.nodeid
        group = SERVICES_GROUP if module in with_services else module
        item.add_marker(pytest.mark.xdist_group(group))
