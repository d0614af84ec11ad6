from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_coordinator_lands_on_their_territory_dashboard(login_as, coordinator):
    client = login_as(coordinator)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/t/cergy/"
    assert "Tableau de bord · Cergy" in response.content.decode()
