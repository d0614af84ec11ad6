"""What the database holds, table by table, to prove that a refused request changed nothing."""

from __future__ import annotations

from django.apps import apps

# The project's own data; sessions and sign-in attempts change on every request by design.
PROJECT_APPS = {"cls_platform", "partners", "actions", "workgroups", "evaluation"}


def snapshot() -> dict[str, list[str]]:
    """Every row of every project table, in a comparable form."""
    tables: dict[str, list[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        tables[model._meta.label] = sorted(repr(row) for row in model._base_manager.values_list())
    return tables


def changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """The tables whose rows differ, with how many rows each had before and after."""
    return [
        f"{label} ({len(before[label])} → {len(after[label])} lignes)"
        for label in before
        if before[label] != after[label]
    ]
