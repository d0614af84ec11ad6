"""Celery tasks of the directory: they take ids, re-fetch, and return quietly if gone.

The directory's e-mails (details check, hand-over notice) are outbox rows, sent by
`cls_platform.tasks.send_delivery` like every other e-mail (see partners/emails.py).
"""

from __future__ import annotations

from celery import shared_task

from .services import partner_imports_purge


@shared_task(name="partners.tasks.purge_pending_imports")
def purge_pending_imports() -> int:
    """Celery beat, daily: uploads never confirmed do not keep their file of people."""
    return partner_imports_purge()
