"""The compte-rendu from the meeting's page: written (from a first draft), sent (after a page
that says to how many), read as a PDF, with the resources it shares."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, TemplateView

from cls_platform.access import require_edit
from cls_platform.forms import add_service_errors
from cls_platform.templatetags.people import shows_people

from .. import selectors, services
from ..forms import DocumentForm, ReportForm
from ..models import KIND_REPORT, Meeting
from .base import GroupsMixin, MeetingActionView, meeting_redirect
from .invitations import InvitationsSendView
from .signatories import signatory_report_pdf


class ReportEditView(GroupsMixin, TemplateView):
    model = Meeting
    template_name = "workgroups/meeting_report.html"
    write = True

    def get_meeting(self) -> Meeting:
        if not hasattr(self, "_meeting"):
            self._meeting = get_object_or_404(self.meetings(), pk=self.kwargs["pk"])
            require_edit(self.access, self._meeting)
        return self._meeting

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        problem = selectors.not_started_reason(meeting)
        form = kwargs.pop("form", None)
        if form is None and not problem:
            form = ReportForm(
                meeting=meeting,
                initial={
                    # An empty report starts from what the meeting already knows.
                    "report": meeting.report or selectors.report_draft(meeting=meeting),
                    "fiches": [link.fiche_id for link in meeting.action_links.all()],
                },
            )
        return super().get_context_data(meeting=meeting, form=form, problem=problem, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_meeting()
        form = ReportForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.report_save(
                    meeting=meeting,
                    html=form.cleaned_data["report"],
                    fiches=form.cleaned_data["fiches"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Compte-rendu enregistré. Relisez-le, puis envoyez-le.")
                )
                # To the report itself and its "Envoyer" button, below 200 invitees otherwise.
                return meeting_redirect(self.territory.slug, meeting, "compte-rendu")
        return self.render_to_response(self.get_context_data(form=form))


class ReportSendView(InvitationsSendView):
    """GET: who will receive the compte-rendu; POST: send it, with its PDF (once per person)."""

    what = "report"
    kind = KIND_REPORT
    anchor = "compte-rendu"

    def problem(self, meeting: Meeting) -> str:
        return selectors.not_started_reason(meeting) or (
            "" if meeting.report.strip() else _("Écrivez le compte-rendu avant de l'envoyer.")
        )

    def send(self, meeting: Meeting) -> str:
        result = services.report_send(meeting=meeting)
        return (
            ngettext(
                "Compte-rendu en cours d'envoi à %(n)s personne",
                "Compte-rendu en cours d'envoi à %(n)s personnes",
                result.queued,
            )
            % {"n": result.queued}
            + " ; "
            + ngettext("%(s)s l'avait déjà reçu.", "%(s)s l'avaient déjà reçu.", result.skipped)
            % {"s": result.skipped}
        )


class ReportPdfView(GroupsMixin, DetailView):
    model = Meeting

    def get_queryset(self):
        return self.meetings()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from ..pdf import meeting_report_pdf

        meeting = self.get_object()
        if not shows_people(self.access):
            # A signatory reads the report without the names of those who came.
            if not (meeting.report or meeting.report_pdf):
                raise Http404
            response = HttpResponse(signatory_report_pdf(meeting), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="compte-rendu-{meeting.pk}.pdf"'
            return response
        if meeting.report_pdf:
            return FileResponse(
                meeting.report_pdf.open("rb"),
                content_type="application/pdf",
                filename=f"compte-rendu-{meeting.pk}.pdf",
            )
        if not meeting.report:
            raise Http404
        response = HttpResponse(meeting_report_pdf(meeting=meeting), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="compte-rendu-{meeting.pk}.pdf"'
        return response


class DocumentUploadView(MeetingActionView):
    anchor = "documents"

    def act(self, meeting: Meeting) -> str:
        form = DocumentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError(_("Choisissez un fichier à déposer."))
        document = services.document_add(
            meeting=meeting, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
        )
        return _("Ressource « %(title)s » ajoutée.") % {"title": document.title}
