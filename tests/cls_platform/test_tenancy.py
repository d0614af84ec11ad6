"""No URL of the project escapes tenancy.

Every pattern is walked: its view must declare an access policy through the helpers of
`cls_platform.access`, and is then requested as an anonymous visitor, as a coordinator of
another territory, and as a read-only signatory. A view added without the helpers fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from actions.models import Axis, Contract, FicheAction, Indicator
from cls_platform.access import POLICY_AUTHENTICATED, POLICY_PUBLIC, POLICY_TERRITORY
from partners.models import Contact, HandOver, Organization, PartnerImport
from tests.conftest import login
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.urlwalk import Route, walk
from workgroups.models import Invitation, Meeting, WorkGroup

pytestmark = pytest.mark.django_db

# Reachable without an account. Adding a name here is a decision: say why in the commit.
# The partners' pages carry their own proof: a signed, expiring link naming one contact.
PUBLIC_URL_NAMES = {
    "login",
    "logout",
    "healthz",
    "self_service",
    "self_service_left",
    "self_service_unsubscribe",
    "rsvp",
    "document",
}

# For routes that name an object (<int:pk>...), how to make one in a given territory, by model.
# A new territory-scoped detail view must register its model here; the walk fails otherwise.
OBJECT_MAKERS: dict[type, Any] = {
    Organization: lambda t: OrganizationFactory(territory=t),
    Contact: lambda t: ContactFactory(territory=t),
    PartnerImport: lambda t: PartnerImport.objects.create(
        territory=t, file_name="a.csv", content=b""
    ),
    HandOver: lambda t: HandOver.objects.create(contact=ContactFactory(territory=t)),
    Contract: lambda t: ContractFactory(territory=t),
    Axis: lambda t: AxisFactory(contract=ContractFactory(territory=t)),
    FicheAction: lambda t: FicheActionFactory(contract=ContractFactory(territory=t)),
    WorkGroup: lambda t: WorkGroupFactory(contract=ContractFactory(territory=t)),
    Meeting: lambda t: MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=t))
    ),
    Invitation: lambda t: Invitation.objects.create(
        meeting=MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=t))),
        contact=ContactFactory(territory=t),
    ),
    Indicator: lambda t: Indicator.objects.create(
        fiche=FicheActionFactory(contract=ContractFactory(territory=t)), title="Indicateur"
    ),
}

# Pages of an optional file (signed contract, compte-rendu not yet written): a fresh object
# has none, hence 404.
MAY_BE_ABSENT = {"actions:contract_document", "workgroups:report_pdf"}

ROUTES = [r for r in walk() if r.namespace != "admin"]
TERRITORY_ROUTES = [r for r in ROUTES if r.policy == POLICY_TERRITORY]


def route_id(route: Route) -> str:
    return f"{route.namespace}:{route.name}" if route.namespace else route.name or route.route


def url_for(route: Route, territory_slug: str, object_territory) -> str:
    values: dict[str, Any] = {}
    for converter, name in route.kwargs:
        if name == "territory":
            values[name] = territory_slug
        elif converter == "int":
            # The model the URL's id names: a creation page names its parent (url_model).
            model = getattr(route.view_class, "url_model", None) or getattr(
                route.view_class, "model", None
            )
            maker = OBJECT_MAKERS.get(model)
            assert maker is not None, (
                f"{route_id(route)} : ajoutez une fabrique pour {model} dans OBJECT_MAKERS "
                "afin que le test de cloisonnement couvre cette page."
            )
            values[name] = maker(object_territory).pk
        else:
            values[name] = "x"
    return route.build(values)


def test_every_route_is_walked():
    names = {route_id(r) for r in ROUTES}
    assert {"home", "login", "healthz", "evaluation:dashboard"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_view_declares_its_access_policy(route: Route):
    assert route.policy in {POLICY_TERRITORY, POLICY_AUTHENTICATED, POLICY_PUBLIC}, (
        f"{route_id(route)} ({route.route}) ne passe par aucune aide de cls_platform.access : "
        "utilisez TerritoryMixin, territory_view, authenticated_view ou public_view."
    )
    if route.policy == POLICY_PUBLIC:
        assert route.name in PUBLIC_URL_NAMES, f"{route_id(route)} est public sans être listé."
    if route.policy == POLICY_TERRITORY:
        assert "<slug:territory>" in route.route, f"{route_id(route)} : territoire absent de l'URL."


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_anonymous_visitor_is_sent_to_sign_in(route: Route, territory):
    url = url_for(route, territory.slug, territory)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} → {response.status_code}"
        assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_another_territory_answers_not_found(route: Route, territory, outsider):
    """A Vitry coordinator asking for a Cergy page gets the same 404 as for a missing page."""
    client = login(Client(), outsider)
    url = url_for(route, territory.slug, territory)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "route", [r for r in TERRITORY_ROUTES if any(c == "int" for c, _ in r.kwargs)], ids=route_id
)
def test_object_of_another_territory_answers_not_found(route, territory, coordinator, outsider):
    """Own territory in the URL, another territory's object id: still 404."""
    client = login(Client(), coordinator)
    url = url_for(route, territory.slug, outsider.territory)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code in (404, 405)  # 405: a read-only page, nothing revealed


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
def test_viewer_cannot_change_anything(route: Route, territory, viewer):
    client = login(Client(), viewer)
    url = url_for(route, territory.slug, territory)
    response = client.post(url, {"title": "modifié", "name": "modifié"})
    assert response.status_code in (403, 404, 405), f"POST {url} → {response.status_code}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.policy == POLICY_AUTHENTICATED], ids=route_id
)
def test_signed_in_pages_need_an_account(route: Route, territory):
    response = Client().get(url_for(route, territory.slug, territory))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_administration_is_for_staff_only(coordinator):
    client = login(Client(), coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def forgotten_view(request):
    return HttpResponse("données de tous les territoires")


urlpatterns = [path("t/<slug:territory>/fuite/", forgotten_view, name="fuite")]


@override_settings(ROOT_URLCONF=__name__)
def test_walk_catches_a_view_that_forgets_the_helpers():
    """The guard itself: a plain view under /t/<territory>/ is reported, not silently walked."""
    (route,) = list(walk(__name__))
    with pytest.raises(AssertionError, match="ne passe par aucune aide"):
        test_every_view_declares_its_access_policy(route)


@pytest.mark.parametrize("route", TERRITORY_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_every_page_of_ones_own_territory_answers_without_error(request, route: Route, who):
    """The other side of the walk: inside one's territory, each page renders or refuses cleanly."""
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    response = client.get(url_for(route, access.territory.slug, access.territory))
    expected = {200, 302, 403, 405}
    if route_id(route) in MAY_BE_ABSENT:
        expected.add(404)
    assert response.status_code in expected, f"{route_id(route)} → {response.status_code}"
    if who == "viewer" and response.status_code == 200:
        assert b"@partenaire.fr" not in response.content, "a viewer sees no e-mail address"
