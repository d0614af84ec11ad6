"""Demo contracts of the seeds: Cergy (CLS 2011-2016, CLS 2020-2022, ASV) and Vitry-sur-Seine
(CLS 2019-2021, CLS 2023-2028). Idempotent.

Each fiche-action is written once as compact data (`A(...)`, below): what a coordinator types
that is specific to the action (constat, objectives, pilot, partners and their collaboration
level, publics, main indicators...). The rest follows deterministic rules (`rules` section):
calendar text, progress, funding lines, dated indicator measurements, news, status history and
the Cergy transversal axes. Nothing is random, so two runs give the same demo, and a second run
adds nothing: rows are keyed on natural keys (contract and year, axis number, fiche number) and
related rows are only added to a fiche that has none of that kind yet.
"""

from __future__ import annotations

import datetime as dt
import zlib
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from cls_platform.models import Territory, User
from partners.models import Contact, Organization, Qpv

from .models import (
    ActionPartner,
    ActionStatus,
    ActionUpdate,
    Axis,
    AxisKind,
    CollaborationLevel,
    Contract,
    ContractAmendment,
    ContractKind,
    ContractStatus,
    FicheAction,
    FundingLine,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    OttawaArea,
    Participation,
    Public,
    Signatory,
    StatusChange,
    TerritoryScope,
)

S = ActionStatus
P = Participation
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# The demo's "today" for measurements, news and status changes: fixed, so that the demo does not
# depend on the day it is loaded (meetings, seeded by workgroups, are relative to the real day).
AS_OF = dt.date(2026, 10, 1)


# ---------------------------------------------------------------------------------------------
# Compact data
# ---------------------------------------------------------------------------------------------


@dataclass
class A:
    """One fiche-action as a coordinator would write it.

    Structures are short aliases (see `ALIASES`); `partners` are (alias, collaboration rank 1-4)
    or (alias, rank, role); `publics` and `ottawa` are slugs of the reference data separated by
    spaces; `qpv` is "" (whole territory), "all" or QPV aliases; `indicators` are
    (kind, title, unit, baseline, target[, source]); `note` explains a delay, a postponement or an
    abandonment; `news` are dated actualités ("2024-03-19", text); `previous` is the number of the
    same action in the contract before.
    """

    title: str
    status: str
    start: str  # "2021-03"
    end: str  # "2022-12" (last month)
    pilot: str
    copilots: str
    partners: list[tuple]
    publics: str
    ottawa: str
    participation: str
    budget: int
    context: str
    objective: str
    ops: tuple[str, ...]
    how: str
    indicators: list[tuple]
    qpv: str = ""
    note: str = ""
    news: list[tuple[str, str]] = field(default_factory=list)
    previous: str = ""
    from_diagnosis: bool = True  # False for an action born later (e.g. in a work group)


@dataclass
class AxisSpec:
    title: str
    description: str
    objectives: str
    fiches: list[A] = field(default_factory=list)


@dataclass
class ContractSpec:
    kind: str
    title: str
    start: int
    end: int
    status: str
    signed_on: dt.date | None
    description: str
    diagnosis: str = ""  # where the constats come from, added to each fiche's context
    thematic: list[AxisSpec] = field(default_factory=list)
    transversal: list[AxisSpec] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    amendments: list[tuple[int, dt.date, str, str]] = field(default_factory=list)
    closed_on: dt.date | None = None
    current: bool = False


ALIASES = {
    "cergy": {
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
    },
    "vitry-sur-seine": {
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
    },
}

QPV_ALIASES = {
    "axe": "Axe Majeur-Horloge",
    "sebille": "Sébille",
    "balzac": "Balzac, Commune de Paris, 8 mai 1945",
    "centre": "Centre-ville, Lozaits, Défense",
    "capra": "Mario Capra, Plateau, Le Moulin Vert",
}

COORDINATOR = {"cergy": "coordination@cergy.demo", "vitry-sur-seine": "coordination@vitry.demo"}
DEPARTMENT = {"cergy": "du Val-d'Oise", "vitry-sur-seine": "du Val-de-Marne"}


# ---------------------------------------------------------------------------------------------
# Cergy
# ---------------------------------------------------------------------------------------------

# The data below keeps a few short fields a line; the formatter would give each its own line.
# fmt: off

CERGY_2011 = ContractSpec(
    kind=ContractKind.CLS,
    title="Contrat local de santé de Cergy 2011-2016",
    start=2011,
    end=2016,
    status=ContractStatus.CLOSED,
    signed_on=dt.date(2011, 11, 14),
    closed_on=dt.date(2016, 12, 31),
    description="Premier contrat local de santé de Cergy, signé avec l'Agence régionale de santé et la Préfecture de région d'Île-de-France, dans le prolongement de l'Atelier Santé Ville créé en 2007. Piloté par le service Santé, prévention, handicap et lien intergénérationnel de la Direction du Développement social et de la santé.",
    diagnosis="Constat issu du diagnostic de l'Atelier Santé Ville (2009-2010).",
    thematic=[
        AxisSpec(
            "Accès à la prévention et aux soins",
            "Rapprocher la prévention des habitants des quartiers prioritaires.",
            "Développer l'éducation nutritionnelle\nRepérer tôt les troubles des enfants",
            [
                A(
                    "Ateliers cuisine et nutrition dans les quartiers",
                    S.DONE, "2012-01", "2016-06",
                    pilot="sante", copilots="mq_axe",
                    partners=[("restos", 2), ("caf", 2)],
                    publics="familles habitants-qpv", ottawa="aptitudes communautaire", qpv="all",
                    participation=P.CONSULTATION, budget=9_000,
                    context="Les familles des quartiers prioritaires déclarent une alimentation peu variée, contrainte par le budget.",
                    objective="Permettre aux familles de cuisiner des repas équilibrés avec un petit budget.",
                    ops=("Animer un atelier cuisine par mois dans chaque maison de quartier", "Diffuser des recettes à petit budget"),
                    how="Ateliers mensuels animés par une diététicienne dans les maisons de quartier, suivis d'un repas partagé.",
                    indicators=[("result", "Ateliers cuisine réalisés", "ateliers", 0, 40)],
                ),
                A(
                    "Dépistage des troubles du langage à l'école maternelle",
                    S.DONE, "2012-09", "2016-06",
                    pilot="sante", copilots="education",
                    partners=[("pmi", 3), ("cmpp", 2)],
                    publics="petite-enfance enfants", ottawa="services", qpv="all",
                    participation=P.INFORMATION, budget=8_000,
                    context="Les enseignants de maternelle signalent de nombreux retards de langage non repérés avant l'entrée au CP.",
                    objective="Repérer tôt les troubles du langage et orienter les enfants vers une prise en charge.",
                    ops=("Dépister les enfants de moyenne section des écoles des quartiers prioritaires", "Orienter les enfants repérés vers un bilan orthophonique"),
                    how="Dépistage en classe par une orthophoniste vacataire, restitution aux familles et orientation.",
                    indicators=[("result", "Enfants de moyenne section dépistés", "enfants", 0, 900)],
                ),
            ],
        ),
        AxisSpec(
            "Santé mentale",
            "Informer et déstigmatiser.",
            "Changer le regard sur les troubles psychiques",
            [
                A(
                    "Semaine d'information sur la santé mentale",
                    S.DONE, "2012-01", "2016-04",
                    pilot="sante", copilots="cmp",
                    partners=[("unafam", 3), ("culture", 2)],
                    publics="tout-public", ottawa="communautaire aptitudes",
                    participation=P.CONSULTATION, budget=5_000,
                    context="Les troubles psychiques restent méconnus et stigmatisés ; les familles ne savent pas vers qui se tourner.",
                    objective="Changer le regard sur la santé mentale et faire connaître les lieux d'écoute et de soins.",
                    ops=("Organiser chaque année un programme d'événements pendant la SISM", "Associer les usagers et leurs familles"),
                    how="Ciné-débats, expositions et portes ouvertes du CMP pendant la Semaine d'information sur la santé mentale.",
                    indicators=[("result", "Participants aux événements", "personnes", 0, 800)],
                ),
            ],
        ),
        AxisSpec(
            "Habitat et santé",
            "Repérer l'habitat indigne et ses effets sur la santé.",
            "Repérer les logements indignes\nPrévenir le saturnisme",
            [
                A(
                    "Repérage de l'habitat indigne et du saturnisme",
                    S.DONE, "2013-01", "2016-12",
                    pilot="habitat", copilots="sante",
                    partners=[("ars", 3), ("pmi", 2)],
                    publics="familles precarite", ottawa="milieux politiques",
                    participation=P.NONE, budget=12_000,
                    context="Des signalements de logements dégradés, parfois avec des peintures au plomb, remontent des travailleurs sociaux.",
                    objective="Repérer et traiter les situations d'habitat indigne ayant un effet sur la santé.",
                    ops=("Former les travailleurs sociaux au repérage", "Traiter les signalements avec l'ARS"),
                    how="Circuit de signalement entre travailleurs sociaux, service Habitat et ARS, visites à domicile.",
                    indicators=[("result", "Signalements traités", "signalements", 0, 120)],
                ),
            ],
        ),
    ],
)

CERGY_2020 = ContractSpec(
    kind=ContractKind.CLS,
    title="Contrat local de santé de Cergy 2020-2022",
    start=2020,
    end=2022,
    status=ContractStatus.SIGNED,
    signed_on=dt.date(2020, 12, 10),
    current=True,
    description="Deuxième contrat local de santé de Cergy, signé malgré la crise sanitaire par la Ville et 7 partenaires : ARS Île-de-France, Préfecture du Val-d'Oise, Communauté d'agglomération de Cergy-Pontoise, Conseil départemental du Val-d'Oise, CPAM du Val-d'Oise, DSDEN du Val-d'Oise et GHT NOVO. Construit à partir du diagnostic de santé 2016-2018 (focus groupes avec les partenaires, 900 questionnaires remplis par les Cergyssois) et de deux groupes de travail en 2019, il développe des actions nouvelles (ouverture de structure, « aller vers », formation des professionnels) et fédère les acteurs sanitaires, médico-sociaux et sociaux autour d'une dynamique partagée pour réduire les inégalités sociales et territoriales de santé. Six axes thématiques et quatre axes transversaux, qui sont une méthode de travail à adopter dans la conception, la déclinaison et l'évaluation de chaque action.",
    diagnosis="Besoin relevé par le diagnostic de santé 2016-2018 (focus groupes et 900 questionnaires d'habitants) et retravaillé en groupes de travail en 2019.",
    signers=["ARS 95", "Préfecture 95", "CACP", "CD 95", "CPAM 95", "DSDEN 95", "GHT NOVO"],
    amendments=[
        (
            1,
            dt.date(2021, 12, 9),
            "Intégration d'une nouvelle fiche-action rédigée pendant le temps de travail thématique du groupe de travail « Nutrition et activité physique ».",
            "Ajout de la fiche-action 3.6 « Jardins partagés et alimentation durable à Sébille » à l'axe 3.\nReport au 31 décembre 2022 des fiches-actions 2.2 et 2.5, décalées par la crise sanitaire.",
        )
    ],
    transversal=[
        AxisSpec(
            "Coordination des acteurs et travail en réseau",
            "Répond aux besoins en termes de connaissance et de continuité des actions, et de partenariat entre les dispositifs et structures de santé. Les actions transversales visent à limiter les ruptures dans les parcours de santé dues à un manque de coordination, à décloisonner le fonctionnement des partenaires et à mutualiser les moyens.",
            "Limiter les ruptures dans les parcours de santé\nDécloisonner le fonctionnement des partenaires\nMutualiser les moyens",
        ),
        AxisSpec(
            "Visibilité et lisibilité de l'offre de santé du territoire",
            "Comprend des actions transversales afin d'améliorer ou de renforcer la communication, des actions d'« aller vers », l'implication des partenaires, la coordination avec d'autres actions et dispositifs afin de faciliter l'accès à l'offre de prévention et de soin.",
            "Améliorer la communication sur l'offre de santé\nDévelopper les actions d'« aller vers »\nFaciliter l'accès à l'offre de prévention et de soin",
        ),
        AxisSpec(
            "Mobilisation des habitants",
            "S'inscrit dans l'axe 4 du Projet régional de santé (PRS2) de l'ARS Île-de-France. C'est un axe stratégique qui pose dans chaque action la question de la mobilisation et de la participation des habitants, afin de développer leur pouvoir d'agir et l'inclusion sociale.",
            "Poser dans chaque action la question de la participation des habitants\nDévelopper le pouvoir d'agir des habitants\nFavoriser l'inclusion sociale",
        ),
        AxisSpec(
            "Politique de santé intégrée",
            "Vise à développer une culture commune autour de la promotion de la santé, avec l'intégration des enjeux de santé dans toutes les politiques mises en œuvre par la collectivité : développement urbain, aménagement du territoire, éducation, petite enfance, jeunesse, culture…",
            "Développer une culture commune de la promotion de la santé\nIntégrer la santé dans toutes les politiques de la collectivité",
        ),
    ],
    thematic=[
        AxisSpec(
            "Accès aux droits, à la prévention et aux soins",
            "Lutter contre la désertification médicale et le renoncement aux soins : ouvrir une structure de soins, aller vers les habitants des quartiers prioritaires et faciliter l'ouverture des droits.",
            "Renforcer l'offre de soins de premier recours\nAller vers les publics éloignés du soin et de la prévention\nFaciliter l'accès aux droits de santé",
            [
                A(
                    "Ouvrir l'Espace santé Denis Mukwege et sa Maison prévention santé",
                    S.DONE, "2020-01", "2023-05",
                    pilot="ddss", copilots="sante",
                    partners=[("cpts", 4, "Membre de l'association de gouvernance, organise l'exercice coordonné"), ("ght", 4, "Membre de l'association de gouvernance, consultations avancées de spécialistes"), ("maison_hosp", 3, "Membre de l'association de gouvernance, consultations de santé mentale"), ("ars", 3, "Accompagne le projet de santé et cofinance l'équipement")],
                    publics="tout-public habitants-qpv", ottawa="services milieux",
                    participation=P.CONSULTATION, budget=380_000,
                    context="Cergy connaît une désertification médicale : des médecins généralistes partent à la retraite sans être remplacés et les délais de rendez-vous s'allongent. Les élus se sont engagés dès 2014 à ouvrir une structure de soins.",
                    objective="Rapprocher le soin hospitalier, le soin de ville et la prévention en ouvrant un lieu unique de soins et de prévention.",
                    ops=("Finaliser le montage associatif entre la Ville, la CPTS, le GHT NOVO, la Maison hospitalière et le gestionnaire", "Recruter l'équipe pluriprofessionnelle du centre de santé", "Ouvrir la Maison prévention santé et programmer ses premières actions"),
                    how="La Ville concède le fonctionnement du centre de santé pluridisciplinaire à un gestionnaire privé et crée une association qui réunit la Ville, la CPTS, le GHT NOVO, la Maison hospitalière et le gestionnaire. La Maison prévention santé accueille dans les mêmes murs les actions de prévention du CLS et de l'ASV.",
                    indicators=[("process", "Étapes du projet franchies (programme, travaux, recrutement, ouverture)", "étapes", 0, 4), ("result", "Médecins exerçant au centre de santé", "médecins", 0, 6)],
                    news=[("2023-05-16", "Inauguration de l'Espace santé Denis Mukwege : le centre de santé pluridisciplinaire et la Maison prévention santé ouvrent leurs portes.")],
                ),
                A(
                    "Actions d'« aller vers » dans les quartiers prioritaires",
                    S.DONE, "2021-03", "2022-12",
                    pilot="sante", copilots="mediateurs",
                    partners=[("cpam", 3), ("croix_rouge", 3), ("mq_axe", 3), ("conseil_citoyen", 2)],
                    publics="habitants-qpv precarite", ottawa="services communautaire", qpv="all",
                    participation=P.CONCERTATION, budget=24_000,
                    context="Une partie des habitants des quartiers prioritaires ne fréquente ni les structures de soins ni les permanences sociales, surtout depuis la crise sanitaire.",
                    objective="Aller au-devant des habitants éloignés du soin pour les informer et les orienter.",
                    ops=("Tenir des permanences mobiles de prévention au pied des immeubles et sur les marchés", "Orienter les habitants vers les structures de droit commun", "Associer le conseil citoyen au choix des lieux et des thèmes"),
                    how="Une équipe mobile (médiateurs sociaux, infirmière de prévention, conseillère CPAM) tient des permanences hors les murs deux fois par mois dans chaque quartier prioritaire.",
                    indicators=[("result", "Habitants rencontrés lors des permanences mobiles", "personnes", 0, 600), ("process", "Permanences hors les murs tenues", "permanences", 0, 40)],
                ),
                A(
                    "Accompagner l'ouverture de droits à l'assurance maladie",
                    S.DONE, "2020-09", "2022-12",
                    pilot="ccas", copilots="cpam",
                    partners=[("caf", 2), ("restos", 2), ("mediateurs", 3)],
                    publics="precarite habitants-qpv", ottawa="services",
                    participation=P.INFORMATION, budget=15_000,
                    context="Les travailleurs sociaux constatent des ruptures de droits (complémentaire santé solidaire non renouvelée, absence de médecin traitant) qui conduisent à renoncer aux soins.",
                    objective="Réduire le non-recours aux droits de santé des personnes en situation de précarité.",
                    ops=("Former les agents d'accueil du CCAS aux droits de santé", "Ouvrir une permanence mensuelle CPAM au CCAS", "Mettre en place un circuit de signalement rapide des ruptures de droits"),
                    how="Permanence mensuelle d'une conseillère CPAM au CCAS, formation des agents d'accueil et circuit de signalement des situations urgentes.",
                    indicators=[("result", "Dossiers de complémentaire santé solidaire ouverts", "dossiers", 0, 250)],
                ),
                A(
                    "Villages santé",
                    S.DONE, "2020-09", "2022-10",
                    pilot="sante", copilots="mq_touleuses",
                    partners=[("cpts", 3), ("cpam", 3), ("ligue", 3), ("dubos", 2)],
                    publics="tout-public habitants-qpv", ottawa="communautaire services", qpv="all",
                    participation=P.CO_CONSTRUCTION, budget=18_000,
                    context="Les habitants connaissent mal l'offre de prévention du territoire ; les partenaires souhaitent des temps de rencontre conviviaux avec le public.",
                    objective="Faire connaître l'offre de prévention et de soins en réunissant les partenaires au cœur des quartiers.",
                    ops=("Organiser un Village santé par an dans un quartier prioritaire", "Proposer sur place des dépistages et des ateliers", "Faire le bilan avec les partenaires et les habitants après chaque édition"),
                    how="Une journée sur une place de quartier : stands des partenaires, dépistages (diabète, vue, audition), ateliers et animations pour les enfants, préparés avec les habitants.",
                    indicators=[("result", "Villages santé organisés", "villages", 0, 3), ("result", "Visiteurs des Villages santé", "personnes", 0, 1_200)],
                    news=[("2022-11-08", "Bilan du troisième Village santé en groupe de travail : à chaque bilan, de nouveaux partenaires demandent à participer au prochain.")],
                ),
                A(
                    "Attirer et installer des professionnels de santé",
                    S.IN_PROGRESS, "2020-06", "2022-12",
                    pilot="ddss", copilots="cpts",
                    partners=[("ars", 3, "Zonage et aides à l'installation"), ("cpam", 3), ("ght", 2), ("cacp", 2)],
                    publics="professionnels", ottawa="services politiques",
                    participation=P.NONE, budget=30_000,
                    context="La densité de médecins généralistes est inférieure à la moyenne régionale et plusieurs départs à la retraite sont annoncés.",
                    objective="Faciliter l'installation de nouveaux professionnels de santé de premier recours.",
                    ops=("Accueillir les internes en stage et leur présenter le territoire", "Accompagner les projets d'exercice coordonné avec la CPTS", "Proposer des locaux à loyer modéré"),
                    how="Guichet unique d'accueil des professionnels, soirées d'accueil des internes avec la CPTS et accompagnement des projets d'installation.",
                    indicators=[("result", "Médecins généralistes installés depuis 2020", "médecins", 0, 8), ("impact", "Médecins généralistes pour 10 000 habitants", "pour 10 000", 6.1, 7.5, "Données de l'Assurance maladie (Rezone)")],
                    note="Action de fond poursuivie au-delà du contrat : reprise dans le CLS 2023-2028 avec la CPTS.",
                ),
            ],
        ),
        AxisSpec(
            "Santé mentale",
            "Mieux repérer la souffrance psychique, coordonner les professionnels autour des situations complexes et changer le regard sur les troubles psychiques.",
            "Former les professionnels de première ligne\nStructurer la coordination en santé mentale\nDéstigmatiser les troubles psychiques",
            [
                A(
                    "Former les professionnels de première ligne aux premiers secours en santé mentale",
                    S.DONE, "2021-01", "2022-12",
                    pilot="sante", copilots="maison_hosp",
                    partners=[("cmp", 3), ("unafam", 2), ("ccas", 2), ("mediateurs", 2)],
                    publics="professionnels", ottawa="aptitudes services",
                    participation=P.NONE, budget=16_000,
                    context="Les professionnels de l'accueil et du social se disent démunis face aux personnes en crise, dont le nombre a augmenté depuis la crise sanitaire.",
                    objective="Donner aux professionnels de première ligne les gestes pour repérer et orienter une personne en souffrance psychique.",
                    ops=("Organiser quatre sessions de formation PSSM par an", "Former en priorité les agents d'accueil, médiateurs et animateurs", "Diffuser un annuaire des ressources en santé mentale"),
                    how="Sessions de deux jours de premiers secours en santé mentale animées par des formateurs accrédités, ouvertes aux professionnels de la Ville et des partenaires.",
                    indicators=[("result", "Professionnels formés aux premiers secours en santé mentale", "personnes", 0, 80)],
                ),
                A(
                    "Créer le Conseil local de santé mentale",
                    S.POSTPONED, "2021-09", "2022-12",
                    pilot="sante", copilots="ght",
                    partners=[("maison_hosp", 3), ("cmp", 3), ("unafam", 2), ("ars", 2)],
                    publics="tout-public professionnels", ottawa="politiques services",
                    participation=P.CONSULTATION, budget=45_000,
                    context="Les acteurs de la psychiatrie, du social et du logement se connaissent peu ; les situations complexes sont traitées au cas par cas.",
                    objective="Doter Cergy d'une instance de concertation entre élus, psychiatrie, usagers et aidants.",
                    ops=("Réaliser un diagnostic partagé en santé mentale", "Préfigurer la gouvernance du CLSM avec le GHT NOVO", "Financer un poste de coordination"),
                    how="Réunions de préfiguration avec le secteur psychiatrique, la Maison hospitalière et les associations d'usagers, puis installation de l'assemblée plénière.",
                    indicators=[("process", "Réunions de préfiguration du CLSM", "réunions", 0, 4)],
                    note="Le diagnostic partagé est réalisé, mais l'installation du CLSM est reportée au CLS 2023-2028 faute de financement du poste de coordination.",
                ),
                A(
                    "Semaines d'information sur la santé mentale",
                    S.DONE, "2020-10", "2022-10",
                    pilot="sante", copilots="culture",
                    partners=[("unafam", 4), ("cmp", 3), ("mq_linandes", 2), ("maison_hosp", 2)],
                    publics="tout-public", ottawa="communautaire aptitudes",
                    participation=P.CO_CONSTRUCTION, budget=8_000,
                    context="La santé mentale reste taboue ; les habitants connaissent mal les lieux d'écoute et de soins.",
                    objective="Déstigmatiser les troubles psychiques et faire connaître les ressources du territoire.",
                    ops=("Construire chaque année le programme avec les usagers et les familles", "Proposer des événements dans les quartiers et en ligne"),
                    how="Programme annuel pendant les SISM : ciné-débats, théâtre-forum, portes ouvertes et conférences en ligne pendant la crise sanitaire.",
                    indicators=[("result", "Participants aux événements des SISM", "personnes", 0, 450)],
                    previous="2.1",
                ),
                A(
                    "Coordonner les situations complexes avec la Maison hospitalière",
                    S.DONE, "2020-11", "2022-12",
                    pilot="maison_hosp", copilots="sante",
                    partners=[("cmp", 4), ("ccas", 3), ("cergy_habitat", 2), ("mediateurs", 2)],
                    publics="precarite professionnels", ottawa="services",
                    participation=P.NONE, budget=6_000,
                    context="Des situations de souffrance psychique avec troubles du voisinage ou risque d'expulsion restent sans réponse coordonnée.",
                    objective="Trouver des réponses concertées aux situations psychosociales complexes.",
                    ops=("Réunir une cellule de concertation tous les deux mois", "Formaliser une charte de confidentialité entre partenaires"),
                    how="Cellule pluriprofessionnelle (psychiatrie, social, bailleur, Ville) qui étudie les situations anonymisées et désigne un référent.",
                    indicators=[("process", "Situations complexes étudiées en cellule de concertation", "situations", 0, 40)],
                ),
                A(
                    "Prévenir l'isolement des personnes âgées",
                    S.POSTPONED, "2020-03", "2022-12",
                    pilot="ccas", copilots="sante",
                    partners=[("seniors", 3), ("croix_rouge", 3), ("unis_cite", 3), ("cd", 2)],
                    publics="personnes-agees", ottawa="communautaire milieux",
                    participation=P.CONCERTATION, budget=20_000,
                    context="Les confinements ont révélé l'isolement de nombreuses personnes âgées vivant seules, inconnues des services.",
                    objective="Repérer les personnes âgées isolées et recréer du lien social.",
                    ops=("Constituer une équipe de bénévoles et de jeunes en service civique", "Organiser des visites et appels de convivialité", "Repérer les personnes isolées avec les gardiens et pharmaciens"),
                    how="Visites et appels réguliers par des binômes de jeunes volontaires et de bénévoles, coordonnés par le CCAS.",
                    indicators=[("result", "Personnes âgées isolées bénéficiant de visites de convivialité", "personnes", 0, 120)],
                    note="Les visites à domicile ont été suspendues pendant la crise sanitaire ; l'action est reportée et reprise dans le CLS 2023-2028.",
                ),
            ],
        ),
        AxisSpec(
            "Nutrition et activité physique",
            "Promouvoir une alimentation favorable à la santé et l'activité physique à tous les âges, en priorité dans les quartiers prioritaires.",
            "Prévenir le surpoids et l'obésité des enfants\nDévelopper le sport-santé et l'activité physique adaptée\nRendre l'alimentation équilibrée accessible aux petits budgets",
            [
                A(
                    "Parcours sport-santé sur ordonnance",
                    S.DONE, "2020-09", "2022-12",
                    pilot="sports", copilots="sante",
                    partners=[("cpts", 4, "Prescription par les médecins traitants"), ("ascp", 3), ("cpam", 2), ("diabetiques", 2)],
                    publics="tout-public personnes-agees", ottawa="services aptitudes milieux",
                    participation=P.CONSULTATION, budget=35_000,
                    context="Les maladies chroniques (diabète, obésité, maladies cardiovasculaires) sont plus fréquentes qu'en moyenne régionale et la sédentarité progresse.",
                    objective="Permettre aux patients atteints de maladies chroniques de reprendre durablement une activité physique.",
                    ops=("Former les éducateurs sportifs à l'activité physique adaptée", "Faire connaître la prescription aux médecins de la CPTS", "Proposer un parcours de douze semaines puis une orientation vers les clubs"),
                    how="Sur prescription du médecin traitant, bilan de condition physique puis douze semaines de séances collectives encadrées par des éducateurs formés, avant l'orientation vers un club.",
                    indicators=[("result", "Patients inscrits dans le parcours sport-santé", "patients", 0, 90), ("result", "Participants pratiquant encore une activité physique à 6 mois", "%", 0, 60, "Questionnaire de suivi à 6 mois")],
                ),
                A(
                    "Ateliers cuisine et petits budgets dans les maisons de quartier",
                    S.DONE, "2020-09", "2022-12",
                    pilot="sante", copilots="mq_axe",
                    partners=[("epicerie", 4), ("restos", 2), ("caf", 2), ("mq_touleuses", 3)],
                    publics="familles precarite habitants-qpv", ottawa="aptitudes communautaire", qpv="all",
                    participation=P.CO_CONSTRUCTION, budget=12_000,
                    context="Les familles des quartiers prioritaires citent le coût comme premier frein à une alimentation équilibrée.",
                    objective="Permettre aux familles de cuisiner équilibré avec un petit budget.",
                    ops=("Animer deux ateliers par mois dans les maisons de quartier", "Construire les menus avec les participantes", "Éditer un livret de recettes des habitants"),
                    how="Ateliers animés par une diététicienne avec les produits de l'épicerie sociale, suivis d'un repas partagé ; les recettes sont choisies par les participantes.",
                    indicators=[("result", "Ateliers cuisine réalisés", "ateliers", 0, 36), ("result", "Participants différents", "personnes", 0, 180)],
                    previous="1.1",
                ),
                A(
                    "Prévenir le surpoids des enfants dans les écoles de la Cité éducative",
                    S.DONE, "2020-09", "2022-06",
                    pilot="cite", copilots="sante",
                    partners=[("dsden", 3, "Mobilise les infirmières scolaires et les enseignants"), ("education", 3), ("pmi", 2), ("parents", 2)],
                    publics="enfants familles", ottawa="milieux aptitudes", qpv="axe",
                    participation=P.CONSULTATION, budget=22_000,
                    context="Les bilans de santé en grande section montrent une part d'enfants en surpoids plus élevée dans les écoles du quartier Axe Majeur-Horloge.",
                    objective="Prévenir le surpoids des enfants scolarisés dans les écoles de la Cité éducative.",
                    ops=("Proposer un programme d'éducation nutritionnelle dans les classes", "Associer les parents à des petits-déjeuners pédagogiques", "Développer l'activité physique pendant la pause méridienne"),
                    how="Programme en classe (goût, équilibre, activité physique) co-animé par les enseignants et une diététicienne, avec des temps pour les parents.",
                    indicators=[("result", "Classes bénéficiant du programme", "classes", 0, 24), ("impact", "Enfants de grande section en surpoids ou obèses", "%", 14, 12, "Bilans de santé en école maternelle (PMI)")],
                ),
                A(
                    "Aménager des parcours de marche dans l'espace public",
                    S.DONE, "2021-03", "2022-10",
                    pilot="amenagement", copilots="sante",
                    partners=[("cacp", 4), ("sports", 3), ("seniors", 2), ("conseil_citoyen", 3)],
                    publics="tout-public personnes-agees", ottawa="milieux politiques",
                    participation=P.CONCERTATION, budget=40_000,
                    context="Les habitants âgés disent renoncer à marcher faute de bancs, d'éclairage et de cheminements sûrs.",
                    objective="Rendre l'espace public favorable à la marche au quotidien.",
                    ops=("Organiser des marches exploratoires avec les habitants", "Baliser trois parcours avec bancs et distances", "Inscrire les parcours dans les programmes d'activité physique"),
                    how="Marches exploratoires avec les habitants et le conseil citoyen, puis balisage de parcours de 2 à 5 km avec l'agglomération.",
                    indicators=[("result", "Parcours de marche balisés", "parcours", 0, 3), ("process", "Marches exploratoires avec les habitants", "marches", 0, 4)],
                ),
                A(
                    "Former les animateurs périscolaires à l'équilibre alimentaire",
                    S.DONE, "2021-01", "2022-06",
                    pilot="education", copilots="sante",
                    partners=[("cite", 3), ("psidf", 3, "Apporte ses outils pédagogiques et son appui méthodologique"), ("jeunesse", 2)],
                    publics="professionnels enfants", ottawa="aptitudes milieux",
                    participation=P.NONE, budget=9_000,
                    context="Les animateurs encadrent les goûters et la pause méridienne sans formation à l'équilibre alimentaire.",
                    objective="Faire des temps périscolaires des moments d'éducation à l'alimentation.",
                    ops=("Former les animateurs de chaque accueil périscolaire", "Mettre à disposition une malle pédagogique"),
                    how="Deux demi-journées de formation et une malle pédagogique par accueil, avec un suivi par la diététicienne de la Ville.",
                    indicators=[("result", "Animateurs périscolaires formés", "personnes", 0, 70)],
                ),
                A(
                    "Jardins partagés et alimentation durable à Sébille",
                    S.DONE, "2022-01", "2022-12",
                    pilot="sante", copilots="environnement",
                    partners=[("jardins", 4), ("cergy_habitat", 3, "Met des parcelles à disposition au pied des immeubles"), ("epicerie", 2)],
                    publics="familles habitants-qpv", ottawa="communautaire milieux aptitudes", qpv="sebille",
                    participation=P.EMPOWERMENT, budget=14_000,
                    context="Lors du groupe de travail nutrition, les partenaires et les jardiniers de Sébille ont fait le lien entre jardins, alimentation et lien social.",
                    objective="Faire des jardins partagés un support d'alimentation durable et de lien social.",
                    ops=("Ouvrir de nouvelles parcelles aux familles du quartier", "Animer des ateliers cuisine-jardin avec les récoltes"),
                    how="Les jardiniers de l'association accueillent de nouvelles familles et animent, avec la diététicienne, des ateliers cuisine à partir des récoltes.",
                    indicators=[("result", "Foyers jardiniers", "foyers", 0, 30), ("process", "Ateliers cuisine-jardin", "ateliers", 0, 10)],
                    from_diagnosis=False,
                    news=[("2021-04-13", "Groupe de travail Nutrition et activité physique : le temps de travail thématique aboutit à la rédaction d'une nouvelle fiche-action, proposée au comité de pilotage."), ("2021-12-09", "Le comité de pilotage adopte l'avenant n° 1 qui intègre la fiche-action au CLS.")],
                ),
            ],
        ),
        AxisSpec(
            "Santé des enfants, des jeunes et des familles",
            "Accompagner les enfants, les jeunes et leurs parents sur la vie affective, les conduites à risque, le langage et les écrans.",
            "Développer l'éducation pour la santé en milieu scolaire\nPrévenir les conduites addictives\nSoutenir les parents",
            [
                A(
                    "Éducation à la vie affective et sexuelle au collège",
                    S.DONE, "2020-09", "2022-06",
                    pilot="sante", copilots="dsden",
                    partners=[("planning", 4), ("college", 3), ("cpef", 3), ("cite", 2)],
                    publics="jeunes", ottawa="aptitudes",
                    participation=P.CONSULTATION, budget=14_000,
                    context="Les infirmières scolaires constatent des questions fréquentes sur le consentement, la contraception et les réseaux sociaux, auxquelles les séances obligatoires ne suffisent pas à répondre.",
                    objective="Permettre aux collégiens de faire des choix éclairés dans leur vie affective et sexuelle.",
                    ops=("Proposer trois séances par classe de 4e", "Former les infirmières scolaires aux outils d'animation", "Faire connaître le centre de planification aux élèves"),
                    how="Trois séances par classe co-animées par le Planning familial et l'infirmière scolaire, suivies d'une visite du centre de planification.",
                    indicators=[("result", "Élèves de 4e ayant bénéficié des trois séances", "élèves", 0, 600)],
                ),
                A(
                    "Prévenir les conduites addictives des jeunes",
                    S.DONE, "2020-10", "2022-12",
                    pilot="jeunesse", copilots="sante",
                    partners=[("addictions", 4), ("prevention_spe", 3), ("paej", 3), ("lycee", 2)],
                    publics="jeunes", ottawa="aptitudes communautaire",
                    participation=P.CONSULTATION, budget=18_000,
                    context="Les éducateurs observent une consommation précoce de cannabis et de protoxyde d'azote chez les 14-18 ans.",
                    objective="Retarder et réduire les consommations de substances psychoactives chez les jeunes.",
                    ops=("Former des jeunes relais à la prévention par les pairs", "Intervenir au lycée et dans les structures jeunesse", "Faciliter l'accès à la consultation jeunes consommateurs"),
                    how="Interventions de prévention par les pairs, formation de jeunes relais et permanences de la consultation jeunes consommateurs au PAEJ.",
                    indicators=[("result", "Jeunes sensibilisés", "jeunes", 0, 800), ("result", "Jeunes relais formés", "jeunes", 0, 20)],
                ),
                A(
                    "Dépistage des troubles du langage en maternelle",
                    S.DONE, "2020-09", "2022-06",
                    pilot="sante", copilots="education",
                    partners=[("pmi", 3), ("dsden", 3), ("cmpp", 2, "Reçoit les enfants orientés"), ("maternelle_axe", 2)],
                    publics="petite-enfance enfants", ottawa="services", qpv="all",
                    participation=P.INFORMATION, budget=11_000,
                    context="Les troubles du langage repérés tardivement pèsent sur les apprentissages ; les délais d'orthophonie dépassent un an.",
                    objective="Repérer précocement les troubles du langage et accélérer l'accès aux bilans.",
                    ops=("Dépister les enfants de moyenne section des écoles des quartiers prioritaires", "Restituer les résultats aux familles", "Orienter les enfants repérés vers un bilan orthophonique"),
                    how="Dépistage en classe par une orthophoniste, restitution aux familles avec l'enseignant et orientation vers le CMPP ou un orthophoniste libéral.",
                    indicators=[("result", "Enfants de moyenne section dépistés", "enfants", 0, 450), ("result", "Enfants repérés ayant eu un bilan orthophonique", "%", 0, 80, "Suivi des orientations (service Santé)")],
                    previous="1.2",
                ),
                A(
                    "Soutien à la parentalité autour des écrans",
                    S.DONE, "2021-01", "2022-12",
                    pilot="petite_enfance", copilots="sante",
                    partners=[("caf", 4, "Finance et co-anime les cafés des parents (REAAP)"), ("pmi", 3), ("mq_visages", 3)],
                    publics="familles petite-enfance", ottawa="aptitudes communautaire",
                    participation=P.CO_CONSTRUCTION, budget=10_000,
                    context="Les professionnels de la petite enfance observent une exposition précoce et prolongée des tout-petits aux écrans, accrue par les confinements.",
                    objective="Aider les parents à limiter l'exposition des jeunes enfants aux écrans.",
                    ops=("Animer des cafés des parents dans les maisons de quartier", "Former les professionnels de la petite enfance", "Diffuser des repères simples aux familles"),
                    how="Cafés des parents animés avec la CAF et la PMI, ateliers parents-enfants sans écrans et diffusion des repères 3-6-9-12.",
                    indicators=[("result", "Parents ayant participé aux cafés des parents", "parents", 0, 150)],
                ),
                A(
                    "Point santé étudiants",
                    S.ABANDONED, "2021-01", "2022-06",
                    pilot="sante", copilots="sse",
                    partners=[("ml", 2), ("cpam", 2), ("paej", 2)],
                    publics="etudiants", ottawa="services",
                    participation=P.CONSULTATION, budget=12_000,
                    context="Les étudiants, nombreux à Cergy, renoncent souvent aux soins faute de médecin traitant et de connaissance de leurs droits.",
                    objective="Offrir aux étudiants un lieu d'information et d'orientation en santé.",
                    ops=("Tenir une permanence santé hebdomadaire sur le campus", "Informer les étudiants sur leurs droits"),
                    how="Permanence hebdomadaire sur le campus, tenue par une infirmière de prévention et une conseillère CPAM.",
                    indicators=[("process", "Permanences santé tenues sur le campus", "permanences", 0, 30)],
                    note="L'université a renforcé son propre service de santé étudiante sur le campus ; l'action est abandonnée pour éviter les doublons.",
                ),
            ],
        ),
        AxisSpec(
            "Santé environnementale et habitat",
            "Agir sur les déterminants environnementaux de la santé : logement, qualité de l'air, aménagement urbain et adaptation au changement climatique.",
            "Lutter contre l'habitat indigne\nAméliorer la qualité des environnements intérieurs\nIntégrer la santé dans l'aménagement du territoire",
            [
                A(
                    "Lutter contre l'habitat indigne et le saturnisme",
                    S.IN_PROGRESS, "2020-06", "2022-12",
                    pilot="habitat", copilots="sante",
                    partners=[("ars", 3, "Instruit les procédures d'insalubrité"), ("cergy_habitat", 3), ("pmi", 2, "Propose les plombémies aux enfants exposés"), ("ccas", 2)],
                    publics="familles precarite enfants", ottawa="milieux politiques",
                    participation=P.NONE, budget=25_000,
                    context="Deux copropriétés dégradées concentrent des signalements d'humidité, de moisissures et de peintures au plomb.",
                    objective="Traiter les situations d'habitat indigne qui mettent en danger la santé des occupants.",
                    ops=("Former les travailleurs sociaux au repérage", "Instruire les signalements avec l'ARS", "Proposer un dépistage du saturnisme aux enfants exposés"),
                    how="Circuit de signalement unique, visites conjointes du service Habitat et de l'ARS, dépistage du saturnisme par la PMI.",
                    indicators=[("result", "Logements ayant fait l'objet d'une procédure", "logements", 0, 40), ("result", "Enfants exposés dépistés (plombémie)", "enfants", 0, 60)],
                    note="Procédures en cours sur deux copropriétés dégradées : l'action est poursuivie dans le CLS 2023-2028.",
                    previous="3.1",
                ),
                A(
                    "Qualité de l'air intérieur dans les crèches",
                    S.DONE, "2020-09", "2021-12",
                    pilot="petite_enfance", copilots="environnement",
                    partners=[("ars", 3), ("pmi", 2), ("cd", 2)],
                    publics="petite-enfance professionnels", ottawa="milieux",
                    participation=P.NONE, budget=15_000,
                    context="La réglementation impose la surveillance de la qualité de l'air intérieur dans les établissements d'accueil de jeunes enfants.",
                    objective="Garantir un air intérieur sain dans toutes les crèches municipales.",
                    ops=("Réaliser l'autodiagnostic dans chaque crèche", "Former les équipes à l'aération et aux produits d'entretien"),
                    how="Autodiagnostic accompagné, campagne de mesures et formation des équipes à l'aération et au choix des produits.",
                    indicators=[("result", "Crèches ayant réalisé l'autodiagnostic de l'air intérieur", "crèches", 0, 12)],
                ),
                A(
                    "Prévenir les infestations de punaises de lit",
                    S.POSTPONED, "2022-01", "2022-12",
                    pilot="habitat", copilots="sante",
                    partners=[("cergy_habitat", 3), ("ccas", 2), ("secours_pop", 2)],
                    publics="precarite habitants-qpv", ottawa="milieux aptitudes", qpv="all",
                    participation=P.INFORMATION, budget=10_000,
                    context="Les bailleurs et travailleurs sociaux signalent des infestations répétées qui épuisent financièrement et psychologiquement les ménages.",
                    objective="Aider les ménages à prévenir et traiter les infestations de punaises de lit.",
                    ops=("Former les professionnels à l'accompagnement des ménages", "Diffuser un guide pratique aux habitants"),
                    how="Formation des professionnels, guide pratique et aide au traitement pour les ménages les plus modestes.",
                    indicators=[("process", "Professionnels formés à l'accompagnement des ménages", "personnes", 0, 40)],
                    note="Le groupe de travail a donné la priorité au plan canicule en 2022 ; l'action est reportée au CLS 2023-2028.",
                ),
                A(
                    "Intégrer la santé dans les projets d'aménagement",
                    S.DONE, "2020-10", "2022-12",
                    pilot="amenagement", copilots="sante",
                    partners=[("cacp", 4), ("ars", 3, "Accompagne une évaluation d'impact sur la santé"), ("environnement", 3), ("psidf", 2)],
                    publics="tout-public", ottawa="politiques milieux",
                    participation=P.CONCERTATION, budget=30_000,
                    context="Les projets de renouvellement urbain transforment durablement les conditions de vie sans que leurs effets sur la santé soient étudiés.",
                    objective="Faire de la santé un critère des projets d'aménagement de la Ville et de l'agglomération.",
                    ops=("Construire une grille d'analyse santé des projets", "Réaliser une évaluation d'impact sur la santé d'un projet de quartier", "Sensibiliser les services aménagement à l'urbanisme favorable à la santé"),
                    how="Grille santé appliquée aux projets d'aménagement, évaluation d'impact sur la santé du renouvellement de l'Axe Majeur et formation des agents.",
                    indicators=[("process", "Projets d'aménagement analysés avec la grille santé", "projets", 0, 5)],
                ),
                A(
                    "Îlots de fraîcheur et canicule",
                    S.DONE, "2021-04", "2022-09",
                    pilot="environnement", copilots="ccas",
                    partners=[("sante", 3), ("cacp", 3), ("seniors", 2), ("mediateurs", 2)],
                    publics="personnes-agees tout-public", ottawa="milieux politiques",
                    participation=P.CONSULTATION, budget=60_000,
                    context="Les épisodes de canicule se multiplient et certains quartiers très minéralisés deviennent des îlots de chaleur.",
                    objective="Protéger les personnes fragiles pendant les canicules et rafraîchir les quartiers.",
                    ops=("Étendre le registre des personnes fragiles", "Aménager des îlots de fraîcheur dans les cours et squares", "Appeler chaque jour de canicule les personnes inscrites"),
                    how="Registre canicule et appels quotidiens par le CCAS, aménagement d'îlots de fraîcheur et ouverture de salles rafraîchies.",
                    indicators=[("result", "Personnes fragiles inscrites au registre canicule", "personnes", 540, 900), ("result", "Îlots de fraîcheur aménagés", "îlots", 0, 6)],
                ),
            ],
        ),
        AxisSpec(
            "Vieillissement, handicap et lien intergénérationnel",
            "Préserver l'autonomie des personnes âgées, rendre la prévention accessible aux personnes en situation de handicap et soutenir les aidants.",
            "Repérer et prévenir la fragilité\nRendre la prévention accessible à tous\nSoutenir les aidants et le lien entre générations",
            [
                A(
                    "Repérer la fragilité des personnes âgées à domicile",
                    S.DONE, "2020-09", "2022-12",
                    pilot="ccas", copilots="sante",
                    partners=[("cpts", 3), ("cd", 3, "Évalue les besoins d'aide à domicile (APA)"), ("alzheimer", 2), ("cpam", 2)],
                    publics="personnes-agees aidants", ottawa="services",
                    participation=P.INFORMATION, budget=20_000,
                    context="Les professionnels de l'aide à domicile repèrent tard les signes de fragilité (chutes, dénutrition, isolement).",
                    objective="Repérer tôt la fragilité des personnes âgées vivant à domicile et organiser une réponse.",
                    ops=("Former les aides à domicile au repérage de la fragilité", "Proposer une évaluation aux personnes repérées", "Orienter vers le médecin traitant et les actions de prévention"),
                    how="Grille de repérage utilisée par les aides à domicile, évaluation par l'infirmière du CCAS et orientation coordonnée avec la CPTS.",
                    indicators=[("result", "Personnes âgées ayant bénéficié d'un repérage de la fragilité", "personnes", 0, 300)],
                ),
                A(
                    "Rendre accessibles les actions de prévention aux personnes en situation de handicap",
                    S.DONE, "2021-01", "2022-12",
                    pilot="sante", copilots="mps",
                    partners=[("cd", 3), ("culture", 2), ("dubos", 2)],
                    publics="handicap", ottawa="services milieux",
                    participation=P.CONCERTATION, budget=12_000,
                    context="Les personnes en situation de handicap participent peu aux actions de prévention, souvent inaccessibles (supports, lieux, horaires).",
                    objective="Rendre les actions de prévention du CLS accessibles à tous les handicaps.",
                    ops=("Adapter les supports en facile à lire et à comprendre (FALC)", "Proposer une interprétation en langue des signes aux grands événements", "Vérifier l'accessibilité des lieux"),
                    how="Adaptation des supports, interprétation LSF, vérification de l'accessibilité et recueil de l'avis des associations de personnes handicapées.",
                    indicators=[("result", "Actions de prévention rendues accessibles", "actions", 0, 12)],
                ),
                A(
                    "Ateliers intergénérationnels",
                    S.DONE, "2021-09", "2022-06",
                    pilot="sante", copilots="mq_touleuses",
                    partners=[("seniors", 4), ("education", 3), ("theatre", 3)],
                    publics="personnes-agees enfants", ottawa="communautaire aptitudes",
                    participation=P.CO_CONSTRUCTION, budget=9_000,
                    context="Seniors et enfants d'un même quartier se croisent sans se rencontrer ; l'isolement des aînés s'est accru pendant la crise sanitaire.",
                    objective="Créer du lien entre générations autour d'activités favorables à la santé.",
                    ops=("Organiser des ateliers mensuels seniors-enfants", "Créer un spectacle de théâtre-forum avec les participants"),
                    how="Ateliers mensuels (jeux, cuisine, mémoire) entre les seniors du club et les écoliers, et création d'un théâtre-forum.",
                    indicators=[("result", "Ateliers intergénérationnels", "ateliers", 0, 20), ("result", "Participants", "personnes", 0, 250)],
                ),
                A(
                    "Aider les aidants",
                    S.DONE, "2021-03", "2022-12",
                    pilot="ccas", copilots="sante",
                    partners=[("alzheimer", 4), ("cd", 3), ("cpts", 2), ("msp", 2)],
                    publics="aidants", ottawa="aptitudes services",
                    participation=P.CONSULTATION, budget=14_000,
                    context="Les aidants de personnes âgées ou malades s'épuisent et connaissent mal les solutions de répit.",
                    objective="Prévenir l'épuisement des aidants.",
                    ops=("Ouvrir un café des aidants mensuel", "Proposer une formation des aidants", "Faire connaître les solutions de répit"),
                    how="Café des aidants mensuel, formation en cinq modules avec France Alzheimer et guide des solutions de répit.",
                    indicators=[("result", "Aidants accompagnés", "aidants", 0, 100)],
                ),
                A(
                    "Prévention des chutes",
                    S.DONE, "2020-10", "2022-12",
                    pilot="sante", copilots="sports",
                    partners=[("seniors", 3), ("cpam", 3), ("kine", 3), ("ccas", 2)],
                    publics="personnes-agees", ottawa="aptitudes services",
                    participation=P.CONSULTATION, budget=16_000,
                    context="Les chutes sont la première cause d'hospitalisation évitable des plus de 65 ans.",
                    objective="Réduire le risque de chute des personnes âgées vivant à domicile.",
                    ops=("Proposer des ateliers équilibre de douze séances", "Diffuser des conseils d'aménagement du logement"),
                    how="Ateliers équilibre animés par des kinésithérapeutes et éducateurs sportifs, visites conseil du logement.",
                    indicators=[("result", "Seniors inscrits aux ateliers équilibre", "personnes", 0, 150)],
                ),
            ],
        ),
    ],
)

CERGY_ASV = ContractSpec(
    kind=ContractKind.ASV,
    title="Atelier Santé Ville de Cergy",
    start=2020,
    end=2022,
    status=ContractStatus.SIGNED,
    signed_on=dt.date(2020, 3, 2),
    description="Atelier Santé Ville des quartiers prioritaires Axe Majeur-Horloge et Sébille, inscrit au contrat de ville : « si une action n'est pas identifiée dans le CLS, de fait, elle va devenir ASV ».",
)


# ---------------------------------------------------------------------------------------------
# Vitry-sur-Seine
# ---------------------------------------------------------------------------------------------

# Reasons shared by the fiches of the three stalled groups (see the Vitry narrative).
SPORT_VACANT = "Le co-pilotage de l'axe est vacant depuis le départ du directeur des sports ; le groupe de travail est en veille."
EARLY_CHILDHOOD_LOST = "Le service a perdu son point d'entrée auprès des partenaires associatifs et internes de la petite enfance ; il va « à la pêche aux infos » dans les réunions des partenaires."
VIOLENCE_STANDBY = "Le groupe de travail est en veille depuis que l'association d'habitantes s'en est retirée."

VITRY_2019 = ContractSpec(
    kind=ContractKind.CLS,
    title="Contrat local de santé de Vitry-sur-Seine 2019-2021",
    start=2019,
    end=2021,
    status=ContractStatus.CLOSED,
    signed_on=dt.date(2020, 2, 6),
    closed_on=dt.date(2021, 12, 31),
    description="Premier contrat local de santé de Vitry-sur-Seine, signé en 2020 et piloté par le Service Promotion de la santé de la direction de la Santé. La crise sanitaire a profondément perturbé sa mise en œuvre en 2020 et 2021.",
    diagnosis="Constat du diagnostic préalable au premier CLS (2018).",
    thematic=[
        AxisSpec(
            "Santé mentale",
            "Informer et déstigmatiser.",
            "Changer le regard sur les troubles psychiques",
            [
                A(
                    "Semaines d'information sur la santé mentale",
                    S.DONE, "2019-09", "2021-10",
                    pilot="sps", copilots="mcamts",
                    partners=[("unafam", 3), ("culture", 2)],
                    publics="tout-public", ottawa="communautaire aptitudes",
                    participation=P.CONSULTATION, budget=6_000,
                    context="Les troubles psychiques restent stigmatisés et les ressources du territoire méconnues.",
                    objective="Déstigmatiser les troubles psychiques et faire connaître les ressources.",
                    ops=("Organiser un programme d'événements chaque année", "Associer les usagers et les familles"),
                    how="Programme annuel de ciné-débats et de portes ouvertes, en ligne en 2020 et 2021.",
                    indicators=[("result", "Participants aux événements", "personnes", 0, 500)],
                ),
            ],
        ),
        AxisSpec(
            "Santé sexuelle des jeunes",
            "Informer les jeunes et rapprocher le dépistage.",
            "Développer le dépistage auprès des jeunes",
            [
                A(
                    "Dépistage des infections sexuellement transmissibles auprès des jeunes",
                    S.ABANDONED, "2020-01", "2021-12",
                    pilot="cms", copilots="sps",
                    partners=[("aides", 3), ("ml", 2)],
                    publics="jeunes", ottawa="services",
                    participation=P.INFORMATION, budget=8_000,
                    context="Les jeunes se font peu dépister et connaissent mal les lieux de dépistage gratuits.",
                    objective="Rapprocher le dépistage des IST des jeunes.",
                    ops=("Organiser des dépistages dans les structures jeunesse", "Former les animateurs à l'orientation"),
                    how="Dépistages rapides dans les structures jeunesse avec AIDES.",
                    indicators=[("result", "Dépistages réalisés", "dépistages", 0, 300)],
                    note="Les dépistages hors les murs n'ont pas pu avoir lieu pendant la crise sanitaire ; l'action est reprise dans le CLS 2023-2028.",
                ),
            ],
        ),
        AxisSpec(
            "Habitat et santé",
            "Repérer l'habitat insalubre.",
            "Traiter les situations d'insalubrité",
            [
                A(
                    "Repérage de l'habitat insalubre",
                    S.DONE, "2019-09", "2021-12",
                    pilot="schs", copilots="sps",
                    partners=[("ars", 3), ("oph", 2)],
                    publics="familles precarite", ottawa="milieux",
                    participation=P.NONE, budget=15_000,
                    context="Les signalements de logements insalubres augmentent dans le parc privé ancien.",
                    objective="Repérer et traiter les situations d'insalubrité.",
                    ops=("Centraliser les signalements au service communal d'hygiène", "Traiter les situations avec l'ARS"),
                    how="Guichet unique des signalements au SCHS, visites et procédures avec l'ARS.",
                    indicators=[("result", "Signalements traités", "signalements", 0, 200)],
                ),
            ],
        ),
    ],
)

VITRY_2023 = ContractSpec(
    kind=ContractKind.CLS,
    title="Contrat local de santé de Vitry-sur-Seine 2023-2028",
    start=2023,
    end=2028,
    status=ContractStatus.SIGNED,
    signed_on=dt.date(2023, 9, 21),
    current=True,
    description="Second contrat local de santé de Vitry-sur-Seine, signé par la Ville, l'ARS Île-de-France, la Préfecture du Val-de-Marne, le Conseil départemental du Val-de-Marne, la CPTS de Vitry, la CPAM du Val-de-Marne et la DSDEN du Val-de-Marne. Son objectif général est l'amélioration de la santé des Vitriots par des projets partenariaux et une meilleure coordination entre les acteurs du sanitaire, du médico-social et de la prévention. Il intègre les principes de la santé dans toutes les politiques et s'organise en 7 axes thématiques, chacun suivi par un groupe de travail co-piloté par le Service Promotion de la santé et par un professionnel d'un autre secteur. Diagnostic collaboratif en 2022, ateliers thématiques jusqu'en juin 2023, plénière de lancement en septembre 2023 devant environ 80 partenaires.",
    diagnosis="Besoin identifié lors du diagnostic collaboratif de 2022 et des ateliers thématiques avec les partenaires (printemps 2023).",
    signers=["ARS 94", "Préfecture 94", "CD 94", "CPTS Vitry", "CPAM 94", "DSDEN 94"],
    thematic=[
        AxisSpec(
            "Accès aux droits, aux soins et à la prévention",
            "Réduire le non-recours aux droits et aux soins, en particulier dans les quartiers prioritaires. Le groupe de travail est co-piloté par le SPS et le CCAS ; l'implication inégale des partenaires justifie un bilan à mi-parcours en 2025, par entretiens individuels.",
            "Faciliter l'ouverture et le maintien des droits de santé\nRapprocher la prévention et le dépistage des habitants\nMieux connaître les missions de chacun et l'offre du territoire",
            [
                A(
                    "Permanences d'accès aux droits de santé",
                    S.IN_PROGRESS, "2023-10", "2028-06",
                    pilot="ccas", copilots="sps",
                    partners=[("cpam", 4, "Tient les permanences et traite les dossiers en priorité"), ("cs_balzac", 3), ("eds", 2), ("ml", 2)],
                    publics="precarite habitants-qpv", ottawa="services", qpv="balzac capra",
                    participation=P.INFORMATION, budget=42_000,
                    context="Le non-recours à la complémentaire santé solidaire reste élevé et beaucoup d'habitants n'ont pas de médecin traitant.",
                    objective="Réduire le non-recours aux droits de santé des habitants les plus éloignés.",
                    ops=("Tenir une permanence hebdomadaire dans deux quartiers prioritaires", "Former les accueillants des centres sociaux aux droits de santé", "Organiser un circuit de traitement rapide avec la CPAM"),
                    how="Permanences hebdomadaires dans les centres sociaux, avec une conseillère CPAM et une travailleuse sociale du CCAS, et circuit de traitement prioritaire des dossiers.",
                    indicators=[("result", "Personnes reçues en permanence d'accès aux droits", "personnes", 0, 1_500), ("result", "Dossiers de complémentaire santé solidaire ouverts", "dossiers", 0, 300)],
                ),
                A(
                    "Bilan à mi-parcours : entretiens individuels avec les partenaires",
                    S.IN_PROGRESS, "2025-01", "2025-12",
                    pilot="sps", copilots="ccas",
                    partners=[("cpam", 2), ("cpts", 2), ("cd", 2), ("eds", 1)],
                    publics="professionnels", ottawa="politiques",
                    participation=P.CONSULTATION, budget=3_000,
                    context="Plusieurs partenaires de l'axe se sont désengagés des groupes de travail, par manque de temps ou parce que les orientations ne correspondaient pas à leurs attentes.",
                    objective="Comprendre les difficultés d'implication des partenaires et ajuster le CLS et les modalités de collaboration.",
                    ops=("Mener des entretiens individuels avec les partenaires de l'axe", "Recenser les missions, les actions et les besoins de chacun", "Proposer des ajustements au comité de pilotage"),
                    how="Entretiens individuels d'une heure avec chaque partenaire, synthèse présentée au comité de pilotage des signataires.",
                    indicators=[("process", "Partenaires de l'axe rencontrés en entretien individuel", "partenaires", 0, 18)],
                    note="Entretiens engagés avec la moitié des partenaires ; le calendrier a glissé avec l'intérim de la coordination, assuré par la chargée de projets senior depuis l'absence de la coordinatrice.",
                ),
                A(
                    "Faciliter l'accès aux dépistages organisés des cancers",
                    S.IN_PROGRESS, "2024-01", "2027-12",
                    pilot="cms", copilots="sps",
                    partners=[("cpam", 3), ("cpts", 3), ("femmes_vitry", 2), ("cs_portes", 2)],
                    publics="femmes habitants-qpv", ottawa="services communautaire", qpv="all",
                    participation=P.CONSULTATION, budget=18_000,
                    context="La participation aux dépistages organisés des cancers du sein et colorectal est nettement inférieure à la moyenne départementale.",
                    objective="Augmenter la participation aux dépistages organisés des cancers.",
                    ops=("Organiser des séances d'information avec des femmes relais", "Accompagner les femmes vers la mammographie", "Relayer Octobre rose et Mars bleu dans les quartiers"),
                    how="Séances d'information dans les centres sociaux, accompagnement physique vers les cabinets de radiologie et campagnes annuelles.",
                    indicators=[("impact", "Participation au dépistage organisé du cancer du sein", "%", 42, 52, "Données de l'Assurance maladie (CRCDC)"), ("result", "Femmes accompagnées vers le dépistage", "femmes", 0, 250)],
                ),
                A(
                    "Médiation santé dans les quartiers prioritaires",
                    S.IN_PROGRESS, "2023-09", "2028-12",
                    pilot="sps", copilots="pv",
                    partners=[("ars", 3, "Cofinance le poste de médiatrice santé"), ("cs_balzac", 3), ("oph", 2), ("cpam", 2)],
                    publics="habitants-qpv precarite", ottawa="services communautaire", qpv="all",
                    participation=P.CONCERTATION, budget=55_000,
                    context="Dans les quartiers prioritaires, la méconnaissance du système de santé et la barrière de la langue retardent le recours aux soins.",
                    objective="Faciliter le recours aux soins et à la prévention des habitants des quartiers prioritaires.",
                    ops=("Recruter et former une médiatrice santé", "Tenir des permanences dans les lieux de vie des quartiers", "Accompagner les habitants dans leurs démarches de santé"),
                    how="Une médiatrice santé va au-devant des habitants (halls d'immeubles, centres sociaux, marchés) et les accompagne jusqu'aux soins.",
                    indicators=[("result", "Habitants accompagnés par la médiatrice santé", "personnes", 0, 900)],
                ),
                A(
                    "Annuaire partagé de l'offre de soins",
                    S.POSTPONED, "2024-01", "2024-12",
                    pilot="sps", copilots="cpts",
                    partners=[("cms", 3), ("ccas", 2), ("msp", 2)],
                    publics="tout-public professionnels", ottawa="services",
                    participation=P.INFORMATION, budget=8_000,
                    context="Les professionnels comme les habitants peinent à s'orienter dans l'offre de soins et de prévention de la ville.",
                    objective="Rendre lisible l'offre de soins et de prévention du territoire.",
                    ops=("Recenser l'offre de soins et de prévention", "Publier un annuaire en ligne mis à jour chaque année"),
                    how="Recensement avec la CPTS, publication en ligne et version papier pour les lieux d'accueil.",
                    indicators=[("process", "Structures référencées dans l'annuaire", "structures", 0, 150)],
                    note="La CPTS prépare son propre répertoire de l'offre ; l'annuaire est reporté pour construire un outil commun plutôt qu'un doublon.",
                ),
            ],
        ),
        AxisSpec(
            "Santé mentale",
            "Repérer, orienter et coordonner autour de la souffrance psychique. Groupe historique co-piloté par le SPS et la MCAMTS-94, parmi les plus assidus et productifs, qui accueille des interventions d'experts.",
            "Former les professionnels au repérage et à l'orientation\nCoordonner les situations complexes\nDéstigmatiser les troubles psychiques",
            [
                A(
                    "Premiers secours en santé mentale pour les professionnels",
                    S.IN_PROGRESS, "2023-11", "2027-12",
                    pilot="sps", copilots="mcamts",
                    partners=[("ccas", 3), ("jeunesse", 2), ("ml", 2), ("oph", 2)],
                    publics="professionnels", ottawa="aptitudes services",
                    participation=P.NONE, budget=24_000,
                    context="Les professionnels de l'accueil, du logement et de la jeunesse se disent démunis face à la souffrance psychique de leurs publics.",
                    objective="Outiller les professionnels de première ligne pour repérer et orienter.",
                    ops=("Organiser quatre sessions PSSM par an", "Ouvrir les sessions aux partenaires associatifs et aux bailleurs", "Réunir les personnes formées une fois par an"),
                    how="Sessions PSSM de deux jours animées par des formateurs de la MCAMTS-94, ouvertes aux professionnels de la Ville et des partenaires.",
                    indicators=[("result", "Professionnels formés aux premiers secours en santé mentale", "personnes", 0, 120)],
                ),
                A(
                    "Cellule de coordination des situations complexes avec la MCAMTS-94",
                    S.IN_PROGRESS, "2023-10", "2028-12",
                    pilot="mcamts", copilots="sps",
                    partners=[("chic", 3, "Représente le secteur de psychiatrie adulte"), ("ccas", 3), ("asm13", 3), ("oph", 2)],
                    publics="precarite professionnels", ottawa="services",
                    participation=P.NONE, budget=12_000,
                    context="Des situations mêlant troubles psychiques, isolement et risque d'expulsion restent sans réponse coordonnée.",
                    objective="Apporter des réponses concertées aux situations psychosociales complexes.",
                    ops=("Réunir la cellule chaque mois", "Désigner un référent par situation", "Évaluer les situations à six mois"),
                    how="Cellule mensuelle pluriprofessionnelle animée par la MCAMTS-94, sur situations anonymisées, avec une charte de confidentialité.",
                    indicators=[("process", "Situations étudiées en cellule", "situations", 0, 60)],
                ),
                A(
                    "Semaines d'information sur la santé mentale",
                    S.IN_PROGRESS, "2023-10", "2028-10",
                    pilot="sps", copilots="culture",
                    partners=[("mcamts", 4), ("unafam", 3), ("mda", 2), ("mva", 2)],
                    publics="tout-public", ottawa="communautaire aptitudes",
                    participation=P.CO_CONSTRUCTION, budget=9_000,
                    context="La santé mentale reste taboue ; les habitants connaissent mal les lieux d'écoute et de soins.",
                    objective="Déstigmatiser les troubles psychiques et faire connaître les ressources du territoire.",
                    ops=("Construire chaque année le programme avec les partenaires du groupe de travail", "Proposer des événements dans chaque quartier"),
                    how="Programme annuel pendant les SISM, construit en groupe de travail : ciné-débats, expositions, portes ouvertes.",
                    indicators=[("result", "Participants aux événements des SISM", "personnes", 0, 600)],
                    previous="1.1",
                ),
                A(
                    "Repérage de la souffrance psychique des jeunes",
                    S.IN_PROGRESS, "2024-01", "2027-06",
                    pilot="jeunesse", copilots="sps",
                    partners=[("mda", 4), ("paej", 3), ("ml", 3), ("infirmiere", 2)],
                    publics="jeunes", ottawa="services aptitudes",
                    participation=P.CONSULTATION, budget=15_000,
                    context="Les structures jeunesse observent une hausse des signes de mal-être chez les 12-25 ans depuis la crise sanitaire.",
                    objective="Repérer plus tôt la souffrance psychique des jeunes et faciliter leur orientation.",
                    ops=("Former les animateurs jeunesse au repérage", "Organiser des permanences de la Maison des adolescents", "Clarifier le circuit d'orientation vers le PAEJ"),
                    how="Formation des équipes jeunesse, permanences délocalisées de la Maison des adolescents et circuit d'orientation partagé.",
                    indicators=[("result", "Jeunes orientés vers la Maison des adolescents ou le PAEJ", "jeunes", 0, 80)],
                ),
                A(
                    "Prévention du chemsex : acculturation des professionnels",
                    S.DONE, "2024-02", "2024-11",
                    pilot="sps", copilots="mcamts",
                    partners=[("aides", 4), ("addictions", 3), ("cms", 2)],
                    publics="professionnels", ottawa="aptitudes services",
                    participation=P.NONE, budget=2_500,
                    context="Les professionnels connaissent mal le chemsex, usage de substances psychoactives lors des rapports sexuels, et ses risques.",
                    objective="Acculturer les professionnels au chemsex pour mieux repérer et orienter.",
                    ops=("Organiser une intervention d'expert en groupe de travail", "Diffuser les ressources d'orientation"),
                    how="Intervention d'un sociologue en groupe de travail, suivie d'échanges et d'une fiche ressources diffusée avec le compte-rendu.",
                    indicators=[("result", "Professionnels sensibilisés au chemsex", "personnes", 0, 40)],
                    news=[("2024-03-19", "Groupe de travail santé mentale : intervention d'un sociologue sur le chemsex, suivie d'un temps d'échanges avec le groupe.")],
                ),
            ],
        ),
        AxisSpec(
            "Santé sexuelle et affective",
            "Promouvoir une santé sexuelle positive chez les jeunes et rapprocher le dépistage. Groupe co-piloté par le SPS et le service Jeunesse, qui s'appuie sur des outils et des experts (jeu du CRIPS sur le papillomavirus).",
            "Informer les jeunes sur la vie affective et sexuelle\nAméliorer la couverture vaccinale contre le papillomavirus\nDévelopper le dépistage hors les murs",
            [
                A(
                    "Jeu pédagogique sur le papillomavirus avec le CRIPS",
                    S.DONE, "2023-11", "2024-06",
                    pilot="sps", copilots="jeunesse",
                    partners=[("crips", 4), ("cpef", 3), ("infirmiere", 2)],
                    publics="jeunes professionnels", ottawa="aptitudes",
                    participation=P.CONSULTATION, budget=4_000,
                    context="Les jeunes et de nombreux professionnels connaissent mal le papillomavirus et la vaccination.",
                    objective="Faire connaître le papillomavirus et sa prévention de façon ludique.",
                    ops=("Faire découvrir le jeu aux membres du groupe de travail", "Animer le jeu dans les structures jeunesse"),
                    how="Le CRIPS présente son jeu pédagogique en groupe de travail, puis les animateurs l'utilisent avec les jeunes.",
                    indicators=[("result", "Jeunes ayant joué au jeu sur le papillomavirus", "jeunes", 0, 300)],
                    news=[("2023-12-05", "Groupe de travail : le CRIPS fait jouer les participants à son jeu sur le papillomavirus.")],
                ),
                A(
                    "Vaccination HPV au collège",
                    S.IN_PROGRESS, "2023-10", "2027-06",
                    pilot="cms", copilots="sps",
                    partners=[("dsden", 4, "Organise la campagne avec les collèges"), ("ars", 3), ("college_casanova", 2), ("college_monod", 2)],
                    publics="jeunes familles", ottawa="services",
                    participation=P.INFORMATION, budget=10_000,
                    context="La couverture vaccinale contre le papillomavirus des adolescents reste très inférieure à l'objectif national.",
                    objective="Augmenter la couverture vaccinale HPV des collégiens.",
                    ops=("Informer les familles avant la campagne", "Vacciner au collège avec les centres municipaux de santé", "Rattraper les élèves absents"),
                    how="Campagne de vaccination gratuite au collège en classe de 5e, avec réunions d'information des parents.",
                    indicators=[("impact", "Couverture vaccinale HPV (une dose) des élèves de 5e", "%", 28, 60, "Bilan de campagne (ARS, DSDEN)")],
                ),
                A(
                    "Questionnaires élèves sur la vie affective",
                    S.IN_PROGRESS, "2024-09", "2025-06",
                    pilot="sps", copilots="infirmiere",
                    partners=[("dsden", 3), ("college_perrin", 2), ("crips", 2)],
                    publics="jeunes", ottawa="aptitudes",
                    participation=P.CONSULTATION, budget=3_000,
                    context="Le groupe de travail manque de données sur les besoins des collégiens ; les infirmières scolaires sont difficiles à mobiliser.",
                    objective="Connaître les attentes des élèves pour adapter les actions d'éducation à la sexualité.",
                    ops=("Construire le questionnaire avec les infirmières scolaires", "Faire passer le questionnaire dans trois collèges", "Restituer les résultats aux équipes"),
                    how="Questionnaire anonyme construit avec l'infirmière conseillère technique de la DSDEN, projet concret pour associer ensuite les infirmières scolaires au groupe.",
                    indicators=[("process", "Questionnaires élèves recueillis", "questionnaires", 0, 800)],
                    note="Passation repoussée : il a fallu passer par l'infirmière conseillère technique de la DSDEN pour joindre les infirmières scolaires.",
                ),
                A(
                    "Dépistage hors les murs des infections sexuellement transmissibles",
                    S.IN_PROGRESS, "2024-03", "2028-12",
                    pilot="cms", copilots="sps",
                    partners=[("aides", 4), ("cpef", 3), ("ml", 2), ("crips", 2)],
                    publics="jeunes precarite", ottawa="services",
                    participation=P.INFORMATION, budget=20_000,
                    context="Les jeunes se font peu dépister et connaissent mal les lieux de dépistage gratuits.",
                    objective="Rapprocher le dépistage des IST des jeunes et des publics précaires.",
                    ops=("Organiser un dépistage hors les murs par mois", "Orienter les personnes dépistées positives vers les soins"),
                    how="Dépistages rapides avec AIDES dans les structures jeunesse, à la Mission locale et lors des événements.",
                    indicators=[("result", "Dépistages réalisés hors les murs", "dépistages", 0, 500)],
                    previous="2.1",
                ),
                A(
                    "Formation des animateurs jeunesse",
                    S.POSTPONED, "2024-09", "2027-06",
                    pilot="jeunesse", copilots="sps",
                    partners=[("crips", 4), ("planning", 3), ("mva", 2)],
                    publics="professionnels", ottawa="aptitudes",
                    participation=P.NONE, budget=7_000,
                    context="Les animateurs jeunesse sont sollicités par les jeunes sur la sexualité et les relations sans y être formés.",
                    objective="Donner aux animateurs jeunesse des repères pour répondre aux questions des jeunes et les orienter.",
                    ops=("Former les animateurs en deux journées", "Constituer une mallette pédagogique"),
                    how="Deux journées de formation animées par le CRIPS et le Planning familial, et une mallette pédagogique par structure.",
                    indicators=[("result", "Animateurs jeunesse formés", "personnes", 0, 40)],
                    note="Formation reportée à 2026-2027 en raison du renouvellement important des équipes d'animation.",
                ),
            ],
        ),
        AxisSpec(
            "Violences faites aux femmes",
            "Mieux repérer les violences et améliorer le parcours des femmes victimes. Groupe co-piloté par le SPS et la Mission Droits des femmes ; une association d'habitantes l'avait rejoint avant de s'en retirer, ne trouvant pas sa place parmi les professionnels. Le groupe est en veille.",
            "Former les professionnels au repérage\nStructurer le parcours de soins et d'hébergement\nSensibiliser les habitants",
            [
                A(
                    "Formation des professionnels au repérage des violences",
                    S.IN_PROGRESS, "2023-11", "2026-06",
                    pilot="droits_femmes", copilots="sps",
                    partners=[("tremplin", 4), ("aide_victimes", 3), ("cms", 2), ("clspd", 2)],
                    publics="professionnels femmes", ottawa="aptitudes services",
                    participation=P.NONE, budget=12_000,
                    context="Les professionnels de santé et du social repèrent peu les violences conjugales et ne savent pas toujours vers qui orienter.",
                    objective="Améliorer le repérage et l'orientation des femmes victimes de violences.",
                    ops=("Organiser quatre sessions de formation", "Diffuser un annuaire des ressources d'aide aux victimes"),
                    how="Sessions d'une journée co-animées par Tremplin 94 et l'association d'aide aux victimes, ouvertes aux professionnels de la Ville et des partenaires.",
                    indicators=[("result", "Professionnels formés au repérage des violences", "personnes", 0, 100)],
                    note="Deux sessions sur quatre réalisées ; " + VIOLENCE_STANDBY[0].lower() + VIOLENCE_STANDBY[1:],
                ),
                A(
                    "Groupe de parole avec l'association d'habitantes",
                    S.ABANDONED, "2024-01", "2024-12",
                    pilot="droits_femmes", copilots="sps",
                    partners=[("femmes_relais", 1, "S'est retirée du groupe de travail en 2024"), ("cs_balzac", 2), ("tremplin", 2)],
                    publics="femmes habitants-qpv", ottawa="communautaire", qpv="balzac",
                    participation=P.EMPOWERMENT, budget=6_000,
                    context="Des habitantes souhaitaient un espace de parole entre femmes, porté par leur association.",
                    objective="Offrir aux femmes du quartier un espace de parole et d'entraide animé avec les habitantes.",
                    ops=("Co-construire le groupe de parole avec l'association d'habitantes", "Tenir une séance par mois au centre social"),
                    how="Groupe de parole mensuel co-animé par l'association d'habitantes et une psychologue, au centre social Balzac.",
                    indicators=[("result", "Séances du groupe de parole", "séances", 0, 10)],
                    note="L'association d'habitantes s'est retirée du groupe de travail, ne trouvant pas sa place au milieu des professionnels ; le groupe de parole n'a pas pu démarrer.",
                ),
                A(
                    "Parcours de soins des femmes victimes de violences",
                    S.POSTPONED, "2024-01", "2025-12",
                    pilot="cms", copilots="droits_femmes",
                    partners=[("chic", 3, "Unité médico-judiciaire et urgences"), ("tremplin", 3), ("cpts", 2), ("aide_victimes", 2)],
                    publics="femmes", ottawa="services",
                    participation=P.NONE, budget=10_000,
                    context="Les femmes victimes de violences multiplient les interlocuteurs avant d'obtenir un certificat, une plainte et une mise à l'abri.",
                    objective="Construire un parcours de soins coordonné pour les femmes victimes de violences.",
                    ops=("Rédiger un protocole avec le CHIC et la CPTS", "Former les médecins au certificat de constatation"),
                    how="Protocole de prise en charge entre centres municipaux de santé, CHIC, CPTS et associations spécialisées.",
                    indicators=[("process", "Professionnels de santé signataires du protocole", "professionnels", 0, 30)],
                    note="Le protocole est en attente d'une validation par le CHIC ; " + VIOLENCE_STANDBY[0].lower() + VIOLENCE_STANDBY[1:],
                ),
                A(
                    "Campagne de sensibilisation du 25 novembre",
                    S.DONE, "2023-10", "2023-12",
                    pilot="droits_femmes", copilots="sps",
                    partners=[("culture", 3), ("femmes_vitry", 3), ("cs_portes", 2), ("femmes_relais", 2)],
                    publics="tout-public femmes", ottawa="communautaire",
                    participation=P.CO_CONSTRUCTION, budget=5_000,
                    context="Les ressources d'aide aux femmes victimes de violences restent méconnues des habitants.",
                    objective="Sensibiliser les habitants aux violences faites aux femmes et faire connaître les ressources.",
                    ops=("Organiser une semaine d'événements autour du 25 novembre", "Diffuser l'annuaire des ressources"),
                    how="Exposition, théâtre-forum et stands dans les centres sociaux autour de la Journée internationale pour l'élimination des violences faites aux femmes.",
                    indicators=[("result", "Personnes touchées par la campagne", "personnes", 0, 1_500)],
                ),
                A(
                    "Protocole d'hébergement d'urgence",
                    S.POSTPONED, "2024-03", "2027-12",
                    pilot="ccas", copilots="droits_femmes",
                    partners=[("prefecture", 3, "Service intégré d'accueil et d'orientation (SIAO)"), ("tremplin", 3), ("oph", 2)],
                    publics="femmes precarite", ottawa="politiques services",
                    participation=P.NONE, budget=30_000,
                    context="Faute de places dédiées, des femmes victimes de violences restent au domicile conjugal ou sont hébergées loin de Vitry.",
                    objective="Garantir une mise à l'abri rapide des femmes victimes de violences.",
                    ops=("Identifier des logements d'urgence avec les bailleurs", "Formaliser un protocole avec le SIAO"),
                    how="Convention avec les bailleurs pour quelques logements d'urgence et protocole d'orientation avec le SIAO.",
                    indicators=[("result", "Places d'hébergement d'urgence mobilisables", "places", 0, 6)],
                    note="Aucune solution de logement identifiée avec les bailleurs ; la question est remontée au comité de pilotage et l'échéance repoussée à 2027.",
                ),
            ],
        ),
        AxisSpec(
            "Sport-santé et nutrition",
            "Développer l'activité physique et une alimentation favorable à la santé à tous les âges. Le groupe est en veille : le co-pilotage par la Direction des Sports est vacant depuis le départ du directeur des sports.",
            "Développer le sport-santé et l'activité physique adaptée\nRendre l'alimentation équilibrée accessible\nAménager des espaces favorables à l'activité physique",
            [
                A(
                    "Sport sur ordonnance",
                    S.POSTPONED, "2024-01", "2025-06",
                    pilot="sps", copilots="cms",
                    partners=[("sports", 1, "Co-pilotage vacant depuis le départ du directeur des sports"), ("cpts", 2), ("usv", 2), ("cpam", 2)],
                    publics="tout-public", ottawa="services aptitudes",
                    participation=P.NONE, budget=25_000,
                    context="Les maladies chroniques liées à la sédentarité sont fréquentes et l'offre d'activité physique adaptée est quasi inexistante.",
                    objective="Permettre aux patients atteints de maladies chroniques de pratiquer une activité physique adaptée sur prescription.",
                    ops=("Former des éducateurs sportifs à l'activité physique adaptée", "Informer les médecins de la CPTS", "Ouvrir des créneaux de sport sur ordonnance"),
                    how="Sur prescription, bilan puis séances collectives encadrées par des éducateurs formés de la Direction des Sports.",
                    indicators=[("result", "Patients orientés vers le sport sur ordonnance", "patients", 0, 120)],
                    note=SPORT_VACANT,
                ),
                A(
                    "Créneaux sport-santé dans les clubs",
                    S.POSTPONED, "2024-03", "2027-06",
                    pilot="sps", copilots="usv",
                    partners=[("sports", 1, "Co-pilotage vacant depuis le départ du directeur des sports"), ("boxe", 2), ("retraites", 2)],
                    publics="tout-public personnes-agees", ottawa="milieux aptitudes",
                    participation=P.CONSULTATION, budget=15_000,
                    context="Les clubs sportifs sont prêts à ouvrir des créneaux adaptés mais manquent d'appui pour former leurs éducateurs.",
                    objective="Développer une offre de sport-santé dans les clubs de la ville.",
                    ops=("Labelliser des créneaux sport-santé", "Former les éducateurs des clubs"),
                    how="Appel à candidatures auprès des clubs, formation des éducateurs et labellisation de créneaux.",
                    indicators=[("result", "Créneaux sport-santé labellisés", "créneaux", 0, 10)],
                    note="Les clubs attendent un interlocuteur à la Direction des Sports : " + SPORT_VACANT[0].lower() + SPORT_VACANT[1:],
                ),
                A(
                    "Ateliers nutrition dans les centres sociaux",
                    S.IN_PROGRESS, "2023-11", "2028-06",
                    pilot="sps", copilots="cs_balzac",
                    partners=[("cs_portes", 3), ("cs_rosa", 3), ("caf", 2), ("restos", 2)],
                    publics="familles habitants-qpv", ottawa="aptitudes communautaire", qpv="balzac centre",
                    participation=P.CO_CONSTRUCTION, budget=16_000,
                    context="Les familles des quartiers prioritaires citent le coût et le manque de temps comme freins à une alimentation équilibrée.",
                    objective="Permettre aux familles de cuisiner équilibré avec un petit budget.",
                    ops=("Animer un atelier par mois dans chaque centre social", "Construire les thèmes avec les familles", "Diffuser un carnet de recettes"),
                    how="Ateliers cuisine animés par une diététicienne du SPS dans les centres sociaux, thèmes choisis avec les familles.",
                    indicators=[("result", "Ateliers nutrition réalisés", "ateliers", 0, 60), ("result", "Familles participantes", "familles", 0, 200)],
                ),
                A(
                    "Parcours santé dans les parcs",
                    S.PLANNED, "2025-03", "2027-12",
                    pilot="urbanisme", copilots="sps",
                    partners=[("sports", 1, "Co-pilotage vacant depuis le départ du directeur des sports"), ("cle", 2), ("retraites", 2)],
                    publics="tout-public personnes-agees", ottawa="milieux",
                    participation=P.CONCERTATION, budget=45_000,
                    context="Les parcs de la ville sont peu équipés pour l'activité physique en accès libre.",
                    objective="Aménager des parcours santé en accès libre dans les parcs.",
                    ops=("Choisir les parcs avec les habitants", "Installer les agrès et la signalétique"),
                    how="Concertation avec les habitants et le conseil local de l'environnement, puis aménagement de deux parcours.",
                    indicators=[("process", "Parcours santé aménagés", "parcours", 0, 2)],
                    note="Reprogrammée avec le service Urbanisme : l'aménagement dépend du budget d'investissement 2027.",
                ),
                A(
                    "Activité physique adaptée pour les seniors",
                    S.IN_PROGRESS, "2023-10", "2028-06",
                    pilot="retraites", copilots="sps",
                    partners=[("usv", 3), ("cms", 2), ("ccas", 2)],
                    publics="personnes-agees", ottawa="aptitudes",
                    participation=P.CONSULTATION, budget=14_000,
                    context="Les retraités les plus âgés pratiquent peu d'activité physique ; le risque de chute et de perte d'autonomie augmente.",
                    objective="Maintenir l'autonomie des seniors par une activité physique adaptée.",
                    ops=("Proposer deux séances hebdomadaires dans les clubs de retraités", "Évaluer la condition physique au début et à la fin du cycle"),
                    how="Séances hebdomadaires animées par un éducateur en activité physique adaptée dans les clubs de retraités.",
                    indicators=[("result", "Seniors inscrits aux séances d'activité physique adaptée", "personnes", 0, 150)],
                ),
            ],
        ),
        AxisSpec(
            "Petite enfance et parentalité",
            "Agir dès les 1 000 premiers jours et soutenir les parents. Le groupe est en veille : le service a perdu son point d'entrée auprès des partenaires associatifs et internes de la petite enfance.",
            "Prévenir l'exposition précoce aux écrans\nRepérer tôt les troubles du développement\nSoutenir les parents",
            [
                A(
                    "Prévention de l'exposition aux écrans des tout-petits",
                    S.POSTPONED, "2024-01", "2025-06",
                    pilot="sps", copilots="petite_enfance",
                    partners=[("pmi", 2), ("caf", 2), ("cs_rosa", 1)],
                    publics="petite-enfance familles", ottawa="aptitudes",
                    participation=P.CONSULTATION, budget=8_000,
                    context="Les professionnels de la petite enfance observent une exposition précoce et prolongée des tout-petits aux écrans.",
                    objective="Aider les parents à limiter l'exposition des jeunes enfants aux écrans.",
                    ops=("Animer des ateliers parents dans les crèches et à la PMI", "Diffuser des repères simples aux familles"),
                    how="Ateliers parents-enfants et affiches dans les lieux d'accueil de la petite enfance.",
                    indicators=[("result", "Parents sensibilisés aux écrans", "parents", 0, 300)],
                    note=EARLY_CHILDHOOD_LOST,
                ),
                A(
                    "Soutien à l'allaitement",
                    S.IN_PROGRESS, "2023-11", "2027-12",
                    pilot="pmi", copilots="sps",
                    partners=[("sages_femmes", 3), ("chic", 3, "Maternité"), ("cs_portes", 2)],
                    publics="familles petite-enfance", ottawa="aptitudes services",
                    participation=P.CONSULTATION, budget=6_000,
                    context="Le taux d'allaitement chute fortement dans le premier mois, faute de soutien après la sortie de maternité.",
                    objective="Soutenir les mères qui souhaitent allaiter.",
                    ops=("Ouvrir un groupe de soutien mensuel", "Coordonner le suivi avec la maternité et les sages-femmes"),
                    how="Groupe de soutien mensuel animé par une puéricultrice de PMI et une sage-femme libérale.",
                    indicators=[("result", "Mères accompagnées par le groupe de soutien", "mères", 0, 120)],
                ),
                A(
                    "Santé bucco-dentaire en crèche",
                    S.PLANNED, "2024-09", "2027-06",
                    pilot="petite_enfance", copilots="sps",
                    partners=[("cpam", 3, "Apporte le programme M'T dents et ses outils"), ("pmi", 2)],
                    publics="petite-enfance familles", ottawa="aptitudes milieux",
                    participation=P.INFORMATION, budget=5_000,
                    context="Les caries précoces sont fréquentes chez les enfants des quartiers prioritaires.",
                    objective="Installer le brossage des dents et les bons réflexes dès la crèche.",
                    ops=("Former les équipes de crèche", "Informer les parents sur le premier rendez-vous chez le dentiste"),
                    how="Formation des équipes, brossage après le déjeuner et information des parents avec la CPAM.",
                    indicators=[("result", "Crèches participantes", "crèches", 0, 12)],
                    note="Reprogrammée pour 2026-2027 avec la CPAM : " + EARLY_CHILDHOOD_LOST[0].lower() + EARLY_CHILDHOOD_LOST[1:],
                ),
                A(
                    "Repérage précoce des troubles du neurodéveloppement",
                    S.POSTPONED, "2024-03", "2025-12",
                    pilot="sps", copilots="pmi",
                    partners=[("petite_enfance", 1, "Point d'entrée perdu depuis le départ de la coordinatrice petite enfance"), ("cpts", 2), ("cd", 2)],
                    publics="petite-enfance professionnels", ottawa="services aptitudes",
                    participation=P.NONE, budget=9_000,
                    context="Les troubles du neurodéveloppement sont repérés tard et les délais de diagnostic dépassent un an.",
                    objective="Repérer plus tôt les troubles du neurodéveloppement et accélérer l'orientation.",
                    ops=("Former les équipes de crèche aux signes d'alerte", "Faire connaître la plateforme de coordination et d'orientation"),
                    how="Formation des équipes de crèche et circuit d'orientation vers la plateforme de coordination et d'orientation.",
                    indicators=[("result", "Professionnels de la petite enfance formés au repérage", "personnes", 0, 50)],
                    note=EARLY_CHILDHOOD_LOST,
                ),
                A(
                    "Lieux d'accueil enfants-parents",
                    S.IN_PROGRESS, "2023-10", "2028-06",
                    pilot="petite_enfance", copilots="sps",
                    partners=[("caf", 4, "Finance et agrée le lieu d'accueil"), ("cs_portes", 3), ("pmi", 2)],
                    publics="familles petite-enfance", ottawa="milieux communautaire", qpv="capra",
                    participation=P.CO_CONSTRUCTION, budget=35_000,
                    context="Les familles isolées des quartiers prioritaires manquent de lieux pour rencontrer d'autres parents.",
                    objective="Rompre l'isolement des parents de jeunes enfants et soutenir le lien parent-enfant.",
                    ops=("Ouvrir un lieu d'accueil enfants-parents deux demi-journées par semaine", "Former les accueillants"),
                    how="Lieu d'accueil anonyme et gratuit, deux demi-journées par semaine, au centre social.",
                    indicators=[("result", "Familles accueillies au lieu d'accueil enfants-parents", "familles", 0, 250)],
                ),
            ],
        ),
        AxisSpec(
            "Santé environnementale et habitat",
            "Agir sur le logement et l'environnement intérieur et extérieur. Le groupe, co-piloté par le SPS et le service communal d'hygiène et de santé, ne se réunit qu'une fois par an pour ne pas lasser les partenaires ; il a répondu à un appel à projets sur les punaises de lit après l'intervention du Réseau ÎSEE.",
            "Lutter contre l'habitat insalubre\nAméliorer la qualité de l'air intérieur\nAdapter la ville aux fortes chaleurs",
            [
                A(
                    "Réponse à l'appel à projets sur les punaises de lit avec le Réseau ÎSEE",
                    S.IN_PROGRESS, "2024-01", "2026-12",
                    pilot="schs", copilots="sps",
                    partners=[("isee", 4, "A présenté les appels à projets et accompagne la candidature"), ("oph", 3), ("compagnons", 3), ("ccas", 2)],
                    publics="precarite habitants-qpv", ottawa="milieux aptitudes", qpv="all",
                    participation=P.CONSULTATION, budget=48_000,
                    context="Les infestations de punaises de lit se multiplient dans le parc social et épuisent les ménages les plus modestes.",
                    objective="Accompagner les ménages touchés et prévenir les réinfestations.",
                    ops=("Répondre à l'appel à projets avec les partenaires", "Accompagner les ménages dans le traitement", "Former les gardiens et travailleurs sociaux"),
                    how="Diagnostic à domicile, aide au traitement et à la préparation du logement avec les Compagnons bâtisseurs, formation des gardiens.",
                    indicators=[("result", "Ménages accompagnés", "ménages", 0, 80)],
                    news=[("2024-02-06", "Groupe de travail : le Réseau ÎSEE présente les appels à projets en cours ; le groupe décide de répondre à celui sur les punaises de lit."), ("2024-06-14", "Dossier de candidature déposé avec l'OPH et les Compagnons bâtisseurs."), ("2024-11-05", "Projet retenu : financement obtenu pour 2025 et 2026.")],
                ),
                A(
                    "Qualité de l'air intérieur dans les logements",
                    S.IN_PROGRESS, "2024-01", "2027-12",
                    pilot="schs", copilots="sps",
                    partners=[("isee", 3), ("oph", 3), ("cms", 2)],
                    publics="familles enfants", ottawa="milieux aptitudes",
                    participation=P.INFORMATION, budget=22_000,
                    context="Les médecins signalent des enfants asthmatiques vivant dans des logements humides et mal ventilés.",
                    objective="Améliorer la qualité de l'air intérieur des logements des enfants asthmatiques.",
                    ops=("Proposer des visites de conseil en environnement intérieur", "Former les professionnels au repérage"),
                    how="Visites à domicile d'une conseillère en environnement intérieur sur prescription médicale.",
                    indicators=[("result", "Visites de conseil en environnement intérieur", "visites", 0, 120)],
                ),
                A(
                    "Lutte contre l'habitat insalubre",
                    S.IN_PROGRESS, "2023-09", "2028-12",
                    pilot="schs", copilots="urbanisme",
                    partners=[("ars", 3), ("prefecture", 3), ("oph", 2), ("ccas", 2)],
                    publics="precarite familles", ottawa="milieux politiques",
                    participation=P.NONE, budget=30_000,
                    context="Les signalements de logements insalubres restent nombreux dans le parc privé ancien.",
                    objective="Traiter rapidement les situations d'insalubrité.",
                    ops=("Centraliser les signalements au service communal d'hygiène", "Réaliser les visites sous un mois", "Suivre les procédures jusqu'aux travaux"),
                    how="Guichet unique des signalements, visites sous un mois et procédures avec l'ARS et la Préfecture.",
                    indicators=[("result", "Signalements traités", "signalements", 0, 400)],
                    previous="3.1",
                ),
                A(
                    "Plan canicule et îlots de fraîcheur",
                    S.DONE, "2023-10", "2025-09",
                    pilot="ccas", copilots="schs",
                    partners=[("retraites", 3), ("cle", 3), ("urbanisme", 2)],
                    publics="personnes-agees", ottawa="milieux politiques",
                    participation=P.CONSULTATION, budget=40_000,
                    context="Les épisodes de canicule se multiplient et les personnes âgées isolées y sont particulièrement exposées.",
                    objective="Protéger les personnes fragiles pendant les canicules.",
                    ops=("Étendre le registre des personnes fragiles", "Ouvrir des lieux rafraîchis", "Cartographier les îlots de fraîcheur"),
                    how="Registre et appels quotidiens, salles rafraîchies et carte des îlots de fraîcheur diffusée aux habitants.",
                    indicators=[("result", "Personnes inscrites au registre canicule", "personnes", 700, 1_200)],
                ),
                A(
                    "Prévention du saturnisme infantile",
                    S.IN_PROGRESS, "2024-01", "2027-12",
                    pilot="schs", copilots="pmi",
                    partners=[("ars", 3), ("cms", 2), ("oph", 2)],
                    publics="enfants familles", ottawa="milieux services",
                    participation=P.INFORMATION, budget=12_000,
                    context="Des logements anciens contiennent encore des peintures au plomb dégradées.",
                    objective="Repérer et protéger les enfants exposés au plomb.",
                    ops=("Proposer la plombémie aux enfants exposés", "Faire réaliser les travaux dans les logements concernés"),
                    how="Repérage des logements à risque, dépistage par la PMI et travaux prescrits par l'ARS.",
                    indicators=[("result", "Enfants exposés dépistés (plombémie)", "enfants", 0, 60)],
                ),
            ],
        ),
    ],
)

CONTRACTS = {
    "cergy": [CERGY_2011, CERGY_2020, CERGY_ASV],
    "vitry-sur-seine": [VITRY_2019, VITRY_2023],
}
# fmt: on


# ---------------------------------------------------------------------------------------------
# Rules: everything that is not typed per action
# ---------------------------------------------------------------------------------------------

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

ROLES = {
    4: [
        "Co-construit l'action et l'anime avec le pilote",
        "Conçoit et met en œuvre l'action avec le pilote",
        "Co-anime les séances et participe aux décisions",
    ],
    3: [
        "Met à disposition des intervenants",
        "Prête ses locaux et mobilise ses équipes",
        "Apporte son expertise et ses outils",
    ],
    2: [
        "Oriente ses publics vers l'action",
        "Relaie l'action auprès de ses usagers",
        "Ajuste son offre et son calendrier à l'action",
    ],
    1: [
        "Est tenu informé de l'avancement",
        "Reçoit les comptes-rendus et relaie l'information",
        "Partage ses données et ses actualités",
    ],
}

RHYTHMS = [
    "Point d'étape en groupe de travail deux fois par an.",
    "Suivi trimestriel par le comité technique de l'action.",
    "Séances mensuelles hors vacances scolaires, bilan intermédiaire chaque année.",
]

LAUNCHES = [
    "Réunion de lancement avec {p1} et {p2} : calendrier, répartition des rôles et indicateurs de suivi validés.",
    "Premier comité technique de l'action : {p1} et {p2} confirment leur participation ; le calendrier est arrêté.",
    "Lancement de l'action présenté en groupe de travail ; {p1} et {p2} rejoignent le comité de suivi.",
]

SOURCES = {
    IndicatorKind.PROCESS: ("Tableau de bord du CLS (service santé)", "Semestrielle"),
    IndicatorKind.RESULT: ("Feuilles d'émargement et bilans des séances", "Annuelle"),
    IndicatorKind.IMPACT: ("Données de l'Assurance maladie et de l'ORS Île-de-France", "Annuelle"),
}

SCOPE_SENTENCES = [
    "Les habitants {of} sont les plus concernés.",
    "Le constat est plus marqué {inside}, où l'action se concentre.",
]


def vary(key: str, n: int) -> int:
    """A stable pseudo-random choice (crc32, unlike hash(), does not change between runs)."""
    return zlib.crc32(key.encode()) % n


def month_start(text: str) -> dt.date:
    year, month = map(int, text.split("-"))
    return dt.date(year, month, 1)


def month_end(text: str) -> dt.date:
    start = month_start(text)
    following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def between(a: dt.date, b: dt.date, fraction: float) -> dt.date:
    return a + dt.timedelta(days=round((b - a).days * fraction))


def at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=PARIS)


def month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def french_number(value: Decimal | float | int) -> str:
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", "\u202f")
    return f"{number:.1f}".replace(".", ",")


def short_name(org: Organization) -> str:
    return org.acronym or org.name


def enumerate_fr(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


@dataclass
class Plan:
    """What the rules derive from one `A` within its contract."""

    number: str
    spec: A
    axis_number: int
    start: dt.date
    end: dt.date
    as_of: dt.date  # the contract's "now": measurements and news stop there
    progress: int
    turn: dt.date  # when the status last changed (postponed, abandoned, reprogrammed)

    @property
    def late(self) -> bool:
        return self.end < self.as_of and self.spec.status in (S.IN_PROGRESS, S.POSTPONED, S.PLANNED)

    @property
    def observed_until(self) -> dt.date:
        if self.spec.status == S.DONE:
            return min(self.end, self.as_of)
        if self.spec.status == S.ABANDONED:
            return self.turn
        return min(self.end, self.as_of) if self.spec.status == S.IN_PROGRESS else self.as_of


def plan(number: str, spec: A, axis_number: int, contract_end: int) -> Plan:
    start, end = month_start(spec.start), month_end(spec.end)
    as_of = min(AS_OF, dt.date(contract_end + 1, 6, 30))
    key = spec.title
    status = spec.status
    if status == S.DONE:
        progress = 100
    elif status == S.PLANNED:
        progress = 0
    elif status == S.ABANDONED:
        progress = 10
    elif status == S.POSTPONED:
        progress = 15 + 5 * vary(key, 3)
    elif end < as_of:  # in progress and late
        progress = 55 + 5 * vary(key, 4)
    else:
        elapsed = (as_of - start).days / max((end - start).days, 1)
        progress = max(15, min(85, round(elapsed * 20) * 5))
    # A postponement or an abandonment happens about half-way through what was observed.
    turn = between(start, min(end, as_of), 0.55 if status != S.PLANNED else 0.3)
    return Plan(number, spec, axis_number, start, end, as_of, progress, turn)


def calendar_text(p: Plan) -> str:
    lines = [
        f"{month_year(p.start).capitalize()} : lancement avec les partenaires.",
        RHYTHMS[vary(p.spec.title, len(RHYTHMS))],
        f"{month_year(p.end).capitalize()} : bilan et évaluation en groupe de travail.",
    ]
    if p.spec.status == S.POSTPONED:
        lines.append(f"Action reportée en {month_year(p.turn)}.")
    if p.spec.status == S.PLANNED and p.spec.note:
        lines.append(f"Reprogrammée en {month_year(p.turn)}.")
    return "\n".join(lines)


def measure_dates(p: Plan, count: int) -> list[dt.date]:
    first, last = p.start + dt.timedelta(days=60), p.observed_until
    candidates = [
        dt.date(year, month, day)
        for year in range(p.start.year, last.year + 1)
        for month, day in ((6, 30), (12, 31))
    ]
    candidates = [d for d in candidates if first <= d <= last]
    if len(candidates) < 2:
        candidates = sorted({between(p.start, last, 0.5), last})
    return candidates[-count:]


def trajectory(p: Plan, t: float, rate: bool) -> float:
    """Share of the way from baseline to target at time t (0..1) of the observed period."""
    status = p.spec.status
    if status == S.DONE:
        return (0.9 + 0.05 * vary(p.spec.title, 5)) * t**0.8
    if status == S.PLANNED:
        return 0.0
    if status == S.ABANDONED:
        return 0.1 * min(t / 0.5, 1)
    if status == S.POSTPONED:
        # Stalls after the postponement; a rate slips back, a count just stops.
        reached = 0.3 * min(t / 0.5, 1)
        return reached - (0.15 * max(t - 0.5, 0) / 0.5 if rate else 0)
    if p.late:
        reached = p.progress / 100 * min(t / 0.6, 1)
        return reached - (0.1 * max(t - 0.6, 0) / 0.4 if rate else 0)
    return p.progress / 100 * t


def indicator_rows(p: Plan, fiche: FicheAction) -> list[tuple[Indicator, list[IndicatorValue]]]:
    rows = []
    for order, spec in enumerate(p.spec.indicators):
        kind, title, unit, baseline, target, *rest = spec
        default_source, frequency = SOURCES[kind]
        baseline, target = Decimal(str(baseline)), Decimal(str(target))
        indicator = Indicator(
            fiche=fiche,
            kind=kind,
            title=title,
            unit=unit,
            baseline=baseline,
            target=target,
            source=rest[0] if rest else default_source,
            frequency=frequency,
            order=order,
        )
        rate = unit == "%" or kind == IndicatorKind.IMPACT
        dates = measure_dates(p, 2 + vary(f"{p.number}{title}", 4))
        span = max((p.observed_until - p.start).days, 1)
        values = []
        for index, day in enumerate(dates):
            share = trajectory(p, (day - p.start).days / span, rate)
            raw = baseline + (target - baseline) * Decimal(str(round(share, 4)))
            value = raw.quantize(Decimal("0.1") if rate else Decimal("1"))
            comment = ""
            if index == len(dates) - 1:
                comment = {
                    S.DONE: "Bilan final de l'action",
                    S.POSTPONED: "Pas d'évolution depuis le report de l'action",
                    S.ABANDONED: "Dernière mesure avant l'abandon",
                    S.PLANNED: "Mesure de référence",
                }.get(p.spec.status, "Retard sur la cible" if p.late else "")
            values.append(IndicatorValue(measured_on=day, value=value, comment=comment))
        rows.append((indicator, values))
    return rows


def funding_rows(
    p: Plan, fiche: FicheAction, territory: Territory, involved: set[str]
) -> list[FundingLine]:
    budget = p.spec.budget
    department = DEPARTMENT[territory.slug]
    city = f"Ville de {territory.name}"
    status = p.spec.status
    secured = FundingStatus.SECURED
    asked = FundingStatus.REQUESTED
    if budget <= 6_000:  # small actions run on the partners' own means and a city line
        shares = [(city, Decimal("1"), secured)]
    else:
        ars_status = asked if status in (S.PLANNED, S.POSTPONED) else secured
        shares = [
            ("ARS Île-de-France (fonds d'intervention régional)", Decimal("0.45"), ars_status)
        ]
        third = None
        if p.spec.qpv:
            third = (f"Préfecture {department} (crédits politique de la ville)", Decimal("0.25"))
        elif "cpam" in involved:
            third = (f"CPAM {department} (fonds national de prévention)", Decimal("0.2"))
        elif "cd" in involved or "pmi" in involved:
            third = (f"Conseil départemental {department}", Decimal("0.2"))
        coverage = Decimal("1") if vary(p.number + "cov", 3) == 0 else Decimal("0.9")
        if third:
            third_status = secured if status == S.DONE or vary(p.number, 2) else asked
            if status in (S.PLANNED, S.POSTPONED):
                third_status = asked
            shares.append((third[0], third[1], third_status))
        rest = coverage - sum(share for _, share, _ in shares)
        shares.append((city, rest, secured))
    return [
        FundingLine(
            fiche=fiche,
            funder=funder,
            amount=Decimal(int(budget * share) // 100 * 100),
            status=state,
            year=p.start.year,
        )
        for funder, share, state in shares
    ]


def history_rows(p: Plan, fiche: FicheAction, author: User | None) -> list[StatusChange]:
    status = p.spec.status
    steps: list[tuple[dt.date, str, str, int]] = []
    if status == S.PLANNED:
        steps += [(p.start, S.PLANNED, S.POSTPONED, 0), (p.turn, S.POSTPONED, S.PLANNED, 0)]
    else:
        steps.append((p.start, S.PLANNED, S.IN_PROGRESS, 10))
    if status == S.IN_PROGRESS and p.progress > 10:
        steps.append(
            (between(p.start, min(p.end, p.as_of), 0.6), S.IN_PROGRESS, S.IN_PROGRESS, p.progress)
        )
    elif status == S.DONE:
        steps.append((min(p.end, p.as_of), S.IN_PROGRESS, S.DONE, 100))
    elif status == S.POSTPONED:
        steps.append((p.turn, S.IN_PROGRESS, S.POSTPONED, p.progress))
    elif status == S.ABANDONED:
        steps.append((between(p.start, p.turn, 0.5), S.IN_PROGRESS, S.POSTPONED, 10))
        steps.append((p.turn, S.POSTPONED, S.ABANDONED, 10))
    return [
        StatusChange(
            fiche=fiche,
            changed_at=at_ten(day),
            old_status=old,
            new_status=new,
            progress=progress,
            author=author,
        )
        for day, old, new, progress in steps
    ]


def update_rows(
    p: Plan,
    fiche: FicheAction,
    partner_names: list[str],
    first_values: list[tuple[Indicator, list[IndicatorValue]]],
    author: User | None,
) -> list[ActionUpdate]:
    spec = p.spec
    names = [*partner_names, "les services de la Ville"]
    launch_text = LAUNCHES[vary(spec.title, len(LAUNCHES))].format(p1=names[0], p2=names[1])
    candidates = [(dt.date.fromisoformat(day), text) for day, text in spec.news]
    final = {
        S.DONE: "Action réalisée : le bilan est présenté en groupe de travail et envoyé à tous les partenaires avec le compte-rendu.",
        S.POSTPONED: f"Action reportée. {spec.note}",
        S.ABANDONED: f"Action abandonnée. {spec.note}",
        S.PLANNED: spec.note or "Action reprogrammée.",
    }.get(spec.status)
    if spec.status == S.IN_PROGRESS and spec.note:
        final = f"Retard sur le calendrier. {spec.note}" if p.late else spec.note
    if final:
        when = {
            S.DONE: min(p.end, p.as_of),
            S.IN_PROGRESS: min(p.end + dt.timedelta(days=30), p.as_of),
        }
        candidates.append((when.get(spec.status, p.turn), final.strip()))
    indicator, values = first_values[0] if first_values else (None, [])
    if indicator is not None and len(values) >= 2 and spec.status in (S.IN_PROGRESS, S.DONE):
        value = values[-2]
        unit = f" {indicator.unit}" if indicator.unit else ""
        candidates.append(
            (
                value.measured_on + dt.timedelta(days=14),
                f"Point d'étape en groupe de travail : {french_number(value.value)}{unit} au "
                f"{value.measured_on:%d/%m/%Y} pour « {indicator.title} » "
                f"(cible : {french_number(indicator.target)}{unit}).",
            )
        )
    candidates.append((p.start + dt.timedelta(days=20), launch_text))
    chosen = sorted(candidates[:3])
    return [
        ActionUpdate(fiche=fiche, happened_on=day, text=text, author=author) for day, text in chosen
    ]


def transversal_numbers(
    spec: A, involved_orgs: list[Organization], health: Organization
) -> list[int]:
    """Which of Cergy's four transversal axes (methods) an action applies."""
    numbers = []
    if any(rank >= 3 for _, rank, *_ in spec.partners):
        numbers.append(1)  # coordination des acteurs et travail en réseau
    if "services" in spec.ottawa.split() or spec.qpv:
        numbers.append(2)  # visibilité et lisibilité de l'offre
    if spec.participation in (P.CONCERTATION, P.CO_CONSTRUCTION, P.EMPOWERMENT):
        numbers.append(3)  # mobilisation des habitants
    if "politiques" in spec.ottawa.split() or any(
        o.is_internal and o.pk != health.pk and "santé" not in o.name.lower() for o in involved_orgs
    ):
        numbers.append(4)  # politique de santé intégrée
    return numbers or [1]


def context_text(spec: A, contract_spec: ContractSpec, qpv_names: list[str]) -> str:
    parts = [spec.context]
    if qpv_names:
        names = enumerate_fr([f"« {name} »" for name in qpv_names])
        if len(qpv_names) > 1:
            of, inside = (
                f"des quartiers prioritaires {names}",
                f"dans les quartiers prioritaires {names}",
            )
        else:
            of, inside = f"du quartier prioritaire {names}", f"dans le quartier prioritaire {names}"
        sentence = SCOPE_SENTENCES[vary(spec.title, len(SCOPE_SENTENCES))]
        parts.append(sentence.format(of=of, inside=inside))
    if contract_spec.diagnosis and spec.from_diagnosis:
        parts.append(contract_spec.diagnosis)
    return " ".join(parts)


def description_text(spec: A, partner_names: list[str]) -> str:
    return f"{spec.how} Partenaires associés : {enumerate_fr(partner_names)}."


# ---------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------


@dataclass
class Lookup:
    """Reference data and the territory's directory, read once."""

    territory: Territory
    organizations: dict[str, Organization]
    contacts: dict[int, Contact]  # first active contact of each structure
    qpvs: dict[str, Qpv]
    publics: dict[str, Public]
    ottawa: dict[str, OttawaArea]
    levels: dict[int, CollaborationLevel]
    author: User | None

    @classmethod
    def load(cls, territory: Territory, organizations: dict[str, Organization]) -> Lookup:
        contacts: dict[int, Contact] = {}
        people = Contact.objects.filter(territory=territory)
        for contact in people.order_by(F("left_at").asc(nulls_first=True), "id"):
            # People who left come last: a structure's first active contact represents it.
            contacts.setdefault(contact.organization_id, contact)
        return cls(
            territory=territory,
            organizations=organizations,
            contacts=contacts,
            qpvs={q.name: q for q in Qpv.objects.filter(territory=territory)},
            publics={p.slug: p for p in Public.objects.all()},
            ottawa={o.slug: o for o in OttawaArea.objects.all()},
            levels={level.rank: level for level in CollaborationLevel.objects.all()},
            author=User.objects.filter(email=COORDINATOR[territory.slug]).first(),
        )

    def org(self, alias: str) -> Organization:
        return self.organizations[ALIASES[self.territory.slug][alias]]

    def qpv_list(self, spec: A) -> list[Qpv]:
        if not spec.qpv:
            return []
        if spec.qpv == "all":
            return sorted(self.qpvs.values(), key=lambda q: q.name)
        return [self.qpvs[QPV_ALIASES[alias]] for alias in spec.qpv.split()]


def seed_contract(spec: ContractSpec, lookup: Lookup, previous: Contract | None) -> Contract:
    contract, created = Contract.objects.get_or_create(
        territory=lookup.territory,
        kind=spec.kind,
        start_year=spec.start,
        defaults={
            "title": spec.title,
            "end_year": spec.end,
            "status": spec.status,
            "signed_on": spec.signed_on,
            "closed_on": spec.closed_on,
            "description": spec.description,
            "previous": previous,
        },
    )
    if not created and not contract.description:  # a demo loaded before contracts had a text
        contract.description = spec.description
        contract.closed_on = contract.closed_on or spec.closed_on
        if contract.previous_id is None and previous is not None:
            contract.previous = previous
        contract.save(update_fields=["description", "closed_on", "previous"])
    for order, key in enumerate(spec.signers, start=1):
        Signatory.objects.get_or_create(
            contract=contract,
            organization=lookup.organizations[key],
            defaults={"order": order, "signed_on": contract.signed_on},
        )
    for number, adopted_on, note, changes in spec.amendments:
        ContractAmendment.objects.get_or_create(
            contract=contract,
            number=number,
            defaults={
                "adopted_on": adopted_on,
                "note": note,
                "changes": changes,
                "created_by": lookup.author,
            },
        )
    if spec.thematic:
        seed_axes_and_actions(contract, spec, lookup, previous)
    return contract


def seed_axis(contract: Contract, kind: str, number: int, spec: AxisSpec) -> Axis:
    axis, created = Axis.objects.get_or_create(
        contract=contract,
        kind=kind,
        number=number,
        defaults={
            "title": spec.title,
            "description": spec.description,
            "objectives": spec.objectives,
        },
    )
    if not created and not axis.objectives:
        axis.description, axis.objectives = spec.description, spec.objectives
        axis.save(update_fields=["description", "objectives"])
    return axis


def seed_axes_and_actions(
    contract: Contract, spec: ContractSpec, lookup: Lookup, previous: Contract | None
) -> None:
    transversal = {
        number: seed_axis(contract, AxisKind.TRANSVERSAL, number, axis_spec)
        for number, axis_spec in enumerate(spec.transversal, start=1)
    }
    thematic = {
        number: seed_axis(contract, AxisKind.THEMATIC, number, axis_spec)
        for number, axis_spec in enumerate(spec.thematic, start=1)
    }
    plans = {
        f"{axis_number}.{index}": plan(f"{axis_number}.{index}", fiche, axis_number, spec.end)
        for axis_number, axis_spec in enumerate(spec.thematic, start=1)
        for index, fiche in enumerate(axis_spec.fiches, start=1)
    }
    predecessors = (
        {f.number: f for f in FicheAction.objects.filter(contract=previous)} if previous else {}
    )

    def scalars(p: Plan) -> dict[str, object]:
        a = p.spec
        pilot = lookup.org(a.pilot)
        partner_names = [short_name(lookup.org(alias)) for alias, *_ in a.partners]
        qpvs = lookup.qpv_list(a)
        before = predecessors.get(a.previous) if a.previous else None
        return {
            "title": a.title,
            "thematic_axis": thematic[p.axis_number],
            "status": a.status,
            "progress": p.progress,
            "start_date": p.start,
            "end_date": p.end,
            "pilot_organization": pilot,
            "pilot_contact": lookup.contacts.get(pilot.pk),
            "context": context_text(a, spec, [q.name for q in qpvs]),
            "general_objective": a.objective,
            "operational_objectives": "\n".join(a.ops),
            "description": description_text(a, partner_names),
            "publics_detail": "",
            "territory_scope": TerritoryScope.QPV if qpvs else TerritoryScope.WHOLE,
            "participation": a.participation,
            "calendar": calendar_text(p),
            "budget_total": Decimal(a.budget),
            "previous": before,
        }

    existing = {f.number: f for f in FicheAction.objects.filter(contract=contract)}
    FicheAction.objects.bulk_create(
        [
            FicheAction(
                territory_id=contract.territory_id, contract=contract, number=n, **scalars(p)
            )
            for n, p in plans.items()
            if n not in existing
        ]
    )
    fiches = {
        f.number: f for f in FicheAction.objects.filter(contract=contract) if f.number in plans
    }
    # Fiches of a demo loaded before they had a text: rewrite them from the data once.
    stale = [f for n, f in fiches.items() if n in existing and not f.context]
    for fiche in stale:
        for name, value in scalars(plans[fiche.number]).items():
            setattr(fiche, name, value)
    if stale:
        FicheAction.objects.bulk_update(stale, list(scalars(plans[stale[0].number])))

    seed_related(fiches, plans, lookup, transversal)


def ids_having(model: type, fiches: list[FicheAction]) -> set[int]:
    return set(model.objects.filter(fiche__in=fiches).values_list("fiche_id", flat=True))


def add_m2m(field_name: str, wanted: dict[int, list[int]]) -> None:
    """Add the rows of a fiche's many-to-many field when that fiche has none yet."""
    m2m = FicheAction._meta.get_field(field_name)
    through = m2m.remote_field.through
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    filled = set(
        through.objects.filter(**{f"{source}_id__in": list(wanted)}).values_list(
            f"{source}_id", flat=True
        )
    )
    through.objects.bulk_create(
        [
            through(**{f"{source}_id": fiche_id, f"{target}_id": target_id})
            for fiche_id, targets in wanted.items()
            if fiche_id not in filled
            for target_id in dict.fromkeys(targets)
        ],
        ignore_conflicts=True,
    )


def seed_related(
    fiches: dict[str, FicheAction],
    plans: dict[str, Plan],
    lookup: Lookup,
    transversal: dict[int, Axis],
) -> None:
    listed = list(fiches.values())
    has = {
        model: ids_having(model, listed)
        for model in (ActionPartner, FundingLine, Indicator, ActionUpdate, StatusChange)
    }
    health = lookup.org("sante" if lookup.territory.slug == "cergy" else "sps")
    partners, funding, changes, updates = [], [], [], []
    indicators: list[tuple[Indicator, list[IndicatorValue]]] = []
    m2m: dict[str, dict[int, list[int]]] = {
        "copilots": {},
        "publics": {},
        "qpvs": {},
        "ottawa_areas": {},
        "transversal_axes": {},
    }
    for number, fiche in fiches.items():
        p = plans[number]
        a = p.spec
        involved = [a.pilot, *a.copilots.split(), *(alias for alias, *_ in a.partners)]
        orgs = [lookup.org(alias) for alias in involved]
        m2m["copilots"][fiche.pk] = [
            lookup.contacts[lookup.org(alias).pk].pk for alias in a.copilots.split()
        ]
        m2m["publics"][fiche.pk] = [lookup.publics[slug].pk for slug in a.publics.split()]
        m2m["qpvs"][fiche.pk] = [q.pk for q in lookup.qpv_list(a)]
        m2m["ottawa_areas"][fiche.pk] = [lookup.ottawa[slug].pk for slug in a.ottawa.split()]
        if transversal:
            m2m["transversal_axes"][fiche.pk] = [
                transversal[n].pk for n in transversal_numbers(a, orgs, health)
            ]
        if fiche.pk not in has[ActionPartner]:
            for index, (alias, rank, *role) in enumerate(a.partners):
                variants = ROLES[rank]
                partners.append(
                    ActionPartner(
                        fiche=fiche,
                        organization=lookup.org(alias),
                        role=role[0] if role else variants[vary(f"{number}{alias}{index}", 3)],
                        level=lookup.levels[rank],
                    )
                )
        if fiche.pk not in has[FundingLine]:
            funding += funding_rows(p, fiche, lookup.territory, set(involved))
        rows = indicator_rows(p, fiche)
        if fiche.pk not in has[Indicator]:
            indicators += rows
        if fiche.pk not in has[StatusChange]:
            changes += history_rows(p, fiche, lookup.author)
        if fiche.pk not in has[ActionUpdate]:
            names = [short_name(lookup.org(alias)) for alias, *_ in a.partners]
            updates += update_rows(p, fiche, names, rows, lookup.author)
    ActionPartner.objects.bulk_create(partners)
    FundingLine.objects.bulk_create(funding)
    StatusChange.objects.bulk_create(changes)
    ActionUpdate.objects.bulk_create(updates)
    Indicator.objects.bulk_create([indicator for indicator, _ in indicators])
    values = []
    for indicator, rows in indicators:
        for value in rows:
            value.indicator = indicator
            values.append(value)
    IndicatorValue.objects.bulk_create(values)
    for field_name, wanted in m2m.items():
        if wanted:
            add_m2m(field_name, {k: v for k, v in wanted.items() if v})


def seed_contracts(territory: Territory, organizations: dict[str, Organization]) -> Contract:
    """The territory's contracts with their history; returns the current CLS."""
    lookup = Lookup.load(territory, organizations)
    previous_cls: Contract | None = None
    current: Contract | None = None
    for spec in CONTRACTS[territory.slug]:
        is_cls = spec.kind == ContractKind.CLS
        contract = seed_contract(spec, lookup, previous_cls if is_cls else None)
        if is_cls:
            previous_cls = contract
        if spec.current:
            current = contract
    assert current is not None
    return current
