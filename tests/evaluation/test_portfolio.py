"""The table of all one's contracts (an ARS delegation's view): one row per contract the user may
read, with the figures of the progress pages, sortable by every column on the server, filtered by
department, paginated, exported as CSV and XLSX with the same rows, in the same number of
queries for 2 and 200 territories."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from actions.models import (
    ActionStatus,
    Contract,
    ContractStatus,
    FicheAction,
    Indicator,
    IndicatorValue,
)
from actions.progress import contract_figures
from cls_platform.models import Role
from evaluation.portfolio.selectors import (
    MilestoneKind,
    contract_keys,
    contract_rows,
    filled_rows,
    next_milestone,
    readable_contracts,
)
from evaluation.portfolio.table import COLUMNS, PAGE_SIZE
from tests.conftest import login
from tests.evaluation.html_tables import visible_tables
from tests.factories import (
    AccessFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    TerritoryFactory,
    UserFactory,
    WorkGroupFactory,
)
from tests.support.queries import count_queries
from workgroups.health import groups_health
from workgroups.models import Attendance, GroupKind, GroupStatus, Invitation, MeetingStatus

pytestmark = pytest.mark.django_db

URL = "/contrats/"
TODAY = timezone.localdate()
Y = TODAY.year
NOW = timezone.now()
ARROWS = re.compile(r"\s*[▲▼]$")


def held(group, when: dt.datetime, *, present=(), status=MeetingStatus.HELD):
    meeting = MeetingFactory(
        group=group, starts_at=when, ends_at=when + dt.timedelta(hours=2), status=status
    )
    for contact in present:
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=Attendance.PRESENT)
    return meeting


def fiches(contract, *statuses_and_late):
    """Fiches of `contract`: each entry a status, or (status, "late") for one whose end passed."""
    for entry in statuses_and_late:
        status, late = (entry, False) if isinstance(entry, str) else (entry[0], True)
        end = TODAY - dt.timedelta(days=30) if late else TODAY + dt.timedelta(days=300)
        FicheActionFactory(contract=contract, status=status, end_date=end)


def indicator(contract, *, target, value=None, baseline=None):
    made = Indicator.objects.create(
        fiche=FicheActionFactory(contract=contract, status=ActionStatus.PLANNED),
        title="Indicateur",
        baseline=baseline,
        target=target,
    )
    if value is not None:
        IndicatorValue.objects.create(indicator=made, measured_on=TODAY, value=value)
    return made


@pytest.fixture
def delegation(db):
    """An ARS officer, signatory (viewer) of four territories whose every column differs, and
    a fifth territory they have no access to."""
    user = UserFactory(email="delegation@ars.fr")
    made = {}
    specs = {
        # name: slug, INSEE, department, population, title, period, status
        "Bastia": (
            "bastia",
            "2B033",
            "2B",
            48_000,
            "Contrat local de santé de Bastia",
            (Y - 3, Y + 1),
            ContractStatus.SIGNED,
        ),
        "Cergy": (
            "cergy",
            "95127",
            "95",
            69_965,
            "CLS de Cergy",
            (Y - 6, Y - 4),
            ContractStatus.CLOSED,
        ),
        "Dijon": (
            "dijon",
            "21231",
            "21",
            159_000,
            "Santé à Dijon",
            (Y - 1, Y + 3),
            ContractStatus.SIGNED,
        ),
        "Vitry-sur-Seine": (
            "vitry-sur-seine",
            "94081",
            "94",
            None,
            "Atelier santé ville de Vitry",
            (Y, Y + 5),
            ContractStatus.SIGNED,
        ),
    }
    for name, (slug, insee, department, population, title, (start, end), status) in specs.items():
        territory = TerritoryFactory(
            name=name,
            slug=slug,
            insee_code=insee,
            department_code=department,
            population=population,
            population_year=2022 if population else None,
        )
        AccessFactory(user=user, territory=territory, role=Role.VIEWER)
        contract = ContractFactory(
            territory=territory, title=title, start_year=start, end_year=end, status=status
        )
        made[name] = contract
    # Drafts are the coordinators' business: never a row for a signatory.
    ContractFactory(
        territory=made["Dijon"].territory, title="Contrat brouillon", status=ContractStatus.DRAFT
    )
    outside = TerritoryFactory(name="Ailleurs", slug="ailleurs", department_code="95")
    ContractFactory(territory=outside, title="Contrat zqxmarqueur")

    bastia, cergy, dijon = made["Bastia"], made["Cergy"], made["Dijon"]
    P, D, IP = ActionStatus.PLANNED, ActionStatus.DONE, ActionStatus.IN_PROGRESS
    fiches(bastia, D, (IP, "late"), IP, P)
    fiches(cergy, D, D)
    fiches(dijon, D, IP, (P, "late"), P)
    # Indicators: Bastia 1 of 2 on track, Cergy 1 of 1, Dijon none with a target (each adds a
    # planned fiche to its contract).
    indicator(bastia, target=Decimal(10), value=Decimal(12))
    indicator(bastia, target=Decimal(100), baseline=Decimal(0), value=Decimal(1))
    indicator(cergy, target=Decimal(5), value=Decimal(5))
    indicator(dijon, target=None, value=Decimal(3))
    # So far: Bastia 6 fiches (done 1, in progress 2, late 1), Cergy 3 (done 2), Dijon 5
    # (done 1, in progress 1, late 1), Vitry none.

    # Groups. Bastia: its COPIL active (a pilot, a meeting two months ago), a group on standby.
    pilot = ContactFactory(territory=bastia.territory)
    copil = WorkGroupFactory(contract=bastia, kind=GroupKind.COPIL, target_meetings_per_year=2)
    copil.pilots.add(pilot)
    held(copil, NOW - dt.timedelta(days=60), present=[pilot])
    held(copil, NOW + dt.timedelta(days=60), status=MeetingStatus.PLANNED)
    WorkGroupFactory(contract=bastia, status=GroupStatus.STANDBY)
    # Cergy: a group that never met and has no pilot (fragile); its COPIL, closed since the
    # contract ended, is not counted, but its last meeting is the last COPIL.
    WorkGroupFactory(contract=cergy)
    old_copil = WorkGroupFactory(contract=cergy, kind=GroupKind.COPIL, status=GroupStatus.CLOSED)
    held(old_copil, timezone.make_aware(dt.datetime(Y - 4, 11, 20, 14)))
    held(old_copil, timezone.make_aware(dt.datetime(Y - 5, 11, 20, 14)))
    # Dijon: two fragile groups; a thematic meeting is no COPIL.
    WorkGroupFactory(contract=dijon)
    thematic = WorkGroupFactory(contract=dijon)
    held(thematic, NOW - dt.timedelta(days=10))
    return user


B, C, D, V = "Bastia", "Cergy", "Dijon", "Vitry-sur-Seine"
ORDERS = {
    # column: (ascending, descending); missing values last both ways, ties in territory order
    "territory": ([B, C, D, V], [V, D, C, B]),
    "insee": ([D, B, V, C], [C, V, B, D]),
    "department": ([B, D, V, C], [C, V, D, B]),  # INSEE's order: 2B before 21
    "population": ([B, C, D, V], [D, C, B, V]),
    "contract": ([V, C, B, D], [D, B, C, V]),
    "period": ([C, B, D, V], [V, D, B, C]),
    "status": ([B, D, V, C], [C, B, D, V]),
    "fiches": ([V, C, D, B], [B, D, C, V]),
    "done": ([V, B, D, C], [C, D, B, V]),
    "in_progress": ([C, V, D, B], [B, D, C, V]),
    "late": ([C, V, B, D], [D, B, C, V]),
    "indicators": ([B, C, D, V], [C, B, D, V]),
    "active": ([C, D, V, B], [B, C, D, V]),
    "fragile": ([B, V, C, D], [D, C, B, V]),
    "stopped": ([C, D, V, B], [B, C, D, V]),
    "copil": ([C, B, D, V], [B, C, D, V]),
    "milestone": ([D, B, V, C], [V, B, D, C]),
}


def records(response) -> list[dict[str, str]]:
    """The table's rows as {column: cell text}; the sorted column's arrow left out."""
    # A line break separates what it separates (a figure and its year, a title and its kind).
    page = response.content.decode().replace("<br>", " <br>")
    for header, *rows in visible_tables(page):
        header = [ARROWS.sub("", cell) for cell in header]
        if header[0] == "Territoire":
            return [dict(zip(header, row, strict=True)) for row in rows]
    raise AssertionError("pas de tableau des contrats")


def by_territory(response) -> dict[str, dict[str, str]]:
    return {row["Territoire"]: row for row in records(response)}


def test_a_delegation_sees_its_readable_contracts_side_by_side(delegation):
    response = Client().get(URL)
    assert response.status_code == 302  # signed-in users only
    client = Client()
    client.force_login(delegation)
    response = client.get(URL)
    page = response.content.decode()
    rows = by_territory(response)
    assert list(rows) == [B, C, D, V]
    assert rows[C]["Code INSEE"] == "95127"
    assert rows[C]["Département"] == "95 · Val-d'Oise"
    assert rows[B]["Département"] == "2B · Haute-Corse"
    assert rows[C]["Population"] == "69 965 en 2022"
    assert rows[V]["Population"] == "—"
    assert rows[C]["Contrat"] == "CLS de Cergy Contrat local de santé (CLS)"
    assert rows[C]["Période"] == f"{Y - 6}-{Y - 4}"
    assert rows[C]["État"] == "Clos"
    assert rows[B]["État"] == "Signé"
    assert "brouillon" not in page.lower()
    assert "zqxmarqueur" not in page and "Ailleurs" not in page
    assert "4 contrats" in page


def test_fiches_and_indicators_are_those_of_the_progress_figures(delegation):
    client = Client()
    client.force_login(delegation)
    rows = by_territory(client.get(URL))
    assert rows[B]["Fiches-actions"] == "6"
    assert rows[B]["Fiches réalisées"] == "1 (17 %)"
    assert rows[B]["Fiches en cours"] == "2 (33 %)"
    assert rows[B]["Fiches en retard"] == "1 (17 %)"
    assert rows[B]["Indicateurs en bonne voie"] == "1 sur 2 (50 %)"
    assert rows[C]["Indicateurs en bonne voie"] == "1 sur 1 (100 %)"
    assert rows[D]["Indicateurs en bonne voie"] == "aucun avec une cible"
    assert rows[V]["Fiches réalisées"] == "0"  # no fiche: no percentage
    # The same figures as the progress page and the bilan read.
    figures = contract_figures(readable_contracts(delegation))
    for row in contract_rows(user=delegation):
        shown = rows[row.territory_name]
        numbers = figures[row.pk]
        assert shown["Fiches-actions"] == str(numbers.fiches)
        assert shown["Fiches réalisées"].split()[0] == str(numbers.done)
        assert shown["Fiches en retard"].split()[0] == str(numbers.late)


def test_groups_are_counted_by_health_closed_ones_left_out(delegation):
    client = Client()
    client.force_login(delegation)
    rows = by_territory(client.get(URL))
    shown = {
        name: (row["Groupes actifs"], row["Groupes fragiles"], row["Groupes à l'arrêt"])
        for name, row in rows.items()
    }
    assert shown == {
        B: ("1", "0", "1"),
        C: ("0", "1", "0"),
        D: ("0", "2", "0"),
        V: ("0", "0", "0"),
    }
    # The states are those of the group pages.
    bastia_groups = readable_contracts(delegation).get(territory__slug="bastia").work_groups.all()
    states = sorted(h.state for h in groups_health(bastia_groups).values())
    assert states == ["active", "stopped"]


def test_last_copil_is_the_latest_held_meeting_of_a_copil(delegation):
    client = Client()
    client.force_login(delegation)
    rows = by_territory(client.get(URL))
    assert rows[C]["Dernier COPIL"] == f"20 novembre {Y - 4}"
    bastia_copil = timezone.localdate(NOW - dt.timedelta(days=60))
    assert rows[B]["Dernier COPIL"] == date_format(bastia_copil, "j F Y")
    assert rows[D]["Dernier COPIL"] == "aucun"  # a thematic meeting is no COPIL
    assert rows[V]["Dernier COPIL"] == "aucun"


def test_the_next_milestone_is_mid_term_then_final_then_none():
    contract = ContractFactory.build(start_year=2023, end_year=2028)
    middle = next_milestone(contract, today=dt.date(2025, 6, 1))
    assert (middle.kind, middle.on) == (MilestoneKind.MID_TERM, dt.date(2025, 12, 31))
    assert middle.when == "décembre 2025"
    final = next_milestone(contract, today=dt.date(2026, 1, 2))
    assert (final.kind, final.on, final.when) == (
        MilestoneKind.FINAL,
        dt.date(2028, 12, 31),
        "fin 2028",
    )
    assert next_milestone(contract, today=dt.date(2029, 1, 1)) is None
    three_years = ContractFactory.build(start_year=2020, end_year=2022)
    assert next_milestone(three_years, today=dt.date(2020, 3, 1)).on == dt.date(2021, 7, 1)


def test_the_table_shows_the_next_milestone(delegation):
    client = Client()
    client.force_login(delegation)
    rows = by_territory(client.get(URL))
    assert rows[B]["Prochaine échéance"] == f"Évaluation finale fin {Y + 1}"
    assert rows[D]["Prochaine échéance"].startswith("Évaluation à mi-parcours juillet")
    assert rows[C]["Prochaine échéance"] == "période achevée"


def test_each_row_opens_the_contracts_progress_page(delegation):
    client = Client()
    client.force_login(delegation)
    page = client.get(URL).content.decode()
    for contract in readable_contracts(delegation).select_related("territory"):
        kwargs = {"territory": contract.territory.slug, "pk": contract.pk}
        try:
            expected = reverse("evaluation:contract_progress", kwargs=kwargs)
        except NoReverseMatch:  # until the progress page exists
            expected = reverse("actions:contract_detail", kwargs=kwargs)
        assert f'<a href="{expected}">{contract.title}</a>' in page


@pytest.mark.parametrize("key", list(ORDERS))
def test_every_column_sorts_both_ways_on_the_server(delegation, key):
    client = Client()
    client.force_login(delegation)
    ascending, descending = ORDERS[key]
    label = next(str(c.label) for c in COLUMNS if c.key == key)
    for order, expected, aria in (
        (key, ascending, "ascending"),
        (f"-{key}", descending, "descending"),
    ):
        response = client.get(URL, {"order": order})
        assert [row["Territoire"] for row in records(response)] == expected, order
        page = html.unescape(response.content.decode())
        sorted_headers = re.findall(
            r'<th scope="col" aria-sort="(\w+)"><a href="[^"]*">([^<]+)<', page
        )
        assert sorted_headers == [(aria, label)]


def test_a_sort_link_sorts_the_other_way_and_keeps_the_filter(delegation):
    client = Client()
    client.force_login(delegation)
    page = client.get(URL, {"order": "population", "status": "signed"}).content.decode()
    assert (
        'href="?order=-population&amp;status=signed"' in page
        or 'href="?status=signed&amp;order=-population"' in page
    )
    assert (
        'href="?order=insee&amp;status=signed"' in page
        or 'href="?status=signed&amp;order=insee"' in page
    )


def test_every_column_is_covered_by_the_orders():
    assert set(ORDERS) == {column.key for column in COLUMNS}


def test_filter_by_department_and_by_state(delegation):
    client = Client()
    client.force_login(delegation)
    response = client.get(URL, {"department": "95"})
    assert [r["Territoire"] for r in records(response)] == [C]
    page = response.content.decode()
    # The departments offered are those of the user's contracts, in INSEE's order.
    options = re.findall(
        r'<option value="(\w*)"', page.split('name="department"')[1].split("</select>")[0]
    )
    assert options == ["", "2B", "21", "94", "95"]
    # And the states of their contracts: a signatory has none in preparation.
    states = page.split('name="status"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w*)"', states) == ["", "signed", "closed"]
    response = client.get(URL, {"status": "closed", "order": "-territory"})
    assert [r["Territoire"] for r in records(response)] == [C]


def test_a_filter_that_cannot_apply_says_so_and_filters_nothing(delegation):
    client = Client()
    client.force_login(delegation)
    response = client.get(URL, {"department": "13", "status": "signed"})
    page = html.unescape(response.content.decode())
    assert "Aucun de vos contrats n'est dans le département « 13 »" in page
    assert [r["Territoire"] for r in records(response)] == [B, D, V]  # the state still applies
    response = client.get(URL, {"order": "n'importe-quoi"})
    assert "Cet ordre de tri n'existe pas" in html.unescape(response.content.decode())
    assert [r["Territoire"] for r in records(response)] == [B, C, D, V]


def test_a_viewer_sees_no_draft_a_coordinator_does():
    user = UserFactory()
    watched = TerritoryFactory(slug="lue", name="Lue")
    run = TerritoryFactory(slug="menee", name="Menée")
    AccessFactory(user=user, territory=watched, role=Role.VIEWER)
    AccessFactory(user=user, territory=run, role=Role.COORDINATOR)
    for territory in (watched, run):
        ContractFactory(territory=territory, title=f"Signé {territory.name}")
        ContractFactory(
            territory=territory, title=f"Brouillon {territory.name}", status=ContractStatus.DRAFT
        )
    client = Client()
    client.force_login(user)
    contracts = {r["Contrat"].split(" Contrat local")[0] for r in records(client.get(URL))}
    assert contracts == {"Signé Lue", "Signé Menée", "Brouillon Menée"}


def test_the_rows_are_exactly_what_scoped_gives_each_access():
    """The many-territory rule agrees with scoped() for every role."""
    from cls_platform.access import scoped

    user = UserFactory()
    expected = set()
    for role in Role.values:
        territory = TerritoryFactory()
        access = AccessFactory(user=user, territory=territory, role=role)
        for status in ContractStatus.values:
            ContractFactory(territory=territory, status=status)
        expected |= set(scoped(Contract.objects.all(), access).values_list("pk", flat=True))
    ContractFactory()  # another territory's
    assert set(readable_contracts(user).values_list("pk", flat=True)) == expected
    assert len(expected) == 2 + 3 + 3
    # The table's rows, read by a statement written out, and when sorted by the last COPIL.
    assert {row.pk for row in contract_rows(user=user)} == expected
    assert {row.pk for row in contract_rows(user=user, copil=True)} == expected
    # As keys (the table sorted by territory, department or state): the same, in the same
    # order, and the page's read in full from them.
    keys = contract_keys(user=user)
    assert [key.pk for key in keys] == [row.pk for row in contract_rows(user=user)]
    assert [row.pk for row in filled_rows(keys)] == [key.pk for key in keys]


def test_a_contract_deleted_after_its_key_was_read_is_left_out_of_the_page(delegation):
    """Between the keys and the page (another request deletes a contract): the page shows the
    others, with their figures, and no error."""
    keys = contract_keys(user=delegation)
    # One without fiches (they protect a contract from deletion).
    gone = next(k for k in keys if not FicheAction.objects.filter(contract_id=k.pk).exists())
    Contract.objects.filter(pk=gone.pk).delete()
    rows = filled_rows(keys)
    assert [row.pk for row in rows] == [key.pk for key in keys if key is not gone]
    assert len(rows) == len(keys) - 1 >= 2
    expected = contract_figures(Contract.objects.filter(pk__in=[row.pk for row in rows]))
    for row in rows:
        assert row.figures == expected[row.pk] and row.groups is not None
        assert row.copil_read and row.milestone_read


def territories(user, n: int, *, start: int = 0) -> None:
    """`n` territories the user signs, each with a contract, fiches, an indicator, two groups
    and a COPIL meeting."""
    for index in range(start, start + n):
        territory = TerritoryFactory(
            name=f"Commune {index:04d}",
            slug=f"commune-{index:04d}",
            department_code=f"{index % 95 + 1:02d}",
            population=1000 + index,
        )
        AccessFactory(user=user, territory=territory, role=Role.VIEWER)
        contract = ContractFactory(territory=territory)
        fiches(contract, ActionStatus.DONE, (ActionStatus.IN_PROGRESS, "late"))
        indicator(contract, target=Decimal(10), value=Decimal(index % 12))
        pilot = ContactFactory(territory=territory)
        copil = WorkGroupFactory(contract=contract, kind=GroupKind.COPIL)
        copil.pilots.add(pilot)
        held(copil, NOW - dt.timedelta(days=30 + index % 90), present=[pilot])
        WorkGroupFactory(contract=contract, status=GroupStatus.STANDBY)


def test_the_same_queries_for_2_and_200_territories():
    """The page, sorted by a column of the territory or by a figure, and both exports."""
    user = UserFactory()
    territories(user, 2)
    client = Client()
    client.force_login(user)
    urls = [
        *(f"{URL}?order={order}" for order in ("territory", "-indicators", "fragile", "-copil")),
        f"{URL}?department=05&order=-late",
        f"{URL}export.csv?order=-done",
        f"{URL}export.xlsx",
    ]
    for url in urls:
        client.get(url)  # session, content types

    def counted(url: str) -> int:
        caches["figures"].clear()  # each page the day's first: nothing kept of the warm-up
        return count_queries(client, url)[0]

    before = {url: counted(url) for url in urls}
    territories(user, 198, start=2)
    after = {url: counted(url) for url in urls}
    assert after == before
    # Session, user and contracts (their territories answer the navigation's question: several
    # territories?), then on PostgreSQL the groups with their states and the figures in one
    # round trip, with the page's contracts in full when sorted by territory (a figure sorted
    # by: its statements first, one round trip); SQLite takes one statement a call: the page's
    # contracts, figures 2, groups, health 2.
    expected = [4, 5, 5, 4, 5, 5, 4] if connection.vendor == "postgresql" else [9, 8, 8, 8, 8, 8, 9]
    assert list(after.values()) == expected, after
    assert len(records(client.get(urls[0]))) == PAGE_SIZE


def test_fifty_rows_a_page_and_the_pages_keep_sort_and_filter():
    user = UserFactory()
    territories(user, 120)
    client = Client()
    client.force_login(user)
    first = client.get(URL, {"order": "-population"})
    assert [r["Territoire"] for r in records(first)][:2] == ["Commune 0119", "Commune 0118"]
    page = first.content.decode()
    assert "Page 1 sur 3" in page
    assert 'href="?order=-population&amp;page=2"' in page
    last = client.get(URL, {"order": "-population", "page": "3"})
    names = [r["Territoire"] for r in records(last)]
    assert len(names) == 20 and names[-1] == "Commune 0000"
    beyond = client.get(URL, {"order": "-population", "page": "99"})
    assert [r["Territoire"] for r in records(beyond)] == names  # the last page, not an error


# --- exports -----------------------------------------------------------------------------------


def test_csv_export_holds_every_row_of_the_filter_in_the_tables_order(delegation):
    client = Client()
    client.force_login(delegation)
    response = client.get(f"{URL}export.csv", {"order": "-population", "status": "signed"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contrats-')
    text = response.content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [line["Territoire"] for line in lines] == [D, B, V]
    bastia = lines[1]
    assert bastia["Code INSEE"] == "2B033"
    assert bastia["Département"] == "2B"
    assert bastia["Nom du département"] == "Haute-Corse"
    assert bastia["Population"] == "48000"
    assert bastia["Fiches-actions"] == "6"
    assert bastia["Fiches réalisées"] == "1"
    assert bastia["% réalisées"] == "17"
    assert bastia["Fiches en retard"] == "1"
    assert bastia["Indicateurs avec une cible"] == "2"
    assert bastia["Indicateurs atteints ou en bonne voie"] == "1"
    assert (bastia["Groupes actifs"], bastia["Groupes fragiles"], bastia["Groupes à l'arrêt"]) == (
        "1",
        "0",
        "1",
    )
    assert bastia["Prochaine échéance"] == "Évaluation finale"
    assert bastia["Date de l'échéance"] == f"31/12/{Y + 1}"
    assert bastia["Page d'avancement"].startswith("http://testserver/t/bastia/")
    assert lines[2]["Population"] == ""  # Vitry: not recorded
    assert "brouillon" not in text.lower() and "zqxmarqueur" not in text


def test_xlsx_export_holds_the_same_rows_with_numbers_and_dates(delegation):
    client = Client()
    client.force_login(delegation)
    response = client.get(f"{URL}export.xlsx", {"department": "95"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[0] == "Territoire" and len(lines) == 1
    cergy = dict(zip(header, lines[0], strict=True))
    assert cergy["Territoire"] == "Cergy"
    assert cergy["Population"] == 69_965
    assert cergy["État"] == "Clos"
    assert cergy["Fiches réalisées"] == 2 and cergy["% réalisées"] == 67
    assert cergy["Dernier COPIL"].date() == dt.date(Y - 4, 11, 20)
    assert cergy["Prochaine échéance"] in ("", None)


def test_a_formula_typed_as_a_title_stays_text_in_the_exports(delegation):
    contract = readable_contracts(delegation).get(territory__slug="cergy")
    contract.title = '=HYPERLINK("http://x")'
    contract.save()
    client = Client()
    client.force_login(delegation)
    text = client.get(f"{URL}export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(client.get(f"{URL}export.xlsx").content)).active
    titles = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x")' in titles


def test_export_addresses_are_for_signed_in_users_and_only_csv_or_xlsx(delegation):
    assert Client().get(f"{URL}export.csv").status_code == 302
    client = login(Client(), AccessFactory(user=delegation, territory=TerritoryFactory()))
    assert client.get(f"{URL}export.pdf").status_code == 404


def test_kept_standings_follow_every_change_to_indicators_and_measures(delegation):
    """The indicators' standings are kept for the day under the contract's indicators_version:
    each write through the services (and a fiche deleted with its indicators) shows on the next
    page, and a page read twice shows the same as when read afresh."""
    from actions.progress import kept_standings
    from actions.services.indicators import (
        indicator_delete,
        indicator_save,
        indicator_value_add,
        indicator_value_delete,
        indicator_value_edit,
    )

    client = Client()
    client.force_login(delegation)

    def shown() -> str:
        first = by_territory(client.get(URL))[B]["Indicateurs en bonne voie"]
        again = by_territory(client.get(URL))[B]["Indicateurs en bonne voie"]
        assert again == first  # the second page read the kept standings
        return first

    assert shown() == "1 sur 2 (50 %)"
    contract = Contract.objects.get(territory__name=B)
    rows = [r for r in contract_rows(user=delegation) if r.pk == contract.pk]
    assert list(kept_standings(rows, today=TODAY)) == [contract.pk]

    fiche = FicheActionFactory(contract=contract, status=ActionStatus.PLANNED)
    added = indicator_save(indicator=Indicator(fiche=fiche, title="Nouveau", target=Decimal(10)))
    assert shown() == "1 sur 3 (33 %)"  # unmeasured
    measure = indicator_value_add(indicator=added, measured_on=TODAY, value=Decimal(10))
    assert shown() == "2 sur 3 (67 %)"  # reached
    indicator_value_edit(value=measure, measured_on=TODAY, amount=Decimal(0))
    assert shown() == "1 sur 3 (33 %)"  # behind
    added.target = None
    indicator_save(indicator=added)
    assert shown() == "1 sur 2 (50 %)"  # no target: not counted
    added.target = Decimal(0)
    indicator_save(indicator=added)
    assert shown() == "2 sur 3 (67 %)"  # 0 from 0: reached
    indicator_value_delete(value=measure)
    assert shown() == "1 sur 3 (33 %)"  # unmeasured again
    indicator_delete(indicator=added)
    assert shown() == "1 sur 2 (50 %)"
    other = FicheActionFactory(contract=contract, status=ActionStatus.PLANNED)
    indicator_value_add(
        indicator=indicator_save(indicator=Indicator(fiche=other, title="Autre", target=5)),
        measured_on=TODAY,
        value=Decimal(5),
    )
    assert shown() == "2 sur 3 (67 %)"
    other.delete()  # its indicators and measures with it
    assert shown() == "1 sur 2 (50 %)"
    # Every row reads as the progress figures read afresh, kept or not.
    figures = contract_figures(readable_contracts(delegation))
    for row in filled_rows(contract_keys(user=delegation)):
        assert row.figures.by_standing == figures[row.pk].by_standing


def test_kept_group_states_follow_every_change_to_groups_meetings_and_pilots(delegation):
    """The groups' states and last COPIL are kept for the day under the contract's
    groups_version, which PostgreSQL's triggers move on: whatever writes a group, a meeting, a
    pilot or a pilot's standing (a service, a bulk update, a cascade), the next page shows it,
    and a page read twice shows the same as when read afresh."""
    if connection.vendor != "postgresql":
        pytest.skip("les états des groupes ne sont gardés que sur PostgreSQL")
    from partners.models import Contact
    from partners.services import contact_record_departure
    from workgroups.models import Meeting, WorkGroup
    from workgroups.services.groups import group_save

    client = Client()
    client.force_login(delegation)
    columns = ("Groupes actifs", "Groupes fragiles", "Groupes à l'arrêt", "Dernier COPIL")

    def shown() -> tuple[str, ...]:
        first = by_territory(client.get(URL))[B]
        again = by_territory(client.get(URL))[B]
        assert [again[c] for c in columns] == [first[c] for c in columns]  # kept, the same
        return tuple(first[c] for c in columns)

    bastia = Contract.objects.get(territory__name=B)
    dijon_version = Contract.objects.get(title="Santé à Dijon").groups_version
    copil = bastia.work_groups.get(kind=GroupKind.COPIL)
    standby = bastia.work_groups.get(status=GroupStatus.STANDBY)
    pilot = copil.pilots.get()
    last_copil = date_format(timezone.localdate(NOW - dt.timedelta(days=60)), "j F Y")
    assert shown() == ("1", "0", "1", last_copil)

    # The pilot leaves with no successor (the directory's service): the COPIL is fragile.
    contact_record_departure(contact=pilot, left_on=TODAY, successor=None)
    assert shown() == ("0", "1", "1", last_copil)
    # Back, by a bulk update as an import writes (no model signal): active again.
    Contact.objects.filter(pk=pilot.pk).update(is_active=True, left_at=None)
    assert shown() == ("1", "0", "1", last_copil)
    # What does not make a state (a pilot's last activity, a meeting's description) leaves
    # the version as it was.
    version = Contract.objects.get(pk=bastia.pk).groups_version
    Contact.objects.filter(pk=pilot.pk).update(last_activity_at=NOW)
    Meeting.objects.filter(group=copil).update(description="Ordre du jour revu")
    assert Contract.objects.get(pk=bastia.pk).groups_version == version
    # The group on standby back to work (the groups' service), with no pilot nor meeting.
    standby.status = GroupStatus.ACTIVE
    group_save(group=standby)
    assert shown() == ("1", "1", "0", last_copil)
    # A meeting of the COPIL planned next week, held by then as the attendance marks it (a
    # bulk update of its status, a trigger's count of who came).
    meeting = held(copil, NOW - dt.timedelta(days=1), status=MeetingStatus.PLANNED)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    yesterday = date_format(timezone.localdate(NOW - dt.timedelta(days=1)), "j F Y")
    assert shown()[3] == yesterday
    # The COPIL's meetings deleted together: no COPIL held, never met.
    Meeting.objects.filter(group=copil).delete()
    assert shown() == ("0", "2", "0", "aucun")
    # Its pilots removed (the many-to-many's rows), then the group deleted.
    copil.pilots.clear()
    assert shown() == ("0", "2", "0", "aucun")
    WorkGroup.objects.filter(pk=copil.pk).delete()
    assert shown() == ("0", "1", "0", "aucun")
    # Another territory's contract was never touched.
    assert Contract.objects.get(title="Santé à Dijon").groups_version == dijon_version
    # Every row reads as the groups read afresh.
    kept = {
        row.pk: (row.groups, row.last_copil) for row in filled_rows(contract_keys(user=delegation))
    }
    caches["figures"].clear()
    fresh = {
        row.pk: (row.groups, row.last_copil) for row in filled_rows(contract_keys(user=delegation))
    }
    assert kept == fresh


def test_a_contract_saved_keeps_the_versions_the_database_moved_on(delegation):
    """A contract read before its groups or indicators changed, then saved (its edit form),
    writes its fields but not its old versions back: the figures kept under those would be
    shown again."""
    contract = Contract.objects.get(territory__name=B)
    indicator(contract, target=Decimal(3), value=Decimal(1))  # moves indicators_version on
    WorkGroupFactory(contract=contract)  # moves groups_version on (PostgreSQL)
    stored = Contract.objects.get(pk=contract.pk)
    assert stored.indicators_version > contract.indicators_version
    contract.title = "CLS de Bastia, avenant 1"
    contract.save()
    saved = Contract.objects.get(pk=contract.pk)
    assert saved.title == "CLS de Bastia, avenant 1"
    assert (saved.indicators_version, saved.groups_version) == (
        stored.indicators_version,
        stored.groups_version,
    )
