"""The directory reads the apps above it (actions, workgroups) only along the relations they
declare: each path it relies on is listed in `partners.selectors.UPPER_APP_READS`, each listed
path must exist on the models, and each such relation partners code names must be listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from partners.selectors import UPPER_APP_READS

# The apps to the right of partners on the dependency line, and partners itself.
LOWER_APPS = {"cls_platform", "partners"}
ROOT = Path(settings.BASE_DIR)


def upper(model: type[Model] | None) -> bool:
    return (
        model is not None
        and model._meta.app_label not in LOWER_APPS
        and (model._meta.app_label in {c.label for c in apps.get_app_configs()})
    )


def walk(label: str, path: str) -> tuple[list[tuple[type[Model], str]], str]:
    """The (model, step) pairs the path goes through, and what breaks it ("" if nothing)."""
    model: type[Model] | None = apps.get_model(label)
    steps: list[tuple[type[Model], str]] = []
    for step in path.split("__"):
        if model is None:
            return steps, f"« {step} » suit un champ qui n'est pas une relation"
        try:
            field = model._meta.get_field(step)
        except FieldDoesNotExist:
            return steps, f"{model._meta.label} n'a plus de champ ni de relation « {step} »"
        if field.auto_created and not field.concrete and field.get_accessor_name() != step:
            # Templates and `obj.<step>.all()` read the accessor, lookups the query name.
            return steps, f"{model._meta.label}.{step} n'est plus le nom de la relation"
        steps.append((model, step))
        model = field.related_model if field.is_relation else None
    return steps, ""


LISTED = [(label, path) for label, paths in UPPER_APP_READS.items() for path in paths]


@pytest.mark.parametrize(("label", "path"), LISTED, ids=[f"{m}:{p}" for m, p in LISTED])
def test_each_path_the_directory_reads_exists_on_the_models(label, path):
    steps, broken = walk(label, path)
    assert not broken, f"partners lit {label} → {path} : {broken}"
    reached = [apps.get_model(label)] + [
        model._meta.get_field(step).related_model for model, step in steps
    ]
    assert any(upper(model) for model in reached), (
        f"{path} ne mène à aucune application au-dessus de partners : inutile de la lister"
    )


def partners_sources() -> str:
    """The code and templates of the directory (its demo data and migrations aside)."""
    files = [
        *(ROOT / "partners").rglob("*.py"),
        *(ROOT / "templates" / "partners").rglob("*.html"),
        *(ROOT / "templates" / "emails").glob("details_check*"),
        *(ROOT / "templates" / "emails").glob("hand_over*"),
    ]
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in files
        if "migrations" not in path.parts and path.name != "demo.py"
    )


def test_each_relation_of_an_upper_app_that_partners_names_is_listed():
    source = partners_sources()
    listed = {step for label, path in LISTED for _model, step in walk(label, path)[0]}
    unlisted = set()
    for label in LOWER_APPS:
        for model in apps.get_app_config(label).get_models():
            for relation in model._meta.related_objects:
                name = relation.get_accessor_name()
                if not upper(relation.related_model) or not name:
                    continue
                if re.search(rf"\b{re.escape(name)}\b", source) and name not in listed:
                    unlisted.add(f"{model._meta.label}.{name}")
    assert not unlisted, (
        f"partners lit {sorted(unlisted)} sans le déclarer : ajoutez le chemin à "
        "partners.selectors.UPPER_APP_READS"
    )


def test_the_check_catches_a_relation_that_disappeared():
    assert walk("cls_platform.Territory", "work_groups__name")[1] == ""
    assert (
        "n'a plus de champ ni de relation « groupes »"
        in walk("cls_platform.Territory", "groupes__name")[1]
    )
    assert (
        "n'a plus de champ ni de relation « intitule »"
        in walk("partners.Organization", "signatures__contract__intitule")[1]
    )
