"""Shared shape of send_invitations and send_report: what the two buttons do, for operators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workgroups.models import Meeting
from workgroups.services import SendResult


class MeetingSendCommand(BaseCommand):
    what = ""

    def send(self, meeting: Meeting) -> SendResult:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("meeting_id", type=int, help="Identifiant de la réunion")

    def handle(self, *args: Any, **options: Any) -> None:
        meeting = (
            Meeting.objects.select_related("group", "territory")
            .filter(pk=options["meeting_id"])
            .first()
        )
        if meeting is None:
            raise CommandError(f"Réunion introuvable : {options['meeting_id']}")
        try:
            result = self.send(meeting)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"{meeting.territory.name} · {meeting.group.name} · {self.what} : "
            f"{result.queued} envoi(s) mis en file, {result.skipped} déjà servi(s) ignoré(s)."
        )


def command(
    what: str, send: Callable[[Meeting], SendResult], help_text: str
) -> type[MeetingSendCommand]:
    return type(
        "Command",
        (MeetingSendCommand,),
        {"what": what, "help": help_text, "send": lambda self, m: send(m)},
    )
