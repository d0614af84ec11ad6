"""A signatory's (viewer's) pages hold no form that changes data and no personal detail.

Every page of the project a viewer may open (the routes of tests/cls_platform/test_tenancy.py
that answer them 200) is read twice: on the tenancy walk's fresh objects, and on the demo's
Cergy (seed_demo, with the COPIL's decisions), where meetings are held, compte-rendus sent,
surveys answered and decisions followed up. No page holds a <form method="post"> other than
signing out, nor a link to a page refused to them, nor the e-mail address or phone number of
anyone in the directory. That every write URL answers them 403 is the tenancy walk's
`test_viewer_cannot_change_anything`.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from actions.models import Contract, FicheAction
from cls_platform.access import scoped
from cls_platform.models import Access, Territory
from demo.cergy.decisions import seed_copil_decisions
from partners.models import Contact
from tests.cls_platform.test_tenancy import (
    POST_ONLY,
    REFUSED_TO_VIEWERS,
    TERRITORY_ROUTES,
    expected_status,
    route_id,
    url_for,
    url_model,
)
from tests.conftest import login
from tests.support.urlwalk import Route, sample_value

pytestmark = pytest.mark.django_db

VIEWER_PAGES = [r for r in TERRITORY_ROUTES if expected_status(route_id(r), "viewer") == 200]
FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
HREF = re.compile(r'href="(/t/[^"#?]*)')
DEMO_PASSWORD = "demo-cls-2026"
OBJECTS_PER_PAGE = 2


def changing_forms(page: str) -> list[str]:
    """The forms of the page that would change data: those posted, but signing out."""
    return [
        tag
        for tag in FORM.findall(page)
        if re.search(r"method=\"?post", tag, re.IGNORECASE) and "/deconnexion/" not in tag
    ]


def refused_links(page: str) -> list[str]:
    """Links to pages that answer a viewer 403 (or only take a POST)."""
    names = []
    for path in HREF.findall(page):
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if name in REFUSED_TO_VIEWERS or name in POST_ONLY:
            names.append(name)
    return names


def is_html(response) -> bool:
    return "text/html" in response.get("Content-Type", "")


def test_the_walk_reads_the_viewers_pages():
    names = {route_id(r) for r in VIEWER_PAGES}
    assert {"evaluation:dashboard", "evaluation:contract_progress"} <= names
    assert "evaluation:decision_create" not in names


@pytest.mark.parametrize("route", VIEWER_PAGES, ids=route_id)
def test_a_viewers_page_holds_no_form_that_changes_data(route: Route, viewer):
    response = login(Client(), viewer).get(url_for(route, "cergy", viewer.territory))
    assert response.status_code == 200
    if is_html(response):
        page = response.content.decode()
        assert changing_forms(page) == [], route_id(route)
        assert refused_links(page) == [], route_id(route)
        assert "/deconnexion/" in page  # the one form they have


# --- On the demo's Cergy, where everything has happened ---------------------------------------


@pytest.fixture(scope="module")
def cergy(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        seed_copil_decisions(Territory.objects.get(slug="cergy"))
        yield
        transaction.set_rollback(True)


def objects_of(model: type | None, access: Access) -> list[Any]:
    """A few objects of `model` the viewer may read, most recent first (the demo's latest
    meetings are the ones with reports and decisions)."""
    if model is None:
        return []
    fields = {f.name for f in model._meta.get_fields()}
    if "territory" in fields:
        queryset = scoped(model.objects.all(), access)
    elif "contract" in fields:
        queryset = model.objects.filter(contract__in=scoped(Contract.objects.all(), access))
    elif "fiche" in fields:
        queryset = model.objects.filter(fiche__in=scoped(FicheAction.objects.all(), access))
    else:
        return []
    return list(queryset.order_by("-pk")[:OBJECTS_PER_PAGE])


def secrets_of(territory: Territory) -> re.Pattern[str]:
    """Every e-mail address and phone number of the territory's directory, as one pattern."""
    values = set()
    for email, phone in Contact.objects.filter(territory=territory).values_list("email", "phone"):
        values.update(v.strip() for v in (email, phone) if v and v.strip())
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), re.I)


def test_on_the_demo_a_signatory_reads_no_form_no_address_no_phone(cergy, settings):
    settings.DEBUG = True  # the demo's accounts are refused otherwise
    access = Access.objects.select_related("territory").get(
        user__email="ars95@ars.demo", territory__slug="cergy"
    )
    client = Client()
    assert client.login(username="ars95@ars.demo", password=DEMO_PASSWORD)
    secrets = secrets_of(access.territory)
    read, problems = 0, []
    for route in VIEWER_PAGES:
        if any(converter == "int" for converter, _name in route.kwargs):
            ids = [{"pk": o.pk} for o in objects_of(url_model(route), access)]
        else:
            ids = [{}]
        for values in ids:
            values = {"territory": "cergy", **values}
            for converter, name in route.kwargs:
                values.setdefault(name, sample_value(converter))
            url = route.build(values)
            response = client.get(url)
            if response.status_code != 200 or not is_html(response):
                continue
            read += 1
            page = response.content.decode()
            problems += [f"{url} : formulaire {f}" for f in changing_forms(page)]
            problems += [f"{url} : lien vers {name}" for name in refused_links(page)]
            problems += [f"{url} : donnée personnelle {m}" for m in secrets.findall(page)]
    assert problems == []
    assert read > len(VIEWER_PAGES)  # objects of every kind were read, several of some


def test_the_demo_shows_the_cergy_copil_with_its_decisions_followed_up(cergy, settings):
    settings.DEBUG = True
    cergy_territory = Territory.objects.get(slug="cergy")
    decisions = seed_copil_decisions(cergy_territory)
    assert len(decisions) == 6
    assert len(seed_copil_decisions(cergy_territory)) == 6  # a second run adds nothing
    contract = decisions[0].contract
    assert contract.copil_decisions.count() == 6
    assert {d.meeting.group.kind for d in decisions} == {"copil"}
    assert any(d.is_late() for d in decisions) and any(d.closed_on for d in decisions)
    assert all(d.organization_id or d.who_label for d in decisions)
    client = Client()
    assert client.login(username="ars95@ars.demo", password=DEMO_PASSWORD)
    page = client.get(f"/t/cergy/contrats/{contract.pk}/avancement/").content.decode()
    assert "Publier un annuaire de l&#x27;offre de santé" in page
    assert "en retard</span>" in page
    meeting = client.get(f"/t/cergy/reunions/{decisions[0].meeting_id}/").content.decode()
    assert "Décisions et recommandations de ce comité de pilotage" in meeting
