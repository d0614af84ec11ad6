"""Reference data of the contracts: the collaboration scale is data, one for the instance, read by
coordinators and edited by the instance's administrators (on its page and in the admin with the
publics and Ottawa areas), and never undone by the restore after a flush."""

from __future__ import annotations

import pytest
from django.test import Client

from actions.models import CollaborationLevel, OttawaArea, Public
from actions.reference import restore_after_flush
from tests.factories import (
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
SCALE = f"{BASE}/contrats/echelle-de-collaboration/"


def scale_data(levels: list[CollaborationLevel], **changes) -> dict:
    """The scale form as the page posts it; `changes` keyed `<index>-<field>`."""
    data = {
        "niveaux-TOTAL_FORMS": len(levels) + 1,
        "niveaux-INITIAL_FORMS": len(levels),
        "niveaux-MIN_NUM_FORMS": 0,
        "niveaux-MAX_NUM_FORMS": 1000,
    }
    for index, level in enumerate(levels):
        data[f"niveaux-{index}-id"] = level.pk
        data[f"niveaux-{index}-rank"] = level.rank
        data[f"niveaux-{index}-label"] = level.label
        data[f"niveaux-{index}-description"] = level.description
    data.update({f"niveaux-{key}": value for key, value in changes.items()})
    return data


@pytest.fixture
def administrator(coordinator):
    """A coordinator who also administers the instance (staff)."""
    coordinator.user.is_staff = True
    coordinator.user.save(update_fields=["is_staff"])
    return coordinator


def levels() -> list[CollaborationLevel]:
    return list(CollaborationLevel.objects.order_by("rank"))


def test_the_default_scale_has_the_four_levels_of_bilodeau_parent_potvin():
    assert [(lv.rank, lv.label) for lv in levels()] == [
        (1, "Échange d'informations"),
        (2, "Coordination"),
        (3, "Coopération"),
        (4, "Action en partenariat"),
    ]


def test_an_administrator_renames_a_level_and_fiches_show_it(login_as, administrator):
    fiche = FicheActionFactory(contract=ContractFactory(territory=administrator.territory))
    fiche.partnerships.create(
        organization=OrganizationFactory(territory=administrator.territory),
        level=CollaborationLevel.objects.get(rank=3),
    )
    client = login_as(administrator)
    assert "Échelle de collaboration" in client.get(f"{BASE}/contrats/").content.decode()
    page = client.get(SCALE).content.decode()
    assert "Bilodeau, Parent, Potvin, 2019" in page
    response = client.post(
        SCALE,
        scale_data(
            levels(), **{"2-label": "Co-construction", "2-description": "On décide ensemble."}
        ),
    )
    assert response.status_code == 302
    level = CollaborationLevel.objects.get(rank=3)
    assert (level.label, level.description) == ("Co-construction", "On décide ensemble.")
    assert "Co-construction" in client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()


def test_ranks_can_be_swapped_and_a_level_added(login_as, administrator):
    current = levels()
    login_as(administrator).post(
        SCALE,
        scale_data(
            current,
            **{"0-rank": 2, "1-rank": 1, "4-rank": 5, "4-label": "Intégration"},
        ),
    )
    assert [lv.label for lv in levels()] == [
        "Coordination",
        "Échange d'informations",
        "Coopération",
        "Action en partenariat",
        "Intégration",
    ]


def test_bad_scale_input_is_explained_in_french(login_as, administrator):
    client = login_as(administrator)
    page = client.post(SCALE, scale_data(levels(), **{"1-rank": 1})).content.decode()
    assert "Deux niveaux ont le même rang" in page
    page = client.post(SCALE, scale_data(levels(), **{"1-label": ""})).content.decode()
    assert "Chaque niveau a un libellé." in page
    page = client.post(SCALE, scale_data(levels(), **{"1-rank": 0})).content.decode()
    assert "Le rang est un nombre de 1 à 99." in page
    assert [lv.label for lv in levels()][:2] == ["Échange d'informations", "Coordination"]


def test_a_level_in_use_cannot_be_removed_but_an_unused_one_can(login_as, administrator):
    fiche = FicheActionFactory(contract=ContractFactory(territory=administrator.territory))
    fiche.partnerships.create(
        organization=OrganizationFactory(territory=administrator.territory),
        level=CollaborationLevel.objects.get(rank=4),
    )
    client = login_as(administrator)
    page = client.post(SCALE, scale_data(levels(), **{"3-DELETE": "on"})).content.decode()
    assert "Le niveau « Action en partenariat » qualifie déjà des partenariats" in page
    assert len(levels()) == 4
    client.post(SCALE, scale_data(levels(), **{"0-DELETE": "on"}))
    assert [lv.rank for lv in levels()] == [2, 3, 4]


def test_only_the_instance_administrators_edit_the_scale(login_as, coordinator, copilot, viewer):
    for access in (copilot, viewer):
        client = login_as(access)
        assert client.get(SCALE).status_code == 403
        assert client.post(SCALE, scale_data(levels(), **{"0-label": "X"})).status_code == 403
    # A territory's coordinator reads the scale, common to every territory, but cannot rename
    # the levels the other territories use.
    client = login_as(coordinator)
    page = client.get(SCALE).content.decode()
    assert "Action en partenariat" in page
    assert "seule l'administration de la plateforme la modifie" in page
    assert "Enregistrer l'échelle" not in page
    assert client.post(SCALE, scale_data(levels(), **{"0-label": "X"})).status_code == 403
    assert CollaborationLevel.objects.get(rank=1).label == "Échange d'informations"


def test_the_scale_page_keeps_a_constant_query_count(login_as, coordinator):
    def more() -> None:
        start = CollaborationLevel.objects.count()
        for rank in range(start + 1, start + 4):
            CollaborationLevel.objects.create(rank=rank, label=f"Niveau {rank}")

    assert_constant_queries(login_as(coordinator), SCALE, more, at_most=8)


def test_restoring_reference_data_keeps_edits_and_only_adds_what_is_missing():
    level = CollaborationLevel.objects.get(rank=2)
    level.label = "Concertation"
    level.save()
    CollaborationLevel.objects.filter(rank=4).delete()  # a region using a three-level scale
    public = Public.objects.get(slug="aidants")
    public.name = "Proches aidants"
    public.save()
    Public.objects.filter(slug="etudiants").delete()
    OttawaArea.objects.filter(slug="services").update(name="Réorienter les services")

    restore_after_flush(sender=None)

    assert CollaborationLevel.objects.get(rank=2).label == "Concertation"
    assert CollaborationLevel.objects.count() == 3, "an edited scale is not completed"
    assert Public.objects.get(slug="aidants").name == "Proches aidants"
    assert Public.objects.filter(slug="etudiants").exists(), "a missing row comes back"
    assert Public.objects.filter(name__icontains="aidants").count() == 1
    assert OttawaArea.objects.get(slug="services").name == "Réorienter les services"


def test_an_empty_scale_is_restored_after_a_flush():
    CollaborationLevel.objects.all().delete()
    restore_after_flush(sender=None)
    assert len(levels()) == 4


@pytest.mark.parametrize("model", ["collaborationlevel", "public", "ottawaarea"])
def test_reference_data_is_in_the_admin(model):
    staff = UserFactory(email="admin@trame.fr", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    listing = client.get(f"/admin/actions/{model}/")
    assert listing.status_code == 200
    assert client.get(f"/admin/actions/{model}/add/").status_code == 200
