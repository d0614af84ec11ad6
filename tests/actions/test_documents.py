"""The signed contract's PDF, deposited or replaced after the signature, kept in the history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.forms.contracts import MAX_PDF_BYTES
from actions.models import ContractEvent, ContractEventKind, ContractStatus
from tests.factories import ContractFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "/t/cergy"


def pdf(content: bytes = b"%PDF-1.7 contrat signe", name: str = "cls-signe.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def served(client, contract) -> bytes:
    return b"".join(
        client.get(f"{BASE}/contrats/{contract.pk}/contrat-signe.pdf").streaming_content
    )


def test_the_signed_pdf_is_deposited_then_replaced_after_signature(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)  # signed, no PDF
    client = login_as(coordinator)
    detail = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "Le PDF du contrat signé n'est pas encore déposé." in detail
    assert "Déposer le PDF signé" in detail

    url = f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/"
    response = client.post(url, {"document": pdf(b"%PDF-1.7 premiere version")})
    assert response["Location"] == f"{BASE}/contrats/{contract.pk}/"
    assert served(client, contract) == b"%PDF-1.7 premiere version"

    client.post(url, {"document": pdf(b"%PDF-1.7 version avec annexes")})
    assert served(client, contract) == b"%PDF-1.7 version avec annexes"
    assert list(contract.events.values_list("kind", flat=True)) == [
        ContractEventKind.DOCUMENT_ADDED,
        ContractEventKind.DOCUMENT_REPLACED,
    ]
    detail = client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    assert "Contrat signé (PDF) déposé" in detail and "Contrat signé (PDF) remplacé" in detail
    assert "Remplacer le PDF signé" in detail


def test_a_non_pdf_is_refused_in_french(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    page = login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/",
        {"document": pdf(b"GIF89a une image", name="scan.pdf")},
    )
    assert page.status_code == 200
    assert "Déposez le contrat signé au format PDF." in page.content.decode()
    contract.refresh_from_db()
    assert not contract.signed_document
    assert not ContractEvent.objects.exists()


def test_a_pdf_over_20_mb_is_refused_in_french(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    too_big = b"%PDF-1.7 " + b"0" * (MAX_PDF_BYTES - 8)
    assert len(too_big) > MAX_PDF_BYTES
    page = login_as(coordinator).post(
        f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/", {"document": pdf(too_big)}
    )
    assert "Ce fichier dépasse 20 Mo" in page.content.decode()
    contract.refresh_from_db()
    assert not contract.signed_document


def test_a_missing_file_is_asked_for_in_french(login_as, coordinator):
    contract = ContractFactory(territory=coordinator.territory)
    page = login_as(coordinator).post(f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/")
    assert "Choisissez le PDF du contrat signé." in page.content.decode()


def test_a_draft_has_no_upload_page(login_as, coordinator):
    contract = ContractFactory(
        territory=coordinator.territory, status=ContractStatus.DRAFT, signed_on=None
    )
    client = login_as(coordinator)
    url = f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/"
    response = client.post(url, {"document": pdf()}, follow=True)
    assert "le PDF signé se dépose avec l&#x27;enregistrement de sa signature" in (
        response.content.decode()
    )
    contract.refresh_from_db()
    assert not contract.signed_document


def test_signing_with_the_pdf_is_recorded_in_the_history(login_as, coordinator):
    contract = ContractFactory(
        territory=coordinator.territory, status=ContractStatus.DRAFT, signed_on=None
    )
    ars = OrganizationFactory(territory=coordinator.territory)
    client = login_as(coordinator)
    client.post(
        f"{BASE}/contrats/{contract.pk}/signer/",
        {"signed_on": "2026-03-12", "signatory_1_id": ars.pk, "document": pdf()},
    )
    client.post(f"{BASE}/contrats/{contract.pk}/clore/", {"confirm": "1"})
    assert list(contract.events.values_list("kind", flat=True)) == [
        ContractEventKind.SIGNED,
        ContractEventKind.DOCUMENT_ADDED,
        ContractEventKind.CLOSED,
    ]
    assert "Signé le 12/03/2026 par 1 signataire." in (
        client.get(f"{BASE}/contrats/{contract.pk}/").content.decode()
    )


def test_only_coordinators_deposit_the_signed_pdf(login_as, copilot, viewer):
    contract = ContractFactory(territory=copilot.territory)
    for access in (copilot, viewer):
        response = login_as(access).post(
            f"{BASE}/contrats/{contract.pk}/contrat-signe/deposer/", {"document": pdf()}
        )
        assert response.status_code == 403
    contract.refresh_from_db()
    assert not contract.signed_document
