"""Addresses typed by people (a structure's website, a meeting's video link) as link targets.

Forms only take http(s) addresses, but an address reaches a page by other ways too (an import,
the administration, an old row): `{{ url|web_link }}` in an `href` gives the address when it is
a web address, and nothing otherwise, so that no `javascript:` or `data:` link is ever made.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template

register = template.Library()

WEB_SCHEMES = {"http", "https"}


@register.filter
def web_link(url: Any) -> str:
    text = str(url or "").strip()
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:"): urlsplit does too.
    return text if urlsplit(text).scheme.lower() in WEB_SCHEMES else ""
