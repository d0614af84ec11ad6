"""Every URL, by every role of another territory, and every write a signatory may attempt.

tests/cls_platform/test_tenancy.py walks each page as an anonymous visitor, as the coordinator
of another territory, and checks that a signatory's bare POST answers 403. Two things it leaves
silent are walked here:

- the co-pilot and the signatory of territory B (Vitry) asking for territory A's (Cergy)
  pages and objects, by A's address and by B's address with A's object: never a page of A;
- a signatory of A posting, to every page that takes a form, the very form a coordinator is
  shown, filled in: refused, and not one row of the database differs afterwards.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cls_platform.models import Access, Role
from tests.cls_platform.test_tenancy import (
    TERRITORY_ROUTES,
    has_method,
    is_write_page,
    route_id,
    url_for,
)
from tests.conftest import login
from tests.factories import AccessFactory
from tests.security.snapshot import changes, snapshot
from tests.support.urlwalk import Route

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [r for r in TERRITORY_ROUTES if any(c == "int" for c, _ in r.kwargs)]


@pytest.fixture
def other_copilot(other_territory) -> Access:
    return AccessFactory(
        territory=other_territory, role=Role.COPILOT, user__email="copilote@vitry.fr"
    )


@pytest.fixture
def other_viewer(other_territory) -> Access:
    return AccessFactory(territory=other_territory, role=Role.VIEWER, user__email="ars94@ars.fr")


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["other_copilot", "other_viewer"])
def test_people_of_another_territory_find_no_page_of_it(request, route: Route, who, territory):
    """A co-pilot or a signatory of Vitry typing a Cergy address: the page does not exist."""
    client = login(Client(), request.getfixturevalue(who))
    url = url_for(route, territory.slug, territory)
    before = snapshot()
    assert client.get(url).status_code == 404, f"GET {url}"
    assert client.post(url, {"title": "modifié", "name": "modifié"}).status_code == 404
    assert changes(before, snapshot()) == []


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["other_copilot", "other_viewer"])
def test_people_of_another_territory_reach_none_of_its_objects(
    request, route: Route, who, territory
):
    """Their own territory in the address, a Cergy object's id: missing (404), or refused
    before anything is looked up (403, 405), and nothing changes."""
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    url = url_for(route, access.territory.slug, territory)
    response = client.get(url)
    # 403: a page their role is refused whatever the object (a signatory reads no person).
    allowed = (403, 404) if has_method(route, "get") else (403, 404, 405)
    assert response.status_code in allowed, f"GET {url} → {response.status_code}"
    before = snapshot()
    response = client.post(url, {"title": "modifié", "name": "modifié", "status": "done"})
    assert response.status_code in (403, 404, 405), f"POST {url} → {response.status_code}"
    assert changes(before, snapshot()) == []


class FormFields(HTMLParser):
    """The fields of the page's POST forms as a browser would send them, text left empty
    filled in: what a signatory could copy from a coordinator's page and replay."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = a.get("method", "").lower() == "post"
        if not self.in_form or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a or name not in self.data:
                    self.data[name] = a.get("value", "on")
            elif kind == "file" or kind == "submit":
                return
            elif kind == "number":
                self.data[name] = a.get("value") or a.get("min") or "1"
            elif kind == "date":
                self.data[name] = a.get("value") or "2026-03-02"
            elif kind == "email":
                self.data[name] = a.get("value") or "modifie@exemple.fr"
            elif kind == "url":
                self.data[name] = a.get("value") or "https://exemple.fr/"
            elif kind == "tel":
                self.data[name] = a.get("value") or "01 02 03 04 05"
            else:
                self.data[name] = a.get("value") or "modifié"
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = "modifié"
        elif tag == "select":
            self.select = name
        elif (
            tag == "option"
            and self.select
            and a.get("value")
            and ("selected" in a or self.select not in self.data)
        ):
            self.data[self.select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def coordinators_form(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return {}
    parser = FormFields()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


WRITE_ROUTES = [r for r in TERRITORY_ROUTES if has_method(r, "post") or is_write_page(r)]


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=route_id)
def test_a_signatorys_every_write_is_refused_and_changes_nothing(
    route: Route, territory, coordinator, viewer
):
    """The form a coordinator fills in, posted by a signatory: 403, and the database holds
    exactly the rows it held before (no row added, none changed, none removed)."""
    url = url_for(route, territory.slug, territory)
    data = coordinators_form(login(Client(), coordinator), url) or {
        "title": "modifié",
        "name": "modifié",
        "status": "done",
    }
    client = login(Client(), viewer)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 403, f"POST {url} → {response.status_code}"
    assert changes(before, snapshot()) == [], f"POST {url} ({sorted(data)})"


def test_the_replayed_forms_are_real_forms(territory, coordinator):
    """The guard of the walk above: a coordinator's form, as read from the page, is complete
    enough to change something when the coordinator posts it, and the snapshot sees it."""
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(territory=territory, name="CCAS")
    url = reverse(
        "partners:organization_update", kwargs={"territory": territory.slug, "pk": organization.pk}
    )
    client = login(Client(), coordinator)
    data = coordinators_form(client, url)
    assert data.get("name") == "CCAS"
    data["name"] = "CCAS de Cergy"
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert "partners.Organization (1 → 1 lignes)" in changes(before, snapshot())
    organization.refresh_from_db()
    assert organization.name == "CCAS de Cergy"
