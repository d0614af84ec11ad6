"""The floor of every page: a bare Django view on the same stack (same middleware, session and
login), one query, a tiny template. Served by the benchmark's own urlconf (bench/urls.py), never
by the product's.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines

from cls_platform.access import authenticated_view
from cls_platform.models import Access

URL = "/banc/plancher/"
TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="fr"><title>Plancher</title>'
    "<p>{{ user.email }} : {{ count }} accès.</p></html>"
)


@authenticated_view
def bare_view(request: HttpRequest) -> HttpResponse:
    count = Access.objects.filter(user=request.user).count()
    return HttpResponse(TEMPLATE.render({"user": request.user, "count": count}))
