"""Plain text from the sanitised HTML of a compte-rendu, for the text part of its e-mail.

The text part must read well on its own (some partners' clients show only it, screen readers
read it aloud): headings on their own line, a blank line around each block, list items as
"- " or "1. ", links as "text (url)", tables one row a line, entities decoded. `striptags`
glued "Fiches-actions discutées" to "3.2 Prévention..." and left "l&#x27;Espace santé".

html.parser from the standard library is enough for what nh3 lets through (workgroups
sanitises the report when it is saved); html2text would do it too, but it is GPL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # not \s: a non-breaking space is kept (French « : »)
_BREAK = "\x00"  # a <br> inside inline text, kept through the collapsing of spaces
_BLANKS = re.compile(r"\n{3,}")

BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "figure",
        "figcaption",
        "address",
        "dl",
        "dt",
        "dd",
        "center",
        "details",
        "summary",
    }
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})
CELLS = frozenset({"td", "th"})


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []  # finished lines; "" is a blank line
        self.inline: list[str] = []  # text of the block being read
        self.lists: list[list[object]] = []  # [ordered, next number] per open list
        self.bullet = ""  # marker waiting for the first line of a list item
        self.continuation = ""  # indentation of the item's next lines
        self.quote = 0
        self.links: list[tuple[str, int]] = []  # (href, where its text starts in `inline`)
        self.hidden = 0
        self.pre = 0
        self.row: list[str] | None = None
        self.in_cell = False

    # --- output ----------------------------------------------------------------------------

    def blank(self) -> None:
        """A blank line between blocks (none inside a list: its items stay together)."""
        if self.lists:
            return
        marker = ("> " * self.quote).rstrip()
        if self.lines and self.lines[-1] not in ("", marker):
            self.lines.append(marker)

    def flush(self) -> None:
        raw = "".join(self.inline)
        self.inline = []
        if self.pre:
            lines = raw.replace(_BREAK, "\n").strip("\n").split("\n")
            lines = [line.rstrip() for line in lines]
        else:
            lines = [line.strip() for line in _SPACES.sub(" ", raw).split(_BREAK)]
            while lines and not lines[-1]:
                lines.pop()
            while lines and not lines[0]:
                lines.pop(0)
        if not lines:
            return
        quote = "> " * self.quote
        for line in lines:
            if self.bullet:
                prefix, self.bullet = self.bullet, ""
            else:
                prefix = self.continuation if self.lists else ""
            self.lines.append((quote + prefix + line).rstrip())

    def text(self) -> str:
        self.flush()
        body = "\n".join(self.lines).strip("\n")
        return _BLANKS.sub("\n\n", body)

    # --- the parser's callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
            return
        if self.hidden:
            return
        attributes = {name: value or "" for name, value in attrs}
        if self.in_cell and (tag in BLOCKS or tag in HEADINGS or tag in ("br", "li", "hr")):
            self.inline.append(" ")  # a cell stays on its row's line
            return
        if tag == "br":
            self.inline.append(_BREAK)
        elif tag in BLOCKS or tag in HEADINGS:
            self.flush()
            self.blank()
        elif tag in ("ul", "ol"):
            self.flush()
            if not self.lists:
                self.blank()
            start = attributes.get("start", "1")
            number = int(start) if start.isdigit() else 1
            self.lists.append([tag == "ol", number])
        elif tag == "li":
            self.flush()
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                number = int(self.lists[-1][1])  # type: ignore[call-overload]
                self.lists[-1][1] = number + 1
                marker = f"{number}. "
            else:
                marker = "- "
            self.bullet = "  " * depth + marker
            self.continuation = " " * len(self.bullet)
        elif tag == "blockquote":
            self.flush()
            self.blank()
            self.quote += 1
        elif tag == "pre":
            self.flush()
            self.blank()
            self.pre += 1
        elif tag == "hr":
            self.flush()
            self.blank()
            self.lines.append("-" * 20)
            self.blank()
        elif tag == "table":
            self.flush()
            self.blank()
        elif tag == "tr":
            self.flush()
            self.row = []
        elif tag in CELLS:
            self.inline = []
            self.in_cell = True
        elif tag == "a":
            self.links.append((attributes.get("href", "").strip(), len(self.inline)))
        elif tag == "img":
            alt = attributes.get("alt", "").strip()
            if alt:
                self.inline.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
            return
        if self.hidden:
            return
        if tag in CELLS:
            if self.row is not None:
                self.row.append(_SPACES.sub(" ", "".join(self.inline)).strip())
            self.inline = []
            self.in_cell = False
            return
        if self.in_cell and (tag in BLOCKS or tag in HEADINGS or tag == "li"):
            self.inline.append(" ")
            return
        if tag in BLOCKS or tag in HEADINGS:
            self.flush()
            self.blank()
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            self.bullet = ""
            if self.lists:
                depth = len(self.lists) - 1
                self.continuation = "  " * depth + "   "
            else:
                self.continuation = ""
                self.blank()
        elif tag == "li":
            self.flush()
            self.bullet = ""
        elif tag == "blockquote":
            self.flush()
            if self.quote and self.lines and self.lines[-1] == ("> " * self.quote).rstrip():
                self.lines.pop()  # the quote's last paragraph needs no blank line inside it
            self.quote = max(self.quote - 1, 0)
            self.blank()
        elif tag == "pre":
            self.flush()
            self.pre = max(self.pre - 1, 0)
            self.blank()
        elif tag == "tr":
            if self.row and any(self.row):
                self.inline = [" | ".join(cell for cell in self.row)]
                self.flush()
            self.row = None
        elif tag == "table":
            self.flush()
            self.blank()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = _SPACES.sub(" ", "".join(self.inline[start:])).strip()
            target = href.removeprefix("mailto:")
            if href and not href.startswith(("#", "javascript:")) and target not in label:
                self.inline.append(f" ({target})" if label else target)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.inline.append(data)


def html_to_text(html: str) -> str:
    """`html` (a fragment) as plain text that reads well on its own."""
    converter = _Converter()
    converter.feed(html or "")
    converter.close()
    return converter.text()
