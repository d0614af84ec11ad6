"""Reference data of the contracts in the Django admin: publics, Ottawa Charter areas and the
collaboration scale. Coordinators edit the scale's labels from the application too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CollaborationLevel, OttawaArea, Public


class SlugFixedOnceCreated(admin.ModelAdmin):
    """The slug is how the reference data restored after a flush recognises a row: renaming
    is fine, changing the slug would bring the original row back beside the renamed one."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()


@admin.register(Public)
class PublicAdmin(SlugFixedOnceCreated):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj is not None else dict(self.prepopulated_fields)


@admin.register(OttawaArea)
class OttawaAreaAdmin(SlugFixedOnceCreated):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj is not None else dict(self.prepopulated_fields)


@admin.register(CollaborationLevel)
class CollaborationLevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "label", "description"]
    list_display_links = ["label"]
    ordering = ["rank"]
    search_fields = ["label"]
