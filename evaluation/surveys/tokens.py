"""The signed link of a survey e-mail: it names one person's invitation to one campaign, and is
the only credential of the answer page (no account). It does not expire: the campaign's closing
date says until when it opens the form."""

from __future__ import annotations

from django.core import signing

SALT = "trame.evaluation.survey"


def answer_token(invitation_id: int) -> str:
    return signing.dumps({"i": invitation_id}, salt=SALT, compress=True)


def invitation_from_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    value = data.get("i") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
