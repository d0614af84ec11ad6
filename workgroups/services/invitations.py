"""Writes of the invitations: the list (the group's rule, one more, one less), its sending and
the reminders, and the partners' answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cls_platform.audit import AuditEvent, audit_event
from cls_platform.models import Delivery, DeliveryStatus, User
from partners.models import Contact

from ..models import KIND_INVITATION, KIND_REMINDER, Invitation, Meeting, MeetingStatus, Rsvp
from ..selectors import (
    default_invitees,
    invitation_recipients,
    invitation_send_recipients,
    organizer_of,
    rsvp_problem,
)
from .deliveries import SendResult, enqueue
from .meetings import ensure_invitable


@transaction.atomic
def invitations_prepare(*, meeting: Meeting) -> int:
    """Fill the invitation list from the group's policy (the coordinator then adjusts it);
    those already on the list stay. Returns how many were added."""
    ensure_invitable(meeting)
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    rows = [
        Invitation(meeting=meeting, contact_id=contact_id, territory_id=meeting.territory_id)
        for contact_id in default_invitees(meeting).values_list("pk", flat=True)
        if contact_id not in already
    ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    if meeting.invitees_prepared_at is None:
        meeting.invitees_prepared_at = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(
            invitees_prepared_at=meeting.invitees_prepared_at
        )
    return len(rows)


@dataclass(frozen=True)
class InvitationAdded:
    invitation: Invitation
    mailed: bool  # an invitation e-mail was queued for the person


@transaction.atomic
def invitation_add(*, meeting: Meeting, contact: Contact) -> InvitationAdded:
    """Add someone to the list; once the invitations went, they get theirs at once, unless
    they opted out of invitations (they stay on the list for attendance)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if contact.territory_id != meeting.territory_id:
        raise ValidationError(_("Ce contact n'appartient pas au territoire de la réunion."))
    ensure_invitable(meeting)
    if meeting.invitees_prepared_at is None:
        # The group's rule always applies: one more person is added to it, never instead of it.
        invitations_prepare(meeting=meeting)
    invitation, _created = Invitation.objects.get_or_create(meeting=meeting, contact=contact)
    mailed = False
    if meeting.invitations_sent_at:
        contacts = invitation_recipients(meeting).filter(pk=contact.pk)
        mailed = bool(enqueue(meeting, KIND_INVITATION, contacts, revision=meeting.sequence).queued)
    return InvitationAdded(invitation, mailed)


@transaction.atomic
def invitation_remove(*, invitation: Invitation) -> None:
    """Take someone off the list, as long as their invitation has not gone."""
    if invitation.meeting.invitations_sent_at and _invitation_sent(invitation):
        raise ValidationError(_("L'invitation est déjà partie : elle ne peut plus être retirée."))
    invitation.delete()


def _invitation_sent(invitation: Invitation) -> bool:
    """Whether the invitation e-mail reached the person (sent, not merely queued)."""
    return Delivery.objects.filter(
        topic=invitation.meeting.topic,
        kind=KIND_INVITATION,
        contact_id=invitation.contact_id,
        status=DeliveryStatus.SENT,
    ).exists()


@transaction.atomic
def invitations_send(*, meeting: Meeting, user: User | None = None) -> SendResult:
    """One e-mail per invited contact who can be mailed; those already served are skipped.

    The first sending fixes the calendar organizer (`user`, who sends) for the meeting's life."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_invitable(meeting)
    if meeting.invitees_prepared_at is None:
        invitations_prepare(meeting=meeting)
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = timezone.now()
        meeting.organizer_email, meeting.organizer_name = organizer_of(meeting, user)
        meeting.save(update_fields=["invitations_sent_at", "organizer_email", "organizer_name"])
    # Those who declined this version of the meeting are not invited again; a move put every
    # answer back to "sans réponse", so a "no" here was given to the current date.
    result = enqueue(
        meeting, KIND_INVITATION, invitation_send_recipients(meeting), revision=meeting.sequence
    )
    audit_event(
        AuditEvent.SEND,
        target=meeting,
        message="invitations",
        queued=result.queued,
        skipped=result.skipped,
    )
    return result


@transaction.atomic
def reminders_send(*, meeting: Meeting) -> SendResult:
    """A reminder to those who have not declined (sent once per person and meeting)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if (
        meeting.status != MeetingStatus.PLANNED
        or meeting.is_over
        or not meeting.invitations_sent_at
    ):
        return SendResult(0, 0)
    declined = meeting.invitations.filter(rsvp=Rsvp.NO).values("contact_id")
    contacts = invitation_recipients(meeting).exclude(pk__in=declined)
    return enqueue(meeting, KIND_REMINDER, contacts)


@transaction.atomic
def rsvp_record(*, invitation: Invitation, answer: str) -> Invitation:
    """The answer of the e-mail's "je viens" / "je ne viens pas" links."""
    if answer not in (Rsvp.YES, Rsvp.NO):
        raise ValidationError(_("Réponse inconnue."))
    problem = rsvp_problem(invitation)
    if problem:
        raise ValidationError(problem)
    invitation.rsvp = answer
    invitation.rsvp_at = timezone.now()
    invitation.save(update_fields=["rsvp", "rsvp_at"])
    Contact.objects.filter(pk=invitation.contact_id).update(last_activity_at=timezone.now())
    return invitation
