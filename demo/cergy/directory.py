"""Cergy's directory: the signatories of the CLS, the city's services (the Direction du
Développement social et de la santé and its maisons de quartier), the partners of the groups, and
the schools, practices and associations a city's directory holds; the QPVs Axe Majeur-Horloge
and Sébille."""

from __future__ import annotations

from demo.directory import Directory
from partners.models import OrganizationKind as K

SIGNATORIES = [
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
]

CITY_SERVICES = [
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
]

PARTNERS = [
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
]

EXTRA = {
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
}

QPVS = [("Axe Majeur-Horloge", "QN09501M"), ("Sébille", "QN09502M")]

QPV_ORGANIZATIONS = {
    "Axe Majeur-Horloge": [
        "Maison de quartier Axe Majeur-Horloge",
        "Conseil citoyen Axe Majeur-Horloge",
        "Épicerie sociale de l'Axe Majeur",
        "École maternelle de l'Axe Majeur",
        "Pharmacie de l'Horloge",
        "Cabinet infirmier Axe Majeur",
    ],
    "Sébille": ["Cabinet de kinésithérapie de Sébille", "Jardins partagés de Sébille"],
}

# What the contract data calls each structure.
ALIASES = {
    # City services
    "sante": "Service Santé, prévention, handicap et lien intergénérationnel",
    "ddss": "Direction du Développement social et de la santé",
    "ccas": "Centre communal d'action sociale",
    "cite": "Cité éducative",
    "mq_touleuses": "Maison de quartier des Touleuses",
    "mq_axe": "Maison de quartier Axe Majeur-Horloge",
    "mq_visages": "Maison de quartier de Visages du Monde",
    "mq_linandes": "Maison de quartier des Linandes",
    "mediateurs": "Service des médiateurs sociaux",
    "education": "Direction de l'Éducation",
    "petite_enfance": "Service Petite enfance",
    "jeunesse": "Service Jeunesse",
    "sports": "Service des Sports",
    "culture": "Direction de la Culture",
    "pv": "Service Politique de la ville",
    "amenagement": "Direction de l'Aménagement urbain",
    "environnement": "Service Environnement et développement durable",
    "habitat": "Service Habitat et logement",
    "mps": "Maison Prévention santé (Espace santé Denis Mukwege)",
    # Signatories
    "ars": "ARS 95",
    "prefecture": "Préfecture 95",
    "cacp": "CACP",
    "cd": "CD 95",
    "cpam": "CPAM 95",
    "dsden": "DSDEN 95",
    "ght": "GHT NOVO",
    # Partners
    "cpts": "CPTS Cergy",
    "maison_hosp": "La Maison hospitalière",
    "dubos": "Centre hospitalier René Dubos",
    "caf": "CAF 95",
    "cmp": "CMP",
    "cmpp": "CMPP",
    "pmi": "PMI",
    "ml": "Mission locale de Cergy",
    "addictions": "Association Addictions France, Val-d'Oise",
    "planning": "Planning familial du Val-d'Oise",
    "croix_rouge": "Croix-Rouge française, unité locale",
    "restos": "Restos du cœur de Cergy",
    "unafam": "UNAFAM 95",
    "college": "Collège Les Explorateurs",
    "lycee": "Lycée Galilée",
    "sse": "SSE",
    "cergy_habitat": "Cergy Habitat",
    "prevention_spe": "Association de prévention spécialisée du Val-d'Oise",
    "psidf": "Promotion Santé Île-de-France",
    "conseil_citoyen": "Conseil citoyen Axe Majeur-Horloge",
    "ligue": "Ligue contre le cancer, comité du Val-d'Oise",
    "seniors": "Club des seniors de Cergy",
    "alzheimer": "Association France Alzheimer Val-d'Oise",
    "diabetiques": "Association des diabétiques du Val-d'Oise",
    "epicerie": "Épicerie sociale de l'Axe Majeur",
    "ascp": "Association sportive Cergy Pontoise",
    "theatre": "Compagnie de théâtre forum Les Tisserands",
    "unis_cite": "Unis-Cité Val-d'Oise",
    "parents": "Association des parents d'élèves de Cergy",
    "jardins": "Jardins partagés de Sébille",
    "paej": "Point d'accueil écoute jeunes",
    "cpef": "Centre de planification et d'éducation familiale",
    "msp": "Maison de santé pluriprofessionnelle des Hauts-de-Cergy",
    "kine": "Cabinet de kinésithérapie de Sébille",
    "secours_pop": "Secours populaire, comité de Cergy",
    "maternelle_axe": "École maternelle de l'Axe Majeur",
}

QPV_ALIASES = {"axe": "Axe Majeur-Horloge", "sebille": "Sébille"}

DIRECTORY = Directory(
    SIGNATORIES, CITY_SERVICES, PARTNERS, EXTRA, QPVS, QPV_ORGANIZATIONS,
    email_domain="cergy-partenaires.demo", department="du Val-d'Oise",
    aliases=ALIASES, qpv_aliases=QPV_ALIASES,
)  # fmt: skip
