"""The meeting e-mails handed to the outbox (`cls_platform.mail.outbox`): rows written in the
same transaction as the decision to send, handed to the workers once it commits; and the
retry of those that failed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from cls_platform.mail import outbox
from cls_platform.models import Delivery
from partners.models import Contact

from ..models import INVITATION_KINDS, Meeting, Membership
from ..selectors import delivery_obstacle, outdated


@dataclass(frozen=True)
class SendResult:
    queued: int  # e-mails queued by this sending
    skipped: int  # recipients already served before


def enqueue(
    meeting: Meeting, kind: str, contacts: Iterable[Contact], revision: int = 0
) -> SendResult:
    """One outbox row per contact for this meeting's `kind` of message (of its `revision`:
    the SEQUENCE an invitation carries); those already served are skipped."""
    result = outbox.enqueue(
        territory=meeting.territory,
        kind=kind,
        topic=meeting.topic,
        revision=revision,
        recipients=[outbox.Recipient(email=c.email, contact_id=c.pk) for c in contacts],
    )
    return SendResult(queued=len(result.queued), skipped=result.skipped)


@transaction.atomic
def deliveries_retry(*, meeting: Meeting) -> outbox.Retried:
    """ "Relancer les envois en échec": each failed e-mail goes again to the person's current
    address (the coordinator may have corrected it), unless the person still cannot be mailed
    or the message no longer makes sense (an invitation once the meeting is over)."""
    # Locked: a second retry (double click) waits, then finds the rows no longer failed.
    meeting = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)

    def decide(rows: list[Delivery]) -> dict[int, outbox.Decision]:
        ids = {r.contact_id for r in rows if r.contact_id}
        contacts = Contact.objects.filter(territory_id=meeting.territory_id).in_bulk(ids)
        choices = {
            (m.contact_id, kind): True
            for m in Membership.objects.filter(group_id=meeting.group_id, contact_id__in=ids)
            for kind, wanted in (("invitations", m.invitations), ("reports", m.reports))
            if not wanted
        }
        answers = dict(
            meeting.invitations.filter(contact_id__in=ids).values_list("contact_id", "rsvp")
        )
        decisions: dict[int, outbox.Decision] = {}
        for row in rows:
            if not row.contact_id:
                continue  # a plain address: nothing to check it against
            contact = contacts.get(row.contact_id)
            choice = "invitations" if row.kind in INVITATION_KINDS else "reports"
            reason = delivery_obstacle(
                meeting=meeting,
                contact=contact,
                kind=row.kind,
                opted_out=(row.contact_id, choice) in choices,
                rsvp=answers.get(row.contact_id, ""),
            ) or outdated(meeting, row)
            decisions[row.pk] = outbox.Skip(reason) if reason else contact.email
        return decisions

    return outbox.retry_failed(territory=meeting.territory, topic=meeting.topic, decide=decide)
