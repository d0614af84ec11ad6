"""Interviews of a mid-term review (Vitry, 2025): recorded by the coordination, listed per axis
and per group, exported as CSV and XLSX; nobody else reads them."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io

import pytest
from openpyxl import load_workbook

from evaluation.interviews.models import Interview
from tests.evaluation.test_survey_data import partner
from tests.factories import AxisFactory, ContractFactory, WorkGroupFactory
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

ACCESS = "Accès aux droits, aux soins et à la prévention"


def page_of(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def review(territory):
    contract = ContractFactory(territory=territory, title="CLS 2023-2028")
    access_axis = AxisFactory(contract=contract, number=1, title=ACCESS)
    other_axis = AxisFactory(contract=contract, number=2, title="Santé mentale")
    group = WorkGroupFactory(contract=contract, axis=access_axis, name="GT Accès aux droits")
    nadia = partner(territory, first_name="Nadia", last_name="Benali", job_title="Directrice")
    return {
        "contract": contract,
        "axis": access_axis,
        "other_axis": other_axis,
        "group": group,
        "nadia": nadia,
    }


def interview_data(review, **changes):
    data = {
        "contract": review["contract"].pk,
        "held_on": "2025-05-12",
        "contact": "",
        "contact_id": review["nadia"].pk,
        "interviewee": "",
        "organization": "",
        "axis": "",
        "group": review["group"].pk,
        "missions": "Accueil social, domiciliation.",
        "territory_actions": "Permanences d'accès aux droits au centre social.",
        "needs": "Un interprète ; des créneaux de PMI.",
        "collaboration": "Animer un atelier « droits » avec la CPAM.",
        "follow_up": "Inviter au GT de juin ; présenter la structure.",
    }
    data.update(changes)
    return data


def test_an_interview_is_recorded_with_the_person_of_the_directory(login_as, coordinator, review):
    client = login_as(coordinator)
    response = client.post("/t/cergy/entretiens/nouveau/", interview_data(review))
    interview = Interview.objects.get()
    assert response["Location"] == f"/t/cergy/entretiens/{interview.pk}/"
    assert interview.contact == review["nadia"]
    assert interview.organization == review["nadia"].organization  # the person's structure
    assert interview.held_on == dt.date(2025, 5, 12)
    assert interview.conducted_by == coordinator.user
    page = page_of(client.get(response["Location"]))
    assert "Entretien avec Camille" not in page
    assert "Entretien avec Nadia Benali" in page
    assert "Animer un atelier « droits » avec la CPAM." in page
    # Filed under the group's axis.
    assert f"Axe 1 : {ACCESS}" in page


def test_someone_outside_the_directory_can_be_interviewed(login_as, coordinator, review):
    client = login_as(coordinator)
    client.post(
        "/t/cergy/entretiens/nouveau/",
        interview_data(review, contact_id="", interviewee="Mme Diallo, infirmière scolaire"),
    )
    assert Interview.objects.get().person_label == "Mme Diallo, infirmière scolaire"


def test_an_interview_names_someone_and_stays_within_its_contract(login_as, coordinator, review):
    client = login_as(coordinator)
    page = page_of(
        client.post("/t/cergy/entretiens/nouveau/", interview_data(review, contact_id=""))
    )
    assert "Indiquez la personne rencontrée" in page
    elsewhere = AxisFactory(contract=ContractFactory(territory=coordinator.territory))
    page = page_of(
        client.post("/t/cergy/entretiens/nouveau/", interview_data(review, axis=elsewhere.pk))
    )
    assert "Choisissez un axe de ce contrat." in page
    assert not Interview.objects.exists()


@pytest.fixture
def interviews(review, coordinator):
    made = []
    for n in range(3):
        made.append(
            Interview.objects.create(
                contract=review["contract"],
                held_on=dt.date(2025, 5, 10 + n),
                interviewee=f"Partenaire accès {n}",
                group=review["group"],
                needs=f"Besoin {n}",
            )
        )
    made.append(
        Interview.objects.create(
            contract=review["contract"],
            held_on=dt.date(2025, 6, 2),
            interviewee="Psychologue du CMP",
            axis=review["other_axis"],
            follow_up="Rejoindre le CLSM",
        )
    )
    made.append(
        Interview.objects.create(
            contract=review["contract"],
            held_on=dt.date(2025, 6, 3),
            interviewee="Sans rattachement",
        )
    )
    return made


def section_texts(page: str, heading: str, next_heading: str | None = None) -> str:
    start = page.index(f">{heading}</h2>")
    end = page.index(f">{next_heading}</h2>") if next_heading else len(page)
    return page[start:end]


def test_the_list_files_interviews_by_axis_then_by_group(login_as, coordinator, interviews):
    client = login_as(coordinator)
    page = page_of(client.get("/t/cergy/entretiens/"))
    by_axis = section_texts(page, f"Axe 1 : {ACCESS}", "Axe 2 : Santé mentale")
    assert all(f"Partenaire accès {n}" in by_axis for n in range(3))
    assert "Psychologue du CMP" in section_texts(page, "Axe 2 : Santé mentale", "Sans axe")
    assert "Sans rattachement" in section_texts(page, "Sans axe")
    page = page_of(client.get("/t/cergy/entretiens/?par=groupe"))
    in_group = section_texts(page, "GT Accès aux droits", "Sans groupe de travail")
    assert all(f"Partenaire accès {n}" in in_group for n in range(3))
    assert "Psychologue du CMP" in section_texts(page, "Sans groupe de travail")
    # Filtered on one axis: its group's interviews are not lost (they are filed under it).
    page = page_of(client.get(f"/t/cergy/entretiens/?group={interviews[0].group_id}"))
    assert "Psychologue du CMP" not in page and "Partenaire accès 2" in page


def test_the_exports_hold_every_interview_and_its_notes(login_as, coordinator, interviews):
    client = login_as(coordinator)
    response = client.get("/t/cergy/entretiens/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="entretiens-cergy-' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Date;Personne rencontrée;Fonction;Structure;Contrat;Axe")
    assert len(lines) == 1 + len(interviews)
    assert "Psychologue du CMP" in text and "Rejoindre le CLSM" in text
    response = client.get("/t/cergy/entretiens/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Date", "Personne rencontrée", "Fonction")
    assert {row[1] for row in rows[1:]} == {i.person_label for i in interviews}
    assert any(row[5] == f"Axe 1 : {ACCESS}" for row in rows[1:])


def test_a_note_that_looks_like_a_formula_stays_text_in_the_export(login_as, coordinator, review):
    Interview.objects.create(
        contract=review["contract"],
        held_on=dt.date(2025, 5, 2),
        interviewee="=1+2",
    )
    text = login_as(coordinator).get("/t/cergy/entretiens/export.csv").content.decode("utf-8-sig")
    assert ";'=1+2;" in text


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_reads_interviews(request, login_as, interviews, who):
    client = login_as(request.getfixturevalue(who))
    for url in (
        "/t/cergy/entretiens/",
        f"/t/cergy/entretiens/{interviews[0].pk}/",
        "/t/cergy/entretiens/export.csv",
    ):
        assert client.get(url).status_code == 403, url


def test_the_interview_list_costs_the_same_queries_whatever_its_length(
    login_as, coordinator, review, interviews
):
    def grow():
        for n in range(10):
            Interview.objects.create(
                contract=review["contract"],
                held_on=dt.date(2025, 7, 1 + n),
                contact=partner(coordinator.territory),
                group=review["group"] if n % 2 else None,
                axis=review["other_axis"] if n % 3 else None,
            )

    client = login_as(coordinator)
    for url in ("/t/cergy/entretiens/", "/t/cergy/entretiens/?par=groupe"):
        assert_constant_queries(client, url, grow, at_most=12)
