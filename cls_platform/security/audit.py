"""Account events in the audit trail (cls_platform/audit.py): a lockout, a second factor set up
or removed, a wrong code. One entry per territory the account has access to, like sign-ins, so
that each coordination reads its own people's; ids and a word of detail, never an address typed
nor a code."""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_disabled
from django.http import HttpRequest

from cls_platform.audit import AuditEntry, AuditEvent, _account_entries
from cls_platform.models import User


def record_account_event(
    event: AuditEvent,
    *,
    user: User | None,
    request: HttpRequest | None,
    changes: dict[str, list[str]] | None = None,
    **details: Any,
) -> list[AuditEntry]:
    """A sign-in-like entry (`event` is SIGN_IN_FAILED for a lockout or a wrong code, UPDATE for
    a change of the account's second factor) with `details` in its additional data."""
    if auditlog_disabled.get():
        return []
    entries = _account_entries(user, event, request)
    for entry in entries:
        entry.additional_data = details or None
        entry.changes = changes
        if event == AuditEvent.UPDATE and user is not None:
            entry.actor, entry.actor_email = user, user.email
    return AuditEntry.objects.bulk_create(entries)
