"""The results of a campaign, computed in a fixed number of queries whatever its size.

- the response rate (people who answered / people asked);
- per question: how many answered it, and for a choice or scale question the count and share
  of each answer (a share of those who answered the question: a multiple choice adds up to more
  than 100 %), the mean of a scale, a chart;
- the same figures for the previous campaign of the same questionnaire, and what moved (10
  points or more on an answer, half a point on a scale mean);
- a breakdown by sector, internal/external or work group, on request; a person whose structure
  works in two sectors counts in both;
- the free-text answers, for the coordination only.

Those who are not coordinators read aggregates only: no text, and in a breakdown no line drawn
from fewer than `MIN_GROUP` people (it would tell what one partner answered).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cls_platform.access import scoped
from cls_platform.models import Access

from .charts import bar_chart
from .models import Answer, Question, QuestionKind, Section, Survey, SurveyInvitation

MIN_GROUP = 3
MOVE_POINTS = 10
MOVE_MEAN = 0.5
MOVES_SHOWN = 8

DIMENSIONS = {
    "secteur": ("invitation__organization__sectors__name", "Par secteur"),
    "interne": (
        "invitation__organization__is_internal",
        "Services de la collectivité et partenaires extérieurs",
    ),
    "groupe": ("invitation__groups__name", "Par groupe de travail"),
}


def _share(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    percent: float
    previous: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else self.percent - self.previous

    @property
    def delta_label(self) -> str:
        return "" if self.delta is None else _points(self.delta)


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    respondents: int
    cells: list[tuple[int, float]] | None  # None: too few people to show
    mean: float | None = None


@dataclass(frozen=True)
class Breakdown:
    columns: list[str]
    rows: list[BreakdownRow]
    span: int  # the cells of a line beside its label and its count (for a line not shown)


@dataclass
class QuestionResult:
    question: Question
    respondents: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    previous_respondents: int | None = None
    previous_mean: float | None = None
    texts: list[str] = field(default_factory=list)
    chart: SafeString | str = ""
    breakdown: Breakdown | None = None

    @property
    def mean_delta(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean

    @property
    def mean_delta_label(self) -> str:
        return "" if self.mean_delta is None else _signed(self.mean_delta, 1)


@dataclass(frozen=True)
class SectionResult:
    section: Section
    questions: list[QuestionResult]


@dataclass(frozen=True)
class Move:
    """One figure that moved: "Connaissez-vous le CLS ? · « Non » : 25 % (−75 points)"."""

    question: str
    subject: str  # « the answer », or "moyenne"; empty for the response rate
    now: str
    delta: str


@dataclass(frozen=True)
class Rate:
    invited: int
    answered: int

    @property
    def percent(self) -> float:
        return _share(self.answered, self.invited)


@dataclass
class SurveyResults:
    survey: Survey
    rate: Rate
    previous: Survey | None
    previous_rate: Rate | None
    sections: list[SectionResult]
    moves: list[Move]
    dimension: str
    dimension_label: str
    shows_texts: bool


def previous_campaign(*, survey: Survey, access: Access) -> Survey | None:
    """The campaign of the same questionnaire sent just before this one, as `access` may see."""
    earlier = Q(opens_on__lt=survey.opens_on) | Q(opens_on=survey.opens_on, pk__lt=survey.pk)
    return (
        scoped(Survey.objects.all(), access)
        .filter(earlier, questionnaire_id=survey.questionnaire_id, sent_at__isnull=False)
        .order_by("-opens_on", "-pk")
        .first()
    )


def _rates(ids: list[int]) -> dict[int, Rate]:
    rows = (
        SurveyInvitation.objects.filter(survey_id__in=ids)
        .values("survey_id")
        .annotate(total=Count("id"), answered=Count("id", filter=Q(submitted_at__isnull=False)))
    )
    found = {r["survey_id"]: Rate(r["total"], r["answered"]) for r in rows}
    return {pk: found.get(pk, Rate(0, 0)) for pk in ids}


def _answers(ids: list[int]):
    return Answer.objects.filter(
        invitation__survey_id__in=ids, invitation__submitted_at__isnull=False
    ).order_by()


def _options(question: Question) -> list[tuple[tuple[int | None, int | None], str]]:
    """(key, label) of each answer a question offers: (choice id, None) or (None, value)."""
    if question.kind == QuestionKind.SCALE:
        return [((None, v), question.scale_label(v)) for v in question.scale_values()]
    return [((c.pk, None), c.label) for c in question.choices.all()]


def _category(dimension: str, value: object) -> str:
    if dimension == "interne":
        if value is None:
            return _("Structure non renseignée")
        return _("Services de la collectivité") if value else _("Partenaires extérieurs")
    if value is None:
        return _("Sans secteur renseigné") if dimension == "secteur" else _("Hors groupe")
    return str(value)


def _breakdowns(
    survey: Survey, questions: list[Question], dimension: str, shows_people: bool
) -> dict[int, Breakdown]:
    path = DIMENSIONS[dimension][0]
    answers = _answers([survey.pk])
    people: dict[tuple[int, str], int] = {}
    for row in answers.values("question_id", path).annotate(
        n=Count("invitation_id", distinct=True)
    ):
        people[(row["question_id"], _category(dimension, row[path]))] = row["n"]
    counts: dict[tuple[int, str], dict[tuple[int | None, int | None], int]] = defaultdict(dict)
    for row in answers.values("question_id", "choice_id", "value", path).annotate(
        n=Count("invitation_id", distinct=True)
    ):
        key = (row["question_id"], _category(dimension, row[path]))
        counts[key][(row["choice_id"], row["value"])] = row["n"]
    categories = sorted({c for _q, c in people}, key=str.casefold)
    result = {}
    for question in questions:
        if question.kind == QuestionKind.TEXT:
            continue
        options = _options(question)
        rows = []
        for category in categories:
            n = people.get((question.pk, category), 0)
            if not n:
                continue
            found = counts[(question.pk, category)]
            if not shows_people and n < MIN_GROUP:
                rows.append(BreakdownRow(category, n, None))
                continue
            cells = [(found.get(key, 0), _share(found.get(key, 0), n)) for key, _l in options]
            mean = None
            if question.kind == QuestionKind.SCALE:
                mean = sum(v * found.get((None, v), 0) for v in question.scale_values()) / n
            rows.append(BreakdownRow(category, n, cells, mean))
        span = len(options) + (1 if question.kind == QuestionKind.SCALE else 0)
        result[question.pk] = Breakdown([label for _k, label in options], rows, span)
    return result


def survey_results(*, survey: Survey, access: Access, dimension: str = "") -> SurveyResults:
    shows_people = access.is_coordinator
    questions = list(
        Question.objects.filter(section__questionnaire_id=survey.questionnaire_id)
        .select_related("section")
        .prefetch_related("choices")
        .order_by("section__position", "section_id", "position", "id")
    )
    previous = previous_campaign(survey=survey, access=access)
    ids = [survey.pk] + ([previous.pk] if previous else [])
    rates = _rates(ids)
    answers = _answers(ids)
    counts: dict[tuple[int, int], dict[tuple[int | None, int | None], int]] = defaultdict(dict)
    for row in answers.values(
        "invitation__survey_id", "question_id", "choice_id", "value"
    ).annotate(n=Count("id")):
        key = (row["invitation__survey_id"], row["question_id"])
        counts[key][(row["choice_id"], row["value"])] = row["n"]
    respondents = {
        (r["invitation__survey_id"], r["question_id"]): r["n"]
        for r in answers.values("invitation__survey_id", "question_id").annotate(
            n=Count("invitation_id", distinct=True)
        )
    }
    texts: dict[int, list[str]] = defaultdict(list)
    if shows_people:
        for question_id, text in (
            _answers([survey.pk])
            .filter(question__kind=QuestionKind.TEXT)
            .exclude(text="")
            .order_by("question_id", "invitation__submitted_at", "id")
            .values_list("question_id", "text")
        ):
            texts[question_id].append(text)
    dimension = dimension if dimension in DIMENSIONS else ""
    breakdowns = _breakdowns(survey, questions, dimension, shows_people) if dimension else {}

    sections: dict[int, list[QuestionResult]] = {}
    section_of: dict[int, Section] = {}
    moves: list[tuple[float, Move]] = []
    for question in questions:
        section_of[question.section_id] = question.section
        result = _question(question, survey, previous, counts, respondents, moves)
        result.texts = texts.get(question.pk, [])
        result.breakdown = breakdowns.get(question.pk)
        sections.setdefault(question.section_id, []).append(result)
    previous_rate = rates[previous.pk] if previous else None
    if previous_rate and previous_rate.invited and rates[survey.pk].invited:
        delta = rates[survey.pk].percent - previous_rate.percent
        if abs(delta) >= MOVE_POINTS:
            moves.append(
                (
                    abs(delta) + 100,  # the rate first
                    Move(
                        _("Taux de réponse"),
                        "",
                        f"{rates[survey.pk].percent:.0f} %",
                        _points(delta),
                    ),
                )
            )
    return SurveyResults(
        survey=survey,
        rate=rates[survey.pk],
        previous=previous,
        previous_rate=previous_rate,
        sections=[SectionResult(section_of[pk], items) for pk, items in sections.items()],
        moves=[move for _weight, move in sorted(moves, key=lambda m: -m[0])][:MOVES_SHOWN],
        dimension=dimension,
        dimension_label=DIMENSIONS[dimension][1] if dimension else "",
        shows_texts=shows_people,
    )


def _signed(value: float, digits: int) -> str:
    """ "+12", "−3,5": the sign always, a true minus, a French decimal comma."""
    text = f"{value:+.{digits}f}".replace("-", "−").replace(".", ",")
    return "0" if text.strip("+−0,") == "" else text


def _points(delta: float) -> str:
    return _("%(delta)s points") % {"delta": _signed(delta, 0)}


def _question(question, survey, previous, counts, respondents, moves) -> QuestionResult:
    n = respondents.get((survey.pk, question.pk), 0)
    result = QuestionResult(question=question, respondents=n)
    if question.kind == QuestionKind.TEXT:
        return result
    found = counts.get((survey.pk, question.pk), {})
    before_n = respondents.get((previous.pk, question.pk), 0) if previous else 0
    before = counts.get((previous.pk, question.pk), {}) if previous else {}
    if previous:
        result.previous_respondents = before_n
    for key, label in _options(question):
        row = Row(
            label=label,
            count=found.get(key, 0),
            percent=_share(found.get(key, 0), n),
            previous=_share(before.get(key, 0), before_n) if before_n else None,
        )
        result.rows.append(row)
        if n and row.delta is not None and abs(row.delta) >= MOVE_POINTS:
            moves.append(
                (
                    abs(row.delta),
                    Move(question.text, f"« {label} »", f"{row.percent:.0f} %", _points(row.delta)),
                )
            )
    if question.kind == QuestionKind.SCALE:
        if n:
            result.mean = sum(v * found.get((None, v), 0) for v in question.scale_values()) / n
        if before_n:
            result.previous_mean = (
                sum(v * before.get((None, v), 0) for v in question.scale_values()) / before_n
            )
        delta = result.mean_delta
        if delta is not None and abs(delta) >= MOVE_MEAN:
            moves.append(
                (
                    abs(delta) * 20,
                    Move(
                        question.text,
                        _("moyenne"),
                        f"{result.mean:.1f}".replace(".", ","),
                        _signed(delta, 1),
                    ),
                )
            )
    if n:
        result.chart = bar_chart(
            name=_("Graphique : %(question)s (les chiffres sont dans le tableau)")
            % {"question": question.text},
            labels=[r.label for r in result.rows],
            values=[r.percent for r in result.rows],
            previous=[r.previous for r in result.rows] if before_n else None,
            current_label=str(_("Cette campagne")),
            previous_label=str(_("Campagne précédente")),
        )
    return result
