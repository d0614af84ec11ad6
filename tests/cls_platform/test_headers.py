"""Security headers on every response, and oversized uploads refused before they are read.

Every page of one's own territory (the tenancy walk's routes) carries a Content-Security-Policy
with no 'unsafe-inline', the Permissions-Policy and `Cache-Control: no-store`; so do the signed
links' pages, the sign-in page and the files. The published pages (public directory, open data,
accessibility statement) stay cacheable. Violations the browsers report are logged.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cls_platform.access import POLICY_AUTHENTICATED
from partners.tokens import contact_token
from tests.cls_platform.test_deploy import manage, production_env
from tests.cls_platform.test_tenancy import (
    ROUTES,
    TERRITORY_ROUTES,
    expected_status,
    route_id,
    url_for,
)
from tests.conftest import login
from tests.evaluation.test_survey_results import answered  # noqa: F401 (fixture)
from tests.evaluation.test_survey_results import url as results_url
from tests.factories import ContactFactory, ContractFactory, MeetingFactory, WorkGroupFactory
from workgroups import feeds
from workgroups.models import Invitation, Membership
from workgroups.tokens import invitation_token

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PAGES_OK = [r for r in TERRITORY_ROUTES if expected_status(route_id(r), "coordinator") == 200]
SIGNED_IN_ROUTES = [r for r in ROUTES if r.policy == POLICY_AUTHENTICATED]
MEGABYTE = 1024 * 1024


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def assert_private_and_protected(response, what: str) -> None:
    policy = directives(response)
    for name in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy.get(name, []), f"{what} : {name} unsafe-inline"
    assert policy["script-src"] == ["'self'"], what
    if what != "workgroups:report_edit":
        assert "style-src-attr" not in policy, what
    assert policy["default-src"] == ["'self'"], what
    assert policy["frame-ancestors"] == ["'none'"], what
    assert policy["object-src"] == ["'none'"], what
    assert "camera=()" in response["Permissions-Policy"], what
    assert "microphone=()" in response["Permissions-Policy"], what
    assert "geolocation=()" in response["Permissions-Policy"], what
    assert "no-store" in response["Cache-Control"], f"{what} : {response.get('Cache-Control')}"
    assert "Server" not in response, what


# --- Every private page -----------------------------------------------------------------------


@pytest.mark.parametrize("route", PAGES_OK, ids=route_id)
def test_every_page_of_a_territory_is_protected_and_never_stored(route, coordinator):
    """PDFs, exports, the archive and every HTML page alike: the walk of test_tenancy."""
    client = login(Client(), coordinator)
    response = client.get(url_for(route, coordinator.territory.slug, coordinator.territory))
    assert response.status_code == 200, route_id(route)
    assert_private_and_protected(response, route_id(route))


@pytest.mark.parametrize("route", SIGNED_IN_ROUTES, ids=route_id)
def test_every_page_across_territories_is_protected_and_never_stored(route, coordinator):
    client = login(Client(), coordinator)
    response = client.get("/" + route.route)
    # Home sends a person with one territory to it; some take a POST only.
    assert response.status_code in (200, 302, 405), route_id(route)
    assert_private_and_protected(response, route_id(route))


def test_only_the_editor_s_page_lets_style_attributes_through(coordinator):
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    )
    kwargs = {"territory": coordinator.territory.slug, "pk": meeting.pk}
    client = login(Client(), coordinator)
    editor = directives(client.get(reverse("workgroups:report_edit", kwargs=kwargs)))
    assert editor["style-src-attr"] == ["'unsafe-inline'"]
    assert "'unsafe-inline'" not in editor["style-src"]
    meeting_page = directives(client.get(reverse("workgroups:meeting_detail", kwargs=kwargs)))
    assert "style-src-attr" not in meeting_page


def test_the_walk_covers_files_and_pages():
    names = {route_id(r) for r in PAGES_OK}
    assert {
        "partners:contact_list",
        "workgroups:meeting_detail",
        "actions:contract_pdf",
        "evaluation:archive_download",
        "evaluation:survey_results",
    } <= names
    assert len(names) > 80


def test_signed_links_pages_are_never_stored(client, territory):
    contact = ContactFactory(territory=territory)
    meeting = MeetingFactory(group=WorkGroupFactory(contract=ContractFactory(territory=territory)))
    invitation = Invitation.objects.create(meeting=meeting, contact=contact)
    pages = {
        "self-service": reverse("partner_links:self_service", args=[contact_token(contact)]),
        "rsvp": reverse("meeting_links:rsvp", args=[invitation_token(invitation.pk), "oui"]),
    }
    for what, address in pages.items():
        response = client.get(address)
        assert response.status_code == 200, what
        assert_private_and_protected(response, what)


def test_sign_in_missing_pages_and_refusals_are_never_stored(client, viewer):
    assert_private_and_protected(client.get(reverse("login")), "login")
    missing = client.get("/t/nulle-part/annuaire/")
    assert missing["Cache-Control"] == "no-store"
    refused = login(Client(), viewer).get(
        reverse("partners:import_upload", kwargs={"territory": viewer.territory.slug})
    )
    assert refused.status_code == 403
    assert_private_and_protected(refused, "403")


def test_a_view_s_own_looser_caching_is_overridden(client, territory):
    """The calendar feed of a partner said "private, max-age=900": it lists their meetings."""
    contact = ContactFactory(territory=territory)
    group = WorkGroupFactory(contract=ContractFactory(territory=territory))
    Membership.objects.create(group=group, contact=contact)
    feed = feeds.feed_for(contact=contact, group=group)
    response = client.get(urlsplit(feeds.feed_url(feed)).path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "no-store"


# --- Published pages --------------------------------------------------------------------------


def test_published_pages_stay_cacheable(client):
    statement = client.get(reverse("accessibility_statement"))
    assert statement.status_code == 200
    assert "no-store" not in statement.get("Cache-Control", "")
    schema = client.get(reverse("opendata:schema"))
    assert schema.status_code == 200
    assert schema["Cache-Control"] == "public, max-age=300"
    # Still protected: the policy is on every response.
    assert "'unsafe-inline'" not in directives(statement)["script-src"]
    assert "camera=()" in statement["Permissions-Policy"]


def test_a_published_page_read_signed_in_is_private(coordinator):
    """The header then shows the person's name: no shared cache may keep it."""
    response = login(Client(), coordinator).get(reverse("accessibility_statement"))
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_static_files_are_served_before_the_no_store_rule():
    """WhiteNoise answers /static/ above the rule: stylesheets and scripts stay cacheable."""
    from django.conf import settings

    order = settings.MIDDLEWARE
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(
        "cls_platform.headers.CacheControlMiddleware"
    )


# --- What the pages hold ----------------------------------------------------------------------

TEMPLATES = BASE_DIR / "templates"
# E-mails are read by mail clients, print layouts by WeasyPrint: no browser applies the policy.
NOT_IN_BROWSERS = ("emails", "pdf")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def browser_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.relative_to(TEMPLATES).parts[0] not in NOT_IN_BROWSERS
        and not path.name.endswith("_pdf.html")
    ]


def test_no_template_shown_in_browsers_holds_inline_script_handler_or_style():
    offenders = []
    for path in browser_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(TEMPLATES)} : {pattern.pattern}")
    assert len(browser_templates()) > 100
    assert not offenders, "\n".join(offenders)


def test_a_survey_chart_s_style_carries_the_page_s_nonce(login_as, coordinator, answered):  # noqa: F811
    response = login_as(coordinator).get(results_url(answered["survey"]))
    assert response.status_code == 200
    page = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, response["Content-Security-Policy"]
    styles = re.findall(r"<style\b[^>]*>", page)
    assert styles, "le graphique n'a plus de couleurs"
    assert all(f'nonce="{nonce[1]}"' in tag for tag in styles), styles
    assert not STYLE_ATTRIBUTE.search(page)
    # A second reading: another nonce, the chart (from the cache) carries the new one.
    again = login_as(coordinator).get(results_url(answered["survey"]))
    second = re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"])[1]
    assert second != nonce[1]
    assert f'<style nonce="{second}"' in again.content.decode()


# --- Violation reports ------------------------------------------------------------------------


def test_a_reported_violation_is_logged_without_the_link_s_token(caplog, territory):
    contact = ContactFactory(territory=territory)
    token = contact_token(contact)
    report = {
        "csp-report": {
            "document-uri": f"http://testserver/partenaire/{token}/?a=b",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://mechant.example/x.js",
            "source-file": f"http://testserver/partenaire/{token}/",
            "line-number": 12,
        }
    }
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="trame.csp"):
        response = client.post(
            reverse("csp_report"), data=json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    logged = [r.getMessage() for r in caplog.records if r.name == "trame.csp"]
    assert len(logged) == 1
    assert "script-src-elem" in logged[0]
    assert "https://mechant.example" in logged[0]
    assert "partner_links:self_service" in logged[0]
    assert token not in logged[0]


def test_report_to_s_batches_are_logged_too(caplog):
    batch = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "http://testserver/accessibilite/",
                "effectiveDirective": "style-src-attr",
                "blockedURL": "inline",
            },
        },
        {"type": "deprecation", "body": {}},
    ]
    with caplog.at_level(logging.WARNING, logger="trame.csp"):
        response = Client().post(
            reverse("csp_report"), data=json.dumps(batch), content_type="application/reports+json"
        )
    assert response.status_code == 204
    logged = [r.getMessage() for r in caplog.records if r.name == "trame.csp"]
    assert logged == ["CSP violation: style-src-attr blocked inline on accessibility_statement (:)"]


def test_the_report_endpoint_refuses_what_is_not_a_small_report(caplog):
    client = Client()
    address = reverse("csp_report")
    assert client.get(address).status_code == 405
    big = client.post(address, data=b"x" * 20_000, content_type="application/csp-report")
    assert big.status_code == 413
    garbage = client.post(address, data=b"\xff{", content_type="application/csp-report")
    assert garbage.status_code == 400
    assert not [r for r in caplog.records if r.name == "trame.csp"]


def test_the_policy_names_the_report_endpoint(client):
    policy = directives(client.get(reverse("login")))
    assert policy["report-uri"] == [reverse("csp_report")]
    assert policy["form-action"] == ["'self'"]


# --- Oversized uploads ------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    read_bytes = 0

    def read(self, size: int = -1) -> bytes:  # pragma: no cover (must not run)
        raise AssertionError("le corps de la requête a été lu")

    readline = read


def post_announcing(client: Client, address: str, size: int):
    return client.generic(
        "POST",
        address,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": Unreadable()},
    )


@pytest.mark.parametrize(
    ("name", "limit", "words"),
    [
        ("partners:import_upload", 5, "Le fichier à importer dépasse 5 Mo"),
        ("actions:contract_document_upload", 20, "Le contrat signé dépasse 20 Mo"),
        ("actions:contract_sign", 20, "Le contrat signé dépasse 20 Mo"),
        ("workgroups:document_upload", 15, "Le document dépasse 15 Mo"),
    ],
)
def test_an_oversized_upload_is_refused_in_french_before_it_is_read(
    coordinator, name, limit, words
):
    kwargs = {"territory": coordinator.territory.slug}
    if name != "partners:import_upload":
        kwargs["pk"] = 1
    address = reverse(name, kwargs=kwargs)
    client = login(Client(), coordinator)
    response = post_announcing(client, address, (limit + 1) * MEGABYTE)
    assert response.status_code == 413
    page = response.content.decode()
    assert words in page
    assert "Rien n'a été enregistré" in page
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response


def test_any_other_page_refuses_a_body_above_the_form_limit(coordinator):
    client = login(Client(), coordinator)
    address = reverse("partners:contact_create", kwargs={"territory": coordinator.territory.slug})
    response = post_announcing(client, address, 3 * MEGABYTE)
    assert response.status_code == 413
    assert "Cet envoi dépasse 2,5 Mo" in response.content.decode()


def test_a_file_within_its_limit_still_reaches_its_form(coordinator):
    """4 MB of CSV is above Django's form limit but within the import page's: the form reads it."""
    client = login(Client(), coordinator)
    address = reverse("partners:import_upload", kwargs={"territory": coordinator.territory.slug})
    content = b"Nom;Courriel\n" + b"Durand;durand@example.fr\n" * (4 * MEGABYTE // 25)
    response = client.post(address, {"file": SimpleUploadedFile("liste.csv", content)})
    assert response.status_code != 413


def test_the_server_answers_413_while_the_body_is_still_to_come(live_server):
    """Over a real connection: 30 MB announced, 1 KB sent, the answer comes at once (the refusal
    does not depend on who sends: it comes before the session is read)."""
    address = reverse("workgroups:document_upload", kwargs={"territory": "cergy", "pk": 1})
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", address)
    connection.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    connection.putheader("Content-Length", str(30 * MEGABYTE))
    connection.endheaders()
    connection.send(b"--xyz\r\n" + b"x" * 1024)
    started = time.monotonic()
    response = connection.getresponse()
    elapsed = time.monotonic() - started
    body = response.read(200_000).decode()
    connection.close()
    assert response.status == 413
    assert "Le document dépasse 15 Mo" in body
    assert elapsed < 5


# --- Production settings ----------------------------------------------------------------------


def test_proconnect_s_origin_is_allowed_to_receive_the_sign_in_only_when_configured():
    script = (
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    plain = manage("shell", "-c", script, env=production_env())
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip().endswith("[\"'self'\"]")
    configured = manage(
        "shell",
        "-c",
        script,
        env=production_env(
            PROCONNECT_CLIENT_ID="trame-test",
            PROCONNECT_DOMAIN="https://fca.integ01.dev-agentconnect.fr/api/v2",
        ),
    )
    assert configured.returncode == 0, configured.stderr
    assert "https://fca.integ01.dev-agentconnect.fr'" in configured.stdout
    assert "/api/v2" not in configured.stdout


def test_gunicorn_tells_no_version(tmp_path):
    """The production server's Server header names gunicorn, without its version; Django and
    WhiteNoise add none (a reverse proxy in front may drop it altogether)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cls_platform.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_ALLOWED_HOSTS="127.0.0.1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/connexion/")
                response = connection.getresponse()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn ne répond pas"
                time.sleep(0.2)
        headers = dict(response.getheaders())
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert headers["Server"] == "gunicorn"
    assert "Content-Security-Policy" in headers
    assert "no-store" in headers["Cache-Control"]
