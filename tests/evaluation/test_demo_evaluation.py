"""The demo's evaluation of the partnership (demo/*/evaluation.py, through seed_demo), as the
people who use it would notice it:

- Vitry's coordinator reads the closed mid-term questionnaire of 2025: about 40 answers from
  more partners asked, results per question and per sector that are the database's, answers
  that tell the narrative (the three stalled groups' partners are the least satisfied, meeting
  one another is what partners expect most), free comments; a signatory reads aggregates only;
  the interviews of the review are listed under the axis "Accès aux droits, aux soins et à la
  prévention";
- a Cergy partner answers the open questionnaire through the link seed_demo prints;
- the group pages show Vitry's groups 4, 5 and 6 stalled for the narrative's reasons and the
  others active, Cergy's groups meeting twice a year for two hours;
- the campaigns' e-mails are recorded as sent, nothing is mailed, and a second run adds no row.

The demo is seeded once for the module, inside a transaction rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client, TestCase
from django.utils import timezone

from actions.models import AxisKind
from cls_platform.mail import outbox
from cls_platform.models import Delivery, DeliveryStatus
from evaluation.interviews.models import Interview
from evaluation.surveys.models import (
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyAudience,
    SurveyInvitation,
)
from evaluation.surveys.questionnaires import DEFAULT_SECTIONS, DEFAULT_TITLE
from evaluation.surveys.services import KIND_SURVEY, KIND_SURVEY_REMINDER
from partners.models import Contact, Sector
from tests.evaluation.html_tables import table_records
from tests.evaluation.test_survey_results import tables
from workgroups.models import GroupKind, MeetingStatus, WorkGroup

pytestmark = pytest.mark.django_db

PASSWORD = "demo-cls-2026"
VITRY, CERGY = "vitry-sur-seine", "cergy"
ACCESS_AXIS = "Accès aux droits, aux soins et à la prévention"
STALLED, ACTIVE = (4, 5, 6), (1, 2, 3, 7)
QUESTIONS = [q.text for _title, _text, questions in DEFAULT_SECTIONS for q in questions]
KNOWS, INVOLVED, EXPECTS, SATISFIED, MET, NEXT, COMMENTS = QUESTIONS


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module, what it left to run after its commit and what it printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks() as callbacks:
            call_command("seed_demo", stdout=out)
        yield SimpleNamespace(callbacks=list(callbacks), output=out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db, settings):
    settings.DEBUG = True  # demo accounts are refused otherwise
    return seeded


def logged_in(email: str) -> Client:
    client = Client()
    assert client.login(username=email, password=PASSWORD)
    return client


def survey_of(slug: str) -> Survey:
    return Survey.objects.select_related("questionnaire").get(territory__slug=slug)


def answered(survey: Survey):
    return survey.invitations.filter(submitted_at__isnull=False)


def answers(survey: Survey, **lookup):
    return Answer.objects.filter(
        invitation__survey=survey, invitation__submitted_at__isnull=False, **lookup
    )


def page_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def results_url(survey: Survey, by: str = "") -> str:
    url = f"/t/{survey.territory.slug}/enquetes/{survey.pk}/resultats/"
    return url + (f"?par={by}" if by else "")


def expected_rows(survey: Survey, question) -> dict[str, list[str]]:
    """{answer: [count, share]} as the database gives them."""
    respondents = answers(survey, question=question).values("invitation").distinct().count()
    if question.kind == QuestionKind.SCALE:
        counts = {
            question.scale_label(v): answers(survey, question=question, value=v).count()
            for v in question.scale_values()
        }
    else:
        counts = {
            c.label: answers(survey, question=question, choice=c).count()
            for c in question.choices.all()
        }
    return {label: [str(n), percent(n, respondents)] for label, n in counts.items()}


def question_of(survey: Survey, text: str):
    return Question.objects.get(section__questionnaire=survey.questionnaire, text=text)


def satisfaction(survey: Survey, **lookup) -> list[int]:
    return list(answers(survey, question__text=SATISFIED, **lookup).values_list("value", flat=True))


def decimal(value: float, places: str = "0.1") -> str:
    """As the page writes a figure (floatformat: halves rounded up, a decimal comma)."""
    rounded = Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", ",")


def percent(part: int, whole: int) -> str:
    return f"{decimal(100 * part / whole, '1')} %"


# --- Vitry: the closed mid-term questionnaire --------------------------------------------------


def test_vitry_mid_term_questionnaire_closed_with_about_40_answers_of_more_asked(demo):
    survey = survey_of(VITRY)
    assert survey.is_closed() and survey.opens_on.year == survey.closes_on.year == 2025
    assert survey.questionnaire.title == DEFAULT_TITLE
    assert [q.text for s in survey.questionnaire.sections.all() for q in s.questions.all()] == (
        QUESTIONS
    )
    groups = WorkGroup.objects.filter(territory__slug=VITRY, kind=GroupKind.THEMATIC)
    assert survey.audience == SurveyAudience.GROUPS
    assert set(survey.groups.all()) == set(groups) and groups.count() == 7
    invited, replied = survey.invitations.count(), answered(survey).count()
    assert 35 <= replied <= 45 and replied < invited
    assert 0.25 <= replied / invited <= 0.6, "a realistic response rate"
    # Each answer came while the campaign was open; some came back to change theirs.
    opened = dt.datetime.combine(survey.opens_on, dt.time(), tzinfo=timezone.get_current_timezone())
    closed = opened + dt.timedelta(days=(survey.closes_on - survey.opens_on).days + 1)
    for invitation in answered(survey):
        assert opened <= invitation.submitted_at <= invitation.updated_at < closed
    assert answered(survey).filter(updated_at__gt=F("submitted_at")).exists()
    assert survey.reminder_count == 1 and opened < survey.last_reminder_at < closed
    assert survey.sent_at.date() == survey.opens_on


def test_vitry_results_per_question_are_the_databases(demo):
    survey = survey_of(VITRY)
    page = page_of(logged_in("coordination@vitry.demo"), results_url(survey))
    invited, replied = survey.invitations.count(), answered(survey).count()
    assert f"<dt>Personnes interrogées</dt><dd>{invited}</dd>" in page
    assert f"<dt>Ont répondu</dt><dd>{replied}</dd>" in page
    assert f"<dt>Taux de réponse</dt><dd>{percent(replied, invited)}</dd>" in page
    found = tables(page)
    questions = survey.questionnaire.sections.all()
    checked = 0
    for question in (q for s in questions for q in s.questions.all()):
        if question.kind == QuestionKind.TEXT:
            continue
        rows = found[f"Répartition des réponses : {question.text}"]
        body = {row[0]: row[1:3] for row in rows[1:] if row[0] != "Moyenne"}
        assert body == expected_rows(survey, question), question.text
        if question.kind == QuestionKind.SCALE:
            values = satisfaction(survey)
            assert [r for r in rows if r[0] == "Moyenne"] == [["Moyenne", decimal(mean(values))]]
        checked += 1
    assert checked == 6
    # The free comments, every one, for the coordination.
    comments = list(answers(survey, question__text=COMMENTS).values_list("text", flat=True))
    assert len(comments) >= 10
    for text in comments:
        assert f"<li>{text}</li>" in page


def test_vitry_results_per_sector_are_the_databases(demo):
    survey = survey_of(VITRY)
    page = page_of(logged_in("coordination@vitry.demo"), results_url(survey, "secteur"))
    found = tables(page)
    for text in (KNOWS, SATISFIED):
        question = question_of(survey, text)
        rows = found[f"Par secteur · {text}"]
        body = {row[0]: row[1:] for row in rows[1:]}
        sectors = Sector.objects.filter(
            organizations__survey_invitations__answers__in=answers(survey, question=question)
        ).distinct()
        assert set(body) == {s.name for s in sectors}
        assert len(body) >= 5, "partners of many sectors answered"
        for sector in sectors:
            mine = answers(survey, question=question, invitation__organization__sectors=sector)
            n = mine.values("invitation").distinct().count()
            assert body[sector.name][0] == str(n), sector.name
            if question.kind == QuestionKind.SCALE:
                values = [mine.filter(value=v).count() for v in question.scale_values()]
                assert body[sector.name][-1] == decimal(
                    sum(v * c for v, c in zip(question.scale_values(), values, strict=True)) / n
                )
            else:
                values = [mine.filter(choice=c).count() for c in question.choices.all()]
            assert body[sector.name][1 : 1 + len(values)] == [
                f"{c} ({percent(c, n)})" for c in values
            ], sector.name


def test_vitry_answers_tell_the_narratives_story(demo):
    """The partners of the three groups stalled since their co-pilot left are the least
    satisfied; meeting other partners is what partners expect most of the groups; the comments
    say why groups stopped and why the residents' association left."""
    survey = survey_of(VITRY)
    page = page_of(logged_in("coordination@vitry.demo"), results_url(survey, "groupe"))
    rows = {row[0]: row for row in tables(page)[f"Par groupe de travail · {SATISFIED}"][1:]}
    overall = mean(satisfaction(survey))
    means = {}
    for group in WorkGroup.objects.filter(territory__slug=VITRY).select_related("axis"):
        values = satisfaction(survey, invitation__groups=group)
        assert rows[group.name][1] == str(len(values)), group.name
        assert rows[group.name][-1] == decimal(mean(values)), group.name
        means[group.axis.number] = mean(values)
        if group.axis.number in STALLED:
            assert len(values) >= 3, "the review hears each stalled group"
            assert means[group.axis.number] < overall, group.name
    assert mean(means[n] for n in ACTIVE) - mean(means[n] for n in STALLED) >= 1

    expects = expected_rows(survey, question_of(survey, EXPECTS))
    top = max(expects, key=lambda label: int(expects[label][0]))
    assert top == "Rencontrer des partenaires, trouver des contacts"

    comments = " ".join(answers(survey, question__text=COMMENTS).values_list("text", flat=True))
    assert "vocabulaire de professionnels" in comments  # the residents' association
    assert "départ" in comments and "plus réuni" in comments


def test_a_signatory_reads_the_vitry_results_as_aggregates_only(demo):
    survey = survey_of(VITRY)
    page = page_of(logged_in("ars-idf@ars.demo"), results_url(survey))
    assert "Résultats d'ensemble : aucune réponse individuelle n'est montrée" in page
    for text in answers(survey, question__text=COMMENTS).values_list("text", flat=True):
        assert text not in page
    assert "@" not in re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])


# --- Vitry: the interviews of the review ---------------------------------------------------------


def test_the_review_interviews_are_listed_under_the_access_axis(demo):
    axis = WorkGroup.objects.get(territory__slug=VITRY, axis__title=ACCESS_AXIS).axis
    interviews = list(
        Interview.objects.filter(axis=axis).select_related("contact", "group", "organization")
    )
    assert 5 <= len(interviews) <= 8
    page = page_of(logged_in("coordination@vitry.demo"), "/t/vitry-sur-seine/entretiens/")
    (listed,) = [rows for caption, rows in tables(page).items() if ACCESS_AXIS in caption]
    people = sorted(row[0] for row in listed[1:])  # the person, then their structure
    assert people == sorted(f"{i.person_label} {i.organization.name}" for i in interviews)
    for interview in interviews:
        assert interview.held_on.year == 2025
        assert interview.group.axis_id == axis.pk
        assert interview.organization is not None
        notes = [
            interview.missions,
            interview.territory_actions,
            interview.needs,
            interview.collaboration,
            interview.follow_up,
        ]
        assert all(len(n) > 40 for n in notes), interview
        if interview.contact is not None:
            assert interview.contact.organization_id == interview.organization_id
            assert interview.contact.left_at is None or interview.contact.left_at > (
                interview.held_on
            )
    assert any(i.contact is None and i.interviewee for i in interviews), (
        "someone met who is not in the directory"
    )
    assert Interview.objects.filter(territory__slug=VITRY).count() == len(interviews)


# --- Cergy: the open questionnaire ---------------------------------------------------------------


def test_cergy_questionnaire_is_open_for_weeks_with_its_first_answers(demo):
    survey = survey_of(CERGY)
    today = timezone.localdate()
    assert survey.is_open() and survey.sent_at is not None
    assert survey.opens_on < today and survey.closes_on >= today + dt.timedelta(days=21)
    assert [q.text for s in survey.questionnaire.sections.all() for q in s.questions.all()] == (
        QUESTIONS
    )
    assert survey.audience == SurveyAudience.ALL_PARTNERS
    assert survey.invitations.count() >= 180, "every partner is asked"
    assert 10 <= answered(survey).count() <= 20
    assert not answered(survey).filter(submitted_at__gte=timezone.now()).exists()
    assert survey.reminder_count == 0, "the reminder is left for the coordinator to send"


def test_a_cergy_partner_answers_through_the_link_seed_demo_prints(demo):
    survey = survey_of(CERGY)
    found = re.search(r"sans compte : (\S+/repondre/\S+/)", demo.output)
    assert found, demo.output
    path = urlsplit(found[1]).path
    form = Client().get(path)
    assert form.status_code == 200
    invitation = form.context["page"].invitation
    assert invitation.submitted_at is None
    questions = {q.text: q for q in form.context["page"].questions}
    before = answered(survey).count()
    response = Client().post(
        path,
        {
            f"q{questions[KNOWS].pk}": str(questions[KNOWS].choices.get(label="Un peu").pk),
            f"q{questions[SATISFIED].pk}": "4",
            f"q{questions[COMMENTS].pk}": "Merci pour les temps d'interconnaissance.",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?enregistre=1")
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert answered(survey).count() == before + 1
    assert sorted(
        str(a.choice or a.value or a.text) for a in invitation.answers.select_related("choice")
    ) == ["4", "Merci pour les temps d'interconnaissance.", "Un peu"]


# --- the groups' health, as the group pages show it ----------------------------------------------


def test_the_group_pages_show_vitrys_stalled_groups_for_the_narratives_reasons(demo):
    page = page_of(logged_in("coordination@vitry.demo"), "/t/vitry-sur-seine/groupes/")
    rows = {r["Groupe"].split(" · ")[0]: r for r in table_records(page, "Groupe")}
    for number in ACTIVE:
        assert rows[f"GT {number}"]["Vitalité"] == "Actif", rows[f"GT {number}"]
    for number in STALLED:
        group = WorkGroup.objects.get(territory__slug=VITRY, axis__number=number)
        gone = group.pilots.get(left_at__isnull=False)
        state = rows[f"GT {number}"]["Vitalité"]
        assert state.startswith("À l'arrêt"), state
        assert f"{gone.full_name} ({gone.organization.name}) a quitté sa structure" in state
        assert "personne ne lui a succédé" in state  # the seat is vacant
        assert "Plus de réunion depuis" in state  # no meeting for months
        assert "mis en veille" in state


def test_cergy_groups_meet_twice_a_year_for_two_hours_and_are_active(demo):
    page = page_of(logged_in("coordination@cergy.demo"), "/t/cergy/groupes/")
    rows = {r["Groupe"].split(" · ")[0]: r for r in table_records(page, "Groupe")}
    groups = WorkGroup.objects.filter(territory__slug=CERGY, kind=GroupKind.THEMATIC)
    assert groups.count() == 4
    for group in groups:
        assert group.target_meetings_per_year == 2
        row = rows[group.name.split(" · ")[0]]
        assert row["Vitalité"] == "Actif", row
        assert row["Réunions sur 12 mois"].endswith("/ 2")
        assert int(row["Réunions sur 12 mois"].split(" / ")[0]) >= 2
        for meeting in group.meetings.exclude(status=MeetingStatus.CANCELLED):
            assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=2), meeting


# --- the e-mails, and a second run ---------------------------------------------------------------


def test_the_campaigns_emails_are_recorded_as_sent_and_nothing_is_mailed(demo):
    surveys = list(Survey.objects.all())
    assert len(surveys) == 2
    for survey in surveys:
        rows = Delivery.objects.filter(topic=survey.topic)
        asked = set(survey.invitations.values_list("contact_id", flat=True))
        invited = set(rows.filter(kind=KIND_SURVEY).values_list("contact_id", flat=True))
        assert invited == asked
        assert not rows.exclude(status=DeliveryStatus.SENT).exists()
        assert not rows.filter(sent_at__date__gt=timezone.localdate()).exists()
        reminded = set(rows.filter(kind=KIND_SURVEY_REMINDER).values_list("contact_id", flat=True))
        if survey.reminder_count:
            before = set(
                survey.invitations.filter(submitted_at__lt=survey.last_reminder_at).values_list(
                    "contact_id", flat=True
                )
            )
            assert reminded == asked - before, "those who had not answered, and they only"
            assert survey.invitations.filter(contact_id__in=reminded, submitted_at__isnull=True)
        else:
            assert not reminded
    # What the seed left to run after its commit hands nothing to the workers (its campaigns'
    # rows are recorded as sent before), and handing them every row sends nothing.
    dispatches = [
        c for c in demo.callbacks if isinstance(c, functools.partial) and c.func is outbox.dispatch
    ]
    survey_rows = set(
        Delivery.objects.filter(topic__startswith="survey:").values_list("pk", flat=True)
    )
    survey_dispatches = [c for c in dispatches if survey_rows & set(c.args[0])]
    assert survey_dispatches, "the campaigns were sent through the outbox"
    assert [c() for c in survey_dispatches] == [0] * len(survey_dispatches)
    assert outbox.dispatch(survey_rows) == 0
    assert mail.outbox == []
    assert (
        not Delivery.objects.filter(pk__in=survey_rows).exclude(status=DeliveryStatus.SENT).exists()
    )


def evaluation_counts() -> dict[str, int]:
    models = [*apps.get_app_config("evaluation").get_models(), Delivery, Contact]
    through = [Survey.groups.through, SurveyInvitation.groups.through]
    return {m._meta.label: m.objects.count() for m in [*models, *through]}


def test_running_seed_demo_again_adds_no_evaluation_row(demo):
    before = evaluation_counts()
    assert before["evaluation.Answer"] > 100
    assert before["evaluation.Interview"] >= 5
    call_command("seed_demo", stdout=io.StringIO())
    assert evaluation_counts() == before


def test_the_axis_of_the_review_is_a_thematic_axis_of_vitrys_current_contract(demo):
    axis = Interview.objects.filter(territory__slug=VITRY).first().axis
    assert axis.kind == AxisKind.THEMATIC and axis.title == ACCESS_AXIS
    assert axis.contract.start_year == 2023
