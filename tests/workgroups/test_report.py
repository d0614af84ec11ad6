"""The compte-rendu: what survives the sanitising, the shared documents (checked on upload, sent
attached or as signed links), and a PDF made only when something is sent."""

from __future__ import annotations

import datetime as dt
import html
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cls_platform.models import Delivery, DeliveryStatus
from tests.factories import MeetingFactory
from workgroups import emails, services
from workgroups.models import Invitation, MeetingDocument
from workgroups.tokens import MAX_AGE, document_token, invitation_token

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


@pytest.fixture
def meeting(group):
    """A meeting held two days ago: a compte-rendu is written once the meeting has started."""
    start = timezone.now() - dt.timedelta(days=2)
    return MeetingFactory(
        group=group,
        title="Printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier",
    )


# --- sanitising: the server is the only trust boundary ----------------------------------------


@pytest.mark.parametrize(
    ("dirty", "kept", "gone"),
    [
        ("<p>Bonjour<script>alert(1)</script></p>", "<p>Bonjour</p>", ["script", "alert"]),
        ('<p onclick="vol()" onmouseover="x()">Texte</p>', "<p>Texte</p>", ["onclick", "on"]),
        ('<img src="x" onerror="alert(1)"><p>Texte</p>', "<p>Texte</p>", ["img", "onerror"]),
        ('<svg onload="alert(1)"><p>Texte</p></svg>', "Texte", ["svg", "onload"]),
        ('<p style="background:url(javascript:alert(1))">Texte</p>', "<p>Texte</p>", ["style"]),
        ("<style>body{display:none}</style><p>Texte</p>", "<p>Texte</p>", ["style", "display"]),
        ('<a href="javascript:alert(1)">lien</a>', "lien", ["javascript"]),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">lien</a>', "lien", ["data:"]),
        ('<a href="vbscript:msgbox(1)">lien</a>', "lien", ["vbscript"]),
        ('<iframe src="https://evil.example"></iframe><p>Texte</p>', "<p>Texte</p>", ["iframe"]),
        ('<form action="https://evil.example"><input name="x"></form>Texte', "Texte", ["form"]),
        (
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "",
            ["onerror", "img", "math"],
        ),
        ('<p class="MsoNormal" id="x">Texte</p>', "<p>Texte</p>", ["class", "id="]),
    ],
    ids=[
        "script",
        "handlers",
        "img-onerror",
        "svg",
        "style-attribute",
        "style-tag",
        "javascript-link",
        "data-link",
        "vbscript-link",
        "iframe",
        "form",
        "mutation",
        "classes",
    ],
)
def test_nothing_that_could_run_or_restyle_survives_the_saving(meeting, dirty, kept, gone):
    services.report_save(meeting=meeting, html=f"<p>Début</p>{dirty}")

    meeting.refresh_from_db()
    assert meeting.report.startswith("<p>Début</p>")
    assert kept in meeting.report
    for needle in gone:
        assert needle not in meeting.report.replace("<p>Début</p>", "")


def test_the_rich_text_of_the_editor_is_kept(meeting):
    rich = (
        "<h3>Décisions</h3><p><strong>Gras</strong>, <em>italique</em> et "
        '<a href="https://cls.exemple.fr/fiche">un lien</a>.</p>'
        "<ul><li>Un</li><li>Deux</li></ul><ol><li>Premier</li></ol><h4>Détail</h4>"
    )
    services.report_save(meeting=meeting, html=rich)
    meeting.refresh_from_db()
    for part in (
        "<h3>Décisions</h3>",
        "<strong>Gras</strong>",
        "<em>italique</em>",
        '<a href="https://cls.exemple.fr/fiche" rel="noopener noreferrer">un lien</a>',
        "<ul><li>Un</li><li>Deux</li></ul>",
        "<ol><li>Premier</li></ol>",
        "<h4>Détail</h4>",
    ):
        assert part in meeting.report


def test_a_report_with_nothing_left_once_cleaned_is_refused_in_french(
    login_as, coordinator, meeting
):
    response = login_as(coordinator).post(
        f"{BASE}/reunions/{meeting.pk}/compte-rendu/",
        {"report": "<script>alert(1)</script><style>p{}</style>"},
    )
    assert response.status_code == 200
    assert "Le compte-rendu est vide une fois sa mise en forme nettoyée." in html.unescape(
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.report == ""


def test_the_editor_page_works_without_javascript_and_loads_the_editor(
    login_as, coordinator, meeting
):
    page = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/compte-rendu/").content
    page = html.unescape(page.decode())
    assert "data-rich-editor" in page and "<textarea" in page  # the field without JavaScript
    assert "« ## » pour un intertitre" in page  # how to write it without the toolbar
    assert 'src="/static/js/report-editor.js" defer' in page
    assert "<script>" not in page


# --- shared documents ---------------------------------------------------------------------------


def upload(client, meeting, name: str, content: bytes, title: str = ""):
    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/documents/",
        {"title": title, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("compte-rendu.docx", b"PK\x03\x04\x14\x00\x06\x00", True),
        ("budget.xlsx", b"PK\x03\x04\x14\x00\x06\x00", True),
        ("diaporama.odp", b"PK\x03\x04\x14\x00\x00\x08", True),
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", True),
        ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", True),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
        ("schema.png", b"\x89PNG\r\n\x1a\n\x00", True),
        ("programme.exe.docx", b"MZ\x90\x00\x03\x00", False),
        ("faux.xlsx", b"<html><script>", False),
        ("faux.doc", b"PK\x03\x04\x14\x00", False),
        ("faux.pptx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", False),
        ("faux.png", b"\xff\xd8\xff\xe0", False),
    ],
)
def test_office_files_and_images_are_checked_by_their_content(
    login_as, coordinator, meeting, name, content, accepted
):
    page = upload(login_as(coordinator), meeting, name, content)
    if accepted:
        assert "Ressource « " in page and " » ajoutée." in page
        assert MeetingDocument.objects.get().file_name == name
    else:
        assert f"« {name} » ne ressemble pas à " in page
        assert "son contenu ne correspond pas à son extension" in page
        assert not MeetingDocument.objects.exists()


def test_a_file_over_15_mb_is_refused_with_its_size(login_as, coordinator, meeting):
    client = login_as(coordinator)
    too_big = b"%PDF-1.4\n" + b"0" * (15 * 1024 * 1024 - 8)
    page = upload(client, meeting, "enorme.pdf", too_big)
    assert "Ce fichier dépasse 15 Mo (15,1 Mo)" in page
    assert not MeetingDocument.objects.exists()
    just_right = b"%PDF-1.4\n" + b"0" * (15 * 1024 * 1024 - 9)
    assert "Ressource « juste.pdf » ajoutée." in upload(client, meeting, "juste.pdf", just_right)


def test_the_original_file_name_is_kept_for_the_download_and_the_attachment(
    login_as, coordinator, meeting, partners, send
):
    upload(login_as(coordinator), meeting, "Diaporama du CMP (v2).pdf", b"%PDF-1.4 diapos")
    document = MeetingDocument.objects.get()
    assert document.file_name == "Diaporama du CMP (v2).pdf"
    assert document.title == "Diaporama du CMP (v2).pdf"

    Invitation.objects.create(meeting=meeting, contact=partners[0])
    services.report_save(meeting=meeting, html="Texte.")
    send(services.report_send, meeting=meeting)
    (message,) = mail.outbox
    assert "Diaporama du CMP (v2).pdf" in [a[0] for a in message.attachments]

    response = login_as(coordinator).get(
        f"/reunion/document/{document_token(document.pk, partners[0].pk)}/"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Diaporama du CMP (v2).pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4 diapos"


def test_attachments_over_the_total_size_go_as_signed_links(
    login_as, coordinator, meeting, partners, send, monkeypatch, client
):
    monkeypatch.setattr(emails, "MAX_ATTACHED_BYTES", 10)
    emails._report_bundle.cache_clear()
    upload(login_as(coordinator), meeting, "cmp.pdf", b"%PDF-1.4 une longue presentation", "CMP")
    Invitation.objects.create(meeting=meeting, contact=partners[0])
    services.report_save(meeting=meeting, html="Texte.")
    send(services.report_send, meeting=meeting)

    (message,) = mail.outbox
    assert [a[2] for a in message.attachments] == ["application/pdf"]  # the compte-rendu only
    assert "cmp.pdf" not in [a[0] for a in message.attachments]
    link = next(line for line in message.body.splitlines() if line.startswith("- CMP : "))
    url = link.removeprefix("- CMP : ").strip()
    html_part = dict((mimetype, content) for content, mimetype in message.alternatives)
    assert f'href="{url}"' in html_part["text/html"] and "(jointe)" not in html_part["text/html"]

    client.logout()  # the partner has no account
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 une longue presentation"


def test_a_shared_document_link_expires_and_cannot_be_forged(meeting, partners, client):
    document = MeetingDocument.objects.create(
        meeting=meeting, title="CMP", file_name="cmp.pdf", content_type="application/pdf"
    )
    document.file.save("cmp.pdf", SimpleUploadedFile("cmp.pdf", b"%PDF-1.4"), save=True)
    valid = document_token(document.pk, partners[0].pk)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - MAX_AGE - 60):
        expired = document_token(document.pk, partners[0].pk)
    forged = valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB")

    assert client.get(f"/reunion/document/{valid}/").status_code == 200
    for token in (expired, forged, invitation_token(document.pk)):
        response = client.get(f"/reunion/document/{token}/")
        assert response.status_code == 404
        assert "Ce lien a expiré ou n'est pas valide" in html.unescape(response.content.decode())


def test_a_document_whose_file_is_gone_answers_404_not_500(meeting, partners, client):
    document = MeetingDocument.objects.create(
        meeting=meeting, title="CMP", file="reunions/disparu.pdf", file_name="disparu.pdf"
    )
    response = client.get(f"/reunion/document/{document_token(document.pk, partners[0].pk)}/")
    assert response.status_code == 404


# --- the PDF, made once and only when something is sent ----------------------------------------


def test_sending_a_report_already_served_makes_no_pdf(meeting, partners, send, monkeypatch):
    """As seed_demo leaves its past meetings: the deliveries recorded as sent, no PDF stored."""
    for contact in partners[:2]:
        Invitation.objects.create(meeting=meeting, contact=contact)
        Delivery.objects.create(
            territory=meeting.territory,
            kind="report",
            topic=meeting.topic,
            contact_id=contact.pk,
            to_email=contact.email,
            status=DeliveryStatus.SENT,
        )
    services.report_save(meeting=meeting, html="Texte.")
    built = []
    from workgroups import pdf

    real = pdf.meeting_report_pdf
    monkeypatch.setattr(pdf, "meeting_report_pdf", lambda **kw: built.append(1) or real(**kw))

    result = send(services.report_send, meeting=meeting)

    assert (result.queued, result.skipped) == (0, 2)
    meeting.refresh_from_db()
    assert not meeting.report_pdf and built == []

    Invitation.objects.create(meeting=meeting, contact=partners[2])
    result = send(services.report_send, meeting=meeting)
    assert result.queued == 1 and built == [1]
    meeting.refresh_from_db()
    assert meeting.report_pdf
    assert [m.to for m in mail.outbox] == [["p2@asso.fr"]]
