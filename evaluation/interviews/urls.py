"""Addresses of the interviews, under /t/<territory>/ (included by evaluation/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("entretiens/", views.InterviewListView.as_view(), name="interview_list"),
    # Two literal addresses: any other extension is a 404, not a CSV under a misleading name.
    path(
        "entretiens/export.csv",
        views.InterviewExportView.as_view(),
        {"format": "csv"},
        name="interview_export_csv",
    ),
    path(
        "entretiens/export.xlsx",
        views.InterviewExportView.as_view(),
        {"format": "xlsx"},
        name="interview_export_xlsx",
    ),
    path("entretiens/nouveau/", views.InterviewFormView.as_view(), name="interview_create"),
    path("entretiens/<int:pk>/", views.InterviewDetailView.as_view(), name="interview_detail"),
    path("entretiens/<int:pk>/modifier/", views.InterviewFormView.as_view(), name="interview_edit"),
    path(
        "entretiens/<int:pk>/supprimer/",
        views.InterviewDeleteView.as_view(),
        name="interview_delete",
    ),
]
