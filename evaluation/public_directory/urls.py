"""The coordination's pages of the public directory, under /t/<territory>/ (included by
evaluation/urls.py, "evaluation" namespace)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("offre-de-sante/", views.ManageView.as_view(), name="public_directory_manage"),
    path(
        "offre-de-sante/presentation/",
        views.DirectorySettingsView.as_view(),
        name="public_directory_settings",
    ),
    path(
        "offre-de-sante/structures/<int:pk>/",
        views.ListingView.as_view(),
        name="public_directory_listing",
    ),
]
