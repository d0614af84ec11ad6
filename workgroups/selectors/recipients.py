"""Who receives what: one query per kind of message, used both to send and to tell the
coordinator beforehand how many will receive it (the count on a confirmation page is the count
of the sending), and why a message may not go to someone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cls_platform.models import Delivery, DeliveryStatus
from partners.emails import mailing_obstacle
from partners.models import Contact

from ..models import (
    INVITATION_KINDS,
    KIND_INVITATION,
    KIND_REMINDER,
    KIND_REPORT,
    Invitation,
    InvitationPolicy,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Rsvp,
)
from .meetings import cancel_problem, meeting_changes


def default_invitees(meeting: Meeting) -> QuerySet[Contact]:
    """Who the group's policy invites: every active partner of the territory (Cergy's choice)
    or the group's members; minus those who opted out of invitations, overall or for this group."""
    group = meeting.group
    contacts = Contact.objects.mailable().filter(
        territory_id=meeting.territory_id, receives_invitations=True
    )
    if group.invitation_policy == InvitationPolicy.MEMBERS:
        contacts = contacts.filter(
            memberships__group=group, memberships__kind=MembershipKind.MEMBER
        ) | contacts.filter(piloted_groups=group)
    opted_out = Membership.objects.filter(group=group, invitations=False).values("contact_id")
    return contacts.exclude(pk__in=opted_out).distinct()


def invitation_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """The invited contacts who may get this meeting's invitation, update or cancellation now:
    reachable (not unsubscribed, bounced, departed nor erased), taking invitations, and not
    opted out of this group's. A move's update goes to all of them, those who had declined
    included: the new date may suit them."""
    return _invitable(meeting).filter(pk__in=meeting.invitations.values("contact_id"))


def _invitable(meeting: Meeting) -> QuerySet[Contact]:
    opted_out = Membership.objects.filter(group_id=meeting.group_id, invitations=False).values(
        "contact_id"
    )
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_invitations=True)
        .exclude(pk__in=opted_out)
    )


def invitation_send_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Whom "Envoyer les invitations" (or "… aux nouveaux invités") mails: the invitation list,
    plus the group's rule when the list was never prepared (the sending prepares it first: an
    extra invitee is added to the rule, never instead of it), minus those who declined this
    version of the meeting (a move puts every answer back to "sans réponse")."""
    invited = Q(pk__in=meeting.invitations.values("contact_id"))
    if meeting.invitees_prepared_at is None:
        invited |= Q(pk__in=default_invitees(meeting).values("pk"))
    declined = meeting.invitations.filter(rsvp=Rsvp.NO).values("contact_id")
    return _invitable(meeting).filter(invited).exclude(pk__in=declined)


def cancellation_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Who is told of a cancellation: the invitees whose invitation reached them (it is in
    their calendar) or is being sent at this moment, and who may still be mailed.

    A row "sending" when the coordinator cancels ends "sent" a moment later: without the
    CANCEL, the meeting would stay in that calendar (a CANCEL for a UID never received, if
    the worker skips it after all, is ignored by calendars). A row still "queued" is left
    out: its worker finds the meeting cancelled and skips it (meeting_cancel makes sure of
    that by locking those rows first)."""
    received = Delivery.objects.filter(
        topic=meeting.topic,
        kind=KIND_INVITATION,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.SENDING],
    ).values("contact_id")
    return invitation_recipients(meeting).filter(pk__in=received)


def report_recipients(meeting: Meeting) -> QuerySet[Contact]:
    """Every invited contact and every subscriber of the group, without duplicates, minus the
    unsubscribed, bounced and departed, and those who asked not to get this group's reports."""
    group = meeting.group
    opted_out = Membership.objects.filter(group=group, reports=False).values("contact_id")
    invited = Invitation.objects.filter(meeting=meeting).values("contact_id")
    subscribed = Membership.objects.filter(group=group, kind=MembershipKind.SUBSCRIBER).values(
        "contact_id"
    )
    # Subqueries rather than joins: each contact once without a DISTINCT over its columns.
    return (
        Contact.objects.mailable()
        .filter(territory_id=meeting.territory_id, receives_reports=True)
        .filter(Q(pk__in=invited) | Q(pk__in=subscribed))
        .exclude(pk__in=opted_out)
    )


@dataclass(frozen=True)
class SendPreview:
    """What pressing "send" will do: `count` new e-mails, `already` people served before."""

    count: int
    already: int


def send_preview(*, meeting: Meeting, kind: str) -> SendPreview:
    """The confirmation page's figures, from the very queries the sending uses."""
    if kind == KIND_REPORT:
        recipients, revision = report_recipients(meeting), 0
    else:
        recipients, revision = invitation_send_recipients(meeting), meeting.sequence
    served = (
        Delivery.objects.filter(topic=meeting.topic, kind=kind, revision=revision)
        .exclude(status=DeliveryStatus.SKIPPED)
        .values("contact_id")
    )
    already = recipients.filter(pk__in=served).count()
    return SendPreview(count=recipients.count() - already, already=already)


def delivery_obstacle(
    *,
    meeting: Meeting,
    contact: Contact | None,
    kind: str,
    opted_out: bool | None = None,
    rsvp: str | None = None,
) -> str:
    """Why this message may not go to this person now ("" when it may), in French, as the
    coordinator reads it next to the address. `opted_out` (the person's choice for this group)
    and `rsvp` are looked up when not given."""
    invitations = kind in INVITATION_KINDS
    # Erased, unsubscribed, bounced, left: the directory's rules, the same for all its e-mails.
    reason = mailing_obstacle(contact)
    if reason:
        return reason
    if invitations and not contact.receives_invitations:
        return _("la personne ne souhaite plus recevoir les invitations")
    if not invitations and not contact.receives_reports:
        return _("la personne ne souhaite plus recevoir les comptes-rendus")
    if opted_out is None:
        choice = {"invitations": False} if invitations else {"reports": False}
        opted_out = Membership.objects.filter(
            group_id=meeting.group_id, contact_id=contact.pk, **choice
        ).exists()
    if opted_out:
        if invitations:
            return _("la personne ne souhaite plus recevoir les invitations de ce groupe")
        return _("la personne ne souhaite plus recevoir les comptes-rendus de ce groupe")
    if kind in (KIND_INVITATION, KIND_REMINDER) and meeting.status == MeetingStatus.CANCELLED:
        return _("la réunion est annulée")
    if invitations and meeting.is_over:
        return _("la réunion est passée")
    if kind == KIND_REMINDER:
        if rsvp is None:
            rsvp = (
                meeting.invitations.filter(contact_id=contact.pk)
                .values_list("rsvp", flat=True)
                .first()
            )
        if rsvp == Rsvp.NO:
            return _("la personne a répondu qu'elle ne vient pas")
    return ""


def outdated(meeting: Meeting, delivery: Delivery) -> str:
    """Why this row's message is no longer the one to send ("" when it is): an invitation to a
    meeting moved since, whose newer version (a higher SEQUENCE) went or goes separately."""
    if delivery.kind == KIND_INVITATION and delivery.revision < meeting.sequence:
        return _("une version plus récente de l'invitation a été envoyée")
    return ""


class MovePreview(NamedTuple):
    """What saving an edit that moves an invited meeting will do, asked before it is saved."""

    stored: Meeting  # the meeting as saved, before this edit
    count: int  # how many people the updated invitation goes to


def move_preview(*, meeting: Meeting, fields: Iterable[str] | None = None) -> MovePreview | None:
    """How many people saving this edit would send the updated invitation to; None when the
    edit does not move an invited meeting (it then saves at once, without mail)."""
    if meeting.pk is None:
        return None
    stored = Meeting.objects.get(pk=meeting.pk)
    _changed, resend = meeting_changes(stored, meeting, fields)
    if not resend:
        return None
    return MovePreview(stored, invitation_recipients(stored).values("pk").count())


def cancel_preview(*, meeting: Meeting) -> dict[str, Any]:
    """What cancelling will do: why it cannot ("problem"), or how many people are told."""
    problem = cancel_problem(meeting)
    count = 0
    if not problem and meeting.invitations_sent_at:
        count = cancellation_recipients(meeting).values("pk").count()
    return {"problem": problem, "count": count}


def version_recipient_count(*, meeting: Meeting, kind: str) -> int:
    """How many people the message of the meeting's current version (its SEQUENCE) goes to: the
    update of a move, the cancellation."""
    return Delivery.objects.filter(
        topic=meeting.topic, kind=kind, revision=meeting.sequence
    ).count()


def send_counts(*, meeting: Meeting, invitable: bool) -> dict[str, int]:
    """The figures of the meeting page's buttons, for those who may press them: how many the
    compte-rendu would reach ("recipient_count"), how many the group's rule would add to the
    invitation list before it was ever prepared ("default_count")."""
    counts = {}
    if meeting.report and not meeting.report_sent_at:
        # Counted on the ids: a DISTINCT over every column of 200 contacts took 10 ms.
        counts["recipient_count"] = report_recipients(meeting).values("pk").count()
    if invitable and meeting.invitees_prepared_at is None:
        counts["default_count"] = (
            default_invitees(meeting)
            .exclude(pk__in=meeting.invitations.values("contact_id"))
            .values("pk")
            .count()
        )
    return counts
