"""Links in meeting e-mails and calendars (no account): answers, shared documents, the partner's
meeting page, the compte-rendu's PDF, the groups' calendar feeds."""

from __future__ import annotations

from django.urls import path

from . import partner_views, views

app_name = "meeting_links"

urlpatterns = [
    path("agenda/<str:token>.ics", partner_views.feed, name="feed"),
    path("agenda/<str:token>/revoquer/<int:pk>/", partner_views.feed_revoke, name="feed_revoke"),
    path("compte-rendu/<str:token>/", partner_views.report_pdf, name="report_pdf"),
    path("document/<str:token>/", views.shared_document, name="document"),
    path("<str:token>/", partner_views.meeting_page, name="meeting_page"),
    path("<str:token>/<str:answer>/", views.rsvp, name="rsvp"),
]
