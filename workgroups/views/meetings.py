"""Pages of the meetings: the form that schedules or moves one (a move of an invited meeting
says first how many people the update reaches), the meeting's page with its forms, and the
cancellation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.autoreload import file_changed
from django.utils.functional import cached_property
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView

from cls_platform.access import can_edit, require_edit, scoped
from cls_platform.forms import add_service_errors

from .. import selectors, services
from ..forms import (
    AddInviteeForm,
    AgendaFormSet,
    DocumentForm,
    MeetingForm,
    WalkInForm,
    limit_agenda_formset,
)
from ..models import KIND_CANCELLATION, KIND_INVITATION, Meeting, WorkGroup
from .base import GroupsMixin, error_text, invite_refusal, meeting_redirect
from .signatories import signatory_meeting


class MeetingFormMixin(GroupsMixin):
    """The meeting's form and its agenda, saved together by `services.meeting_save`."""

    model = Meeting
    form_class = MeetingForm
    template_name = "workgroups/meeting_form.html"
    write = True

    def agenda_formset(self, instance: Meeting) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        formset = AgendaFormSet(data, instance=instance, prefix="odj")
        limit_agenda_formset(formset, self.territory)
        return formset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(group=self.get_group(), **kwargs)
        context.setdefault(
            "agenda_formset", self.agenda_formset(self.object or Meeting(group=self.get_group()))
        )
        return context

    def form_valid(self, form: MeetingForm) -> HttpResponse:
        meeting = form.instance
        meeting.group = self.get_group()
        agenda = self.agenda_formset(meeting)
        if not agenda.is_valid() or "back" in self.request.POST:
            # "Revenir au formulaire" from the confirmation: the form again, as typed.
            return self.render_to_response(self.get_context_data(form=form, agenda_formset=agenda))
        items = [
            {
                k: f.cleaned_data[k]
                for k in ("kind", "title", "duration_minutes", "presenter", "organization")
            }
            for f in agenda.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title")
        ]
        fields = form.changed_fields()
        if not self.request.POST.get("confirm"):
            # A move of an invited meeting mails everyone: say how many first, send on "yes".
            preview = selectors.move_preview(meeting=meeting, fields=fields)
            if preview is not None:
                return self.confirm_move(meeting, preview)
        sequence = meeting.sequence
        try:
            services.meeting_save(
                meeting=meeting,
                agenda=items,
                fields=fields,
                note=self.request.POST.get("change_note", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, agenda_formset=agenda))
        if meeting.pk and meeting.sequence > sequence:  # moved: the update went out
            n = selectors.version_recipient_count(meeting=meeting, kind=KIND_INVITATION)
            text = ngettext(
                "Réunion déplacée : %(n)s personne reçoit l'invitation mise à jour.",
                "Réunion déplacée : %(n)s personnes reçoivent l'invitation mise à jour.",
                n,
            ) % {"n": n}
        else:
            text = _("Réunion enregistrée.")
        messages.success(self.request, text)
        return redirect("workgroups:meeting_detail", territory=self.territory.slug, pk=meeting.pk)

    def confirm_move(self, meeting: Meeting, preview: selectors.MovePreview) -> HttpResponse:
        """Everything typed travels again as hidden fields, the `initial-*` values as they were
        posted: MeetingForm tells from them what this person changed."""
        skip = {"csrfmiddlewaretoken", "confirm", "back", "change_note"}
        carried = [
            (name, value)
            for name, values in self.request.POST.lists()
            if name not in skip
            for value in values
        ]
        return render(
            self.request,
            "workgroups/meeting_move_confirm.html",
            {
                "access": self.access,
                "territory": self.territory,
                "meeting": meeting,
                "stored": preview.stored,
                "count": preview.count,
                "carried": carried,
                "note": self.request.POST.get("change_note", ""),
            },
        )


class MeetingCreateView(MeetingFormMixin, CreateView):
    url_model = WorkGroup  # the URL names the group

    def get_group(self) -> WorkGroup:
        if not hasattr(self, "_group"):
            self._group = get_object_or_404(self.groups(), pk=self.kwargs["pk"])
            require_edit(self.access, self._group)
        return self._group


class MeetingUpdateView(MeetingFormMixin, UpdateView):
    def get_queryset(self):
        return self.meetings()

    def get_group(self) -> WorkGroup:
        return self.object.group


class MeetingDetailView(GroupsMixin, DetailView):
    model = Meeting
    template_name = "workgroups/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        # The page shows the group, never its contract; the territory is the access's.
        return scoped(Meeting.objects.all(), self.access).select_related("group")

    def get_object(self, queryset: QuerySet[Meeting] | None = None) -> Meeting:
        meeting = super().get_object(queryset)
        meeting.territory = self.territory  # scoped to it: the services read it, not the page
        return meeting

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.object
        editable = can_edit(self.access, meeting)
        personal = not self.access.is_viewer
        query = self.request.GET.get("q", "")[:100] if personal else ""
        not_started = selectors.not_started_reason(meeting)
        invitable = not invite_refusal(meeting)
        context = super().get_context_data(
            **selectors.meeting_detail(
                meeting=meeting, query=query, personal=personal, started=not not_started
            ),
            can_edit_meeting=editable,
            show_personal=personal,
            started=not not_started,
            starts_when=selectors.when_it_starts(meeting),
            invitable=invitable,
            **kwargs,
        )
        if not personal:
            context.update(signatory_meeting(meeting, context.get("agenda", [])))
        if editable:
            slug = self.territory.slug  # the pickers' search addresses name the territory
            if invitable and "add_form" not in context:
                context["add_form"] = BlankForm(
                    AddInviteeForm, slug, meeting=meeting, access=self.access
                )
            if not not_started and "walk_in_form" not in context:
                context["walk_in_form"] = BlankForm(WalkInForm, slug, access=self.access)
            context.setdefault("document_form", BlankForm(DocumentForm))
            context.update(selectors.send_counts(meeting=meeting, invitable=invitable))
        return context


class BlankForm:
    """An empty form of the meeting's page, its HTML written once per process: the same for
    every meeting of a territory (no value, no error; the pickers search on the server), it
    took a tenth of the page's time, field by field through the form templates. The form
    itself is built only when its HTML is not written yet, or when something else of it is
    asked for. `key` says what else its HTML depends on. The HTML written is forgotten when a
    file changes under the development server (a form's template edited)."""

    written: dict[tuple[str, ...], str] = {}
    LIMIT = 3000  # forms (three per territory): emptied past that

    def __init__(self, form_class: type[forms.Form], *key: str, **kwargs: Any) -> None:
        self.form_class, self.kwargs = form_class, kwargs
        self.key = (form_class.__name__, get_language() or "", *key)

    @cached_property
    def form(self) -> forms.Form:
        return self.form_class(**self.kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.form, name)

    # What includes/form.html asks before the fields: a blank form has no error.
    errors: dict[str, Any] = {}

    def non_field_errors(self) -> list[str]:
        return []

    def as_div(self) -> str:
        html = self.written.get(self.key)
        if html is None:
            if len(self.written) >= self.LIMIT:
                self.written.clear()
            html = self.written[self.key] = self.form.as_div()
        return html


@receiver(file_changed, dispatch_uid="workgroups_blank_forms_file_changed")
def forget_blank_forms(**kwargs: Any) -> None:
    """A template edited while the development server runs: the forms are written again (the
    server does not restart for a template). Returns None: the server still restarts for
    code."""
    BlankForm.written.clear()


class MeetingPageFormView(MeetingDetailView):
    """A form of the meeting's page (invite one more, a walk-in): valid, it calls its service
    and comes back to the page; invalid (or a name matching several people), the page comes
    back with the form as typed and what to correct beside it. When the page no longer offers
    the form, or the service refuses for a reason that is no field's, the refusal is said in
    the page's messages instead."""

    write = True
    http_method_names = ["post"]
    anchor = "invites"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.object = self.get_object()
        # The page shows this form only when it can be used: posted from a page opened before
        # (the meeting cancelled or moved from another session since), a form brought back
        # would not be on the page, and its refusal would be lost without a word.
        refusal = self.unavailable(meeting)
        if refusal:
            return self.refuse(meeting, refusal)
        form = self.make_form(meeting)
        if form.is_valid():
            try:
                text = self.act(meeting, form)
            except ValidationError as exc:
                if not self.about_fields(form, exc):
                    return self.refuse(meeting, error_text(exc))
                add_service_errors(form, exc)
            else:
                messages.success(request, text)
                return meeting_redirect(self.territory.slug, meeting, self.anchor)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))

    def refuse(self, meeting: Meeting, refusal: str) -> HttpResponse:
        """The refusal in the page's messages, and the page from its top, where they are: the
        form's section may be gone, or 200 rows below them."""
        messages.error(self.request, refusal)
        return meeting_redirect(self.territory.slug, meeting)

    @staticmethod
    def about_fields(form: Any, exc: ValidationError) -> bool:
        """Whether the service's refusal names fields of the form (shown beside them, the form
        coming back as typed); any other refusal is about the meeting, said at the top."""
        return hasattr(exc, "error_dict") and all(name in form.fields for name in exc.error_dict)

    form_name = ""

    def unavailable(self, meeting: Meeting) -> str:
        """Why the page does not offer this form now ("" when it does), in French."""
        raise NotImplementedError

    def make_form(self, meeting: Meeting) -> Any:
        raise NotImplementedError

    def act(self, meeting: Meeting, form: Any) -> str:
        raise NotImplementedError


class MeetingCancelView(GroupsMixin, DetailView):
    """GET: what cancelling will do (how many people are told) and an optional message to
    them; POST: cancel. Nothing is sent by opening the page."""

    model = Meeting
    template_name = "workgroups/meeting_cancel.html"
    context_object_name = "meeting"
    write = True

    def get_queryset(self):
        return self.meetings()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**selectors.cancel_preview(meeting=self.object), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        note = request.POST.get("change_note", "")[:2000]
        try:
            cancelled = services.meeting_cancel(meeting=meeting, note=note)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            n = selectors.version_recipient_count(meeting=cancelled, kind=KIND_CANCELLATION)
            messages.success(
                request,
                ngettext(
                    "Réunion annulée : %(n)s personne reçoit l'annulation pour son agenda.",
                    "Réunion annulée : %(n)s personnes reçoivent l'annulation pour leur agenda.",
                    n,
                )
                % {"n": n},
            )
        return redirect("workgroups:meeting_detail", territory=self.territory.slug, pk=meeting.pk)
