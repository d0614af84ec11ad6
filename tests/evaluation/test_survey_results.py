"""The results page against the database: the response rate, each question's counts and
shares, the breakdown by sector, internal/external and work group, the comparison with the
previous campaign; what viewers read (aggregates only); a fixed number of queries."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from evaluation.surveys.models import Answer, QuestionKind, Survey
from partners.models import Sector
from tests.evaluation.test_survey_data import (
    campaign,
    invitation_of,
    partner,
    question,
    respond,
    send,
)
from tests.factories import ContactFactory, ContractFactory, WorkGroupFactory
from tests.support.queries import assert_constant_queries
from workgroups.models import Membership

pytestmark = pytest.mark.django_db

KNOWS = "Connaissez-vous"
EXPECTS = "Qu'attendez-vous"
SATISFIED = "Le CLS a-t-il permis"
COMMENT = "Commentaires libres"
KNOWS_ANSWERS = ["Oui, bien", "Un peu", "J'en ai seulement entendu parler", "Non"]
EXPECTATIONS = [
    "Mieux connaître la thématique",
    "Partager des expériences",
    "Rencontrer des partenaires, trouver des contacts",
    "Construire des projets communs",
]


class _Tables(HTMLParser):
    """Each table of the page: its caption, and its rows as the texts of their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag == "span" and "visually-hidden" in (dict(attrs).get("class") or ""):
            self._hidden += 1

    def handle_endtag(self, tag) -> None:
        if tag == "caption" and self._caption is not None:
            self._key = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._key] = self._rows
            self._rows = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if self._hidden:
            return
        for target in (self._caption, self._cell):
            if target is not None:
                target.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %"


@pytest.fixture
def answered(territory):
    """Eleven partners of four kinds, a work group, a closed campaign and an open one, both of
    the same questionnaire, answered differently."""
    contract = ContractFactory(territory=territory)
    people = (
        [partner(territory, sectors=("sante",)) for _ in range(4)]
        + [partner(territory, sectors=("social",), internal=True) for _ in range(3)]
        + [ContactFactory(territory=territory, organization=None)]
        + [partner(territory, sectors=("sport", "jeunesse")) for _ in range(3)]
    )
    group = WorkGroupFactory(contract=contract, name="GT Accès aux droits")
    for person in people[:5]:
        Membership.objects.create(group=group, contact=person)
    earlier = campaign(territory, contract=contract, opens=-400, closes=-380, title="Bilan 2024")
    send_anyway(earlier)
    survey = campaign(
        territory, contract=contract, questionnaire=earlier.questionnaire, title="Bilan 2025"
    )
    send(survey)
    knows, expects = question(survey, KNOWS), question(survey, EXPECTS)
    satisfied, comment = question(survey, SATISFIED), question(survey, COMMENT)
    # Last year, most did not know the CLS; this year, most do. The last person never answers.
    for n, person in enumerate(people[:6]):
        respond(
            earlier,
            person,
            {knows: "Non" if n < 4 else "Un peu", satisfied: 2},
            today=earlier.opens_on,
        )
    for n, person in enumerate(people[:10]):
        respond(
            survey,
            person,
            {
                knows: KNOWS_ANSWERS[n % 3],
                expects: EXPECTATIONS[: 1 + n % 4],
                satisfied: 3 + n % 3,
                comment: f"Remarque numéro {n} de l'atelier « santé »" if n % 2 else "",
            },
        )
    return {"survey": survey, "earlier": earlier, "people": people, "group": group}


def send_anyway(survey: Survey) -> None:
    """Send a campaign that is already closed (as it was sent when it was open)."""
    closes, opens = survey.closes_on, survey.opens_on
    today = timezone.localdate()
    survey.opens_on, survey.closes_on = today, today
    survey.save()
    send(survey)
    survey.refresh_from_db()
    survey.opens_on, survey.closes_on = opens, closes
    survey.save()


def url(survey, by: str = "") -> str:
    return f"/t/cergy/enquetes/{survey.pk}/resultats/" + (f"?par={by}" if by else "")


def answers(survey, **lookup):
    return Answer.objects.filter(
        invitation__survey=survey, invitation__submitted_at__isnull=False, **lookup
    )


def test_the_rate_and_every_answer_count_match_the_database(login_as, coordinator, answered):
    survey = answered["survey"]
    page = html_lib.unescape(login_as(coordinator).get(url(survey)).content.decode())
    invited = survey.invitations.count()
    responded = survey.invitations.filter(submitted_at__isnull=False).count()
    assert (invited, responded) == (11, 10)
    assert f"<dt>Ont répondu</dt><dd>{responded}</dd>" in page
    assert f"<dt>Taux de réponse</dt><dd>{percent(responded, invited)}</dd>" in page
    found = tables(page)
    for start in (KNOWS, EXPECTS, SATISFIED):
        q = question(survey, start)
        rows = found[f"Répartition des réponses : {q.text}"]
        respondents = answers(survey, question=q).values("invitation").distinct().count()
        assert f"réponses : {respondents}" in page
        body = {row[0]: row[1:3] for row in rows[1:] if row[0] != "Moyenne"}
        if q.kind == QuestionKind.SCALE:
            expected = {
                q.scale_label(v): answers(survey, question=q, value=v).count()
                for v in q.scale_values()
            }
        else:
            expected = {
                c.label: answers(survey, question=q, choice=c).count() for c in q.choices.all()
            }
        assert body == {
            label: [str(n), percent(n, respondents)] for label, n in expected.items()
        }, q.text


def test_the_breakdown_by_sector_matches_the_database(login_as, coordinator, answered):
    survey = answered["survey"]
    page = html_lib.unescape(login_as(coordinator).get(url(survey, "secteur")).content.decode())
    q = question(survey, KNOWS)
    rows = tables(page)[f"Par secteur · {q.text}"]
    header, body = rows[0], {row[0]: row[1:] for row in rows[1:]}
    assert header == ["Catégorie", "Répondants", *[c.label for c in q.choices.all()]]
    for name in ("Santé", "Social", "Sport", "Jeunesse"):
        in_sector = answers(
            survey, question=q, invitation__organization__sectors=Sector.objects.get(name=name)
        )
        n = in_sector.values("invitation").distinct().count()
        assert body[name][0] == str(n)
        for label, cell in zip([c.label for c in q.choices.all()], body[name][1:], strict=True):
            count = in_sector.filter(choice__label=label).count()
            assert cell == f"{count} ({percent(count, n)})", (name, label)
    # The person with no structure is counted apart, not dropped.
    assert body["Sans secteur renseigné"][0] == "1"


def test_the_breakdowns_by_internal_and_by_group_match_the_database(
    login_as, coordinator, answered
):
    survey = answered["survey"]
    q = question(survey, SATISFIED)
    client = login_as(coordinator)
    rows = tables(html_lib.unescape(client.get(url(survey, "interne")).content.decode()))
    body = {
        row[0]: row[1]
        for row in rows[f"Services de la collectivité et partenaires extérieurs · {q.text}"][1:]
    }
    for label, internal in (
        ("Services de la collectivité", True),
        ("Partenaires extérieurs", False),
    ):
        expected = answers(survey, question=q, invitation__organization__is_internal=internal)
        assert body[label] == str(expected.count())
    rows = tables(html_lib.unescape(client.get(url(survey, "groupe")).content.decode()))
    body = {row[0]: row for row in rows[f"Par groupe de travail · {q.text}"][1:]}
    in_group = answers(survey, question=q, invitation__groups=answered["group"])
    assert body["GT Accès aux droits"][1] == str(in_group.count())
    mean = sum(a.value for a in in_group) / in_group.count()
    assert body["GT Accès aux droits"][-1] == f"{mean:.1f}".replace(".", ",")


def test_the_comparison_says_what_moved_since_the_previous_campaign(
    login_as, coordinator, answered
):
    survey, earlier = answered["survey"], answered["earlier"]
    page = html_lib.unescape(login_as(coordinator).get(url(survey)).content.decode())
    assert "Comparaison avec la campagne précédente du même questionnaire, « Bilan 2024 »" in page
    q = question(survey, KNOWS)
    before = answers(earlier, question=q)
    now = answers(survey, question=q)
    share_before = 100 * before.filter(choice__label="Non").count() / before.count()
    share_now = 100 * now.filter(choice__label="Non").count() / now.count()
    moved = f"{round(share_now - share_before):+d}".replace("-", "−")
    assert f"{q.text} · « Non » : {round(share_now)} % ({moved} points)" in page
    row = next(r for r in tables(page)[f"Répartition des réponses : {q.text}"] if r[0] == "Non")
    assert row[3:] == [f"{round(share_before)} %", f"{moved} points"]


def test_free_texts_are_listed_for_the_coordination(login_as, coordinator, answered):
    survey = answered["survey"]
    page = html_lib.unescape(login_as(coordinator).get(url(survey)).content.decode())
    texts = answers(survey, question=question(survey, COMMENT)).exclude(text="")
    assert texts.count() == 5
    for answer in texts:
        assert answer.text in page


@pytest.mark.parametrize("who", ["viewer", "copilot"])
def test_others_read_aggregates_only(request, login_as, answered, who):
    survey = answered["survey"]
    client = login_as(request.getfixturevalue(who))
    for by in ("", "secteur", "groupe"):
        page = html_lib.unescape(client.get(url(survey, by)).content.decode())
        assert "Remarque numéro" not in page
        for person in answered["people"]:
            assert person.email not in page
            assert person.last_name not in page
    page = html_lib.unescape(client.get(url(survey, "secteur")).content.decode())
    q = question(survey, KNOWS)
    body = {row[0]: row for row in tables(page)[f"Par secteur · {q.text}"][1:]}
    # Two people of the sport sector: their line would say what each answered.
    assert body["Sport"][1] == "2"
    assert body["Sport"][2] == "moins de 3 personnes : non détaillé"
    assert body["Santé"][2].endswith("%)")
    detail = client.get(f"/t/cergy/enquetes/{survey.pk}/").content.decode()
    assert answered["people"][0].last_name not in detail


def test_a_viewer_reads_nothing_of_a_campaign_of_a_draft_contract(login_as, viewer):
    draft = ContractFactory(territory=viewer.territory, status="draft")
    survey = campaign(viewer.territory, contract=draft)
    client = login_as(viewer)
    assert client.get(url(survey)).status_code == 404
    assert client.get(f"/t/cergy/enquetes/{survey.pk}/").status_code == 404
    assert survey.title not in client.get("/t/cergy/enquetes/").content.decode()


def grow(territory, survey: Survey, n: int) -> None:
    people = [partner(territory, sectors=("sante", "social")) for _ in range(n)]
    send(survey)
    for k, person in enumerate(people):
        respond(
            survey,
            person,
            {
                question(survey, KNOWS): KNOWS_ANSWERS[k % 4],
                question(survey, EXPECTS): EXPECTATIONS[: 1 + k % 3],
                question(survey, SATISFIED): 1 + k % 5,
                question(survey, COMMENT): f"texte {k}",
            },
        )


@pytest.mark.parametrize("by", ["", "secteur", "interne", "groupe"])
@pytest.mark.parametrize("who", ["coordinator", "viewer"])
def test_the_results_page_costs_the_same_queries_whatever_the_answers(
    request, login_as, answered, by, who
):
    access = request.getfixturevalue(who)
    survey = answered["survey"]
    count = assert_constant_queries(
        login_as(access), url(survey, by), lambda: grow(access.territory, survey, 12), at_most=20
    )
    assert count > 0


def test_the_campaign_pages_cost_the_same_queries_whatever_the_answers(
    login_as, coordinator, answered
):
    survey = answered["survey"]
    client = login_as(coordinator)
    for page in (f"/t/cergy/enquetes/{survey.pk}/", "/t/cergy/enquetes/"):
        assert_constant_queries(
            client, page, lambda: grow(coordinator.territory, survey, 8), at_most=20
        )


def test_the_answer_page_costs_the_same_queries_whatever_the_questionnaire(
    client, territory, answered
):
    survey = answered["survey"]
    person = answered["people"][0]
    from evaluation.surveys.tokens import answer_token

    path = f"/t/cergy/repondre/{answer_token(invitation_of(survey, person).pk)}/"
    section = survey.questionnaire.sections.first()

    def more_questions():
        from evaluation.surveys import questionnaires

        for n in range(5):
            questionnaires.question_save(
                section=section,
                data={"kind": "multiple", "text": f"Question {n}", "choices": "A\nB\nC"},
            )

    assert_constant_queries(client, path, more_questions, at_most=12)
