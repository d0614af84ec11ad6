"""Pages of the interviews of a mid-term review: the list by axis or by group, an interview,
its form, the exports. Notes on what one partner said: the coordination only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from cls_platform.access import TerritoryMixin
from cls_platform.audit import AuditEvent, audit_event

from ..surveys.editing import ServiceFormView
from . import selectors, services
from .exports import interviews_csv, interviews_xlsx
from .forms import InterviewFilterForm, InterviewForm
from .models import Interview

PAGE_SIZE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InterviewsMixin(TerritoryMixin):
    coordinator_only = True

    def interviews(self):
        return selectors.interview_list(access=self.access)

    def filter_form(self) -> InterviewFilterForm:
        return InterviewFilterForm(self.request.GET or None, access=self.access)


class InterviewListView(InterviewsMixin, TemplateView):
    template_name = "evaluation/interviews/interview_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = self.filter_form()
        interviews = selectors.interview_list(access=self.access, filters=form.filters())
        page = Paginator(interviews, PAGE_SIZE).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        return super().get_context_data(
            filter=form,
            page_obj=page,
            headings=selectors.grouped(list(page.object_list), form.grouping()),
            by_group=form.grouping() == selectors.BY_GROUP,
            query=params.urlencode(),
            **kwargs,
        )


class InterviewExportView(InterviewsMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        interviews = selectors.interview_list(
            access=self.access, filters=self.filter_form().filters()
        )
        if kwargs["format"] == "xlsx":  # the URL admits csv and xlsx only
            response = HttpResponse(interviews_xlsx(interviews), content_type=XLSX_TYPE)
        else:
            response = HttpResponse(
                interviews_csv(interviews), content_type="text/csv; charset=utf-8"
            )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="entretiens-{self.territory.slug}-{stamp}.{kwargs["format"]}"'
        )
        audit_event(
            AuditEvent.EXPORT,
            model=Interview,
            territory=self.territory,
            format=kwargs["format"],
            rows=interviews.count(),
        )
        return response


class InterviewDetailView(InterviewsMixin, DetailView):
    model = Interview
    template_name = "evaluation/interviews/interview_detail.html"
    context_object_name = "interview"

    def get_queryset(self):
        return self.interviews()


class InterviewFormView(InterviewsMixin, ServiceFormView):
    """A new interview, or one to correct (`pk`)."""

    model = Interview
    form_class = InterviewForm
    template_name = "evaluation/interviews/interview_form.html"

    def load(self) -> None:
        self.object = self.named(self.interviews())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "access": self.access}

    def get_initial(self) -> dict[str, Any]:
        interview = self.object
        if interview is None:
            return {"held_on": timezone.localdate(), **self._preset()}
        return {
            "contract": interview.contract_id,
            "held_on": interview.held_on,
            "contact": interview.contact,
            "interviewee": interview.interviewee,
            "organization": interview.organization,
            "axis": interview.axis_id,
            "group": interview.group_id,
            **{name: getattr(interview, name) for name in services.NOTES},
        }

    def _preset(self) -> dict[str, Any]:
        """A new interview from a filtered list starts on that list's contract, axis, group."""
        return self.filter_form().filters()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(interview=self.object, **kwargs)

    def save(self, form: InterviewForm) -> HttpResponse:
        interview = services.interview_save(
            territory=self.territory,
            data=form.cleaned_data,
            interview=self.object,
            by=self.request.user,
        )
        messages.success(self.request, _("L'entretien est enregistré."))
        return redirect(
            "evaluation:interview_detail", territory=self.territory.slug, pk=interview.pk
        )


class InterviewDeleteView(InterviewsMixin, View):
    """GET asks to confirm (RGAA 11.12: no deletion in one click); POST deletes."""

    model = Interview
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        interview = get_object_or_404(self.interviews(), pk=kwargs["pk"])
        detail = reverse(
            "evaluation:interview_detail",
            kwargs={"territory": self.territory.slug, "pk": interview.pk},
        )
        return render(
            request,
            "evaluation/delete_confirm.html",
            {
                "territory": self.territory,
                "heading": _("Supprimer cet entretien ?"),
                "what": _("Entretien : %(interview)s.") % {"interview": interview},
                "consequence": _(
                    "Les notes de l'entretien (missions, actions, besoins, collaborations, suites) "
                    "seront supprimées avec lui."
                ),
                "button": _("Supprimer l'entretien"),
                "cancel": detail,
            },
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        interview = get_object_or_404(self.interviews(), pk=kwargs["pk"])
        services.interview_delete(interview=interview)
        messages.success(request, _("L'entretien est supprimé."))
        return redirect("evaluation:interview_list", territory=self.territory.slug)
