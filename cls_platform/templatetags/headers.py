"""Server-made markup fitted to the Content-Security-Policy (cls_platform/headers.py).

`{{ chart|csp_ready:request }}`: pygal's charts carry their colours in an inline <style> element,
which the policy lets through when it carries the page's nonce, and one style="" attribute (the
tooltip layer of its script, which the charts leave out), which the policy refuses: it goes.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle=("[^"]*"|'[^']*')""", re.IGNORECASE)


@register.filter
def csp_ready(markup: Any, request: Any) -> SafeString:
    """Markup already safe (the caller's own): its <style> elements given the page's nonce, its
    style attributes dropped."""
    if not isinstance(markup, SafeString):
        return conditional_escape(markup)
    markup = STYLE_ATTRIBUTE.sub("", markup)
    # django-csp's lazy nonce: reading it is what puts it in the header.
    lazy = getattr(request, "csp_nonce", None)
    nonce = str(lazy) if lazy is not None else ""
    if nonce:
        markup = STYLE_TAG.sub(f'<style nonce="{nonce}"', markup)
    return mark_safe(markup)
