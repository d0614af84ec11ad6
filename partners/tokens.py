"""Signed links that let a partner act without an account: each names one contact.

The self-service link (details, preferences, departure) expires; the unsubscribe link does not,
with its own salt, so that a one-click unsubscribe (RFC 8058) from a years-old e-mail still
works and yet cannot open the person's details.
"""

from __future__ import annotations

from django.core import signing

from .models import Contact

SALT = "trame.partners.self-service"
UNSUBSCRIBE_SALT = "trame.partners.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 120  # four months: longer than the gap between two group meetings


def _payload(contact: Contact) -> dict[str, int]:
    return {"c": contact.pk, "t": contact.territory_id}


def contact_token(contact: Contact) -> str:
    """The self-service link's token (expires after MAX_AGE)."""
    return signing.dumps(_payload(contact), salt=SALT, compress=True)


def unsubscribe_token(contact: Contact) -> str:
    """The unsubscribe link's token: it never expires and opens nothing but unsubscribing."""
    return signing.dumps(_payload(contact), salt=UNSUBSCRIBE_SALT, compress=True)


def _contact(data: object) -> Contact | None:
    if not isinstance(data, dict):
        return None
    return (
        Contact.objects.select_related("organization", "territory")
        .filter(pk=data.get("c"), territory_id=data.get("t"), anonymized_at__isnull=True)
        .first()
    )


def contact_from_token(token: str, *, max_age: int | None = MAX_AGE) -> Contact | None:
    """The contact a self-service link was made for, or None if forged, expired or erased."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return _contact(data)


def contact_from_expired_token(token: str) -> Contact | None:
    """The contact of a self-service link whose signature holds, however old: its page says the
    link expired and offers a new one (sent to the contact's address, never shown)."""
    return contact_from_token(token, max_age=None)


def contact_from_unsubscribe_token(token: str) -> Contact | None:
    """The contact an unsubscribe link names, however old the e-mail that carried it.

    E-mails sent before the unsubscribe token existed carry the self-service token in their
    List-Unsubscribe header: it is accepted here too, without its expiry, for unsubscribing only.
    """
    for salt in (UNSUBSCRIBE_SALT, SALT):
        try:
            return _contact(signing.loads(token, salt=salt))
        except signing.BadSignature:
            continue
    return None


def opens_self_service(token: str) -> bool:
    """Whether the token is a self-service token still within its validity."""
    try:
        signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    return True
