"""Who pilots an action: a co-pilot edits its content, not who pilots it; a pilot who left does
not block the fiche."""

from __future__ import annotations

import datetime as dt

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
            pilot_contact=stranger.pk,
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
            pilot_contact=departed.pk,
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
        edit_form(fiche, pilot_contact=successor.pk, amendment_note="x"),
    )
    fiche.refresh_from_db()
    assert fiche.pilot_contact == successor
    assert "a quitté sa structure" not in client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()


def test_a_departed_contact_cannot_be_named_pilot_anew(login_as, coordinator):
    territory = coordinator.territory
    departed = ContactFactory(territory=territory, left_at=dt.date(2025, 6, 30))
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory))
    page = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/", edit_form(fiche, pilot_contact=departed.pk)
    )
    assert page.status_code == 200
    fiche.refresh_from_db()
    assert fiche.pilot_contact is None
