"""Links in meeting e-mails: answers and shared documents (no account)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "meeting_links"

urlpatterns = [
    path("document/<str:token>/", views.shared_document, name="document"),
    path("<str:token>/<str:answer>/", views.rsvp, name="rsvp"),
]
