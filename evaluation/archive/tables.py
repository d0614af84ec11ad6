"""What a territory's archive holds: one table per file, by model, and what stays out (and why).

Each table's columns are read from its model, so that a field added later is archived without
anyone thinking of it, and the README describes it from its French name. The rules:

- the territory's own id is never a column (every row is the territory's);
- a link to a row that the archive holds is its id (`<champ>_id`, `<champ>_ids` for several);
- a link to shared reference data (sectors, publics, Ottawa areas, collaboration levels) is its
  label in clear;
- a link to a user account is the person's name (`<champ>_nom`), never their address: accounts
  are not part of the archive;
- a field with choices gives its code and its label (`<champ>_libelle`);
- a file gives its path in the archive, under `documents/`, where the file itself is;
- a rich text (the compte-rendu) gives the paths of its HTML and plain-text files.

A test checks that every model of the project is either archived here or listed in NOT_ARCHIVED
with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.db import models

from actions.models import (
    ActionPartner,
    ActionUpdate,
    Axis,
    Contract,
    ContractAmendment,
    ContractEvent,
    FicheAction,
    FundingLine,
    Indicator,
    IndicatorValue,
    Signatory,
    StatusChange,
)
from cls_platform.models import Territory, User
from evaluation.interviews.models import Interview
from evaluation.progress.models import CopilDecision, CopilDecisionChange
from evaluation.public_directory.models import PublicDirectory, PublicListing
from evaluation.surveys.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    Section,
    Survey,
    SurveyInvitation,
)
from partners.models import Contact, HandOver, Organization, Qpv
from workgroups.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingAction,
    MeetingDocument,
    Membership,
    WorkGroup,
)

# Column kinds.
VALUE = "value"
CHOICE_LABEL = "choice_label"
ROW_ID = "row_id"  # a link to a row of the archive
ROW_IDS = "row_ids"
LABEL = "label"  # a link to reference data, in clear
LABELS = "labels"
PERSON = "person"  # a user account, by name
FILE = "file"
RICH_HTML = "rich_html"
RICH_TEXT = "rich_text"


@dataclass(frozen=True)
class Column:
    key: str
    kind: str
    field: models.Field
    description: str


@dataclass(frozen=True)
class Table:
    """One file pair (`<path>.csv`, `<path>.json`) of the archive."""

    path: str
    model: type[models.Model]
    description: str
    # For a model with no territory of its own: the lookup to the archived model that has one.
    parent: tuple[str, type[models.Model]] | None = None
    exclude: frozenset[str] = frozenset()
    rich_text: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()

    @cached_property
    def columns(self) -> list[Column]:
        return columns_of(self)


TABLES: tuple[Table, ...] = (
    Table(
        "territoire",
        Territory,
        "Le territoire qui porte le CLS (une ligne).",
        exclude=frozenset({"id"}),
    ),
    # Directory
    Table("annuaire/qpv", Qpv, "Les quartiers prioritaires de la politique de la ville."),
    Table(
        "annuaire/structures",
        Organization,
        "Les structures partenaires (associations, institutions, services de la collectivité…).",
    ),
    Table(
        "annuaire/contacts",
        Contact,
        "Les personnes de l'annuaire. Une personne effacée à sa demande (RGPD) garde sa ligne, "
        "sans nom ni coordonnées, pour que les chiffres restent justes.",
        exclude=frozenset({"user"}),
    ),
    Table(
        "annuaire/departs_signales",
        HandOver,
        "Les départs que des partenaires ont signalés par leur lien, avec leur successeur.",
    ),
    # Contracts
    Table(
        "contrats/contrats",
        Contract,
        "Les contrats (CLS, ASV, CLSM) et leurs périodes ; le PDF signé est sous documents/.",
    ),
    Table(
        "contrats/signataires",
        Signatory,
        "Les signataires de chaque contrat, dans l'ordre.",
        parent=("contract", Contract),
    ),
    Table(
        "contrats/avenants",
        ContractAmendment,
        "Les avenants de chaque contrat.",
        parent=("contract", Contract),
    ),
    Table(
        "contrats/historique",
        ContractEvent,
        "Les étapes de chaque contrat (signature, dépôt du PDF, clôture).",
        parent=("contract", Contract),
    ),
    Table(
        "contrats/axes",
        Axis,
        "Les axes thématiques et transversaux de chaque contrat.",
        parent=("contract", Contract),
    ),
    # Fiches-actions
    Table("fiches/fiches_actions", FicheAction, "Les fiches-actions de chaque contrat."),
    Table(
        "fiches/partenaires",
        ActionPartner,
        "Les structures partenaires de chaque fiche-action, avec leur rôle et leur niveau de "
        "collaboration.",
        parent=("fiche", FicheAction),
    ),
    Table(
        "fiches/financements",
        FundingLine,
        "Les lignes de financement de chaque fiche-action.",
        parent=("fiche", FicheAction),
    ),
    Table(
        "fiches/actualites",
        ActionUpdate,
        "Les actualités datées de chaque fiche-action.",
        parent=("fiche", FicheAction),
    ),
    Table(
        "fiches/changements_etat",
        StatusChange,
        "Les changements d'état et d'avancement de chaque fiche-action.",
        parent=("fiche", FicheAction),
    ),
    # Indicators
    Table(
        "indicateurs/indicateurs",
        Indicator,
        "Les indicateurs de chaque fiche-action (valeur de départ, cible).",
        parent=("fiche", FicheAction),
    ),
    Table(
        "indicateurs/valeurs",
        IndicatorValue,
        "Les mesures datées de chaque indicateur.",
        parent=("indicator__fiche", FicheAction),
    ),
    # Groups and meetings
    Table("groupes/groupes", WorkGroup, "Les groupes de travail, COPIL et plénières."),
    Table("groupes/membres", Membership, "Les membres de chaque groupe et ce qu'ils reçoivent."),
    Table(
        "reunions/reunions",
        Meeting,
        "Les réunions de chaque groupe. Le compte-rendu est sous reunions/comptes-rendus/ (HTML "
        "et texte), son PDF sous documents/.",
        rich_text=("report",),
    ),
    Table(
        "reunions/ordres_du_jour",
        AgendaItem,
        "Les points de l'ordre du jour de chaque réunion.",
        parent=("meeting", Meeting),
    ),
    Table(
        "reunions/invitations",
        Invitation,
        "Les invitations : chaque personne invitée à chaque réunion, sa réponse et sa présence.",
    ),
    Table(
        "reunions/fiches_discutees",
        MeetingAction,
        "Les fiches-actions discutées à chaque réunion.",
    ),
    Table(
        "reunions/documents",
        MeetingDocument,
        "Les documents partagés à chaque réunion ; les fichiers sont sous documents/.",
        parent=("meeting", Meeting),
    ),
    # Evaluation
    Table("evaluation/questionnaires", Questionnaire, "Les questionnaires d'évaluation."),
    Table(
        "evaluation/parties",
        Section,
        "Les parties de chaque questionnaire.",
        parent=("questionnaire", Questionnaire),
    ),
    Table(
        "evaluation/questions",
        Question,
        "Les questions de chaque partie.",
        parent=("section__questionnaire", Questionnaire),
    ),
    Table(
        "evaluation/choix",
        Choice,
        "Les réponses proposées aux questions à choix.",
        parent=("question__section__questionnaire", Questionnaire),
    ),
    Table("evaluation/campagnes", Survey, "Les campagnes de questionnaire envoyées."),
    Table(
        "evaluation/personnes_interrogees",
        SurveyInvitation,
        "Chaque personne interrogée par chaque campagne, et quand elle a répondu.",
    ),
    Table(
        "evaluation/reponses",
        Answer,
        "Les réponses, une ligne par question répondue.",
        parent=("invitation", SurveyInvitation),
    ),
    Table("evaluation/entretiens", Interview, "Les entretiens de mi-parcours."),
    Table(
        "evaluation/decisions_copil",
        CopilDecision,
        "Les décisions du comité de pilotage et leur suivi.",
    ),
    Table(
        "evaluation/decisions_copil_suivi",
        CopilDecisionChange,
        "Les changements d'état de chaque décision du comité de pilotage.",
        parent=("decision", CopilDecision),
    ),
    Table(
        "evaluation/annuaire_public",
        PublicDirectory,
        "L'annuaire public de l'offre de santé : sa présentation et sa mise en ligne.",
    ),
    Table(
        "evaluation/annuaire_public_fiches",
        PublicListing,
        "La fiche publique de chaque structure dans l'annuaire public de l'offre de santé.",
    ),
)

# Every other model of the project, and why its rows are not in the archive.
NOT_ARCHIVED: dict[str, str] = {
    "cls_platform.User": "les comptes des utilisateurs (adresses, mots de passe) : gérés par "
    "l'administration de l'instance",
    "cls_platform.Access": "les accès des comptes au territoire : gérés par l'administration",
    "cls_platform.Delivery": "le journal des e-mails envoyés (adresses, états) : un outil "
    "d'envoi, pas une donnée du CLS",
    "partners.Sector": "référentiel commun à tous les territoires, repris en clair dans les "
    "colonnes des structures",
    "partners.SuppressedAddress": "les empreintes des adresses effacées : elles ne servent qu'à "
    "refuser un nouvel import, et ne disent rien à qui les lit",
    "partners.PartnerImport": "les fichiers de partenaires déposés : leur contenu est déjà dans "
    "l'annuaire, et un fichier non confirmé est effacé après quelques jours",
    "actions.Public": "référentiel commun, repris en clair dans les colonnes des fiches-actions",
    "actions.OttawaArea": "référentiel commun, repris en clair dans les colonnes des "
    "fiches-actions",
    "actions.CollaborationLevel": "référentiel commun, repris en clair dans les colonnes des "
    "partenaires des fiches-actions",
    "cls_platform.AuditEntry": "le journal des modifications : il se consulte dans Trame, ne "
    "dit rien du CLS lui-même, et il est purgé après quelques mois",
    "workgroups.CalendarFeed": "les adresses secrètes des agendas abonnés : une adresse qui "
    "voyage ouvre l'agenda à qui la lit",
}


def left_out() -> list[tuple[str, str]]:
    """What is not in the archive, as the README and the page say it: (data, reason)."""
    items = []
    for label, reason in NOT_ARCHIVED.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # a model another part of the project may not have yet
            continue
        items.append((str(model._meta.verbose_name_plural).capitalize(), reason))
    return items


def _is_archived(model: type[models.Model]) -> bool:
    return model in ARCHIVED_MODELS


ARCHIVED_MODELS = {table.model: table for table in TABLES}


def _verbose(model_field: models.Field) -> str:
    return str(getattr(model_field, "verbose_name", model_field.name))


def columns_of(table: Table) -> list[Column]:
    """The table's columns, in the model's field order."""
    columns: list[Column] = []
    for model_field in table.model._meta.get_fields():
        name = model_field.name
        if name in table.exclude or (model_field.auto_created and not model_field.concrete):
            continue
        if model_field.is_relation and model_field.related_model is Territory:
            continue
        label = _verbose(model_field)
        if name in table.rich_text:
            columns.append(Column(f"{name}_html", RICH_HTML, model_field, f"{label} en HTML"))
            columns.append(Column(f"{name}_texte", RICH_TEXT, model_field, f"{label} en texte"))
            continue
        if model_field.many_to_many:
            through = model_field.remote_field.through
            if not through._meta.auto_created:
                continue  # a table of its own (the partners of a fiche-action)
            target = model_field.related_model
            if _is_archived(target):
                columns.append(
                    Column(
                        f"{name}_ids",
                        ROW_IDS,
                        model_field,
                        f"{label} : identifiants dans {ARCHIVED_MODELS[target].path}.csv",
                    )
                )
            else:
                columns.append(Column(name, LABELS, model_field, f"{label} (en clair)"))
            continue
        if model_field.many_to_one or model_field.one_to_one:
            target = model_field.related_model
            if target is User:
                columns.append(
                    Column(f"{name}_nom", PERSON, model_field, f"{label} : nom de la personne")
                )
            elif _is_archived(target):
                columns.append(
                    Column(
                        f"{name}_id",
                        ROW_ID,
                        model_field,
                        f"{label} : identifiant dans {ARCHIVED_MODELS[target].path}.csv",
                    )
                )
            else:
                columns.append(Column(name, LABEL, model_field, f"{label} (en clair)"))
            continue
        if isinstance(model_field, models.FileField):
            columns.append(Column(name, FILE, model_field, f"{label} : fichier"))
            continue
        if model_field.primary_key:
            label = "identifiant de la ligne"
        columns.append(Column(name, VALUE, model_field, label))
        if model_field.choices:
            columns.append(
                Column(f"{name}_libelle", CHOICE_LABEL, model_field, f"{label} (libellé)")
            )
    return columns
