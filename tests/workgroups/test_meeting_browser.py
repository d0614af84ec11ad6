"""The meeting's risky and long tasks in a real Chromium, checked with axe-core on every page:
cancelling and moving through their confirmation pages, the attendance of 45 among 200 invitees
by keyboard alone, a walk-in whose structure is not in the directory, and the contact picker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from cls_platform.models import Delivery
from partners.models import Contact, Organization
from tests.factories import (
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.browser import assert_no_axe_violations, browser_login
from tests.workgroups.conftest import afternoon_in
from workgroups import services
from workgroups.models import (
    Attendance,
    Invitation,
    InvitationPolicy,
    Meeting,
    Rsvp,
    WorkGroup,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP = "GT Accès aux soins"


@pytest.fixture(autouse=True)
def _links_to_live_server(settings, live_server) -> None:
    settings.SITE_URL = live_server.url


@pytest.fixture
def group(territory):
    return WorkGroupFactory(
        contract=ContractFactory(territory=territory, title="CLS de Cergy 2023-2028"),
        name=GROUP,
        invitation_policy=InvitationPolicy.ALL_PARTNERS,
    )


def partners(territory, n: int) -> list[Contact]:
    return [
        ContactFactory(
            territory=territory,
            first_name="Camille",
            last_name=f"Partenaire{i:03d}",
            email=f"partenaire{i:03d}@asso.fr",
            organization=OrganizationFactory(territory=territory, name=f"Association {i:03d}"),
        )
        for i in range(n)
    ]


def meeting_in(group, days: float, **fields) -> Meeting:
    # Whole days ahead: at 14:00, so that the form shows it on one day whatever the hour now.
    start = afternoon_in(int(days)) if days >= 1 else timezone.now() + dt.timedelta(days=days)
    return MeetingFactory(
        group=group,
        title="Printemps",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier des Linandes",
        **fields,
    )


def url_of(live_server, meeting: Meeting) -> str:
    return f"{live_server.url}/t/cergy/reunions/{meeting.pk}/"


def messages(page: Page):
    return page.locator(".messages")


# --- cancelling and moving -------------------------------------------------------------------


def test_cancelling_goes_through_a_confirmation_that_says_how_many(
    page: Page, live_server, coordinator, group, territory
) -> None:
    partners(territory, 5)
    meeting = meeting_in(group, 10)
    services.invitations_send(meeting=meeting)
    mail.outbox.clear()
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))

    page.get_by_role("link", name="Annuler la réunion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler la réunion")
    expect(page.get_by_text("5 personnes ont reçu l'invitation")).to_be_visible()
    assert not Delivery.objects.filter(kind="cancellation").exists()
    assert_no_axe_violations(page)
    page.get_by_label("Message aux invités (facultatif)").fill(
        "Reportée à cause de la grève : une nouvelle date suivra."
    )
    page.get_by_role("button", name="Confirmer l'annulation et prévenir 5 personnes").click()

    expect(messages(page)).to_contain_text("Réunion annulée : 5 personnes reçoivent l'annulation")
    expect(page.get_by_text("Annulée", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    assert Delivery.objects.filter(topic=meeting.topic, kind="cancellation").count() == 5
    cancels = [m for m in mail.outbox if m.subject.startswith("[Annulé]")]
    assert len(cancels) == 5
    assert all("Reportée à cause de la grève" in " ".join(m.body.split()) for m in cancels)


def test_moving_goes_through_a_confirmation_and_asks_everyone_again(
    page: Page, live_server, coordinator, group, territory
) -> None:
    people = partners(territory, 5)
    meeting = meeting_in(group, 10)
    services.invitations_send(meeting=meeting)
    for contact, answer in ((people[0], Rsvp.YES), (people[1], Rsvp.NO)):
        services.rsvp_record(invitation=meeting.invitations.get(contact=contact), answer=answer)
    mail.outbox.clear()
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    expect(page.get_by_role("region", name="Invités")).to_contain_text("1 vient · 1 ne vient pas")

    page.get_by_role("link", name="Modifier ou déplacer la réunion").click()
    later = timezone.localdate(meeting.starts_at) + dt.timedelta(days=7)
    page.get_by_label("Date").fill(later.isoformat())
    page.get_by_label("Lieu").fill("Salle des fêtes")
    page.get_by_role("button", name="Enregistrer la réunion").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Déplacer la réunion")
    expect(
        page.get_by_text(
            "5 personnes recevront l'invitation mise à jour ; leurs réponses seront remises à zéro"
        )
    ).to_be_visible()
    assert_no_axe_violations(page)
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and meeting.place == "Maison de quartier des Linandes"
    page.get_by_label("Message aux invités (facultatif)").fill("La salle a changé.")
    page.get_by_role("button", name="Déplacer la réunion et prévenir 5 personnes").click()

    expect(messages(page)).to_have_text(
        "Réunion déplacée : 5 personnes reçoivent l'invitation mise à jour."
    )
    expect(page.get_by_role("region", name="Invités")).to_contain_text("0 vient · 0 ne vient pas")
    assert_no_axe_violations(page)
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.place) == (1, "Salle des fêtes")
    assert timezone.localdate(meeting.starts_at) == later
    assert set(meeting.invitations.values_list("rsvp", flat=True)) == {Rsvp.PENDING}
    updates = [m for m in mail.outbox if m.subject.startswith("[Modifié]")]
    assert sorted(m.to[0] for m in updates) == sorted(c.email for c in people)
    assert all("La salle a changé." in m.body for m in updates)


# --- attendance by keyboard ------------------------------------------------------------------


class Keyboard:
    """The keyboard alone, counting every key pressed (a character typed is a key)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.presses += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.presses += len(text)

    def focused(self) -> str:
        return self.page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.id ? '#' + e.id + ' ' : '') + (e.textContent || '').trim(); }"
        )

    def tab_to(self, wanted: str, *, most: int = 25) -> None:
        """Tab until the focused element's id (#id) or text starts with `wanted`."""
        for _ in range(most):
            self.press("Tab")
            if self.focused().startswith(wanted):
                return
        raise AssertionError(f"{wanted!r} not reached with Tab; focus on {self.focused()!r}")


def test_attendance_of_45_among_200_by_keyboard_alone(
    page: Page, live_server, coordinator, group, territory
) -> None:
    people = partners(territory, 200)
    meeting = meeting_in(group, -1)  # yesterday: attendance can be recorded
    Invitation.objects.bulk_create(
        Invitation(
            territory=territory,
            meeting=meeting,
            contact=contact,
            rsvp=Rsvp.YES if n < 40 else Rsvp.PENDING,
        )
        for n, contact in enumerate(people)
    )
    Meeting.objects.filter(pk=meeting.pk).update(invitees_prepared_at=timezone.now())
    came_unannounced = [people[n] for n in (57, 98, 123, 160, 199)]
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    assert_no_axe_violations(page)
    keys = Keyboard(page)

    # The skip link, then the section links: "Présences", and its first action.
    keys.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    keys.press("Enter")
    keys.tab_to("Présences")
    keys.press("Enter")
    keys.tab_to("Marquer présents tous ceux qui ont dit venir")
    keys.press("Enter")
    expect(messages(page)).to_contain_text("40 personnes marquées présentes")

    # The five others, one by one through the filter of the list.
    keys.tab_to("filtrez la liste des invités")
    keys.press("Enter")
    keys.tab_to("#q")
    for contact in came_unannounced:
        keys.press("Control+a")
        keys.type(contact.last_name)
        keys.press("Enter")
        # The page filtered for this one: the previous page, filtered for the one before, said
        # "1 invité sur 200" too, and tabbing through it as it goes loses the focus (CI, once).
        expect(page.get_by_label(f"Présence de {contact}")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="correspond")).to_have_text(
            "1 invité sur 200 correspond"
        )
        keys.tab_to("#presence-")
        keys.press("ArrowDown")  # "Non renseigné" → "Présent·e"
        expect(page.get_by_label(f"Présence de {contact}")).to_have_value(Attendance.PRESENT)
        keys.tab_to("Enregistrer les présences affichées")
        keys.press("Enter")
        expect(messages(page)).to_contain_text("Présences enregistrées (1 changement).")
        keys.tab_to("#q")

    assert_no_axe_violations(page)
    present = meeting.invitations.filter(attendance=Attendance.PRESENT)
    assert present.count() == 45
    assert set(present.values_list("contact_id", flat=True)) == {
        c.pk for c in people[:40] + came_unannounced
    }
    # Reported in the helper's note: the key presses for 45 people among 200.
    print(f"\nPrésences de 45 personnes sur 200 : {keys.presses} touches.")
    assert keys.presses < 200


# --- the pickers ------------------------------------------------------------------------------


def test_a_walk_in_from_a_structure_not_in_the_directory(
    page: Page, live_server, coordinator, group, territory
) -> None:
    partners(territory, 3)
    meeting = meeting_in(group, -0.05)  # began an hour ago
    services.invitations_prepare(meeting=meeting)
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    walk_in = page.get_by_role("form", name="Une personne présente n'est pas dans la liste")

    walk_in.get_by_label("Prénom").focus()
    page.keyboard.type("Gaëlle")
    page.keyboard.press("Tab")
    page.keyboard.type("Henry")
    page.keyboard.press("Tab")
    page.keyboard.type("gaelle.henry@pmi95.fr")
    page.keyboard.press("Tab")
    page.keyboard.type("Puéricultrice")
    page.keyboard.press("Tab")
    structure = walk_in.get_by_role("combobox", name="Structure")
    expect(structure).to_be_focused()
    page.keyboard.type("PMI")
    expect(walk_in.get_by_role("status")).to_have_text("Aucun résultat")
    page.keyboard.press("Escape")  # clears the field: nothing found in the directory
    expect(structure).to_have_value("")
    page.keyboard.press("Tab")
    expect(walk_in.get_by_label("Nouvelle structure")).to_be_focused()
    page.keyboard.type("PMI du Val-d'Oise")
    assert_no_axe_violations(page)
    page.keyboard.press("Enter")

    expect(messages(page)).to_contain_text(
        "Gaëlle Henry est ajouté·e aux présents et à l'annuaire."
    )
    organization = Organization.objects.get(territory=territory, name="PMI du Val-d'Oise")
    contact = Contact.objects.get(territory=territory, email="gaelle.henry@pmi95.fr")
    assert contact.organization == organization and contact.job_title == "Puéricultrice"
    assert meeting.invitations.get(contact=contact).attendance == Attendance.PRESENT
    row = (
        page.get_by_role("table", name="Liste des invités")
        .get_by_role("row")
        .filter(has_text="Gaëlle Henry")
    )
    expect(row).to_contain_text("PMI du Val-d'Oise")
    expect(row).to_contain_text("sur place")
    expect(page.get_by_label("Présence de Gaëlle Henry")).to_have_value(Attendance.PRESENT)
    assert_no_axe_violations(page)


def test_inviting_one_more_with_the_combobox_tells_namesakes_apart(
    page: Page, live_server, coordinator, group, territory
) -> None:
    group.invitation_policy = InvitationPolicy.MEMBERS
    group.save()
    for structure in ("CCAS de Cergy", "CPTS de Cergy"):
        ContactFactory(
            territory=territory,
            first_name="Bruno",
            last_name="Faure",
            organization=OrganizationFactory(territory=territory, name=structure),
        )
    meeting = meeting_in(group, 10)
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    combobox = page.get_by_role("combobox", name="Inviter aussi")
    combobox.focus()

    page.keyboard.type("bruno")
    listbox = page.get_by_role("listbox", name="Inviter aussi")
    expect(listbox.get_by_role("option")).to_have_text(
        ["Bruno Faure — CCAS de Cergy", "Bruno Faure — CPTS de Cergy"]
    )
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(
        page.get_by_role("form", name="Inviter une personne de plus").get_by_role("status")
    ).to_have_text(re.compile("^2 résultats"))
    assert_no_axe_violations(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute(
        "aria-activedescendant", listbox.get_by_role("option").nth(1).get_attribute("id")
    )
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Bruno Faure — CPTS de Cergy")
    expect(listbox).to_be_hidden()
    page.keyboard.press("Enter")  # the form, now

    expect(messages(page)).to_contain_text("Bruno Faure est invité·e.")
    (invited,) = meeting.invitations.select_related("contact__organization")
    assert invited.contact.organization.name == "CPTS de Cergy"
    assert_no_axe_violations(page)


def test_a_group_s_pilots_kept_with_boxes_and_one_added_with_the_picker(
    page: Page, live_server, coordinator, group, territory
) -> None:
    staying, leaving = (
        ContactFactory(
            territory=territory,
            first_name=first,
            last_name=last,
            organization=OrganizationFactory(territory=territory, name=structure),
        )
        for first, last, structure in (
            ("Émilie", "Faure", "Direction de la santé publique"),
            ("David", "Esnault", "Mission locale"),
        )
    )
    ContactFactory(
        territory=territory,
        first_name="Chloé",
        last_name="Dupuis",
        organization=OrganizationFactory(territory=territory, name="CPTS de Cergy"),
    )
    group.pilots.set([staying, leaving])
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/groupes/{group.pk}/modifier/")
    assert_no_axe_violations(page)

    page.get_by_role("checkbox", name="David Esnault — Mission locale").uncheck()
    combobox = page.get_by_role("combobox", name="Ajouter un·e pilote ou co-pilote")
    combobox.focus()
    page.keyboard.type("cpts")
    expect(page.get_by_role("option", name="Chloé Dupuis — CPTS de Cergy")).to_be_visible()
    assert_no_axe_violations(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Enregistrer").click()

    expect(messages(page)).to_contain_text(f"Groupe « {GROUP} » enregistré.")
    pilots = page.get_by_role("complementary").get_by_role("list").first
    expect(pilots).to_contain_text("Chloé Dupuis")
    expect(pilots).not_to_contain_text("David Esnault")
    assert sorted(p.last_name for p in group.pilots.all()) == ["Dupuis", "Faure"]
    assert_no_axe_violations(page)


def test_a_new_group_gets_two_pilots_chosen_one_after_the_other(
    page: Page, live_server, coordinator, territory
) -> None:
    """Each person chosen in the combobox joins the list of pilots, ticked, and the field
    empties for the next one: no "Ajouter un autre pilote" round trip with the script."""
    ContractFactory(territory=territory, title="CLS de Cergy 2023-2028")
    for first, last, structure in (
        ("Émilie", "Faure", "Direction de la santé publique"),
        ("David", "Esnault", "Mission locale"),
    ):
        ContactFactory(
            territory=territory,
            first_name=first,
            last_name=last,
            organization=OrganizationFactory(territory=territory, name=structure),
        )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}/t/cergy/groupes/nouveau/")
    expect(page.get_by_role("button", name="Ajouter un autre pilote")).to_be_hidden()
    page.get_by_label("Contrat").select_option(label="CLS de Cergy 2023-2028")
    page.get_by_label("Nom").fill("GT Santé des jeunes")
    combobox = page.get_by_role("combobox", name="Ajouter un·e pilote ou co-pilote")
    kept = page.get_by_role("group", name="Pilotes et co-pilotes du groupe")

    for typed, label in (
        ("santé pub", "Émilie Faure — Direction de la santé publique"),
        ("mission", "David Esnault — Mission locale"),
    ):
        combobox.focus()
        page.keyboard.type(typed)
        expect(page.get_by_role("option", name=label)).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(kept.get_by_role("checkbox", name=label)).to_be_checked()
        expect(combobox).to_have_value("")
        expect(page.get_by_role("status").filter(has_text="rejoint")).to_have_text(
            f"{label} rejoint la liste des pilotes."
        )
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enregistrer").click()

    expect(messages(page)).to_contain_text("Groupe « GT Santé des jeunes » enregistré.")
    assert_no_axe_violations(page)
    group = WorkGroup.objects.get(name="GT Santé des jeunes")
    assert sorted(p.last_name for p in group.pilots.all()) == ["Esnault", "Faure"]


# --- 200 invitees by keyboard and on a phone ------------------------------------------------------


def two_hundred_invited(group, territory, days: float, *, said_yes: int = 0) -> Meeting:
    meeting = meeting_in(group, days)
    people = partners(territory, 200)
    Invitation.objects.bulk_create(
        Invitation(
            territory=territory,
            meeting=meeting,
            contact=contact,
            rsvp=Rsvp.YES if n < said_yes else Rsvp.PENDING,
        )
        for n, contact in enumerate(people)
    )
    Meeting.objects.filter(pk=meeting.pk).update(invitees_prepared_at=timezone.now())
    return meeting


def test_one_more_invitee_is_a_few_keys_from_the_top_of_200(
    page: Page, live_server, coordinator, group, territory
) -> None:
    """The form sits before the list: 200 rows, each with its "Retirer" button, used to stand
    between the keyboard and it. A refused name brings the page back at the form."""
    meeting = two_hundred_invited(group, territory, 10)
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    keys = Keyboard(page)

    keys.tab_to("Invités")
    keys.press("Enter")
    keys.tab_to("#inviter_contact")
    assert keys.presses <= 20, keys.presses
    print(f"\nDu haut de la page à « Inviter aussi » (200 invités) : {keys.presses} touches.")
    keys.type("Partenaire007")
    expect(page.get_by_role("option", name=re.compile("Partenaire007"))).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter")
    keys.press("Enter")

    # Already on the list: the answer is at the form, in view, not 200 rows below the top.
    heading = page.get_by_role("heading", name="Inviter une personne de plus")
    expect(
        page.get_by_text("Camille Partenaire007 est déjà sur la liste des invités.")
    ).to_be_visible()
    expect(heading).to_be_in_viewport()
    assert_no_axe_violations(page)
    assert meeting.invitations.count() == 200


def test_a_refused_walk_in_comes_back_in_view(
    page: Page, live_server, coordinator, group, territory
) -> None:
    meeting = two_hundred_invited(group, territory, -0.05)
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting) + "#presences")
    walk_in = page.get_by_role("form", name="Une personne présente n'est pas dans la liste")
    walk_in.get_by_role("textbox", name="Nom (obligatoire) :", exact=True).fill("Henry")
    walk_in.get_by_label("Adresse e-mail").fill("gaelle.henry@pmi95.fr")
    walk_in.get_by_role("combobox", name="Structure").fill("Structure inconnue")
    walk_in.get_by_role("button", name="L'ajouter aux présents et à l'annuaire").click()

    error = page.get_by_text("Aucune correspondance dans l'annuaire pour « Structure inconnue ».")
    expect(error).to_be_visible()
    expect(
        page.get_by_role("heading", name="Une personne présente n'est pas dans la liste")
    ).to_be_in_viewport()
    expect(walk_in.get_by_role("textbox", name="Nom (obligatoire) :", exact=True)).to_have_value(
        "Henry"
    )
    assert_no_axe_violations(page)


def test_tab_presses_to_the_report_and_to_the_attendance_save(
    page: Page, live_server, coordinator, group, territory
) -> None:
    """The counts reported to the lead, for a held meeting of 200 invitees: from the top of the
    page to the compte-rendu section's first action, and to the attendance save button through
    the filter (typing a name counts one key per character)."""
    meeting = two_hundred_invited(group, territory, -1, said_yes=40)
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))
    keys = Keyboard(page)

    keys.tab_to("Compte-rendu")
    keys.press("Enter")
    keys.tab_to("Rédiger le compte-rendu")
    to_report = keys.presses
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compte-rendu")

    page.goto(url_of(live_server, meeting))
    keys = Keyboard(page)
    keys.tab_to("#q")
    keys.type("Partenaire123")
    keys.press("Enter")
    expect(page.get_by_role("status").filter(has_text="correspond")).to_have_text(
        "1 invité sur 200 correspond"
    )
    keys.tab_to("#presence-")
    keys.press("ArrowDown")
    keys.tab_to("Enregistrer les présences affichées")
    to_save = keys.presses
    keys.press("Enter")
    expect(messages(page)).to_contain_text("Présences enregistrées (1 changement).")
    print(
        f"\nRéunion tenue, 200 invités : {to_report} touches du haut de la page à « Rédiger le"
        f" compte-rendu » ; {to_save} touches jusqu'à « Enregistrer les présences affichées »"
        " par le filtre."
    )
    assert to_report <= 25 and to_save <= 40
    assert meeting.invitations.filter(attendance=Attendance.PRESENT).count() == 1


@pytest.mark.parametrize("moment", ["invited", "held"])
def test_the_meeting_page_fits_a_phone(
    page: Page, live_server, coordinator, group, territory, moment
) -> None:
    """At 390 px the page does not scroll sideways: the list of 200 scrolls in its own box,
    which the keyboard can reach and scroll (it may hold no control at all)."""
    if moment == "invited":
        meeting = two_hundred_invited(group, territory, 10)
        services.invitations_send(meeting=meeting)
    else:
        meeting = two_hundred_invited(group, territory, -1, said_yes=40)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, coordinator)
    page.goto(url_of(live_server, meeting))

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.get_by_role("region", name="Personnes invitées")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth"), "the table scrolls inside"
    region.focus()
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    # The browser may scroll smoothly, over a few frames: wait for it (5 s at most).
    region.element_handle().wait_for_element_state("stable")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
    assert_no_axe_violations(page)
