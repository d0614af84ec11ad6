from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """The access the current page resolved (territory and role shown in the navigation)."""
    return {"current_access": getattr(request, "access", None)}
