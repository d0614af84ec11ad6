from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cls_platform.models import Access


def platform(request: HttpRequest) -> dict[str, Any]:
    """The access the current page resolved (territory and role shown in the navigation)."""
    return {"current_access": getattr(request, "access", None)}


def several_territories(request: HttpRequest) -> dict[str, Any]:
    """`several_territories`: whether the signed-in user holds accesses to two territories or
    more, for whom the navigation links to the table of all their contracts (`/contrats/`).

    Lazy: the template calls it where the navigation asks (signed-in pages only), and the
    answer is kept on the request: one query a page at most, none for an anonymous visitor,
    none either on a territory's page, whose access came with the answer
    (`cls_platform.access.get_access`)."""

    def several() -> bool:
        known = getattr(request, "_several_territories", None)
        if known is None:
            known = getattr(getattr(request, "access", None), "other_territories", None)
        if known is None:
            user = getattr(request, "user", None)
            known = bool(
                user is not None
                and user.is_authenticated
                # No ordering: Access's own (territory, then user) would join both tables.
                and len(Access.objects.for_user(user).order_by().values_list("pk")[:2]) > 1
            )
        request._several_territories = known  # type: ignore[attr-defined]
        return known

    return {"several_territories": several}
