"""Signed links that let a partner act without an account: each names one contact.

Three links, three salts:

- the mailing link, in every mass e-mail (invitations, compte-rendus, survey e-mails): it opens
  one page, "Mettre à jour mes coordonnées", whose button sends the fresh link below to the
  address on file. It never expires and edits nothing: a forwarded e-mail gives its reader no
  more than the power to have a link sent to someone else's mailbox;
- the fresh link (the self-service token), sent only to the address on file, on that request or
  the coordination's: it opens the details, the choices of what one receives and the departure,
  for SELF_SERVICE_LINK_MINUTES (30) minutes. Links of this salt made before it was short-lived
  (in e-mails sent before) are simply expired: their page offers a fresh link;
- the unsubscribe link, which never expires either, so that a one-click unsubscribe (RFC 8058)
  from a years-old e-mail still works and yet opens nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing

from .models import Contact

SALT = "trame.partners.self-service"
MAILING_SALT = "trame.partners.mailing"
UNSUBSCRIBE_SALT = "trame.partners.unsubscribe"


def link_minutes() -> int:
    """How long a fresh self-service link opens the person's details (a setting)."""
    return max(1, int(getattr(settings, "SELF_SERVICE_LINK_MINUTES", 30)))


def link_max_age() -> int:
    return 60 * link_minutes()


def submit_grace() -> int:
    """Seconds after the link's expiry during which a form opened in time may still be sent
    (SELF_SERVICE_SUBMIT_GRACE_MINUTES, 120): whoever typed their new details slowly loses
    nothing, while the link no longer opens the forms."""
    return 60 * max(0, int(getattr(settings, "SELF_SERVICE_SUBMIT_GRACE_MINUTES", 120)))


def _payload(contact: Contact) -> dict[str, int]:
    return {"c": contact.pk, "t": contact.territory_id}


def contact_token(contact: Contact) -> str:
    """The fresh self-service link's token (expires after `link_minutes()`): only ever sent to
    the address on file, never in a mass e-mail."""
    return signing.dumps(_payload(contact), salt=SALT, compress=True)


def mailing_token(contact: Contact) -> str:
    """The token of the "update my details" link of mass e-mails: it only asks for a fresh link."""
    return signing.dumps(_payload(contact), salt=MAILING_SALT, compress=True)


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


def _load(token: str, *, salt: str, max_age: int | None) -> Contact | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return _contact(data)


def contact_from_token(token: str, *, submitting: bool = False) -> Contact | None:
    """The contact a fresh self-service link was made for, or None if forged, expired or erased.
    A form sent (`submitting`) is accepted for submit_grace() more: it was opened in time."""
    grace = submit_grace() if submitting else 0
    return _load(token, salt=SALT, max_age=link_max_age() + grace)


def contact_from_expired_token(token: str) -> Contact | None:
    """The contact of a self-service link whose signature holds, however old: its page says the
    link expired and offers a new one (sent to the contact's address, never shown)."""
    return _load(token, salt=SALT, max_age=None)


def contact_from_mailing_token(token: str) -> Contact | None:
    """The contact a mass e-mail's "update my details" link names, however old the e-mail."""
    return _load(token, salt=MAILING_SALT, max_age=None)


def contact_from_unsubscribe_token(token: str) -> Contact | None:
    """The contact an unsubscribe link names, however old the e-mail that carried it.

    E-mails sent before the unsubscribe token existed carry the self-service token in their
    List-Unsubscribe header: it is accepted here too, without its expiry, for unsubscribing only.
    """
    for salt in (UNSUBSCRIBE_SALT, SALT):
        contact = _load(token, salt=salt, max_age=None)
        if contact is not None:
            return contact
    return None


def opens_self_service(token: str) -> bool:
    """Whether the token is a self-service token still within its validity."""
    try:
        signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.BadSignature:
        return False
    return True


def expires_at(token: str) -> dt.datetime | None:
    """When a (valid) self-service token stops opening the person's details, shown on the page."""
    try:
        signed = signing.TimestampSigner(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    # What unsign returns is the payload; the timestamp is the part between it and the signature.
    stamp = token[len(signed) + 1 :].split(":", 1)[0]
    issued = dt.datetime.fromtimestamp(signing.b62_decode(stamp), tz=dt.UTC)
    return issued + dt.timedelta(seconds=link_max_age())
