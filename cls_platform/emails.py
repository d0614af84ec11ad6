"""E-mails from templates: `templates/emails/<name>.subject.txt`, `.txt` and `.html`.

Contexts hold ids and plain values, never model instances, so the same context can travel
through a Celery task.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_message(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, headers=headers or {}, from_email=None
    )
    message.attach_alternative(html, "text/html")
    return message


def send_templated(
    *, template: str, to: list[str], context: dict[str, Any], headers: dict[str, str] | None = None
) -> int:
    return build_message(template=template, to=to, context=context, headers=headers).send()
