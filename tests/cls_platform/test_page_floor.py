"""What every page pays besides its own content, kept once per process where it can be: the
frame's links and words (`{% constant %}`, cls_platform/templatetags/navigation.py), the
Content-Security-Policy (cls_platform/headers.py), the audit trail's hold on the request
(cls_platform/audit.py). What stays per page must still be the page's own: its CSRF token, its
path, its nonce, the person acting."""

from __future__ import annotations

import re

import csp.middleware
import pytest
from django.http import HttpResponse
from django.template import engines
from django.template.exceptions import TemplateSyntaxError
from django.test import Client, RequestFactory
from django.urls import set_script_prefix

from cls_platform.audit import AuditEntry, AuditMiddleware
from cls_platform.headers import CSPMiddleware
from tests.factories import PASSWORD, ContactFactory

pytestmark = pytest.mark.django_db


def session_warning(page: str) -> str:
    return re.search(r'<script src="/static/js/session-timeout\.js"[^>]*>', page)[0]


def attribute(tag: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', tag)[1]


def signed_in(access, **options) -> Client:
    client = Client(**options)
    assert client.login(username=access.user.email, password=PASSWORD)
    return client


def test_each_page_s_session_warning_carries_its_own_path_and_a_token_that_works(coordinator):
    client = signed_in(coordinator, enforce_csrf_checks=True)
    dashboard = session_warning(client.get("/t/cergy/").content.decode())
    groups = session_warning(client.get("/t/cergy/groupes/?page=1").content.decode())
    assert attribute(dashboard, "data-login-url") == "/connexion/?next=/t/cergy/"
    assert attribute(groups, "data-login-url") == "/connexion/?next=/t/cergy/groupes/"
    assert attribute(dashboard, "data-csrf") != attribute(groups, "data-csrf")
    # The token of the page, put in by the kept tag, is the one the keep-alive accepts.
    token = attribute(groups, "data-csrf")
    response = client.post("/session/prolonger/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_the_sign_out_form_s_token_signs_out(coordinator):
    client = signed_in(coordinator, enforce_csrf_checks=True)
    page = client.get("/t/cergy/").content.decode()
    form = re.search(r'<form method="post" action="/deconnexion/">.*?</form>', page)[0]
    token = attribute(form, "value")
    assert "Se déconnecter" in form
    client.post("/deconnexion/", {"csrfmiddlewaretoken": token})
    assert client.get("/t/cergy/").status_code == 302


def test_a_constant_stretch_follows_the_site_s_address_and_reads_no_page_value():
    template = engines["django"].from_string(
        "{% load navigation %}{% constant %}<a href=\"{% url 'login' %}\">{% endconstant %}"
    )
    assert template.render({}) == '<a href="/connexion/">'
    set_script_prefix("/trame/")
    try:
        assert template.render({}) == '<a href="/trame/connexion/">'
    finally:
        set_script_prefix("/")
    assert template.render({}) == '<a href="/connexion/">'

    reading = engines["django"].from_string(
        "{% load navigation %}{% constant %}{{ user.email }}{% endconstant %}"
    )
    with pytest.raises(TemplateSyntaxError, match="user"):
        reading.render({"user": "x"})
    with pytest.raises(TemplateSyntaxError, match="directement"):
        engines["django"].from_string(
            "{% load navigation %}{% constant %}{% if a %}{% live %}{{ a }}{% endlive %}"
            "{% endif %}{% endconstant %}"
        )


@pytest.mark.parametrize("uses_nonce", [False, True])
@pytest.mark.parametrize("path", ["/t/cergy/", "/t/cergy/reunions/1/compte-rendu/"])
def test_the_policy_is_django_csp_s_own_with_the_page_s_nonce(rf, uses_nonce, path):
    from django.urls import resolve

    class DjangoCSP(CSPMiddleware):
        """The policy as django-csp writes it, with Trame's exceptions."""

        process_response = csp.middleware.CSPMiddleware.process_response

    def page(request):
        nonce = str(request.csp_nonce) if uses_nonce else ""
        return HttpResponse(f'<style nonce="{nonce}"></style>')

    headers = []
    for middleware in (CSPMiddleware(page), DjangoCSP(page), CSPMiddleware(page)):
        request = rf.get(path)
        request.resolver_match = resolve(path)
        middleware.process_request(request)
        response = middleware.process_response(request, page(request))
        nonce = getattr(request, "_csp_nonce", None)
        assert bool(nonce) is uses_nonce
        header = response["Content-Security-Policy"]
        assert "Content-Security-Policy-Report-Only" not in response
        headers.append(header.replace(nonce, "NONCE") if nonce else header)
    assert headers[0] == headers[1] == headers[2]
    assert ("'nonce-NONCE'" in headers[0]) is uses_nonce
    assert ("style-src-attr 'unsafe-inline'" in headers[0]) is path.endswith("compte-rendu/")


def test_an_entry_saved_once_the_request_is_over_names_no_one(coordinator):
    """A task or a command after a page (same thread): nobody's change, from nowhere."""
    person = ContactFactory(territory=coordinator.territory, job_title="Infirmière")

    def change(request):
        person.job_title = "Infirmière scolaire"
        person.save()
        return HttpResponse()

    request = RequestFactory().post("/t/cergy/", REMOTE_ADDR="198.51.100.5")
    request.user = coordinator.user
    AuditMiddleware(change)(request)
    person.job_title = "Puéricultrice"
    person.save()

    during, after = AuditEntry.objects.filter(object_id=person.pk, event="update").order_by("pk")
    assert during.actor == coordinator.user and during.remote_addr == "198.51.100.5"
    assert after.actor is None and after.remote_addr is None
