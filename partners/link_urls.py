"""The partners' own pages, reached from signed links in e-mails (no account, no territory)."""

from __future__ import annotations

from django.urls import path

from . import link_views

app_name = "partner_links"

urlpatterns = [
    path("<str:token>/", link_views.self_service, name="self_service"),
    path(
        "<str:token>/coordonnees/",
        link_views.self_service_request,
        name="self_service_request",
    ),
    path("<str:token>/depart/", link_views.self_service_left, name="self_service_left"),
    path(
        "<str:token>/desinscription/",
        link_views.self_service_unsubscribe,
        name="self_service_unsubscribe",
    ),
]
