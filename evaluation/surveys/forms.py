"""Forms of the questionnaires, the campaigns and the partner's answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from actions.models import Contract
from cls_platform.forms import IsoDateInput
from cls_platform.models import Territory
from workgroups.models import WorkGroup

from .models import Answer, Question, QuestionKind, Questionnaire, SurveyAudience


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=250)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Affichée en tête du questionnaire, au-dessus des questions."),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé de la partie"), max_length=250)
    description = forms.CharField(
        label=_("Présentation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(
        label=_("Type de question"), choices=QuestionKind.choices, widget=forms.RadioSelect
    )
    help_text = forms.CharField(
        label=_("Précision"),
        max_length=300,
        required=False,
        help_text=_("Une indication sous la question (« Plusieurs réponses possibles »…)."),
    )
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False)
    choices = forms.CharField(
        label=_("Réponses proposées (choix unique ou multiples)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Une réponse par ligne, dans l'ordre où elles s'affichent."),
    )
    scale_min = forms.IntegerField(
        label=_("Échelle : de"), min_value=0, max_value=9, required=False, initial=1
    )
    scale_max = forms.IntegerField(
        label=_("Échelle : à"), min_value=1, max_value=10, required=False, initial=5
    )
    scale_min_label = forms.CharField(
        label=_("Libellé du bas de l'échelle"),
        max_length=100,
        required=False,
        help_text=_("Par exemple « Pas du tout »."),
    )
    scale_max_label = forms.CharField(
        label=_("Libellé du haut de l'échelle"),
        max_length=100,
        required=False,
        help_text=_("Par exemple « Tout à fait »."),
    )

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        return {
            "text": question.text,
            "kind": question.kind,
            "help_text": question.help_text,
            "required": question.required,
            "choices": "\n".join(c.label for c in question.choices.all()),
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "scale_min_label": question.scale_min_label,
            "scale_max_label": question.scale_max_label,
        }


class GroupChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: WorkGroup) -> str:
        return f"{obj.name} ({obj.contract.title})"


class SurveyForm(forms.Form):
    title = forms.CharField(
        label=_("Intitulé de la campagne"),
        max_length=250,
        help_text=_("Par exemple « Bilan à mi-parcours 2025 » : les partenaires le lisent."),
    )
    contract = forms.ModelChoiceField(label=_("Contrat"), queryset=Contract.objects.none())
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.none()
    )
    message = forms.CharField(
        label=_("Mot d'accompagnement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Quelques lignes en tête de l'e-mail et du questionnaire."),
    )
    audience = forms.ChoiceField(
        label=_("Destinataires"),
        choices=SurveyAudience.choices,
        initial=SurveyAudience.ALL_PARTNERS,
        widget=forms.RadioSelect,
    )
    groups = GroupChoiceField(
        label=_("Groupes de travail"),
        queryset=WorkGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pour « groupes choisis » : leurs pilotes, leurs membres et les personnes venues à "
            "leurs réunions."
        ),
    )
    opens_on = forms.DateField(label=_("Ouverture"), widget=IsoDateInput)
    closes_on = forms.DateField(
        label=_("Clôture"),
        widget=IsoDateInput,
        help_text=_("Dernier jour pour répondre : les réponses restent modifiables jusque-là."),
    )

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(territory=territory)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(territory=territory)
        self.fields["groups"].queryset = WorkGroup.objects.filter(
            territory=territory
        ).select_related("contract")


def answer_field(question: Question) -> forms.Field:
    """The form field of one question of the answer page."""
    label = question.text
    if question.required:
        label = _("%(question)s (obligatoire)") % {"question": question.text}
    common: dict[str, Any] = {
        "label": label,
        "required": question.required,
        # Django writes help texts as HTML: what the coordination typed is shown as text.
        "help_text": escape(question.help_text),
    }
    if question.kind == QuestionKind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if question.kind == QuestionKind.SCALE:
        choices = [(str(v), question.scale_label(v)) for v in question.scale_values()]
        return forms.TypedChoiceField(
            choices=choices, coerce=int, widget=forms.RadioSelect, empty_value=None, **common
        )
    choices = [(str(c.pk), c.label) for c in question.choices.all()]
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question, filled with the person's earlier answers."""

    def __init__(
        self, *args: Any, questions: list[Question], answers: list[Answer], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        given: dict[int, list[Answer]] = {}
        for answer in answers:
            given.setdefault(answer.question_id, []).append(answer)
        self.questions = questions
        for question in questions:
            name = field_name(question)
            self.fields[name] = answer_field(question)
            earlier = given.get(question.pk, [])
            if not earlier:
                continue
            if question.kind == QuestionKind.TEXT:
                self.initial[name] = earlier[0].text
            elif question.kind == QuestionKind.SCALE:
                self.initial[name] = str(earlier[0].value)
            elif question.kind == QuestionKind.MULTIPLE:
                self.initial[name] = [str(a.choice_id) for a in earlier]
            else:
                self.initial[name] = str(earlier[0].choice_id)

    def by_section(self, sections: list[Any]) -> list[tuple[Any, list[BoundField]]]:
        """Each section with the fields of its questions, in order."""
        return [
            (section, [self[field_name(q)] for q in section.questions.all()])
            for section in sections
        ]

    def errors_to_reach(self) -> list[tuple[str, str]]:
        """(question, the id of its first input) of each question in error, for the summary
        above the form: a link takes the keyboard to the question."""
        reach = []
        for question in self.questions:
            name = field_name(question)
            if name in self.errors:
                suffix = "" if question.kind == QuestionKind.TEXT else "_0"
                reach.append((question.text, f"id_{name}{suffix}"))
        return reach

    def answers(self) -> dict[int, Any]:
        """Question id -> the cleaned value, as `answer_submit` takes them."""
        return {q.pk: self.cleaned_data.get(field_name(q)) for q in self.questions}
