"""A territory's register of processing activities (art. 30 GDPR), built from the configuration.

What the register says is read, not written by hand, wherever the project knows it: the
controller from the territory, the categories of data from the models' own field names
(`verbose_name`), the retention periods from settings and the periodic tasks
(cls_platform/retention.py), the security measures from settings. The purposes, legal basis and
recipients are the platform's design (DESIGN.md) and stay here, in one place.

The models of the apps that stand on cls_platform (partners, workgroups, evaluation...) are
named by label and looked up in the app registry, never imported: cls_platform imports no app
to its left. A test checks that every field of the models holding personal data is listed in a
category (or named below as carrying none), so that a new field cannot escape the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db.models import Count
from django.utils import timezone

from .mail.messages import coordination_address
from .models import Access, Role, Territory
from .retention import Period, duration, retention_periods, session_duration

LEGAL_BASIS = (
    "Mission d'intérêt public (article 6.1.e du RGPD) : la coordination du Contrat local de "
    "santé conclu avec l'agence régionale de santé (article L. 1434-10 du code de la santé "
    "publique)."
)


@dataclass(frozen=True)
class DataCategory:
    label: str
    # "app_label.Model.field": the register shows each field's own verbose_name.
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Processing:
    key: str
    name: str
    purpose: str
    people: tuple[str, ...]
    data: tuple[DataCategory, ...]
    recipients: tuple[str, ...]
    retention: tuple[str, ...]  # keys of retention.retention_periods()


PROCESSINGS: tuple[Processing, ...] = (
    Processing(
        key="annuaire",
        name="Annuaire des partenaires du CLS",
        purpose=(
            "Tenir l'annuaire des structures et des professionnels qui prennent part au "
            "Contrat local de santé, pour les inviter aux groupes de travail, leur envoyer les "
            "comptes-rendus et garder le lien quand une personne change de poste."
        ),
        people=(
            "Professionnels des structures partenaires (associations, institutions, services "
            "de la collectivité, établissements de santé, écoles…)",
            "Successeurs indiqués par un partenaire qui quitte sa structure",
        ),
        data=(
            DataCategory("Identité", ("partners.Contact.first_name", "partners.Contact.last_name")),
            DataCategory(
                "Coordonnées professionnelles",
                ("partners.Contact.email", "partners.Contact.phone"),
            ),
            DataCategory(
                "Vie professionnelle",
                (
                    "partners.Contact.job_title",
                    "partners.Contact.organization",
                    "partners.Contact.is_active",
                    "partners.Contact.left_at",
                    "partners.Contact.successor",
                    "partners.Contact.user",
                ),
            ),
            DataCategory(
                "Choix d'envoi",
                (
                    "partners.Contact.receives_invitations",
                    "partners.Contact.receives_reports",
                    "partners.Contact.unsubscribed_at",
                    "workgroups.Membership.kind",
                    "workgroups.Membership.invitations",
                    "workgroups.Membership.reports",
                    "workgroups.CalendarFeed.token",
                    "workgroups.CalendarFeed.revoked_at",
                    "workgroups.CalendarFeed.last_fetched_at",
                ),
            ),
            DataCategory(
                "Origine et suivi de la fiche",
                (
                    "partners.Contact.source",
                    "partners.Contact.source_detail",
                    "partners.Contact.confirmed_at",
                    "partners.Contact.last_activity_at",
                    "partners.Contact.bounced_at",
                    "partners.Contact.anonymized_at",
                    "partners.SuppressedAddress.email_sha256",
                ),
            ),
            DataCategory(
                "Départ déclaré",
                (
                    "partners.HandOver.left_on",
                    "partners.HandOver.successor_first_name",
                    "partners.HandOver.successor_last_name",
                    "partners.HandOver.successor_email",
                    "partners.HandOver.successor_job_title",
                    "partners.HandOver.message",
                    "partners.HandOver.status",
                ),
            ),
            DataCategory(
                "Fichiers importés",
                ("partners.PartnerImport.content", "partners.PartnerImport.report"),
            ),
        ),
        recipients=(
            "La coordination du CLS du territoire (lecture et modification)",
            "Les co-pilotes des groupes de travail du territoire (lecture)",
            "Les signataires du contrat : noms et structures seulement, jamais les adresses ni "
            "les téléphones",
        ),
        retention=("contacts", "imports"),
    ),
    Processing(
        key="reunions",
        name="Groupes de travail : invitations, présences et comptes-rendus",
        purpose=(
            "Organiser les réunions des groupes de travail, du comité de pilotage et des "
            "plénières : inviter, recueillir les réponses, noter les présences, rédiger et "
            "envoyer le compte-rendu avec les documents partagés."
        ),
        people=(
            "Professionnels des structures partenaires invités ou venus sans invitation",
            "Intervenants d'une réunion",
        ),
        data=(
            DataCategory(
                "Participation",
                (
                    "workgroups.Invitation.rsvp",
                    "workgroups.Invitation.rsvp_at",
                    "workgroups.Invitation.attendance",
                    "workgroups.Invitation.walk_in",
                    "workgroups.WorkGroup.pilots",
                ),
            ),
            DataCategory(
                "Réunion et compte-rendu",
                (
                    "workgroups.Meeting.organizer_name",
                    "workgroups.Meeting.organizer_email",
                    "workgroups.AgendaItem.presenter",
                    "workgroups.Meeting.report",
                    "workgroups.MeetingDocument.file",
                ),
            ),
            DataCategory(
                "Envois d'e-mails",
                (
                    "cls_platform.Delivery.to_email",
                    "cls_platform.Delivery.status",
                    "cls_platform.Delivery.last_error",
                    "cls_platform.Delivery.sent_at",
                ),
            ),
        ),
        recipients=(
            "La coordination du CLS et les co-pilotes du groupe",
            "Les partenaires invités et abonnés : le compte-rendu nomme les participants et "
            "leur structure",
            "Les signataires du contrat : totaux seulement (invités, réponses, présents), "
            "jamais la réponse ou la présence d'une personne",
        ),
        retention=("participation", "deliveries"),
    ),
    Processing(
        key="evaluation",
        name="Évaluation du partenariat : questionnaires et entretiens",
        purpose=(
            "Évaluer le partenariat du CLS : questionnaires envoyés aux partenaires, "
            "entretiens de mi-parcours, résultats par groupe et par secteur."
        ),
        people=("Professionnels des structures partenaires interrogés ou rencontrés",),
        data=(
            DataCategory(
                "Réponses aux questionnaires",
                (
                    "evaluation.SurveyInvitation.organization",
                    "evaluation.SurveyInvitation.groups",
                    "evaluation.SurveyInvitation.submitted_at",
                    "evaluation.Answer.choice",
                    "evaluation.Answer.value",
                    "evaluation.Answer.text",
                ),
            ),
            DataCategory(
                "Entretiens",
                (
                    "evaluation.Interview.held_on",
                    "evaluation.Interview.contact",
                    "evaluation.Interview.interviewee",
                    "evaluation.Interview.missions",
                    "evaluation.Interview.needs",
                    "evaluation.Interview.collaboration",
                    "evaluation.Interview.follow_up",
                    "evaluation.Interview.conducted_by",
                ),
            ),
        ),
        recipients=(
            "La coordination du CLS (réponses libres et notes d'entretien)",
            "Les signataires du contrat : résultats agrégés seulement, jamais détaillés sous "
            "trois répondants",
        ),
        retention=("participation",),
    ),
    Processing(
        key="suivi",
        name="Suivi du contrat et statistiques",
        purpose=(
            "Suivre l'avancement des fiches-actions et en rendre compte : tableaux de bord, "
            "bilans, données ouvertes et annuaire public de l'offre de santé, sous forme "
            "agrégée ou au nom des structures."
        ),
        people=(
            "Pilotes et co-pilotes des fiches-actions",
            "Utilisateurs qui saisissent les actualités",
        ),
        data=(
            DataCategory(
                "Pilotage des actions",
                (
                    "actions.FicheAction.pilot_contact",
                    "actions.FicheAction.copilots",
                    "actions.ActionUpdate.author",
                ),
            ),
        ),
        recipients=(
            "La coordination, les co-pilotes et les signataires du contrat",
            "Le public : données ouvertes et annuaire de l'offre, sans aucune donnée "
            "personnelle (une action y est portée par sa structure)",
        ),
        retention=("participation",),
    ),
    Processing(
        key="comptes",
        name="Comptes et sécurité de la plateforme",
        purpose=(
            "Ouvrir et contrôler l'accès à la plateforme : authentification, rôle de chacun "
            "dans son territoire, sessions."
        ),
        people=(
            "Utilisateurs : coordination du CLS, co-pilotes des groupes, signataires, "
            "administrateurs de l'instance",
        ),
        data=(
            DataCategory(
                "Identité et fonction",
                (
                    "cls_platform.User.email",
                    "cls_platform.User.full_name",
                    "cls_platform.User.organization_label",
                ),
            ),
            DataCategory(
                "Authentification",
                (
                    "cls_platform.User.password",
                    "cls_platform.User.last_login",
                    "cls_platform.User.date_joined",
                    "cls_platform.User.is_active",
                ),
            ),
            DataCategory("Droits", ("cls_platform.Access.role", "cls_platform.Access.granted_at")),
        ),
        recipients=("Les administrateurs de l'instance",),
        retention=("accounts", "sessions"),
    ),
)

# Models whose rows are about one person: every concrete field is either in a category above or
# listed here as carrying nothing about the person (keys, links, timestamps of the row itself).
PERSONAL_MODELS: dict[str, frozenset[str]] = {
    "partners.Contact": frozenset({"id", "territory", "created_at", "updated_at"}),
    "partners.HandOver": frozenset({"id", "territory", "contact", "created_at", "decided_at"}),
    "partners.SuppressedAddress": frozenset({"id", "territory", "created_at"}),
    "workgroups.Invitation": frozenset({"id", "territory", "meeting", "contact", "created_at"}),
    "workgroups.Membership": frozenset({"id", "territory", "group", "contact", "created_at"}),
    "workgroups.CalendarFeed": frozenset({"id", "territory", "group", "contact", "created_at"}),
    "evaluation.SurveyInvitation": frozenset(
        {"id", "territory", "survey", "contact", "created_at", "updated_at"}
    ),
    "evaluation.Answer": frozenset({"id", "invitation", "question"}),
    "evaluation.Interview": frozenset(
        {
            "id",
            "territory",
            "contract",
            "organization",
            "axis",
            "group",
            "territory_actions",
            "created_at",
            "updated_at",
        }
    ),
    "cls_platform.User": frozenset(
        {"id", "is_superuser", "is_staff", "is_demo", "groups", "user_permissions"}
    ),
    "cls_platform.Access": frozenset({"id", "user", "territory"}),
    "cls_platform.Delivery": frozenset(
        {
            "id",
            "territory",
            "kind",
            "topic",
            "contact_id",
            "revision",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "dispatched_at",
            "created_at",
        }
    ),
}


def field_label(path: str) -> str:
    """The French name a model gives one of its fields ("partners.Contact.phone" → "téléphone")."""
    app_label, model_name, field_name = path.split(".")
    model = apps.get_model(app_label, model_name)
    return str(model._meta.get_field(field_name).verbose_name)


def category_text(category: DataCategory) -> str:
    """ "prénom, nom" — the fields of a second model under its own name: "…, désinscrit le ;
    membre d'un groupe : lien, reçoit les invitations de ce groupe"."""
    groups: dict[str, list[str]] = {}
    for path in category.fields:
        groups.setdefault(path.rsplit(".", 1)[0], []).append(field_label(path))
    parts = []
    for number, (model_label, labels) in enumerate(groups.items()):
        text = ", ".join(labels)
        if number:
            model = apps.get_model(model_label)
            text = f"{model._meta.verbose_name} : {text}"
        parts.append(text)
    return " ; ".join(parts)


# --- What the page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownCategory:
    label: str
    text: str


@dataclass(frozen=True)
class ShownProcessing:
    key: str
    name: str
    purpose: str
    legal_basis: str
    people: tuple[str, ...]
    data: list[ShownCategory]
    recipients: tuple[str, ...]
    retention: list[Period]


@dataclass(frozen=True)
class Measure:
    label: str
    value: str


@dataclass
class Register:
    territory: Territory
    controller: str
    contact_email: str
    accounts: dict[str, int]
    processings: list[ShownProcessing]
    retention: list[Period]
    measures: list[Measure]
    processors: list[Measure]
    generated_at: dt.datetime = field(default_factory=timezone.now)


def processing_register(*, territory: Territory) -> Register:
    """Everything the register of `territory` shows, in two queries whatever the data."""
    periods = retention_periods()
    by_key = {period.key: period for period in periods}
    processings = [
        ShownProcessing(
            key=p.key,
            name=p.name,
            purpose=p.purpose,
            legal_basis=LEGAL_BASIS,
            people=p.people,
            data=[ShownCategory(c.label, category_text(c)) for c in p.data],
            recipients=p.recipients,
            retention=[by_key[key] for key in p.retention],
        )
        for p in PROCESSINGS
    ]
    counts = dict(
        Access.objects.filter(territory=territory, user__is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    service = territory.health_service_name.strip()
    return Register(
        territory=territory,
        controller=f"{service}, {territory.name}" if service else territory.name,
        contact_email=coordination_address(territory),
        accounts={str(role.label): counts.get(role.value, 0) for role in Role},
        processings=processings,
        retention=periods,
        measures=security_measures(),
        processors=processors(),
    )


# --- Security measures and processors, read from settings ------------------------------------

HASHER_NAMES = {
    "argon2": "Argon2",
    "pbkdf2_sha256": "PBKDF2-SHA256",
    "pbkdf2_sha1": "PBKDF2-SHA1",
    "bcrypt_sha256": "bcrypt",
    "bcrypt": "bcrypt",
    "scrypt": "scrypt",
    "md5": "MD5 (à ne jamais utiliser en production)",
}


def _validator(name: str) -> dict | None:
    """The AUTH_PASSWORD_VALIDATORS entry of the validator class `name`, if configured."""
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].rsplit(".", 1)[-1] == name:
            return validator
    return None


def _yes(flag: object) -> str:
    return "oui" if flag else "non"


def security_measures() -> list[Measure]:
    """What protects the data, as this instance is configured (not as it should be)."""
    hasher = get_hasher("default")
    algorithm = HASHER_NAMES.get(hasher.algorithm, hasher.algorithm)
    iterations = getattr(hasher, "iterations", None)
    if iterations and hasher.algorithm.startswith("pbkdf2"):
        grouped = f"{iterations:,}".replace(",", "\u202f")  # 1 000 000
        algorithm = f"{algorithm}, {grouped} itérations"
    passwords = f"Empreinte {algorithm}"
    length = _validator("MinimumLengthValidator")
    if length is not None:
        minimum = length.get("OPTIONS", {}).get("min_length", 8)
        passwords += f" ; {minimum} caractères au moins"
    if _validator("CharacterKindsValidator") is not None:
        passwords += " de trois types (minuscules, majuscules, chiffres, autres)"
    if _validator("CommonPasswordValidator") is not None:
        passwords += " ; mots de passe courants refusés"

    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        https = "Toute page demandée en HTTP est redirigée vers HTTPS"
    else:
        https = "L'application ne redirige pas vers HTTPS : au serveur frontal de le faire"
    hsts = getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0
    if hsts:
        https += f" ; HSTS pendant {duration(hsts)}"
        if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
            https += ", sous-domaines compris"
    cookies = (
        f"Cookies de session réservés à HTTPS : {_yes(settings.SESSION_COOKIE_SECURE)} ; "
        f"inaccessibles aux scripts : {_yes(settings.SESSION_COOKIE_HTTPONLY)}"
    )
    session = f"Fin de session {session_duration()}"
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session += ", et à la fermeture du navigateur"

    if apps.is_installed("axes"):
        limit = getattr(settings, "AXES_FAILURE_LIMIT", 3)
        attempts = f"Compte verrouillé après {limit} échecs de connexion"
    else:
        attempts = "Aucune limite au nombre d'essais de mot de passe à ce jour"
    if apps.is_installed("django_otp"):
        second_factor = "Double authentification (TOTP) disponible"
    else:
        second_factor = "Pas de double authentification à ce jour"

    headers = [f"X-Frame-Options {settings.X_FRAME_OPTIONS}"]
    if getattr(settings, "SECURE_CONTENT_TYPE_NOSNIFF", False):
        headers.append("X-Content-Type-Options nosniff")
    if getattr(settings, "SECURE_REFERRER_POLICY", None):
        headers.append(f"Referrer-Policy {settings.SECURE_REFERRER_POLICY}")
    if any("csp" in middleware.lower() for middleware in settings.MIDDLEWARE):
        headers.append("Content-Security-Policy")

    return [
        Measure("Chiffrement des échanges", https),
        Measure("Cookies", cookies),
        Measure("Mots de passe", passwords),
        Measure("Sessions", session),
        Measure("Tentatives de connexion", attempts),
        Measure("Second facteur", second_factor),
        Measure("En-têtes de sécurité", ", ".join(headers)),
        Measure(
            "Cloisonnement",
            "Chaque territoire ne voit que ses données ; un signataire lit sans rien modifier "
            "et ne voit jamais l'adresse ni le téléphone d'un partenaire.",
        ),
        Measure(
            "Liens des partenaires",
            "Les partenaires n'ont pas de compte : leurs liens personnels sont signés et à "
            "durée limitée ; la désinscription ne demande qu'un clic.",
        ),
    ]


def processors() -> list[Measure]:
    """Who handles the data for the controller, as far as the configuration says."""
    if settings.EMAIL_HOST:
        tls = " (TLS)" if getattr(settings, "EMAIL_USE_TLS", False) else " (sans TLS)"
        mail = f"Serveur SMTP {settings.EMAIL_HOST}{tls}"
    else:
        mail = "Aucun : les e-mails sont écrits dans des fichiers locaux (développement)"
    return [
        Measure("Hébergement et administration", "L'exploitant de cette instance de Trame"),
        Measure("Envoi des e-mails", mail),
        Measure(
            "Transferts hors de l'Union européenne",
            "Aucun prévu par l'application ; le lieu d'hébergement relève de l'exploitant.",
        ),
    ]
