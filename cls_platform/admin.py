from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Access, Territory, User


class AccessInline(admin.TabularInline):
    model = Access
    extra = 0
    autocomplete_fields = ["territory"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organization_label", "is_staff", "is_active", "is_demo"]
    list_filter = ["is_staff", "is_active", "is_demo"]
    search_fields = ["email", "full_name"]
    inlines = [AccessInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("full_name", "organization_label")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "is_demo")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "kind",
        "insee_code",
        "department_code",
        "population",
        "region",
        "coordination_email",
    ]
    search_fields = ["name", "slug", "insee_code", "department_code", "coordination_email"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "insee_code", "department_code", "region")}),
        # Shown in the table of all the contracts of a signatory (an ARS delegation).
        (_("Population"), {"fields": ("population", "population_year")}),
        # Partners' replies (Reply-To) and questions from their own pages reach this address.
        (_("Coordination"), {"fields": ("health_service_name", "coordination_email")}),
    )
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AccessInline]
    list_filter = ["kind", "region"]


@admin.register(Access)
class AccessAdmin(admin.ModelAdmin):
    list_display = ["user", "territory", "role", "granted_at"]
    list_filter = ["role", "territory"]
    search_fields = ["user__email", "territory__name"]
    autocomplete_fields = ["user", "territory"]


# The audit trail, read-only (auditlog's own admin searches fields our User does not have).
from .audit import register_admin  # noqa: E402

register_admin(admin.site)
