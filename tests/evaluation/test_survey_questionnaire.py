"""The coordination writes its questionnaires: the proposed one in a click, then sections and
questions of every type, choices one per line; what partners already answered is kept."""

from __future__ import annotations

import html as html_lib

import pytest

from evaluation.surveys.models import Choice, Question, Questionnaire, Section
from tests.evaluation.test_survey_data import campaign, partner, question, respond, send
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    """The page's text as read: entities decoded, runs of white space as one space."""
    return " ".join(html_lib.unescape(response.content.decode()).split())


def test_the_proposed_questionnaire_is_one_click_away(login_as, coordinator):
    client = login_as(coordinator)
    listing = page_of(client.get("/t/cergy/questionnaires/"))
    assert "Créer le questionnaire proposé" in listing
    response = client.post("/t/cergy/questionnaires/propose/")
    made = Questionnaire.objects.get(territory=coordinator.territory)
    assert response["Location"] == f"/t/cergy/questionnaires/{made.pk}/"
    page = page_of(client.get(response["Location"]))
    assert "Connaissez-vous le CLS ?" in page
    assert "Comment souhaitez-vous vous inscrire dans le prochain CLS ?" in page
    assert "Échelle : de 1 à 5 (Pas du tout → Tout à fait)" in page


def test_a_diagnostic_in_six_sections_with_each_type_of_question(login_as, coordinator):
    """A coordinator who holds a structured diagnostic enters it: sections, then questions of
    every type (the wording here is ours, not the copyrighted tool's)."""
    client = login_as(coordinator)
    client.post("/t/cergy/questionnaires/nouveau/", {"title": "Diagnostic du partenariat"})
    made = Questionnaire.objects.get(title="Diagnostic du partenariat")
    for n in range(1, 7):
        client.post(
            f"/t/cergy/questionnaires/{made.pk}/parties/ajouter/", {"title": f"Condition {n}"}
        )
    assert list(made.sections.values_list("title", flat=True)) == [
        f"Condition {n}" for n in range(1, 7)
    ]
    first = made.sections.first()
    add = f"/t/cergy/questionnaires/parties/{first.pk}/questions/ajouter/"
    client.post(add, {"text": "Item A/B/C", "kind": "single", "choices": "A\nB\n\nC\nB"})
    client.post(add, {"text": "Plusieurs", "kind": "multiple", "choices": "X\nY"})
    client.post(
        add,
        {
            "text": "Sur une échelle",
            "kind": "scale",
            "scale_min": "0",
            "scale_max": "10",
            "scale_min_label": "Pas du tout",
            "scale_max_label": "Tout à fait",
        },
    )
    client.post(add, {"text": "En quelques mots", "kind": "text", "required": "on"})
    questions = list(first.questions.all())
    assert [(q.text, q.kind) for q in questions] == [
        ("Item A/B/C", "single"),
        ("Plusieurs", "multiple"),
        ("Sur une échelle", "scale"),
        ("En quelques mots", "text"),
    ]
    assert list(questions[0].choices.values_list("label", flat=True)) == ["A", "B", "C"]
    assert (questions[2].scale_min, questions[2].scale_max) == (0, 10)
    assert questions[3].required
    # Up one rank.
    client.post(
        f"/t/cergy/questionnaires/questions/{questions[1].pk}/deplacer/", {"direction": "up"}
    )
    assert list(first.questions.values_list("text", flat=True))[:2] == ["Plusieurs", "Item A/B/C"]


def test_a_choice_question_needs_two_choices(login_as, coordinator, territory):
    section = Section.objects.create(
        questionnaire=Questionnaire.objects.create(territory=territory, title="Q"), title="P"
    )
    client = login_as(coordinator)
    page = client.post(
        f"/t/cergy/questionnaires/parties/{section.pk}/questions/ajouter/",
        {"text": "Seule", "kind": "single", "choices": "Oui"},
    )
    assert page.status_code == 200
    assert "Proposez au moins deux réponses, une par ligne." in page_of(page)
    assert not Question.objects.exists()


@pytest.fixture
def answered(territory):
    lea = partner(territory)
    survey = campaign(territory)
    send(survey)
    knows = question(survey, "Connaissez-vous")
    respond(survey, lea, {knows: "Un peu"})
    return survey, knows


def test_fixing_a_typo_keeps_the_answers(login_as, coordinator, answered):
    _survey, knows = answered
    kept = knows.choices.get(label="Un peu")
    client = login_as(coordinator)
    lines = "Oui, bien\nUn peu (avec précision)\nJ'en ai seulement entendu parler\nNon"
    client.post(
        f"/t/cergy/questionnaires/questions/{knows.pk}/",
        {"text": knows.text, "kind": "single", "choices": lines, "required": "on"},
    )
    kept.refresh_from_db()
    assert kept.label == "Un peu (avec précision)"
    assert kept.answers.count() == 1


def test_what_was_answered_cannot_be_taken_away(login_as, coordinator, answered):
    survey, knows = answered
    client = login_as(coordinator)
    page = client.post(
        f"/t/cergy/questionnaires/questions/{knows.pk}/",
        {"text": knows.text, "kind": "single", "choices": "Oui, bien\nNon"},
    )
    assert "Des personnes ont déjà choisi « Un peu »" in page_of(page)
    assert Choice.objects.filter(question=knows).count() == 4
    page = client.post(
        f"/t/cergy/questionnaires/questions/{knows.pk}/",
        {"text": knows.text, "kind": "text"},
    )
    assert "le type de la question ne change plus" in page_of(page)
    response = client.post(f"/t/cergy/questionnaires/questions/{knows.pk}/supprimer/", follow=True)
    assert "elle ne peut plus être supprimée" in page_of(response)
    assert Question.objects.filter(pk=knows.pk).exists()
    response = client.post(
        f"/t/cergy/questionnaires/parties/{knows.section_id}/supprimer/", follow=True
    )
    assert Section.objects.filter(pk=knows.section_id).exists()
    # A question nobody answered goes.
    other = question(survey, "Commentaires libres")
    client.post(f"/t/cergy/questionnaires/questions/{other.pk}/supprimer/")
    assert not Question.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_only_the_coordination_writes_questionnaires(request, login_as, territory, who):
    client = login_as(request.getfixturevalue(who))
    assert client.get("/t/cergy/questionnaires/").status_code == 403
    assert client.post("/t/cergy/questionnaires/propose/").status_code == 403
    assert not Questionnaire.objects.exists()


def test_the_questionnaire_page_costs_the_same_queries_whatever_its_size(
    login_as, coordinator, territory
):
    from evaluation.surveys import questionnaires

    made = questionnaires.questionnaire_create_default(territory=territory)
    section = made.sections.first()

    def grow():
        for n in range(6):
            questionnaires.question_save(
                section=section, data={"kind": "single", "text": f"Q{n}", "choices": "A\nB\nC"}
            )
        questionnaires.section_save(questionnaire=made, data={"title": "Encore"})

    client = login_as(coordinator)
    assert_constant_queries(client, f"/t/cergy/questionnaires/{made.pk}/", grow, at_most=12)
    assert_constant_queries(client, "/t/cergy/questionnaires/", grow, at_most=10)
