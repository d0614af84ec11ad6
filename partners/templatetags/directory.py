"""How the directory's pages name a person and show their state, the same words as the lists'
rows (partners/selectors.py: contact_name, contact_state), which work them out in Python."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..selectors import contact_name, contact_state

register = template.Library()


@register.simple_tag
def person_name(contact: Any, show_personal: Any, last_first: Any = False) -> str:
    # An address only where the page says so (`show_personal` unset: none).
    return contact_name(contact, show_personal=bool(show_personal), last_first=bool(last_first))


@register.simple_tag
def person_state(contact: Any, show_personal: Any) -> SafeString:
    # A mailing state unless the page says people's details are not shown (False).
    badge, words = contact_state(contact, show_personal=show_personal is not False)
    return format_html('<span class="badge badge--{}">{}</span>', badge, words)
