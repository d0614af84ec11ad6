"""Fiches-actions: writing them, following them, filtering and exporting them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import services
from actions.models import (
    ActionPartner,
    ActionStatus,
    AxisKind,
    CollaborationLevel,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
    OttawaArea,
    Public,
    StatusChange,
)
from partners.models import Qpv
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    OrganizationFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


@pytest.fixture
def contract(territory):
    contract = ContractFactory(territory=territory, status="draft", signed_on=None)
    AxisFactory(contract=contract, number=1, title="Accès aux soins")
    AxisFactory(
        contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Mobilisation des habitants"
    )
    return contract


def fiche_form(contract, **extra):
    axis = contract.axes.get(kind=AxisKind.THEMATIC, number=1)
    data = {
        "number": "1.1",
        "title": "Médiation santé dans les quartiers",
        "thematic_axis": axis.pk,
        "status": "planned",
        "progress": 0,
        "territory_scope": "whole",
        "participation": "consultation",
        "partenaires-TOTAL_FORMS": 2,
        "partenaires-INITIAL_FORMS": 0,
        "financements-TOTAL_FORMS": 2,
        "financements-INITIAL_FORMS": 0,
        # what a browser posts for the untouched extra rows: the selects' defaults
        "financements-0-status": "requested",
        "financements-1-status": "requested",
    }
    data.update(extra)
    return data


def test_coordinator_writes_a_complete_fiche(login_as, coordinator, contract):
    territory = coordinator.territory
    qpv = Qpv.objects.create(territory=territory, name="Sébille")
    cpts = OrganizationFactory(territory=territory, name="CPTS de Cergy")
    pilot = ContactFactory(territory=territory, organization=cpts)
    response = login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/",
        fiche_form(
            contract,
            transversal_axes=[contract.axes.get(kind=AxisKind.TRANSVERSAL).pk],
            context="Non-recours aux droits élevé.",
            operational_objectives="Former 10 médiateurs\nTenir 40 permanences",
            publics=[Public.objects.get(slug="habitants-qpv").pk],
            territory_scope="qpv",
            qpvs=[qpv.pk],
            pilot_organization_id=cpts.pk,
            pilot_contact_id=pilot.pk,
            start_date="2026-01-01",
            end_date="2027-12-31",
            budget_total="25000",
            ottawa_areas=[OttawaArea.objects.get(slug="services").pk],
            **{
                "partenaires-0-organization_id": cpts.pk,
                "partenaires-0-role": "Co-animation",
                "partenaires-0-level": CollaborationLevel.objects.get(rank=4).pk,
                "financements-0-funder": "ARS Île-de-France",
                "financements-0-amount": "15000",
                "financements-0-status": "secured",
            },
        ),
    )
    fiche = FicheAction.objects.get()
    assert response["Location"] == f"{BASE}/fiches/{fiche.pk}/"
    assert [q.name for q in fiche.qpvs.all()] == ["Sébille"]
    assert fiche.partnerships.get().level.label == "Action en partenariat"
    assert fiche.funding_lines.get().amount == 15000
    page = login_as(coordinator).get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    for text in (
        "Former 10 médiateurs",
        "Action en partenariat",
        "ARS Île-de-France",
        "15\u00a0000,00 €",
        "Réorienter les services de santé",
        "Sébille",
    ):
        assert text in page, text


def test_bad_fiche_input_is_explained_and_kept(login_as, coordinator, contract):
    FicheActionFactory(
        contract=contract, thematic_axis=contract.axes.get(number=1, kind="thematic"), number="1.1"
    )
    response = login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/",
        fiche_form(
            contract,
            title="Une nouvelle action",
            start_date="2027-01-01",
            end_date="2026-01-01",
            territory_scope="qpv",
        ),
    )
    page = response.content.decode()
    assert "La fin précède le début." in page
    assert "Cochez les quartiers prioritaires concernés." in page
    assert 'value="Une nouvelle action"' in page
    response = login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/", fiche_form(contract)
    )
    assert "déjà celui d&#x27;une autre fiche-action" in response.content.decode()
    assert FicheAction.objects.count() == 1


def test_new_fiche_in_a_signed_contract_needs_an_amendment(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    AxisFactory(contract=contract, number=1)
    client = login_as(coordinator)
    assert (
        "avenant"
        in client.post(
            f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/", fiche_form(contract)
        ).content.decode()
    )
    assert not FicheAction.objects.exists()
    client.post(
        f"{BASE}/contrats/{contract.pk}/fiches/nouvelle/",
        fiche_form(contract, amendment_note="Avenant n° 1 : fiche écrite en groupe de travail"),
    )
    assert FicheAction.objects.count() == 1
    assert contract.amendments.get().changes.startswith("Ajout de la fiche-action 1.1")


def test_editing_a_fiche_keeps_changes_and_removes_its_partners_and_funding_lines(
    login_as, coordinator, contract
):
    territory = coordinator.territory
    cpts, ccas, mjc = (
        OrganizationFactory(territory=territory, name=name) for name in ("CPTS", "CCAS", "MJC")
    )
    fiche = FicheActionFactory(
        contract=contract, thematic_axis=contract.axes.get(number=1, kind="thematic"), number="1.1"
    )
    kept = ActionPartner.objects.create(fiche=fiche, organization=cpts, role="Animation")
    ActionPartner.objects.create(fiche=fiche, organization=ccas, role="Relais")
    ars = FundingLine.objects.create(fiche=fiche, funder="ARS", amount=15000, status="secured")
    city = FundingLine.objects.create(fiche=fiche, funder="Ville", amount=3000)
    level = CollaborationLevel.objects.get(rank=3)
    response = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_form(
            contract,
            title=fiche.title,
            **{
                "partenaires-TOTAL_FORMS": 3,
                "partenaires-INITIAL_FORMS": 2,
                "partenaires-0-id": kept.pk,
                "partenaires-0-organization_id": cpts.pk,
                "partenaires-0-role": "Co-animation",
                "partenaires-0-level": level.pk,
                "partenaires-1-id": fiche.partnerships.get(organization=ccas).pk,
                "partenaires-1-organization_id": ccas.pk,
                "partenaires-1-role": "Relais",
                "partenaires-1-DELETE": "on",
                "partenaires-2-organization_id": mjc.pk,
                "partenaires-2-role": "Accueil",
                "financements-TOTAL_FORMS": 3,
                "financements-INITIAL_FORMS": 2,
                "financements-0-id": ars.pk,
                "financements-0-funder": "ARS",
                "financements-0-amount": "18000",
                "financements-0-status": "secured",
                "financements-1-id": city.pk,
                "financements-1-funder": "Ville",
                "financements-1-amount": "3000",
                "financements-1-status": "requested",
                "financements-1-DELETE": "on",
                "financements-2-funder": "CAF",
                "financements-2-amount": "2000",
                "financements-2-status": "requested",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()
    assert sorted(fiche.partnerships.values_list("organization__name", "role")) == [
        ("CPTS", "Co-animation"),
        ("MJC", "Accueil"),
    ]
    kept.refresh_from_db()  # the same row: its role and level changed in place
    assert kept.level == level
    assert sorted(fiche.funding_lines.values_list("funder", "amount")) == [
        ("ARS", 18000),
        ("CAF", 2000),
    ]
    page = login_as(coordinator).get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert "Co-animation" in page and "Accueil" in page and "Relais" not in page
    assert "18\u00a0000,00 €" in page and "Ville" not in page


def test_a_refused_partner_or_funding_row_leaves_a_new_fiche_unsaved(contract, other_territory):
    """Whoever calls the service (a form, a script): rows are checked before anything is written."""
    axis = contract.axes.get(number=1, kind="thematic")
    stranger = OrganizationFactory(territory=other_territory, name="Mairie de Vitry")
    fiche = FicheAction(contract=contract, thematic_axis=axis, number="1.1", title="Médiation")
    with pytest.raises(ValidationError, match="annuaire du territoire"):
        services.fiche_save(fiche=fiche, partners=[services.PartnerRow(stranger, "Relais")])
    with pytest.raises(ValidationError, match="Ligne de financement « ARS »"):
        services.fiche_save(fiche=fiche, funding=[services.FundingRow("ARS", Decimal("-1"))])
    assert fiche.pk is None and not FicheAction.objects.exists()
    ours = OrganizationFactory(territory=contract.territory, name="CCAS")
    services.fiche_save(
        fiche=fiche,
        partners=[services.PartnerRow(ours, "Relais")],
        funding=[services.FundingRow("ARS", Decimal("1000"))],
    )
    assert fiche.partnerships.get().organization == ours
    assert fiche.funding_lines.get().amount == 1000


def test_copilot_edits_the_action_they_pilot_and_nothing_else(login_as, copilot):
    contract = ContractFactory(territory=copilot.territory)
    me = ContactFactory(territory=copilot.territory, user=copilot.user)
    mine = FicheActionFactory(contract=contract, pilot_contact=me, title="Sport sur ordonnance")
    other = FicheActionFactory(contract=contract, thematic_axis=mine.thematic_axis)
    client = login_as(copilot)
    client.post(f"{BASE}/fiches/{mine.pk}/etat/", {"status": "in_progress", "progress": 30})
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == ("in_progress", 30)
    assert (
        client.post(
            f"{BASE}/fiches/{other.pk}/etat/", {"status": "done", "progress": 100}
        ).status_code
        == 403
    )
    assert client.get(f"{BASE}/fiches/{other.pk}/modifier/").status_code == 403
    form = client.get(f"{BASE}/fiches/{mine.pk}/modifier/")
    assert form.status_code == 200
    assert "number" not in form.context["form"].fields, "a co-pilot does not renumber the contract"
    assert "Modifier la fiche" not in client.get(f"{BASE}/fiches/{other.pk}/").content.decode()


def test_viewer_reads_but_cannot_post(login_as, viewer):
    fiche = FicheActionFactory(contract=ContractFactory(territory=viewer.territory))
    client = login_as(viewer)
    page = client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert fiche.title in page and "Publier l&#x27;actualité" not in page
    assert (
        client.post(
            f"{BASE}/fiches/{fiche.pk}/actualites/", {"happened_on": "2026-01-01", "text": "x"}
        ).status_code
        == 403
    )


def test_timeline_gathers_updates_statuses_values_and_meetings(login_as, coordinator):
    territory = coordinator.territory
    fiche = FicheActionFactory(
        contract=ContractFactory(territory=territory), status=ActionStatus.PLANNED
    )
    indicator = Indicator.objects.create(
        fiche=fiche, title="Permanences tenues", unit="permanences", baseline=0, target=40
    )
    meeting = MeetingFactory(
        group=WorkGroupFactory(contract=fiche.contract, name="GT Accès aux soins"),
        starts_at=timezone.now() - dt.timedelta(days=3),
    )
    client = login_as(coordinator)
    client.post(
        f"{BASE}/fiches/{fiche.pk}/actualites/",
        {
            "happened_on": timezone.localdate().isoformat(),
            "text": "Deux médiatrices recrutées.",
            "meeting": meeting.pk,
        },
    )
    client.post(f"{BASE}/fiches/{fiche.pk}/etat/", {"status": "in_progress", "progress": 25})
    client.post(
        f"{BASE}/indicateurs/{indicator.pk}/mesures/",
        {"measured_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "value": "12"},
    )
    client.post(
        f"{BASE}/indicateurs/{indicator.pk}/mesures/",
        {"measured_on": timezone.localdate().isoformat(), "value": "18"},
    )

    assert StatusChange.objects.get(fiche=fiche).new_status == "in_progress"
    assert fiche.meeting_links.get().meeting == meeting
    # A meeting where the action was discussed, without an update posted from it.
    earlier = MeetingFactory(group=meeting.group, starts_at=timezone.now() - dt.timedelta(days=40))
    fiche.meeting_links.create(meeting=earlier, note="Point sur le recrutement.")
    response = client.get(f"{BASE}/fiches/{fiche.pk}/")
    kinds = [entry.kind for entry in response.context["timeline"]]
    assert sorted(kinds) == ["meeting", "status", "update", "value", "value"]
    page = response.content.decode()
    assert "Deux médiatrices recrutées." in page
    assert "Actualité · réunion GT Accès aux soins" in page, "the update names its meeting"
    assert page.count("Réunion : GT Accès aux soins") == 1, "only the meeting without update"
    assert "Point sur le recrutement." in page
    (trend,) = response.context["trends"]
    assert trend.latest.value == 18 and trend.reached == 45
    assert "45 % du chemin vers la cible" in page


def test_a_measurement_in_the_future_is_refused(login_as, coordinator):
    fiche = FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    indicator = Indicator.objects.create(fiche=fiche, title="X")
    response = login_as(coordinator).post(
        f"{BASE}/indicateurs/{indicator.pk}/mesures/",
        {"measured_on": "2099-01-01", "value": "3"},
        follow=True,
    )
    assert "dans le futur" in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=1.2", {"1.2"}),
        ("q=médiation", {"1.1"}),
        ("status=done", {"1.3"}),
        ("late=oui", {"1.2"}),
        ("late=non", {"1.1", "1.3", "2.1"}),
        ("axis=AXIS2", {"2.1"}),
        ("public=PUBLIC", {"1.1"}),
        ("ottawa=OTTAWA", {"1.3"}),
        ("pilot=PILOT", {"2.1"}),
        ("partner=PILOT", {"1.2"}),
        ("transversal=TRANS", {"1.1"}),
        ("qpv=QPV", {"1.3"}),
    ],
)
def test_each_fiche_filter_narrows_the_list(login_as, coordinator, query, expected):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    axis1 = AxisFactory(contract=contract, number=1)
    axis2 = AxisFactory(contract=contract, number=2)
    trans = AxisFactory(contract=contract, kind=AxisKind.TRANSVERSAL, number=1)
    pilot = OrganizationFactory(territory=territory)
    qpv = Qpv.objects.create(territory=territory, name="Axe Majeur-Horloge")
    past = timezone.localdate() - dt.timedelta(days=10)
    f11 = FicheActionFactory(
        contract=contract,
        thematic_axis=axis1,
        number="1.1",
        title="Médiation santé",
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    f12 = FicheActionFactory(
        contract=contract,
        thematic_axis=axis1,
        number="1.2",
        title="Dépistage",
        end_date=past,
        status="in_progress",
    )
    f13 = FicheActionFactory(
        contract=contract,
        thematic_axis=axis1,
        number="1.3",
        title="Villages santé",
        end_date=past,
        status="done",
    )
    FicheActionFactory(
        contract=contract,
        thematic_axis=axis2,
        number="2.1",
        title="Habitat",
        pilot_organization=pilot,
    )
    f11.publics.add(Public.objects.get(slug="jeunes"))
    f11.transversal_axes.add(trans)
    f13.ottawa_areas.add(OttawaArea.objects.get(slug="communautaire"))
    f13.qpvs.add(qpv)
    f12.partnerships.create(organization=pilot)
    ContractFactory(territory=coordinator.territory, status="draft")
    query = (
        query.replace("AXIS2", str(axis2.pk))
        .replace("PUBLIC", str(Public.objects.get(slug="jeunes").pk))
        .replace("OTTAWA", str(OttawaArea.objects.get(slug="communautaire").pk))
        .replace("PILOT", str(pilot.pk))
        .replace("TRANS", str(trans.pk))
        .replace("QPV", str(qpv.pk))
    )
    response = login_as(coordinator).get(f"{BASE}/fiches/?{query}")
    assert {f.number for f in response.context["fiches"]} == expected


def test_export_follows_the_filters(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    FicheActionFactory(contract=contract, number="1.1", title="Médiation santé", status="done")
    FicheActionFactory(contract=contract, number="1.2", title="Dépistage", status="planned")
    response = login_as(coordinator).get(f"{BASE}/fiches/export.csv?status=done")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Contrat", "Numéro", "Intitulé"]
    assert [r[1] for r in rows[1:]] == ["1.1"]
    xlsx = login_as(coordinator).get(f"{BASE}/fiches/export.xlsx")
    assert xlsx.content[:2] == b"PK"


@pytest.mark.parametrize("page", ["LIST", "DETAIL"])
def test_fiche_pages_keep_a_constant_query_count(login_as, coordinator, page):
    territory = coordinator.territory
    contract = ContractFactory(territory=territory)
    fiche = FicheActionFactory(contract=contract)
    url = f"{BASE}/fiches/" if page == "LIST" else f"{BASE}/fiches/{fiche.pk}/"
    group = WorkGroupFactory(contract=contract)

    def more() -> None:
        for n in range(5):
            other = FicheActionFactory(
                contract=contract,
                thematic_axis=fiche.thematic_axis,
                pilot_organization=OrganizationFactory(territory=territory),
            )
            other.publics.add(Public.objects.first())
            indicator = Indicator.objects.create(fiche=fiche, title=f"Indicateur {n}", target=10)
            IndicatorValue.objects.create(
                indicator=indicator, measured_on=timezone.localdate(), value=n
            )
            fiche.partnerships.create(
                organization=OrganizationFactory(territory=territory),
                level=CollaborationLevel.objects.first(),
            )
            fiche.funding_lines.create(funder=f"Financeur {n}", amount=1000)
            fiche.updates.create(happened_on=timezone.localdate(), text=f"Nouvelle {n}")
            fiche.meeting_links.create(meeting=MeetingFactory(group=group))
            fiche.copilots.add(ContactFactory(territory=territory))

    more()
    assert_constant_queries(login_as(coordinator), url, more, at_most=30)


@pytest.mark.parametrize("suffix", ["pdf", "txt", "CSV", "csv.exe"])
def test_export_answers_only_csv_and_xlsx(login_as, coordinator, suffix):
    response = login_as(coordinator).get(f"{BASE}/fiches/export.{suffix}")
    assert response.status_code == 404


def test_axis_filter_names_the_contract_when_there_are_several(login_as, coordinator):
    territory = coordinator.territory
    old = ContractFactory(territory=territory, start_year=2020, end_year=2022)
    AxisFactory(contract=old, number=1, title="Santé mentale")
    client = login_as(coordinator)
    options = client.get(f"{BASE}/fiches/").context["filter"].form.fields["axis"]
    assert [label for _value, label in options.choices][1:] == ["Axe 1 : Santé mentale"]

    new = ContractFactory(territory=territory, start_year=2023, end_year=2028)
    AxisFactory(contract=new, number=1, title="Santé mentale")
    page = client.get(f"{BASE}/fiches/").content.decode()
    assert "Axe 1 : Santé mentale — CLS 2023-2028" in page
    assert "Axe 1 : Santé mentale — CLS 2020-2022" in page


def test_dates_are_shown_in_the_format_date_inputs_read(login_as, coordinator, contract):
    """A French "02/12/2026" in an <input type="date"> is dropped by browsers: the field shows
    empty and the date is lost at the next save."""
    fiche = FicheActionFactory(
        contract=contract,
        thematic_axis=contract.axes.get(kind=AxisKind.THEMATIC),
        start_date=dt.date(2026, 12, 2),
        end_date=dt.date(2027, 1, 31),
    )
    indicator = Indicator.objects.create(fiche=fiche, title="Permanences tenues")
    IndicatorValue.objects.create(indicator=indicator, measured_on=dt.date(2026, 3, 9), value=4)
    fiche.updates.create(happened_on=dt.date(2026, 4, 1), text="Lancement")
    client = login_as(coordinator)
    page = client.get(f"{BASE}/fiches/{fiche.pk}/modifier/").content.decode()
    assert 'type="date" name="start_date" value="2026-12-02"' in page
    assert 'type="date" name="end_date" value="2027-01-31"' in page
    assert "02/12/2026" not in page
    corrections = client.get(f"{BASE}/fiches/{fiche.pk}/actualites/corriger/")
    assert 'value="2026-04-01"' in corrections.content.decode()
    measures = client.get(f"{BASE}/indicateurs/{indicator.pk}/mesures/corriger/")
    assert 'value="2026-03-09"' in measures.content.decode()
    today = timezone.localdate()
    assert (
        f'name="happened_on" value="{today:%Y-%m-%d}"'
        in client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    )


# --- at a phone's width -------------------------------------------------------------------------


@pytest.fixture
def phone_data(territory):
    """A contract, a fiche with its pilot, indicator and measurements, long French words."""
    contract = ContractFactory(
        territory=territory,
        title="Contrat local de santé de Cergy, troisième génération 2023-2028",
        status="draft",
        signed_on=None,
    )
    axis = AxisFactory(contract=contract, number=1, title="Accès aux droits et aux soins")
    structure = OrganizationFactory(
        territory=territory, name="Communauté professionnelle territoriale de santé de Cergy"
    )
    fiche = FicheActionFactory(
        contract=contract,
        thematic_axis=axis,
        number="1.1",
        title="Médiation en santé dans les quartiers prioritaires de la politique de la ville",
        pilot_organization=structure,
        pilot_contact=ContactFactory(territory=territory, organization=structure),
        end_date=timezone.localdate() + dt.timedelta(days=200),
        status="in_progress",
        progress=40,
    )
    indicator = Indicator.objects.create(
        fiche=fiche,
        title="Permanences de médiation tenues dans les maisons de quartier",
        unit="permanences",
        baseline=0,
        target=40,
    )
    for days, value in ((300, 5), (150, 14), (10, 22)):
        IndicatorValue.objects.create(
            indicator=indicator,
            measured_on=timezone.localdate() - dt.timedelta(days=days),
            value=value,
            comment="Relevé transmis par la coordination des médiatrices en santé",
        )
    return fiche


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_the_actions_pages_fit_a_phone(
    page, live_server, coordinator, phone_data
):
    """At 390 px no page scrolls sideways: a table wider than the screen scrolls in its own
    box, which the keyboard can reach."""
    from tests.support.browser import assert_no_axe_violations, browser_login

    fiche = phone_data
    indicator = fiche.indicators.get()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, coordinator)
    wide = []
    for path in (
        "",
        "contrats/",
        f"contrats/{fiche.contract_id}/",
        "contrats/echelle-de-collaboration/",
        "fiches/",
        f"fiches/{fiche.pk}/",
        f"indicateurs/{indicator.pk}/modifier/",
        f"fiches/{fiche.pk}/modifier/",
    ):
        page.goto(f"{live_server.url}{BASE}/{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path or "tableau de bord", width))
            continue
        for region in page.locator(".table-scroll").all():
            if region.evaluate("e => e.scrollWidth > e.clientWidth"):
                assert region.get_attribute("tabindex") == "0", path
        assert_no_axe_violations(page)
    assert not wide, f"pages plus larges que l'écran : {wide}"
