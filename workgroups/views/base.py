"""What the pages of the groups and meetings share: the territory's groups and meetings as the
person may see them, ids read from a form, the way back to the meeting's page, and the shape
of a small write from that page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import View

from cls_platform.access import TerritoryMixin, require_edit, scoped

from .. import selectors
from ..models import Meeting, MeetingStatus, WorkGroup


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one sentence for the page's messages."""
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
    return selectors.invite_problem(meeting) or _(
        "Cette réunion est déjà tenue : on ne peut plus y inviter."
    )


class GroupsMixin(TerritoryMixin):
    """The territory's groups and meetings, as the person's role may read them."""

    def groups(self):
        return scoped(WorkGroup.objects.all(), self.access)

    def meetings(self):
        return scoped(Meeting.objects.all(), self.access).select_related(
            "group__contract", "territory"
        )


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
