"""Cross-site request forgery: a POST without the form's token is refused on every URL.

Another site's page can make a signed-in coordinator's browser post to Trame; only the token of
a form Trame itself served lets a POST through. Every URL pattern is posted to without one, by
a signed-in coordinator (and by a visitor for the public pages): 403 and nothing changes. The
two exemptions are named and justified below; a new one fails here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cls_platform.access import POLICY_TERRITORY
from tests.cls_platform.test_tenancy import ROUTES, route_id, url_for
from tests.factories import PASSWORD
from tests.security.snapshot import changes, snapshot
from tests.support.urlwalk import Route, sample_value

pytestmark = pytest.mark.django_db

# Posted to by programs that hold no form of ours, and that change nothing a forger could use.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients post "List-Unsubscribe=One-Click" with no
    # token; the signed link names the person, and unsubscribing is all it can do.
    "partner_links:self_service_unsubscribe",
    # Browsers post Content-Security-Policy violation reports with no cookie and no token.
    "csp_report",
}


def is_exempt(route: Route) -> bool:
    return bool(getattr(route.callback, "csrf_exempt", False))


def test_only_the_named_urls_are_exempt_from_the_token():
    assert {route_id(r) for r in ROUTES if is_exempt(r)} == CSRF_EXEMPT


def address(route: Route, territory) -> str:
    """A real object's address for territory pages; any id for public ones (the token is
    checked after the form's)."""
    if route.policy == POLICY_TERRITORY:
        return url_for(route, territory.slug, territory)
    values = {name: 1 if conv == "int" else sample_value(conv) for conv, name in route.kwargs}
    return route.build(values)


@pytest.mark.parametrize("route", [r for r in ROUTES if not is_exempt(r)], ids=route_id)
def test_a_post_without_token_is_refused(route: Route, territory, coordinator):
    client = Client(enforce_csrf_checks=True)
    if route.policy == POLICY_TERRITORY or route.name != "login":
        assert client.login(username=coordinator.user.email, password=PASSWORD)
    url = address(route, territory)
    before = snapshot()
    response = client.post(url, {"title": "forgé", "name": "forgé", "email": "x@exemple.fr"})
    assert response.status_code == 403, f"POST {url} → {response.status_code}"
    assert "Envoi refusé" in response.content.decode(), url
    assert changes(before, snapshot()) == []


def test_the_refusal_says_why_in_french(territory, coordinator):
    """A coordinator whose form stayed open too long reads what happened and what to do."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=coordinator.user.email, password=PASSWORD)
    url = reverse("partners:organization_create", kwargs={"territory": territory.slug})
    response = client.post(url, {"name": "X"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'lang="fr"' in page and "Envoi refusé" in page and "Rien n'a été enregistré" in page


def test_the_sign_in_form_needs_its_token(coordinator):
    """Login CSRF: another site signing a visitor into an account of its choosing."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/connexion/", {"username": coordinator.user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
