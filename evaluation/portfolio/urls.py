from __future__ import annotations

# Pages across territories (included by cls_platform/urls.py at /contrats/).
app_name = "portfolio"

urlpatterns: list = []
