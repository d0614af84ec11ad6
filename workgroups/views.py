"""Pages of the work groups and their meetings, and the partners' answer links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView, View

from cls_platform.access import TerritoryMixin, can_edit, public_view, require_edit, scoped
from cls_platform.forms import add_service_errors
from cls_platform.models import Delivery
from partners.search import contact_label

from . import selectors, services
from .forms import (
    ADD_ANOTHER_PILOT,
    AddInviteeForm,
    AgendaFormSet,
    CopilotGroupForm,
    DocumentForm,
    MeetingForm,
    MembershipForm,
    ReportForm,
    WalkInForm,
    WorkGroupForm,
    limit_agenda_formset,
)
from .models import (
    KIND_CANCELLATION,
    KIND_INVITATION,
    KIND_REPORT,
    Invitation,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Rsvp,
    WorkGroup,
)
from .tokens import document_from_token, invitation_from_token


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def as_id(value: str) -> int | None:
    """A database id written in `value`, or None: ASCII digits only ("²" passes str.isdigit()
    and breaks int()), and no more than a 64-bit integer holds (SQLite raises beyond)."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def posted_id(request: HttpRequest, name: str) -> int:
    """An id from a form's button or field; 0 (found nowhere: a 404) for anything else, which
    the database would refuse with a 500."""
    return as_id(request.POST.get(name, "")) or 0


def meeting_redirect(territory: str, meeting: Meeting, anchor: str = "") -> HttpResponse:
    """Back to the meeting's page, at the section the action was about (`anchor`)."""
    response = redirect("workgroups:meeting_detail", territory=territory, pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def invite_refusal(meeting: Meeting) -> str:
    """Why the meeting's page no longer offers to invite anyone ("" while it does): cancelled,
    over, or already recorded as held."""
    if meeting.status == MeetingStatus.PLANNED and not meeting.is_over:
        return ""
    try:
        services.ensure_invitable(meeting)
    except ValidationError as exc:
        return error_text(exc)
    return _("Cette réunion est déjà tenue : on ne peut plus y inviter.")


class GroupsMixin(TerritoryMixin):
    def groups(self):
        return scoped(WorkGroup.objects.all(), self.access)

    def meetings(self):
        return scoped(Meeting.objects.all(), self.access).select_related(
            "group__contract", "territory"
        )


# --- groups ------------------------------------------------------------------------------------


class GroupListView(GroupsMixin, ListView):
    template_name = "workgroups/workgroup_list.html"
    context_object_name = "groups"

    def get_queryset(self):
        return selectors.group_list(access=self.access)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_coordinate=self.access.is_coordinator, **kwargs)


class GroupDetailView(GroupsMixin, DetailView):
    model = WorkGroup
    template_name = "workgroups/workgroup_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return self.groups().select_related("contract", "axis")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        editable = can_edit(self.access, self.object)
        context = super().get_context_data(
            **selectors.group_detail(group=self.object), can_edit_group=editable, **kwargs
        )
        if editable:
            context.setdefault("membership_form", MembershipForm(access=self.access))
        return context


class GroupFormMixin(GroupsMixin):
    model = WorkGroup
    template_name = "workgroups/workgroup_form.html"

    def get_queryset(self):
        return self.groups()

    def get_form_class(self) -> type:
        # A co-pilot's form has no field for who pilots the group, its contract, its state nor
        # its invitation rule: whatever is posted for them is ignored (and the service refuses).
        return WorkGroupForm if self.access.is_coordinator else CopilotGroupForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "access": self.access}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(add_another_pilot=ADD_ANOTHER_PILOT, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ADD_ANOTHER_PILOT not in request.POST or not self.access.is_coordinator:
            return super().post(request, *args, **kwargs)
        # "Ajouter un autre pilote" (without JavaScript): the form again, nothing saved, the
        # person typed now ticked in the list of pilots, the picker empty for the next one.
        self.object = self.get_object() if isinstance(self, UpdateView) else None
        form, added = self.get_form().with_pilot_added()
        if added is not None:
            messages.info(
                request,
                _(
                    "%(name)s rejoint la liste des pilotes, pas encore enregistrée : ajoutez-en "
                    "un autre, ou enregistrez le groupe."
                )
                % {"name": contact_label(added)},
            )
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form: WorkGroupForm | CopilotGroupForm) -> HttpResponse:
        group = form.save(commit=False)
        if group.contract.territory_id != self.territory.pk:
            raise Http404
        try:
            services.group_save(group=group, pilots=form.pilots(), access=self.access)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Groupe « %(name)s » enregistré.") % {"name": group.name})
        return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)


class GroupCreateView(GroupFormMixin, CreateView):
    coordinator_only = True


class GroupUpdateView(GroupFormMixin, UpdateView):
    write = True


class GroupMembershipView(GroupDetailView):
    """Add a member or subscriber (the picker), or remove one. A name that matches several
    people brings the group's page back with them to choose from."""

    write = True
    http_method_names = ["post"]

    def get_queryset(self):
        return self.groups()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.object = self.get_object()
        if request.POST.get("remove"):
            contact = get_object_or_404(
                group.memberships.select_related("contact"),
                contact_id=posted_id(request, "remove"),
            ).contact
            services.membership_set(group=group, contact=contact, kind=None)
            messages.success(
                request, _("%(name)s ne fait plus partie du groupe.") % {"name": contact}
            )
            return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)
        form = MembershipForm(request.POST, access=self.access)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(membership_form=form))
        services.membership_set(
            group=group, contact=form.cleaned_data["contact"], kind=form.cleaned_data["kind"]
        )
        messages.success(
            request, _("%(name)s est ajouté·e au groupe.") % {"name": form.cleaned_data["contact"]}
        )
        return redirect("workgroups:group_detail", territory=self.territory.slug, pk=group.pk)


# --- meetings ----------------------------------------------------------------------------------


class MeetingFormMixin(GroupsMixin):
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
            count = services.meeting_update_count(meeting=meeting, fields=fields)
            if count is not None:
                return self.confirm_move(meeting, count)
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
            n = Delivery.objects.filter(
                topic=meeting.topic, kind=KIND_INVITATION, revision=meeting.sequence
            ).count()
            text = ngettext(
                "Réunion déplacée : %(n)s personne reçoit l'invitation mise à jour.",
                "Réunion déplacée : %(n)s personnes reçoivent l'invitation mise à jour.",
                n,
            ) % {"n": n}
        else:
            text = _("Réunion enregistrée.")
        messages.success(self.request, text)
        return redirect("workgroups:meeting_detail", territory=self.territory.slug, pk=meeting.pk)

    def confirm_move(self, meeting: Meeting, count: int) -> HttpResponse:
        """Everything typed travels again as hidden fields, the `initial-*` values as they were
        posted: MeetingForm tells from them what this person changed."""
        skip = {"csrfmiddlewaretoken", "confirm", "back", "change_note"}
        carried = [
            (name, value)
            for name, values in self.request.POST.lists()
            if name not in skip
            for value in values
        ]
        stored = Meeting.objects.get(pk=meeting.pk)
        return render(
            self.request,
            "workgroups/meeting_move_confirm.html",
            {
                "access": self.access,
                "territory": self.territory,
                "meeting": meeting,
                "stored": stored,
                "count": count,
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
        return self.meetings()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.object
        editable = can_edit(self.access, meeting)
        personal = not self.access.is_viewer
        query = self.request.GET.get("q", "")[:100] if personal else ""
        not_started = selectors.not_started_reason(meeting)
        invitable = not invite_refusal(meeting)
        context = super().get_context_data(
            **selectors.meeting_detail(meeting=meeting, query=query, personal=personal),
            can_edit_meeting=editable,
            show_personal=personal,
            started=not not_started,
            starts_when=selectors.when_it_starts(meeting),
            invitable=invitable,
            **kwargs,
        )
        if editable:
            if invitable:
                context.setdefault("add_form", AddInviteeForm(meeting=meeting, access=self.access))
            if not not_started:
                context.setdefault("walk_in_form", WalkInForm(access=self.access))
            context.setdefault("document_form", DocumentForm())
            if meeting.report and not meeting.report_sent_at:
                # Counted on the ids: a DISTINCT over every column of 200 contacts took 10 ms.
                context["recipient_count"] = (
                    services.report_recipients(meeting).values("pk").count()
                )
            if invitable and meeting.invitees_prepared_at is None:
                context["default_count"] = (
                    services.default_invitees(meeting)
                    .exclude(pk__in=meeting.invitations.values("contact_id"))
                    .values("pk")
                    .count()
                )
        return context


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


class MeetingActionView(GroupsMixin, View):
    """One small write on a meeting from its page; each subclass says which."""

    model = Meeting
    http_method_names = ["post"]

    def get_meeting(self) -> Meeting:
        meeting = get_object_or_404(self.meetings(), pk=self.kwargs["pk"])
        require_edit(self.access, meeting)
        return meeting

    def back(self, meeting: Meeting, anchor: str = "") -> HttpResponse:
        response = redirect(
            "workgroups:meeting_detail", territory=self.territory.slug, pk=meeting.pk
        )
        query = self.request.POST.get("q", "").strip()[:100]  # as long as the page reads it
        if query:  # the filtered list the person was working on
            response["Location"] += "?" + urlencode({"q": query})
        if anchor:
            response["Location"] += f"#{anchor}"
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_meeting()
        try:
            text = self.act(meeting)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if text:
                messages.success(request, text)
        return self.back(meeting, self.anchor)

    anchor = ""

    def act(self, meeting: Meeting) -> str:
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
        meeting = self.object
        problem = services.cancel_problem(meeting)
        count = 0
        if not problem and meeting.invitations_sent_at:
            count = services.cancellation_recipients(meeting).values("pk").count()
        return super().get_context_data(problem=problem, count=count, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        note = request.POST.get("change_note", "")[:2000]
        try:
            cancelled = services.meeting_cancel(meeting=meeting, note=note)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            n = Delivery.objects.filter(
                topic=cancelled.topic, kind=KIND_CANCELLATION, revision=cancelled.sequence
            ).count()
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


class InvitationsPrepareView(MeetingActionView):
    anchor = "invites"

    def act(self, meeting: Meeting) -> str:
        n = services.invitations_prepare(meeting=meeting)
        return ngettext(
            "%(n)s personne ajoutée à la liste des invités, selon la règle du groupe.",
            "%(n)s personnes ajoutées à la liste des invités, selon la règle du groupe.",
            n,
        ) % {"n": n}


class InvitationAddView(MeetingPageFormView):
    form_name = "add_form"

    def unavailable(self, meeting: Meeting) -> str:
        return invite_refusal(meeting)

    def make_form(self, meeting: Meeting) -> AddInviteeForm:
        return AddInviteeForm(self.request.POST, meeting=meeting, access=self.access)

    def act(self, meeting: Meeting, form: AddInviteeForm) -> str:
        contact = form.cleaned_data["contact"]
        added = services.invitation_add(meeting=meeting, contact=contact)
        name = contact
        if added.mailed:
            return _("%(name)s est invité·e : l'invitation part par e-mail.") % {"name": name}
        if meeting.invitations_sent_at:
            return _(
                "%(name)s est ajouté·e à la liste, sans e-mail : cette personne ne reçoit pas "
                "les invitations (désinscription, adresse en erreur ou choix d'envoi)."
            ) % {"name": name}
        return _("%(name)s est invité·e.") % {"name": name}


class InvitationRemoveView(MeetingActionView):
    """Take someone off the list before the invitations go (one form for the whole table)."""

    anchor = "invites"

    def act(self, meeting: Meeting) -> str:
        invitation = get_object_or_404(
            meeting.invitations.select_related("contact"), pk=posted_id(self.request, "invitation")
        )
        services.invitation_remove(invitation=invitation)
        return _("%(name)s est retiré·e de la liste.") % {"name": invitation.contact}


class InvitationsSendView(GroupsMixin, DetailView):
    """GET: who will receive the invitation; POST: send it (once per person)."""

    model = Meeting
    template_name = "workgroups/meeting_send.html"
    write = True
    context_object_name = "meeting"

    def get_queryset(self):
        return self.meetings()

    def get_object(self, queryset=None):
        meeting = super().get_object(queryset)
        require_edit(self.access, meeting)
        return meeting

    what = "invitations"
    kind = KIND_INVITATION

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        problem = self.problem(self.object)
        preview = None if problem else selectors.send_preview(meeting=self.object, kind=self.kind)
        return super().get_context_data(
            what=self.what,
            count=preview.count if preview else 0,
            already=preview.already if preview else 0,
            problem=problem,
            **kwargs,
        )

    def problem(self, meeting: Meeting) -> str:
        try:
            services.ensure_invitable(meeting)
        except ValidationError as exc:
            return error_text(exc)
        return ""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        try:
            result = services.invitations_send(meeting=meeting, user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s invitation en cours d'envoi",
                    "%(n)s invitations en cours d'envoi",
                    result.queued,
                )
                % {"n": result.queued}
                + " ; "
                + ngettext(
                    "%(s)s déjà envoyée avant.", "%(s)s déjà envoyées avant.", result.skipped
                )
                % {"s": result.skipped},
            )
        return redirect("workgroups:meeting_detail", territory=self.territory.slug, pk=meeting.pk)


class ReportSendView(InvitationsSendView):
    what = "report"
    kind = KIND_REPORT

    def problem(self, meeting: Meeting) -> str:
        return selectors.not_started_reason(meeting) or (
            "" if meeting.report.strip() else _("Écrivez le compte-rendu avant de l'envoyer.")
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        try:
            result = services.report_send(meeting=meeting)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Compte-rendu en cours d'envoi à %(n)s personne",
                    "Compte-rendu en cours d'envoi à %(n)s personnes",
                    result.queued,
                )
                % {"n": result.queued}
                + " ; "
                + ngettext("%(s)s l'avait déjà reçu.", "%(s)s l'avaient déjà reçu.", result.skipped)
                % {"s": result.skipped},
            )
        return meeting_redirect(self.territory.slug, meeting, "compte-rendu")


class AttendanceView(MeetingActionView):
    """The attendance of the rows shown (the list may be filtered): only those change. Back to
    the filter, for the next person."""

    anchor = "filtre-invites"

    def act(self, meeting: Meeting) -> str:
        marks = {
            pk: value
            for key, value in self.request.POST.items()
            if key.startswith("presence-") and (pk := as_id(key.removeprefix("presence-")))
        }
        n = services.attendance_record(meeting=meeting, marks=marks)
        return ngettext(
            "Présences enregistrées (%(n)s changement).",
            "Présences enregistrées (%(n)s changements).",
            n,
        ) % {"n": n}


class AttendanceSaidYesView(MeetingActionView):
    anchor = "presences"

    def act(self, meeting: Meeting) -> str:
        n = services.attendance_mark_said_yes(meeting=meeting)
        if not n:
            return _("Personne à marquer : ceux qui ont dit venir sont déjà notés.")
        return ngettext(
            "%(n)s personne marquée présente", "%(n)s personnes marquées présentes", n
        ) % {"n": n}


class WalkInView(MeetingPageFormView):
    form_name = "walk_in_form"
    anchor = "presences"

    def unavailable(self, meeting: Meeting) -> str:
        return selectors.not_started_reason(meeting)

    def make_form(self, meeting: Meeting) -> WalkInForm:
        return WalkInForm(self.request.POST, access=self.access)

    def act(self, meeting: Meeting, form: WalkInForm) -> str:
        invitation = services.walk_in_add(meeting=meeting, data=form.cleaned_data)
        return _("%(name)s est ajouté·e aux présents et à l'annuaire.") % {
            "name": invitation.contact
        }


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


class RetryFailedView(MeetingActionView):
    anchor = "envois"

    def act(self, meeting: Meeting) -> str:
        result = services.deliveries_retry(meeting=meeting)
        if not result.queued and not result.skipped:
            return _("Aucun envoi en échec à relancer.")
        text = (
            ngettext(
                "%(n)s envoi relancé, à l'adresse actuelle de la personne.",
                "%(n)s envois relancés, à l'adresse actuelle de chaque personne.",
                len(result.queued),
            )
            % {"n": len(result.queued)}
            if result.queued
            else _("Aucun envoi relancé.")
        )
        if result.skipped:
            reasons = ", ".join(f"{reason} ({n})" for reason, n in sorted(result.skipped.items()))
            text += " " + ngettext(
                "%(n)s laissé en échec : %(reasons)s.",
                "%(n)s laissés en échec : %(reasons)s.",
                result.skipped_count,
            ) % {"n": result.skipped_count, "reasons": reasons}
        return text


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
                with transaction.atomic():
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


class ReportPdfView(GroupsMixin, DetailView):
    model = Meeting

    def get_queryset(self):
        return self.meetings()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .pdf import meeting_report_pdf

        meeting = self.get_object()
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


# --- partners' links (no account) ----------------------------------------------------------------


RSVP_ANSWERS = {"oui": Rsvp.YES, "non": Rsvp.NO}


@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    """The "je viens" / "je ne viens pas" links of the e-mails. The signed token is the only
    credential: no account.

    Opening the link changes nothing: hospitals' and administrations' mail filters (Safe Links,
    Proofpoint, Mimecast) open every link of a message before its reader does. The page asks
    for the answer with a form, which a small script (static/js/rsvp.js) submits on load, so
    that the person still answers in one click; its button does the same without JavaScript.
    The POST records the answer and comes back here, where the page says it is recorded.
    """
    invitation_id = invitation_from_token(token)
    invitation = (
        Invitation.objects.select_related("meeting__group", "meeting__territory", "contact")
        .filter(pk=invitation_id, contact__anonymized_at__isnull=True)
        .first()
        if invitation_id
        else None
    )
    if invitation is None or answer not in RSVP_ANSWERS:
        return render(request, "partners/self_service_invalid.html", status=404)
    wanted = RSVP_ANSWERS[answer]
    error = services.rsvp_problem(invitation)
    if request.method == "POST" and not error:
        try:
            services.rsvp_record(invitation=invitation, answer=wanted)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            return redirect(request.path)
    return render(
        request,
        "workgroups/rsvp.html",
        {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "token": token,
            "answer": answer,
            "wanted": wanted,
            "recorded": invitation.rsvp == wanted,
            "error": error,
        },
    )


@public_view
def shared_document(request: HttpRequest, token: str) -> HttpResponse:
    """A resource of a compte-rendu, from the signed link of the e-mail (no account)."""
    document_id = document_from_token(token)
    document = MeetingDocument.objects.filter(pk=document_id).first() if document_id else None
    if document is None:
        return render(request, "partners/self_service_invalid.html", status=404)
    try:
        handle = document.file.open("rb")
    except OSError:  # the file is gone from the storage: the link cannot be served any more
        return render(request, "partners/self_service_invalid.html", status=404)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.file_name or document.file.name.rsplit("/", 1)[-1],
        content_type=document.content_type or None,
    )
