"""E-mails from templates: `templates/emails/<name>.subject.txt`, `.txt` and `.html`.

Contexts hold ids and plain values, never model instances, so that a composer can build them
from an outbox row's ids in any process. The subject and the text part are rendered by the
"text" template engine (settings.TEMPLATES), which does not HTML-escape: "l'OPH" stays "l'OPH".

Every header that automatic mail carries is set here, in one place: `Auto-Submitted` (RFC 3834:
out-of-office replies stay quiet), `Content-Language`, `List-Unsubscribe` with its one-click
POST (RFC 8058) on partner mail, `Reply-To` (a person, never the no-reply address). The Message-ID
comes from the outbox row (`Delivery.message_id`) and the Date is local time
(settings.EMAIL_USE_LOCALTIME).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from email import encoders
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language

from ..models import Role, Territory, User

TEXT_ENGINE = "text"
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "Content-Language": "fr"}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def coordination_sender(territory: Territory | int) -> tuple[str, str]:
    """(name, address) of whom a partner's question reaches at the coordination of `territory`:
    its coordination address (a shared mailbox: no name), or else its first active
    coordinator; ("", "") when it has neither."""
    if isinstance(territory, Territory):
        if territory.coordination_email:
            return "", territory.coordination_email
        territory_id = territory.pk
    else:
        territory_id = territory
        stored = (
            Territory.objects.filter(pk=territory_id)
            .values_list("coordination_email", flat=True)
            .first()
        )
        if stored:
            return "", stored
    first = (
        User.objects.filter(
            accesses__territory_id=territory_id,
            accesses__role=Role.COORDINATOR,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    if first is None:
        return "", ""
    return first.full_name.strip(), first.email


def coordination_address(territory: Territory | int) -> str:
    """Where a partner's question reaches the coordination of `territory` ("" if nowhere)."""
    return coordination_sender(territory)[1]


def sender_address(name: str) -> str:
    """The sending address of DEFAULT_FROM_EMAIL under the display name `name`: the inbox shows
    who writes ("Coordination du CLS de Cergy"), the address stays the one the domain's SPF
    and DKIM cover. A quoted string, so that a comma or an accent in the name is kept whole."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    name = " ".join((name or "").split())
    if not name or not address:
        return settings.DEFAULT_FROM_EMAIL
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: a mail client's "unsubscribe" button POSTs to `url` at once."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def stamp(message: EmailMessage, *, message_id: str = "") -> EmailMessage:
    """The headers of every automatic message (the outbox calls this for every row it sends)."""
    for name, value in AUTOMATIC_HEADERS.items():
        message.extra_headers.setdefault(name, value)
    if message_id:
        message.extra_headers["Message-ID"] = message_id
    return message


def render_subject(template: str, context: dict[str, Any]) -> str:
    subject = render_to_string(f"emails/{template}.subject.txt", context, using=TEXT_ENGINE)
    return " ".join(subject.split())


class Personal:
    """The values of one recipient in a message whose rendering all recipients share.

    `personal(value)` stands for `value` in the context: a marker that the templates print as it
    is (letters and digits: no escaping changes it), replaced by the value once rendered, escaped
    in the HTML part as the template would have. The n-th call of a message always gives the
    same marker, so the rendering made for the first recipient serves the next ones. Only for
    values printed as they are (`{{ contact_name }}`, `href="{{ url }}"`): never one a template
    tests or filters, nor an empty one (an `{% if %}` would see the marker)."""

    # Per process: a compte-rendu that quotes a marker cannot guess it.
    _token = secrets.token_hex(6)
    pattern = re.compile(rf"trameslot(\d{{4}})x{_token}")

    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, value: object) -> str:
        self.values.append(str(value))
        return f"trameslot{len(self.values) - 1:04d}x{self._token}"

    def fill(self, rendered: str, *, html: bool = False, subject: bool = False) -> str:
        def value(match: re.Match) -> str:
            text = self.values[int(match[1])]
            if subject:
                return " ".join(text.split())
            return escape(text) if html else text

        return self.pattern.sub(value, rendered)


# Renderings shared by the recipients of one message: (template, caller's key, markers,
# language) -> (subject, text, html) with the markers in.
_RENDERED: OrderedDict[Hashable, tuple[str, str, str]] = OrderedDict()
_RENDERED_LOCK = threading.Lock()
RENDERED_KEEP = 32


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    # Optional blocks of a template leave runs of blank lines: one blank line between
    # paragraphs, one line end at the end.
    text = render_to_string(f"emails/{template}.txt", context, using=TEXT_ENGINE)
    text = _BLANK_LINES.sub("\n\n", text.strip("\n")) + "\n"
    html = render_to_string(f"emails/{template}.html", context)
    return render_subject(template, context), text, html


def _shared_render(
    template: str, context: dict[str, Any], personal: Personal, shared: Hashable
) -> tuple[str, str, str]:
    key = (template, shared, len(personal.values), get_language())
    with _RENDERED_LOCK:
        found = _RENDERED.get(key)
        if found is not None:
            _RENDERED.move_to_end(key)
            return found
    rendered = _render(template, context)
    with _RENDERED_LOCK:
        _RENDERED[key] = rendered
        while len(_RENDERED) > RENDERED_KEEP:
            _RENDERED.popitem(last=False)
    return rendered


def build_message(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    reply_to: Iterable[str] = (),
    unsubscribe_url: str = "",
    headers: dict[str, str] | None = None,
    sender_name: str = "",
    personal: Personal | None = None,
    shared: Hashable | None = None,
) -> EmailMultiAlternatives:
    """The message of `template` (HTML and text), with the headers automatic mail carries.

    `reply_to`: the people a reply reaches (empty addresses are left out); `unsubscribe_url`:
    the one-click unsubscribe link of partner mail; `sender_name`: the display name of the
    From address (DEFAULT_FROM_EMAIL's own when empty).

    `personal`: the recipient's values, whose markers the context holds; `shared`: a key that
    says everything else in the context is the same as for another recipient with the same key
    (the meeting and the version of it read): the templates are then rendered once for all of
    them, and each message only fills its markers in."""
    context = {"site_url": settings.SITE_URL, **context}
    if personal is None:
        subject, text, html = _render(template, context)
    else:
        if shared is None:
            subject, text, html = _render(template, context)
        else:
            subject, text, html = _shared_render(template, context, personal, shared)
        subject = personal.fill(subject, subject=True)
        text, html = personal.fill(text), personal.fill(html, html=True)
    all_headers = dict(headers or {})
    if unsubscribe_url:
        all_headers.update(unsubscribe_headers(unsubscribe_url))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=to,
        reply_to=[address for address in reply_to if address] or None,
        headers=all_headers,
        from_email=sender_address(sender_name),
    )
    message.attach_alternative(html, "text/html")
    return stamp(message)


def attach_calendar(message: EmailMultiAlternatives, ics: bytes, *, method: str, filename: str):
    """An iTIP message (`ics`, UTF-8 bytes) twice: as an alternative of the body with its method,
    which Outlook and Gmail show as an invitation, and as a file for the clients that only offer
    to open attachments. Both say charset=utf-8: "François" and "—" reach every client intact."""
    ics.decode("utf-8")  # strict: a calendar that is not UTF-8 must not go out
    message.attach_alternative(ics.decode("utf-8"), f"text/calendar; method={method}")
    part = MIMEBase("text", "calendar", charset="utf-8", method=method)
    part.set_payload(ics)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    message.attach(part)
    return message
