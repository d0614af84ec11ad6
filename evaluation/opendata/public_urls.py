from __future__ import annotations

# Public pages, at the root of the site (included by cls_platform/urls.py).
app_name = "opendata"

urlpatterns: list = []
