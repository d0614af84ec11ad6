"""The archive's page in a real Chromium: axe-core finds nothing, and the button downloads the
ZIP (Playwright receives the file and it opens)."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ContactFactory
from tests.support.browser import assert_no_axe_violations, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordination_downloads_the_archive_from_its_page(
    page: Page, live_server, coordinator, tmp_path
):
    ContactFactory(territory=coordinator.territory, last_name="Martin")
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/archive/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive des données du territoire")
    assert_no_axe_violations(page)
    link = page.get_by_role("link", name="Télécharger l'archive (ZIP)")
    link.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.startswith("trame-cergy-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "README.txt" in archive.namelist()
        assert "Martin" in archive.read("annuaire/contacts.csv").decode("utf-8-sig")
