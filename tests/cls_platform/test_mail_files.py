"""The mail `make run` writes under var/outbox/ opens in a mail client: one `.eml` file per
message, the bytes an SMTP server would get (CRLF line ends), invitation and PDF included.

Django's own file backend appended a whole sending (200 invitations) to one `.log` file of
messages separated by dashes, which no client opens.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from cls_platform.mail import outbox
from cls_platform.models import DeliveryStatus
from tests.cls_platform.test_deploy import BASE_DIR
from tests.factories import (
    AccessFactory,
    ContactFactory,
    ContractFactory,
    MeetingFactory,
    WorkGroupFactory,
)
from tests.workgroups.conftest import afternoon_in
from workgroups.models import Invitation

pytestmark = pytest.mark.django_db

EML_BACKEND = "cls_platform.mail.backends.EmlFileBackend"


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = EML_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return tmp_path / "outbox"


def invite(territory, contact) -> None:
    group = WorkGroupFactory(contract=ContractFactory(territory=territory), name="GT Habitat")
    start = afternoon_in(12)
    meeting = MeetingFactory(
        group=group,
        title="Logements dégradés",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Maison de quartier des Touleuses — salle « Érable »",
    )
    Invitation.objects.create(meeting=meeting, contact=contact)
    (pk,) = outbox.enqueue(
        territory=territory,
        kind="invitation",
        topic=meeting.topic,
        recipients=[outbox.Recipient(email=contact.email, contact_id=contact.pk)],
    ).queued
    assert outbox.deliver(pk, connection=outbox.smtp_connection()) == DeliveryStatus.SENT


def test_each_message_is_one_eml_file_a_client_opens(territory, folder):
    AccessFactory(territory=territory, role="coordinator", user__email="coordinatrice@cergy.fr")
    people = [
        ContactFactory(territory=territory, first_name="François", email="francois@asso.fr"),
        ContactFactory(territory=territory, first_name="Zoé", email="zoe@asso.fr"),
    ]
    for person in people:
        invite(territory, person)

    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"], files
    received = set()
    for path in files:
        raw = path.read_bytes()
        assert b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends only"
        message = email.message_from_bytes(raw, policy=email.policy.default)
        (to,) = message.get_all("To")
        received.add(str(to))
        assert str(message["Subject"]).strip().startswith("Invitation : GT Habitat")
        assert message["Message-ID"] and message["Date"]
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "Maison de quartier des Touleuses — salle « Érable »" in text
        (attached,) = [p for p in message.iter_attachments() if p.get_filename()]
        assert attached.get_filename() == "invitation.ics"
        ics = attached.get_payload(decode=True)
        assert Calendar.from_ical(ics.decode("utf-8"))["METHOD"] == "REQUEST"
    assert received == {"francois@asso.fr", "zoe@asso.fr"}


def test_a_message_sent_again_gets_its_own_file(territory, folder):
    from django.core.mail import EmailMessage, get_connection

    message = EmailMessage("Objet", "Texte", to=["zoe@asso.fr"], headers={"Message-ID": "<x@y>"})
    connection = get_connection()
    assert connection.send_messages([message, message]) == 2
    assert len(list(folder.glob("*.eml"))) == 2
    assert not list(folder.glob("*.part")) and not list(folder.glob("*.log"))


def test_the_worker_s_connection_follows_a_new_folder(settings, folder, tmp_path):
    """The outbox keeps one connection per process: a changed folder must not keep the old one
    (a test, or an operator pointing EMAIL_FILE_PATH elsewhere)."""
    from django.core.mail import EmailMessage

    outbox.smtp_connection().send_messages([EmailMessage("Un", "a", to=["a@x.fr"])])
    settings.EMAIL_FILE_PATH = tmp_path / "ailleurs"
    outbox.smtp_connection().send_messages([EmailMessage("Deux", "b", to=["b@x.fr"])])
    assert len(list(folder.glob("*.eml"))) == 1
    assert len(list((tmp_path / "ailleurs").glob("*.eml"))) == 1


SEND_TWO = (
    "import django, os; django.setup(); "
    "from django.core.mail import EmailMessage, get_connection; "
    "c = get_connection(); "
    "c.send_messages([EmailMessage('Un', 'a', to=['a@x.fr']), EmailMessage('Deux', 'b', to=['b@x.fr'])]); "
    "from django.conf import settings; print(sorted(os.listdir(settings.EMAIL_FILE_PATH)))"
)


def test_make_run_writes_one_eml_file_per_message(tmp_path: Path):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "DATABASE_URL"
    }
    environment.update(DJANGO_SETTINGS_MODULE="cls_platform.settings", TRAME_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", SEND_TWO],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    written = sorted((tmp_path / "outbox").iterdir())
    assert [f.suffix for f in written] == [".eml", ".eml"], result.stdout
