"""The audit trail records who changed what, sign-ins, exports, erasures and sends, each in its
territory, with as little personal data as it can; entries past the retention period go."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.utils import timezone

from actions.models import AxisKind, Indicator, IndicatorValue
from cls_platform.audit import (
    MASK,
    AuditEntry,
    AuditEvent,
    AuditMiddleware,
    audit_purge,
    purge_audit_trail,
)
from evaluation.surveys.services import survey_send
from partners.models import Contact
from tests.actions.test_fiches import fiche_form
from tests.evaluation.test_survey_data import campaign
from tests.factories import (
    PASSWORD,
    AxisFactory,
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
)
from workgroups.models import Invitation
from workgroups.services.invitations import invitations_send

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def entries(**lookups) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**lookups).order_by("id"))


def as_text(entry: AuditEntry) -> str:
    """Everything an entry holds, as one string: what a leak would be searched in."""
    return json.dumps(model_to_dict(entry), cls=DjangoJSONEncoder, ensure_ascii=False)


# --- changes ----------------------------------------------------------------------------------


def test_editing_a_fiche_through_its_form_records_who_which_fields_old_and_new(
    login_as, coordinator
):
    contract = ContractFactory(territory=coordinator.territory, status="draft", signed_on=None)
    axis = AxisFactory(contract=contract, number=1, title="Accès aux soins")
    transversal = AxisFactory(
        contract=contract, kind=AxisKind.TRANSVERSAL, number=1, title="Mobilisation des habitants"
    )
    fiche = FicheActionFactory(
        contract=contract, thematic_axis=axis, number="1.1", title="Médiation santé"
    )
    before = timezone.now()

    response = login_as(coordinator).post(
        f"{BASE}/fiches/{fiche.pk}/modifier/",
        fiche_form(
            contract,
            title="Médiation santé dans les quartiers",
            status="in_progress",
            progress=20,
            transversal_axes=[transversal.pk],
        ),
    )

    assert response.status_code == 302
    (change,) = entries(object_id=fiche.pk, event=AuditEvent.UPDATE, changes__has_key="title")
    assert change.actor == coordinator.user
    assert change.territory_id == coordinator.territory_id
    assert change.timestamp >= before
    assert change.changes["title"] == ["Médiation santé", "Médiation santé dans les quartiers"]
    assert change.changes["status"] == ["planned", "in_progress"]
    assert change.changes["progress"] == ["0", "20"]
    assert "updated_at" not in change.changes, "a save's own timestamp is not a change"
    (axes,) = entries(object_id=fiche.pk, changes__has_key="transversal_axes")
    assert axes.changes["transversal_axes"]["operation"] == "add"
    assert axes.changes["transversal_axes"]["ids"] == [transversal.pk]
    assert axes.actor == coordinator.user


def test_a_contact_change_keeps_old_and_new_values_but_masks_address_and_phone(
    login_as, coordinator
):
    person = ContactFactory(
        territory=coordinator.territory,
        first_name="Inès",
        last_name="Bernard",
        email="ines.bernard@asso-sante.fr",
        phone="06 11 22 33 44",
        job_title="Infirmière",
    )
    response = login_as(coordinator).post(
        f"{BASE}/annuaire/contacts/{person.pk}/modifier/",
        {
            "first_name": "Inès",
            "last_name": "Bernard",
            "email": "ines.bernard@nouvelle-asso.fr",
            "phone": "07 99 88 77 66",
            "job_title": "Infirmière coordinatrice",
            "organization_id": person.organization_id,
            "receives_invitations": "on",
            "receives_reports": "on",
        },
    )

    assert response.status_code == 302
    (change,) = entries(object_id=person.pk, event=AuditEvent.UPDATE)
    assert change.actor == coordinator.user
    assert change.changes["job_title"] == ["Infirmière", "Infirmière coordinatrice"]
    assert change.changes["email"] == [MASK, MASK]
    assert change.changes["phone"] == [MASK, MASK]
    for entry in entries(object_id=person.pk):
        text = as_text(entry)
        for secret in ("asso-sante", "nouvelle-asso", "06 11", "07 99"):
            assert secret not in text, f"{secret} in clear in {entry}"


def test_indicators_and_their_values_carry_the_territory_of_their_fiche(coordinator, outsider):
    fiche = FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes accompagnées")
    value = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(pk=indicator.pk),  # its fiche not loaded: one query
        measured_on=dt.date(2026, 3, 31),
        value=42,
    )
    value.value = 45
    value.save()

    for entry in entries(object_id__in=[indicator.pk, value.pk], event__in=["create", "update"]):
        assert entry.territory_id == coordinator.territory_id, entry
    assert entries(territory=outsider.territory) == []


# --- sign-ins ---------------------------------------------------------------------------------


def test_a_failed_sign_in_and_a_sign_in_are_recorded_without_the_password(coordinator):
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.post("/connexion/", {"username": coordinator.user.email, "password": "mauvais-mot"})
    client.post("/connexion/", {"username": coordinator.user.email, "password": PASSWORD})

    failed, signed_in = entries(event__in=[AuditEvent.SIGN_IN_FAILED, AuditEvent.SIGN_IN])
    assert failed.event == AuditEvent.SIGN_IN_FAILED
    assert failed.object_id == coordinator.user.pk and failed.actor is None
    assert failed.territory_id == coordinator.territory_id
    assert failed.remote_addr == "192.0.2.7"
    assert signed_in.event == AuditEvent.SIGN_IN
    assert signed_in.actor == coordinator.user
    assert signed_in.remote_addr == "192.0.2.7"
    for entry in (failed, signed_in):
        assert "mauvais-mot" not in as_text(entry) and PASSWORD not in as_text(entry)


def test_a_sign_in_is_recorded_in_each_territory_of_the_account(coordinator, outsider):
    from cls_platform.models import Access

    Access.objects.create(user=coordinator.user, territory=outsider.territory, role="viewer")
    Client().post("/connexion/", {"username": coordinator.user.email, "password": PASSWORD})

    signed_in = entries(event=AuditEvent.SIGN_IN)
    assert {e.territory_id for e in signed_in} == {
        coordinator.territory_id,
        outsider.territory_id,
    }
    assert len({e.cid for e in signed_in}) == 1, "the copies of one sign-in are tied together"


def test_an_attempt_on_an_unknown_address_keeps_nothing_of_what_was_typed(db):
    Client().post("/connexion/", {"username": "quelquun@ailleurs.fr", "password": "devine"})

    (failed,) = entries(event=AuditEvent.SIGN_IN_FAILED)
    assert failed.territory_id is None and failed.object_pk == ""
    assert "ailleurs" not in as_text(failed) and "devine" not in as_text(failed)


def test_a_partner_by_their_link_leaves_no_address_in_the_trail(coordinator):
    """auditlog's middleware keeps the remote address of signed-in people only: a partner
    correcting their details from an e-mail's link has no account."""
    person = ContactFactory(territory=coordinator.territory, job_title="Éducatrice")

    def change(request):
        person.job_title = f"Éducatrice {request.user.is_authenticated}"
        person.save()

    anonymous = RequestFactory().post("/partenaire/x/", REMOTE_ADDR="198.51.100.4")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    AuditMiddleware(change)(anonymous)
    signed_in = RequestFactory().post("/t/cergy/", REMOTE_ADDR="198.51.100.5")
    signed_in.user = coordinator.user
    AuditMiddleware(change)(signed_in)

    by_partner, by_coordinator = entries(object_id=person.pk, event=AuditEvent.UPDATE)
    assert by_partner.remote_addr is None and by_partner.actor is None
    assert by_coordinator.remote_addr == "198.51.100.5"
    assert by_coordinator.actor == coordinator.user


# --- exports, erasures, sends -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("annuaire/export.csv", "contact"),
        ("annuaire/export.xlsx", "contact"),
        ("fiches/export.csv", "ficheaction"),
        ("entretiens/export.xlsx", "interview"),
    ],
)
def test_an_export_is_recorded_with_its_format_and_count_only(login_as, coordinator, path, kind):
    territory = coordinator.territory
    for n in range(3):
        ContactFactory(territory=territory, last_name=f"Exportée{n}", phone="06 00 00 00 0{n}")
    FicheActionFactory(contract=ContractFactory(territory=territory))

    response = login_as(coordinator).get(f"{BASE}/{path}")

    assert response.status_code == 200
    (export,) = entries(event=AuditEvent.EXPORT)
    assert export.actor == coordinator.user
    assert export.territory_id == territory.pk
    assert export.content_type.model == kind
    assert export.additional_data["format"] == path.rsplit(".", 1)[1]
    assert isinstance(export.additional_data["rows"], int)
    text = as_text(export)
    assert "Exportée" not in text and "@partenaire.fr" not in text and "06 00" not in text


def test_a_persons_data_export_names_them_by_id_only(login_as, coordinator):
    person = ContactFactory(territory=coordinator.territory, last_name="Lefèvre")
    login_as(coordinator).get(f"{BASE}/annuaire/contacts/{person.pk}/donnees/")

    (export,) = entries(event=AuditEvent.EXPORT)
    assert export.object_id == person.pk
    assert "Lefèvre" not in as_text(export)


def test_an_erasure_is_recorded_and_the_persons_values_leave_the_trail(login_as, coordinator):
    person = ContactFactory(
        territory=coordinator.territory,
        first_name="Sofiane",
        last_name="Haddad",
        email="sofiane.haddad@asso.fr",
        job_title="Médiateur santé",
    )
    fiche = FicheActionFactory(contract=ContractFactory(territory=coordinator.territory))
    fiche.copilots.add(person)
    person.job_title = "Médiateur santé senior"
    person.save()

    response = login_as(coordinator).post(f"{BASE}/annuaire/contacts/{person.pk}/effacer/")

    assert response.status_code == 302
    (erasure,) = entries(event=AuditEvent.ERASURE)
    assert erasure.actor == coordinator.user and erasure.object_id == person.pk
    about_person = entries(object_id=person.pk, content_type=erasure.content_type)
    assert len(about_person) >= 3, "creation, change, erasure's own change, erasure"
    for entry in [*about_person, *entries(object_id=fiche.pk)]:
        text = as_text(entry)
        for secret in ("Sofiane", "Haddad", "Médiateur", "sofiane.haddad"):
            assert secret not in text, f"{secret} left in {entry.get_event_display()}"
    changed = next(e for e in about_person if e.event == "update" and "job_title" in e.changes)
    assert changed.changes["job_title"] == [MASK, MASK], "which field changed, and when, stays"


def test_sending_invitations_is_one_entry_for_the_decision_not_one_per_email(coordinator):
    territory = coordinator.territory
    meeting = MeetingFactory(group__contract=ContractFactory(territory=territory))
    for _n in range(4):
        Invitation.objects.create(meeting=meeting, contact=ContactFactory(territory=territory))

    invitations_send(meeting=meeting, user=coordinator.user)
    invitations_send(meeting=meeting, user=coordinator.user)  # a second press: nothing new

    first, second = entries(event=AuditEvent.SEND)
    assert first.object_id == meeting.pk and first.territory_id == territory.pk
    assert first.additional_data == {"message": "invitations", "queued": 4, "skipped": 0}
    assert second.additional_data == {"message": "invitations", "queued": 0, "skipped": 4}


def test_sending_a_survey_is_recorded(coordinator):
    territory = coordinator.territory
    ContactFactory(territory=territory)
    survey = campaign(territory)

    survey_send(survey=survey)

    (sent,) = entries(event=AuditEvent.SEND)
    assert sent.territory_id == territory.pk and sent.object_id == survey.pk
    assert sent.additional_data["message"] == "survey"
    assert sent.additional_data["queued"] == Contact.objects.filter(territory=territory).count()


# --- retention --------------------------------------------------------------------------------


def test_the_purge_removes_only_entries_past_the_period(coordinator, settings):
    settings.AUDIT_RETENTION_MONTHS = 12
    now = timezone.now()
    person = ContactFactory(territory=coordinator.territory)
    ages = {
        "il y a 13 mois": relativedelta(months=13),
        "il y a 12 mois et un jour": relativedelta(months=12, days=1),
        "il y a 12 mois moins un jour": relativedelta(months=12, days=-1),
        "hier": relativedelta(days=1),
    }
    for label, age in ages.items():
        person.job_title = label
        person.save()
        AuditEntry.objects.filter(pk=AuditEntry.objects.latest("id").pk).update(timestamp=now - age)
    AuditEntry.objects.filter(event=AuditEvent.CREATE).update(timestamp=now)

    assert audit_purge(now=now) == 2

    left = {e.changes["job_title"][1] for e in entries(event=AuditEvent.UPDATE)}
    assert left == {"il y a 12 mois moins un jour", "hier"}
    assert entries(event=AuditEvent.CREATE), "the creation, made now, stays"


def test_the_daily_task_purges_with_the_configured_period(coordinator, settings):
    settings.AUDIT_RETENTION_MONTHS = 1
    person = ContactFactory(territory=coordinator.territory)
    AuditEntry.objects.update(timestamp=timezone.now() - dt.timedelta(days=40))
    person.job_title = "Toute fraîche"
    person.save()

    assert purge_audit_trail.delay().get() == 2, "the contact's and its structure's creations"

    (left,) = AuditEntry.objects.all()
    assert left.changes["job_title"][1] == "Toute fraîche"


# --- administration ---------------------------------------------------------------------------


def test_the_administration_reads_the_trail_and_changes_nothing(rf, coordinator):
    """cls_platform/admin.py registers it with `register_admin`: auditlog's read-only admin,
    searching what this User model has (auditlog's default searches first and last names)."""
    from django.contrib.admin import AdminSite

    from cls_platform.audit import register_admin
    from tests.factories import UserFactory

    site = AdminSite()
    register_admin(site)
    model_admin = site._registry[AuditEntry]
    request = rf.get("/admin/cls_platform/auditentry/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    ContactFactory(territory=coordinator.territory)

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    found, _dupes = model_admin.get_search_results(request, AuditEntry.objects.all(), "Martin")
    assert found.count() == 1
    assert model_admin.get_changelist_instance(request).result_count == AuditEntry.objects.count()


def test_an_object_that_cannot_name_itself_yet_is_still_saved_and_recorded(coordinator):
    """A measurement built with its date as a string formats it only once read back: the entry
    names it by its kind and id rather than make the save fail."""
    indicator = Indicator.objects.create(
        fiche=FicheActionFactory(contract=ContractFactory(territory=coordinator.territory)),
        title="Passages aux urgences évitables",
    )
    value = IndicatorValue.objects.create(indicator=indicator, measured_on="2021-06-30", value=12)

    (created,) = entries(object_id=value.pk, content_type__model="indicatorvalue")
    assert created.object_repr == f"mesure n° {value.pk}"
    assert created.territory_id == coordinator.territory_id


def test_downloading_the_contract_pdf_is_recorded_in_its_history(login_as, viewer):
    contract = ContractFactory(territory=viewer.territory)
    FicheActionFactory(contract=contract)

    response = login_as(viewer).get(f"{BASE}/contrats/{contract.pk}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    (export,) = entries(event=AuditEvent.EXPORT)
    assert export.actor == viewer.user and export.object_id == contract.pk
    assert export.content_type.model == "contract"
    assert export.additional_data == {"format": "pdf"}
