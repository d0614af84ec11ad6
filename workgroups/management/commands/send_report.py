"""python manage.py send_report MEETING_ID: what the "Envoyer le compte-rendu" button does."""

from __future__ import annotations

from workgroups.services import report_send

from ._meeting_command import command

Command = command(
    "compte-rendu",
    lambda meeting: report_send(meeting=meeting),
    "Envoie le compte-rendu d'une réunion ; idempotent : les destinataires déjà servis sont ignorés.",
)
