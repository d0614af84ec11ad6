"""How a territory's demo directory is written: its structures, QPVs and people. Idempotent:
natural keys only. Each territory's data is in `demo/<territory>/directory.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cls_platform.models import Territory
from demo.common import ascii_slug
from partners.models import Contact, ContactSource, Organization, OrganizationKind, Qpv, Sector

K = OrganizationKind


@dataclass(frozen=True)
class Directory:
    """A territory's directory as its coordinator would list it."""

    # (name, acronym, kind, internal, sector slugs)
    signatories: list[tuple[str, str, str, bool, list[str]]]
    # (name, sector slugs): the city's own services, internal structures
    city_services: list[tuple[str, list[str]]]
    # (name, acronym, kind, sector slugs)
    partners: list[tuple[str, str, str, list[str]]]
    # More of what a city's directory holds (schools, pharmacies, practices, local
    # associations): kind -> names
    extra: dict[str, list[str]]
    qpvs: list[tuple[str, str]]  # (name, code)
    # Structures that stand in a QPV (QPV name -> names), so that the QPV filter of the
    # directory has something to show
    qpv_organizations: dict[str, list[str]]
    email_domain: str  # of the demo people's addresses
    department: str  # "du Val-d'Oise": names the département's funders
    # The short names the contract data gives structures and QPVs
    aliases: dict[str, str]
    qpv_aliases: dict[str, str]


FIRST_NAMES = [
    "Amina",
    "Bruno",
    "Camille",
    "David",
    "Élodie",
    "Fatou",
    "Grégoire",
    "Hélène",
    "Ibrahim",
    "Julie",
    "Karim",
    "Laure",
    "Mehdi",
    "Nadia",
    "Olivier",
    "Pauline",
    "Quentin",
    "Rachida",
    "Sophie",
    "Thomas",
    "Usha",
    "Vincent",
    "Yasmine",
    "Zoé",
    "Adrien",
    "Bintou",
    "Claire",
    "Djamel",
    "Estelle",
    "François",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jérôme",
    "Kadiatou",
    "Louis",
]
LAST_NAMES = [
    "Martin",
    "Benali",
    "Durand",
    "Traoré",
    "Lefèvre",
    "Nguyen",
    "Moreau",
    "Diallo",
    "Laurent",
    "Haddad",
    "Simon",
    "Michel",
    "Garcia",
    "Bernard",
    "Petit",
    "Roux",
    "Fontaine",
    "Chevalier",
    "Mercier",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Rousseau",
    "Faure",
    "Girard",
    "André",
    "Kone",
]
JOBS = [
    "Directrice",
    "Coordinateur",
    "Chargée de projets",
    "Infirmière",
    "Médecin",
    "Éducateur spécialisé",
    "Travailleuse sociale",
    "Responsable de service",
    "Animatrice",
    "Psychologue",
    "Conseillère",
    "Chef de projet",
    "Médiateur santé",
]
EXTRA_SECTORS = {
    K.SCHOOL: ["education"],
    K.PROFESSIONAL: ["sante"],
    K.ASSOCIATION: ["social"],
    K.INSTITUTION: ["social", "sante"],
}


def seed_directory(territory: Territory, directory: Directory) -> dict[str, Organization]:
    """The territory's structures (keyed by name and by acronym), its QPVs and its people."""
    for name, code in directory.qpvs:
        Qpv.objects.update_or_create(territory=territory, name=name, defaults={"code": code})
    sectors = {s.slug: s for s in Sector.objects.all()}
    rows: list[tuple[str, str, str, bool, list[str]]] = []
    rows += directory.signatories
    rows += [(name, "", K.CITY_SERVICE, True, secs) for name, secs in directory.city_services]
    rows += [(name, acr, kind, False, secs) for name, acr, kind, secs in directory.partners]
    rows += [
        (name, "", kind, False, EXTRA_SECTORS[kind])
        for kind, names in directory.extra.items()
        for name in names
    ]
    organizations: dict[str, Organization] = {}
    for name, acronym, kind, internal, sector_slugs in rows:
        org = Organization.objects.filter(territory=territory, name__iexact=name).first()
        if org is None:
            org = Organization.objects.create(
                territory=territory, name=name, acronym=acronym, kind=kind, is_internal=internal
            )
            org.sectors.set([sectors[s] for s in sector_slugs])
        organizations[acronym or name] = org
        organizations[name] = org
    for qpv_name, names in directory.qpv_organizations.items():
        qpv = Qpv.objects.get(territory=territory, name=qpv_name)
        # Only where nobody chose otherwise: running the demo twice changes nothing.
        Organization.objects.filter(territory=territory, name__in=names, qpv__isnull=True).update(
            qpv=qpv
        )
    seed_contacts(territory, list(dict.fromkeys(organizations.values())), directory.email_domain)
    return organizations


def seed_contacts(territory: Territory, organizations: list[Organization], domain: str) -> None:
    """Two or three people per structure, with stable names and addresses."""
    existing = set(Contact.objects.filter(territory=territory).values_list("email", flat=True))
    new: list[Contact] = []
    n = 0
    for index, org in enumerate(organizations):
        for _ in range(2 + (index % 2)):
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[(n * 7 + index) % len(LAST_NAMES)]
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.{n}@{domain}"
            n += 1
            if email in existing:
                continue
            new.append(
                Contact(
                    territory=territory,
                    first_name=first,
                    last_name=last,
                    email=email,
                    job_title=JOBS[n % len(JOBS)],
                    organization=org,
                    source=ContactSource.DEMO,
                )
            )
    Contact.objects.bulk_create(new)
    if new:
        liven_directory(territory)


def liven_directory(territory: Territory) -> None:
    """A directory as it really is: people who left (with a successor), bounces, opt-outs,
    addresses confirmed by their owners, and contacts nobody has heard of for years."""
    now = timezone.now()
    contacts = list(Contact.objects.filter(territory=territory).order_by("id"))
    for index, contact in enumerate(contacts):
        contact.last_activity_at = now - dt.timedelta(days=20 + (index * 37) % 900)
        if index % 9 == 0:
            contact.confirmed_at = now - dt.timedelta(days=(index * 13) % 400)
        if index % 23 == 5:
            contact.last_activity_at = now - dt.timedelta(days=365 * 3 + 40 + index)
        if index % 31 == 7:
            contact.bounced_at = now - dt.timedelta(days=index % 90)
        if index % 37 == 11:
            contact.unsubscribed_at = now - dt.timedelta(days=index % 200)
    Contact.objects.bulk_update(
        contacts, ["last_activity_at", "confirmed_at", "bounced_at", "unsubscribed_at"]
    )
    # One person in a few left their structure; the next colleague there succeeds them.
    for index, contact in enumerate(contacts):
        if index % 17 == 3 and index + 1 < len(contacts):
            successor = contacts[index + 1]
            if successor.organization_id == contact.organization_id:
                contact.left_at = (now - dt.timedelta(days=60 + index)).date()
                contact.is_active = False
                contact.successor = successor
                contact.save(update_fields=["left_at", "is_active", "successor"])
