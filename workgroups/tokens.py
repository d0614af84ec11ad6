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


def document_token(document_id: int, contact_id: int | None) -> str:
    return signing.dumps({"d": document_id, "c": contact_id}, salt=DOCUMENT_SALT, compress=True)


def document_from_token(token: str) -> int | None:
    try:
        return signing.loads(token, salt=DOCUMENT_SALT, max_age=MAX_AGE).get("d")
    except signing.BadSignature:
        return None
