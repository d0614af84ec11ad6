"""Included by evaluation/urls.py: pages under /t/<territory>/, in the `evaluation` namespace."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/telecharger/", views.ArchiveDownloadView.as_view(), name="archive_download"),
]
