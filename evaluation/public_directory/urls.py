from __future__ import annotations

# Pages under /t/<territory>/, in the "evaluation" namespace (included by evaluation/urls.py).
urlpatterns: list = []
