"""Where things stand on the meeting's pages, for those who reach them by keyboard or read them
once: the form that invites one more person before the 200 rows of the list, a refused form
brought back into view, every section heading a target of its link, the report's save landing
on the report, a presenter's structure named once, words that cannot be taken for cancelling
the meeting, and French singulars."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from tests.factories import OrganizationFactory
from workgroups import selectors, services
from workgroups.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def started(meeting: Meeting) -> Meeting:
    meeting.starts_at = timezone.now() - dt.timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.save()
    return meeting


def test_the_form_to_invite_one_more_comes_before_the_list(
    login_as, coordinator, meeting, partners
):
    services.invitations_prepare(meeting=meeting)

    raw = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/").content.decode()

    form = raw.index('id="inviter-titre"')
    assert form < raw.index('id="filtre-invites"') < raw.index("<table")
    # A refused name brings the page back at the form, not at the top of 200 rows.
    assert re.search(r'action="[^"]*/invitations/ajouter/#inviter-titre"', raw)


def test_a_refused_walk_in_comes_back_at_its_form(login_as, coordinator, meeting, partners):
    started(meeting)
    client = login_as(coordinator)

    raw = client.get(f"{BASE}/reunions/{meeting.pk}/").content.decode()
    assert re.search(r'action="[^"]*/presences/nouvelle-personne/#sur-place-titre"', raw)
    assert '<h3 id="sur-place-titre" tabindex="-1">' in raw

    response = client.post(
        f"{BASE}/reunions/{meeting.pk}/presences/nouvelle-personne/",
        {"first_name": "Gaëlle", "last_name": "", "email": "gaelle@pmi.fr"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Le formulaire contient des erreurs" in page
    assert 'value="Gaëlle"' in html.unescape(response.content.decode())
    assert not meeting.invitations.filter(contact__email="gaelle@pmi.fr").exists()


def test_every_section_link_targets_a_focusable_heading(
    login_as, coordinator, meeting, partners, send
):
    send(services.invitations_send, meeting=meeting)

    raw = login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/").content.decode()

    for anchor in ("invites", "presences", "compte-rendu", "documents", "envois"):
        # Focus follows the link (screen readers then read from there).
        assert f'<h2 id="{anchor}" tabindex="-1">' in raw, anchor


def test_saving_and_sending_the_report_land_on_the_report(
    login_as, coordinator, meeting, partners, send
):
    send(services.invitations_send, meeting=meeting)
    started(meeting)
    client = login_as(coordinator)

    saved = client.post(
        f"{BASE}/reunions/{meeting.pk}/compte-rendu/", {"report": "<p>Merci à tous.</p>"}
    )
    assert saved.status_code == 302
    assert saved["Location"] == f"{BASE}/reunions/{meeting.pk}/#compte-rendu"
    meeting.refresh_from_db()
    assert meeting.report == "<p>Merci à tous.</p>"

    sent = send(client.post, path=f"{BASE}/reunions/{meeting.pk}/compte-rendu/envoyer/")
    assert sent["Location"] == f"{BASE}/reunions/{meeting.pk}/#compte-rendu"
    meeting.refresh_from_db()
    assert meeting.report_sent_at is not None


def test_a_presenter_s_structure_is_named_once(login_as, coordinator, meeting, territory):
    episol = OrganizationFactory(territory=territory, name="Épicerie sociale de l'Axe Majeur")
    cpts = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    AgendaItem.objects.create(
        meeting=meeting,
        title="L'épicerie se présente",
        presenter="Fatou Bonnet, Epicerie sociale de l'Axe Majeur",
        organization=episol,
        order=1,
    )
    AgendaItem.objects.create(
        meeting=meeting, title="La CPTS se présente", presenter="Chloé Dupuis", organization=cpts
    )
    started(meeting)

    page = text(login_as(coordinator).get(f"{BASE}/reunions/{meeting.pk}/"))
    draft = html.unescape(selectors.report_draft(meeting=meeting))

    assert page.count("Axe Majeur") == 1
    assert "· Fatou Bonnet, Epicerie sociale de l'Axe Majeur</span>" in page
    assert "· Chloé Dupuis, CPTS de Cergy</span>" in page
    assert draft.count("Axe Majeur") == 1
    assert "(Chloé Dupuis, CPTS de Cergy)" in draft


def test_the_pages_of_a_meeting_never_offer_a_bare_annuler(
    login_as, coordinator, meeting, partners, send
):
    """Beside a meeting, "Annuler" reads as cancelling it: the way back says where it goes."""
    services.invitations_prepare(meeting=meeting)
    client = login_as(coordinator)

    sending = text(client.get(f"{BASE}/reunions/{meeting.pk}/invitations/envoyer/"))
    editing = text(client.get(f"{BASE}/reunions/{meeting.pk}/modifier/"))
    started(meeting)
    report = text(client.get(f"{BASE}/reunions/{meeting.pk}/compte-rendu/"))

    assert "Revenir à la réunion sans envoyer" in sending
    assert "Revenir à la réunion sans enregistrer" in editing
    assert "Revenir à la réunion sans enregistrer" in report
    for page in (sending, editing):
        assert not re.search(r">\s*Annuler\s*<", page)


def test_a_move_that_reaches_one_person_speaks_in_the_singular(
    login_as, coordinator, meeting, partners, send
):
    services.invitation_add(meeting=meeting, contact=partners[0])
    meeting.invitations.exclude(contact=partners[0]).delete()
    send(services.invitations_send, meeting=meeting)
    client = login_as(coordinator)
    form = client.get(f"{BASE}/reunions/{meeting.pk}/modifier/").context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in (
            *((f.html_name, f.value()) for f in form),
            *((f.html_initial_name, f.value()) for f in form),
        )
    }
    data.update({"odj-TOTAL_FORMS": "0", "odj-INITIAL_FORMS": "0", "place": "Salle des fêtes"})

    page = text(client.post(f"{BASE}/reunions/{meeting.pk}/modifier/", data))

    assert "1 personne recevra l'invitation mise à jour ; sa réponse sera remise à zéro." in page
    assert "leurs réponses" not in page


def test_a_refused_meeting_form_describes_only_its_visible_fields(login_as, coordinator, meeting):
    """HTML forbids aria-describedby on a hidden input: Django put the error's id on the hidden
    copy of the field's initial value too (the W3C checker refused the page)."""
    client = login_as(coordinator)
    form = client.get(f"{BASE}/reunions/{meeting.pk}/modifier/").context["form"]
    data = {f.html_initial_name: f.value() or "" for f in form}
    data.update(
        {f.html_name: f.value() or "" for f in form},
        start="16:00",
        end="14:00",
        **{"odj-TOTAL_FORMS": "0", "odj-INITIAL_FORMS": "0"},
    )

    response = client.post(f"{BASE}/reunions/{meeting.pk}/modifier/", data)

    raw = response.content.decode()
    assert "La fin doit être après le début." in html.unescape(raw)
    assert re.search(r'<input type="time" name="end"[^>]*aria-describedby="id_end_error"', raw)
    hidden = re.findall(r'<input type="hidden"[^>]*>', raw)
    assert hidden and not [h for h in hidden if "aria-" in h]
