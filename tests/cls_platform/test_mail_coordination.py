"""The coordination's address: where partners' replies and questions go."""

from __future__ import annotations

import pytest
from django.test import Client

from cls_platform.mail.messages import coordination_address
from cls_platform.models import Territory, User
from tests.factories import AccessFactory

pytestmark = pytest.mark.django_db


def test_the_territory_s_address_then_its_first_active_coordinator(territory, other_territory):
    assert coordination_address(territory) == ""
    AccessFactory(territory=territory, role="viewer", user__email="ars@ars.fr")
    first = AccessFactory(territory=territory, role="coordinator", user__email="une@cergy.fr")
    AccessFactory(territory=territory, role="coordinator", user__email="deux@cergy.fr")
    AccessFactory(territory=other_territory, role="coordinator", user__email="vitry@vitry.fr")
    assert coordination_address(territory) == "une@cergy.fr"
    first.user.is_active = False
    first.user.save()
    assert coordination_address(territory.pk) == "deux@cergy.fr"
    territory.coordination_email = "sante@ville-cergy.fr"
    territory.save()
    assert coordination_address(territory) == "sante@ville-cergy.fr"
    assert coordination_address(territory.pk) == "sante@ville-cergy.fr"


def test_the_administrator_sets_it(territory):
    admin = User.objects.create_superuser("admin@trame.fr", "mot-de-passe-admin-42")
    client = Client()
    client.force_login(admin)
    url = f"/admin/cls_platform/territory/{territory.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="coordination_email"' in form.content.decode()
    response = client.post(
        url,
        {
            "name": territory.name,
            "slug": territory.slug,
            "kind": territory.kind,
            "department_code": territory.department_code,
            "region": territory.region,
            "insee_code": "",
            "health_service_name": "Service santé",
            "coordination_email": "sante@ville-cergy.fr",
            "accesses-TOTAL_FORMS": "0",
            "accesses-INITIAL_FORMS": "0",
            "accesses-MIN_NUM_FORMS": "0",
            "accesses-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Territory.objects.get(pk=territory.pk).coordination_email == "sante@ville-cergy.fr"
