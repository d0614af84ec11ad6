"""Writes of the questionnaires: the default one, and what coordinators edit (sections,
questions, choices, their order).

A questionnaire already answered stays editable (a typo fixed, a question added for the next
campaign), but nothing that answers point to can go: a question, a choice or a section with
answers is refused deletion, and an answered question keeps its type. The choices of a question
are edited as lines of text; each line keeps the choice it names (the same label, or else the
choice at its rank), so that fixing a typo keeps the answers already given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cls_platform.models import Territory

from .models import CHOICE_KINDS, Answer, Choice, Question, QuestionKind, Questionnaire, Section


@dataclass(frozen=True)
class DefaultQuestion:
    text: str
    kind: str
    choices: tuple[str, ...] = ()
    help_text: str = ""
    required: bool = False
    scale: tuple[int, int, str, str] = (1, 5, "", "")


# What the Cergy narrative asks partners about the partnership (capitalisation, 2023): do they
# know the CLS, how involved are they, what do they expect of the groups, were those
# expectations met, did they meet professionals they did not know, how do they want to take part
# in the next CLS; plus free comments. The expectations are those the Vitry narrative lists.
DEFAULT_TITLE = "Auto-évaluation de la dynamique partenariale"
DEFAULT_INTRODUCTION = (
    "Ce questionnaire court (5 minutes) nous aide à évaluer ensemble le Contrat local de santé "
    "et la place que chacun y trouve. Vos réponses sont lues par la coordination du CLS ; les "
    "résultats sont présentés de façon globale, sans nommer personne."
)
DEFAULT_SECTIONS: tuple[tuple[str, str, tuple[DefaultQuestion, ...]], ...] = (
    (
        "Votre connaissance du CLS et votre implication",
        "",
        (
            DefaultQuestion(
                "Connaissez-vous le CLS ?",
                QuestionKind.SINGLE,
                (
                    "Oui, bien",
                    "Un peu",
                    "J'en ai seulement entendu parler",
                    "Non",
                ),
                required=True,
            ),
            DefaultQuestion(
                "Quel est votre niveau d'implication dans le CLS ?",
                QuestionKind.SINGLE,
                (
                    "Je pilote ou co-pilote une action ou un groupe de travail",
                    "Je participe régulièrement aux groupes de travail",
                    "Je participe de temps en temps",
                    "Je suis informé·e (comptes-rendus) sans participer",
                    "Je ne suis pas impliqué·e",
                ),
            ),
        ),
    ),
    (
        "Les groupes de travail",
        "",
        (
            DefaultQuestion(
                "Qu'attendez-vous des groupes de travail ?",
                QuestionKind.MULTIPLE,
                (
                    "Mieux connaître la thématique",
                    "Partager des expériences",
                    "Rencontrer des partenaires, trouver des contacts",
                    "Construire des projets communs",
                    "Suivre l'avancement des actions du CLS",
                    "Faire connaître l'offre de ma structure",
                ),
                help_text="Plusieurs réponses possibles.",
            ),
            DefaultQuestion(
                "Le CLS a-t-il permis de satisfaire vos attentes ?",
                QuestionKind.SCALE,
                scale=(1, 5, "Pas du tout", "Tout à fait"),
            ),
            DefaultQuestion(
                "Grâce au CLS, avez-vous rencontré des professionnels que vous ne connaissiez pas ?",
                QuestionKind.SINGLE,
                ("Oui, plusieurs", "Oui, quelques-uns", "Non"),
            ),
        ),
    ),
    (
        "Le prochain CLS",
        "",
        (
            DefaultQuestion(
                "Comment souhaitez-vous vous inscrire dans le prochain CLS ?",
                QuestionKind.MULTIPLE,
                (
                    "Piloter ou co-piloter une action",
                    "Co-animer un groupe de travail",
                    "Participer aux groupes de travail",
                    "Être partenaire d'une action",
                    "Être tenu·e informé·e des travaux",
                    "Je ne sais pas encore",
                ),
                help_text="Plusieurs réponses possibles.",
            ),
            DefaultQuestion(
                "Commentaires libres",
                QuestionKind.TEXT,
                help_text="Remarques, suggestions, idées pour le CLS.",
            ),
        ),
    ),
)


@transaction.atomic
def questionnaire_create_default(*, territory: Territory, title: str = "") -> Questionnaire:
    """The built-in questionnaire on the partnership, for the coordination to send or adapt."""
    questionnaire = Questionnaire.objects.create(
        territory=territory, title=title or DEFAULT_TITLE, introduction=DEFAULT_INTRODUCTION
    )
    for section_rank, (section_title, description, questions) in enumerate(DEFAULT_SECTIONS):
        section = Section.objects.create(
            questionnaire=questionnaire,
            title=section_title,
            description=description,
            position=section_rank,
        )
        for rank, item in enumerate(questions):
            low, high, low_label, high_label = item.scale
            question = Question.objects.create(
                section=section,
                kind=item.kind,
                text=item.text,
                help_text=item.help_text,
                required=item.required,
                position=rank,
                scale_min=low,
                scale_max=high,
                scale_min_label=low_label,
                scale_max_label=high_label,
            )
            Choice.objects.bulk_create(
                Choice(question=question, label=label, position=n)
                for n, label in enumerate(item.choices)
            )
    return questionnaire


@transaction.atomic
def questionnaire_save(
    *, territory: Territory, data: dict[str, Any], questionnaire: Questionnaire | None = None
) -> Questionnaire:
    """A new questionnaire (empty: its sections come next), or its title and introduction."""
    questionnaire = questionnaire or Questionnaire(territory=territory)
    questionnaire.title = data["title"].strip()
    questionnaire.introduction = data.get("introduction", "").strip()
    questionnaire.save()
    return questionnaire


def _next_position(queryset) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def section_save(
    *,
    data: dict[str, Any],
    questionnaire: Questionnaire | None = None,
    section: Section | None = None,
) -> Section:
    if section is None:
        assert questionnaire is not None
        section = Section(
            questionnaire=questionnaire, position=_next_position(questionnaire.sections.all())
        )
    section.title = data["title"].strip()
    section.description = data.get("description", "").strip()
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    if Answer.objects.filter(question__section=section).exists():
        raise ValidationError(
            _(
                "Des personnes ont déjà répondu aux questions de cette partie : elle ne peut "
                "plus être supprimée. Vous pouvez en modifier l'intitulé."
            )
        )
    section.delete()


def choice_lines(text: str) -> list[str]:
    """The choices typed one per line, without blank lines nor repeats."""
    seen: set[str] = set()
    lines = []
    for line in text.splitlines():
        label = " ".join(line.split())
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            lines.append(label)
    return lines


def _save_choices(question: Question, labels: list[str]) -> None:
    existing = list(question.choices.order_by("position", "id"))
    by_label = {c.label.casefold(): c for c in existing}
    kept: dict[int, Choice] = {}
    for rank, label in enumerate(labels):
        same = by_label.get(label.casefold())
        if same is not None:
            kept[rank] = same
    leftover = [c for c in existing if c not in kept.values()]
    final: list[Choice] = []
    for rank, label in enumerate(labels):
        choice = kept.get(rank) or (leftover.pop(0) if leftover else Choice(question=question))
        choice.label, choice.position = label, rank
        final.append(choice)
    answered = set(
        Answer.objects.filter(choice__in=leftover).values_list("choice__label", flat=True)
    )
    if answered:
        raise ValidationError(
            {
                "choices": _(
                    "Des personnes ont déjà choisi « %(labels)s » : cette réponse ne peut plus "
                    "être retirée."
                )
                % {"labels": " », « ".join(sorted(answered))}
            }
        )
    Choice.objects.filter(pk__in=[c.pk for c in leftover]).delete()
    for choice in final:
        choice.save()


@transaction.atomic
def question_save(
    *, data: dict[str, Any], section: Section | None = None, question: Question | None = None
) -> Question:
    """A question and, for a choice question, its choices (`data["choices"]`, one per line)."""
    if question is None:
        assert section is not None
        question = Question(section=section, position=_next_position(section.questions.all()))
    elif data["kind"] != question.kind and question.answers.exists():
        raise ValidationError(
            {"kind": _("Des personnes ont déjà répondu : le type de la question ne change plus.")}
        )
    question.kind = data["kind"]
    question.text = data["text"].strip()
    question.help_text = data.get("help_text", "").strip()
    question.required = bool(data.get("required"))
    if question.kind == QuestionKind.SCALE:
        low, high = data.get("scale_min"), data.get("scale_max")
        low = 1 if low is None else low
        high = 5 if high is None else high
        if not 0 <= low < high <= 10:
            raise ValidationError(
                {"scale_max": _("L'échelle va d'une valeur à une valeur plus haute, 10 au plus.")}
            )
        question.scale_min, question.scale_max = low, high
        question.scale_min_label = data.get("scale_min_label", "").strip()
        question.scale_max_label = data.get("scale_max_label", "").strip()
    labels = choice_lines(data.get("choices", "")) if question.kind in CHOICE_KINDS else []
    if question.kind in CHOICE_KINDS and len(labels) < 2:
        raise ValidationError({"choices": _("Proposez au moins deux réponses, une par ligne.")})
    question.save()
    _save_choices(question, labels)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    if question.answers.exists():
        raise ValidationError(
            _("Des personnes ont déjà répondu à cette question : elle ne peut plus être supprimée.")
        )
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """One rank up or down within its section (nothing at either end)."""
    siblings = list(
        Question.objects.select_for_update()
        .filter(section_id=question.section_id)
        .order_by("position", "id")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for rank, item in enumerate(siblings):
        if item.position != rank:
            item.position = rank
            item.save(update_fields=["position"])
