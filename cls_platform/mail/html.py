"""Small changes to sanitised HTML before it goes inside an e-mail's own document."""

from __future__ import annotations

import re

_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def nest_headings(html: str, *, top: int) -> str:
    """`html` (a fragment, sanitised: no comment nor script) with its highest heading at level
    `top` and the others shifted alike (capped at h6): a compte-rendu whose sections are <h3>,
    placed under the e-mail's <h1>, would skip a level (the W3C checker reports it, and a
    screen reader's outline shows a gap)."""
    levels = [int(level) for _slash, level in _HEADING.findall(html or "")]
    if not levels:
        return html
    shift = top - min(levels)
    if not shift:
        return html
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(max(int(m[2]) + shift, 1), 6)}", html)
