"""Cergy's public directory of the health offer: the transversal axis "Visibilité et lisibilité
de l'offre de santé du territoire" of the CLS 2020-2022 asks to make the offer of prevention and
care legible to residents. Fifteen structures of the directory agreed to appear in it, with the
presentation of their offer, the publics they receive, their address and a reception channel of
the structure (fictional numbers of the 01 99 00 range, kept for fiction, and .demo addresses).

Idempotent: structures are found by name, their presentation and address are written only where
the directory holds none, and the services change nothing that is already as described."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from actions.models import Public
from cls_platform.models import Territory
from evaluation.public_directory.models import PublicListing
from evaluation.public_directory.services import directory_of, directory_save, listing_save
from partners.models import Organization

INTRO = (
    "Où se faire soigner, se faire dépister, trouver une écoute ou un accompagnement à Cergy ? "
    "Cet annuaire présente les structures partenaires du Contrat local de santé qui ont accepté "
    "d'y figurer : centres de santé, prévention, santé mentale, accès aux droits, jeunesse.\n"
    "Il est tenu par le Service Santé, prévention, handicap et lien intergénérationnel de la "
    "Ville de Cergy (axe « Visibilité et lisibilité de l'offre de santé du territoire »)."
)


@dataclass(frozen=True)
class Entry:
    name: str
    offer: str
    address: str
    publics: tuple[str, ...]
    agreed_on: dt.date
    phone: str = ""
    email: str = ""


ENTRIES = [
    Entry(
        "Centre de santé Denis Mukwege",
        "Consultations de médecine générale, soins infirmiers et consultations avancées de "
        "spécialistes du GHT, avec ou sans rendez-vous. Tiers payant. Un accueil pour ouvrir "
        "ses droits à la complémentaire santé solidaire.",
        "Espace santé Denis Mukwege, place de l'Horloge, 95000 Cergy",
        ("tout-public", "precarite", "habitants-qpv"),
        dt.date(2022, 3, 14),
        phone="01 99 00 10 01",
        email="accueil@centre-sante-mukwege.demo",
    ),
    Entry(
        "Maison Prévention santé (Espace santé Denis Mukwege)",
        "Ateliers de prévention (nutrition, activité physique, sommeil, écrans), dépistages "
        "gratuits et permanences d'associations. Programme des ateliers à l'accueil.",
        "Espace santé Denis Mukwege, place de l'Horloge, 95000 Cergy",
        ("tout-public", "familles", "habitants-qpv"),
        dt.date(2022, 3, 14),
        phone="01 99 00 10 02",
        email="prevention@ville-cergy.demo",
    ),
    Entry(
        "Communauté professionnelle territoriale de santé de Cergy",
        "Réseau des professionnels de santé libéraux de Cergy : aide à trouver un médecin "
        "traitant, organisation des soins non programmés, actions de prévention avec les "
        "pharmacies.",
        "95000 Cergy",
        ("tout-public", "professionnels"),
        dt.date(2021, 11, 8),
        email="contact@cpts-cergy.demo",
    ),
    Entry(
        "Protection maternelle et infantile de Cergy",
        "Consultations gratuites des enfants de 0 à 6 ans (vaccinations, suivi de la "
        "croissance), suivi de grossesse par les sages-femmes, conseils aux parents.",
        "95000 Cergy",
        ("petite-enfance", "familles", "femmes"),
        dt.date(2021, 10, 4),
        phone="01 99 00 10 04",
    ),
    Entry(
        "Centre médico-psychologique adultes de Cergy",
        "Consultations de psychiatrie et de psychologie pour les adultes, gratuites, sur "
        "rendez-vous ; premier accueil par une infirmière.",
        "95000 Cergy",
        ("tout-public",),
        dt.date(2022, 1, 17),
        phone="01 99 00 10 05",
    ),
    Entry(
        "Centre médico-psychologique infanto-juvénile",
        "Consultations pour les enfants et les adolescents en difficulté psychologique, et "
        "pour leurs parents : psychologues, orthophonistes, psychomotriciens.",
        "95000 Cergy",
        ("enfants", "jeunes", "familles"),
        dt.date(2022, 1, 17),
    ),
    Entry(
        "Planning familial du Val-d'Oise",
        "Contraception, dépistage, grossesse et IVG, vie affective et sexuelle, violences : "
        "accueil anonyme et gratuit, avec ou sans rendez-vous.",
        "95000 Cergy",
        ("jeunes", "femmes", "tout-public"),
        dt.date(2021, 12, 6),
        email="accueil@planning-familial-95.demo",
    ),
    Entry(
        "Centre de planification et d'éducation familiale",
        "Consultations de contraception et de dépistage gratuites pour les mineurs et les "
        "personnes sans couverture sociale ; entretiens de conseil conjugal.",
        "95000 Cergy",
        ("jeunes", "femmes"),
        dt.date(2021, 12, 6),
    ),
    Entry(
        "Association Addictions France, Val-d'Oise",
        "Consultations d'addictologie (alcool, tabac, cannabis, jeux) gratuites et "
        "confidentielles, pour les personnes concernées et leur entourage.",
        "95000 Cergy",
        ("tout-public", "jeunes", "aidants"),
        dt.date(2022, 2, 21),
        phone="01 99 00 10 09",
    ),
    Entry(
        "Point d'accueil écoute jeunes",
        "Écoute gratuite et anonyme des 12-25 ans et de leurs parents, sans rendez-vous : mal-"
        "être, conflits, harcèlement, décrochage.",
        "95000 Cergy",
        ("jeunes", "familles"),
        dt.date(2022, 4, 11),
    ),
    Entry(
        "CY Cergy Paris Université, service de santé étudiante",
        "Consultations de médecine générale, de psychologie et de diététique pour les "
        "étudiants, bilans de santé, vaccinations.",
        "95000 Cergy",
        ("etudiants",),
        dt.date(2022, 5, 9),
        email="sante-etudiante@cyu.demo",
    ),
    Entry(
        "Maison de santé pluriprofessionnelle des Hauts-de-Cergy",
        "Médecins généralistes, infirmières, kinésithérapeutes et sage-femme en exercice "
        "coordonné ; consultations sur rendez-vous.",
        "Quartier des Hauts-de-Cergy, 95000 Cergy",
        ("tout-public", "personnes-agees"),
        dt.date(2022, 6, 13),
    ),
    Entry(
        "Pharmacie de l'Horloge",
        "Conseils, vaccination, dépistages rapides et entretiens pharmaceutiques, au cœur du "
        "quartier Axe Majeur-Horloge.",
        "Place de l'Horloge, 95000 Cergy",
        ("tout-public", "habitants-qpv"),
        dt.date(2022, 6, 20),
    ),
    Entry(
        "Association France Alzheimer Val-d'Oise",
        "Groupes de parole et formations pour les aidants, halte-relais et activités pour les "
        "personnes malades.",
        "95000 Cergy",
        ("aidants", "personnes-agees"),
        dt.date(2022, 9, 12),
    ),
    Entry(
        "Union nationale de familles et amis de personnes malades, Val-d'Oise",
        "Accueil, écoute et information des proches de personnes vivant avec des troubles "
        "psychiques ; groupes de parole.",
        "95000 Cergy",
        ("aidants", "familles"),
        dt.date(2022, 9, 12),
    ),
]


def seed_public_directory(territory: Territory) -> int:
    """Publish Cergy's directory with the structures that agreed. Returns how many are public.
    Call it after Cergy's directory is seeded (demo/cergy: `seed_directory`)."""
    publics = {public.slug: public for public in Public.objects.all()}
    organizations = {
        org.name: org
        for org in Organization.objects.filter(
            territory=territory, name__in=[entry.name for entry in ENTRIES]
        )
    }
    for entry in ENTRIES:
        org = organizations.get(entry.name)
        if org is None:  # a directory edited by hand since: publish what remains
            continue
        values = {"offer_description": entry.offer, "address": entry.address}
        missing = [field for field in values if not getattr(org, field)]
        for field in missing:
            setattr(org, field, values[field])
        if missing:
            org.save(update_fields=missing)
        listing = PublicListing.objects.filter(organization=org).first()
        if listing is not None and listing.is_public:
            continue  # already published: what the coordination changed since stays
        listing_save(
            organization=org,
            data={
                "is_public": True,
                "agreed_on": entry.agreed_on,
                "publics": [publics[slug] for slug in entry.publics if slug in publics],
                "phone": entry.phone,
                "email": entry.email,
            },
        )
    directory = directory_of(territory)
    if directory.published_at is None:  # never put online: a coordinator's "offline" stays
        directory_save(territory=territory, is_published=True, intro=directory.intro or INTRO)
    return PublicListing.objects.filter(territory=territory, is_public=True).count()
