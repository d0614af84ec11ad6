"""seed_scale (demo/scale.py), as the benchmarks' territories are read: groups and fiches-actions
with their pilots, as a signed contract names them, one seat left vacant, and a second run that
adds nothing. Without pilots, every group of the scale data was fragile for want of one, and the
pages that read pilots (groups, fiches, the ARS table) were measured on empty relations."""

from __future__ import annotations

import html
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import FicheAction
from cls_platform.models import Role, Territory
from tests.factories import AccessFactory
from workgroups.models import WorkGroup

SLUG = "echelle-0001"
GONE = "Prénom1 Nom001 (Structure 001 de la commune 1) a quitté sa structure le"


@pytest.fixture
def scale(db: None) -> None:
    call_command("seed_scale", territories=1, stdout=io.StringIO())


def page(client, name: str, pk: int) -> str:
    # Not the seed's demo account, refused when DEBUG is off: a coordination of the territory.
    territory = Territory.objects.get(slug=SLUG)
    client.force_login(AccessFactory(territory=territory, role=Role.COORDINATOR).user)
    response = client.get(reverse(name, args=[SLUG, pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_each_group_has_two_pilots_and_the_first_a_vacant_seat(scale, client):
    groups = list(WorkGroup.objects.filter(territory__slug=SLUG).order_by("pk"))
    assert [g.pilots.count() for g in groups] == [2] * 8
    first = page(client, "workgroups:group_detail", groups[0].pk)
    assert f"Poste de co-pilote vacant : {GONE}" in first
    assert "personne ne lui a succédé." in first
    assert "vacant" not in page(client, "workgroups:group_detail", groups[1].pk)


def test_each_fiche_has_a_pilot_of_its_structure_and_a_copilot(scale, client):
    fiches = FicheAction.objects.filter(territory__slug=SLUG).select_related(
        "pilot_contact", "pilot_organization"
    )
    assert fiches.count() == 60
    for fiche in fiches:
        assert fiche.pilot_contact.organization_id == fiche.pilot_organization_id
        assert [c.pk for c in fiche.copilots.all()] not in ([], [fiche.pilot_contact_id])
    first = fiches.get(title="Action 1")
    text = page(client, "actions:fiche_detail", first.pk)
    assert "Prénom0 Nom000" in text  # its pilot
    assert "Prénom1 Nom001" in text  # its co-pilot


def test_running_seed_scale_again_adds_no_pilot(scale):
    pilots, copilots = WorkGroup.pilots.through.objects.count(), FicheAction.copilots.through
    before = copilots.objects.count()
    call_command("seed_scale", territories=1, stdout=io.StringIO())
    assert WorkGroup.pilots.through.objects.count() == pilots == 16
    assert copilots.objects.count() == before == 60


def test_groups_have_members_and_fiches_partners_funding_and_indicators(scale, client):
    """What a contract under way holds, read on the pages that show it: a group's 25 people
    (its pilots among them), a fiche's partner structures, funding and indicators with their
    measures, and the contract's indicators on track on the ARS table."""
    group = WorkGroup.objects.filter(territory__slug=SLUG).order_by("pk")[1]
    text = page(client, "workgroups:group_detail", group.pk)
    members = text.split("Membres et abonnés", 1)[1].split("</ul>", 1)[0]
    assert members.count("<li") == 25
    assert "Prénom2 Nom002" in members and "Prénom3 Nom003" in members  # its two pilots
    assert "comptes-rendus" in members  # the subscribers say what they receive

    fiche = FicheAction.objects.get(territory__slug=SLUG, title="Action 1")
    text = page(client, "actions:fiche_detail", fiche.pk)
    for partner in ("Structure 001 de la commune 1", "Structure 008", "Structure 015"):
        assert partner in text
    assert "Personnes accompagnées dans l'année" in text
    assert "Réunions du comité de suivi" in text
    assert "ARS Île-de-France" in text and "Ville" in text  # its two funders

    ars = AccessFactory(territory=Territory.objects.get(slug=SLUG), role=Role.VIEWER).user
    client.force_login(ars)
    table = html.unescape(client.get(reverse("portfolio:table")).content.decode())
    row = table.split("CLS de la commune 1 2023-2028", 1)[1].split("</tr>", 1)[0]
    assert " sur 60 " in row  # the 60 indicators with a target, read on the table


def test_running_seed_scale_again_adds_no_member_or_indicator(scale):
    from actions.models import ActionPartner, Indicator, IndicatorValue
    from workgroups.models import Membership

    counts = [m.objects.count() for m in (Membership, ActionPartner, Indicator, IndicatorValue)]
    call_command("seed_scale", territories=1, stdout=io.StringIO())
    again = [m.objects.count() for m in (Membership, ActionPartner, Indicator, IndicatorValue)]
    assert again == counts == [200, 180, 120, 240]
