"""Vitry-sur-Seine's directory: the signatories of the CLS, the city's services around the
Service Promotion de la santé, the partners of the groups, and the schools, practices and
associations a city's directory holds; its three QPVs."""

from __future__ import annotations

from demo.directory import Directory
from partners.models import OrganizationKind as K

SIGNATORIES = [
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
]

CITY_SERVICES = [
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
]

PARTNERS = [
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
]

EXTRA = {
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
}

QPVS = [
    ("Balzac, Commune de Paris, 8 mai 1945", "QN09427M"),
    ("Centre-ville, Lozaits, Défense", "QN09428M"),
    ("Mario Capra, Plateau, Le Moulin Vert", "QN09429M"),
]

QPV_ORGANIZATIONS = {
    "Balzac, Commune de Paris, 8 mai 1945": ["Centre social Balzac", "Pharmacie Balzac"],
    "Centre-ville, Lozaits, Défense": ["Pharmacie du Centre"],
    "Mario Capra, Plateau, Le Moulin Vert": [
        "Pharmacie du Moulin Vert",
        "Maison de santé pluriprofessionnelle du Plateau",
    ],
}

# What the contract data calls each structure.
ALIASES = {
    # City services
    "sps": "Service Promotion de la santé (SPS)",
    "dsante": "Direction de la Santé",
    "cms": "Centres municipaux de santé",
    "sports": "Direction des Sports",
    "petite_enfance": "Direction de la Petite enfance",
    "jeunesse": "Service Jeunesse",
    "education": "Direction de l'Éducation",
    "ccas": "Centre communal d'action sociale",
    "droits_femmes": "Mission Droits des femmes",
    "pv": "Service Politique de la ville",
    "schs": "Service communal d'hygiène et de santé",
    "retraites": "Service Retraités",
    "clspd": "Conseil local de sécurité et de prévention de la délinquance",
    "cle": "Conseil local de l'environnement",
    "culture": "Service Culture",
    "urbanisme": "Service Urbanisme",
    "mva": "Maison de la vie associative",
    # Signatories
    "ars": "ARS 94",
    "prefecture": "Préfecture 94",
    "cd": "CD 94",
    "cpts": "CPTS Vitry",
    "cpam": "CPAM 94",
    "dsden": "DSDEN 94",
    # Partners
    "mcamts": "MCAMTS-94",
    "crips": "CRIPS",
    "isee": "Réseau ÎSEE",
    "chic": "CHIC",
    "pmi": "PMI",
    "caf": "CAF 94",
    "cs_balzac": "Centre social Balzac",
    "cs_portes": "Centre social Les Portes du Midi",
    "cs_rosa": "Centre social Rosa Parks",
    "tremplin": "Tremplin 94 SOS Femmes",
    "femmes_relais": "Association d'habitantes Les Femmes relais",
    "infirmiere": "Infirmière conseillère technique de la DSDEN 94",
    "ml": "Mission locale Vitry-Ivry",
    "oph": "OPH Vitry",
    "usv": "USV",
    "asm13": "Association de santé mentale du 13e, antenne Vitry",
    "aides": "AIDES 94",
    "planning": "Planning familial du Val-de-Marne",
    "aide_victimes": "Association Aide aux victimes du Val-de-Marne",
    "mda": "Maison des adolescents du Val-de-Marne",
    "addictions": "Association Addictions France, Val-de-Marne",
    "compagnons": "Compagnons bâtisseurs Île-de-France",
    "eds": "Espace départemental des solidarités de Vitry",
    "cpef": "Centre de planification et d'éducation familiale de Vitry",
    "boxe": "Club de boxe éducative de Vitry",
    "femmes_vitry": "Association Femmes de Vitry",
    "paej": "Point d'accueil écoute jeunes de Vitry",
    "unafam": "UNAFAM Val-de-Marne",
    "restos": "Restos du cœur de Vitry",
    "msp": "Maison de santé pluriprofessionnelle du Plateau",
    "sages_femmes": "Cabinet de sages-femmes de Vitry",
    "college_casanova": "Collège Danielle Casanova",
    "college_monod": "Collège Gustave Monod",
    "college_perrin": "Collège Jean Perrin",
}

QPV_ALIASES = {
    "balzac": "Balzac, Commune de Paris, 8 mai 1945",
    "centre": "Centre-ville, Lozaits, Défense",
    "capra": "Mario Capra, Plateau, Le Moulin Vert",
}

DIRECTORY = Directory(
    SIGNATORIES, CITY_SERVICES, PARTNERS, EXTRA, QPVS, QPV_ORGANIZATIONS,
    email_domain="vitry-partenaires.demo", department="du Val-de-Marne",
    aliases=ALIASES, qpv_aliases=QPV_ALIASES,
)  # fmt: skip
