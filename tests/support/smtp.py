"""A real SMTP server on loopback (aiosmtpd, in the test process) that records what it receives.

    from tests.support.smtp import smtp_server  # noqa: F401  (the fixture)

    def test_something(smtp_server: SmtpServer):
        ...  # send to smtp_server.host:smtp_server.port
        smtp_server.wait_for(200)
        (copy,) = smtp_server.by_recipient()["camille@partenaire.fr"]
        assert copy.message_id == "<...>" and copy.pdfs

The handler can be told to misbehave like the servers a platform meets in real life:

- `refuse_next(n, at="RCPT" | "DATA" | "MAIL", reply=...)`: answer 451 (greylisting, "try again
  later"), or the reply given, to the next n commands of that stage;
- `greylist()`: answer 451 to the first RCPT of every address, and accept it afterwards, as a
  greylisting server does;
- `close_with_421(seconds=..., count=...)`: answer 421 to MAIL FROM and close the connection,
  for a while or for the next sessions (a server shedding load);
- `bounce(*addresses)`: answer 550 to RCPT for those addresses, for good;
- `before_reply`: a callable run in the server's thread once a message is recorded as received
  but before its 250 is written, with the `Received` message; a test uses it to kill a worker at a
  precise point (the message reached the server, the sender never learns it).

Every refusal is recorded in `events`, every accepted message in `messages`. The server runs in
its own thread (aiosmtpd's Controller); everything here is safe to read from the test's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
GREYLISTED = "451 4.7.1 Greylisted, please try again later"
CLOSING = "421 4.3.2 Service not available, closing transmission channel"
MAILBOX_UNAVAILABLE = "550 5.1.1 Mailbox unavailable"

# aiosmtpd logs every command at INFO: thousands of lines for a 200-recipient send.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class Received:
    """One message accepted by the server (DATA answered 250)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    received_at: float  # time.monotonic() in the test process
    peer: object = None

    @cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "").strip()

    @property
    def subject(self) -> str:
        # Django folds a long encoded subject right after "Subject:"; the parser keeps the
        # folding white space in front.
        return str(self.message["Subject"] or "").strip()

    @cached_property
    def attachments(self) -> list[Attachment]:
        return [
            Attachment(
                filename=part.get_filename() or "",
                content_type=part.get_content_type(),
                payload=part.get_payload(decode=True) or b"",
            )
            for part in self.message.iter_attachments()
        ]

    @property
    def pdfs(self) -> list[Attachment]:
        return [a for a in self.attachments if a.content_type == "application/pdf"]


@dataclass(frozen=True)
class Event:
    """A refusal the server answered: stage (MAIL, RCPT, DATA), the reply, the address."""

    stage: str
    reply: str
    address: str = ""
    at: float = field(default_factory=time.monotonic)

    @property
    def code(self) -> int:
        return int(self.reply[:3])


class RecordingHandler:
    """aiosmtpd handler: records accepted messages, refuses on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self._events: list[Event] = []
        self._refuse: dict[str, tuple[int, str]] = {}  # stage -> (how many more, reply)
        self._bounces: dict[str, str] = {}  # address (lower case) -> reply
        self._greylisting = False
        self._greylist_seen: set[str] = set()
        self._close_until = 0.0  # time.monotonic() until which MAIL gets 421 and a hang-up
        self._close_count = 0
        self.before_reply: Callable[[Received], object] | None = None

    # --- what the test asks ---------------------------------------------------------------

    def refuse_next(self, n: int, *, at: str = "RCPT", reply: str = GREYLISTED) -> None:
        """Answer `reply` (451 by default) to the next n commands of that stage (MAIL FROM, RCPT
        or DATA)."""
        if at not in ("MAIL", "RCPT", "DATA"):
            raise ValueError(f"stage inconnu : {at}")
        with self._lock:
            self._refuse[at] = (n, reply)

    def greylist(self, enabled: bool = True) -> None:
        """Refuse the first RCPT of each address with 451, accept it on the next try."""
        with self._lock:
            self._greylisting = enabled
            self._greylist_seen.clear()

    def close_with_421(self, *, seconds: float | None = None, count: int | None = None) -> None:
        """Answer 421 to MAIL FROM and close the connection, for `seconds` or `count` sessions."""
        with self._lock:
            self._close_until = time.monotonic() + seconds if seconds else 0.0
            self._close_count = count or 0

    def bounce(self, *addresses: str, reply: str = MAILBOX_UNAVAILABLE) -> None:
        """Refuse these addresses for good (550 at RCPT)."""
        with self._lock:
            self._bounces.update({a.lower(): reply for a in addresses})

    def behave(self) -> None:
        """Back to accepting everything (what was received is kept)."""
        with self._lock:
            self._refuse.clear()
            self._bounces.clear()
            self._greylisting = False
            self._close_until = 0.0
            self._close_count = 0

    # --- what the test reads ----------------------------------------------------------------

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._events.clear()

    # --- aiosmtpd hooks (run in the server's thread) -----------------------------------------

    def _take(self, stage: str) -> str | None:
        """The refusal planned for this stage, if any (one fewer left). Under the lock."""
        left, reply = self._refuse.get(stage, (0, ""))
        if left <= 0:
            return None
        self._refuse[stage] = (left - 1, reply)
        return reply

    async def handle_MAIL(self, server, session, envelope, address: str, mail_options) -> str:
        with self._lock:
            closing = time.monotonic() < self._close_until or self._close_count > 0
            if closing:
                self._close_count = max(self._close_count - 1, 0)
                self._events.append(Event("MAIL", CLOSING, address))
            reply = None if closing else self._take("MAIL")
            if reply is not None:
                self._events.append(Event("MAIL", reply, address))
                return reply
        if closing:
            transport = server.transport
            # After the reply is written (push() writes synchronously, then awaits): hang up.
            asyncio.get_running_loop().call_soon(lambda: transport and transport.close())
            return CLOSING
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        key = address.lower()
        with self._lock:
            reply = self._bounces.get(key)
            if reply is None and self._greylisting and key not in self._greylist_seen:
                self._greylist_seen.add(key)
                reply = GREYLISTED
            if reply is None:
                reply = self._take("RCPT")
            if reply is not None:
                self._events.append(Event("RCPT", reply, address))
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            reply = self._take("DATA")
            if reply is not None:
                self._events.append(Event("DATA", reply, ",".join(envelope.rcpt_tos)))
                return reply
            received = Received(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=envelope.original_content or b"",
                received_at=time.monotonic(),
                peer=session.peer,
            )
            self._messages.append(received)
            callback = self.before_reply
        if callback is not None:
            # Before the 250 is written: whatever the callback does (kill the sender) happens
            # while the client still waits for its answer. Run after the 250 instead, a fast
            # client could record its success first, and the test would depend on timing.
            callback(received)
        return "250 2.0.0 Message accepted for delivery"


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 and a free port, recording into `handler`."""

    def __init__(self, host: str = HOST) -> None:
        self.handler = RecordingHandler()
        self.host = host
        self.port = 0
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        last_error: Exception | None = None
        for _ in range(5):  # the free port may be taken between the probe and the bind
            port = free_port(self.host)
            controller = Controller(
                self.handler,
                hostname=self.host,
                port=port,
                server_hostname="smtp.test.local",
                ready_timeout=10.0,
                data_size_limit=64 * 1024 * 1024,
            )
            try:
                controller.start()
            except Exception as exc:  # pragma: no cover - a race on the port
                last_error = exc
                with contextlib.suppress(Exception):
                    controller.stop(no_assert=True)
                continue
            self._controller, self.port = controller, port
            return self
        raise RuntimeError(f"serveur SMTP de test impossible à démarrer : {last_error}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop(no_assert=True)
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def env(self) -> dict[str, str]:
        """What a worker's environment needs to send here."""
        return {"EMAIL_HOST": self.host, "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "0"}

    # --- reading ------------------------------------------------------------------------------

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def count(self) -> int:
        return len(self.handler.messages)

    def by_recipient(self) -> dict[str, list[Received]]:
        """Every copy received per envelope recipient (lower case)."""
        copies: dict[str, list[Received]] = {}
        for message in self.messages:
            for rcpt in message.rcpt_tos:
                copies.setdefault(rcpt.lower(), []).append(message)
        return copies

    def wait_for(
        self, count: int, *, timeout: float, check: Callable[[], object] | None = None
    ) -> list[Received]:
        """Waits until at least `count` messages were accepted; returns them.

        `check` runs at each poll (e.g. call the outbox sweep); it may raise to give up early.
        """
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            if len(messages) >= count:
                return messages
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"après {timeout:.0f} s : {len(messages)} messages reçus sur {count} attendus"
                )
            if check is not None:
                check()
            time.sleep(0.05)

    def connection_params(self) -> dict[str, object]:
        """Keyword arguments for Django's SMTP backend (`get_connection(**params)`)."""
        return {
            "backend": "django.core.mail.backends.smtp.EmailBackend",
            "host": self.host,
            "port": self.port,
            "use_tls": False,
            "use_ssl": False,
            "timeout": 10,
        }


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A recording SMTP server on 127.0.0.1 and a free port, stopped after the test."""
    with SmtpServer() as server:
        yield server
