"""The fiches-actions list: its pilot and partner filters search the structures (a name typed,
or the one chosen in the picker; bookmarks of the former select still work), the JSON search
behind the picker, and what each row shows."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json

import pytest
from django.utils import timezone

from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
SEARCH = f"{BASE}/annuaire/recherche/structures/filtre/"


@pytest.fixture
def fiches(territory, other_territory):
    contract = ContractFactory(territory=territory, status="signed")
    hospital = OrganizationFactory(territory=territory, name="Centre hospitalier René-Dubos")
    ccas = OrganizationFactory(
        territory=territory, name="Centre communal d'action sociale", acronym="CCAS"
    )
    house = OrganizationFactory(
        territory=territory, name="Maison de santé Élan", archived_at=timezone.now()
    )
    made = {
        "1.1": FicheActionFactory(contract=contract, number="1.1", pilot_organization=hospital),
        "1.2": FicheActionFactory(contract=contract, number="1.2", pilot_organization=ccas),
        "1.3": FicheActionFactory(contract=contract, number="1.3", pilot_organization=house),
        "1.4": FicheActionFactory(contract=contract, number="1.4", pilot_organization=None),
    }
    made["1.4"].partnerships.create(organization=ccas)
    made["1.1"].partnerships.create(organization=house)
    vitry = OrganizationFactory(territory=other_territory, name="Centre hospitalier de Vitry")
    return {"hospital": hospital, "ccas": ccas, "house": house, "vitry": vitry, **made}


def numbers(client, query: str) -> set[str]:
    response = client.get(f"{BASE}/fiches/?{query}")
    assert response.status_code == 200
    return {fiche.number for fiche in response.context["fiches"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pilot=hospitalier", {"1.1"}),
        ("pilot=CENTRE", {"1.1", "1.2"}),
        ("pilot=sante+elan", {"1.3"}),  # accents and case ignored, every word
        ("pilot=ccas", {"1.2"}),  # the acronym
        ("pilot=Centre+communal+d%27action+sociale+%28CCAS%29", {"1.2"}),  # the picker's label
        ("pilot=introuvable", set()),
        ("partner=ccas", {"1.4"}),
        ("partner=maison", {"1.1"}),
        ("pilot=&partner=", {"1.1", "1.2", "1.3", "1.4"}),
    ],
)
def test_a_name_typed_filters_by_every_structure_it_finds(
    login_as, coordinator, fiches, query, expected
):
    assert numbers(login_as(coordinator), query) == expected


def test_a_bookmark_of_the_former_select_still_filters_and_names_the_structure(
    login_as, coordinator, fiches
):
    client = login_as(coordinator)
    ccas = fiches["ccas"]
    assert numbers(client, f"pilot={ccas.pk}") == {"1.2"}
    assert numbers(client, f"partner={ccas.pk}") == {"1.4"}
    page = html.unescape(client.get(f"{BASE}/fiches/?pilot={ccas.pk}").content.decode())
    assert 'value="Centre communal d\'action sociale (CCAS)"' in page
    assert f'name="pilot_id" value="{ccas.pk}"' in page


def test_the_structure_chosen_in_the_picker_wins_over_the_text(login_as, coordinator, fiches):
    client = login_as(coordinator)
    hospital = fiches["hospital"]
    assert numbers(client, f"pilot=Centre&pilot_id={hospital.pk}") == {"1.1"}


def test_another_territorys_structure_is_never_taken_nor_named(login_as, coordinator, fiches):
    client = login_as(coordinator)
    vitry = fiches["vitry"]
    assert numbers(client, f"pilot_id={vitry.pk}") == {"1.1", "1.2", "1.3", "1.4"}
    page = client.get(f"{BASE}/fiches/?pilot={vitry.pk}").content.decode()
    assert "Vitry" not in page
    assert numbers(client, f"pilot={vitry.pk}") == set(), "an id unknown here is a text"


@pytest.mark.parametrize("query", ["pilot=%00", "pilot=²", "pilot_id=99999999999999999999"])
def test_odd_input_filters_without_an_error(login_as, coordinator, fiches, query):
    response = login_as(coordinator).get(f"{BASE}/fiches/?{query}")
    assert response.status_code == 200


def test_the_picker_search_lists_the_territorys_structures_archived_too(
    login_as, coordinator, fiches
):
    response = login_as(coordinator).get(SEARCH, {"q": "centre"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [r["label"] for r in data["results"]] == [
        "Centre communal d'action sociale (CCAS)",
        "Centre hospitalier René-Dubos",
    ]
    assert data["more"] is False
    archived = json.loads(login_as(coordinator).get(SEARCH, {"q": "élan"}).content)
    assert [r["label"] for r in archived["results"]] == ["Maison de santé Élan"]


def test_a_signatory_searches_structures_for_the_filter_and_reads_no_person(
    login_as, viewer, fiches
):
    ContactFactory(territory=viewer.territory, first_name="Centre", last_name="Personne")
    client = login_as(viewer)
    response = client.get(SEARCH, {"q": "centre"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Personne" not in body and "@" not in body
    assert numbers(client, "pilot=hospitalier") == {"1.1"}
    # The people's search stays closed to signatories.
    assert client.get(f"{BASE}/annuaire/recherche/contacts/", {"q": "centre"}).status_code == 403


def test_the_picker_search_needs_an_access_to_the_territory(login_as, outsider, fiches):
    assert login_as(outsider).get(SEARCH, {"q": "centre"}).status_code in (403, 404)


def test_each_row_shows_its_link_axis_pilot_state_and_deadline(login_as, coordinator, fiches):
    late = fiches["1.2"]
    late.end_date = timezone.localdate() - dt.timedelta(days=3)
    late.status, late.progress = "in_progress", 40
    late.save()
    page = login_as(coordinator).get(f"{BASE}/fiches/?pilot=ccas").content.decode()
    row = page[page.index(f'href="{BASE}/fiches/{late.pk}/"') :]
    row = html.unescape(row[: row.index("</tr>")])
    assert f"1.2 {late.title}" in row
    assert f"{late.thematic_axis.number}. {late.thematic_axis.plain_title}" in row
    assert "Centre communal d'action sociale" in row
    assert "En cours</span> 40 %" in row
    assert f"{late.end_date:%d/%m/%Y}" in row and "en retard" in row


def test_a_row_escapes_what_people_typed_and_marks_what_is_missing(login_as, coordinator, fiches):
    bare = fiches["1.4"]
    bare.title, bare.end_date, bare.status = '<script>alert("x")</script> & co', None, "done"
    bare.save()
    bare.contract.title = "Contrat <b>gras</b>"
    bare.contract.save()
    page = login_as(coordinator).get(f"{BASE}/fiches/").content.decode()
    row = page[page.index(f'href="{BASE}/fiches/{bare.pk}/"') :]
    row = row[: row.index("</tr>")]
    assert "<script>" not in row and "<b>" not in row
    assert "1.4 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</a>" in row
    assert '<span class="muted">Contrat &lt;b&gt;gras&lt;/b&gt;</span>' in row
    assert '<span class="badge badge--done">Réalisée</span>' in row
    assert row.count("<td>—</td>") == 2, "neither pilot nor deadline"
    assert "en retard" not in row


@pytest.mark.parametrize("query", ["", "pilot=centre", "pilot=PK", "partner=centre&pilot_id=PK"])
def test_the_filtered_list_keeps_a_constant_query_count(login_as, coordinator, fiches, query):
    territory = coordinator.territory
    contract = fiches["1.1"].contract
    query = query.replace("PK", str(fiches["hospital"].pk))
    made = itertools.count()

    def more() -> None:
        for _ in range(30):
            structure = OrganizationFactory(territory=territory, name=f"Centre {next(made)}")
            fiche = FicheActionFactory(contract=contract, pilot_organization=structure)
            fiche.partnerships.create(organization=fiches["ccas"])

    more()
    assert_constant_queries(login_as(coordinator), f"{BASE}/fiches/?{query}", more, at_most=14)


def rows_of(page: str) -> list[str]:
    """The fiches' numbers, in the order the table lists them."""
    body = page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""
    return [cell.split(" ", 1)[0] for cell in body.split('/">')[1:]]


def test_the_pages_count_and_cut_the_list_as_before(login_as, coordinator, territory):
    """The page and the list's total are read together: the count, the pages, the page past
    the end (404) and a list where a fiche matches twice (two partner structures found)."""
    contract = ContractFactory(territory=territory)
    axis = AxisFactory(contract=contract)
    centres = [OrganizationFactory(territory=territory, name=f"Centre {n}") for n in range(2)]
    for n in range(53):
        fiche = FicheActionFactory(contract=contract, thematic_axis=axis, number=f"1.{n:02}")
        for centre in centres if n % 2 else centres[:1]:
            fiche.partnerships.create(organization=centre)
    client = login_as(coordinator)
    first = client.get(f"{BASE}/fiches/").content.decode()
    assert "53 fiches-actions" in first and "Page 1 sur 2" in first
    assert rows_of(first) == [f"1.{n:02}" for n in range(50)]
    second = client.get(f"{BASE}/fiches/?page=2").content.decode()
    assert rows_of(second) == ["1.50", "1.51", "1.52"]
    assert rows_of(client.get(f"{BASE}/fiches/?page=last").content.decode()) == rows_of(second)
    for page in ("3", "0", "deux"):
        assert client.get(f"{BASE}/fiches/?page={page}").status_code == 404
    # Each fiche once, though the odd ones work with both centres.
    twice = client.get(f"{BASE}/fiches/?partner=centre&page=2").content.decode()
    assert "53 fiches-actions" in twice and rows_of(twice) == ["1.50", "1.51", "1.52"]
    empty = client.get(f"{BASE}/fiches/?q=introuvable").content.decode()
    assert "Aucune fiche-action ne correspond à ces critères." in empty


def test_the_filters_list_the_contracts_and_axes_a_signatory_may_read(
    login_as, coordinator, viewer, territory
):
    """All the selects' options come from one query: the contracts most recent first, each
    axis naming its contract when there are several; a signatory's lists leave out the draft
    contract and its axes."""
    older = ContractFactory(territory=territory, title="CLS <2018>", start_year=2018, end_year=2022)
    newer = ContractFactory(territory=territory, title="CLS 2023", start_year=2023)
    draft = ContractFactory(territory=territory, title="Projet", start_year=2029, end_year=2033)
    draft.status = "draft"
    draft.save()
    AxisFactory(contract=older, number=1, title="Axe 1 : Santé mentale")
    AxisFactory(contract=newer, number=1, title="Nutrition & sport")
    AxisFactory(contract=newer, number=1, title="Aller vers", kind="transversal")
    AxisFactory(contract=draft, number=1, title="Brouillon")

    def options(page: str, name: str) -> list[str]:
        select = page[page.index(f'<select name="{name}"') :]
        select = select[: select.index("</select>")]
        return [html.unescape(o.split(">", 1)[1]) for o in select.split("</option>")[1:-1]]

    page = login_as(coordinator).get(f"{BASE}/fiches/").content.decode()
    assert options(page, "contract") == ["Projet", "CLS 2023", "CLS <2018>"]
    assert options(page, "axis") == [
        "Axe 1 : Brouillon — CLS 2029-2033",
        "Axe 1 : Nutrition & sport — CLS 2023-2028",
        "Axe 1 : Santé mentale — CLS 2018-2022",
    ]
    assert options(page, "transversal") == ["Axe transversal 1 : Aller vers — CLS 2023-2028"]
    page = login_as(viewer).get(f"{BASE}/fiches/").content.decode()
    assert options(page, "contract") == ["CLS 2023", "CLS <2018>"]
    assert "Brouillon" not in page and "Projet" not in page
    assert options(page, "axis")[0] == "Axe 1 : Nutrition & sport — CLS 2023-2028"
    draft.delete()
    older.delete()
    page = login_as(viewer).get(f"{BASE}/fiches/").content.decode()
    assert options(page, "axis") == ["Axe 1 : Nutrition & sport"], "one contract: not named"


@pytest.mark.parametrize("role", ["coordinator", "viewer"])
def test_the_list_reads_the_page_with_its_total_and_every_option_in_one_query_each(
    login_as, request, fiches, role
):
    """Besides the session, the user and the access: the page with the list's total, and the
    options of every select (contracts, axes, publics, QPVs, Ottawa areas)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as(request.getfixturevalue(role))
    client.get(f"{BASE}/fiches/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{BASE}/fiches/?status=planned&order=-number").status_code == 200
    assert len(ctx.captured_queries) == 5, [q["sql"] for q in ctx.captured_queries]


def test_a_name_typed_stays_in_its_field_once_the_list_is_filtered(login_as, coordinator, fiches):
    page = login_as(coordinator).get(f"{BASE}/fiches/?pilot=h%C3%B4pital+%3Cb%3E&partner=ccas")
    text = page.content.decode()
    assert 'name="pilot" value="hôpital &lt;b&gt;"' in text
    assert 'name="partner" value="ccas"' in text
    assert 'name="partner_id" value=""' in text
