"""The partnership network: links from co-attendance at held meetings and co-partnership in
fiches-actions, who connects the others, the structure's partners; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from actions.models import CollaborationLevel, ContractStatus
from evaluation.partnership.network import structures_working_with
from partners.models import Sector
from tests.evaluation.html_tables import table_records
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.browser import assert_no_axe_violations, browser_login
from tests.support.queries import assert_constant_queries
from workgroups.models import Attendance, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

CITY = "Direction de la santé de Cergy"
SOCIAL = "Centre social des Touleuses"
SCHOOL = "Collège du Moulin à Vent"
CPTS = "CPTS de Cergy"
JOBS = "Mission locale de Cergy"
NAMES = [CITY, SOCIAL, SCHOOL, CPTS, JOBS]


def network_url(territory, **params) -> str:
    url = reverse("evaluation:partnership_network", kwargs={"territory": territory.slug})
    return url + "".join(f"?{k}={v}" for k, v in params.items())


def structure(territory, name: str, sector: str, **kwargs):
    made = OrganizationFactory(territory=territory, name=name, **kwargs)
    made.sectors.add(Sector.objects.get(slug=sector))
    return made


def held_meeting(group, present=(), absent=()):
    """A meeting that took place last month, with one person per structure."""
    start = timezone.now() - dt.timedelta(days=30)
    meeting = MeetingFactory(
        group=group,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )
    for organization, attendance in [
        *((o, Attendance.PRESENT) for o in present),
        *((o, Attendance.ABSENT) for o in absent),
    ]:
        contact = ContactFactory(territory=group.territory, organization=organization)
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=attendance)
    return meeting


def level(rank: int) -> CollaborationLevel:
    return CollaborationLevel.objects.get(rank=rank)


@pytest.fixture
def partnership(territory):
    """The city's health department met the social centre (the school was absent); the CPTS
    pilots a fiche with the city (coordination) and the job centre (cooperation) as partners;
    a fiche of a contract still in preparation pairs the social centre and the school."""
    orgs = {
        CITY: structure(territory, CITY, "sante", is_internal=True),
        SOCIAL: structure(territory, SOCIAL, "social"),
        SCHOOL: structure(territory, SCHOOL, "education"),
        CPTS: structure(territory, CPTS, "sante"),
        JOBS: structure(territory, JOBS, "emploi"),
    }
    contract = ContractFactory(territory=territory, title="CLS de Cergy 2023-2028")
    group = WorkGroupFactory(contract=contract, name="GT Accès aux droits")
    held_meeting(group, present=[orgs[CITY], orgs[SOCIAL]], absent=[orgs[SCHOOL]])
    # Planned, not held: no one met anyone there yet.
    planned = MeetingFactory(group=group)
    for name in (CITY, SCHOOL):
        Invitation.objects.create(
            meeting=planned, contact=ContactFactory(territory=territory, organization=orgs[name])
        )
    fiche = FicheActionFactory(
        contract=contract, title="Médiation santé", pilot_organization=orgs[CPTS]
    )
    fiche.partnerships.create(organization=orgs[CITY], level=level(2))
    fiche.partnerships.create(organization=orgs[JOBS], level=level(3))
    draft = ContractFactory(territory=territory, status=ContractStatus.DRAFT, signed_on=None)
    draft_fiche = FicheActionFactory(contract=draft, title="Action en préparation")
    draft_fiche.partnerships.create(organization=orgs[SOCIAL])
    draft_fiche.partnerships.create(organization=orgs[SCHOOL])
    return {"orgs": orgs, "contract": contract, "draft": draft}


def edges_in(page: str) -> set[frozenset[str]]:
    """The links the table shows: each structure's « Travaille avec » names the others."""
    edges = set()
    for row in table_records(page, "N°"):
        for other in NAMES:
            if other != row["Structure"] and other in row["Travaille avec"]:
                edges.add(frozenset((row["Structure"], other)))
    return edges


def link(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def test_links_are_co_attendance_and_co_partnership(login_as, coordinator, partnership):
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    assert edges_in(page) == {
        link(CITY, SOCIAL),  # present at the same held meeting
        link(CPTS, CITY),  # pilot and partner of one fiche
        link(CPTS, JOBS),
        link(CITY, JOBS),  # partners of one fiche
        link(SOCIAL, SCHOOL),  # partners of a fiche of the draft contract
    }


def test_the_structure_that_connects_the_others_comes_first(login_as, coordinator, partnership):
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    rows = table_records(page, "N°")
    # The city links the social centre (and through it the school) to the CPTS and the job
    # centre; the social centre alone reaches the school.
    assert [row["Structure"] for row in rows[:2]] == [CITY, SOCIAL]
    assert rows[0]["N°"] == "1"
    assert rows[0]["Liens"] == "3"
    assert rows[0]["Intermédiarité"] == "67 %"  # 4 of the 6 pairs of other structures
    assert rows[-1]["Intermédiarité"] == "0 %"


def test_each_link_says_what_the_structures_share(login_as, coordinator, partnership):
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    city = next(r for r in table_records(page, "N°") if r["Structure"] == CITY)
    partners = city["Travaille avec"]
    assert f"{SOCIAL} (1 réunion)" in partners
    # On the fiche, the city coordinates and the job centre cooperates: the link between them
    # is at the lower level, the link with the pilot at the partner's own.
    assert f"{CPTS} (1 fiche-action ; niveau : Coordination)" in partners
    assert f"{JOBS} (1 fiche-action ; niveau : Coordination)" in partners
    cpts = next(r for r in table_records(page, "N°") if r["Structure"] == CPTS)
    assert f"{JOBS} (1 fiche-action ; niveau : Coopération)" in cpts["Travaille avec"]


def test_the_figures_count_structures_links_and_sectors(login_as, coordinator, partnership):
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    assert "5 structures et 5 liens" in page  # the drawing's description
    drawing = re.search(r'<svg [^>]*role="img".*?</svg>', page, re.S).group()
    assert drawing.count("<circle") == 5
    assert drawing.count("<line") == 5
    # Health (city, CPTS) with another sector: city-social, city-jobs, CPTS-jobs.
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert figures["dont entre la santé et un autre secteur"] == "3"
    assert figures["Structures en lien"] == "5"


def test_a_contract_narrows_the_network(login_as, coordinator, partnership):
    url = network_url(coordinator.territory, contrat=partnership["draft"].pk)
    page = login_as(coordinator).get(url).content.decode()
    assert edges_in(page) == {link(SOCIAL, SCHOOL)}


def test_a_minimum_of_shared_meetings_keeps_fiche_links(login_as, coordinator, partnership):
    url = network_url(coordinator.territory, reunions=2)
    page = login_as(coordinator).get(url).content.decode()
    assert link(CITY, SOCIAL) not in edges_in(page)  # one meeting together only
    assert link(CPTS, JOBS) in edges_in(page)
    assert "présentes ensemble à au moins 2 réunions tenues" in page
    assert "4 liens sur 5" in page


def test_one_crowded_meeting_does_not_flood_the_drawing(login_as, coordinator, partnership):
    """26 structures at one meeting make 325 links: by default the page shows the links of
    structures that met twice, and says so."""
    territory, orgs = coordinator.territory, partnership["orgs"]
    group = WorkGroupFactory(contract=partnership["contract"], name="Plénière")
    crowd = [structure(territory, f"Association {i}", "social") for i in range(25)]
    held_meeting(group, present=[orgs[CITY], *crowd])
    held_meeting(group, present=[orgs[CITY], orgs[SOCIAL]])
    page = login_as(coordinator).get(network_url(territory)).content.decode()
    assert "présentes ensemble à au moins 2 réunions tenues" in page
    shown = {row["Structure"] for row in table_records(page, "N°")}
    assert shown == set(NAMES)  # the crowd met the city once only
    assert link(CITY, SOCIAL) in edges_in(page)


def test_viewer_reads_structures_of_signed_contracts_only(login_as, viewer, partnership):
    page = login_as(viewer).get(network_url(viewer.territory)).content.decode()
    assert link(SOCIAL, SCHOOL) not in edges_in(page)
    assert link(CITY, SOCIAL) in edges_in(page)
    assert "@partenaire.fr" not in page  # structures only, no person
    assert "Camille" not in page


def test_another_territory_shows_nothing(login_as, coordinator, outsider, partnership):
    other = outsider.territory
    group = WorkGroupFactory(contract=ContractFactory(territory=other))
    held_meeting(
        group,
        present=[
            structure(other, "Structure de Vitry", "sante"),
            structure(other, "Autre structure de Vitry", "social"),
        ],
    )
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    assert "Vitry" not in page
    assert login_as(outsider).get(network_url(coordinator.territory)).status_code == 404


def test_no_link_yet_says_how_they_are_built(login_as, coordinator):
    page = login_as(coordinator).get(network_url(coordinator.territory)).content.decode()
    assert "Aucun lien enregistré pour l'instant" in page


def grow_network(territory, contract, n: int = 6) -> None:
    group = WorkGroupFactory(contract=contract)
    orgs = [
        structure(territory, f"Association {i} {timezone.now().timestamp()}", "social")
        for i in range(n)
    ]
    held_meeting(group, present=orgs)
    fiche = FicheActionFactory(contract=contract, pilot_organization=orgs[0])
    for organization in orgs[1:]:
        fiche.partnerships.create(organization=organization, level=level(1))


def test_queries_do_not_grow_with_the_network(login_as, coordinator, partnership):
    territory, contract = coordinator.territory, partnership["contract"]
    client = login_as(coordinator)
    assert_constant_queries(
        client, network_url(territory), lambda: grow_network(territory, contract)
    )
    assert_constant_queries(
        client,
        network_url(territory, contrat=contract.pk),
        lambda: grow_network(territory, contract),
    )


def test_structures_working_with_lists_a_structures_partners(coordinator, partnership):
    city = partnership["orgs"][CITY]
    partners = {p.structure.name: p for p in structures_working_with(city, access=coordinator)}
    assert set(partners) == {SOCIAL, CPTS, JOBS}
    assert (partners[SOCIAL].meetings, partners[SOCIAL].fiches) == (1, 0)
    assert (partners[CPTS].meetings, partners[CPTS].fiches) == (0, 1)
    assert partners[CPTS].level.label == "Coordination"


def test_structures_working_with_hides_drafts_from_viewers(viewer, coordinator, partnership):
    school = partnership["orgs"][SCHOOL]
    assert [p.structure.name for p in structures_working_with(school, access=coordinator)] == [
        SOCIAL
    ]
    assert structures_working_with(school, access=viewer) == []


def test_structures_working_with_reads_in_constant_queries(coordinator, partnership):
    city = partnership["orgs"][CITY]
    territory, contract = coordinator.territory, partnership["contract"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            structures_working_with(city, access=coordinator)
        return len(ctx.captured_queries)

    def grow() -> None:
        grow_network(territory, contract)
        group = WorkGroupFactory(contract=contract)
        held_meeting(group, present=[city, structure(territory, f"Club {group.pk}", "sport")])

    before = queries()
    grow()
    assert queries() == before


def test_the_structure_page_fragment_lists_its_partners(coordinator, partnership):
    """What the structure's page will include (after the directory's reorganisation)."""
    html = render_to_string(
        "evaluation/partnership/includes/working_with.html",
        {
            "partners": structures_working_with(partnership["orgs"][CPTS], access=coordinator),
            "territory": coordinator.territory,
        },
    )
    assert "Structures avec lesquelles elle travaille" in html
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert f"{JOBS} (1 fiche-action ; niveau : Coopération)" in text
    assert SOCIAL not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_network_page_has_no_accessibility_violations(
    page: Page, live_server, viewer, partnership
):
    browser_login(page, live_server, viewer)
    page.goto(f"{live_server.url}{network_url(viewer.territory)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau partenarial")
    expect(page.get_by_role("img", name="Réseau partenarial")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("combobox", name="Contrat").select_option(
        label="CLS de Cergy 2023-2028 (2023-2028)"
    )
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Réseau partenarial · CLS de Cergy 2023-2028"
    )
    assert_no_axe_violations(page)
