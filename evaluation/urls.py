from __future__ import annotations

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
]
