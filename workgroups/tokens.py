"""Signed links in meeting e-mails: answers to an invitation, downloads of shared documents."""

from __future__ import annotations

from django.core import signing

RSVP_SALT = "trame.workgroups.rsvp"
DOCUMENT_SALT = "trame.workgroups.document"
MAX_AGE = 60 * 60 * 24 * 180


def invitation_token(invitation_id: int) -> str:
    return signing.dumps({"i": invitation_id}, salt=RSVP_SALT, compress=True)


def invitation_from_token(token: str) -> int | None:
    try:
        return signing.loads(token, salt=RSVP_SALT, max_age=MAX_AGE).get("i")
    except signing.BadSignature:
        return None


def document_token(document_id: int, contact_id: int) -> str:
    """A shared document's link for one recipient: it opens the file for as long as that person
    may receive the CLS's e-mails (checked at each download, see views.partner_pages)."""
    return signing.dumps({"d": document_id, "c": contact_id}, salt=DOCUMENT_SALT, compress=True)


def document_from_token(token: str) -> tuple[int, int] | None:
    """The (document, contact) a document link names, or None if forged, expired or naming no
    one (links made before they named their recipient open nothing)."""
    try:
        data = signing.loads(token, salt=DOCUMENT_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    document_id, contact_id = data.get("d"), data.get("c")
    if not isinstance(document_id, int) or not isinstance(contact_id, int):
        return None
    return document_id, contact_id
