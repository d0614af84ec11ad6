"""The meeting's invitation list and attendance, from its page: prepare the list from the group's
rule, invite one more, take one off, send the invitations (after a page that says to how
many), record who came or who walked in, retry the e-mails that failed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView

from cls_platform.access import require_edit

from .. import selectors, services
from ..forms import AddInviteeForm, WalkInForm
from ..models import KIND_INVITATION, Invitation, Meeting
from .base import (
    GroupsMixin,
    MeetingActionView,
    as_id,
    error_text,
    invite_refusal,
    meeting_redirect,
    posted_id,
)
from .meetings import MeetingPageFormView


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
    """Take someone off the list before the invitations go (one form for the whole table).

    "Retirer" in the table asks first: a page names the person and takes a second press
    (confirm=1) to remove them; no script needed, and a slip of the keyboard removes nobody."""

    anchor = "invites"

    def invitation(self, meeting: Meeting) -> Invitation:
        return get_object_or_404(
            meeting.invitations.select_related("contact__organization"),
            pk=posted_id(self.request, "invitation"),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("confirm") == "1":
            return super().post(request, *args, **kwargs)
        meeting = self.get_meeting()
        invitation = self.invitation(meeting)
        query = request.POST.get("q", "").strip()[:100]
        back = self.back(meeting, self.anchor)["Location"]
        return render(
            request,
            "workgroups/invitation_remove_confirm.html",
            {
                "territory": self.territory,
                "access": self.access,
                "meeting": meeting,
                "invitation": invitation,
                "query": query,
                "back_url": back,
            },
        )

    def act(self, meeting: Meeting) -> str:
        invitation = self.invitation(meeting)
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
        """Why nothing can be sent now ("" when it can), said instead of the button."""
        return selectors.invite_problem(meeting)

    anchor = ""  # the section of the meeting's page to come back to

    def send(self, meeting: Meeting) -> str:
        """Send (the service refuses what cannot go), and say what went."""
        result = services.invitations_send(meeting=meeting, user=self.request.user)
        return (
            ngettext(
                "%(n)s invitation en cours d'envoi",
                "%(n)s invitations en cours d'envoi",
                result.queued,
            )
            % {"n": result.queued}
            + " ; "
            + ngettext("%(s)s déjà envoyée avant.", "%(s)s déjà envoyées avant.", result.skipped)
            % {"s": result.skipped}
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        try:
            text = self.send(meeting)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, text)
        return meeting_redirect(self.territory.slug, meeting, self.anchor)


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
