"""Where `make run` puts the mail it sends: one `.eml` file per message under EMAIL_FILE_PATH.

Django's file backend appends every message of a connection to one `.log` file, separated by
dashes; the outbox keeps one connection per process, so a whole sending (200 invitations) ends
up in one file that no mail client opens. Here each message is its own file, byte for byte what
an SMTP server would receive (CRLF line ends, as the calendar parts require): Thunderbird, Apple
Mail or Outlook open it with a double click, attachments and invitation included.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileBackend

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EmlFileBackend(FileBackend):
    """One `<time>-<message id>.eml` per message, written whole or not at all."""

    def open(self) -> bool:
        return False  # nothing to keep open: each message opens its own file

    def close(self) -> None:
        return None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages or ():
            if not message.recipients():
                continue
            data = message.message().as_bytes(linesep="\r\n")
            path = self._path_for(message)
            # Written aside then renamed: a reader (or a crash) never sees half a message.
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            os.replace(partial, path)
            sent += 1
        return sent

    def _path_for(self, message: EmailMessage) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        message_id = str(message.extra_headers.get("Message-ID", "")).strip("<> ")
        name = _UNSAFE.sub("_", message_id.split("@", 1)[0])[:80] or "message"
        folder = Path(self.file_path)
        path = folder / f"{stamp}-{name}.eml"
        number = 1
        while path.exists():  # the same message sent twice in the same microsecond
            number += 1
            path = folder / f"{stamp}-{name}-{number}.eml"
        return path
