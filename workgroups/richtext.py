"""The compte-rendu's rich text: plain text as coordinators type it made HTML, and any HTML
sanitised to what the report may hold (the editor's page, the services that save it and the
first draft all follow these rules)."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape

ALLOWED_REPORT_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sup",
    "sub",
}
ALLOWED_REPORT_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}

HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def text_to_html(text: str) -> str:
    """Plain text as coordinators type it: blank lines between paragraphs, "- " for lists,
    "## " for headings. HTML pasted from a word processor is kept (then sanitised)."""
    if HTML_TAG.search(text or ""):
        return text
    blocks = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ", "• ")) for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines[0].startswith("## ") and len(lines) == 1:
            blocks.append(f"<h3>{escape(lines[0][3:].strip())}</h3>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return "\n".join(blocks)


def sanitize_report(html: str) -> str:
    """Rich text as the coordinator wrote it, minus anything that could run or restyle: no
    script, no event handler, no style attribute or tag, links limited to http(s) and mailto."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_REPORT_TAGS,
        attributes=ALLOWED_REPORT_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()
