"""The public directory of a territory's health offer, at /offre-de-sante/<territory>/
(included by cls_platform/urls.py): no account, only structures marked public."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "public_directory"

urlpatterns = [
    path("<slug:territory>/", views.public_directory, name="directory"),
    path("<slug:territory>/structures/<int:pk>/", views.public_structure, name="structure"),
]
