"""The last guard of the open data: no e-mail address, phone number or person's name leaves,
whatever was typed.

The export reads no person (no contact, no pilot's name, no address book field), but titles,
units and sources are free text that a coordinator may have filled with "Mme Benali
(prenom.nom@ville.fr, 06 12 34 56 78)". Every string of the document goes through `scrub()`:
addresses, French phone numbers, a civility followed by a name, and the full names of the
territory's contacts are replaced by a bracketed word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

EMAIL = re.compile(r"[\w.+'-]+\s*(?:@|\[at\]|\(at\))\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# French numbers as people write them: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56
# 78, +33 (0)6 12..., 0033 6 12...
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)"
)
# "Mme Benali", "M. Diallo", "Dr Fontaine": a civility, then a capitalised name.
CIVILITY = re.compile(
    r"\b(?:M\.|MM\.|Mme|Mmes|Mlle|Madame|Monsieur|Dr|Dre|Docteur|Docteure|Pr|Professeur)"
    r"\s+[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)?"
)


def names_pattern(people: Iterable[tuple[str, str]]) -> re.Pattern[str] | None:
    """Full names ("Amina Benali", "Benali Amina") of the given people, as one pattern."""
    spellings = set()
    for first, last in people:
        first, last = (first or "").strip(), (last or "").strip()
        if len(first) > 1 and len(last) > 1:
            spellings.update({f"{first} {last}", f"{last} {first}"})
    if not spellings:
        return None
    alternatives = "|".join(
        r"\s+".join(re.escape(part) for part in spelling.split())
        for spelling in sorted(spellings, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def scrub(text: str, names: re.Pattern[str] | None = None) -> str:
    text = EMAIL.sub(_("[adresse retirée]"), text)
    text = PHONE.sub(_("[numéro retiré]"), text)
    if names is not None:
        text = names.sub(_("[nom retiré]"), text)
    return CIVILITY.sub(_("[nom retiré]"), text)


def scrub_all(value: Any, names: re.Pattern[str] | None = None) -> Any:
    """The same structure, every string scrubbed (keys are ours and left alone)."""
    if isinstance(value, str):
        return scrub(value, names)
    if isinstance(value, dict):
        return {key: scrub_all(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_all(item, names) for item in value]
    return value
