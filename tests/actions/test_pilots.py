"""Who pilots an action: a co-pilot edits its content, not who pilots it; a pilot who left does
not block the fiche."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from actions.models import FicheAction
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def edit_form(fiche: FicheAction, **extra) -> dict:
    data = {
        "number": fiche.number,
        "title": fiche.title,
        "thematic_axis": fiche.thematic_axis_id,
        "status": fiche.status,
        "progress": fiche.progress,
        "territory_scope": "whole",
        "participation": "none",
        "partenaires-TOTAL_FORMS": 0,
        "partenaires-INITIAL_FORMS": 0,
        "financements-TOTAL_FORMS": 0,
        "financements-INITIAL_FORMS": 0,
    }
    data.update(extra)
    return data


def test_a_copilot_cannot_hand_the_action_over_or_record_an_amendment(login_as, copilot):
    territory = copilot.territory
    contract = ContractFactory(territory=territory)  # signed
    other_axis = AxisFactory(contract=contract, number=9)
    me = ContactFactory(territory=territory, user=copilot.user)
    pilot_org = OrganizationFactory(territory=territory, name="Service santé")
    fiche = FicheActionFactory(
        contract=contract, number="1.1", pilot_contact=me, pilot_organization=pilot_org
    )
    axis_id = fiche.thematic_axis_id
    colleague = ContactFactory(territory=territory)
    fiche.copilots.add(colleague)
    stranger = ContactFactory(territory=territory)
    client = login_as(copilot)

    fields = client.get(f"{BASE}/fiches/{fiche.pk}/modifier/").context["form"].fields
    for name in ("pilot_organization", "pilot_contact", "copilots", "amendment_note"):
        assert name not in fields, name

    response = client.post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        edit_form(
            fiche,
            title="Sport sur ordonnance, saison 2",
            number="9.9",
            thematic_axis=other_axis.pk,
            pilot_organization=OrganizationFactory(territory=territory).pk,
            pilot_contact_id=stranger.pk,
            copilots=[stranger.pk],
            amendment_note="Avenant inventé par le co-pilote",
        ),
    )
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.title == "Sport sur ordonnance, saison 2", "the content change went through"
    assert fiche.number == "1.1" and fiche.thematic_axis_id == axis_id
    assert fiche.pilot_contact == me and fiche.pilot_organization == pilot_org
    assert list(fiche.copilots.all()) == [colleague]
    assert not contract.amendments.exists()


def test_a_fiche_whose_pilot_left_is_still_saved(login_as, coordinator):
    territory = coordinator.territory
    successor = ContactFactory(territory=territory, first_name="Inès", last_name="Benali")
    departed = ContactFactory(
        territory=territory,
        first_name="Paul",
        last_name="Durand",
        left_at=dt.date(2026, 1, 31),
        successor=successor,
    )
    unsubscribed = ContactFactory(territory=territory, unsubscribed_at="2026-02-01T10:00Z")
    other_departed = ContactFactory(territory=territory, left_at=dt.date(2025, 6, 30))
    fiche = FicheActionFactory(
        contract=ContractFactory(territory=territory), pilot_contact=departed
    )
    fiche.copilots.add(unsubscribed)
    client = login_as(coordinator)

    page = client.get(f"{BASE}/fiches/{fiche.pk}/")
    text = page.content.decode()
    assert "a quitté sa structure le 31 janvier 2026" in text
    assert "Successeur indiqué : Inès Benali." in text
    assert "Désigner un nouveau pilote" in text

    form = client.get(f"{BASE}/fiches/{fiche.pk}/modifier/").context["form"]
    offered = set(form.fields["pilot_contact"].queryset)
    assert departed in offered and unsubscribed in offered, "current values stay offered"
    assert successor in offered
    assert other_departed not in offered, "people who left are not offered anew"

    response = client.post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        edit_form(
            fiche,
            title="Titre corrigé",
            pilot_contact_id=departed.pk,
            copilots=[unsubscribed.pk],
            amendment_note="Correction du titre",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:500]
    fiche.refresh_from_db()
    assert fiche.title == "Titre corrigé"
    assert fiche.pilot_contact == departed
    assert list(fiche.copilots.all()) == [unsubscribed]

    # Replacing the pilot by the successor clears the warning.
    client.post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        edit_form(fiche, pilot_contact_id=successor.pk, amendment_note="x"),
    )
    fiche.refresh_from_db()
    assert fiche.pilot_contact == successor
    assert "a quitté sa structure" not in client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()


def test_a_departed_contact_cannot_be_named_pilot_anew(login_as, coordinator):
    territory = coordinator.territory
    departed = ContactFactory(territory=territory, left_at=dt.date(2025, 6, 30))
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))
    page = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/", edit_form(fiche, pilot_contact_id=departed.pk)
    )
    assert page.status_code == 200
    fiche.refresh_from_db()
    assert fiche.pilot_contact is None


# --- the pilot pickers: a search that shows each person's structure ---------------------------


@pytest.fixture
def namesakes(territory):
    """Two "Bruno Faure", in two structures."""
    return [
        ContactFactory(
            territory=territory,
            first_name="Bruno",
            last_name="Faure",
            organization=OrganizationFactory(territory=territory, name=structure),
        )
        for structure in ("CCAS de Cergy", "CPTS de Cergy")
    ]


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_pilot_fields_are_searchable_pickers_not_lists_of_every_contact(
    login_as, coordinator, namesakes
):
    territory = coordinator.territory
    for n in range(200):
        ContactFactory(territory=territory, last_name=f"Partenaire{n:03d}")
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))

    raw = login_as(coordinator).get(f"{BASE}/fiches/{fiche.pk}/modifier/").content.decode()

    assert '<select name="pilot_contact"' not in raw and '<select name="copilots"' not in raw
    assert "Partenaire1" not in raw, "no option per contact of the territory"
    for name in ("pilot_contact", "add_copilot"):
        assert re.search(
            r'data-picker-url="/t/cergy/annuaire/recherche/contacts/">\s*'
            rf'<input type="text" name="{name}"',
            raw,
        ), name
    assert "js/picker.js" in raw
    # The co-pilots chosen with the script join this list of boxes.
    assert 'data-picker-into="id_copilots" data-picker-into-name="copilots"' in raw


def test_a_namesake_is_told_apart_by_the_structure_and_chosen(login_as, coordinator, namesakes):
    ccas, cpts = namesakes
    territory = coordinator.territory
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))
    client = login_as(coordinator)
    url = f"{BASE}/fiches/{fiche.pk}/modifier/"

    several = client.post(url, edit_form(fiche, pilot_contact="bruno faure"))

    assert several.status_code == 200
    page = text(several)
    assert "Plusieurs correspondances pour « bruno faure »" in page
    assert "Bruno Faure — CCAS de Cergy" in page and "Bruno Faure — CPTS de Cergy" in page
    fiche.refresh_from_db()
    assert fiche.pilot_contact is None

    saved = client.post(
        url,
        edit_form(
            fiche,
            pilot_contact="bruno faure",
            pilot_contact_choice=cpts.pk,
            add_copilot="faure ccas",  # one match: taken
        ),
    )

    assert saved.status_code == 302, text(saved)[:500]
    fiche.refresh_from_db()
    assert fiche.pilot_contact == cpts
    assert list(fiche.copilots.all()) == [ccas]


def test_the_form_sent_untouched_keeps_the_pilot_and_the_co_pilots(
    login_as, coordinator, namesakes
):
    """What a browser sends back: the picker's label and hidden id, the boxes ticked."""
    ccas, cpts = namesakes
    territory = coordinator.territory
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory), pilot_contact=cpts)
    fiche.copilots.add(ccas)
    client = login_as(coordinator)
    url = f"{BASE}/fiches/{fiche.pk}/modifier/"

    raw = client.get(url).content.decode()

    assert 'name="pilot_contact" value="Bruno Faure — CPTS de Cergy"' in raw
    assert f'name="pilot_contact_id" value="{cpts.pk}"' in raw
    assert re.search(
        rf'name="copilots" value="{ccas.pk}" id="id_copilots_0" checked>\s*Bruno Faure — CCAS de Cergy',
        raw,
    )

    client.post(
        url,
        edit_form(
            fiche,
            pilot_contact="Bruno Faure — CPTS de Cergy",
            pilot_contact_id=cpts.pk,
            copilots=[ccas.pk],
            add_copilot="",
            add_copilot_id="",
        ),
    )
    fiche.refresh_from_db()
    assert fiche.pilot_contact == cpts
    assert list(fiche.copilots.all()) == [ccas]

    # Unticked, a co-pilot is no longer one; the pilot's field emptied, nobody pilots.
    client.post(url, edit_form(fiche, pilot_contact="", pilot_contact_id=""))
    fiche.refresh_from_db()
    assert fiche.pilot_contact is None
    assert not fiche.copilots.exists()


def test_co_pilots_the_script_ticked_are_taken_from_the_territory_only(
    login_as, coordinator, namesakes, other_territory
):
    territory = coordinator.territory
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))
    stranger = ContactFactory(territory=other_territory)
    departed = ContactFactory(territory=territory, left_at=dt.date(2025, 6, 30))
    client = login_as(coordinator)
    url = f"{BASE}/fiches/{fiche.pk}/modifier/"

    for refused in (stranger.pk, departed.pk, "99999999999999999999", "²"):
        response = client.post(url, edit_form(fiche, copilots=[namesakes[0].pk, refused]))
        assert response.status_code == 200, refused
        assert "copilots" in response.context["form"].errors
    assert not fiche.copilots.exists()

    client.post(url, edit_form(fiche, copilots=[c.pk for c in namesakes]))
    assert set(fiche.copilots.all()) == set(namesakes)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pilot_and_co_pilots_chosen_with_the_combobox(page, live_server, coordinator, namesakes):
    from playwright.sync_api import expect

    from tests.support.browser import assert_no_axe_violations, browser_login

    ccas, cpts = namesakes
    territory = coordinator.territory
    fiche = FicheActionFactory(
        contract=ContractFactory(territory=territory, status="draft", signed_on=None)
    )
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{BASE}/fiches/{fiche.pk}/modifier/")

    pilot = page.get_by_role("combobox", name=re.compile("^Pilote"))
    pilot.focus()
    page.keyboard.type("bruno")
    expect(
        page.get_by_role("listbox", name=re.compile("^Pilote")).get_by_role("option")
    ).to_have_text(["Bruno Faure — CCAS de Cergy", "Bruno Faure — CPTS de Cergy"])
    assert_no_axe_violations(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(pilot).to_have_value("Bruno Faure — CPTS de Cergy")

    copilot = page.get_by_role("combobox", name="Ajouter un·e co-pilote")
    copilot.focus()
    page.keyboard.type("ccas")
    expect(page.get_by_role("option", name="Bruno Faure — CCAS de Cergy")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("group", name="Co-pilotes").get_by_role(
            "checkbox", name="Bruno Faure — CCAS de Cergy"
        )
    ).to_be_checked()
    expect(copilot).to_have_value("")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Enregistrer la fiche-action").click()

    expect(page.locator(".messages")).to_contain_text("enregistrée")
    fiche.refresh_from_db()
    assert fiche.pilot_contact == cpts
    assert list(fiche.copilots.all()) == [ccas]
