"""Links in meeting e-mails and calendars (no account): answers, shared documents, the partner's
meeting page, the compte-rendu's PDF, the groups' calendar feeds."""

from __future__ import annotations

from django.urls import path

from .views import feeds, partner_pages

app_name = "meeting_links"

urlpatterns = [
    path("agenda/<str:token>.ics", feeds.feed, name="feed"),
    path("agenda/<str:token>/revoquer/<int:pk>/", feeds.feed_revoke, name="feed_revoke"),
    path("compte-rendu/<str:token>/", partner_pages.report_pdf, name="report_pdf"),
    path("document/<str:token>/", partner_pages.shared_document, name="document"),
    path("<str:token>/", partner_pages.meeting_page, name="meeting_page"),
    path("<str:token>/<str:answer>/", partner_pages.rsvp, name="rsvp"),
]
