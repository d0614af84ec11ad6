"""Real-Chromium fixtures: Playwright (sync API) driving Debian's Chromium, checked with axe-core.

- `browser` (session): one headless Chromium for the whole run. Skipped when /usr/bin/chromium is
  missing, except when TRAME_REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
- `page`: a fresh context per test (fr-FR, Europe/Paris, 1280x900), closed afterwards. A failing
  test leaves a full-page screenshot in pytest's temporary directory (path printed in the report);
  TRAME_BROWSER_SCREENSHOTS=<dir> keeps one for every test.
- `browser_login(page, live_server, access)`: signs in through the real login form.
- `assert_no_axe_violations(page)`: axe-core, WCAG 2.0/2.1 A and AA plus best practices.

Playwright's sync API keeps an asyncio loop running in the test thread from the moment it starts
until the session ends (hence DJANGO_ALLOW_ASYNC_UNSAFE in tests/conftest.py). So that no other
test ever runs beside that loop (asyncio.run, async_to_sync would refuse), browser tests are moved
to the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from cls_platform.models import Access

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
# Generous enough for a cold live server on a loaded CI machine, short enough to fail fast.
TIMEOUT_MS = 15_000

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (landmarks, one h1, heading order,
# skip link target...): on these server-rendered pages they flag real defects, not noise.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
IMPACTS_FR = {
    "critical": "critique",
    "serious": "grave",
    "moderate": "modéré",
    "minor": "mineur",
    None: "non précisé",
}


def _services_required() -> bool:
    return os.environ.get("TRAME_REQUIRE_SERVICES") == "1"


def _unavailable(problem: str) -> None:
    if _services_required():
        pytest.fail(f"{problem}, alors que TRAME_REQUIRE_SERVICES=1 exige les tests navigateur.")
    pytest.skip(f"{problem} : tests navigateur ignorés.")


# --- Ordering and reports -------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last, keeping the relative order pytest-django gave everything else."""
    others = [item for item in items if item.get_closest_marker("browser") is None]
    browser_items = [item for item in items if item.get_closest_marker("browser") is not None]
    items[:] = others + browser_items


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Lets the `page` fixture know, at teardown, whether the test body failed.
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"Chromium introuvable à {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Le paquet Python playwright n'est pas installé")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(
    browser: Browser, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    browser_page = context.new_page()
    try:
        yield browser_page
    finally:
        _keep_screenshot(browser_page, request, tmp_path_factory)
        context.close()


def _keep_screenshot(
    page: Page, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    reports = request.node.stash.get(_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    wanted = os.environ.get("TRAME_BROWSER_SCREENSHOTS")
    if not (failed or wanted) or page.is_closed() or page.url in ("", "about:blank"):
        return
    folder = Path(wanted) if wanted else tmp_path_factory.getbasetemp() / "captures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^\w.-]+", "_", request.node.nodeid) + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a screenshot must never hide the test's own outcome
        request.node.add_report_section("teardown", "capture", f"Capture impossible : {exc}")
        return
    request.node.add_report_section("teardown", "capture", f"Capture d'écran : {path}")


# --- Helpers --------------------------------------------------------------------------------


def browser_login(page: Page, live_server: Any, access: Access) -> Page:
    """Sign `access.user` in through the real form and land on `access`'s territory dashboard."""
    from django.urls import reverse
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    dashboard = reverse("evaluation:dashboard", kwargs={"territory": access.territory.slug})
    page.goto(f"{live_server.url}{reverse('login')}?next={dashboard}")
    page.locator('input[name="username"]').fill(access.user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}{dashboard}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(access.territory.name)
    return page


def axe_violations(page: Page) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def format_violations(violations: list[dict[str, Any]], *, title: str, url: str) -> str:
    lines = [
        f"axe-core a relevé {len(violations)} non-conformité(s) d'accessibilité "
        f"sur « {title} » ({url}) :"
    ]
    for number, violation in enumerate(violations, start=1):
        criteria = ", ".join(tag for tag in violation.get("tags", []) if tag.startswith("wcag"))
        lines += [
            "",
            f"{number}. Règle « {violation['id']} » · gravité : "
            f"{IMPACTS_FR.get(violation.get('impact'), violation.get('impact'))}",
            f"   Problème : {violation['help']}",
            f"   Critères : {criteria or 'bonne pratique (hors WCAG)'}",
            f"   Documentation : {violation.get('helpUrl', '')}",
            f"   Éléments concernés ({len(violation['nodes'])}) :",
        ]
        for node in violation["nodes"]:
            target = " ".join(
                " >>> ".join(part) if isinstance(part, list) else str(part)
                for part in node["target"]
            )
            lines.append(f"     - cible : {target}")
            lines.append(f"       code : {' '.join(node.get('html', '').split())[:300]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"       détail : {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with every axe-core violation (rule, impact, help, target nodes) listed."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(format_violations(violations, title=page.title(), url=page.url), pytrace=False)
