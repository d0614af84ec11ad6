"""The parts of every page that depend on little: rendered once per process, then reused.

The main navigation's HTML depends only on the territory, the section the page belongs to
(which link carries aria-current), whether the user reads several territories, and the
language; the footer's only on the accessibility status. Rendering them is a dozen URL
reversals and translations a page; `{% fragment %}` renders a template from the values it is
given and nothing else (no request, no context processor), so its output is a function of those
values and is kept, per process, under them (and the language, the URLconf and the script
prefix, which `{% url %}` and `{% translate %}` read).

- `{% site_nav %}` (base.html): the main navigation of the page being rendered;
- `{% fragment "includes/…html" name=value … %}`: any such template (the directory's
  navigation, the footer).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import get_template
from django.urls import ResolverMatch, get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Territories × sections × languages a process serves at once, roughly; the least recently used
# fragment goes first past this.
FRAGMENTS_KEPT = 4096


def current_sections(match: ResolverMatch | None) -> frozenset[str]:
    """The links of the main navigation that name the page's section (aria-current="page").

    The progress page and the COPIL decisions belong to the contracts, not to the evaluation's
    tools. A page without a URL name (or no resolved URL: an error page) belongs to none by name.
    """
    if match is None:
        return frozenset()
    app, name = match.app_name, match.url_name
    named = name is not None
    decision = named and name.startswith("decision_")
    progress = name == "contract_progress"
    sections = {
        "dashboard": match.view_name == "evaluation:dashboard",
        "contracts": (app == "actions" and named and "fiche" not in name) or progress or decision,
        "fiches": app == "actions" and named and "fiche" in name,
        "groups": app == "workgroups",
        "directory": app == "partners",
        "evaluation": app == "evaluation" and name != "dashboard" and not progress and not decision,
        "portfolio": app == "portfolio",
        "home": match.view_name == "home",
    }
    return frozenset(section for section, current in sections.items() if current)


@lru_cache(maxsize=FRAGMENTS_KEPT)
def _rendered(name: str, values: tuple[tuple[str, Hashable], ...], *where: Any) -> SafeString:
    # `where` (language, URLconf, script prefix) is part of the key only: the template reads
    # them from the thread, as it would without the cache.
    return mark_safe(get_template(name).render(dict(values)))


def render_fragment(name: str, **values: Hashable) -> SafeString:
    """`name` rendered from `values` alone, once per process for the same values."""
    key = tuple(sorted(values.items()))
    where = (get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    try:
        return _rendered(name, key, *where)
    except TypeError:  # a value that cannot be a key: rendered, not kept
        return mark_safe(get_template(name).render(values))


def forget_fragments(**kwargs: Any) -> None:
    """A setting (tests) or a template file (runserver reloads templates in place) changed."""
    _rendered.cache_clear()


setting_changed.connect(forget_fragments, dispatch_uid="trame_forget_fragments")
file_changed.connect(forget_fragments, dispatch_uid="trame_forget_fragments")


@register.simple_tag
def fragment(name: str, **values: Hashable) -> SafeString:
    return render_fragment(name, **values)


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> SafeString:
    """The main navigation: the territory's sections when the page is a territory's, the table
    of all one's contracts for a reader of several territories, one's territories."""
    request = context.get("request")
    access = context.get("current_access")
    several = context.get("several_territories")
    return render_fragment(
        "includes/site_nav.html",
        territory=access.territory.slug if access else "",
        several=bool(several() if callable(several) else several),
        current=current_sections(getattr(request, "resolver_match", None)),
    )
