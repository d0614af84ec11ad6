"""A territory's register of processing (art. 30 GDPR), generated from the configuration.

What a coordinator reads there must be what the instance does: each value is changed in the
settings and seen to change on the page and in the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html import unescape as html_unescape

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from cls_platform import register as register_module
from cls_platform import retention
from cls_platform.models import Delivery, Role
from tests.conftest import login
from tests.factories import AccessFactory, ContactFactory
from tests.support.browser import assert_no_axe_violations, browser_login
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(territory) -> str:
    return f"/t/{territory.slug}/registre-des-traitements/"


def pdf_url(territory) -> str:
    return f"/t/{territory.slug}/registre-des-traitements.pdf"


def text_of(response) -> str:
    html = response.content.decode()
    html = html.replace("&#x27;", "'").replace("&quot;", '"')
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


@pytest.fixture
def territory(territory):
    territory.health_service_name = "Direction de la santé publique"
    territory.coordination_email = "cls@ville-cergy.fr"
    territory.save()
    return territory


# --- Who reads it -----------------------------------------------------------------------------


def test_the_coordination_reads_its_register(coordinator):
    response = login(Client(), coordinator).get(url(coordinator.territory))
    assert response.status_code == 200
    text = text_of(response)
    assert "Registre des traitements · Cergy" in text
    assert "Responsable Direction de la santé publique, Cergy" in text
    assert "cls@ville-cergy.fr" in text
    for processing in register_module.PROCESSINGS:
        assert processing.name in text


@pytest.mark.parametrize("who", ["copilot", "viewer"])
def test_co_pilots_and_signatories_are_refused(request, who):
    access = request.getfixturevalue(who)
    client = login(Client(), access)
    assert client.get(url(access.territory)).status_code == 403
    assert client.get(pdf_url(access.territory)).status_code == 403


def test_another_territory_s_coordination_gets_not_found(territory, outsider):
    client = login(Client(), outsider)
    assert client.get(url(territory)).status_code == 404
    assert client.get(pdf_url(territory)).status_code == 404


def test_without_a_coordination_address_the_first_coordinator_is_given(coordinator):
    coordinator.territory.coordination_email = ""
    coordinator.territory.save()
    text = text_of(login(Client(), coordinator).get(url(coordinator.territory)))
    assert f"Contact de la coordination du CLS {coordinator.user.email}" in text


def test_accounts_are_counted_by_role(coordinator, viewer):
    AccessFactory(territory=coordinator.territory, role=Role.VIEWER)
    AccessFactory(territory=coordinator.territory, role=Role.VIEWER, user__is_active=False)
    text = text_of(login(Client(), coordinator).get(url(coordinator.territory)))
    assert "Coordination 1 Co-pilotage 0 Signataire (lecture seule) 2" in text


# --- Generated from the configuration ---------------------------------------------------------


def register_text(coordinator) -> str:
    return text_of(login(Client(), coordinator).get(url(coordinator.territory)))


def test_session_length_is_read_from_settings(coordinator, settings):
    # Sessions end after an hour without a page opened (IdleSessionMiddleware renews them).
    assert "1 heure après la dernière page ouverte" in register_text(coordinator)
    settings.SESSION_COOKIE_AGE = 12 * 3600
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("IdleSessionMiddleware")
    ]
    text = register_text(coordinator)
    assert "Sessions de connexion des utilisateurs 12 heures après la connexion" in text
    assert "1 heure" not in text


def test_contact_review_period_is_read_from_settings(coordinator, settings):
    settings.CONTACT_REVIEW_MONTHS = 24
    assert "revue après 24 mois sans interaction" in register_text(coordinator)


def test_password_hashing_is_read_from_settings(coordinator, settings):
    client = login(Client(), coordinator)  # signed in before the hasher changes under it
    page = url(coordinator.territory)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher"]
    assert (
        "Mots de passe Empreinte scrypt ; 12 caractères au moins de trois types "
        "(minuscules, majuscules, chiffres, autres)" in text_of(client.get(page))
    )
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert "Empreinte PBKDF2-SHA256, " in text_of(client.get(page))


def test_https_measures_are_read_from_settings(coordinator, settings):
    client = login(Client(), coordinator)
    page = url(coordinator.territory)
    assert "L'application ne redirige pas vers HTTPS" in text_of(client.get(page))
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    text = text_of(client.get(page, secure=True))
    assert "redirigée vers HTTPS ; HSTS pendant 1 an, sous-domaines compris" in text
    assert "Cookies de session réservés à HTTPS : oui" in text


def retention_row(coordinator, key: str) -> str:
    html = login(Client(), coordinator).get(url(coordinator.territory)).content.decode()
    row = re.search(rf'<tr id="conservation-{key}">(.*?)</tr>', html, re.S)
    assert row, f"ligne {key} absente"
    return " ".join(html_unescape(re.sub(r"<[^>]+>", " ", row[1])).split())


def test_a_period_no_task_applies_is_declared_as_such(coordinator, settings):
    row = retention_row(coordinator, "imports")
    assert "Fichiers de partenaires déposés et non confirmés 7 jours" in row
    assert "Fichiers effacés, chaque jour (tâche périodique)." in row
    settings.CELERY_BEAT_SCHEDULE = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] != retention.IMPORT_PURGE_TASK
    }
    row = retention_row(coordinator, "imports")
    assert "Pas encore appliquée automatiquement" in row
    assert "chaque jour" not in row


def test_the_mail_server_is_named_as_a_processor(coordinator, settings):
    assert "les e-mails sont écrits dans des fichiers locaux" in register_text(coordinator)
    settings.EMAIL_HOST = "smtp.exploitant.fr"
    settings.EMAIL_USE_TLS = True
    assert "Envoi des e-mails Serveur SMTP smtp.exploitant.fr (TLS)" in register_text(coordinator)


def test_categories_of_data_use_the_models_own_names(coordinator):
    text = register_text(coordinator)
    contact = apps.get_model("partners", "Contact")
    for name in ("first_name", "email", "phone", "job_title"):
        assert str(contact._meta.get_field(name).verbose_name) in text
    assert "Identité : prénom, nom" in text
    assert "membre d'un groupe : lien, reçoit les invitations de ce groupe" in text


def test_every_field_about_a_person_is_in_the_register():
    """A field added to a model of personal data fails here until the register names it."""
    listed = {path for p in register_module.PROCESSINGS for c in p.data for path in c.fields}
    for path in listed:
        register_module.field_label(path)  # every listed field exists
    for label, technical in register_module.PERSONAL_MODELS.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields() if f.concrete}
        assert technical <= names, f"{label} : champs inconnus {technical - names}"
        missing = {n for n in names - technical if f"{label}.{n}" not in listed}
        assert not missing, f"{label} : champs absents du registre : {sorted(missing)}"


def test_the_retention_periods_are_read_from_settings(coordinator, settings):
    settings.PENDING_IMPORT_DAYS = 3
    settings.DELIVERY_RETENTION_MONTHS = 6
    settings.PARTICIPATION_RETENTION_YEARS = 10
    settings.AUDIT_RETENTION_MONTHS = 24
    assert "Fichiers de partenaires déposés et non confirmés 3 jours" in retention_row(
        coordinator, "imports"
    )
    assert "6 mois après l'envoi" in retention_row(coordinator, "deliveries")
    assert "10 ans après la fin du contrat" in retention_row(coordinator, "participation")
    audit = retention_row(coordinator, "audit")
    assert "Journal des modifications" in audit and "24 mois" in audit
    assert "Entrées plus anciennes effacées" in audit


def test_the_directory_drops_unconfirmed_uploads_after_the_configured_period(coordinator, settings):
    from partners.models import PartnerImport
    from partners.services import partner_imports_purge

    settings.PENDING_IMPORT_DAYS = 3
    old, recent = (
        PartnerImport.objects.create(territory=coordinator.territory, file_name=f"{n}.csv")
        for n in ("ancien", "récent")
    )
    PartnerImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=4))
    assert partner_imports_purge() == 1
    assert list(PartnerImport.objects.values_list("pk", flat=True)) == [recent.pk]


def test_durations_read_as_people_say_them():
    assert retention.duration(12 * 3600) == "12 heures"
    assert retention.duration(3600) == "1 heure"
    assert retention.duration(31536000) == "1 an"
    assert retention.duration(2 * 24 * 3600) == "2 jours"
    assert retention.duration(90) == "90 secondes"


# --- Cost and print ---------------------------------------------------------------------------


def test_the_register_costs_the_same_queries_whatever_the_data(coordinator):
    territory = coordinator.territory

    def grow():
        for _ in range(5):
            contact = ContactFactory(territory=territory)
            AccessFactory(territory=territory, role=Role.COPILOT)
            Delivery.objects.create(territory=territory, kind="x", to_email=contact.email)

    count = assert_constant_queries(login(Client(), coordinator), url(territory), grow)
    assert count <= 6


def test_the_pdf_holds_the_same_register(coordinator, settings):
    settings.SESSION_COOKIE_AGE = 2 * 3600
    response = login(Client(), coordinator).get(pdf_url(coordinator.territory))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Registre des traitements · Cergy" in text
    assert "Direction de la santé publique, Cergy" in text
    assert "2 heures après la dernière page ouverte" in text
    for processing in register_module.PROCESSINGS:
        assert processing.name in text


def test_the_page_is_never_cached(coordinator):
    response = login(Client(), coordinator).get(url(coordinator.territory))
    assert "no-store" in response["Cache-Control"]


# --- In Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_register_passes_axe_and_reads_by_keyboard(page: Page, live_server, coordinator):
    coordinator.territory.health_service_name = "Direction de la santé publique"
    coordinator.territory.save()
    browser_login(page, live_server, coordinator)
    page.goto(f"{live_server.url}{url(coordinator.territory)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des traitements · Cergy")
    assert_no_axe_violations(page)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name=re.compile("Télécharger le registre en PDF"))
    ).to_be_focused()
