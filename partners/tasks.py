"""Celery tasks of the directory: they take ids, re-fetch, and return quietly if gone.

The directory's e-mails (details check, hand-over notice) are outbox rows, sent by
`cls_platform.tasks.send_delivery` like every other e-mail (see partners/emails.py).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction

from cls_platform.mail import outbox

from .emails import KIND_HAND_OVER, hand_over_topic
from .models import Contact, HandOver
from .services import contact_request_confirmation, coordinators_of, partner_imports_purge


@shared_task(name="partners.tasks.purge_pending_imports")
def purge_pending_imports() -> int:
    """Celery beat, daily: uploads never confirmed do not keep their file of people."""
    return partner_imports_purge()


# --- the previous release's e-mail tasks ---------------------------------------------------------
#
# The release before the outbox sent these two e-mails from tasks of these names. A message
# queued in Redis before the deployment still names them: without a task of that name, a worker
# of this release would reject it ("unregistered task") and the e-mail would be lost. Each shim
# queues the outbox row the new code writes, so a message delivered twice sends one e-mail.
# Remove both in the release after the one that introduced the outbox (once no worker of the
# previous release runs and its queue is empty: `celery -A cls_platform inspect reserved` and
# the length of the "celery" list in Redis).

# A details check queued by this shim, or by a click since, in the last day is the same request:
# a second delivery of the old message (Redis gives back the unacknowledged after an hour) adds
# none.
OLD_DETAILS_CHECK_SAME_REQUEST = dt.timedelta(days=1)


@shared_task(name="partners.tasks.send_details_check")
def send_details_check(contact_id: int) -> int:
    """Shim (remove in the next release): the person's details check, through the outbox."""
    contact = Contact.objects.select_related("territory").filter(pk=contact_id).first()
    if contact is None:
        return 0
    try:
        queued = contact_request_confirmation(
            contact=contact, at_most_every=OLD_DETAILS_CHECK_SAME_REQUEST
        )
    except ValidationError:  # erased, left, bounced or unsubscribed since: as the old task did
        return 0
    return int(queued)


@shared_task(name="partners.tasks.notify_coordinators_of_hand_over")
def notify_coordinators_of_hand_over(hand_over_id: int) -> int:
    """Shim (remove in the next release): the notice of a departure to each coordinator,
    through the outbox (a coordinator already served for this hand-over is skipped)."""
    hand_over = HandOver.objects.select_related("territory").filter(pk=hand_over_id).first()
    if hand_over is None:
        return 0
    with transaction.atomic():
        queued = outbox.enqueue(
            territory=hand_over.territory,
            kind=KIND_HAND_OVER,
            topic=hand_over_topic(hand_over.pk),
            recipients=[
                outbox.Recipient(email=user.email) for user in coordinators_of(hand_over.territory)
            ],
        )
    return len(queued.queued)
