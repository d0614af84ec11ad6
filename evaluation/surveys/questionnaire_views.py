"""Pages where the coordination writes its questionnaires: the list, one questionnaire with its
sections and questions, and the forms of each (coordinators only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, View

from cls_platform.access import TerritoryMixin, scoped

from . import questionnaires as services
from . import selectors
from .editing import ServiceFormView
from .forms import QuestionForm, QuestionnaireForm, SectionForm
from .models import Answer, Question, Questionnaire, Section


class QuestionnaireMixin(TerritoryMixin):
    coordinator_only = True

    def questionnaire_redirect(self, questionnaire_id: int, anchor: str = "") -> HttpResponse:
        response = redirect(
            "evaluation:questionnaire_detail", territory=self.territory.slug, pk=questionnaire_id
        )
        if anchor:
            response["Location"] += f"#{anchor}"
        return response

    def questionnaires(self):
        return scoped(Questionnaire.objects.all(), self.access)

    def questionnaire_url(self, questionnaire_id: int, anchor: str) -> str:
        return self.questionnaire_redirect(questionnaire_id, anchor)["Location"]

    def confirm_page(self, **context: Any) -> HttpResponse:
        """The step before a deletion: what goes, what goes with it, or why it cannot."""
        return render(
            self.request, "evaluation/delete_confirm.html", {"territory": self.territory, **context}
        )


class QuestionnaireListView(QuestionnaireMixin, ListView):
    template_name = "evaluation/surveys/questionnaire_list.html"
    context_object_name = "questionnaires"

    def get_queryset(self):
        return selectors.questionnaire_list(access=self.access)


class QuestionnaireDefaultView(QuestionnaireMixin, View):
    """Creates the built-in questionnaire on the partnership, ready to send or adapt."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = services.questionnaire_create_default(territory=self.territory)
        messages.success(
            request,
            _("Le questionnaire « %(title)s » est créé : relisez-le, adaptez-le si besoin.")
            % {"title": questionnaire.title},
        )
        return self.questionnaire_redirect(questionnaire.pk)


class QuestionnaireFormView(QuestionnaireMixin, ServiceFormView):
    """A new questionnaire (`pk` absent) or its title and introduction."""

    form_class = QuestionnaireForm
    template_name = "evaluation/surveys/questionnaire_form.html"
    model = Questionnaire

    def load(self) -> None:
        self.object: Questionnaire | None = self.named(self.questionnaires())

    def get_initial(self) -> dict[str, Any]:
        if self.object is None:
            return {}
        return {"title": self.object.title, "introduction": self.object.introduction}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(questionnaire=self.object, **kwargs)

    def save(self, form: QuestionnaireForm) -> HttpResponse:
        questionnaire = services.questionnaire_save(
            territory=self.territory, data=form.cleaned_data, questionnaire=self.object
        )
        messages.success(self.request, _("Le questionnaire est enregistré."))
        return self.questionnaire_redirect(questionnaire.pk)


class QuestionnaireDetailView(QuestionnaireMixin, DetailView):
    model = Questionnaire
    template_name = "evaluation/surveys/questionnaire_detail.html"
    context_object_name = "questionnaire"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            sections=selectors.questionnaire_sections(self.object),
            survey_count=self.object.surveys.count(),
            **kwargs,
        )


class SectionFormView(QuestionnaireMixin, ServiceFormView):
    """A new section of a questionnaire (`url_model`: the questionnaire's id), or a section."""

    form_class = SectionForm
    template_name = "evaluation/surveys/section_form.html"
    model = Section

    def load(self) -> None:
        self.section: Section | None = get_object_or_404(
            selectors.sections_of(self.access), pk=self.kwargs["pk"]
        )
        self.questionnaire = self.section.questionnaire

    def get_initial(self) -> dict[str, Any]:
        if self.section is None:
            return {}
        return {"title": self.section.title, "description": self.section.description}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            section=self.section, questionnaire=self.questionnaire, **kwargs
        )

    def save(self, form: SectionForm) -> HttpResponse:
        section = services.section_save(
            data=form.cleaned_data, questionnaire=self.questionnaire, section=self.section
        )
        messages.success(
            self.request, _("La partie « %(title)s » est enregistrée.") % {"title": section.title}
        )
        return self.questionnaire_redirect(self.questionnaire.pk, f"partie-{section.pk}")


class SectionCreateView(SectionFormView):
    url_model = Questionnaire

    def load(self) -> None:
        self.section = None
        self.questionnaire = get_object_or_404(self.questionnaires(), pk=self.kwargs["pk"])


class SectionDeleteView(QuestionnaireMixin, View):
    """GET asks to confirm (RGAA 11.12: no deletion in one click); POST deletes."""

    model = Section
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        section = get_object_or_404(selectors.sections_of(self.access), pk=kwargs["pk"])
        count = section.questions.count()
        answered = Answer.objects.filter(question__section=section).exists()
        return self.confirm_page(
            heading=_("Supprimer cette partie ?"),
            what=_("Partie « %(title)s » du questionnaire « %(questionnaire)s ».")
            % {"title": section.title, "questionnaire": section.questionnaire.title},
            consequence=ngettext(
                "Sa question sera supprimée avec elle.",
                "Ses %(count)d questions seront supprimées avec elle.",
                count,
            )
            % {"count": count}
            if count
            else _("Elle ne contient aucune question."),
            refusal=_(
                "Des personnes ont déjà répondu aux questions de cette partie : elle ne peut plus "
                "être supprimée. Vous pouvez en modifier l'intitulé."
            )
            if answered
            else "",
            button=_("Supprimer la partie"),
            cancel=self.questionnaire_url(section.questionnaire_id, f"partie-{section.pk}"),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        section = get_object_or_404(selectors.sections_of(self.access), pk=kwargs["pk"])
        try:
            services.section_delete(section=section)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.questionnaire_redirect(section.questionnaire_id, f"partie-{section.pk}")
        messages.success(
            request, _("La partie « %(title)s » est supprimée.") % {"title": section.title}
        )
        return self.questionnaire_redirect(section.questionnaire_id)


class QuestionFormView(QuestionnaireMixin, ServiceFormView):
    """A question of a section: a new one (`url_model`: the section's id) or one to edit."""

    form_class = QuestionForm
    template_name = "evaluation/surveys/question_form.html"
    model = Question

    def load(self) -> None:
        self.question = get_object_or_404(selectors.questions_of(self.access), pk=self.kwargs["pk"])
        self.section = self.question.section

    def get_initial(self) -> dict[str, Any]:
        if self.question is None:
            return {"kind": "single", "scale_min": 1, "scale_max": 5}
        return QuestionForm.initial_of(self.question)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        answered = self.question is not None and self.question.answers.exists()
        return super().get_context_data(
            question=self.question, section=self.section, answered=answered, **kwargs
        )

    def save(self, form: QuestionForm) -> HttpResponse:
        question = services.question_save(
            data=form.cleaned_data, section=self.section, question=self.question
        )
        messages.success(self.request, _("La question est enregistrée."))
        return self.questionnaire_redirect(self.section.questionnaire_id, f"question-{question.pk}")


class QuestionCreateView(QuestionFormView):
    url_model = Section

    def load(self) -> None:
        self.question = None
        self.section = get_object_or_404(selectors.sections_of(self.access), pk=self.kwargs["pk"])


class QuestionDeleteView(QuestionnaireMixin, View):
    """GET asks to confirm (RGAA 11.12: no deletion in one click); POST deletes."""

    model = Question
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        question = get_object_or_404(
            selectors.questions_of(self.access).select_related("section__questionnaire"),
            pk=kwargs["pk"],
        )
        return self.confirm_page(
            heading=_("Supprimer cette question ?"),
            what=_("Question « %(text)s » (partie « %(section)s »).")
            % {"text": question.text, "section": question.section.title},
            consequence=_("Ses choix de réponse seront supprimés avec elle."),
            refusal=_(
                "Des personnes ont déjà répondu à cette question : elle ne peut plus être "
                "supprimée."
            )
            if question.answers.exists()
            else "",
            button=_("Supprimer la question"),
            cancel=self.questionnaire_url(
                question.section.questionnaire_id, f"question-{question.pk}"
            ),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        question = get_object_or_404(selectors.questions_of(self.access), pk=kwargs["pk"])
        questionnaire_id = question.section.questionnaire_id
        try:
            services.question_delete(question=question)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.questionnaire_redirect(questionnaire_id, f"question-{question.pk}")
        messages.success(request, _("La question est supprimée."))
        return self.questionnaire_redirect(questionnaire_id, f"partie-{question.section_id}")


class QuestionMoveView(QuestionnaireMixin, View):
    model = Question
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        question = get_object_or_404(selectors.questions_of(self.access), pk=kwargs["pk"])
        services.question_move(question=question, up=request.POST.get("direction") == "up")
        return self.questionnaire_redirect(
            question.section.questionnaire_id, f"question-{question.pk}"
        )
