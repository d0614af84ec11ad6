"""Sessions that end after inactivity, and signing out of every device at once.

A session lasts SESSION_COOKIE_AGE (TRAME_SESSION_IDLE_MINUTES) from its last save. Instead of
saving it on every request (SESSION_SAVE_EVERY_REQUEST: one more write per page),
`IdleSessionMiddleware` saves it when the last renewal is a minute old or more: the session ends
between TRAME_SESSION_IDLE_MINUTES and one minute more after the last request.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from cls_platform.models import User

SEEN_KEY = "_trame_seen"
RENEW_AFTER_SECONDS = 60


def mark_seen(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """At sign-in (user_logged_in): the session's clock starts."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN_KEY] = int(time.time())


def renew(request: HttpRequest) -> None:
    """After a signed-in person's request: push the session's end back if due."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None or SESSION_KEY not in session:
        return
    now = int(time.time())
    if now - int(session.get(SEEN_KEY) or 0) >= RENEW_AFTER_SECONDS:
        session[SEEN_KEY] = now


def sign_out_everywhere(*, user: User) -> int:
    """Delete every open session of `user` (the current one included); returns how many.

    Sessions are stored in the database (Django's default engine); each one names its user
    inside its signed data, so the live ones are read and the user's deleted.
    """
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)
