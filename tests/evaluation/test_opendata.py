"""Open data of signed contracts: the public JSON validates against docs/opendata/schema.json,
the CSV files read back equal to the JSON and to the database, nothing personal leaves, only
published signed or closed contracts appear, and each address answers in a fixed number of
queries with the headers reusers rely on."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    ActionStatus,
    Axis,
    AxisKind,
    ContractKind,
    ContractStatus,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    OttawaArea,
    Public,
    Signatory,
    TerritoryScope,
)
from evaluation.opendata.export import phase
from evaluation.opendata.redaction import scrub
from evaluation.opendata.tables import TABLES
from partners.models import OrganizationKind, Qpv
from tests.factories import (
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    OrganizationFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs/opendata/schema.json").read_text())
# What must never leave: an address, a French phone number in any of its spellings.
EMAIL_PATTERN = re.compile(r"@|\[at\]", re.IGNORECASE)
PHONE_PATTERN = re.compile(r"(?<!\d)(?:0|\+33\s?|0033\s?)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
PILOT_PHONE = "06 12 34 56 78"


def url(name: str, slug: str = "cergy", **kwargs) -> str:
    return reverse(f"opendata:{name}", kwargs={"territory": slug, **kwargs})


def published(contract):
    contract.open_data_published_at = timezone.now()
    contract.save(update_fields=["open_data_published_at"])
    return contract


def add_fiche(contract, axis, number: str, title: str, **kwargs) -> FicheAction:
    return FicheActionFactory(
        contract=contract, thematic_axis=axis, number=number, title=title, **kwargs
    )


def person(territory, organization, n: int = 0):
    """A contact with everything a careless export could leak."""
    return ContactFactory(
        territory=territory,
        organization=organization,
        first_name="Amina",
        last_name="Benali",
        email=f"amina.benali{n or ''}@relais-sante.fr",
        phone=PILOT_PHONE,
    )


def build_contract(territory, *, fiches: int = 3):
    """A signed CLS with signatories, thematic and transversal axes, fiches-actions piloted by
    people, by structures and by a liberal professional, budgets, indicators and values."""
    territory.insee_code = "95127"
    territory.health_service_name = "Service santé, prévention, handicap"
    territory.save()
    ars = OrganizationFactory(territory=territory, name="ARS Île-de-France", acronym="ARS")
    relais = OrganizationFactory(
        territory=territory, name="Relais santé", kind=OrganizationKind.ASSOCIATION
    )
    doctor = OrganizationFactory(
        territory=territory, name="Dr Lucie Fontaine", kind=OrganizationKind.PROFESSIONAL
    )
    contract = ContractFactory(
        territory=territory,
        title="Contrat local de santé de Cergy 2020-2022",
        start_year=2020,
        end_year=2022,
        signed_on=dt.date(2020, 12, 10),
    )
    Signatory.objects.create(contract=contract, organization=ars, order=1)
    Signatory.objects.create(
        contract=contract, organization=doctor, order=2, signed_on=dt.date(2020, 12, 11)
    )
    access = AxisFactory(contract=contract, number=1, title="Axe 1 : Accès aux soins")
    AxisFactory(contract=contract, number=2, title="Santé mentale")
    network = AxisFactory(
        contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Coordination des acteurs"
    )
    qpv = Qpv.objects.create(territory=territory, name="Axe Majeur-Horloge", code="QP095012")
    pilot = person(territory, relais)
    first = add_fiche(
        contract,
        access,
        "1.1",
        "Médiation santé (écrire à mediation@cergy.fr ou au 01 34 33 43 43)",
        status=ActionStatus.IN_PROGRESS,
        progress=40,
        start_date=dt.date(2021, 1, 4),
        end_date=dt.date(2022, 12, 31),
        pilot_contact=pilot,
        territory_scope=TerritoryScope.QPV,
        budget_total=Decimal("12500.50"),
    )
    first.transversal_axes.add(network)
    first.publics.set(Public.objects.filter(slug__in=["familles", "enfants"]))
    first.ottawa_areas.set(OttawaArea.objects.filter(slug="services"))
    first.qpvs.add(qpv)
    first.copilots.add(ContactFactory(territory=territory, phone="07 11 22 33 44"))
    FundingLine.objects.create(
        fiche=first, funder="ARS", amount=Decimal("8000"), status=FundingStatus.SECURED
    )
    FundingLine.objects.create(
        fiche=first, funder="Ville", amount=Decimal("2000.40"), status=FundingStatus.SECURED
    )
    FundingLine.objects.create(
        fiche=first, funder="CPAM", amount=Decimal("1500"), status=FundingStatus.REQUESTED
    )
    indicator = Indicator.objects.create(
        fiche=first,
        kind=IndicatorKind.RESULT,
        title="Personnes accompagnées",
        unit="personnes",
        baseline=Decimal(0),
        target=Decimal(120),
        source="Tableau de bord, Mme Benali (amina.benali@relais-sante.fr, 06 12 34 56 78)",
    )
    IndicatorValue.objects.create(
        indicator=indicator, measured_on=dt.date(2021, 12, 31), value=Decimal(45)
    )
    IndicatorValue.objects.create(
        indicator=indicator,
        measured_on=dt.date(2022, 6, 30),
        value=Decimal("80.5"),
        comment="Chiffres transmis par amina.benali@relais-sante.fr",
    )
    add_fiche(
        contract,
        access,
        "1.2",
        "Consultations avancées avec amina BENALI",
        status=ActionStatus.DONE,
        pilot_organization=doctor,
        end_date=dt.date(2021, 6, 30),
    )
    for n in range(fiches - 2):
        grow_fiche(contract, access, n)
    return contract


def grow_fiche(contract, axis, n: int) -> FicheAction:
    """One more fiche with everything a fiche can hang: pilot, publics, funding, indicator."""
    territory = contract.territory
    fiche = add_fiche(
        contract,
        axis,
        f"3.{n + 1}",
        f"Action supplémentaire {n}",
        status=ActionStatus.PLANNED,
        end_date=dt.date(2021, 1, 31),
        pilot_contact=person(territory, OrganizationFactory(territory=territory), n + 1),
        budget_total=Decimal(1000 + n),
    )
    fiche.publics.set(Public.objects.filter(slug="jeunes"))
    fiche.ottawa_areas.set(OttawaArea.objects.filter(slug__in=["milieux", "aptitudes"]))
    fiche.transversal_axes.set(Axis.objects.filter(contract=contract, kind=AxisKind.TRANSVERSAL))
    fiche.qpvs.set(Qpv.objects.filter(territory=territory))
    FundingLine.objects.create(fiche=fiche, funder="CAF", amount=Decimal(500))
    indicator = Indicator.objects.create(fiche=fiche, title=f"Ateliers tenus {n}", target=10)
    IndicatorValue.objects.create(indicator=indicator, measured_on=dt.date(2021, 3, 1), value=3)
    return fiche


@pytest.fixture
def contract(territory):
    return published(build_contract(territory))


def get_json(slug: str = "cergy") -> dict:
    response = Client().get(url("document", slug))
    assert response.status_code == 200
    return json.loads(response.content.decode())


def get_csv(name: str, slug: str = "cergy") -> tuple[list[str], list[dict[str, str]]]:
    response = Client().get(url("table", slug, table=name))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def every_export(slug: str = "cergy") -> dict[str, str]:
    client = Client()
    exports = {"json": client.get(url("document", slug)).content.decode()}
    for name in TABLES:
        exports[name] = client.get(url("table", slug, table=name)).content.decode()
    exports["page"] = client.get(url("territory", slug)).content.decode()
    return exports


# --- The schema -----------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_export_validates_against_the_schema(contract):
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    document = get_json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_the_schema_refuses_what_the_export_must_not_hold(contract):
    """The test above can fail: a person's e-mail slipped into a fiche is refused."""
    document = get_json()
    document["contrats"][0]["fichesActions"][0]["porteurReferentEmail"] = "a@b.fr"
    with pytest.raises(jsonschema.ValidationError, match="porteurReferentEmail"):
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_the_schema_is_served_publicly(db):
    response = Client().get(reverse("opendata:schema"))
    assert response.status_code == 200
    assert json.loads(response.content) == SCHEMA
    assert response["Access-Control-Allow-Origin"] == "*"


# --- What the export says ---------------------------------------------------------------------


def test_the_export_says_what_the_database_holds(contract, territory):
    document = get_json()
    assert document["collectivite"] == {
        "nom": "Cergy",
        "type": "Commune",
        "codeInsee": "95127",
        "codeDepartement": "95",
        "region": "Île-de-France",
        "servicePorteur": "Service santé, prévention, handicap",
    }
    assert document["licence"]["identifiant"] == "etalab-2.0"
    assert document["source"].endswith("/donnees-ouvertes/cergy/")
    assert document["schema"].endswith("/donnees-ouvertes/schema.json")
    (exported,) = document["contrats"]
    assert exported["id"] == contract.pk
    assert exported["titre"] == contract.title
    assert (exported["anneeDebut"], exported["anneeFin"]) == (2020, 2022)
    assert (exported["statut"], exported["statutLibelle"]) == ("signe", "Signé")
    assert exported["dateSignature"] == "2020-12-10"
    assert [s["nom"] for s in exported["signataires"]] == ["ARS Île-de-France", None]
    assert exported["signataires"][1]["typeLibelle"] == "Professionnel·le libéral·e"
    assert [(a["type"], a["numero"], a["titre"]) for a in exported["axes"]] == [
        ("thematique", 1, "Accès aux soins"),
        ("thematique", 2, "Santé mentale"),
        ("transversal", 1, "Coordination des acteurs"),
    ]
    fiches = {f["numero"]: f for f in exported["fichesActions"]}
    assert set(fiches) == set(contract.fiches_actions.values_list("number", flat=True))
    first = fiches["1.1"]
    db_first = contract.fiches_actions.get(number="1.1")
    assert first["id"] == db_first.pk
    assert first["axeThematiqueNumero"] == 1
    assert first["axesTransversauxNumeros"] == [1]
    assert (first["statut"], first["statutLibelle"]) == ("en_cours", "En cours")
    assert (first["dateDebutPrevisionnelle"], first["dateFinPrevisionnelle"]) == (
        "2021-01-04",
        "2022-12-31",
    )
    assert first["publics"] == [p.name for p in db_first.publics.all()]
    assert first["axesOttawa"] == ["Réorienter les services de santé"]
    assert first["territoireIntervention"] == "qpv"
    assert first["qpv"] == [{"nom": "Axe Majeur-Horloge", "code": "QP095012"}]
    # A pilot named as a person counts by their structure, never by name.
    assert first["porteur"] == {
        "nom": "Relais santé",
        "sigle": None,
        "type": "association",
        "typeLibelle": "Association",
    }
    assert first["budgetPrevisionnel"] == 12501  # 12 500,50 € rounded to the euro
    assert first["financementsAcquis"] == 10000  # 8 000 + 2 000,40
    assert first["financementsDemandes"] == 1500
    (indicator,) = first["indicateurs"]
    assert indicator["nom"] == "Personnes accompagnées"
    assert (indicator["valeurInitiale"], indicator["cible"]) == (0, 120)
    assert indicator["mesures"] == [
        {"date": "2021-12-31", "valeur": 45},
        {"date": "2022-06-30", "valeur": 80.5},
    ]
    # A liberal professional pilots 1.2: a person, so the structure's name stays out.
    assert fiches["1.2"]["porteur"]["nom"] is None
    assert fiches["1.2"]["porteur"]["type"] == "professional"


def test_phase_and_status_follow_the_national_schema(contract):
    today = dt.date(2026, 1, 1)
    cases = [
        (ActionStatus.PLANNED, None, None, ("Étude", "En cours")),
        (ActionStatus.PLANNED, None, dt.date(2025, 1, 1), ("Étude", "En retard")),
        (ActionStatus.IN_PROGRESS, None, dt.date(2027, 1, 1), ("Opération", "En cours")),
        (ActionStatus.IN_PROGRESS, None, dt.date(2025, 1, 1), ("Opération", "En retard")),
        (ActionStatus.DONE, None, dt.date(2025, 1, 1), ("Opération", "Terminé")),
        (ActionStatus.POSTPONED, None, None, ("Étude", "En pause")),
        (ActionStatus.POSTPONED, dt.date(2024, 1, 1), None, ("Opération", "En pause")),
        (
            ActionStatus.ABANDONED,
            dt.date(2024, 1, 1),
            dt.date(2025, 1, 1),
            ("Opération", "Abandonné"),
        ),
        (ActionStatus.ABANDONED, None, None, ("Étude", "Abandonné")),
    ]
    for status, start, end, expected in cases:
        fiche = FicheAction(status=status, start_date=start, end_date=end)
        assert phase(fiche, today) == expected, (status, start, end)


def test_the_late_flag_is_the_progress_pages_rule(contract):
    fiches = {f["numero"]: f for f in get_json()["contrats"][0]["fichesActions"]}
    late = set(
        FicheAction.objects.filter(contract=contract)
        .filter(end_date__lt=timezone.localdate())
        .exclude(status__in=[ActionStatus.DONE, ActionStatus.ABANDONED])
        .values_list("number", flat=True)
    )
    assert late  # the fixture has late actions
    assert {n for n, f in fiches.items() if f["enRetard"]} == late
    assert all(fiches[n]["phaseStatut"] == "En retard" for n in late)


# --- CSV -------------------------------------------------------------------------------------


def test_every_csv_reads_back_equal_to_the_json(contract):
    document = get_json()
    for name, table in TABLES.items():
        header, rows = get_csv(name)
        assert header == list(table.columns), name
        expected = list(table.rows(document))
        assert len(rows) == len(expected), name
        for row, source in zip(rows, expected, strict=True):
            assert set(source) == set(table.columns), f"{name}: colonnes du JSON et du CSV"
            for column in table.columns:
                value = source[column]
                if value is None:
                    assert row[column] == "", (name, column)
                elif isinstance(value, bool):
                    assert row[column] == ("true" if value else "false"), (name, column)
                elif isinstance(value, list):
                    cells = row[column].split(";") if row[column] else []
                    assert cells == [str(v) for v in value], (name, column)
                else:
                    assert row[column] == str(value), (name, column)


def test_the_csv_files_match_the_database(contract):
    _, fiches = get_csv("fiches-actions")
    by_number = {row["numero"]: row for row in fiches}
    assert set(by_number) == set(contract.fiches_actions.values_list("number", flat=True))
    db_first = contract.fiches_actions.get(number="1.1")
    first = by_number["1.1"]
    assert first["id"] == str(db_first.pk)
    assert first["contratId"] == str(contract.pk)
    assert first["budgetPrevisionnel"] == "12501"
    assert first["financementsAcquis"] == "10000"
    assert first["porteurNom"] == "Relais santé"
    assert sorted(first["publics"].split(";")) == sorted(p.name for p in db_first.publics.all())
    assert first["qpv"] == "Axe Majeur-Horloge"
    _, measures = get_csv("mesures")
    assert (
        len(measures) == IndicatorValue.objects.filter(indicator__fiche__contract=contract).count()
    )
    assert {
        (m["date"], m["valeur"]) for m in measures if m["ficheActionId"] == str(db_first.pk)
    } == {
        ("2021-12-31", "45"),
        ("2022-06-30", "80.5"),
    }
    _, signatories = get_csv("signataires")
    assert [s["nom"] for s in signatories] == ["ARS Île-de-France", ""]
    _, axes = get_csv("axes")
    assert len(axes) == Axis.objects.filter(contract=contract).count()
    _, contracts = get_csv("contrats")
    assert [(c["id"], c["codeInsee"], c["nombreFichesActions"]) for c in contracts] == [
        (str(contract.pk), "95127", str(contract.fiches_actions.count()))
    ]


# --- Nothing personal ------------------------------------------------------------------------


def test_no_address_phone_or_persons_name_in_any_export(contract):
    for name, text in every_export().items():
        assert not EMAIL_PATTERN.search(text), f"{name} : une adresse e-mail"
        assert not PHONE_PATTERN.search(text), f"{name} : un numéro de téléphone"
        assert "Benali" not in text, f"{name} : le nom d'une personne"
        assert "Amina" not in text, f"{name} : le prénom d'une personne"
        assert "Fontaine" not in text, f"{name} : un professionnel libéral nommé"
    # Free text is scrubbed, not dropped: the title keeps its meaning.
    fiches = {f["numero"]: f for f in get_json()["contrats"][0]["fichesActions"]}
    assert fiches["1.1"]["nom"] == (
        "Médiation santé (écrire à [adresse retirée] ou au [numéro retiré])"
    )
    assert fiches["1.2"]["nom"] == "Consultations avancées avec [nom retiré]"
    assert fiches["1.1"]["indicateurs"][0]["source"] == (
        "Tableau de bord, [nom retiré] ([adresse retirée], [numéro retiré])"
    )


def test_a_leak_would_be_caught(contract):
    """The patterns above find what they are meant to find."""
    for leak in ("a.b@c.fr", "06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78"):
        assert EMAIL_PATTERN.search(leak) or PHONE_PATTERN.search(leak), leak


# --- Only what is published ------------------------------------------------------------------


def test_unpublished_and_draft_contracts_are_absent(contract, territory):
    unpublished = ContractFactory(territory=territory, title="CLS signé non publié")
    add_fiche(unpublished, AxisFactory(contract=unpublished), "9.1", "Fiche non publiée")
    draft = ContractFactory(
        territory=territory, title="Contrat en préparation", status=ContractStatus.DRAFT
    )
    add_fiche(draft, AxisFactory(contract=draft), "9.2", "Fiche brouillon")
    published(draft)  # set by hand in the database: still never exported
    closed = published(
        ContractFactory(
            territory=territory,
            kind=ContractKind.ASV,
            title="ASV clos",
            status=ContractStatus.CLOSED,
            start_year=2015,
            end_year=2019,
            closed_on=dt.date(2019, 12, 31),
        )
    )
    titles = [c["titre"] for c in get_json()["contrats"]]
    assert titles == [contract.title, closed.title]
    for text in every_export().values():
        for absent in ("non publié", "Fiche non publiée", "préparation", "brouillon"):
            assert absent not in text


def test_a_territory_without_published_contract_answers_not_found(territory, other_territory):
    ContractFactory(territory=territory)  # signed, not published
    client = Client()
    for slug in ("cergy", "vitry-sur-seine", "inconnu"):
        assert client.get(url("territory", slug)).status_code == 404
        assert client.get(url("document", slug)).status_code == 404
        assert client.get(url("table", slug, table="fiches-actions")).status_code == 404


def test_another_territorys_data_stays_out(contract, other_territory):
    other = published(ContractFactory(territory=other_territory, title="CLS de Vitry"))
    add_fiche(other, AxisFactory(contract=other), "1.1", "Action de Vitry")
    for text in every_export("cergy").values():
        assert "Vitry" not in text
    assert [c["titre"] for c in get_json("vitry-sur-seine")["contrats"]] == ["CLS de Vitry"]


def test_an_unknown_file_is_a_missing_page(contract):
    assert Client().get(f"{url('territory')}contacts.csv").status_code == 404


# --- Headers ----------------------------------------------------------------------------------


def test_data_carry_charset_cors_caching_and_last_modified(contract):
    client = Client()
    json_response = client.get(url("document"))
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    csv_response = client.get(url("table", table="fiches-actions"))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="cergy-fiches-actions.csv"'
    for response in (json_response, csv_response):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cache-Control"] == "public, max-age=300"
        modified = dt.datetime.strptime(response["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
        latest = max(
            contract.open_data_published_at,
            *contract.fiches_actions.values_list("updated_at", flat=True),
        )
        assert modified.replace(tzinfo=dt.UTC) == latest.replace(microsecond=0)
    assert client.head(url("document")).status_code == 200
    assert client.post(url("document")).status_code == 405


def test_the_public_page_lists_every_dataset_with_its_link_and_update(contract):
    response = Client().get(url("territory"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="fr"' in page
    assert f'href="http://testserver{url("document")}"' in page
    for name, table in TABLES.items():
        assert f'href="http://testserver{url("table", table=name)}"' in page
        assert str(table.title) in page
    assert contract.title in page
    assert "Dernière mise à jour" in page
    assert "Licence Ouverte" in page
    # The same page for everyone, signed in or not: shared caches may keep it a while.
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Vary" not in response or "Cookie" not in response["Vary"]


# --- Constant queries -------------------------------------------------------------------------


def test_each_address_answers_in_a_fixed_number_of_queries(contract):
    axis = Axis.objects.get(contract=contract, number=2)
    counter = iter(range(100, 200))

    def grow():
        for _ in range(6):
            grow_fiche(contract, axis, next(counter))

    client = Client()
    pinned = {}
    for name, address in (
        ("json", url("document")),
        ("csv", url("table", table="mesures")),
        ("page", url("territory")),
    ):
        pinned[name] = assert_constant_queries(client, address, grow)
    assert pinned == {"json": 12, "csv": 12, "page": 3}


# --- The scrubbing of free text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "published_as"),
    [
        ("Contact : prenom.nom@ville-cergy.fr", "Contact : [adresse retirée]"),
        ("écrire à accueil [at] relais.org", "écrire à [adresse retirée]"),
        ("Tél. 01 34 33 43 43", "Tél. [numéro retiré]"),
        ("au 06.12.34.56.78 ou au 0612345678", "au [numéro retiré] ou au [numéro retiré]"),
        ("+33 6 12 34 56 78", "[numéro retiré]"),
        ("+33 (0)1 34 33 43 43", "[numéro retiré]"),
        ("Mme Benali et M. Diallo", "[nom retiré] et [nom retiré]"),
        ("avec le Dr Fontaine", "avec le [nom retiré]"),
        # What stays: periods, amounts, QPV codes, percentages, ordinary capitals.
        ("CLS 2020-2022, axe 2.3", "CLS 2020-2022, axe 2.3"),
        ("Budget de 12 500 € en 2021", "Budget de 12 500 € en 2021"),
        ("QPV QP095012 Axe Majeur-Horloge", "QPV QP095012 Axe Majeur-Horloge"),
        ("Maison de santé Mme-Curie", "Maison de santé Mme-Curie"),
        ("10 000 habitants, 45 %", "10 000 habitants, 45 %"),
    ],
)
def test_free_text_is_scrubbed_and_nothing_else(typed, published_as):
    assert scrub(typed) == published_as
