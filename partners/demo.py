"""Demo directory for the two territories of the seeds. Idempotent: natural keys only."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.utils import timezone

from cls_platform.models import Territory

from .models import Contact, ContactSource, Organization, OrganizationKind, Qpv, Sector

K = OrganizationKind

# (name, acronym, kind, internal, sector slugs)
SIGNATORIES = {
    "cergy": [
        (
            "Agence régionale de santé Île-de-France, délégation du Val-d'Oise",
            "ARS 95",
            K.INSTITUTION,
            False,
            ["sante"],
        ),
        (
            "Préfecture du Val-d'Oise",
            "Préfecture 95",
            K.INSTITUTION,
            False,
            ["politique-ville", "securite"],
        ),
        (
            "Communauté d'agglomération de Cergy-Pontoise",
            "CACP",
            K.INSTITUTION,
            False,
            ["urbanisme", "transport"],
        ),
        (
            "Conseil départemental du Val-d'Oise",
            "CD 95",
            K.INSTITUTION,
            False,
            ["social", "petite-enfance"],
        ),
        (
            "Caisse primaire d'assurance maladie du Val-d'Oise",
            "CPAM 95",
            K.INSTITUTION,
            False,
            ["sante", "social"],
        ),
        (
            "Direction des services départementaux de l'Éducation nationale du Val-d'Oise",
            "DSDEN 95",
            K.INSTITUTION,
            False,
            ["education"],
        ),
        (
            "Groupement hospitalier de territoire Nord-Ouest Vexin Val-d'Oise",
            "GHT NOVO",
            K.HOSPITAL,
            False,
            ["sante"],
        ),
    ],
    "vitry-sur-seine": [
        (
            "Agence régionale de santé Île-de-France, délégation du Val-de-Marne",
            "ARS 94",
            K.INSTITUTION,
            False,
            ["sante"],
        ),
        (
            "Préfecture du Val-de-Marne",
            "Préfecture 94",
            K.INSTITUTION,
            False,
            ["politique-ville", "securite"],
        ),
        (
            "Conseil départemental du Val-de-Marne",
            "CD 94",
            K.INSTITUTION,
            False,
            ["social", "petite-enfance"],
        ),
        (
            "Communauté professionnelle territoriale de santé de Vitry",
            "CPTS Vitry",
            K.HEALTH_CENTRE,
            False,
            ["sante"],
        ),
        (
            "Caisse primaire d'assurance maladie du Val-de-Marne",
            "CPAM 94",
            K.INSTITUTION,
            False,
            ["sante", "social"],
        ),
        (
            "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
            "DSDEN 94",
            K.INSTITUTION,
            False,
            ["education"],
        ),
    ],
}

CITY_SERVICES = {
    "cergy": [
        (
            "Service Santé, prévention, handicap et lien intergénérationnel",
            ["sante", "handicap", "personnes-agees"],
        ),
        ("Direction du Développement social et de la santé", ["social", "sante"]),
        ("Centre communal d'action sociale", ["social"]),
        ("Cité éducative", ["education", "jeunesse"]),
        ("Maison de quartier des Touleuses", ["social", "culture"]),
        ("Maison de quartier Axe Majeur-Horloge", ["social", "culture"]),
        ("Maison de quartier de Visages du Monde", ["social", "culture"]),
        ("Maison de quartier des Linandes", ["social"]),
        ("Service des médiateurs sociaux", ["social", "securite"]),
        ("Direction de l'Éducation", ["education"]),
        ("Service Petite enfance", ["petite-enfance"]),
        ("Service Jeunesse", ["jeunesse"]),
        ("Service des Sports", ["sport"]),
        ("Direction de la Culture", ["culture"]),
        ("Service Politique de la ville", ["politique-ville"]),
        ("Direction de l'Aménagement urbain", ["urbanisme"]),
        ("Service Environnement et développement durable", ["environnement"]),
        ("Service Habitat et logement", ["logement"]),
        ("Service Prévention et tranquillité publique", ["securite"]),
        ("Maison Prévention santé (Espace santé Denis Mukwege)", ["sante"]),
        ("Service Démocratie participative", ["politique-ville"]),
    ],
    "vitry-sur-seine": [
        ("Service Promotion de la santé (SPS)", ["sante"]),
        ("Direction de la Santé", ["sante"]),
        ("Centres municipaux de santé", ["sante"]),
        ("Direction des Sports", ["sport"]),
        ("Direction de la Petite enfance", ["petite-enfance"]),
        ("Service Jeunesse", ["jeunesse"]),
        ("Direction de l'Éducation", ["education"]),
        ("Centre communal d'action sociale", ["social"]),
        ("Mission Droits des femmes", ["droits-femmes"]),
        ("Service Politique de la ville", ["politique-ville"]),
        ("Service communal d'hygiène et de santé", ["environnement", "logement"]),
        ("Service Retraités", ["personnes-agees"]),
        ("Mission Handicap", ["handicap"]),
        ("Conseil local de sécurité et de prévention de la délinquance", ["securite"]),
        ("Conseil local de l'environnement", ["environnement"]),
        ("Service Culture", ["culture"]),
        ("Service Urbanisme", ["urbanisme"]),
        ("Maison de la vie associative", ["social"]),
    ],
}

PARTNERS = {
    "cergy": [
        (
            "Communauté professionnelle territoriale de santé de Cergy",
            "CPTS Cergy",
            K.HEALTH_CENTRE,
            ["sante"],
        ),
        ("Centre de santé Denis Mukwege", "", K.HEALTH_CENTRE, ["sante"]),
        ("La Maison hospitalière", "", K.HOSPITAL, ["sante", "medico-social"]),
        ("Centre hospitalier René Dubos", "", K.HOSPITAL, ["sante"]),
        ("Caisse d'allocations familiales du Val-d'Oise", "CAF 95", K.INSTITUTION, ["social"]),
        ("Centre médico-psychologique adultes de Cergy", "CMP", K.HOSPITAL, ["sante"]),
        ("Centre médico-psychologique infanto-juvénile", "CMPP", K.HOSPITAL, ["sante", "jeunesse"]),
        (
            "Protection maternelle et infantile de Cergy",
            "PMI",
            K.INSTITUTION,
            ["petite-enfance", "sante"],
        ),
        ("Mission locale de Cergy", "", K.ASSOCIATION, ["emploi", "jeunesse"]),
        ("Association Addictions France, Val-d'Oise", "", K.ASSOCIATION, ["sante"]),
        ("Planning familial du Val-d'Oise", "", K.ASSOCIATION, ["sante", "droits-femmes"]),
        ("Croix-Rouge française, unité locale", "", K.ASSOCIATION, ["social"]),
        ("Restos du cœur de Cergy", "", K.ASSOCIATION, ["social"]),
        (
            "Union nationale de familles et amis de personnes malades, Val-d'Oise",
            "UNAFAM 95",
            K.ASSOCIATION,
            ["sante"],
        ),
        ("Collège Les Explorateurs", "", K.SCHOOL, ["education"]),
        ("Lycée Galilée", "", K.SCHOOL, ["education"]),
        (
            "CY Cergy Paris Université, service de santé étudiante",
            "SSE",
            K.SCHOOL,
            ["sante", "jeunesse"],
        ),
        ("Cergy Habitat", "", K.COMPANY, ["logement"]),
        (
            "Association de prévention spécialisée du Val-d'Oise",
            "",
            K.ASSOCIATION,
            ["jeunesse", "social"],
        ),
        (
            "Pôle ressources Ville et développement social du Val-d'Oise",
            "Pôle ressources 95",
            K.ASSOCIATION,
            ["politique-ville"],
        ),
        ("Promotion Santé Île-de-France", "", K.ASSOCIATION, ["sante"]),
        ("Conseil citoyen Axe Majeur-Horloge", "", K.RESIDENTS, ["politique-ville"]),
    ],
    "vitry-sur-seine": [
        (
            "Maison commune des addictions, des troubles mentaux et de la santé 94 Ouest",
            "MCAMTS-94",
            K.ASSOCIATION,
            ["sante"],
        ),
        (
            "Centre régional d'information et de prévention du sida et pour la santé des jeunes",
            "CRIPS",
            K.ASSOCIATION,
            ["sante", "jeunesse"],
        ),
        (
            "Réseau Île-de-France santé environnement",
            "Réseau ÎSEE",
            K.ASSOCIATION,
            ["environnement", "sante"],
        ),
        ("Centre hospitalier intercommunal de Créteil", "CHIC", K.HOSPITAL, ["sante"]),
        (
            "Protection maternelle et infantile de Vitry",
            "PMI",
            K.INSTITUTION,
            ["petite-enfance", "sante"],
        ),
        ("Caisse d'allocations familiales du Val-de-Marne", "CAF 94", K.INSTITUTION, ["social"]),
        ("Centre social Balzac", "", K.ASSOCIATION, ["social"]),
        ("Centre social Les Portes du Midi", "", K.ASSOCIATION, ["social"]),
        ("Tremplin 94 SOS Femmes", "", K.ASSOCIATION, ["droits-femmes", "social"]),
        ("Association d'habitantes Les Femmes relais", "", K.RESIDENTS, ["droits-femmes"]),
        ("Infirmière conseillère technique de la DSDEN 94", "", K.SCHOOL, ["education", "sante"]),
        ("Mission locale Vitry-Ivry", "", K.ASSOCIATION, ["emploi", "jeunesse"]),
        ("Office public de l'habitat de Vitry", "OPH Vitry", K.COMPANY, ["logement"]),
        ("Clubs sportifs de l'Union sportive de Vitry", "USV", K.ASSOCIATION, ["sport"]),
        ("Association de santé mentale du 13e, antenne Vitry", "", K.ASSOCIATION, ["sante"]),
        ("AIDES, lieu de mobilisation du Val-de-Marne", "AIDES 94", K.ASSOCIATION, ["sante"]),
    ],
}

# More of what a city's directory holds: schools, pharmacies, practices, local associations.
EXTRA = {
    "cergy": {
        K.SCHOOL: [
            "École élémentaire des Touleuses",
            "École élémentaire du Gros Caillou",
            "École élémentaire des Chênes",
            "École maternelle Les Plants",
            "École élémentaire Le Ponceau",
            "École élémentaire de la Justice",
            "École maternelle de l'Axe Majeur",
            "École élémentaire des Hauts-de-Cergy",
            "Collège La Justice",
            "Collège Gérard Philipe",
            "Lycée Jules Verne",
        ],
        K.PROFESSIONAL: [
            "Pharmacie de l'Horloge",
            "Pharmacie des Touleuses",
            "Pharmacie du Grand Centre",
            "Cabinet infirmier Axe Majeur",
            "Cabinet de kinésithérapie de Sébille",
            "Cabinet de sages-femmes du Ponceau",
            "Maison de santé pluriprofessionnelle des Hauts-de-Cergy",
        ],
        K.ASSOCIATION: [
            "Secours populaire, comité de Cergy",
            "Association des diabétiques du Val-d'Oise",
            "Ligue contre le cancer, comité du Val-d'Oise",
            "Association Femmes solidaires de Cergy",
            "Club des seniors de Cergy",
            "Association sportive Cergy Pontoise",
            "Épicerie sociale de l'Axe Majeur",
            "Association de médiation sociale du Val-d'Oise",
            "Compagnie de théâtre forum Les Tisserands",
            "Association France Alzheimer Val-d'Oise",
            "Unis-Cité Val-d'Oise",
            "Association des parents d'élèves de Cergy",
            "Jardins partagés de Sébille",
            "Centre d'information sur les droits des femmes et des familles",
        ],
        K.INSTITUTION: [
            "Service départemental de PMI, circonscription de Cergy",
            "Centre de planification et d'éducation familiale",
            "Point d'accueil écoute jeunes",
        ],
    },
    "vitry-sur-seine": {
        K.SCHOOL: [
            "École élémentaire Joliot-Curie",
            "École élémentaire Paul Langevin",
            "École maternelle Henri Wallon",
            "École élémentaire Jean Jaurès",
            "École élémentaire Makarenko",
            "Collège Danielle Casanova",
            "Collège Gustave Monod",
            "Collège Jean Perrin",
            "Lycée Jean Macé",
            "Lycée Adolphe Chérioux",
        ],
        K.PROFESSIONAL: [
            "Pharmacie du Centre",
            "Pharmacie Balzac",
            "Pharmacie du Moulin Vert",
            "Cabinet infirmier des Ardoines",
            "Maison de santé pluriprofessionnelle du Plateau",
            "Cabinet de sages-femmes de Vitry",
        ],
        K.ASSOCIATION: [
            "Secours populaire de Vitry",
            "Restos du cœur de Vitry",
            "Association Femmes de Vitry",
            "Planning familial du Val-de-Marne",
            "Association Aide aux victimes du Val-de-Marne",
            "Club de boxe éducative de Vitry",
            "Association des jardins familiaux de Vitry",
            "Compagnons bâtisseurs Île-de-France",
            "Association Addictions France, Val-de-Marne",
            "Maison des adolescents du Val-de-Marne",
            "Association d'aide aux aidants de Vitry",
            "UNAFAM Val-de-Marne",
            "Association Emmaüs Vitry",
            "Centre social Rosa Parks",
        ],
        K.INSTITUTION: [
            "Espace départemental des solidarités de Vitry",
            "Centre de planification et d'éducation familiale de Vitry",
            "Point d'accueil écoute jeunes de Vitry",
            "Agence France Travail de Vitry",
        ],
    },
}
EXTRA_SECTORS = {
    K.SCHOOL: ["education"],
    K.PROFESSIONAL: ["sante"],
    K.ASSOCIATION: ["social"],
    K.INSTITUTION: ["social", "sante"],
}

QPVS = {
    "cergy": [("Axe Majeur-Horloge", "QN09501M"), ("Sébille", "QN09502M")],
    "vitry-sur-seine": [
        ("Balzac, Commune de Paris, 8 mai 1945", "QN09427M"),
        ("Centre-ville, Lozaits, Défense", "QN09428M"),
        ("Mario Capra, Plateau, Le Moulin Vert", "QN09429M"),
    ],
}

# Structures that stand in a QPV: the maisons de quartier, centres sociaux and local practices of
# the priority neighbourhoods, so that the QPV filter of the directory has something to show.
QPV_ORGANIZATIONS = {
    "cergy": {
        "Axe Majeur-Horloge": [
            "Maison de quartier Axe Majeur-Horloge",
            "Conseil citoyen Axe Majeur-Horloge",
            "Épicerie sociale de l'Axe Majeur",
            "École maternelle de l'Axe Majeur",
            "Pharmacie de l'Horloge",
            "Cabinet infirmier Axe Majeur",
        ],
        "Sébille": ["Cabinet de kinésithérapie de Sébille", "Jardins partagés de Sébille"],
    },
    "vitry-sur-seine": {
        "Balzac, Commune de Paris, 8 mai 1945": ["Centre social Balzac", "Pharmacie Balzac"],
        "Centre-ville, Lozaits, Défense": ["Pharmacie du Centre"],
        "Mario Capra, Plateau, Le Moulin Vert": [
            "Pharmacie du Moulin Vert",
            "Maison de santé pluriprofessionnelle du Plateau",
        ],
    },
}

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
EMAIL_DOMAIN = {"cergy": "cergy-partenaires.demo", "vitry-sur-seine": "vitry-partenaires.demo"}


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "." for ch in plain.lower()).strip(".")


def seed_directory(territory: Territory) -> dict[str, Organization]:
    slug = territory.slug
    for name, code in QPVS[slug]:
        Qpv.objects.update_or_create(territory=territory, name=name, defaults={"code": code})
    sectors = {s.slug: s for s in Sector.objects.all()}
    rows: list[tuple[str, str, str, bool, list[str]]] = []
    rows += SIGNATORIES[slug]
    rows += [(name, "", K.CITY_SERVICE, True, secs) for name, secs in CITY_SERVICES[slug]]
    rows += [(name, acr, kind, False, secs) for name, acr, kind, secs in PARTNERS[slug]]
    rows += [
        (name, "", kind, False, EXTRA_SECTORS[kind])
        for kind, names in EXTRA[slug].items()
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
    for qpv_name, names in QPV_ORGANIZATIONS.get(slug, {}).items():
        qpv = Qpv.objects.get(territory=territory, name=qpv_name)
        # Only where nobody chose otherwise: running the demo twice changes nothing.
        Organization.objects.filter(territory=territory, name__in=names, qpv__isnull=True).update(
            qpv=qpv
        )
    seed_contacts(territory, list(dict.fromkeys(organizations.values())))
    return organizations


def seed_contacts(territory: Territory, organizations: list[Organization]) -> None:
    """Two or three people per structure, with stable names and addresses."""
    domain = EMAIL_DOMAIN[territory.slug]
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


def contact_for(territory: Territory, organization: Organization) -> Contact:
    """The first demo contact of a structure (used to name pilots and co-pilots)."""
    return Contact.objects.filter(territory=territory, organization=organization).order_by("id")[0]
