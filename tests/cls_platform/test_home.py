"""The territory chooser of a user with several territories (an ARS delegation with hundreds):
searchable by name, INSEE code or department, paginated, with the table of all the contracts
one click away; the same queries for 2 and 200 accesses."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from cls_platform.models import Role
from cls_platform.views import HOME_PAGE_SIZE
from tests.factories import AccessFactory, TerritoryFactory, UserFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def cards(response) -> list[str]:
    return re.findall(
        r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def delegation(db):
    user = UserFactory(email="ars-idf@ars.fr")
    for name, slug, insee, department in (
        ("Cergy", "cergy", "95127", "95"),
        ("Vitry-sur-Seine", "vitry-sur-seine", "94081", "94"),
        ("Évry-Courcouronnes", "evry-courcouronnes", "91228", "91"),
        ("Meaux", "meaux", "77284", "77"),
    ):
        territory = TerritoryFactory(
            name=name, slug=slug, insee_code=insee, department_code=department
        )
        AccessFactory(user=user, territory=territory, role=Role.VIEWER)
    TerritoryFactory(name="Créteil", slug="creteil", department_code="94")  # not theirs
    client = Client()
    client.force_login(user)
    return client


def test_several_territories_are_listed_with_the_table_one_click_away(delegation):
    response = delegation.get("/")
    assert sorted(cards(response)) == ["Cergy", "Meaux", "Vitry-sur-Seine", "Évry-Courcouronnes"]
    page = html.unescape(response.content.decode())
    assert '<a class="button" href="/contrats/">Tous mes contrats</a>' in page
    assert "95 · Val-d'Oise · INSEE 95127" in page
    assert "4 territoires" in page
    assert "Créteil" not in page


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("cergy", ["Cergy"]),
        ("SUR-SEINE", ["Vitry-sur-Seine"]),
        ("95127", ["Cergy"]),
        ("941", []),
        ("94", ["Vitry-sur-Seine"]),  # the department, not Créteil which is not theirs
        ("val-d'oise", ["Cergy"]),
        ("Val d oise", ["Cergy"]),
        ("marne", ["Vitry-sur-Seine", "Meaux"]),  # Val-de-Marne, Seine-et-Marne
        ("evry", ["Évry-Courcouronnes"]),  # without its accent
        ("essonne", ["Évry-Courcouronnes"]),
        ("zzz", []),
    ],
)
def test_search_by_name_insee_code_or_department(delegation, text, found):
    response = delegation.get("/", {"q": text})
    assert sorted(cards(response)) == sorted(found)
    page = html.unescape(response.content.decode())
    assert f'value="{text}"' in page  # the search stays in its box
    if not found:
        assert "Aucun de vos territoires ne correspond à cette recherche." in page


def test_fifty_a_page_and_the_search_follows_the_pages():
    user = UserFactory()
    for index in range(120):
        territory = TerritoryFactory(name=f"Commune {index:03d}", slug=f"commune-{index:03d}")
        AccessFactory(user=user, territory=territory, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    first = client.get("/")
    assert len(cards(first)) == HOME_PAGE_SIZE == 50
    assert cards(first)[0] == "Commune 000"
    assert "Page 1 sur 3" in first.content.decode()
    last = client.get("/", {"page": "3"})
    assert cards(last)[-1] == "Commune 119"
    searched = client.get("/", {"q": "commune 0"})
    page = searched.content.decode()
    assert "100 territoires correspondent à « commune 0 »" in html.unescape(page)  # 000 to 099
    assert 'href="?q=commune+0&amp;page=2"' in page


def test_the_chooser_costs_the_same_queries_for_2_and_200_territories():
    user = UserFactory()

    def grant(n: int, start: int) -> None:
        for index in range(start, start + n):
            territory = TerritoryFactory(name=f"Commune {index:03d}", slug=f"commune-{index:03d}")
            AccessFactory(user=user, territory=territory, role=Role.VIEWER)

    grant(2, 0)
    client = Client()
    client.force_login(user)
    # 5: whether to link the navigation to all one's contracts comes with the first accesses.
    assert_constant_queries(client, "/", lambda: grant(198, 2), at_most=5)
    assert_constant_queries(client, "/?q=commune&page=2", lambda: grant(10, 200), at_most=5)
    assert len(client.get("/").content) < 40_000  # 50 cards, not 200


def test_a_single_territory_still_goes_straight_to_its_dashboard(login_as, coordinator):
    response = login_as(coordinator).get("/")
    assert response.status_code == 302 and response["Location"] == "/t/cergy/"


def test_each_card_says_what_is_known_of_its_territory_and_the_role(db):
    """The cards are written in Python (cls_platform.views.territory_cards): department, INSEE
    code, both or neither; the role held; a name with markup shown as typed."""
    user = UserFactory()
    for name, slug, insee, department, role in (
        ("Aubervilliers", "aubervilliers", "93001", "", Role.COORDINATOR),
        ("Bobigny", "bobigny", "", "93", Role.COPILOT),
        ("Communauté <b>& co</b>", "communaute", "", "", Role.VIEWER),
    ):
        territory = TerritoryFactory(
            name=name, slug=slug, insee_code=insee, department_code=department
        )
        AccessFactory(user=user, territory=territory, role=role)
    client = Client()
    client.force_login(user)
    page = client.get("/").content.decode()
    items = re.findall(r'<li class="card">(.*?)</li>', page, flags=re.S)
    text = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]
    assert text == [
        "Aubervilliers INSEE 93001 Coordination",
        "Bobigny 93 · Seine-Saint-Denis Co-pilotage",
        "Communauté <b>& co</b> Signataire (lecture seule)",
    ]
    assert 'href="/t/bobigny/"' in page
    assert "Communauté &lt;b&gt;&amp; co&lt;/b&gt;" in page
    assert '<p class="muted"></p>' not in page
