"""Following an action: updates linked to meetings, and corrections of updates, measurements and
indicators, as the fiche's timeline shows them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from actions.models import ActionUpdate, Indicator, IndicatorValue
from tests.factories import (
    ContactFactory,
    ContractFactory,
    FicheActionFactory,
    MeetingFactory,
    WorkGroupFactory,
)
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def fiche(territory):
    return FicheActionFactory(contract=ContractFactory(territory=territory), title="Médiation")


@pytest.fixture
def meeting(fiche):
    return MeetingFactory(
        group=WorkGroupFactory(contract=fiche.contract, name="GT Accès aux soins"),
        starts_at=timezone.now() - dt.timedelta(days=2),
    )


def post_update(client, fiche, text, meeting=None, follow=False):
    data = {"happened_on": timezone.localdate().isoformat(), "text": text}
    if meeting is not None:
        data["meeting"] = meeting.pk
    return client.post(f"{BASE}/fiches/{fiche.pk}/actualites/", data, follow=follow)


# --- updates linked to a meeting ---------------------------------------------------------------


def test_an_update_keeps_what_the_meeting_said(login_as, coordinator, fiche, meeting):
    fiche.meeting_links.create(meeting=meeting, note="Le GT valide le budget 2026.")
    client = login_as(coordinator)
    post_update(client, fiche, "Deux médiatrices recrutées.", meeting)

    link = fiche.meeting_links.get()
    assert link.note == "Le GT valide le budget 2026.", "the meeting's note is not overwritten"
    assert link.update.text == "Deux médiatrices recrutées."
    response = client.get(f"{BASE}/fiches/{fiche.pk}/")
    timeline = response.context["timeline"]
    assert [e.kind for e in timeline] == ["update"], "one entry, not the meeting twice"
    page = response.content.decode()
    assert "Actualité · réunion GT Accès aux soins" in page
    assert "Deux médiatrices recrutées." in page
    assert "Le GT valide le budget 2026." in page


def test_a_first_update_from_a_meeting_creates_its_link(login_as, coordinator, fiche, meeting):
    post_update(login_as(coordinator), fiche, "Lancement validé.", meeting)
    link = fiche.meeting_links.get()
    assert (link.meeting, link.note, link.update.text) == (
        meeting,
        "Lancement validé.",
        "Lancement validé.",
    )


def test_a_meeting_of_another_contract_is_refused_with_a_clear_message(
    login_as, coordinator, fiche, meeting
):
    other = MeetingFactory(
        group=WorkGroupFactory(contract=ContractFactory(territory=coordinator.territory))
    )
    client = login_as(coordinator)
    form = client.get(f"{BASE}/fiches/{fiche.pk}/").context["update_form"]
    assert list(form.fields["meeting"].queryset) == [meeting], "only this contract's meetings"

    page = post_update(client, fiche, "Point d'étape.", other, follow=True).content.decode()
    assert "n&#x27;est pas une réunion des groupes de ce contrat" in page
    assert not ActionUpdate.objects.exists()
    assert not fiche.meeting_links.exists()


# --- corrections -------------------------------------------------------------------------------


def corrections(fiche) -> str:
    return f"{BASE}/fiches/{fiche.pk}/actualites/corriger/"


def test_a_coordinator_corrects_then_deletes_an_update(login_as, coordinator, fiche, meeting):
    update = fiche.updates.create(happened_on=TODAY, text="Deux médiatrises recrutées.")
    fiche.meeting_links.create(meeting=meeting, update=update, note="Recrutement annoncé.")
    client = login_as(coordinator)
    page = client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert f"{corrections(fiche)}#actualite-{update.pk}" in page

    prefix = f"actualite-{update.pk}"
    response = client.post(
        corrections(fiche),
        {
            "actualite": update.pk,
            f"{prefix}-happened_on": "2026-03-09",
            f"{prefix}-text": "Deux médiatrices recrutées.",
        },
    )
    assert response["Location"] == f"{BASE}/fiches/{fiche.pk}/"
    page = client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert "Deux médiatrices recrutées." in page and "médiatrises" not in page
    assert "(corrigée)" in page

    # "Supprimer…" asks first (RGAA 11.12): the page says what goes and deletes nothing.
    asked = client.post(corrections(fiche), {"actualite": update.pk, "supprimer": "1"})
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", asked.content.decode())).split())
    assert "Supprimer cette actualité ?" in text
    assert "Actualité du 9 mars 2026 : Deux médiatrices recrutées." in text
    assert "le compte-rendu de la réunion reste" in text
    assert f'href="{corrections(fiche)}#actualite-{update.pk}">Ne pas supprimer' in (
        asked.content.decode()
    )
    assert fiche.updates.exists()
    client.post(corrections(fiche), {"actualite": update.pk, "supprimer": "1", "confirme": "1"})
    assert not fiche.updates.exists()
    link = fiche.meeting_links.get()
    assert link.note == "Recrutement annoncé.", "the meeting keeps what it noted"
    response = client.get(f"{BASE}/fiches/{fiche.pk}/")
    assert [e.kind for e in response.context["timeline"]] == ["meeting"]


def test_an_empty_correction_is_refused_and_the_text_kept(login_as, coordinator, fiche):
    update = fiche.updates.create(happened_on=TODAY, text="Texte d'origine.")
    prefix = f"actualite-{update.pk}"
    page = login_as(coordinator).post(
        corrections(fiche),
        {"actualite": update.pk, f"{prefix}-happened_on": "2026-03-09", f"{prefix}-text": ""},
    )
    assert page.status_code == 200
    assert "Ce champ est obligatoire." in page.content.decode()
    update.refresh_from_db()
    assert update.text == "Texte d'origine."


def test_deleting_twice_explains_instead_of_failing(login_as, coordinator, fiche):
    update = fiche.updates.create(happened_on=TODAY, text="Doublon.")
    client = login_as(coordinator)
    confirmed = {"actualite": update.pk, "supprimer": "1", "confirme": "1"}
    client.post(corrections(fiche), confirmed)
    page = client.post(corrections(fiche), confirmed, follow=True).content.decode()
    assert "Cette actualité n&#x27;existe plus" in page


def measurements(indicator) -> str:
    return f"{BASE}/indicateurs/{indicator.pk}/mesures/corriger/"


def test_the_pilot_corrects_and_deletes_measurements(login_as, copilot):
    territory = copilot.territory
    me = ContactFactory(territory=territory, user=copilot.user)
    fiche = FicheActionFactory(contract=ContractFactory(territory=territory), pilot_contact=me)
    indicator = Indicator.objects.create(
        fiche=fiche, title="Permanences tenues", target=40, frequency="trimestrielle"
    )
    typo = IndicatorValue.objects.create(indicator=indicator, measured_on=TODAY, value=180)
    kept = IndicatorValue.objects.create(
        indicator=indicator, measured_on=TODAY - dt.timedelta(days=90), value=9
    )
    client = login_as(copilot)
    page = client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()
    assert "mesure trimestrielle" in page, "the frequency shows on the fiche"
    assert f"{measurements(indicator)}#mesure-{typo.pk}" in page

    prefix = f"mesure-{typo.pk}"
    client.post(
        measurements(indicator),
        {
            "mesure": typo.pk,
            f"{prefix}-measured_on": TODAY.isoformat(),
            f"{prefix}-value": "18",
            f"{prefix}-comment": "faute de frappe corrigée",
        },
    )
    typo.refresh_from_db()
    assert typo.value == 18
    response = client.get(f"{BASE}/fiches/{fiche.pk}/")
    (trend,) = response.context["trends"]
    assert trend.latest.value == 18 and trend.reached == 45

    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(
        measurements(indicator),
        {"mesure": kept.pk, f"mesure-{kept.pk}-measured_on": future, f"mesure-{kept.pk}-value": 1},
    ).content.decode()
    assert "ne peut pas être datée dans le futur" in page
    kept.refresh_from_db()
    assert kept.value == 9

    asked = client.post(measurements(indicator), {"mesure": typo.pk, "supprimer": "1"})
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", asked.content.decode())).split())
    assert "Supprimer cette mesure ?" in text and "La suppression est définitive" in text
    assert indicator.values.count() == 2  # asking deletes nothing
    client.post(measurements(indicator), {"mesure": typo.pk, "supprimer": "1", "confirme": "1"})
    assert list(indicator.values.all()) == [kept]
    values = [e for e in client.get(f"{BASE}/fiches/{fiche.pk}/").context["timeline"]]
    assert [e.text for e in values if e.kind == "value"] == ["9"]


def test_deleting_an_indicator_removes_it_and_its_measurements(login_as, coordinator, fiche):
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes orientées")
    IndicatorValue.objects.create(indicator=indicator, measured_on=TODAY, value=12)
    client = login_as(coordinator)
    delete_url = f"{BASE}/indicateurs/{indicator.pk}/supprimer/"
    page = client.get(f"{BASE}/indicateurs/{indicator.pk}/modifier/").content.decode()
    assert "L'indicateur et sa mesure disparaissent" in page
    # The edit page links to a confirmation; no form there posts the deletion (RGAA 11.12).
    assert f'href="{delete_url}"' in page and f'action="{delete_url}"' not in page
    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", confirm.content.decode())).split())
    assert "Supprimer cet indicateur ?" in text
    assert f"Indicateur « Personnes orientées » de la fiche-action {fiche.number} Médiation" in text
    assert "Sa mesure sera supprimée avec lui" in text and "La suppression est définitive" in text
    assert f'href="{BASE}/indicateurs/{indicator.pk}/modifier/">Ne pas supprimer' in (
        confirm.content.decode()
    )
    assert Indicator.objects.exists() and IndicatorValue.objects.exists()  # looking deletes nothing
    response = client.post(f"{BASE}/indicateurs/{indicator.pk}/supprimer/", follow=True)
    assert "Indicateur « Personnes orientées » supprimé, avec sa mesure." in (
        response.content.decode()
    )
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()
    assert "Personnes orientées" not in client.get(f"{BASE}/fiches/{fiche.pk}/").content.decode()


def test_others_cannot_correct(login_as, copilot, viewer, fiche):
    update = fiche.updates.create(happened_on=TODAY, text="Intouchable.")
    indicator = Indicator.objects.create(fiche=fiche, title="X")
    value = IndicatorValue.objects.create(indicator=indicator, measured_on=TODAY, value=1)
    for access in (copilot, viewer):  # the copilot does not pilot this fiche
        client = login_as(access)
        assert client.get(corrections(fiche)).status_code == 403
        assert (
            client.post(corrections(fiche), {"actualite": update.pk, "supprimer": "1"}).status_code
            == 403
        )
        assert (
            client.post(measurements(indicator), {"mesure": value.pk, "supprimer": "1"}).status_code
            == 403
        )
        assert client.get(f"{BASE}/indicateurs/{indicator.pk}/supprimer/").status_code == 403
        assert client.post(f"{BASE}/indicateurs/{indicator.pk}/supprimer/").status_code == 403
    assert Indicator.objects.exists()
    assert ActionUpdate.objects.exists() and IndicatorValue.objects.exists()


def test_the_indicator_s_confirmation_reads_in_as_many_queries_whatever_its_measurements(
    login_as, coordinator, fiche
):
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes orientées")
    client = login_as(coordinator)
    url = f"{BASE}/indicateurs/{indicator.pk}/supprimer/"

    def measure() -> None:
        for day in range(1, 6):
            IndicatorValue.objects.create(
                indicator=indicator, measured_on=TODAY - dt.timedelta(days=day), value=day
            )

    assert "Il n'a aucune mesure" in client.get(url).content.decode().replace("&#x27;", "'")
    assert_constant_queries(client, url, measure)
    assert "Ses 5 mesures seront supprimées avec lui" in client.get(url).content.decode()
    assert Indicator.objects.exists()


def test_a_pilot_confirms_and_deletes_the_indicator_of_their_fiche(login_as, copilot, fiche):
    fiche.pilot_contact = ContactFactory(territory=fiche.contract.territory, user=copilot.user)
    fiche.save()
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes orientées")
    client = login_as(copilot)
    url = f"{BASE}/indicateurs/{indicator.pk}/supprimer/"
    assert client.get(url).status_code == 200
    assert Indicator.objects.exists()
    assert client.post(url)["Location"] == f"{BASE}/fiches/{fiche.pk}/"
    assert not Indicator.objects.exists()


def test_another_territory_s_indicator_is_not_found(login_as, outsider, fiche):
    indicator = Indicator.objects.create(fiche=fiche, title="Personnes orientées")
    client = login_as(outsider)
    url = f"/t/vitry-sur-seine/indicateurs/{indicator.pk}/supprimer/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Indicator.objects.exists()
