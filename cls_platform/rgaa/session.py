"""The end of an idle session announced, with a way to push it back (RGAA 13.1, WCAG 2.2.1).

A signed-in page loads static/js/session-timeout.js (templates/cls_platform/
session_timeout.html), which knows from its tag how long the session has left: a few minutes before the end, it says so in a live region with a button
« Prolonger la session », which posts here. The post is a request of the signed-in person like
any other: the session is saved, and its end pushed back by TRAME_SESSION_IDLE_MINUTES.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from cls_platform.access import authenticated_view
from cls_platform.security import sessions
from cls_platform.security.views import exempt


# Exempt from the second factor: the enrolment and verification pages carry the warning too, and
# pushing back the end of a session that has not passed it yet opens nothing.
@exempt
@authenticated_view
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Save the session now (not "within a minute"): it lasts the whole idle time again."""
    request.session[sessions.SEEN_KEY] = int(time.time())
    return JsonResponse({"seconds_left": request.session.get_expiry_age()})
