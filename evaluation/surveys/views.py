"""Pages of the campaigns (list, settings, sending, results) and the partner's answer page.

Every role reads the list, a campaign's figures and its results, as aggregates; only the
coordination writes, sees who was asked and whether they answered, and reads the free-text
answers. The answer page is reached from the signed link of the e-mail (no account):
`public_view`, the token is its only credential.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView, View

from cls_platform.access import TerritoryMixin, public_view, scoped

from . import selectors, services
from .editing import ServiceFormView
from .forms import AnswerForm, SurveyForm
from .models import Survey
from .results import DIMENSIONS, survey_results

PAGE_SIZE = 50


class SurveysMixin(TerritoryMixin):
    def surveys(self):
        return scoped(Survey.objects.all(), self.access).select_related(
            "contract", "questionnaire", "territory"
        )

    def survey_redirect(self, survey: Survey) -> HttpResponse:
        return redirect("evaluation:survey_detail", territory=self.territory.slug, pk=survey.pk)


class SurveyListView(SurveysMixin, ListView):
    template_name = "evaluation/surveys/survey_list.html"
    context_object_name = "surveys"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.survey_list(access=self.access)


class SurveyFormView(SurveysMixin, ServiceFormView):
    """A new campaign, or the settings of one (`pk`)."""

    coordinator_only = True
    model = Survey
    form_class = SurveyForm
    template_name = "evaluation/surveys/survey_form.html"

    def load(self) -> None:
        self.object = self.named(self.surveys())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "territory": self.territory}

    def get_initial(self) -> dict[str, Any]:
        survey = self.object
        if survey is None:
            return {"audience": "all_partners"}
        return {
            "title": survey.title,
            "contract": survey.contract_id,
            "questionnaire": survey.questionnaire_id,
            "message": survey.message,
            "audience": survey.audience,
            "groups": list(survey.groups.values_list("pk", flat=True)),
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(survey=self.object, **kwargs)

    def save(self, form: SurveyForm) -> HttpResponse:
        survey = services.survey_save(
            territory=self.territory, data=form.cleaned_data, survey=self.object
        )
        messages.success(self.request, _("La campagne est enregistrée."))
        return self.survey_redirect(survey)


class SurveyDetailView(SurveysMixin, DetailView):
    model = Survey
    template_name = "evaluation/surveys/survey_detail.html"
    context_object_name = "survey"

    def get_queryset(self):
        return self.surveys()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            overview=selectors.survey_overview(survey=self.object),
            groups=list(self.object.groups.all()),
            can_send=self.access.is_coordinator,
            **kwargs,
        )
        if self.access.is_coordinator:
            context["people"] = Paginator(
                selectors.survey_people(survey=self.object), PAGE_SIZE
            ).get_page(self.request.GET.get("page"))
        return context


class SurveyActionView(SurveysMixin, View):
    """One button of a campaign's page: send, or remind those who have not answered."""

    coordinator_only = True
    model = Survey
    http_method_names = ["post"]

    def act(self, survey: Survey) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        survey = get_object_or_404(self.surveys(), pk=kwargs["pk"])
        try:
            messages.success(request, self.act(survey))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return self.survey_redirect(survey)


class SurveySendView(SurveyActionView):
    def act(self, survey: Survey) -> str:
        sent = services.survey_send(survey=survey)
        if not sent.queued:
            return _("Personne de nouveau à qui envoyer le questionnaire : tout le monde l'a reçu.")
        return _("Questionnaire mis en envoi : %(n)s e-mail(s) de plus.") % {"n": sent.queued}


class SurveyRemindView(SurveyActionView):
    def act(self, survey: Survey) -> str:
        queued = services.survey_remind(survey=survey)
        return _("Relance mise en envoi : %(n)s e-mail(s) aux personnes sans réponse.") % {
            "n": queued
        }


class SurveyResultsView(SurveysMixin, DetailView):
    model = Survey
    template_name = "evaluation/surveys/survey_results.html"
    context_object_name = "survey"

    def get_queryset(self):
        return self.surveys()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        dimension = self.request.GET.get("par", "")
        return super().get_context_data(
            results=survey_results(survey=self.object, access=self.access, dimension=dimension),
            dimensions=[(key, label) for key, (_path, label) in DIMENSIONS.items()],
            **kwargs,
        )


@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request: HttpRequest, territory: str, token: str) -> HttpResponse:
    """The partner's questionnaire, from the signed link of their e-mail. Opening the link
    changes nothing (mail filters open links); the answers are sent with the form, and can be
    sent again, replacing the earlier ones, until the campaign closes."""
    page = selectors.answer_page(token=token, territory_slug=territory)
    if page is None:
        return render(request, "evaluation/surveys/answer_invalid.html", status=404)
    refusal = services.answer_refusal(page.invitation)
    if refusal:
        status = 410 if page.survey.is_closed() else 403
        return render(
            request,
            "evaluation/surveys/answer_closed.html",
            {"page": page, "refusal": refusal},
            status=status,
        )
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=page.questions,
        answers=page.answers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_submit(
                invitation=page.invitation,
                questionnaire=page.survey.questionnaire,
                data=form.answers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(f"{request.path}?enregistre=1")
    return render(
        request,
        "evaluation/surveys/answer.html",
        {
            "page": page,
            "form": form,
            "sections": form.by_section(page.sections),
            "saved": request.GET.get("enregistre") == "1" and page.invitation.submitted_at,
        },
    )
