from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cls_platform.settings")
application = get_wsgi_application()

# The URLconf, and with it every view and what they import (WeasyPrint and its C bindings
# among them), imported while the worker starts rather than by the first request it serves:
# 0.8 s of a processor per gunicorn worker, which the first visitors after a deployment or a
# worker's restart waited for, behind it, and which the load test counted against the pages
# (bench/load). No query: nothing reads the database at import.
get_resolver().url_patterns  # noqa: B018
