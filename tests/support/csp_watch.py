"""Pytest plugin: a browser test fails on any Content-Security-Policy violation.

Two witnesses: what Chromium writes in the console of the test's `page` ("Refused to ...
because it violates the following Content Security Policy directive"), and the reports it posts
to /csp-report/, which the server logs on "trame.csp" (these cover every page the test opens,
in any context). Loaded for the whole suite by tests/conftest.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest


class Reports(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def _no_csp_violation(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    if request.node.get_closest_marker("browser") is None or "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    console: list[str] = []

    def seen(message) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", seen)
    reports = Reports()
    logger = logging.getLogger("trame.csp")
    logger.addHandler(reports)
    try:
        yield console
        if request.node.get_closest_marker("csp_violation_expected") is None:
            # Reports are posted a moment after the violation.
            time.sleep(0.3)
            found = console + reports.messages
            assert not found, "Violations de la politique de sécurité du contenu :\n" + "\n".join(
                found
            )
    finally:
        logger.removeHandler(reports)
