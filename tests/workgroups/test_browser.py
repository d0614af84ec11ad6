"""A work group's meeting from end to end in a real Chromium, checked with axe-core.

Schedule, invite, answer from the e-mail's link (no account), record attendance and a walk-in,
write the compte-rendu, send it, and read the delivery status: every page visited on the way
has no axe-core violation. Celery runs eagerly and Django's locmem backend keeps the e-mails in
`django.core.mail.outbox`, so each e-mail the outbox sends can be read back here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.utils import dateformat, timezone, translation
from playwright.sync_api import Browser, Page, expect

from actions.models import AxisKind
from cls_platform.models import Delivery, DeliveryStatus
from partners.models import Contact
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.browser import TIMEOUT_MS, VIEWPORT, assert_no_axe_violations, browser_login
from workgroups import services
from workgroups.models import (
    AgendaKind,
    Attendance,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP = "GT Accès aux soins"
# (first name, last name, e-mail, structure): the five partners of the territory.
PARTNERS = [
    ("Amina", "Benali", "amina.benali@relais-sante.fr", "Association Relais Santé"),
    ("Bruno", "Caron", "bruno.caron@ccas-cergy.fr", "Centre communal d'action sociale"),
    ("Chloé", "Dupuis", "chloe.dupuis@cpts-cergy.fr", "CPTS de Cergy"),
    ("David", "Esnault", "david.esnault@mission-locale.fr", "Mission locale"),
    ("Émilie", "Faure", "emilie.faure@cergy.fr", "Direction de la santé publique"),
]
REMOVED = "David Esnault"
WALK_IN = ("Gaëlle", "Henry", "gaelle.henry@pmi95.fr")
# Follows the group's compte-rendus without being invited to its meetings.
SUBSCRIBER = "hugo.lemoine@ars.sante.fr"
# What a word processor puts in the clipboard (Word): classes, styles, its list glyphs.
WORD_PASTE = (
    "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><style>p.MsoNormal{margin:0}"
    "</style></head><body><!--StartFragment-->"
    "<p class=MsoNormal style='margin-bottom:0cm'><b><span style='font-family:Calibri'>Bilan CPTS"
    "</span></b><span style='font-family:Calibri'> : voir le <i>tableau de bord</i>.<o:p></o:p>"
    "</span></p><!--EndFragment--></body></html>"
)


@pytest.fixture(autouse=True)
def _links_to_live_server(settings, live_server) -> None:
    """Links in e-mails point at the server the browser talks to."""
    settings.SITE_URL = live_server.url


@pytest.fixture
def group(territory):
    """A signed contract with a thematic axis and a fiche-action, a group inviting every active
    partner, five partners in five structures, and a subscriber who takes no invitation."""
    contract = ContractFactory(territory=territory, title="CLS de Cergy 2023-2028")
    axis = AxisFactory(
        contract=contract, kind=AxisKind.THEMATIC, number=1, title="Accès aux droits et aux soins"
    )
    FicheActionFactory(contract=contract, thematic_axis=axis, number="1.1", title="Médiation santé")
    for first_name, last_name, email, structure in PARTNERS:
        ContactFactory(
            territory=territory,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organization=OrganizationFactory(territory=territory, name=structure),
        )
    group = WorkGroupFactory(
        contract=contract,
        axis=axis,
        name=GROUP,
        invitation_policy=InvitationPolicy.ALL_PARTNERS,
    )
    subscriber = ContactFactory(
        territory=territory,
        first_name="Hugo",
        last_name="Lemoine",
        email=SUBSCRIBER,
        organization=OrganizationFactory(territory=territory, name="ARS Île-de-France"),
        receives_invitations=False,
    )
    Membership.objects.create(group=group, contact=subscriber, kind=MembershipKind.SUBSCRIBER)
    return group


@pytest.fixture
def partner_page(browser: Browser) -> Iterator[Page]:
    """Another browser, without any session: a partner clicking a link in their mailbox."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- helpers -----------------------------------------------------------------------------------


def checked(page: Page, step: str) -> None:
    """No axe-core violation on the page as it stands; with TRAME_BROWSER_SCREENSHOTS=<dir>,
    a full-page capture of each step too (the `page` fixture keeps only the last one)."""
    folder = os.environ.get("TRAME_BROWSER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"reunion-{step}.png"), full_page=True)
    assert_no_axe_violations(page)


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def messages(page: Page):
    return page.locator(".messages")


def invitees(page: Page):
    return page.get_by_role("table", name="Liste des invités")


def row_of(page: Page, name: str):
    return (
        invitees(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader").filter(has_text=name))
    )


def cells(page: Page, name: str):
    """Réponse, Présence, Invitation, Compte-rendu (, Retirer) of one invitee."""
    return row_of(page, name).get_by_role("cell")


def alternatives(message) -> dict[str, str]:
    return {mimetype: content for content, mimetype in message.alternatives}


def attachment(message, filename_pattern: str):
    """(name, content, mimetype) of the one attachment whose name matches; a MIME part (the
    calendar file) is read back the same way."""

    def described(a):
        if isinstance(a, tuple):
            return a
        payload = a.get_payload(decode=True)
        charset = a.get_content_charset()
        return (
            a.get_filename(),
            payload.decode(charset) if charset else payload,
            a.get_content_type(),
        )

    found = [d for d in map(described, message.attachments) if re.fullmatch(filename_pattern, d[0])]
    assert len(found) == 1, [d[0] for d in map(described, message.attachments)]
    return found[0]


def mails_of(kind: str) -> dict[str, object]:
    """E-mails of the outbox by recipient; `kind` is a word of the subject."""
    found = {}
    for message in mail.outbox:
        if kind in message.subject:
            assert len(message.to) == 1, message.to
            found[message.to[0]] = message
    return found


def write_report_with_the_editor(page: Page) -> None:
    """Types the compte-rendu as a coordinator does: the toolbar with the mouse and the
    keyboard, a link, and a paragraph pasted from Word."""
    editor = page.get_by_role("textbox", name="Compte-rendu")
    expect(page.locator("textarea[name=report]")).to_be_hidden()  # replaced by the editor
    toolbar = page.get_by_role("toolbar", name="Mise en forme du compte-rendu")
    # It starts from a draft made from the meeting; this coordinator writes her own instead.
    expect(editor.get_by_role("heading", name="Structures présentes")).to_be_visible()
    expect(editor).to_contain_text("Association Relais Santé")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("Tour de table des structures présentes.")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Intertitre", exact=True).click()
    expect(toolbar.get_by_role("button", name="Intertitre", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.type("Décisions")
    page.keyboard.press("Enter")
    # The keyboard way: Alt+F10 reaches the toolbar, the arrows move to "Liste à puces".
    page.keyboard.press("Alt+F10")
    expect(toolbar.get_by_role("button", name="Gras")).to_be_focused()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Liste à puces")).to_be_focused()
    page.keyboard.press("Enter")
    for item in (
        "Ouvrir une deuxième permanence de médiation santé à Saint-Christophe",
        "Présenter le bilan des permanences au COPIL de juin",
        "Diffuser la plaquette de la CPTS aux partenaires",
    ):
        page.keyboard.type(item)
        page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    toolbar.get_by_role("button", name="Gras").click()
    page.keyboard.type("Prochaine réunion")
    toolbar.get_by_role("button", name="Gras").click()
    page.keyboard.type(" en septembre. Plaquette : ")
    page.keyboard.press("Control+k")
    address = page.get_by_label("Adresse du lien (https://…)")
    expect(address).to_be_focused()
    address.fill("javascript:alert(1)")
    address.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Indiquez une adresse web")
    address.fill("https://cpts-cergy.fr/plaquette")
    checked(page, "10b-redaction-lien")
    address.press("Enter")
    expect(address).to_be_hidden()
    page.keyboard.press("Enter")
    # Pasted from Word: bold and italic kept, its styles and classes dropped.
    editor.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Bilan CPTS : voir le tableau de bord.");
            element.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        WORD_PASTE,
    )
    expect(editor.locator("h3")).to_have_text("Décisions")
    expect(editor.locator("li")).to_have_count(3)
    expect(editor.locator("b, strong")).to_have_text(["Prochaine réunion", "Bilan CPTS"])
    checked(page, "10c-redaction-remplie")


def french_date(day: dt.date) -> str:
    """As the pages print it: "6 décembre 2026"."""
    with translation.override("fr"):
        return dateformat.format(day, "j F Y")


def full_name(partner: tuple[str, ...]) -> str:
    return f"{partner[0]} {partner[1]}"


# --- the whole flow ----------------------------------------------------------------------------


def test_meeting_from_scheduling_to_compte_rendu(
    page: Page, partner_page: Page, live_server, coordinator, group
) -> None:
    browser_login(page, live_server, coordinator)

    # Groups, then the group.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Groupes"
    ).click()
    expect(h1(page)).to_have_text("Groupes de travail et instances")
    checked(page, "01-groupes")
    page.get_by_role("link", name=GROUP).click()
    expect(h1(page)).to_have_text(GROUP)
    expect(page.get_by_text("Aucune réunion pour l'instant.")).to_be_visible()
    checked(page, "02-groupe")

    # Schedule a meeting in two weeks, with one agenda item where a structure presents itself.
    page.get_by_role("link", name="Programmer une réunion").click()
    expect(h1(page)).to_have_text("Programmer une réunion")
    checked(page, "03-formulaire")
    day = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Début").fill("14:00")
    page.get_by_label("Fin").fill("16:30")
    page.get_by_label("Lieu").fill("Maison de quartier des Linandes")
    item = page.get_by_role("group", name="Point 1 de l'ordre du jour")
    item.get_by_label("Type").select_option(label="Interconnaissance : une structure se présente")
    item.get_by_label("Intitulé").fill("La CPTS de Cergy se présente")
    item.get_by_label("Durée (minutes)").fill("20")
    item.get_by_label("Intervenant·e").fill("Chloé Dupuis")
    # The structure with the agenda line's picker: type, choose the match with the mouse.
    item.get_by_role("combobox", name="Structure présentée").fill("cpts")
    item.get_by_role("option", name="CPTS de Cergy").click()
    expect(item.get_by_role("combobox", name="Structure présentée")).to_have_value("CPTS de Cergy")
    page.get_by_role("button", name="Enregistrer la réunion").click()

    expect(messages(page)).to_contain_text("Réunion enregistrée.")
    meeting = Meeting.objects.get(group=group)
    expect(h1(page)).to_have_text(f"{GROUP} · {french_date(day)}")
    assert timezone.localtime(meeting.starts_at).time() == dt.time(14, 0)
    assert timezone.localtime(meeting.ends_at).time() == dt.time(16, 30)
    agenda = page.get_by_role("region", name="Ordre du jour")
    expect(agenda.get_by_role("listitem")).to_have_count(1)
    expect(agenda).to_contain_text("La CPTS de Cergy se présente")
    expect(agenda).to_contain_text("Interconnaissance : une structure se présente")
    expect(agenda).to_contain_text("CPTS de Cergy")
    checked(page, "04-reunion-programmee")

    # Its form again: the saved item, which can now be deleted, then two blank lines.
    page.get_by_role("link", name="Modifier ou déplacer la réunion").click()
    expect(h1(page)).to_have_text("Modifier la réunion")
    saved = page.get_by_role("group", name="Point 1 de l'ordre du jour")
    expect(saved.get_by_label("Intitulé")).to_have_value("La CPTS de Cergy se présente")
    expect(saved.get_by_role("checkbox", name=re.compile("^Supprimer"))).not_to_be_checked()
    blank = page.get_by_role("group", name="Point 2 de l'ordre du jour")
    expect(blank.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    checked(page, "04b-modification")
    page.get_by_role("link", name="Revenir à la réunion sans enregistrer").click()
    expect(h1(page)).to_have_text(f"{GROUP} · {french_date(day)}")

    # The invitation list from the group's rule, minus one person.
    page.get_by_role(
        "button", name="Préparer la liste : 5 personnes selon la règle du groupe"
    ).click()
    expect(messages(page)).to_contain_text("5 personnes ajoutées à la liste des invités")
    expect(invitees(page).get_by_role("rowheader")).to_have_count(5)
    # "Retirer" is a real button, reached and pressed with the keyboard.
    page.get_by_role("button", name=f"Retirer {REMOVED}").focus()
    page.keyboard.press("Enter")
    # It asks first, on a page of its own (no script needed); pressed with the keyboard too.
    expect(h1(page)).to_have_text(f"Retirer {REMOVED} de la liste des invités ?")
    checked(page, "05a-retrait-confirmation")
    page.get_by_role("button", name=f"Retirer {REMOVED}").focus()
    page.keyboard.press("Enter")
    expect(messages(page)).to_contain_text(f"{REMOVED} est retiré·e de la liste.")
    expect(invitees(page).get_by_role("rowheader")).to_have_count(4)
    expect(row_of(page, REMOVED)).to_have_count(0)
    # Before the meeting, no attendance column: Réponse, Invitation, Compte-rendu, Retirer.
    expect(cells(page, "Amina Benali").nth(1)).to_have_text("pas envoyée")
    expect(page.get_by_label("Présence de Amina Benali")).to_have_count(0)
    checked(page, "05-liste-preparee")

    # Send the invitations through their confirmation page.
    page.get_by_role("link", name="Envoyer les invitations").click()
    expect(h1(page)).to_have_text("Envoyer les invitations")
    expect(page.get_by_text("4 personnes recevront l'invitation")).to_be_visible()
    checked(page, "06-confirmation-invitations")
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(messages(page)).to_contain_text("4 invitations en cours d'envoi ;")

    invited = [p for p in PARTNERS if full_name(p) != REMOVED]
    invitations = mails_of("Invitation")
    assert sorted(invitations) == sorted(p[2] for p in invited)
    for message in invitations.values():
        body = alternatives(message)
        assert "Je viens" in message.body and "Je viens" in body["text/html"]
        assert "Maison de quartier des Linandes" in message.body
        assert "La CPTS de Cergy se présente" in message.body
        calendar = body["text/calendar; method=REQUEST"]
        assert "METHOD:REQUEST" in calendar and f"UID:{meeting.calendar_uid}" in calendar
        _name, content, mimetype = attachment(message, "invitation.ics")
        assert mimetype == "text/calendar" and "BEGIN:VEVENT" in content
        assert message.extra_headers["List-Unsubscribe"].startswith(f"<{live_server.url}/")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The whole MIME message as a mail client gets it.
        mime = message.message()
        assert mime["Message-ID"] and mime["List-Unsubscribe"]
        assert {part.get_content_type() for part in mime.walk()} >= {
            "text/plain",
            "text/html",
            "text/calendar",
        }

    # Amina answers from her mailbox: no account, one click.
    amina = invitations["amina.benali@relais-sante.fr"]
    yes_url = re.search(r"^Je viens : (\S+)$", amina.body, re.MULTILINE).group(1)
    assert (
        yes_url.startswith(f"{live_server.url}/")
        and f'href="{yes_url}"' in alternatives(amina)["text/html"]
    )
    # A mail filter opens the link first (Safe Links, Proofpoint...): that records nothing.
    amina_invitation = Invitation.objects.get(meeting=meeting, contact__email=amina.to[0])
    assert partner_page.request.get(yes_url).ok
    assert partner_page.request.head(yes_url).ok
    amina_invitation.refresh_from_db()
    assert amina_invitation.rsvp == Rsvp.PENDING
    # Amina's click: the page says which answer it is about to send, and sends it only when
    # she presses its button (RGAA 7.4: nothing changes on load).
    partner_page.goto(yes_url)
    expect(h1(partner_page)).to_have_text("Confirmez votre réponse : je viens")
    expect(partner_page.get_by_role("main")).to_contain_text("pas encore envoyée")
    checked(partner_page, "07-reponse-a-confirmer")
    amina_invitation.refresh_from_db()
    assert amina_invitation.rsvp == Rsvp.PENDING
    send = partner_page.get_by_role("button", name="Envoyer : je viens")
    send.focus()
    partner_page.keyboard.press("Enter")
    expect(h1(partner_page)).to_have_text("Merci, vous êtes inscrit·e")
    expect(partner_page).to_have_url(yes_url)
    expect(partner_page.get_by_role("main")).to_contain_text("Maison de quartier des Linandes")
    expect(partner_page.get_by_role("button", name="Finalement, je ne viens pas")).to_be_visible()
    expect(partner_page.get_by_role("navigation", name="Navigation principale")).to_have_count(0)
    checked(partner_page, "07-reponse-partenaire")
    amina_invitation.refresh_from_db()
    assert amina_invitation.rsvp == Rsvp.YES
    # Without its script (blocked, or JavaScript off), the button works the same.
    bruno = invitations["bruno.caron@ccas-cergy.fr"]
    bruno_no = re.search(r"^Je ne viens pas : (\S+)$", bruno.body, re.MULTILINE).group(1)
    partner_page.route("**/static/js/rsvp.js", lambda route: route.abort())
    partner_page.goto(bruno_no)
    expect(h1(partner_page)).to_have_text("Confirmez votre réponse : je ne viens pas")
    checked(partner_page, "07b-reponse-sans-script")
    partner_page.get_by_role("button", name="Envoyer : je ne viens pas").click()
    expect(h1(partner_page)).to_have_text("C'est noté, vous ne venez pas")
    partner_page.unroute("**/static/js/rsvp.js")
    assert Invitation.objects.get(meeting=meeting, contact__email=bruno.to[0]).rsvp == Rsvp.NO

    # Back to the coordinator: her answer and every delivery.
    page.reload()
    expect(cells(page, "Amina Benali").nth(0)).to_have_text("Vient")
    expect(cells(page, "Bruno Caron").nth(0)).to_have_text("Ne vient pas")
    expect(cells(page, "Chloé Dupuis").nth(0)).to_have_text("Sans réponse")
    for partner in invited:
        expect(cells(page, full_name(partner)).nth(1)).to_have_text("Envoyé")
    sendings = page.get_by_role("region", name="Envois")
    expect(sendings).to_contain_text("Invitations envoyées : 4")
    checked(page, "08-reponses-et-envois")

    # The meeting took place (yesterday: time does not pass in a test).
    yesterday = timezone.now() - dt.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=yesterday, ends_at=yesterday + dt.timedelta(hours=2)
    )
    page.reload()
    page.get_by_label("Présence de Amina Benali").select_option(label="Présent·e")
    page.get_by_label("Présence de Bruno Caron").select_option(label="Présent·e")
    page.get_by_label("Présence de Chloé Dupuis").select_option(label="Excusé·e")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(messages(page)).to_contain_text("Présences enregistrées (3 changements).")
    expect(page.get_by_label("Présence de Amina Benali")).to_have_value(Attendance.PRESENT)
    expect(page.get_by_label("Présence de Chloé Dupuis")).to_have_value(Attendance.EXCUSED)
    expect(page.get_by_label("Présence de Émilie Faure")).to_have_value(Attendance.UNKNOWN)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD

    # Someone came who was not invited, nor in the directory.
    walk_in = page.get_by_role("form", name="Une personne présente n'est pas dans la liste")
    walk_in.get_by_label("Prénom").fill(WALK_IN[0])
    walk_in.get_by_label(re.compile(r"^Nom\b")).fill(WALK_IN[1])
    walk_in.get_by_label("Adresse e-mail").fill(WALK_IN[2])
    walk_in.get_by_label("Fonction").fill("Puéricultrice")
    # The structure with the picker, by keyboard: type, arrow down to the match, Enter.
    structure = walk_in.get_by_role("combobox", name="Structure")
    structure.focus()
    page.keyboard.type("relais")
    expect(walk_in.get_by_role("status")).to_have_text(re.compile("^1 résultat"))
    page.keyboard.press("ArrowDown")
    expect(walk_in.get_by_role("option", name="Association Relais Santé")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Enter")
    expect(structure).to_have_value("Association Relais Santé")
    expect(structure).to_have_attribute("aria-expanded", "false")
    walk_in.get_by_role("button", name="L'ajouter aux présents et à l'annuaire").click()
    expect(messages(page)).to_contain_text(
        f"{full_name(WALK_IN)} est ajouté·e aux présents et à l'annuaire."
    )
    expect(row_of(page, full_name(WALK_IN))).to_contain_text("sur place")
    expect(page.get_by_label(f"Présence de {full_name(WALK_IN)}")).to_have_value(Attendance.PRESENT)
    assert (
        Contact.objects.get(territory=group.territory, email=WALK_IN[2]).organization.name
        == "Association Relais Santé"
    )
    expect(page.get_by_role("region", name="Invités")).to_contain_text(
        "5 invités · 1 vient · 1 ne vient pas"
    )
    expect(page.get_by_role("region", name="Présences")).to_contain_text(
        "3 présents · 2 structures représentées"
    )
    checked(page, "09-presences")

    # The compte-rendu, in plain text with a list, and the fiche-action discussed.
    page.get_by_role("link", name="Rédiger le compte-rendu").click()
    expect(h1(page)).to_contain_text(f"Compte-rendu · {GROUP} du ")
    checked(page, "10-redaction")
    write_report_with_the_editor(page)
    page.get_by_role("checkbox", name="1.1 Médiation santé").check()
    page.get_by_role("button", name="Enregistrer le compte-rendu").click()
    expect(messages(page)).to_contain_text("Compte-rendu enregistré.")
    report = page.get_by_role("region", name="Compte-rendu")
    expect(report.get_by_role("heading", name="Décisions", level=3)).to_be_visible()
    expect(report.locator(".report").get_by_role("listitem")).to_have_count(3)
    expect(report.locator(".report strong")).to_have_text(["Prochaine réunion", "Bilan CPTS"])
    expect(report.get_by_role("link", name="https://cpts-cergy.fr/plaquette")).to_have_attribute(
        "href", "https://cpts-cergy.fr/plaquette"
    )
    expect(report.get_by_role("link", name="1.1 Médiation santé")).to_be_visible()
    saved = Meeting.objects.get(pk=meeting.pk).report
    assert "mso-" not in saved and "style" not in saved and "class" not in saved
    assert "<em>tableau de bord</em>" in saved
    checked(page, "11-compte-rendu-enregistre")

    # Sent through its confirmation page to the four invited, the walk-in and the subscriber.
    page.get_by_role("link", name="Envoyer le compte-rendu (6 destinataires)").click()
    expect(h1(page)).to_have_text("Envoyer le compte-rendu")
    expect(page.get_by_text("6 personnes recevront le compte-rendu")).to_be_visible()
    checked(page, "12-confirmation-compte-rendu")
    page.get_by_role("button", name="Envoyer le compte-rendu").click()
    expect(messages(page)).to_contain_text("Compte-rendu en cours d'envoi à 6 personnes ;")

    reports = mails_of("Compte-rendu")
    assert sorted(reports) == sorted([p[2] for p in invited] + [WALK_IN[2], SUBSCRIBER])
    for message in reports.values():
        assert "Ouvrir une deuxième permanence" in message.body
        assert "1.1 Médiation santé" in message.body
        assert "<li>Ouvrir une deuxième permanence" in alternatives(message)["text/html"]
        _name, content, mimetype = attachment(message, r"compte-rendu-[\d-]+\.pdf")
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert message.extra_headers["List-Unsubscribe"].startswith(f"<{live_server.url}/")
    assert "david.esnault@mission-locale.fr" not in reports

    for partner in [*invited, WALK_IN]:
        expect(cells(page, full_name(partner)).nth(3)).to_have_text("Envoyé")
    sendings = page.get_by_role("region", name="Envois")
    expect(sendings).to_contain_text("Invitations envoyées : 4")
    expect(sendings).to_contain_text("Comptes-rendus envoyés : 6")
    # The subscriber is in no invitation row: their delivery is listed apart.
    expect(sendings.get_by_role("listitem").filter(has_text=SUBSCRIBER)).to_contain_text("Envoyé")
    expect(page.get_by_text("Compte-rendu envoyé le")).to_be_visible()
    assert Delivery.objects.filter(topic=meeting.topic, kind="report").count() == 6
    assert (
        not Delivery.objects.filter(topic=meeting.topic)
        .exclude(status=DeliveryStatus.SENT)
        .exists()
    )
    checked(page, "13-compte-rendu-envoye")

    # The group now counts a meeting held, who came and from which structures.
    page.get_by_role("link", name=f"← {GROUP}").click()
    expect(h1(page)).to_have_text(GROUP)
    held = page.get_by_role("table", name="Réunions du groupe").get_by_role("row").nth(1)
    expect(held).to_contain_text("Tenue")
    expect(held.get_by_role("cell").nth(1)).to_have_text("3 / 5")
    expect(page.get_by_role("list", name="Nombre de présents par réunion tenue")).to_be_visible()
    expect(page.get_by_role("complementary")).to_contain_text("Association Relais Santé")
    checked(page, "17-groupe-apres")


def test_an_end_before_the_start_is_explained(page: Page, live_server, coordinator, group) -> None:
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/groupes/{group.pk}/reunions/nouvelle/")
    day = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Début").fill("14:00")
    page.get_by_label("Fin").fill("13:00")
    page.get_by_label("Lieu").fill("Maison de quartier des Linandes")
    page.get_by_role("button", name="Enregistrer la réunion").click()

    # The mistake is explained in French next to the field, and nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    end = page.get_by_label("Fin")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_accessible_description(re.compile("La fin doit être après le début"))
    expect(page.get_by_label("Lieu")).to_have_value("Maison de quartier des Linandes")
    checked(page, "03b-formulaire-erreur")
    assert not Meeting.objects.exists()


# --- refusals and read-only --------------------------------------------------------------------


def test_inviting_to_a_meeting_that_is_over_is_refused(
    page: Page, live_server, coordinator, group
) -> None:
    yesterday = timezone.now() - dt.timedelta(days=1)
    meeting = MeetingFactory(
        group=group, starts_at=yesterday, ends_at=yesterday + dt.timedelta(hours=2)
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/reunions/{meeting.pk}/invitations/envoyer/")

    expect(h1(page)).to_have_text("Envoyer les invitations")
    date = timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")
    expect(page.get_by_role("alert")).to_have_text(
        f"Cette réunion est terminée ({date}) : on ne peut plus y inviter. "
        "Programmez une nouvelle réunion."
    )
    expect(page.get_by_role("button", name="Envoyer les invitations")).to_have_count(0)
    checked(page, "14-refus-reunion-passee")

    page.get_by_role("link", name="Revenir à la réunion").click()
    expect(h1(page)).to_contain_text(GROUP)
    # Nothing on the meeting page offers to invite any more.
    expect(page.get_by_role("link", name="Envoyer les invitations")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Préparer la liste"))).to_have_count(0)
    checked(page, "15-reunion-passee")
    assert not mail.outbox
    assert not Delivery.objects.exists()


def test_answering_a_cancelled_meeting_says_it_is_cancelled(
    partner_page: Page, live_server, group
) -> None:
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + dt.timedelta(days=10))
    services.invitations_send(meeting=meeting)
    invitation = mails_of("Invitation")["bruno.caron@ccas-cergy.fr"]
    yes_url = re.search(r"^Je viens : (\S+)$", invitation.body, re.MULTILINE).group(1)
    services.meeting_cancel(meeting=meeting)
    assert "bruno.caron@ccas-cergy.fr" in mails_of("[Annulé]")

    partner_page.goto(yes_url)

    expect(h1(partner_page)).to_have_text("Cette réunion est annulée")
    expect(partner_page.get_by_role("main")).to_contain_text("n'aura pas lieu")
    expect(partner_page.get_by_text("vous êtes inscrit·e")).to_have_count(0)
    checked(partner_page, "18-reponse-reunion-annulee")


def test_viewer_reads_the_meeting_without_addresses_nor_actions(
    page: Page, live_server, viewer, group
) -> None:
    meeting = MeetingFactory(
        group=group,
        title="Bilan à mi-parcours",
        place="Maison de quartier des Linandes",
        starts_at=timezone.now() + dt.timedelta(days=10),
    )
    meeting.agenda_items.create(
        kind=AgendaKind.INTERCONNAISSANCE, title="La CPTS de Cergy se présente"
    )
    services.invitations_send(meeting=meeting)
    assert len(mail.outbox) == len(PARTNERS)
    services.rsvp_record(invitation=meeting.invitations.first(), answer=Rsvp.YES)

    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}/t/cergy/reunions/{meeting.pk}/")

    expect(h1(page)).to_contain_text(GROUP)
    main = page.get_by_role("main")
    # Counts only: no one's answer, attendance or delivery.
    expect(page.get_by_role("region", name="Invités")).to_contain_text(
        "5 invités · 1 vient · 0 ne vient pas"
    )
    expect(invitees(page)).to_have_count(0)
    text = main.inner_text()
    for first_name, last_name, _email, _structure in PARTNERS:
        assert f"{first_name} {last_name}" not in text and last_name not in text
    html = main.inner_html()
    assert "@" not in text
    for email in [p[2] for p in PARTNERS] + [SUBSCRIBER]:
        assert email not in html
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("combobox")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_role("searchbox")).to_have_count(0)
    assert main.locator("form").count() == 0
    for name in (
        "Modifier ou déplacer la réunion",
        "Envoyer les invitations",
        "Rédiger le compte-rendu",
        "Annuler la réunion",
    ):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    expect(page.get_by_role("region", name="Envois")).to_have_count(0)
    checked(page, "16-lecture-seule")


@pytest.mark.parametrize("who", ["coordinator", "copilot", "viewer"])
def test_the_group_page_fits_a_phone(request, page: Page, live_server, territory, who: str) -> None:
    """At 390 px the group's page does not scroll sideways: its meetings' table scrolls in its
    own box, its side column comes under it."""
    access = request.getfixturevalue(who)
    group = WorkGroupFactory(
        contract=ContractFactory(territory=territory), name="GT 3 · Santé sexuelle et affective"
    )
    pilot = ContactFactory(territory=territory, email=access.user.email)
    group.pilots.add(pilot)
    for n, status in enumerate([MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.HELD]):
        start = timezone.now() + dt.timedelta(days=90 * (1 - n))
        MeetingFactory(
            group=group,
            # A long word, as in "Intercommunalité" or an acronym spelled out, cannot break.
            title="Présentation interprofessionnelle_de_l'intercommunalité santé-environnement",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=status,
        )
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, access)
    page.goto(f"{live_server.url}/t/cergy/groupes/{group.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(group.name)
    expect(page.get_by_role("table", name="Réunions du groupe")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(page)
