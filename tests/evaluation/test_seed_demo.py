"""seed_demo: the two territories of the seeds, idempotent, each account seeing its own."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from actions.models import AxisKind, ContractStatus
from cls_platform.models import Territory
from partners.models import Contact, Organization

pytestmark = pytest.mark.django_db

PASSWORD = "demo-cls-2026"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db, settings):
    settings.DEBUG = True  # demo accounts are refused otherwise


def snapshot() -> dict[str, int]:
    from django.apps import apps

    from actions.models import Contract, FicheAction
    from cls_platform.models import Access, Delivery, User
    from workgroups.models import Meeting, WorkGroup

    models = [
        Territory,
        User,
        Access,
        Organization,
        Contact,
        Contract,
        FicheAction,
        WorkGroup,
        Meeting,
        Delivery,
        *apps.get_app_config("evaluation").get_models(),  # surveys, answers, interviews...
    ]
    return {m._meta.label: m.objects.count() for m in models}


def test_running_it_twice_changes_nothing(demo):
    first = snapshot()
    assert first["evaluation.Survey"] == 2 and first["evaluation.Interview"] >= 5
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_cergy_contract_has_six_thematic_and_four_transversal_axes(demo):
    cergy = Territory.objects.get(slug="cergy")
    contract = cergy.contracts.get(start_year=2020, kind="cls")
    assert contract.status == ContractStatus.SIGNED
    assert contract.axes.filter(kind=AxisKind.THEMATIC).count() == 6
    assert contract.axes.filter(kind=AxisKind.TRANSVERSAL).count() == 4
    assert set(cergy.qpvs.values_list("name", flat=True)) == {"Axe Majeur-Horloge", "Sébille"}
    assert contract.signatories.count() == 7


def test_vitry_has_one_copiloted_group_per_thematic_axis(demo):
    vitry = Territory.objects.get(slug="vitry-sur-seine")
    contract = vitry.contracts.get(start_year=2023)
    assert contract.end_year == 2028
    assert contract.axes.filter(kind=AxisKind.THEMATIC).count() == 7
    groups = contract.work_groups.all()
    assert groups.count() == 7
    for group in groups:
        structures = [p.organization.name for p in group.pilots.all()]
        assert len(structures) == 2, group
        assert "Service Promotion de la santé (SPS)" in structures, group
        assert len(set(structures)) == 2, "co-piloté avec une autre structure"


@pytest.mark.parametrize(
    ("email", "visible", "hidden"),
    [
        ("coordination@cergy.demo", ["cergy"], ["vitry-sur-seine"]),
        ("coordination@vitry.demo", ["vitry-sur-seine"], ["cergy"]),
        ("copilote@vitry.demo", ["vitry-sur-seine"], ["cergy"]),
        ("ars95@ars.demo", ["cergy"], ["vitry-sur-seine"]),
        ("ars-idf@ars.demo", ["cergy", "vitry-sur-seine"], []),
    ],
)
def test_demo_accounts_see_exactly_their_territories(demo, email, visible, hidden):
    client = Client()
    assert client.login(username=email, password=PASSWORD)
    for slug in visible:
        response = client.get(f"/t/{slug}/")
        assert response.status_code == 200
        overview = response.context["overview"]
        territory = Territory.objects.get(slug=slug)
        assert overview.organization_count == territory.organizations.count()
        assert {c.territory_id for c in overview.contracts} == {territory.pk}
    for slug in hidden:
        assert client.get(f"/t/{slug}/").status_code == 404


def test_copilot_demo_account_pilots_one_group(demo):
    client = Client()
    client.login(username="copilote@vitry.demo", password=PASSWORD)
    overview = client.get("/t/vitry-sur-seine/").context["overview"]
    assert len(overview.my_groups) == 1


def test_viewer_demo_account_changes_nothing(demo):
    client = Client()
    client.login(username="ars-idf@ars.demo", password=PASSWORD)
    assert client.post("/t/cergy/").status_code == 403


@pytest.mark.parametrize(
    ("slug", "structures", "contacts"), [("cergy", 80, 190), ("vitry-sur-seine", 70, 170)]
)
def test_each_territory_has_a_realistic_directory(demo, slug, structures, contacts):
    territory = Territory.objects.get(slug=slug)
    assert territory.organizations.count() >= structures
    assert territory.organizations.filter(is_internal=True).count() >= 18
    assert territory.contacts.count() >= contacts
    assert territory.contacts.filter(left_at__isnull=False, successor__isnull=False).exists()
    assert territory.contacts.filter(bounced_at__isnull=False).exists()
    assert territory.contacts.filter(unsubscribed_at__isnull=False).exists()
    signatories = (
        territory.contracts.filter(status=ContractStatus.SIGNED, kind="cls").get().signatories
    )
    assert signatories.filter(organization__territory=territory).count() == signatories.count()
