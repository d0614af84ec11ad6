"""How a page names a person: decided here, once, for every page.

Signatories (viewers) never read a person's name: to them a person is their structure
("un·e professionnel·le de l'Épicerie sociale"), or a count. Everyone else reads the name as
the directory writes it. A page with no access in its context (an e-mail, a print) names no one
through these tags: it is the caller's choice to show names there, not this module's.

- `shows_people(access)`: the one rule, for views that build a `show_personal` flag;
- `{% people_shown as shown %}`: the same rule read from the page's context;
- `{% person contact %}`: the name, or the structure for a signatory;
- `{{ contact|as_professional }}`: "un·e professionnel·le de <structure>", whoever reads;
- `redact_names(html, people)`: a text written by the coordination (a compte-rendu) with the
  full names of the directory's people replaced by their structure, for signatories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def shows_people(access: Any) -> bool:
    """Whether the holder of `access` may read people's names (and, beyond, their details)."""
    return access is not None and not access.is_viewer


def context_access(context: template.Context) -> Any:
    return context.get("access") or getattr(context.get("request"), "access", None)


@register.simple_tag(takes_context=True)
def people_shown(context: template.Context) -> bool:
    return shows_people(context_access(context))


ELIDED = re.compile(r"^[aeiouyhàâäéèêëîïôöùûü]", re.IGNORECASE)


def professional_of(structure: str | None) -> str:
    if not structure:
        return _("un·e professionnel·le")
    if ELIDED.match(structure):  # "d’Emmaüs", "d’Épicerie solidaire"
        return _("un·e professionnel·le d’%(structure)s") % {"structure": structure}
    return _("un·e professionnel·le de %(structure)s") % {"structure": structure}


@register.filter
def as_professional(contact: Any) -> str:
    """A person as their structure: what a signatory reads in place of a name."""
    organization = getattr(contact, "organization", None)
    return professional_of(organization.name if organization is not None else None)


def redact_names(html: str, people: Iterable[tuple[str, str, str | None]]) -> SafeString:
    """`html` (already safe) with every "First Last" or "Last First" of `people` (first name,
    last name, structure) replaced by "un·e professionnel·le de <structure>". A last name alone
    ("Mme Bonnet") is left: too many are words or places ("Martin", "Moulin") to replace blind."""
    labels: dict[str, str] = {}
    for first, last, structure in people:
        first, last = (first or "").strip(), (last or "").strip()
        if not (first and last):
            continue
        label = escape(professional_of(structure))
        for name in (f"{first} {last}", f"{last} {first}"):
            # As typed, and as a sanitiser may have escaped its apostrophe.
            for form in {name, escape(name), name.replace("'", "&#39;"), name.replace("'", "’")}:
                labels.setdefault(form.casefold(), label)
    if not labels or not html:
        return mark_safe(html)
    names = sorted(labels, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")(?!\w)",
        re.IGNORECASE,
    )
    folded = {re.sub(r"\s+", " ", k): v for k, v in labels.items()}
    return mark_safe(
        pattern.sub(lambda m: folded.get(re.sub(r"\s+", " ", m.group(0)).casefold(), ""), html)
    )


@register.simple_tag(takes_context=True)
def person(context: template.Context, contact: Any) -> str:
    """The person's name (never their address), or their structure for a signatory."""
    if contact is None:
        return ""
    if not shows_people(context_access(context)):
        return as_professional(contact)
    return getattr(contact, "full_name", "") or _("Contact sans nom")


@register.simple_tag(takes_context=True)
def unnamed(context: template.Context, text: str, people: Iterable[Any] = ()) -> str:
    """`text` (plain, e.g. a group's health finding) as the reader may read it: for a
    signatory, the names of `people` (and of their successors) become their structures."""
    if shows_people(context_access(context)):
        return text
    named = []
    for contact in people or ():
        for someone in (contact, getattr(contact, "successor", None)):
            if someone is not None:
                organization = getattr(someone, "organization", None)
                named.append(
                    (someone.first_name, someone.last_name, getattr(organization, "name", None))
                )
    return redact_names(escape(text), named)


@register.filter
def for_reader(text: str, unnamed: Any) -> str:
    """A free text as its reader may read it: `unnamed` (a function the view gives signatories,
    e.g. actions.pdf.unnamed_for_signatories) makes the directory's names structures and
    returns safe HTML; for everyone else (`unnamed` empty) the text as typed."""
    return unnamed(text) if unnamed and text else text
