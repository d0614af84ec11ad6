"""Kept for the imports of other apps: the e-mail helpers live in `cls_platform.mail`."""

from __future__ import annotations

from .mail.messages import (
    absolute_url,
    attach_calendar,
    build_message,
    coordination_address,
    stamp,
    unsubscribe_headers,
)
from .mail.text import html_to_text

__all__ = [
    "absolute_url",
    "attach_calendar",
    "build_message",
    "coordination_address",
    "html_to_text",
    "stamp",
    "unsubscribe_headers",
]
