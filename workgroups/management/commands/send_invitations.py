"""python manage.py send_invitations MEETING_ID: what the "Envoyer les invitations" button does."""

from __future__ import annotations

from workgroups.services import invitations_send

from ._meeting_command import command

Command = command(
    "invitations",
    lambda meeting: invitations_send(meeting=meeting),
    "Envoie les invitations d'une réunion ; idempotent : les invités déjà servis sont ignorés.",
)
