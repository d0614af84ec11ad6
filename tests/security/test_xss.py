"""Scripts typed into the data never run where the data is shown: pages, e-mails, PDFs.

Every text of territory A's records (structures, contacts, contracts, axes, fiches-actions,
indicators, groups, meetings, agenda items, survey answers, interviews...) is replaced by
`<script>alert(1)</script>"><img src=x onerror=alert(1)>`, every link by
`javascript:alert(1)`, and the compte-rendu is written through its editor's service with a
script, an event handler and a `javascript:` link (nh3 cleans it). Then every page of the
territory is read as a coordinator and as a signatory: the payload shows as text, never as
markup; the compte-rendu e-mail is parsed part by part; every PDF is read with pdftotext and
its links with pikepdf.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from email import message_from_bytes
from html import unescape as html_unescape
from urllib.parse import urlsplit

import pikepdf
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse

from cls_platform.access import POLICY_PUBLIC, POLICY_TERRITORY
from cls_platform.models import Access, Role, Territory, User
from evaluation.surveys.models import SurveyInvitation
from evaluation.surveys.tokens import answer_token
from partners.importing import partner_import_stage
from partners.models import Contact, Organization, PartnerImport
from partners.tokens import contact_token
from tests.cls_platform.test_tenancy import ROUTES, route_id, url_model
from tests.conftest import login
from tests.evaluation.test_archive import fill
from tests.factories import AccessFactory, ContactFactory, MeetingFactory, TerritoryFactory
from tests.support.urlwalk import Route, sample_value
from workgroups.models import Invitation, Meeting, Membership
from workgroups.services import report_save, report_send

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
LINK = "javascript:alert(1)"
# Markup a page must never carry: the payload's, unescaped.
LIVE = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>", 'href="javascript:')
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
REPORT = (
    f"<p>Compte-rendu {SCRIPT}</p><p><img src=x onerror=alert(1)>"
    f'<a href="{LINK}">lien piégé</a> <a href="https://cergy.fr/">mairie</a></p>'
)

PROJECT_APPS = {"partners", "actions", "workgroups", "evaluation"}
# Texts that are not free text: keys, hashes, tokens, file metadata Trame writes itself, and
# the compte-rendu, which takes HTML through its own service (below).
NOT_FREE_TEXT = {"report", "token", "content_type", "email_sha256", "number", "code", "slug"}


def poison(model: type[models.Model]) -> dict[str, str]:
    values = {}
    for field in model._meta.concrete_fields:
        if field.name in NOT_FREE_TEXT or field.choices or field.unique or field.primary_key:
            continue
        if isinstance(field, models.URLField):
            values[field.name] = LINK
        elif isinstance(field, (models.EmailField, models.SlugField)):
            continue
        elif isinstance(field, (models.CharField, models.TextField)):
            room = field.max_length or len(PAYLOAD)
            if room >= len(PAYLOAD):
                values[field.name] = PAYLOAD
            elif room >= len(SCRIPT):
                values[field.name] = SCRIPT
    return values


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker, tmp_path_factory):
    """Cergy's records, every free text a payload; built once, rolled back at the end."""
    # The files of the records go where each test's (tests/conftest.py) go, not to var/media.
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.getbasetemp() / "media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        territory = TerritoryFactory(name="Cergy", slug="cergy")
        coordinator = AccessFactory(
            territory=territory, role=Role.COORDINATOR, user__email="coordinatrice@cergy.fr"
        )
        viewer = AccessFactory(territory=territory, role=Role.VIEWER, user__email="ars@ars.fr")
        made = fill(territory)
        meeting = made["meeting"]
        # A recipient who receives the compte-rendu (the archive's people unsubscribed or erased).
        guest = ContactFactory(
            territory=territory, organization=made["paul"].organization, email="invite@cergy.fr"
        )
        Membership.objects.create(group=meeting.group, contact=guest)
        Invitation.objects.create(meeting=meeting, contact=guest, attendance="present")
        Meeting.objects.filter(pk=meeting.pk).update(report_sent_at=None)
        # An import's preview shows what the file holds, row by row.
        rows = f"Nom;Prénom;Courriel;Fonction\n{PAYLOAD};{SCRIPT};import@cergy.fr;{PAYLOAD}\n"
        partner_import_stage(
            territory=territory, content=rows.encode(), file_name="annuaire.csv", uploaded_by=None
        )
        report_save(meeting=Meeting.objects.get(pk=meeting.pk), html=REPORT)
        for model in apps.get_models():
            if model._meta.app_label in PROJECT_APPS:
                values = poison(model)
                if values:
                    model._base_manager.update(**values)
        Territory.objects.filter(pk=territory.pk).update(name=f"Cergy {SCRIPT}")
        User.objects.update(full_name=PAYLOAD)
        yield {
            "coordinator": coordinator.pk,
            "viewer": viewer.pk,
            "meeting": meeting.pk,
            "guest": guest.pk,
        }
        transaction.set_rollback(True)


def client_for(poisoned, who: str) -> Client:
    return login(Client(), Access.objects.select_related("user").get(pk=poisoned[who]))


def address(route: Route) -> str | None:
    """The page of a poisoned record (the first of its model), None when there is none."""
    values = {}
    for converter, name in route.kwargs:
        if name == "territory":
            values[name] = "cergy"
        elif converter == "int":
            model = url_model(route) or ADDRESSED_BY_ID.get(route_id(route))
            found = model._base_manager.order_by("pk").first() if model else None
            if found is None:
                return None
            values[name] = found.pk
        else:
            values[name] = sample_value(converter)
    return route.build(values)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def pdf_links(content: bytes) -> list[str]:
    """Every URI of the PDF's link annotations, and every JavaScript action it carries."""
    found = []
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get("/A")
                if action is not None:
                    found.append(str(action.get("/URI", action.get("/S", ""))))
                    if action.get("/S") == "/JavaScript":
                        found.append("javascript:")
        names = pdf.Root.get("/Names")
        if names is not None and "/JavaScript" in names:
            found.append("javascript:")
    return found


def assert_pdf_safe(content: bytes, where: str) -> None:
    assert not any(link.lower().startswith("javascript:") for link in pdf_links(content)), where
    text = pdf_text(content)
    if "alert(1)" in text:
        # Shown as the text it is: markup would have been laid out, not printed.
        assert "<script>alert(1)</script>" in text.replace("\n", ""), where


# The territory's pages, and the public ones that name it (its public directory, open data).
# Files served as they were uploaded (the signed contract): not Trame's rendering (the upload
# itself is checked in test_uploads).
AS_UPLOADED = {"actions:contract_document"}
GET_ROUTES = [
    r
    for r in ROUTES
    if (
        r.policy == POLICY_TERRITORY
        or (r.policy == POLICY_PUBLIC and any(name == "territory" for _, name in r.kwargs))
    )
    and route_id(r) not in AS_UPLOADED
]
# Public pages that name a record by its id without saying its model.
ADDRESSED_BY_ID = {"public_directory:structure": Organization}


@pytest.mark.parametrize("route", GET_ROUTES, ids=route_id)
@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_no_payload_runs_in_any_page(poisoned, db, route: Route, who):
    url = address(route)
    assert url is not None, f"{route_id(route)} : aucun enregistrement de ce type dans la scène"
    response = client_for(poisoned, who).get(url)
    assert response.status_code < 500, f"{url} → {response.status_code}"
    if response.status_code != 200:
        return
    content = body(response)
    if response["Content-Type"].startswith("application/pdf"):
        assert_pdf_safe(content, url)
        return
    if not response["Content-Type"].startswith("text/html"):
        return  # CSV, XLSX, JSON, calendars: read as text by what opens them (test_formulas)
    page = content.decode(errors="replace")
    for markup in LIVE:
        assert markup not in page, f"{url} : « {markup} » non échappé"


def test_the_pages_show_the_payload_as_text(poisoned, db):
    """The guard of the walk: the poisoned texts are on the pages, escaped."""
    client = client_for(poisoned, "coordinator")
    page = client.get("/t/cergy/").content.decode()
    assert ESCAPED in page or "Cergy &lt;script&gt;" in page
    meeting = Meeting.objects.get(pk=poisoned["meeting"])
    page = client.get(f"/t/cergy/reunions/{meeting.pk}/").content.decode()
    assert ESCAPED in page
    assert 'href="https://cergy.fr/"' in page, "the report's safe link is kept"
    pending = PartnerImport.objects.get()
    url = reverse("partners:import_detail", kwargs={"territory": "cergy", "pk": pending.pk})
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "import@cergy.fr" in page and page.count(ESCAPED) > page.count("Cergy &lt;script")


def test_the_report_editor_keeps_no_script_and_no_javascript_link(poisoned, db):
    report = Meeting.objects.get(pk=poisoned["meeting"]).report
    assert "<script" not in report and "onerror" not in report and "javascript:" not in report
    assert "lien piégé" in report and "https://cergy.fr/" in report


def test_the_report_email_shows_the_payload_as_text(
    poisoned, db, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(pk=poisoned["meeting"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_send(meeting=meeting)
    assert mail.outbox, "the compte-rendu reached its recipients"
    printed, links = 0, set()
    for sent in mail.outbox:
        message = message_from_bytes(sent.message().as_bytes())
        parts = {}
        for part in message.walk():
            kind = part.get_content_type()
            if kind in ("text/plain", "text/html") and not part.get_filename():
                parts[kind] = part.get_payload(decode=True).decode(part.get_content_charset())
            attached = part.get_payload(decode=True) if kind == "application/pdf" else b""
            if attached.startswith(b"%PDF"):  # the compte-rendu (the slides are test bytes)
                assert_pdf_safe(attached, part.get_filename())
                printed += 1
        html, text = parts["text/html"], parts["text/plain"]
        for markup in LIVE:
            assert markup not in html, f"HTML part: « {markup} »"
        assert ESCAPED in html
        assert "lien piégé" in html and "javascript:" not in html
        # The text part is plain: the payload as typed, no entity, no tag of the report.
        assert SCRIPT in text and "&lt;" not in text and "<p>" not in text
        assert "javascript:" not in text
        links.update(re.findall(r'href="(/[^"]*|https?://[^"]*)"', html))
    assert printed == len(mail.outbox), "each e-mail carries the compte-rendu's PDF"
    # The pages the e-mail leads a partner to (their meeting page, their details...).
    opened = 0
    for link in sorted(links):
        target = urlsplit(html_unescape(link))
        if target.netloc and target.netloc != urlsplit(settings.SITE_URL).netloc:
            continue
        response = Client().get(target.path, follow=True)
        if response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            for markup in LIVE:
                assert markup not in page, f"{target.path} : « {markup} » non échappé"
            opened += 1
    assert opened, "the e-mail leads to at least one page"


def test_partner_pages_show_the_payload_as_text(poisoned, db):
    """The pages partners open from their links: their details, their questionnaire."""
    guest = Contact.objects.get(pk=poisoned["guest"])
    invitation = SurveyInvitation.objects.order_by("pk").first()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(submitted_at=None)
    urls = [
        reverse("partner_links:self_service", kwargs={"token": contact_token(guest)}),
        reverse(
            "evaluation:survey_answer",
            kwargs={"territory": "cergy", "token": answer_token(invitation.pk)},
        ),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for markup in LIVE:
            assert markup not in page, f"{url} : « {markup} » non échappé"
        assert "&lt;script&gt;" in page, f"{url} shows the poisoned texts"


@pytest.mark.parametrize(
    "name, field",
    [("partners:organization_update", "website"), ("workgroups:meeting_update", "online_url")],
)
def test_forms_refuse_a_javascript_link(poisoned, db, name, field):
    """Where people type links: only web addresses are taken; the form says so in French."""
    from tests.security.test_roles import coordinators_form

    model = url_model(next(r for r in ROUTES if route_id(r) == name))
    record = model._base_manager.order_by("pk").first()
    model._base_manager.filter(pk=record.pk).update(**{field: ""})
    client = client_for(poisoned, "coordinator")
    url = reverse(name, kwargs={"territory": "cergy", "pk": record.pk})
    data = coordinators_form(client, url)
    data[field] = LINK
    response = client.post(url, data)
    assert response.status_code == 200, "the form again"
    assert "Saisissez une URL valide." in response.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) == ""


def test_printed_pages_show_the_payload_as_text(poisoned, db):
    """The guard of the PDFs of the walk: a contract's print and a compte-rendu's carry the
    poisoned texts, printed as text, and the report's safe link but not its javascript: one."""
    client = client_for(poisoned, "coordinator")
    meeting = Meeting.objects.select_related("group__contract").get(pk=poisoned["meeting"])
    for name, pk in (
        ("actions:contract_pdf", meeting.group.contract_id),
        ("workgroups:report_pdf", meeting.pk),
    ):
        response = client.get(reverse(name, kwargs={"territory": "cergy", "pk": pk}))
        assert response.status_code == 200, name
        content = body(response)
        assert SCRIPT in pdf_text(content).replace("\n", ""), name
        assert_pdf_safe(content, name)
    links = pdf_links(content)
    assert "https://cergy.fr/" in links and not any("javascript" in link for link in links)


def test_the_invitation_email_shows_the_payload_as_text(
    poisoned, db, django_capture_on_commit_callbacks
):
    """A meeting to come, its title, place and welcome word poisoned and its video link a
    javascript: one: the invitation's HTML part escapes them and links to no javascript:."""
    from workgroups.services import invitations_send

    past = Meeting.objects.get(pk=poisoned["meeting"])
    meeting = MeetingFactory(
        group=past.group, title=PAYLOAD, place=PAYLOAD, description=PAYLOAD, online_url=LINK
    )
    Invitation.objects.create(meeting=meeting, contact_id=poisoned["guest"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(meeting=meeting)
    assert len(mail.outbox) == 1
    message = message_from_bytes(mail.outbox[0].message().as_bytes())
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html") and not part.get_filename()
    }
    html, text = parts["text/html"], parts["text/plain"]
    for markup in LIVE:
        assert markup not in html, f"HTML part: « {markup} »"
    assert ESCAPED in html
    assert SCRIPT in text and "&lt;" not in text


def test_a_partners_meeting_page_makes_no_javascript_link(poisoned, db):
    from workgroups.feeds import meeting_page_url

    past = Meeting.objects.get(pk=poisoned["meeting"])
    meeting = MeetingFactory(group=past.group, title=PAYLOAD, online_url=LINK)
    Invitation.objects.create(meeting=meeting, contact_id=poisoned["guest"])
    url = urlsplit(meeting_page_url(meeting.pk, poisoned["guest"])).path
    response = Client().get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert ESCAPED in page
    for markup in LIVE:
        assert markup not in page, f"{url} : « {markup} » non échappé"
