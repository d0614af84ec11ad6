"""The directory's lists as their rows show them (worked out before the template), and the lists'
filter forms (written out in Python) as Django itself would write them."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.forms import Form
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.filters import FicheActionFilter
from actions.models import Contract, FicheAction
from partners.filters import ContactFilter, OrganizationFilter
from partners.models import Contact, Organization, Qpv, Sector
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    OrganizationFactory,
    WorkGroupFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/t/cergy/annuaire"


def row_of(page: str, href: str) -> str:
    row = page[page.index(f'href="{href}"') :]
    return html.unescape(row[: row.index("</tr>")])


def test_a_structure_row_shows_its_link_kind_qpv_sectors_and_people_in_post(login_as, coordinator):
    territory = coordinator.territory
    qpv = Qpv.objects.create(territory=territory, name="Axe Majeur-Horloge")
    org = OrganizationFactory(
        territory=territory,
        name="Centre social Les Touleuses",
        acronym="CSLT",
        kind="city_service",
        is_internal=True,
        qpv=qpv,
        archived_at=timezone.now(),
    )
    org.sectors.add(Sector.objects.get(slug="sante"), Sector.objects.get(slug="social"))
    ContactFactory.create_batch(2, territory=territory, organization=org)
    ContactFactory(territory=territory, organization=org, left_at=timezone.localdate())
    ContactFactory(territory=territory, organization=org, is_active=False)
    page = login_as(coordinator).get(f"{BASE}/structures/?archived=oui").content.decode()
    row = row_of(page, f"{BASE}/structures/{org.pk}/")
    assert "Centre social Les Touleuses</a>" in row and "(CSLT)" in row and "archivée" in row
    assert "Service de la collectivité" in row and "QPV Axe Majeur-Horloge" in row
    sectors = ", ".join(s.name for s in org.sectors.order_by("name"))
    assert f"<td>{sectors}</td>" in row
    assert row.rstrip().endswith("<td>2</td>"), "the two people still in post"


def test_structures_sort_by_their_people_in_post(login_as, coordinator):
    territory = coordinator.territory
    for name, people in (("Aucun", 0), ("Trois", 3), ("Un", 1)):
        org = OrganizationFactory(territory=territory, name=name)
        ContactFactory.create_batch(people, territory=territory, organization=org)
    response = login_as(coordinator).get(f"{BASE}/structures/?order=-contact_count")
    assert [row["name"] for row in response.context["rows"]] == ["Trois", "Un", "Aucun"]
    assert [row["contact_count"] for row in response.context["rows"]] == [3, 1, 0]


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, 'badge--active">en poste'),
        ({"bounced_at": "NOW"}, 'badge--abandoned">adresse en erreur'),
        ({"unsubscribed_at": "NOW"}, 'badge--postponed">désinscrit'),
        ({"left_at": "TODAY"}, 'badge--closed">a quitté la structure'),
        ({"is_active": False, "bounced_at": "NOW"}, 'badge--closed">a quitté la structure'),
    ],
)
def test_a_contact_row_shows_the_name_structure_address_and_state(
    login_as, coordinator, fields, state
):
    values = {
        key: {"NOW": timezone.now(), "TODAY": timezone.localdate()}.get(value, value)
        for key, value in fields.items()
    }
    org = OrganizationFactory(territory=coordinator.territory, name="CPTS de Cergy")
    contact = ContactFactory(
        territory=coordinator.territory,
        first_name="Élodie",
        last_name="Marchand",
        email="e.marchand@cpts.fr",
        job_title="Coordinatrice",
        organization=org,
        **values,
    )
    page = login_as(coordinator).get(f"{BASE}/contacts/").content.decode()
    row = row_of(page, f"{BASE}/contacts/{contact.pk}/")
    assert ">Marchand Élodie</a>" in row
    assert "<td>CPTS de Cergy</td>" in row and "<td>Coordinatrice</td>" in row
    assert "<td>e.marchand@cpts.fr</td>" in row
    assert state in row


def test_a_nameless_contact_is_listed_by_address_and_one_without_structure_by_a_dash(
    login_as, coordinator
):
    contact = ContactFactory(
        territory=coordinator.territory,
        first_name="",
        last_name="",
        email="accueil@asso.fr",
        organization=None,
        job_title="",
    )
    page = login_as(coordinator).get(f"{BASE}/contacts/").content.decode()
    row = row_of(page, f"{BASE}/contacts/{contact.pk}/")
    assert ">accueil@asso.fr</a>" in row
    assert row.count("<td>—</td>") == 2


def test_a_contacts_page_names_them_as_the_list_does(login_as, coordinator):
    contact = ContactFactory(
        territory=coordinator.territory,
        first_name="Bruno",
        last_name="Faure",
        bounced_at=timezone.now(),
    )
    page = login_as(coordinator).get(f"{BASE}/contacts/{contact.pk}/").content.decode()
    assert '<h1>Bruno Faure <span class="badge badge--abandoned">adresse en erreur</span>' in page


def filtersets(territory) -> list[object]:
    """Each list's filters, unbound and bound (choices, a text to escape, wrong values)."""
    org = Organization.objects.filter(territory=territory).first()
    groups = territory.work_groups.all()
    return [
        OrganizationFilter(None, queryset=Organization.objects.all(), territory=territory),
        OrganizationFilter(
            {"q": 'a<b>"', "sector": "x", "kind": "association", "order": "-name"},
            queryset=Organization.objects.all(),
            territory=territory,
            groups=groups,
        ),
        ContactFilter(
            {"active": "oui", "order": "organization", "qpv": "999"},
            queryset=Contact.objects.all(),
            territory=territory,
            groups=groups,
        ),
        FicheActionFilter(
            {"pilot": str(org.pk), "status": "done", "axis": "abc", "order": "-end_date"},
            queryset=FicheAction.objects.all(),
            territory=territory,
            contracts=Contract.objects.filter(territory=territory),
        ),
        FicheActionFilter(
            {"partner": 'C<C>"AS', "partner_id": "", "public": "x"},
            queryset=FicheAction.objects.all(),
            territory=territory,
            contracts=Contract.objects.filter(territory=territory),
        ),
    ]


def test_the_filter_forms_write_what_django_would(territory):
    """The lists' forms are written out in Python (partners/filter_form.py): the same labels,
    hints, errors, options and choices as Django's templates write."""
    contract = ContractFactory(territory=territory)
    AxisFactory(contract=contract, title="Santé mentale")
    OrganizationFactory(territory=territory, name="CCAS")
    Qpv.objects.create(territory=territory, name="Sébille")
    WorkGroupFactory(contract=contract, name="GT <Santé>")
    for filterset in filtersets(territory):
        form = filterset.form
        form.is_valid()
        assert parse_html(form.as_div()) == parse_html(Form.as_div(form)), type(filterset)


def test_a_filter_form_reads_its_selects_options_in_one_query_and_in_their_order(territory):
    """The structures' filters list the sectors, the QPVs and the groups as their own queries
    order them, read together (partners/filter_form.py, options_in_one_query)."""
    contract = ContractFactory(territory=territory)
    for name in ("Val Fourré", "Écluse", "Bois"):
        Qpv.objects.create(territory=territory, name=name)
    for name in ("GT Santé", "GT Alimentation"):
        WorkGroupFactory(contract=contract, name=name)
    form = OrganizationFilter(
        None,
        queryset=Organization.objects.all(),
        territory=territory,
        groups=territory.work_groups.order_by("name"),
    ).form
    with CaptureQueriesContext(connection) as ctx:
        page = form.as_div()
    assert len(ctx.captured_queries) == 1

    def options(name: str) -> list[str]:
        select = page[page.index(f'name="{name}"') :]
        select = select[: select.index("</select>")]
        return [html.unescape(o.split(">", 1)[1]) for o in select.split("</option>")[1:-1]]

    assert options("qpv") == [
        q.name for q in Qpv.objects.filter(territory=territory).order_by("name")
    ]
    assert options("group") == ["GT Alimentation", "GT Santé"]
    assert options("sector") == [s.name for s in Sector.objects.order_by("name")]


def test_a_select_whose_queryset_can_match_nothing_lists_only_its_empty_choice(territory):
    """A queryset the database is not asked about (`pk__in=[]` cannot match): its select offers
    its empty choice alone, and the other selects keep their options."""
    Qpv.objects.create(territory=territory, name="Bois")
    form = OrganizationFilter(
        None,
        queryset=Organization.objects.all(),
        territory=territory,
        groups=territory.work_groups.filter(pk__in=[]),
    ).form
    page = form.as_div()
    group = page[page.index('name="group"') :]
    group = group[: group.index("</select>")]
    assert group.count("<option") == 1 and ">Tous</option>" in group
    assert ">Bois</option>" in page
