"""Signed links that let a partner act without an account: they expire and name one contact."""

from __future__ import annotations

from django.core import signing

from .models import Contact

SALT = "trame.partners.self-service"
MAX_AGE = 60 * 60 * 24 * 120  # four months: longer than the gap between two group meetings


def contact_token(contact: Contact) -> str:
    return signing.dumps({"c": contact.pk, "t": contact.territory_id}, salt=SALT, compress=True)


def contact_from_token(token: str, *, max_age: int = MAX_AGE) -> Contact | None:
    """The contact a link was made for, or None if it is forged, expired or erased."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return (
        Contact.objects.select_related("organization", "territory")
        .filter(pk=data.get("c"), territory_id=data.get("t"), anonymized_at__isnull=True)
        .first()
    )
