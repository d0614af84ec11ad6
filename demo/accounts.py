"""Demo territories and accounts (see DESIGN.md, "Interfaces"). Idempotent."""

from __future__ import annotations

from django.conf import settings

from cls_platform.models import Access, Role, Territory, TerritoryKind, User

TERRITORIES = [
    {
        "slug": "cergy",
        "name": "Cergy",
        "kind": TerritoryKind.COMMUNE,
        "insee_code": "95127",
        "department_code": "95",
        "region": "Île-de-France",
        "health_service_name": "Service Santé, prévention, handicap et lien intergénérationnel",
    },
    {
        "slug": "vitry-sur-seine",
        "name": "Vitry-sur-Seine",
        "kind": TerritoryKind.COMMUNE,
        "insee_code": "94081",
        "department_code": "94",
        "region": "Île-de-France",
        "health_service_name": "Service Promotion de la santé (SPS)",
    },
]

# email, full name, institution, [(territory slug, role)]
ACCOUNTS = [
    (
        "coordination@cergy.demo",
        "Katia Lebrun",
        "Ville de Cergy, service Santé",
        [("cergy", Role.COORDINATOR)],
    ),
    (
        "coordination@vitry.demo",
        "Flore Chardon",
        "Ville de Vitry-sur-Seine, SPS",
        [("vitry-sur-seine", Role.COORDINATOR)],
    ),
    (
        "copilote@vitry.demo",
        "Samir Benali",
        "Ville de Vitry-sur-Seine, service Jeunesse",
        [("vitry-sur-seine", Role.COPILOT)],
    ),
    (
        "ars95@ars.demo",
        "Délégation départementale 95",
        "ARS Île-de-France",
        [("cergy", Role.VIEWER)],
    ),
    (
        "ars-idf@ars.demo",
        "Direction de la santé publique",
        "ARS Île-de-France",
        [("cergy", Role.VIEWER), ("vitry-sur-seine", Role.VIEWER)],
    ),
]


def seed_territories() -> dict[str, Territory]:
    territories = {}
    for data in TERRITORIES:
        fields = {k: v for k, v in data.items() if k != "slug"}
        territories[data["slug"]], _ = Territory.objects.update_or_create(
            slug=data["slug"], defaults=fields
        )
    return territories


def seed_accounts(territories: dict[str, Territory]) -> dict[str, User]:
    users = {}
    for email, full_name, institution, grants in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, settings.DEMO_PASSWORD, full_name=full_name, is_demo=True
            )
        changed = False
        for field, value in (("full_name", full_name), ("organization_label", institution)):
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed = True
        if not user.is_demo:
            user.is_demo = True
            changed = True
        if changed:
            user.save()
        for slug, role in grants:
            Access.objects.update_or_create(
                user=user, territory=territories[slug], defaults={"role": role}
            )
        users[email] = user
    return users


def coordinator(territory: Territory) -> User | None:
    """The demo account that coordinates the territory: author of the demo's news and history."""
    for email, _, _, grants in ACCOUNTS:
        if (territory.slug, Role.COORDINATOR) in grants:
            return User.objects.filter(email=email).first()
    return None
